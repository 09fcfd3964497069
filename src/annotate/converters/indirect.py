"""Cue quotes (indirect and mixed): a cue from the lexicon in `cues.py` with its source and content.

The source is the subject before the cue, an inverted subject after it, or "according to X";
the content is the complement after the cue (a clause, a to-infinitive or an object, by the
cue's kind) or the clause before a sentence-final ", X said". Nouns of saying ("his call for",
"rumors that") and unattributed questions ("Asked whether ...") are found here too.
"""

from __future__ import annotations

import re

from .clauses import _PROGRESSIVE, _STRIP, _words, clause_subject, sentence_subject
from .cues import (
    DIRECT_PARTICIPLES,
    PHRASAL,
    SPEECH_LEMMAS,
    SPEECH_WORDS,
    cue_lemma,
    find_cues,
    verb_forms,
    word_alternation,
)
from .lexicon import listed, pattern, words
from .speakers import ROLE_WORDS, speaker_after, speaker_before
from .text import trim


def _either_case(word: str) -> str:
    """A regex for `word` with its first letter in either case ("when" -> "[Ww]hen")."""
    return f"[{word[0].upper()}{word[0]}]{word[1:]}"


# Words that open a that/wh complement clause.
_CLAUSE_START = re.compile(pattern("clause_words", "complement") + r"\b", re.IGNORECASE)
_SUBJECT_START = re.compile(pattern("clause_subjects", "pronoun") + r"\b(?!['’]s)", re.IGNORECASE)
# A finite verb or auxiliary early in a bare clause ("found the plan was flawed").
_FINITE = re.compile(r"\b" + pattern("finite_verbs") + r"\b")
_NP_START = re.compile("(?:" + "|".join(listed("clause_subjects", "np")) + r"|[A-Z][a-z]+)\b")
_TO_INF = re.compile(r"to\s+(?:not\s+)?[a-z]")
# Adjuncts that may stand between a speech verb and its clause, or after a final ", X said".
_ADJUNCT_START = re.compile(
    "(?:" + "|".join(listed("time_words", "adjunct")) + r"|this\s+" + pattern("time_words", "this") + r")\b"
)
_RECIPIENT_VERBS = words("recipient_verbs")


_ACCORDING_NP = re.compile(r"\s*([^,;:“”\"]{2,120}?)\s*(?:[,;:“”\"]|[.!?]?$)")
_RECIPIENT = re.compile(r"((?:[\w.’'-]+\s+){0,4}?[\w.’'-]+)\s*[,:]?\s*(?=(?:that|to|about|of)\b|[“\"])")
_COMMA = re.compile(r"[,;]")
_LEAD_PUNCT = re.compile(r"\s*[:,]?\s*")
_UNTIL_THAT = re.compile(r"[^.;:!?“”\"]{0,140}?\bthat\b")
_MAY_CUT = re.compile(r"[;—–]|--|ccording")  # cheap test before _CLAUSE_CUT
_CLAUSE_CUT = re.compile(r";\s|,\s+according to\b|\s[—–]\s|\s--\s")
_OBJECT_PRONOUN = re.compile("(" + "|".join(listed("object_pronouns", "recipient")) + r")\b")
_TIME_ADJUNCT = re.compile(
    r"(?:\s+" + pattern("time_words", "time-prep") + r"?\s*" + pattern("time_words", "time") + r")+\b"
)
_ACCORDING = re.compile(r"\baccording to\b", re.IGNORECASE)
_AS_CUE = re.compile(r"(?:^|[\s,(])[Aa]s\s+$")
_PRONOUN_OBJECT = words("object_pronouns")


def _according_source(text: str, a: int, se: int) -> tuple[int, int] | None:
    """The phrase after "according to", up to the next comma or the sentence end."""
    m = _ACCORDING_NP.match(text, a, se)
    if not m or len(m.group(1).split()) > 14:
        return None
    return m.start(1), m.end(1)


# Prepositions whose object, right before a cue, is an adjunct ("Ruiz at the time said").
_ADJUNCT_PREPOSITIONS = words("adjunct_prepositions")


_ADJUNCT_DETERMINERS = words("determiners", "adjunct")
_NOUN_DETERMINERS = words("determiners")


def _source_before(text: str, cue_start: int, floor: int) -> tuple[int, int] | None:
    sp = speaker_before(text, cue_start, floor)
    for _ in range(2):
        if sp is None:
            break
        at, word = _previous_word(text, max(floor, sp[0] - 20), sp[0])
        if word.lower() not in _ADJUNCT_PREPOSITIONS or at <= floor \
                or text[sp[0]:sp[1]].split()[0].lower() not in _ADJUNCT_DETERMINERS:
            break
        subject = speaker_before(text, at, floor)  # "The mayor in a statement said": skip the adjunct
        if subject is None:
            break
        _, before = _previous_word(text, max(floor, subject[0] - 20), subject[0])
        if before.lower() not in {"", "and", "but", "that", "while", "when", "as", "because"}:
            break  # "hit the airwaves with an ad": the noun before the adjunct is an object
        sp = subject
    return sp


# Cue lemmas whose bare and -s forms are usually nouns ("the state", "his support", "a call").
_NOUNISH = words("nounish_cues")
_SUBJECT_BEFORE = words("verb_markers")
# Adjective endings: "Republican claims", "political support", "federal rules" are nouns.
_ADJ_END = re.compile(pattern("adjective_endings") + "$")
_COORD_BEFORE = re.compile(r"[^;]\s+(?:and|but)\s+(?:" + pattern("adverbs", "coordinated") + r"\s+)?$")
# A bare clause's verb ("think the argument reveals ...") and an "X as Y" frame ("sees Cruz as a uniter").
_BARE_VERB = re.compile(r"(?:[\w’'-]+\s+){1,6}?(?:[a-z]{3,}(?:ed|es|s))\s+(?:the|a|an|to|that|it|him|her|them|[a-z]+ly)\b")
_AS_FRAME = re.compile(r"(?:[\w’'-]+\s+){1,6}?as\s")
_BE = words("be_verbs", "passive")


_WORD_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_’'.-")


def _previous_word(text: str, lo: int, end: int) -> tuple[int, str]:
    """(start, word) of the word that ends just before `end` (spaces skipped), or (end, '')."""
    e = end
    while e > lo and text[e - 1] in " \t":
        e -= 1
    b = e
    while b > lo and text[b - 1] in _WORD_CHARS:
        b -= 1
    return (b, text[b:e]) if b < e else (end, "")


_NEGATION = words("adverbs", "verb")


# Verbs (and time words) that make "back" an adverb: "bring the jobs back", "fought back".
_BACK_VERBS = words("back_verbs")


def _verb_reading(text: str, m: re.Match, lemma: str, ss: int) -> str:
    """'verb' when the cue word is used as an active verb here, else 'noun' or 'passive'."""
    form = m.group(0).lower()
    lo = max(ss, m.start() - 60)
    at, word = _previous_word(text, lo, m.start())
    if "adjective" in cue_lemma(form)[1]:
        # An attitude adjective counts only as a predicate: "is confident that", not "a confident aide".
        while word and word.lower() in _ADJ_ADVERBS:
            at, word = _previous_word(text, lo, at)
        return "verb" if word.lower() in _BE_PREDICATE else "noun"
    # Skip adverbs: "overwhelmingly support", "also claims", "was not charged".
    while word and word.islower() and ((word.endswith("ly") and len(word) > 4) or word in _NEGATION):
        at, word = _previous_word(text, lo, at)
    low = word.lower()
    if low in _BE and (form.endswith(("ed", "en", "wn")) or form in _PARTICIPLES):
        return "passive"
    if _CONTRACTED.match(low):
        return "verb"  # "he's predicting", "she’d support"
    followed_by_that = text.startswith(" that ", m.end())
    if low in {"that", "which", "who"} and form != lemma:
        return "verb"  # "a paper that found ...", "a bill which favors ..."
    if low in _NOUN_DETERMINERS \
            or low.endswith(("’s", "'s")):
        return "noun"  # "the state", "Trump's promise", "a stated goal"
    if lemma == "back" and (low in _BACK_VERBS or text[m.end():m.end() + 1] in ",.;:!?)" or low[:1].isdigit()):
        return "noun"  # "bring these jobs back", "came back", "two years back": an adverb
    if lemma in _NOUNISH and form in (lemma, lemma + "s", lemma + "es"):
        if low in _SUBJECT_BEFORE or followed_by_that:
            return "verb"
        head = low in ROLE_WORDS or (word.isalpha() and word.islower() and low.endswith(("er", "or", "ist", "ent", "ian")))
        if form != lemma and (head or (word[:1].isupper() and not _ADJ_END.search(word))):
            return "verb"
        if form != lemma and word.isalpha() and word.islower() and not _ADJ_END.search(word) \
                and not low.endswith("s"):
            return "verb"  # "the candidate claims", "the survey shows"
        if form == lemma and (word[:1].isupper() or (low.endswith("s") and not low.endswith(("ss", "us", "is")))) and low not in {"his", "its", "this", "us", "was", "is", "has"}:
            return "verb"
        return "noun"
    return "verb"


_LINKERS = words("linkers")


_ADJ_ADVERBS = words("adverbs", "adjective")


_BE_PREDICATE = words("be_verbs", "predicate")


_CONTRACTED = re.compile(r"(?:he|she|it|they|we|i|you|who|that)(?:['’](?:s|d|ll|re|ve))$")
_PARTICIPLES = words("passive_participles")


def _only_linkers(phrase: str) -> bool:
    """True for a phrase of linking words and adverbs only ("But ultimately", "And yet")."""
    words = phrase.replace(",", " ").lower().split()
    return bool(words) and all(w in _LINKERS or (w.endswith("ly") and len(w) > 4) for w in words)


# Words that cannot open an object noun phrase: the cue has no object here.
_NO_OBJECT = words("no_object")


# Where an object noun phrase stops: a comma before a new clause or a participle, or a dash.
_OBJECT_END = re.compile(r",(?P<q>[\"”’']{0,2})\s+" + pattern("clause_words", "object-end") + r"\b|\s[-—–]\s")


_CLAUSE_END = re.compile(
    r",(?P<q>[\"”’']{0,2})\s+(?:" + "|".join(listed("clause_words", "clause-end")) + "|"
    + word_alternation(DIRECT_PARTICIPLES) + r")\b"
    r"|[,”\"]?\s+" + pattern("clause_words", "before-ing") + r"\s+(?:[a-z]+ly\s+)?[a-z]{3,}ing\b"
)


_ADJUNCT_UNTIL_CLAUSE = re.compile(r"[^,.;:!?“”\"]{0,50}?\s(" + pattern("clause_words", "content") + r"\s)")


_RECIPIENT_ONLY = words("recipient_verbs", "only")


_CLOSING_AFTER_COMMA = re.compile(r"[\"”’']{1,2}(?=\s)")


def _cut_at(cut: re.Match) -> int:
    """Where a clause ends at a _CLAUSE_END/_OBJECT_END match: after a quotation's own closing
    mark ('called it "a giveaway," while ...'), else at the match."""
    if cut.group("q"):
        return cut.start() + 1 + len(cut.group("q"))
    return cut.start()


def _content_after(text: str, pos: int, se: int, lemma: str, kinds: set[str]) -> tuple[int, int] | None:
    """The complement of a cue that ends at `pos`, up to `se` (already cut at clause ends)."""
    while pos < se and text[pos] == " ":
        pos += 1
    rest = text[pos:se]
    kind = None
    for particle in PHRASAL.get(lemma, ()):
        if rest.startswith(particle + " "):
            pos += len(particle) + 1
            kind = "object"
            break
    if kind is None and kinds == {"phrasal"}:
        return None  # "went" alone is no cue; "went after" is
    if kind is None and lemma == "tell":
        # "told reporters (on Tuesday) the bridge ...": the object of tell is the recipient.
        obj = _OBJECT_PRONOUN.match(text, pos, se)
        rec = (obj.start(1), obj.end(1)) if obj else speaker_after(text, pos, min(se, pos + 80))
        if rec and text[rec[0]:rec[1]].lower() not in {"it", "they", "we", "he", "she", "i", "you", "who"}:
            adj = _TIME_ADJUNCT.match(text, rec[1], se)
            pos = adj.end() if adj else rec[1]
    elif kind is None and lemma in _RECIPIENT_VERBS:
        m = _RECIPIENT.match(text, pos, se)
        if m and not _COMMA.search(m.group(1)) and not _CLAUSE_START.match(m.group(1)) and (
                _CLAUSE_START.match(text, m.end()) or _TO_INF.match(text, m.end()) or text[m.end() - 1] in ":“\""
                or text[m.end():m.end() + 1] in ("“", '"')):
            pos = m.end()
    m = _LEAD_PUNCT.match(text, pos, se)
    pos = m.end() if m else pos
    if kind is None and "any" not in kinds and _ADJUNCT_START.match(text, pos) and not _TO_INF.match(text, pos):
        # "questioned in recent days whether ...": a short adjunct, then the clause
        m = _ADJUNCT_UNTIL_CLAUSE.match(text, pos, se)
        if m and _THAT_SUBJECT.match(text, m.end(1)):
            pos = m.start(1)
    if kind is None:
        if "any" in kinds:
            # Skip an adjunct before a that-clause ("said on Tuesday that ...").
            m = _UNTIL_THAT.match(text, pos, se)
            if m and _ADJUNCT_START.match(text, pos):
                pos = m.end() - 4
            elif _ADJUNCT_START.match(text, pos) and not _TO_INF.match(text, pos):
                adj = _TIME_ADJUNCT.match(text, pos - 1, se)
                if not (adj and (_SUBJECT_START.match(text, adj.end() + 1) or (
                        _NP_START.match(text, adj.end() + 1) and _FINITE.search(text, adj.end(), min(se, adj.end() + 60))))):
                    return None
                pos = adj.end() + 1  # "said Wednesday he agrees ...": a time adjunct, then the clause
            kind = "any"
        elif _CLAUSE_START.match(text, pos):
            kind = "clause"
        elif "to" in kinds and _TO_INF.match(text, pos):
            kind = "to"
        elif "clause" in kinds and (_SUBJECT_START.match(text, pos) or _FINITE.search(text, pos, min(se, pos + 60))
                                    or _BARE_VERB.match(text, pos, min(se, pos + 70))
                                    or _AS_FRAME.match(text, pos, min(se, pos + 80))):
            kind = "clause"
        elif "object" in kinds:
            kind = "object"
        else:
            return None
    s, e = trim(text, pos, se, _STRIP)
    if kind == "object":
        # An object noun phrase ends where a new clause starts ("opposes the plan, but he urged ...").
        cut = _OBJECT_END.search(text, s, e)
        if cut:
            s, e = trim(text, s, _cut_at(cut), _STRIP)
    else:
        # A clause ends before a comment on it or a new predicate ("..., which raised concerns",
        # "..., while emphasizing ...", "... before predicting ...").
        cut = _CLAUSE_END.search(text, s, e)
        if cut and _words(text, s, cut.start()) >= 2:
            s, e = trim(text, s, _cut_at(cut), _STRIP)
    if e <= s:
        return None
    content = text[s:e]
    if kind == "any" and lemma in _RECIPIENT_ONLY and len(content.split()) <= 5 \
            and not (_FINITE.search(content) or _CLAUSE_START.match(content) or _TO_INF.search(content)):
        return None  # "Todd asked the real estate mogul.": a recipient, not what was said
    if kind == "object" and content.split()[0].lower() in _NO_OBJECT:
        return None  # "showed up in the flesh", "as she showed in the debates", "a show and is ..."
    if kind == "object" and content.split()[0].lower() in _PRONOUN_OBJECT and len(content.split()) < 3:
        return None
    if len(content.split()) < 2 and not (kind == "object" and content[:1].isupper() and content.isalpha()) \
            and not (lemma == "say" and content.lower() in ("yes", "no")):
        return None
    return s, e


# How a short tail after ", X said" may start besides an adjunct: a recipient or a by-line.
_TAIL_START = re.compile(pattern("tell_recipients"))
_SHORT_TAIL = re.compile(r"[^“”\"]{0,90}$")


_RELATIVE_TAIL = re.compile(r"\s*,?\s*(?:who|whose)\s")


_SUBORDINATE_TAIL = re.compile(r"(?:^|\s)" + pattern("clause_words", "tail") + r"\s")


def _tail_is_adjunct(text: str, a: int, se: int, lemma: str = "") -> bool:
    """True when text[a:se] is a short adjunct ("in a statement on Tuesday.", "told CNN.")."""
    tail = text[a:se].split(",", 1)[0].strip(" .!?")  # what follows a further comma is another clause
    if not tail or _RELATIVE_TAIL.match(text, a, se):
        return True  # "..., said an official who was briefed on the talks."
    tail = _SUBORDINATE_TAIL.split(tail, 1)[0].strip()  # "..., he told aides as he labored over ..."
    if not tail:
        return True
    if len(tail.split()) > 10 or " that " in f" {tail} " or not _SHORT_TAIL.match(tail) \
            or find_cues(tail, 0, len(tail)) or _TO_INF.match(tail) or _FINITE.search(tail):
        return False
    return bool(_ADJUNCT_START.match(tail) or (lemma == "tell" and _TAIL_START.match(tail)))


# Openers of a sentence-initial adverbial ("In February, ..., Mr. Trump said, ...").
_OPENER = re.compile(pattern("sentence_openers") + r"\b")


_MODIFIERS = re.compile(r"\s*(?:[a-z]+\s+){1,3}$")
_PAST_VERB = re.compile(r"\b[a-z]{3,}ed\b")


def _parenthetical_rest(text: str, a: int, se: int, cut_points: list[int]) -> tuple[int, int] | None:
    """The clause that goes on after a mid-sentence ", X said," (needs a verb of its own)."""
    comma = text.find(",", a, min(se, a + 120))
    if comma < 0:
        return None
    end = min([se, *(c for c in cut_points if c > comma)])
    rest = trim(text, comma + 1, end, _STRIP)
    if _words(text, *rest) < 3 or not (_FINITE.search(text, rest[0], min(rest[1], rest[0] + 80))
                                        or _PAST_VERB.search(text, rest[0], min(rest[1], rest[0] + 60))):
        return None
    first = text[rest[0]:rest[1]].split()[0].lower()
    if first.endswith("ing") or first in {"who", "which", "and", "but"}:
        return None
    return rest


_VP_COORD = re.compile(r",?\s+(?:and|but)\s+(?:" + pattern("adverbs", "vp-coordinated") + r"\s+)?$")
_COORD_CUE_FORMS = {f for lemma in words("coordinated_cues") - words("coordinated_cues", "form")
                    for f in verb_forms(lemma)[1:]}
_COORD_CUE_FORMS |= {verb_forms(lemma)[-1] for lemma in SPEECH_LEMMAS} | words("coordinated_cues", "form")


_COORD_ENDERS = frozenset(SPEECH_WORDS | _COORD_CUE_FORMS)


_CLAUSE_BEGIN = re.compile(r"\b" + pattern("clause_words", "begin") + r"\s|[,;:]\s")


def _clause_begin(text: str, ss: int, pos: int) -> int:
    """Where the clause holding `pos` begins: after the last "that", "because", comma... before it."""
    begin = ss
    for m in _CLAUSE_BEGIN.finditer(text, max(ss, pos - 200), pos):
        begin = m.end()
    return begin


_RELATIVE_WORDS = re.compile(r"\b" + pattern("clause_words", "relative") + r"\b")


# A subordinate clause the cue stands in: its content ends at the clause's comma.
_SUBORDINATE_OPEN = re.compile(r"\b" + pattern("clause_words", "subordinate") + r"\s", re.IGNORECASE)


def _names_people(text: str, span: tuple[int, int]) -> bool:
    """True when the last word of a noun phrase names people or a count of them ("voters", "Democrats")."""
    words = text[span[0]:span[1]].split()
    last = words[-1] if words else ""
    return last[:1].isupper() or bool(_PEOPLE_NOUN.search(last.lower()))


_PEOPLE_NOUN = re.compile(pattern("people_endings") + "$")


# A short adverbial aside between a subject and its cue: ", on the other hand,", ", however,".
_ASIDE_BEFORE = re.compile(r",\s*" + pattern("asides") + r"\s*,\s*$")


def _earlier_cue_source(text: str, ss: int, pos: int) -> tuple[int, int] | None:
    """The source of the last cue before `pos` in the sentence ('"...," he said, referring to')."""
    for c in reversed(find_cues(text, ss, pos)):
        if _verb_reading(text, c, cue_lemma(c.group(0))[0], ss) != "verb":
            continue  # "sent a mass text message": a noun, not the cue of the clause
        sp = speaker_before(text, c.start(), ss)
        if sp is None and c.group(0) in SPEECH_WORDS and text[ss:c.start()].rstrip().endswith(_COMMA_ENDS):
            sp = speaker_after(text, c.end() + 1, pos)  # '"...," said Ruiz, adding': inverted
        if sp:
            return sp
    return None


# How the text before a participle or an inverted cue ends when a clause stops there.
_COMMA_ENDS = (",", ",\"", ",”", ",''", ",’")


# Passive cues whose clause is attributed content without a named source ("is expected to win").
_PASSIVE_CUES = words("passive_cues")


# A question put to someone without a named asker: "Asked if he would run, Ruiz said no.",
# "Voters were asked whether ...", "When pressed about the plan, ...".
_ASKED_VERBS = listed("asked_frame", "verb")
_ASKED_LEADS = [_either_case(w) if w in words("asked_frame", "capital") else w for w in listed("asked_frame", "lead")]
_ASKED = re.compile(
    r"(?:(?<![\w’'-])(?:" + "|".join(_ASKED_LEADS) + r")\s+"
    r"(?:" + pattern("asked_frame", "adverb") + r"\s+)?" + "(?:" + "|".join(_ASKED_VERBS) + ")"
    r"|(?<![\w’'-])(?:" + "|".join(w.capitalize() for w in _ASKED_VERBS) + r"))\s+"
    r"(?:" + pattern("asked_frame", "after") + r"\s+)?"
    r"(?:(?:by|at|during|in|on)\s[^,;]{1,50}?\s)?(?=" + pattern("clause_words", "question") + r"\s)"
)
# Cheap test before _ASKED: the verb without its first letter ("sked " for "asked"/"Asked").
_ASKED_HINTS = tuple(w[1:] + " " for w in _ASKED_VERBS)


_BY_AGENT = re.compile(r"\bby\s+((?:the|a|an|[A-Z])[^,;]{0,48}?)\s+(?=" + pattern("clause_words", "question") + r"\s)")


def _asked_quotes(text: str, ss: int, se: int, blocked: list[tuple[int, int]]) -> list[dict]:
    """The question of an "Asked if/whether/about ..." frame; its asker is not named."""
    out = []
    for m in _ASKED.finditer(text, ss, se):
        if m.start() > ss and not text[ss:m.start()].strip(" (") == "" and text[m.start()].isupper():
            continue
        if any(a <= m.end() < b for a, b in blocked):
            continue
        comma = text.find(",", m.end(), se)
        end = comma if comma > 0 else se
        content = trim(text, m.end(), end, _STRIP)
        if _words(text, *content) < 2:
            continue
        asker = _BY_AGENT.search(text, m.start(), min(se, m.end() + 12))  # "When asked by a reporter whether"
        out.append(dict(start=content[0], end=content[1], quote_type="indirect",
                        speaker=trim(text, *asker.span(1), _STRIP) if asker else None, score=0.4, cue="ask/question"))
    return out


def cue_quotes(text: str, ss: int, se: int, blocked: list[tuple[int, int]], title_case: bool = False,
               cues: list[re.Match] | None = None) -> list[dict]:
    """Indirect (or mixed) quotes signalled by cues inside one sentence (`cues`: found already)."""
    out: list[dict] = []
    sent = text[ss:se]
    # "According to X, ..." / "..., according to X." / "The plan, according to X, is ..."
    for m in (_ACCORDING.finditer(sent) if "ccording" in sent else ()):
        a = ss + m.end()
        sp = speaker_after(text, a + 1, min(se, a + 120)) or _according_source(text, a, se)
        if not sp:
            continue
        before = trim(text, ss, ss + m.start(), _STRIP + "\"“”")
        if _words(text, *before) >= 3:
            content = trim(text, ss, ss + m.start(), _STRIP)
        else:
            comma = text.find(",", sp[1], min(se, sp[1] + 3))
            if comma < 0:
                # "According to officials familiar with the matter, the deal ...": the source
                # phrase runs on to its comma when no verb stands in between.
                far = text.find(",", sp[1], min(se, sp[1] + 80))
                if far > 0 and not _FINITE.search(text, sp[1], far) and not find_cues(text, sp[1], far):
                    comma, sp = far, (sp[0], trim(text, sp[0], far, _STRIP)[1])
            content = trim(text, (comma if comma >= 0 else sp[1]) + 1, se, _STRIP)
        if _words(text, *content) >= 3:
            out.append(dict(start=content[0], end=content[1], quote_type="indirect", speaker=sp, score=0.6,
                            cue="according to"))
    if any(h in sent for h in _ASKED_HINTS):
        out.extend(_asked_quotes(text, ss, se, blocked))
    taken = [(q["start"], q["end"]) for q in out]
    if cues is None:
        cues = find_cues(text, ss, se, title_case)
    if blocked:
        cues = [m for m in cues if not any(a <= m.start() < b for a, b in blocked)]
    nominal = _NOMINAL_HINT.search(sent) is not None
    noun_that = " that " in sent and _NOUN_THAT.search(sent) is not None
    if not cues and not nominal and not noun_that:
        return out
    cut_points = [ss + k.start() for k in _CLAUSE_CUT.finditer(sent)] if _MAY_CUT.search(sent) else []
    for m in cues:
        # "complained about X but defended Y": a second cue verb in a coordinated predicate
        # ends the first one's content.
        coord = _VP_COORD.search(text, max(ss, m.start() - 30), m.start())
        if coord and m.group(0).lower() in _COORD_ENDERS:
            cut_points.append(coord.start())
    found: list[tuple[re.Match, tuple[int, int] | None, str]] = []
    passives: list[re.Match] = []
    for m in cues:
        form = m.group(0).lower()
        lemma, kinds = cue_lemma(form)
        reading = _verb_reading(text, m, lemma, ss)
        if reading == "passive" and lemma in _PASSIVE_CUES and not text.startswith(" by ", m.end()):
            passives.append(m)  # "The House is expected to pass ...": content without a source
            continue
        if reading != "verb":
            continue
        comma = text.rfind(",", ss, m.start())
        while comma > ss and text[comma - 1].isdigit() and text[comma + 1:comma + 2].isdigit():
            comma = text.rfind(",", ss, comma)  # "3,500" is a number, not a clause break
        floor = max([ss, *(c for c in cut_points if c < m.start())])
        if form.endswith("ing"):
            at, prev_word = _previous_word(text, max(ss, m.start() - 40), m.start())
            while prev_word.islower() and prev_word.endswith("ly") and len(prev_word) > 4:
                at, prev_word = _previous_word(text, max(ss, m.start() - 40), at)  # "are happily supporting"
            if prev_word.lower() not in _PROGRESSIVE:
                # A participle ("..., saying", "spent the week portraying ...") takes the subject
                # of its clause, not the noun right before it, unless that noun names people
                # ("left 62 percent of voters saying ...").
                after_comma = text[ss:m.start()].rstrip().endswith(_COMMA_ENDS)
                near = None if after_comma else speaker_before(text, m.start(), ss)
                if near and near[1] >= at and _names_people(text, near):
                    sp = near
                else:
                    sp = None if after_comma else clause_subject(text, m.start(), ss)
                if sp is None and not after_comma:
                    continue
            else:
                sp = _source_before(text, m.start(), floor)
        else:
            sp = _source_before(text, m.start(), floor)
        if text.startswith(" by ", m.end()) and form.endswith(("ed", "en")):
            continue  # "changes proposed by the government": a passive modifier, not a cue
        if sp is None and _COORD_BEFORE.search(text, max(ss, m.start() - 40), m.start()):
            sp = sentence_subject(text, m.start(), ss)  # "Clinton invoked Obama and suggested ..."
        fallback = False
        if sp is None and not form.endswith("ing"):
            aside = _ASIDE_BEFORE.search(text, max(ss, m.start() - 50), m.start())
            if aside:  # "Supporters of the plan, on the other hand, argued that ..."
                sp = _source_before(text, aside.start(), floor)
        if sp is None and not form.endswith("ing") \
                and (lemma in SPEECH_LEMMAS or text.startswith(" that ", m.end())) \
                and not text[ss:m.start()].rstrip().endswith((",", "\"", "”", "''", "’")):
            # "People who have battled other threats say ...": a subject too long to walk back over.
            subj = clause_subject(text, m.start(), ss)
            if subj and subj[1] <= m.start():
                sp, fallback = subj, True
        role = "after"
        at_end = not text[m.end():se].strip(" .!?\"”’'")
        if (lemma in SPEECH_LEMMAS or (at_end and kinds != {"phrasal"})) and form not in (lemma + "ing",) \
                and comma >= ss:
            between = text[comma + 1:m.start()]
            if sp is None and not between.strip():
                inv = speaker_after(text, m.end() + 1, min(se, m.end() + 120))
                if inv and _tail_is_adjunct(text, inv[1], se, lemma):
                    sp, role = inv, "before"
            elif sp is not None and sp[0] >= comma + 1 and _tail_is_adjunct(text, m.end(), se, lemma):
                between = text[comma + 1:sp[0]]
                if between.strip(" \t\n\"”’'").lower() in ("", "as"):  # '"...," Carson said.': the mark closes
                    role = "before"  # "..., Peskov said." / "..., as some have speculated."
                elif _MODIFIERS.match(between) and not _RELATIVE_WORDS.search(between):
                    sp, role = (comma + 1 + len(between) - len(between.lstrip()), sp[1]), "before"  # "..., city records show."
        if sp is None and form.endswith("ing") and text[ss:m.start()].rstrip().endswith(_COMMA_ENDS):
            role = "participle"
        elif sp is None:
            continue
        if role == "before":
            cut_points.append(comma)
        elif role == "participle" or (sp is not None and text[max(ss, sp[0] - 5):sp[0]].rstrip().endswith((" and", " but", ","))
                                      and sp[0] > ss + 3 and text[sp[0]:sp[1]].lower() not in ("who", "which")):
            k = text.rfind(",", ss, sp[0] if sp else m.start())
            closing = _CLOSING_AFTER_COMMA.match(text, k + 1) if k >= 0 else None
            if closing:
                k = closing.end()  # 'was "simply unsafe," adding ...': the quotation ends after its mark
            k2 = max(text.rfind(" and ", ss, sp[0] if sp else m.start()), text.rfind(" but ", ss, sp[0] if sp else m.start()))
            begin = max(k + 1, _clause_begin(text, ss, k2), *(c.end() for c in cues if c.end() <= k2))
            if k2 > k and _words(text, begin, k2) < 4:
                k2 = -1  # "that Priebus and other officials have", "both he and Rubio promised": one subject
            cut = max(k, k2)
            if cut > ss:
                cut_points.append(cut)
        if fallback:
            role = "subject"
        found.append((m, sp, role))
    for m, sp, role in found:
        lemma, kinds = cue_lemma(m.group(0))
        if any(a <= m.start() < b for a, b in taken):
            continue  # a cue inside another attribution's content: nested, not annotated
        if role == "before":
            comma = text.rfind(",", ss, min(m.start(), sp[0]))
            start = max([ss, *(c + 1 for c in cut_points if c < comma)])
            content = trim(text, start, comma, _STRIP)
            score = 0.6
            # After an inverted "said Ana Ruiz," a comma opens her description, not more content.
            rest = None if sp[0] > m.start() else _parenthetical_rest(text, max(m.end(), sp[1]), se, cut_points)
            as_frame = text[comma + 1:sp[0]].strip().lower() == "as" if sp[0] > comma else False
            if as_frame and rest is None and _words(text, *content) < 3:
                after = text.find(",", max(m.end(), sp[1]), se)
                rest = trim(text, after + 1, se, _STRIP) if after > 0 else None
            if as_frame and rest and _words(text, *rest) >= 3 and _words(text, *content) < 3:
                # "And, as the Post reported, Clinton is ...": the content follows.
                out.append(dict(start=rest[0], end=rest[1], quote_type="indirect", speaker=sp,
                                score=score, cue=f"{lemma}/after"))
                taken.append(rest)
                continue
            if _words(text, *content) < 3:
                if rest and (_OPENER.match(text, content[0]) or _only_linkers(text[content[0]:content[1]])):
                    out.append(dict(start=rest[0], end=rest[1], quote_type="indirect", speaker=sp,
                                    score=0.55, cue=f"{lemma}/after"))  # "In March, she said, the plan ..."
                    taken.append(rest)
                elif rest and content[1] > content[0] and text[content[0]:content[1]].lower() not in _LINKERS:
                    # "Loyalty, he noted, has long been ...": the short subject is its own fragment.
                    out.append(dict(start=content[0], end=content[1], quote_type="indirect", speaker=sp,
                                    score=score, cue=f"{lemma}/{role}"))
                    out.append(dict(start=rest[0], end=rest[1], quote_type="indirect", speaker=sp,
                                    score=score, cue=f"{lemma}/{role}", continues=True))
                    taken.extend([content, rest])
                continue
            if rest is None:
                after = text.find(",", max(m.end(), sp[1]), se)
                if after > 0 and _OPENER.match(text, content[0]):
                    rest = trim(text, after + 1, se, _STRIP)  # "In May, he said, the plan ..."
                    if _words(text, *rest) >= 3:
                        out.append(dict(start=rest[0], end=rest[1], quote_type="indirect", speaker=sp,
                                        score=0.55, cue=f"{lemma}/after"))
                        taken.append(rest)
                    continue
            elif _OPENER.match(text, content[0]):
                out.append(dict(start=rest[0], end=rest[1], quote_type="indirect", speaker=sp,
                                score=0.55, cue=f"{lemma}/after"))
                taken.append(rest)
                continue
            if rest:
                # "The tax, the panel concluded, must rise": the clause goes on after the cue.
                out.append(dict(start=content[0], end=content[1], quote_type="indirect", speaker=sp,
                                score=score, cue=f"{lemma}/{role}"))
                taken.append(content)
                out.append(dict(start=rest[0], end=rest[1], quote_type="indirect", speaker=sp,
                                score=score, cue=f"{lemma}/{role}", continues=True))
                taken.append(rest)
                continue
        else:
            if sp and any(0 <= sp[0] - b <= 3 for _, b in blocked) and "any" in kinds \
                    and not _CLAUSE_START.match(text, m.end() + 1):
                continue  # '"...," he said aboard the plane': the quote before is the content
            end = min([se, *(c for c in cut_points if c > m.end())])
            if _SUBORDINATE_OPEN.search(text, max(ss, text.rfind(",", ss, m.start()) + 1), m.start()):
                comma = text.find(",", m.end(), end)  # "where voters support X, Clinton leads": X ends
                if comma > 0:
                    end = comma
            if sp and text[sp[0]:sp[1]].lower() in ("who", "which") and text[ss:sp[0]].rstrip().endswith(","):
                close = text.find(",", m.end(), end)  # "X, who backed Y, said ...": the relative clause ends
                while close > 0:
                    inside = next((b for a, b in blocked if a <= close < b), None)
                    if inside is None:
                        break
                    if inside - close <= 3:
                        close = inside  # "who called it ''toxic,'' said": the quotation's own comma
                        break
                    close = text.find(",", close + 1, end)  # a comma inside a quotation does not end it
                if close > 0:
                    end = close
            content = _content_after(text, m.end(), end, lemma, kinds)
            if content is None:
                continue
            if role == "subject" and not (_CLAUSE_START.match(text, content[0]) or _SUBJECT_START.match(text, content[0])
                                          or _FINITE.search(text, content[0], min(content[1], content[0] + 50))):
                continue  # a subject found far away: only a clear clause counts as its content
            as_m = _AS_CUE.search(text, max(ss, sp[0] - 5), sp[0]) if sp else None
            if as_m and text.find(",", m.end(), content[1]) > 0:
                comma = text.find(",", m.end(), content[1])
                content = trim(text, comma + 1, content[1], _STRIP)
                if _words(text, *content) < 3:
                    continue
            score = 0.55 if "any" in kinds else 0.45
            if role == "participle":
                sp = out[-1]["speaker"] if out else (_earlier_cue_source(text, ss, m.start())
                                                     or clause_subject(text, m.start(), ss))
                score = 0.45
        out.append(dict(start=content[0], end=content[1], quote_type="indirect", speaker=sp, score=score,
                        cue=f"{lemma}/{role}"))
        taken.append(content)
    for m in passives:
        start = max([ss, *(c + 1 for c in cut_points if c < m.start())])
        end = min([se, *(c for c in cut_points if c > m.end())])
        content = trim(text, start, end, _STRIP)
        complement = _TO_INF.match(text, m.end() + 1) or text.startswith(" of ", m.end())
        if complement and _words(text, *content) >= 4 \
                and not any(a < content[1] and content[0] < b for a, b in taken):
            out.append(dict(start=content[0], end=content[1], quote_type="indirect", speaker=None, score=0.35,
                            cue=f"{cue_lemma(m.group(0))[0]}/passive"))
            taken.append(content)
    if nominal:
        out.extend(_nominal_quotes(text, ss, se, blocked, taken, cut_points))
    if noun_that:
        out.extend(_noun_that_quotes(text, ss, se, blocked, [*taken, *((q["start"], q["end"]) for q in out)], cut_points))
    return out


# A noun of saying or believing with its that-clause, whoever holds it: "the notion that X",
# "a reminder that X", "growing fears that X".
_NOUN_THAT = re.compile(r"\b" + pattern("that_nouns") + r"\s+that\s")


# What may open the that-clause of a noun: a subject, not a verb ("the claim that he lied").
_THAT_SUBJECT = re.compile("(?:" + "|".join(listed("clause_subjects")) + "|[A-Z0-9])")


# A possessive right before the noun: "Trump's accusation that", "her growing fear that".
_POSSESSIVES = listed("possessives")
_POSSESSOR = re.compile(r"\b((?:" + "|".join(_either_case(w) for w in listed("possessives", "possessor")) + ")"
                        r"|(?:[A-Z][\w.-]*\s)?[A-Z][\w-]*[’']s?)\s+(?:[a-z-]+\s+){0,2}$")


def _noun_that_quotes(text: str, ss: int, se: int, blocked: list[tuple[int, int]],
                      taken: list[tuple[int, int]], cut_points: list[int]) -> list[dict]:
    out = []
    for m in _NOUN_THAT.finditer(text, ss, se):
        start = m.end() - 5  # at "that"
        if any(a <= start < b for a, b in blocked + taken) or not _THAT_SUBJECT.match(text, m.end()):
            continue  # "a claim that is false": a relative clause, not the claim's content
        end = min([se, *(c for c in cut_points if c > start)])
        cut = _CLAUSE_END.search(text, start, end)
        content = trim(text, start, _cut_at(cut) if cut else end, _STRIP)
        if _words(text, *content) < 4 or any(a < content[1] and content[0] < b for a, b in taken + blocked):
            continue
        owner = _POSSESSOR.search(text, max(ss, m.start() - 40), m.start())
        out.append(dict(start=content[0], end=content[1], quote_type="indirect",
                        speaker=owner.span(1) if owner else None, score=0.35,
                        cue=f"{m.group(0).split()[0]}/noun-that"))
        taken = [*taken, content]
    return out


# Nominal cues with a possessive source: "his promise to build a wall", "Obama's endorsement of
# Clinton", "her claim that the vote was rigged".
_NOMINAL = re.compile(
    r"\b(?P<src>" + "|".join(_either_case(w) for w in _POSSESSIVES) + r"|[A-Z][\w.-]*(?:\s[A-Z][\w-]*)?[’']s?)\s+"
    r"(?:[a-z-]+\s+){0,2}?"
    r"(?P<noun>" + "|".join(listed("nominal_nouns")) + r")\s+"
    r"(?P<link>" + "|".join(listed("nominal_links")) + r")\s"
)


# Cheap test before _NOMINAL: one of its nouns (its optional plural left off) must be in the sentence.
_NOMINAL_NOUN = re.compile(pattern("nominal_nouns").replace("s?", ""))
_NOMINAL_LEAD = re.compile(pattern("nominal_leads") + r"\s+")
_NOMINAL_HINTS = ("’s ", "'s ", *(f"{w}{t} " for p in _POSSESSIVES for w, t in ((p[0], p[1:]), (p[0].upper(), p[1:]))))


_NOMINAL_HINT = re.compile("|".join(re.escape(h) for h in _NOMINAL_HINTS))


# A possessive pronoun and the subject pronoun that cannot be its antecedent in the same clause.
_POSSESSIVE_PRONOUNS = {"his": "she", "her": "he", "their": "it", "its": "they"}


def _nominal_quotes(text: str, ss: int, se: int, blocked: list[tuple[int, int]],
                    taken: list[tuple[int, int]], cut_points: list[int]) -> list[dict]:
    out = []
    if not _NOMINAL_NOUN.search(text, ss, se):
        return out
    for m in _NOMINAL.finditer(text, ss, se):
        if any(a <= m.start() < b for a, b in blocked + taken):
            continue
        start = m.start("link") if m.group("link") in ("that", "to") else m.end()
        end = min([se, *(c for c in cut_points if c > m.end())])
        comma = text.find(",", start, end)
        end = comma if comma > 0 else end
        if m.group("link") != "that":
            verb = _FINITE.search(text, start, end)
            if verb:
                end = verb.start()  # "his promise to build a wall was popular": the main verb ends it
        content = trim(text, start, end, _STRIP)
        if content[1] <= content[0] or _words(text, *content) > 30:
            continue
        if any(a < content[1] and content[0] < b for a, b in taken):
            continue
        sp = m.span("src")
        lead = _NOMINAL_LEAD.match(text, sp[0], sp[1])
        if lead:
            sp = (lead.end(), sp[1])  # "On Trump's pledge ..." -> "Trump's"
        elif text[sp[0]:sp[1]].lower() in _POSSESSIVE_PRONOUNS:
            # "The senator renewed his call for ...": the possessive refers to the clause subject.
            subj = clause_subject(text, sp[0], ss)
            if subj and subj[1] <= sp[0] and _POSSESSIVE_PRONOUNS[text[sp[0]:sp[1]].lower()] != \
                    text[subj[0]:subj[1]].lower():
                sp = subj
        out.append(dict(start=content[0], end=content[1], quote_type="indirect", speaker=sp, score=0.4,
                        cue=f"{m.group('noun')}/nominal"))
        taken.append(content)
    return out
