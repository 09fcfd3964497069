"""Stance spans inside quotes (the targets they can point at come from targets.py).

A Stance is a short evaluative expression (1-6 words) inside a Quote by which the quote's
speaker takes a position toward a target: favor, against, or an explicit wait-and-see
neutral. find_stances finds them with the VADER valence lexicon and the hand lexicons in
lexicons/ (see the section "Stance spans" below); each proposal's score is the precision its
kind of proposal had on stance-dev (CALIBRATION), so a Label Studio user can hide weak ones.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import re
from collections import Counter
from importlib import resources
from pathlib import Path

from .cues import word_alternation
from .lexicon import pattern
from .mentions import ALIASES, ORG_WORDS, target_mentions
from .targets import IssueIndex, noun_phrase

# --------------------------------------------------------------------------------------------
# Stance spans: short evaluative expressions inside quotes.
#
# Seeds come from the VADER valence lexicon (vaderSentiment, MIT) plus the hand lists in
# lexicons/ (political favor/against words and phrases, wait-and-see phrases, and VADER words
# that name events rather than evaluate). Each seed grows the way annotators mark stances: a
# negator, degree words and an article before it ("not an accomplishment", "so shameful",
# "a liar"), a negator or denier reaching it across bridge words (lexicons/deniers.txt,
# bridges.txt: "no plans to congratulate", "refused to endorse", "can't be trusted"), the noun
# it modifies after it ("a dangerous mistake"), at most MAX_WORDS words; a span inside a longer
# one goes. A sentiment word in a fixed expression ("as they see fit", "best known", "loved
# ones") and a phrase in quote marks that is named, not used ('titled “Dangerous”') seed no
# stance. A word of backing ("support", "endorsed", "vote for") seeds a stance only with the
# speaker as its subject ("I support X", "our full support"): "Trump's support", "his soft
# support", "those who backed him" report or measure other people's backing. Its polarity is the seed's sign, flipped by a negator or
# denier. Its target is, in order: a target named right after it ("horrified by X", "stand with
# X", "Crooked X"), a target named after the copula it is the subject of ("the clear winner was
# X"), the noun phrase it is said of (_complement: 'called [the plan] a hoax', 'called [him] a
# liar', 'I oppose [abortion]', 'we remain neutral in [the dispute]'), the subject before it in its clause (a name, or he/she resolved to the last person named
# as a subject -- in a direct or mixed quote only, as in an indirect one he/she is mostly the
# speaker; a possessor "X's best candidate", or a name after a preposition "the move against X",
# only when there is no subject; a name inside an issue phrase stands for the phrase: "the X
# campaign"), looking back past
# the quote's opening mark when the clause began before it ('He called X “a liar”'), a group or
# issue the article keeps naming with a common noun, in its clause ("the staffers ... made a bad
# decision"; only when two stances or more of the article are about that noun), the common
# noun a copula predicates it of ("immigration is a good thing"), the nearest target named
# before it in its sentence of the quote (a loose VADER word with only that is no stance), the first target
# named after it in its own sentence of the quote, not after 'in'/'from'/'at' (a setting) nor
# as a possessor ("I'm so disturbed, because ... Trump is going to ...": _named_after), the one
# the narrative just before the quote says its speaker evaluated ('Eric Trump knocked a
# statement by George Clooney ... “It made no sense”': _lead_in), else the
# article's main target among those who never speak (a VADER word with only that is the low-scored kind
# "vader-topic", a stance only when predicated: "they're furious"; when no stance with a target of its own is about that main target, the target
# those stances use most instead: _topic_targets); the quote's own speaker is never its target. A seed that ends in its preposition ("open to", "tired of") with no named subject or
# object is about the noun phrase after it ("open to dialogue"), which the span takes in. A word
# of feeling ("grateful", "dissatisfied": data/experiencer_words.txt) is about what its
# preposition names, not its subject ("we are grateful to [the mediators]"). He/she/him/her
# stand for a person of that gender when the narrative shows it (_gender_of), never for a name
# written with "the" ("the Daily Beast"); a name the speaker tells ("told X that") or a name
# after "in"/"from" (a setting, a source) is no target. A
# quote mark inside a quote does not end a clause, but no span reaches across one.
# Its score is the precision stance-dev measured for its kind (CALIBRATION).

MAX_WORDS = 6
FAR_WORDS = 12  # how far back a negator still turns a stance it cannot join (_denied_afar)
MIN_VALENCE = 1.5  # VADER words weaker than this (|valence|) do not seed a stance

_LEXICON_DIR = Path(__file__).parent / "lexicons"


def read_list(name: str) -> list[str]:
    """The entries of lexicons/NAME (one a line; '#' lines are comments), stripped."""
    with open(_LEXICON_DIR / name, encoding="utf-8") as f:
        return [line.strip() for line in f if line.strip() and not line.startswith("#")]


def _vader_valences() -> dict[str, float]:
    """Word -> mean valence from VADER's lexicon (alphabetic entries only, no emoticons)."""
    try:
        source = resources.files("vaderSentiment").joinpath("vader_lexicon.txt")
        lines = source.read_text(encoding="utf-8").splitlines()
    except (ModuleNotFoundError, FileNotFoundError):  # pragma: no cover - a declared dependency
        return {}
    out = {}
    for line in lines:
        word, _, rest = line.partition("\t")
        if _PLAIN_WORD.fullmatch(word):
            out[word] = float(rest.split("\t", 1)[0])
    return out


_PLAIN_WORD = re.compile(r"[a-z][a-z'-]*[a-z]")


class _Lexicon:
    """Single words -> (valence, kind) and one regex for the multi-word phrases."""

    def __init__(self) -> None:
        skip = set(read_list("not_evaluative.txt"))
        self.words: dict[str, tuple[float, str]] = {}
        for word, v in _vader_valences().items():
            if word not in skip and abs(v) >= MIN_VALENCE:
                self.words[word] = (v, "vader-strong" if abs(v) >= 2.5 else "vader")
        phrases: dict[str, tuple[float, str]] = {}
        for name, v, kind in (("favor.txt", 2.0, "hand"), ("against.txt", -2.0, "hand"),
                              ("neutral.txt", 0.0, "neutral")):
            for entry in read_list(name):
                entry = entry.lower().replace("’", "'")
                (phrases if " " in entry or kind == "neutral" else self.words)[entry] = (v, kind)
        self.phrases = phrases
        self.word_set = frozenset(self.words)
        # deniers as token tuples, so that a phrase ("far from") is matched where it ends
        self.deniers = frozenset(tuple(_TOKEN.findall(e.lower())) for e in read_list("deniers.txt"))
        self.denier_ends = frozenset(e[-1] for e in self.deniers)
        self.bridges = frozenset(read_list("bridges.txt"))
        self.phrase_re = re.compile(r"(?<![\w'-])(?:" + word_alternation(phrases) + r")(?![\w'-])")
        # the tokens a phrase opens with: its first two, or its only one, and its longest, which
        # a quote must hold too (may_hold_phrase); an entry that opens with no token character
        # (none does) would turn the test off
        phrase_tokens = [tuple(_TOKEN.findall(entry)) for entry in phrases]
        self.phrase_pairs = frozenset(t[:2] for t in phrase_tokens if len(t) > 1)
        self.phrase_singles = frozenset(t[0] for t in phrase_tokens if len(t) == 1)
        self.phrase_longest = frozenset(max(t, key=len) for t in phrase_tokens)
        self.phrases_open_tokens = all(_TOKEN.match(entry) for entry in phrases)
        # words that are no theme noun (_Context._theme_nouns): function words, evaluations, vague nouns
        self.not_themes = _FUNCTION | self.word_set | _NOT_ISSUES | _NOT_THEMES

    def may_hold_phrase(self, words: list[str]) -> bool:
        """A quote whose tokens are `words` may hold a phrase of phrase_re: some token pair opens
        a phrase of two words or more, or some token is a one-word phrase. A phrase can match
        only where a token starts (nothing of [\\w'-] before it) and ends where a token ends, so
        its tokens are the quote's there: without such an opening the phrase regex finds
        nothing, and set tests are cheaper than its scan of every position of the quote. (The
        test of the phrases' longest words, one of which the quote must hold, goes first: it
        rules out most quotes without making a pair of words.)"""
        if not self.phrases_open_tokens:
            return True
        if self.phrase_longest.isdisjoint(words):
            return False
        pairs = zip(words, words[1:], strict=False)
        return not (self.phrase_pairs.isdisjoint(pairs) and self.phrase_singles.isdisjoint(words))


_LEX: _Lexicon | None = None


def _lexicon() -> _Lexicon:
    global _LEX
    if _LEX is None:
        _LEX = _Lexicon()
    return _LEX


# ASCII case folding and straight apostrophes: same length, so offsets still index the text.
_FOLD = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ’‘", "abcdefghijklmnopqrstuvwxyz''")


def _fold(s: str) -> str:
    """Lower case with straight apostrophes, same length as `s` (offsets still index the text)."""
    low = s.lower()
    if len(low) != len(s):  # a letter whose lower case is longer ("İ"): ASCII folding only
        return s.translate(_FOLD)
    return low.replace("’", "'").replace("‘", "'")


_TOKEN = re.compile(r"[a-z0-9](?:[a-z0-9'-]*[a-z0-9])?")


def _token_spans(low: str, start: int, words: list[str]) -> list[tuple[int, int, str]]:
    """(start, end, token) of `words`, the _TOKEN.findall of `low` from `start`, without a second
    regex pass: each token is the first occurrence of its string from the end of the one before
    (a token opens with a letter or digit, and every letter or digit the scan passed over would
    have been a token itself)."""
    out = []
    append, find = out.append, low.find
    pos = start
    for w in words:
        pos = find(w, pos)
        end = pos + len(w)
        append((pos, end, w))
        pos = end
    return out


# Punctuation between two tokens ends a clause (and any frame); a quote mark does not ("He was a
# “respected manager”": a scare quote or a quoted fragment sits inside its clause).
_BREAK = re.compile(r"[.,;:!?()\[\]{}—–…]|\s-+\s|\n")
# _BREAK in two, for the clauses of a quote (_Context._clauses): a mark or a line break, and a
# dash between spaces found from its first dash. Each opens with characters the regex engine
# jumps to (rare marks, a literal dash) where _BREAK tries its \s alternative at every space;
# both find breaks in the same gaps between tokens (the dash shares its gap with the space before it).
_MARK_BREAK = re.compile(r"[.,;:!?()\[\]{}—–…\n]")
_DASH_BREAK = re.compile(r"-(?<=\s-)-*\s")
_QUOTE_MARKS = frozenset("\"“”‘")
_SCARE_OPEN, _SCARE_CLOSE = frozenset("“‘\"'"), frozenset("”’\"'")  # the marks of a scare quote (_quoted)
_POSSESSIVE = re.compile(r"['’]s?(?!\w)")
# The verbs of a lead-in (_Context._lead_in), one alternation with shared prefixes factored out;
# _lead_in reads it backwards (_last_lead_verb), the same matches found faster.
_LEAD_VERBS = """knocked criticized criticised slammed blasted attacked praised hailed lauded mocked ripped
    denounced condemned rebuked chided scolded lambasted derided applauded defended accused commended
    dismissed disparaged excoriated berated assailed castigated""".split()
_LEAD_VERB = re.compile(r"\b(?:" + word_alternation(_LEAD_VERBS) + r")\s")
# _LEAD_VERB read backwards, for the last match before a quote (_last_lead_verb): every verb
# ends in "ed", so reversed each opens with "de", a literal the regex engine jumps to, where the
# forward pattern is tried at every position (seven times slower over the 600 characters).
assert all(v.endswith("ed") for v in _LEAD_VERBS)
_LEAD_VERB_BACKWARDS = re.compile(r"de(?<=\sde)(?:" + word_alternation(v[-3::-1] for v in _LEAD_VERBS) + r")\b")


def _last_lead_verb(low: str, lo: int, hi: int) -> tuple[int, int] | None:
    """(start, end) of the last _LEAD_VERB match in low[lo:hi] (a verb and the space after
    it), or None: the first match of _LEAD_VERB_BACKWARDS in the window reversed (the matches,
    whole words, never overlap: the one that ends last starts last). The character before the
    window goes along, for the word boundary before the verb; a verb that starts there is none
    of the window's, and every other ends before it."""
    base = max(0, lo - 1)
    m = _LEAD_VERB_BACKWARDS.search(low[base:hi][::-1])
    if m is None or hi - m.end() < lo:
        return None
    return hi - m.end(), hi - m.start() + 1


_SETTING = re.compile(r"\b(?:in|from|at|since)\s+(?:the\s+)?$", re.IGNORECASE)  # a place or a source, no target
# The end of a sentence: not the dot of an initial or acronym ("U.S.", "J.") or of a title ("Mr.").
# The dot comes first and the checks of what precedes it follow: at a position that holds no dot
# the match fails at once (the look-behind-first spelling ran its nine look-behinds at every
# position of a quote: ten times slower).
_SENTENCE_END = re.compile(r"(?:[!?…]|\.(?<![A-Z]\.)(?<!\bMrs\.)"
                           + "".join(rf"(?<!\b{t}\.)" for t in ("Mr", "Ms", "Dr", "St", "Sen", "Gov", "Rep", "Gen"))
                           + r")(?=[\s\"”’')]|$)")
_CONTRAST = frozenset("but however although though yet whereas while".split())
_WORD_AFTER = re.compile(r" ([a-z][a-z'’-]*)\b")
_NOUN_ENDS = re.compile(r"[,;)]")  # a word right before one is no verb awaiting its object: a noun
# Titles before a name, as tokens ("Mr. Trump": "mr").
_TITLE_WORDS = frozenset("mr mrs ms dr sen gov rep gen prof rev".split())
_AUXILIARY_AFTER = re.compile(" " + pattern("auxiliaries") + r"\b")  # lexicons/quotes/auxiliaries.txt
# A first-person subject in the folded lowercase text: the speaker's own attitude.
_FIRST_PERSON_SUBJECT = re.compile(r"\b(?:i|we|let['’]s)\b")
# The plan a far negator denies (_denied_afar): "no plans by X to ...", "no intention of ...".
_PLAN_WORDS = frozenset("plan plans intention intentions intend intends intended".split())
_PLAN_BRIDGES = frozenset("any aware the".split())
_NEGATORS = frozenset(
    """not no never nothing none nobody neither nor without hardly barely don't doesn't didn't
    isn't aren't wasn't weren't won't wouldn't can't cannot couldn't shouldn't haven't hasn't
    hadn't ain't""".split())
_BOOSTERS = frozenset(
    """very so too most more really extremely deeply truly totally completely absolutely
    particularly greatly highly incredibly especially utterly entirely quite rather fairly
    pretty awfully terribly remarkably exceptionally consistently clearly simply just single""".split())
# Words of time a noun phrase does not run into: "a bigot [last week]", "a disaster [every day]".
_TIME_WORDS = frozenset(
    """last next week weeks month months year years day days night nights today tonight yesterday
    tomorrow ago every monday tuesday wednesday thursday friday saturday sunday""".split())
_DETERMINERS = frozenset("a an the our his her their its this that such my your these those".split())
# Tokens a right expansion stops at: function words, pronouns, auxiliaries, common verbs.
_FUNCTION = frozenset(
    """a an the and or but nor of for to in on at by with from about against as into over under
    than then that this these those which who whom whose what when where why how if because
    while so such is are was were be been being am has have had do does did will would shall
    should can could may might must i me my we us our you your he him his she her they them
    their it its there here not no never also just even only still very too more most again
    said says say told tells according who's it's he's she's they're we're i'm that's
    there's""".split())
# Between a stance and the target it points at: "horrified by X", "stand with the X" (not "in" or
# "from": a name after them is a setting or a source, "out of control in the Senate").
_TO_TARGET = frozenset(
    """by of for with against to on toward towards at about over the mr mrs ms dr
    president sen senator gov governor rep secretary candidate""".split())
_COPULAS = frozenset(
    """is are was were be been being am 's 're seems seem seemed sounds sound looks become
    becomes became remain remains called calls call as it's he's she's they're we're i'm that's
    """.split())
_EQUATING = frozenset("is was are were".split())
_PRONOUNS = frozenset("he she him her his hers he's she's".split())
_POSSESSIVE_PRONOUNS = frozenset("his her".split())
# A cue saying whom the quote is about, matched in the folded text: after the quote ('..., she
# said of X'; no sentence break between) or before it ('X said of Y: "..."', 'said of Y that').
_SAID_OF = re.compile(r"[^.!?\n]{0,40}?\b(?:said|says|wrote|writes|added|adds|remarked|tweeted|tweets)\s+"
                      r"(?:of|about)\s+(?:the\s+)?(?P<who>)(?=[a-z])")
_SAID_OF_BEFORE = re.compile(r"\b(?:said|says|wrote|writes|added|adds|remarked|tweeted|tweets)\s+(?:of|about)\s+"
                             r"(?:the\s+)?(?P<who>)(?=[a-z])[^.!?\n]{0,40}?(?::\s*[\"“']?|,?\s+that\s+)$")

# Score = the share of this kind of proposal that overlaps an annotated stance on stance-dev
# (see the README's quality section); Label Studio users can hide stances below a score.
# Kinds: "neutral" (a wait-and-see phrase), "quoted" (an evaluative word in scare quotes of its
# own), "hand-*" (lexicons/favor.txt, against.txt), "vader-*" (the VADER lexicon); "*-anchored"
# when predicated ("X is a joke") or next to its named target ("horrified by X", "X lied"),
# "*-loose" otherwise; "vader-topic" a VADER word whose target is only the article's main one
# (_kind), kept only when predicated (_predicated). Measured on all 30 stance-dev articles,
# (hits + 1) / (n + 2), for converter 0.3.19 (0.3.20 measured the same scores).
# The rules were tuned on 20 of them, where every kind scores higher than on the 10 held out
# (hand-anchored 44 of 51 against 8 of 17, vader-anchored 32 of 43 against 11 of 23): scores
# fitted on the 20 alone (as before 0.3.17) promised 0.85 and 0.74 to articles that are not
# theirs; pooled, they still lean optimistic for the anchored kinds.
CALIBRATION = {
    "neutral": 0.88,         # 6 of 6
    "hand-anchored": 0.77,   # 58 of 75 (0.3.20: 59 of 76)
    "hand-loose": 0.66,      # 32 of 48
    "quoted": 0.91,          # 9 of 9
    "vader-anchored": 0.65,  # 40 of 61
    "vader-loose": 0.67,     # 7 of 10
    "vader-topic": 0.56,     # 26 of 46: a predicated general word whose only target is the article's main one
}


# Words of backing: the speaker's position only when the speaker is their subject (see _own_backing).
_BACKING = frozenset(
    """support supports supported supporting endorse endorses endorsed endorsing endorsement approve
    approves approved approving approval back backs backed backing vote voting""".split())
_FIRST_PERSON = frozenset("i we i'm we're i've we've i'll we'll i'd we'd".split())
_SPEAKER_PRONOUNS = frozenset("he she they".split())
_OTHERS = frozenset("his her their its your".split())  # whose backing it is, when not the speaker's


# A charge or an allegation the seed is the content of ("charges of racism", "charged him with
# three felonies, including conspiracy, violating the Espionage Act and lying to the FBI"): the
# quote reports what someone is accused of; no one takes a position in it.
_CHARGED = re.compile(r"\b(?:charges?|charged|accused|accusations?|allegations?|alleged|guilty|convicted|indicted|"
                      r"felon(?:y|ies)|counts?)\b(?:\s+[\w’'-]+){0,3}\s+(?:of|with|for|including)\b[^.;:!?]*$")


def _backing(toks, i: int, j: int) -> bool:
    """The seed is a word of backing ("support", "endorsed", "vote for")."""
    return any(toks[k][2] in _BACKING for k in range(i, j + 1))


# Fixed expressions whose sentiment word evaluates nothing ("as they see fit", "best known for",
# "friends and loved ones", "better off", "should know better", "gone for good").
_IDIOMS = frozenset(tuple(pair.split()) for pair in (
    "see fit", "sees fit", "saw fit", "seen fit", "best known", "well known", "loved ones", "loved one",
    "better off", "worse off", "know better", "knows better", "knew better", "for good",
    "best behavior", "best behaviour", "good morning", "good night", "good luck",
    "great deal", "best friend", "best friends",  # "given a great deal to this company", "her best friend"
    "reasonable period", "reasonable time", "reasonable doubt",  # "within a reasonable period of time"
    "at best", "at worst"))  # a hedge: "its benefits are, at best, speculative"

_RANK = {"neutral": 3, "hand": 2, "vader-strong": 1, "vader": 0}


def find_stances(text: str, quotes: list[dict], targets: list[str],
                 mentions: list[tuple[int, int, str]] | None = None,
                 links: dict[tuple[int, int], tuple[int, int]] | None = None) -> list[dict]:
    """Stance spans inside quotes: {"start", "end", "polarity", "target", "score", "kind", "how"}
    ("how": which rule found the target: object, subject, oblique, pronoun, theme, issue, near,
    after, lead or topic).

    `mentions` are (start, end, canonical target) sorted by start; only mentions of a target
    in `targets` can become a stance's target. `links` (antecedents.speaker_links) say whom a
    pronoun or surname speaker is: never the target of their own stance."""
    if not targets or not quotes:
        return []
    allowed = set(targets)
    mentions = target_mentions(text) if mentions is None else mentions
    mentions = sorted(m for m in mentions if m[2] in allowed)
    counts = Counter(t for _, _, t in mentions)
    ranked = [t for t in targets if t in allowed]
    ranked.sort(key=lambda t: -counts.get(t, 0))
    speaking = [tuple(q["speaker"]) for q in quotes if q.get("speaker")]
    ctx = _Context(text, _not_speaking(mentions, speaking), ranked, mentions, quotes, links or {})
    out: list[dict] = []
    seen: set[tuple[int, int]] = set()
    for q in quotes:
        for st in ctx.quote_stances(q):
            if (st["start"], st["end"]) not in seen:
                seen.add((st["start"], st["end"]))
                out.append(st)
    out = _issue_targets(_theme_targets(out))
    out.sort(key=lambda st: (st["start"], st["end"]))
    return [st for st in _topic_targets(out) if not _unpredicated_topic(text, st)]


def _issue_targets(stances: list[dict]) -> list[dict]:
    """A stance whose target rules found no name it is about takes the issue noun phrase
    (_Context._issue_target) its clause says it is about. A sentence that opens with 'It is' or
    'This is' right after the same speaker's stance with a target of its own goes on about that
    target ('“Pouring more money into policing is not the answer. It is the same failed
    approach”'): within IT_REACH characters, it takes that stance's target when that target is
    what its sentence is about (its subject: "That was good for [New York]. It was good for the
    economy" goes on about 'that', not New York)."""
    stances.sort(key=lambda st: (st["start"], st["end"]))
    prev = None
    for st in stances:
        issue = st.pop("_issue", None)
        it = st.pop("_it", None)
        if it is not None and prev is not None and prev[0] == it and st["start"] - prev[1] <= IT_REACH:
            st["target"], st["how"] = prev[2], "issue-np"
        elif issue:
            st["target"], st["how"] = issue, "issue-np"
        speaker = st.pop("_speaker", ())
        if st["how"] in ("subject", "pronoun", "oblique", "theme", "issue-np"):
            prev = (speaker, st["end"], st["target"])  # what the sentence is about, not its object
        elif prev is not None and prev[0] != speaker:
            prev = None
    return stances


def _theme_targets(stances: list[dict]) -> list[dict]:
    """A group or issue noun the article keeps naming (_Context._theme_nouns) stays the target
    of the stances that found it only when at least two stances of the article found it ("the
    staffers ... made a bad decision", "the staffers' actions were completely unacceptable");
    a stance alone with its noun gets the target the other rules give it (or none: then it goes)."""
    count = Counter(st["target"] for st in stances)  # a noun another rule found counts too ("see X as ...")
    out = []
    for st in stances:
        fallback = st.pop("_fallback", None)
        if st["how"] == "theme" and count[st["target"]] < MIN_THEME_STANCES:
            target, how = fallback()
            if target is None:
                continue
            st["target"], st["how"] = target, how
            if _unlinked(st["kind"], st["how"]):
                continue  # as in quote_stances: a loose general word with only an earlier name
            st["kind"] = _kind(st["kind"], how)
            st["score"] = CALIBRATION[st["kind"]]
        out.append(st)
    return out


# A copula, a verb of feeling or 'do' (of a job done), then up to three words and no punctuation
# before a span: what it evaluates is predicated ("they're [very passionate]", "it's
# [offensive]", "we were [distressed]", "I got [pissed] off", "did [a wonderful job]", "are at
# their historically [lowest]"). (An intensifier list in place of any three words measured the
# same on stance-dev: F1 .666 against .667.)
_PREDICATED = re.compile(
    r"(?:\b(?:is|are|was|were|be|been|being|am|get|gets|got|getting|feel|feels|felt|seem|seems|seemed"
    r"|remain|remains|become|became|do|does|did|doing|done)|['’](?:s|re|m))\s+"
    r"(?:[\w’'-]+\s+){0,3}$", re.IGNORECASE)


def _unpredicated_topic(text: str, st: dict) -> bool:
    """A general sentiment word whose only target is still the article's main one (or a name
    after it or before its quote: "vader-topic"; not one an issue phrase has taken since) is a
    stance only when predicated of something (_PREDICATED, in the 40 characters before it). On
    stance-dev 21 of 38 predicated ones were stances, 8 of 32 others ("promoting the chair",
    "the blessing and the curse", "hopes and dreams"): 10 of 20 against 7 of 20 on the 20 tuning
    articles, 11 of 18 against 1 of 12 on the 10 held out. Leaving the others out (converter
    0.3.19): span P/R/F1 .650/.665/.658 -> .701/.636/.667 (tuning 20 .690/.654/.672 ->
    .729/.620/.670, held-out 10 .562/.702/.624 -> .636/.687/.660), target accuracy .628 -> .651."""
    return (st["kind"] == "vader-topic" and st["how"] in ("topic", "after", "lead")
            and _PREDICATED.search(text, max(0, st["start"] - 40), st["start"]) is None)


def _topic_targets(stances: list[dict]) -> list[dict]:
    """A stance that fell back to the article's main target ("topic") while no stance with a
    target of its own is about that target takes instead the target those stances use most
    (the first used on a tie): the main target by mentions, when nobody evaluates it, was the
    gold target 4 times in 32 on the 20 tuning articles, and listing it for the fallback alone
    added a target no stance used. When some anchored stance is about the main target, the
    fallback keeps it (re-aiming every fallback stance cost held-out target accuracy, .371 ->
    .314; re-aiming only these: tuning target accuracy .613 -> .637, held-out .371 -> .400,
    target-list precision .688 -> .743 and .343 -> .375). A target named later in a stance's
    sentence ("after") or by the narrative leading into its quote ("lead") is no anchor for the others: counted as one, a single such name
    ("of Jordan") took over every fallback stance of its article."""
    used = Counter(st["target"] for st in stances if st["how"] not in ("topic", "after", "lead"))
    if not used:
        return stances
    first: dict[str, int] = {}
    for st in stances:
        if st["how"] not in ("topic", "after", "lead"):
            first.setdefault(st["target"], st["start"])
    best = max(used, key=lambda t: (used[t], -first[t]))
    for st in stances:
        if st["how"] == "topic" and st["target"] not in used:
            st["target"] = best
    return stances


def _unlinked(kind: str, how: str) -> bool:
    """A general sentiment word (VADER's), neither predicated nor next to a target, whose only
    target is a name said earlier in the quote is no stance (on the 20 tuning articles 2 of 8
    such proposals were stances)."""
    return kind == "vader-loose" and how == "near"


def _kind(kind: str, how: str) -> str:
    """A general sentiment word whose only target is the article's main one ("topic"), a name
    only later in its sentence ("after") or in the narrative before its quote ("lead"), is a kind
    of its own, with its own low score: on the 20 tuning articles 18 of 43 were stances (0.3.10: 19 of 48; 0.3.9: 20 of 49; 0.3.8:
    16 of 51, and 2 of those had that target). (Leaving them all out raised tuning precision .61 -> .73 but lowered
    held-out recall .52 -> .36 at 0.3.10; since 0.3.19 only the predicated ones stay: _predicated.)"""
    return "vader-topic" if kind.startswith("vader") and how in ("topic", "after", "lead") else kind


def _no_phrase_word(w: str) -> bool:
    """A word no target phrase holds: a subject pronoun (the phrase is a clause), a reflexive,
    a comparative of quantity."""
    return w in _CLAUSE_WORDS or w.endswith(("self", "selves"))


_CLAUSE_WORDS = frozenset("i we you he she they it less more much".split())


def _not_speaking(mentions, speakers):
    """Mentions outside every speaker span: a name that says something is not what a stance is about."""
    spans = sorted(speakers)
    ends = [e for _, e in spans]
    out = []
    for m in mentions:
        k = bisect.bisect_right(ends, m[0])  # the first speaker span ending after the mention starts
        if k < len(spans) and spans[k][0] < m[1]:
            continue
        out.append(m)
    return out


class _Context:
    """One article: its text, target mentions (sorted) and targets ranked by mentions."""

    def __init__(self, text: str, mentions: list[tuple[int, int, str]], ranked: list[str],
                 all_mentions: list[tuple[int, int, str]], quotes: list[dict],
                 links: dict[tuple[int, int], tuple[int, int]] | None = None):
        self.text = text
        self.links = links or {}  # speaker span -> the mention it refers to ("she" -> "Rosa Flint")
        self.all_mentions = all_mentions
        self.all_starts = [m[0] for m in all_mentions]
        # the targets each quote's speaker names, and everyone who speaks in the article
        # (made when first needed: most quotes hold no lexicon word)
        self._speakers: set[str] | None = None
        self.mentions = mentions
        self.starts = [m[0] for m in mentions]
        self.by_start = {m[0]: m for m in mentions}
        self._people: list | None = None  # _persons(), made when first needed
        self.ranked = ranked
        self._ranked_set = frozenset(ranked)
        self.lex = _lexicon()
        self.low = _fold(text)  # folded once: a quote's tokens are read from it
        self.quotes = quotes
        self._themes: dict[str, str] | None = None  # _theme_nouns, made when first needed
        self._issue_heads: dict[str, str] | None = None  # _listed_issue's index, likewise
        self._issue_index: IssueIndex | None = None  # _issues, made when first needed
        self._issue_starts: list[int] = []
        self._quote_ends: list[tuple[int, int]] | None = None
        self._target_counts: Counter | None = None  # _mentions_of_target's, made when first needed
        self._it_clause = False  # set by _issue_target: the stance's clause is 'It is ...' opening a sentence  # _previous_quote_end's, made when first needed
        self._gender: dict[str, str | None] = {}  # _gender_of, name by name
        self._mentions_of: dict[str, list] | None = None  # all mentions by name, for _gender_of
        self._quotes_joined: list[tuple[int, int]] | None = None  # _quoted_text, made when first needed
        self._quote_starts: list[int] = []
        self._speaker_span: tuple[int, int] = (0, 0)  # the speaker span of the quote being read

    # -- one quote -------------------------------------------------------------------------
    def quote_stances(self, q: dict) -> list[dict]:
        qs, qe = q["start"], q["end"]
        lex, whole = self.lex, self.low
        words = _TOKEN.findall(whole, qs, qe)
        low = whole[qs:qe]
        phrases = lex.may_hold_phrase(words)
        if lex.word_set.isdisjoint(words) and not (phrases and lex.phrase_re.search(low)):
            return []  # no lexicon word or phrase: most quotes
        self._speaker_span = q.get("speaker") or (0, 0)
        toks = _token_spans(whole, qs, words)
        starts = [t[0] for t in toks]  # for bisect, made once for the quote
        clause = self._clauses(toks, starts, words)
        names = self._name_tokens(toks, starts)
        speaker = self._speaker_targets(q)
        seeds = [sd for sd in self._seeds(low if phrases else "", qs, toks, starts, words, names)
                 if (not _backing(toks, sd[0], sd[1]) or self._own_backing(toks, clause, sd[0], q))
                 and not _CHARGED.search(whole, max(qs, toks[sd[0]][0] - 60), toks[sd[0]][0])]
        out = []
        for i, j, valence, kind in self._merge(seeds, toks, clause):
            seed_start, seed_end = i, j
            i, j, negated = self._grow(toks, clause, names, i, j)
            if valence == 0.0:
                polarity = "neutral"
            else:
                polarity = "favor" if (valence > 0) != negated else "against"
            target, how = self._target(toks, clause, i, j, qs, speaker, q.get("quote_type") == "indirect")
            if how != "object":
                # what the evaluation is said of, before any subject: "called [the plan] a hoax",
                # "I oppose [abortion]", "neutral in [the dispute]"
                found = self._complement(toks, clause, i, j, seed_start, seed_end, speaker,
                                         kind == "neutral" or how not in ("subject", "pronoun"))
                if found:
                    target, how = found, "object"
            if how in ("near", "topic"):
                # no name before or after it: the common noun it is predicated of ("immigration
                # is a good thing")
                found = self._predicated_noun(toks, clause, i)
                if found:
                    target, how = found, "subject"
            if how in ("near", "topic"):
                # 'the quote, Clinton said of Trump': what the speaker spoke of
                found = self._said_of(q, speaker)
                if found:
                    target, how = found, "about"
            if how in ("near", "topic"):
                # "Iranian aggression", "the Russian lies": the country its adjective of
                # nationality names
                found = self._demonym(toks, clause, i, j, speaker)
                if found:
                    target, how = found, "subject"
            if how in ("near", "topic") and (q.get("quote_type") != "indirect" or not speaker):
                # "his apostasy", "her reckless plan": the span's own possessive is whose it is
                # (in an indirect quote only when no one named speaks: "he said his ..." is his)
                found = self._possessor(toks, i, j, speaker)
                if found:
                    target, how = found, "pronoun"
            if how not in ("object", "subject", "pronoun") and toks[seed_end][2] in _NP_PREPS:
                # "(I'm) tired of [the status quo]", "(we are) open to [dialogue]": with no one
                # else named as its subject or object, a seed that ends in its preposition is
                # about the noun phrase after it, which the span takes in
                found = self._object_phrase(toks, clause, seed_end)
                if found:
                    target, how = found[0], "issue"
                    if found[1] - i < MAX_WORDS:
                        j = found[1]
            if how == "topic":
                target, how = self._later_target(toks, j, qs, qe, speaker, target)
            fallback = None
            if how == "theme":  # the target without the theme rule, should it stay alone (_theme_targets)
                fallback = functools.partial(self._theme_fallback, toks, clause, i, j, qs, qe, speaker,
                                             q.get("quote_type") == "indirect")
            if target is None:
                continue
            cop = self._predicative(toks, clause, i)
            if self._titled(toks[i][0]):
                continue  # 'an ad titled “Dangerous”', 'the slogan “shameful deals”': named, not used
            if kind != "neutral" and self._quoted(toks[i][0], toks[j][1], qs, qe):
                kind = "quoted"
            elif kind != "neutral":
                anchored = cop or how in ("subject", "oblique", "object", "issue")
                kind = ("hand" if kind == "hand" else "vader") + ("-anchored" if anchored else "-loose")
                if _unlinked(kind, how):
                    continue
                kind = _kind(kind, how)
            out.append(dict(start=toks[i][0], end=toks[j][1], polarity=polarity, target=target,
                            score=CALIBRATION[kind], kind=kind, how=how, _speaker=tuple(q.get("speaker") or ())))
            if fallback is not None:
                out[-1]["_fallback"] = fallback
            self._it_clause = False
            issue = self._issue_target(toks, clause, i, j, qs, speaker, target, how)
            if issue:
                out[-1]["_issue"] = issue
            if self._it_clause:  # "It is the same failed approach": see _issue_targets
                out[-1]["_it"] = tuple(q.get("speaker") or ())
        if len(out) > 1:  # a phrase inside a longer one ("not ready" in "not ready to support") goes
            out = _drop_contained(out)
        return out

    def _later_target(self, toks, j, qs, qe, speaker, target):
        """(target, how) for a stance whose rules found only the article's main target (`target`,
        "topic"): nothing names what it is about before it, so a target named later in its own
        sentence of the quote (_named_after: "I'm so disturbed because ... Trump is going to
        ...", "one of the heroes ... is King Abdullah II of Jordan"), else the one the narrative
        just before the quote says its speaker evaluated (_lead_in: 'Eric Trump knocked a
        statement by George Clooney ... “It made no sense”') beats the main target. On the 20
        tuning articles: 5 of the 8 such matched stances right, 1 before (target accuracy .641
        -> .672; held-out .400 -> .429). Its kind stays that of a fallback (_kind): the span is
        found the same way, only its target changes."""
        found = self._named_after(toks, j, qe, speaker)
        if found:
            return found, "after"
        found = self._lead_in(qs, speaker)
        if found:
            return found, "lead"
        return target, "topic"

    # -- issue noun phrases ---------------------------------------------------------------
    def _issues(self) -> IssueIndex:
        if self._issue_index is None:
            self._issue_index = IssueIndex(self.text, self.lex.word_set)
            self._issue_starts = sorted(self._issue_index.heads)
        return self._issue_index

    def _issue_name(self, group) -> str:
        """How the target list words an issue: the listed issue phrase with the same head (an
        issue phrase around a name, "the Paris agreement" for "the landmark climate
        agreement"), else the issue's own fullest wording."""
        return self._listed_issue(group.head) or self._listed_issue(group.head + "s") or group.name

    def _issue_target(self, toks, clause, i, j, qs, speaker, target, how) -> str | None:
        """The issue noun phrase (targets.IssueIndex) a stance is about when no name is: a
        gerund subject ("[Raising taxes now] is the wrong move"), the common noun another rule
        found ("called [the vote] short-sighted": its issue), an issue named before it in its
        clause ("[The bike lane] will make downtown safer"), or the issue 'it'/'this' stands
        for ("It is a bad idea": the last issue named before it). A name that a rule found as
        the stance's subject, object or possessor stays its target."""
        named = target in self._ranked_set
        if named and how in ("object", "subject", "pronoun", "oblique", "about", "issue"):
            return None
        ix = self._issues()
        if not ix.heads:
            return None
        c0 = i
        while c0 > 0 and clause[c0 - 1] == clause[i]:
            c0 -= 1
        if toks[c0][2] in _CONTRAST and c0 < i:
            c0 += 1  # "..., but it is the wrong approach"
        # the gerund that opens the clause and is predicated of: "Raising taxes now is ..."
        w0 = toks[c0][2]
        if c0 < i and w0.endswith("ing") and len(w0) > 5 and self._predicative(toks, clause, i):
            cop = next((k for k in range(c0 + 1, i) if toks[k][2] in _EQUATING), None)
            if cop is not None and cop - c0 <= MAX_WORDS:
                for k in range(c0 + 1, cop):
                    g = ix.of_word(toks[k][2])
                    if g is not None:
                        return self._issue_name(g)
                last = cop - 1
                while last > c0 and toks[last][2] in _TIME_WORDS | _NOW_WORDS:
                    last -= 1
                if not any(toks[k][2] in _GERUND_STOP for k in range(c0, last + 1)):
                    phrase = self.text[toks[c0][0]:toks[last][1]]
                    return phrase[0].lower() + phrase[1:]
        # the issue the span itself names, not predicated: "this so-called [movement]"
        if j > i and (g := ix.at(toks[j][0])) is not None and toks[j][2] not in _REFERRING \
                and toks[i][2] not in ("a", "an") and not self._predicative(toks, clause, i):
            return self._issue_name(g)
        if target and not named and " " in target:
            last = target.rsplit(None, 1)[-1].lower()
            if last in _REFERRING and not ix.heads_word(last) and ix.main is not None \
                    and target.split(None, 1)[0].lower() not in _QUANTIFIERS:  # not "every vote"
                return self._issue_name(ix.main)  # "the council's decision": the main issue
            if ix.heads_word(last):
                return None  # a phrase another rule found that names an issue itself ("made [climate change] ...")
        word = target.lower() if target and not named and " " not in target else ""
        if word and (word in _REFERRING or ix.heads_word(word)):
            # a common noun another rule found that names an issue: that issue
            g = ix.main if word in _REFERRING and not ix.heads_word(word) else ix.of_word(word)
            if g is not None:
                return self._issue_name(g)
        # "fought for years for [comprehensive immigration reform]": the issue right after the
        # preposition the stance ends in
        if toks[j][2] in _NP_PREPS and how in ("theme", "near", "topic", "after", "lead"):
            for k in range(j + 1, min(len(toks), j + 7)):
                w = toks[k][2]
                if clause[k] != clause[j] or w in _FUNCTION and w not in _DETERMINERS and w not in _NP_PREPS:
                    break  # ("for years for [...]": a time and a second preposition are passed over)
                g = ix.at(toks[k][0])
                if g is not None:
                    return self._issue_name(g)
        # "[The reading garden] will make the branch quieter": what makes it so is evaluated
        found = self._maker(toks, clause, c0, i)
        if found:
            return found
        # an issue named before it in its clause
        for k in range(i - 1, c0 - 1, -1):
            if toks[k][2] in _RELATIVES or toks[k][2] in _SUBORDINATORS:
                break  # "a staffer who made a bad decision", "could not make deals because many
                # lawmakers dislike him": another clause's noun, not this one's subject
            g = ix.at(toks[k][0])
            if g is not None and not self._after_preposition(toks, k, c0, g):
                return self._issue_name(g)
        # 'it' or 'this' as the clause's subject: the last issue named before it
        if toks[c0][2] in _IT_WORDS and (c0 + 1 < len(toks) and toks[c0 + 1][2] in _EQUATING or w0.endswith("'s")) \
                and (c0 == 0 or toks[c0 - 1][2] in _CONTRAST or _SENTENCE_END.search(self.text, toks[c0 - 1][1], toks[c0][0])):
            # only as a sentence's subject ("It is a bad idea"), not in a clause after a comma
            self._it_clause = how not in ("object", "issue")  # "It was good for [the economy]": its own
            # (not when a name comes after that issue in its sentence: "the Russia plan and Russia itself")
            k = bisect.bisect_left(self._issue_starts, toks[c0][0]) - 1
            if k >= 0 and self._issue_starts[k] >= max(qs - ISSUE_REACH, self._previous_quote_end(qs, speaker)):
                head = self._issue_starts[k]
                end = _ISSUE_SENTENCE_END.search(self.text, head, toks[c0][0])  # or its quote's end
                n = bisect.bisect_right(self.starts, head)
                if n >= len(self.starts) or self.starts[n] >= (end.start() if end else toks[c0][0]):
                    return self._issue_name(ix.heads[head])
        if (how == "topic" and ix.main is not None and ix.main.in_title and not self._title_names()
                and ix.main.mentions >= self._mentions_of_target(target)):
            # nothing in its quote says what it is about, and the headline names an issue and no
            # one ("Library levy fails by 300 votes"): the headline's issue, when the article
            # names it as often as the name it mentions most
            return self._issue_name(ix.main)
        return None

    def _mentions_of_target(self, target: str | None) -> int:
        """How many times the article names `target` (outside speaker spans too)."""
        if self._target_counts is None:
            self._target_counts = Counter(t for _s, _e, t in self.all_mentions)
        return self._target_counts.get(target, 0)

    def _title_names(self) -> bool:
        """The headline (the text's first line) names a target."""
        end = self.text.find("\n")
        return bool(self.all_starts) and self.all_starts[0] < (end if end >= 0 else len(self.text))

    def _previous_quote_end(self, qs: int, speaker: set[str]) -> int:
        """Where the last quote before the one starting at `qs` ends that is another speaker's
        and not right before it (0 when none does): 'it' does not reach past another speaker's
        words ('Harper said parents would fight the four-day week. “It is a bad idea,” she
        said' reaches the week)."""
        if self._quote_ends is None:
            self._quote_ends = sorted((q["end"], n) for n, q in enumerate(self.quotes))
        k = bisect.bisect_right(self._quote_ends, (qs, len(self.quotes))) - 1
        while k >= 0:
            end, n = self._quote_ends[k]
            if end < qs - ISSUE_REACH:
                return end
            other = self.quotes[n]
            if tuple(other.get("speaker") or (-1, -1)) == tuple(self._speaker_span) \
                    or speaker and speaker & self._speaker_targets(other):
                k -= 1  # the same speaker's words
            elif not self.text[end:qs].strip(_GAP):
                k -= 1  # 'Harper said ... the four-day week. “It is ...,” she said': right before it
            else:
                return end
        return 0

    @staticmethod
    def _after_preposition(toks, k, c0, group) -> bool:
        """The issue whose head is token k is a preposition's object ("their stance on [the
        lawsuit] is wrong"): no subject."""
        k -= 1
        while k >= c0 and (toks[k][2] in _DETERMINERS or toks[k][2] in group.mods):
            k -= 1
        return k >= c0 and toks[k][2] in _PREPOSITIONS

    def _maker(self, toks, clause, c0, i) -> str | None:
        """The common noun phrase that is the subject of 'make' before an evaluation in its
        clause ("The new reading garden will make the branch quieter": reading garden), an
        issue's own wording when it names one; None for a name or a pronoun (the other rules'),
        or no such frame."""
        m = next((k for k in range(i - 1, c0, -1) if toks[k][2] in _MAKE), None)
        if m is None:
            return None
        k = m - 1
        while k > c0 and toks[k][2] in _AUXILIARIES:
            k -= 1
        w = toks[k][2]
        if (k < c0 or clause[k] != clause[i] or w in _FUNCTION or w in _NOT_ISSUES or w in _NOT_THEMES
                or w in self.lex.words or toks[k][0] in self.by_start or self.text[toks[k][0]].isupper()
                or len(w) < 3 or not w.isalpha()):
            return None
        g = self._issues().at(toks[k][0])
        if g is not None:
            return self._issue_name(g)
        words = noun_phrase(self.text, self.low, toks[k][0], toks[k][1], self.lex.word_set)
        return " ".join(words) if words else None

    def _theme_fallback(self, toks, clause, i, j, qs, qe, speaker, reported):
        """The target without the theme rule (_theme_targets), the later rules included."""
        target, how = self._target(toks, clause, i, j, qs, speaker, reported, False)
        if how == "topic":
            return self._later_target(toks, j, qs, qe, speaker, target)
        return target, how

    def _named_after(self, toks, j, qe, speaker) -> str | None:
        """The first target named after token j in the same sentence of the quote (up to its
        end), not the speaker; a name inside an issue phrase stands for the phrase."""
        end = _SENTENCE_END.search(self.text, toks[j][1], qe)
        stop = end.start() if end else qe
        idx = bisect.bisect_left(self.starts, toks[j][1])
        while idx < len(self.mentions) and self.mentions[idx][0] < stop:
            ms, me, _t = self.mentions[idx]
            if (self.mentions[idx][2] not in speaker and not _SETTING.search(self.text, max(0, ms - 10), ms)
                    and not _POSSESSIVE.match(self.text, me)):
                name = self._enclosing(idx)[2]
                if name not in speaker:
                    return name
            idx += 1
        return None

    def _lead_in(self, qs, speaker) -> str | None:
        """The one the narrative before the quote says its speaker evaluated: 'Eric Trump
        knocked a statement by actor George Clooney ... “It made no sense.”' -- the first target
        named after the last evaluative verb of the paragraph before the quote (or of the quote's
        own paragraph, up to it), in that verb's sentence, with the speaker named before the verb
        in it."""
        text, low = self.text, self.low
        floor = max(0, qs - 600)  # never further back: a search from 0 at every quote is quadratic
        para = text.rfind("\n\n", floor, qs)  # the quote's own paragraph, and the one before it
        para = text.rfind("\n\n", floor, para) if para > floor else -1
        lo = max(floor, para)
        last = _last_lead_verb(low, lo, qs)
        if last is None:
            return None
        verb_start, verb_end = last
        start = _sentence_start(low, verb_start)
        idx = bisect.bisect_left(self.all_starts, start)
        if not any(t in speaker for _s, _e, t in self.all_mentions[idx:bisect.bisect_left(self.all_starts, verb_start)]):
            return None
        end = _SENTENCE_END.search(text, verb_end, qs)
        stop = min(end.start() if end else qs, verb_end + 80)
        idx = bisect.bisect_left(self.starts, verb_end)
        while idx < len(self.mentions) and self.mentions[idx][0] < stop:
            if self.mentions[idx][2] not in speaker:
                return self._enclosing(idx)[2]
            idx += 1
        return None

    def _demonym(self, toks, clause, i, j, speaker) -> str | None:
        """The listed country an adjective of nationality in the span, or right before it in
        its clause, names ("Iranian aggression", "the Russian lies"); None when the article
        lists no such country or it is the speaker's own."""
        lo = i - 1 if i > 0 and clause[i - 1] == clause[i] else i
        for k in range(lo, j + 1):
            country = _DEMONYMS.get(toks[k][2])
            if country and self.text[toks[k][0]].isupper() and country in self._ranked_set and country not in speaker:
                return country
        return None

    def _said_of(self, q: dict, speaker: set[str]) -> str | None:
        """The target a cue says the quote is about: '“...,” Clinton said of Trump', 'Trump
        said of Cruz: “...”', 'she wrote about the Senate that ...'. Only the words between the
        quote and its speaker (or just before the quote) are read."""
        qs, qe = q["start"], q["end"]
        sp = q.get("speaker")
        after_end = max(qe, sp[1]) if sp else qe
        for m in (_SAID_OF.match(self.low, qe, min(len(self.low), after_end + 25)),
                  _SAID_OF_BEFORE.search(self.low, max(0, qs - 60), qs)):
            if m:
                found = self.by_start.get(m.start("who"))
                if found and found[2] not in speaker:
                    return found[2]
        return None

    def _possessor(self, toks, i, j, speaker) -> str | None:
        """The person a his/her inside the span stands for ("exposed his apostasy"): the last
        one named of that gender (_last_person)."""
        for k in range(i, j + 1):
            if toks[k][2] in _POSSESSIVE_PRONOUNS:
                return self._last_person(toks[k][0], speaker, toks[k][2])
        return None

    def _own_backing(self, toks, clause, i, q) -> bool:
        """'I support X', 'we will vote for X' (or 'he supports' in an indirect quote, where he is
        the speaker): the speaker's own backing. 'Trump's support', 'those who supported him',
        'congressional approval' report or measure other people's backing: no stance. A
        negating frame between them does not count ('we have no intention of backing X')."""
        i = self._denied(toks, clause, i, i)[0]
        for k in range(i - 1, max(-1, i - 5), -1):
            if clause[k] != clause[i]:
                break
            w = toks[k][2]
            if w in _OTHERS or w.endswith("'s") and w not in _FIRST_PERSON:
                return False  # "we're getting his soft support": someone else's backing, measured
            if w in _FIRST_PERSON or w in ("our", "my") or (w in _SPEAKER_PRONOUNS and q.get("quote_type") == "indirect"):
                return True  # "I support", "you have our full support"
        return False

    def _complement(self, toks, clause, i, j, seed_start, seed_end, speaker, preposition=True) -> str | None:
        """The noun phrase an evaluation is said of, when no name follows the span: the object
        of a calling verb before it ("called [the notion of X] a hoax", "made [climate change]
        the top priority"), the object of an evaluative verb ("I oppose [abortion]"), or the
        noun phrase after an evaluative word's preposition ("neutral in [the dispute]",
        "grateful to [the parties involved]"). A name inside the phrase is the target."""
        found = self._called(toks, clause, i, speaker)
        if found:
            return found
        w = toks[seed_end][2]
        if seed_end == j and w in _EVAL_VERBS and self._verb_position(toks, clause, i):
            obj = self._clean_object(toks, clause, seed_end)
            if obj:
                return obj
        k = j + 1
        if (seed_end == j and w in _experiencer_words() and k < len(toks) and clause[k] == clause[j]
                and toks[k][2] in _FEELING_PREPS and not self._marked(toks[j][1], toks[k][0])):
            # a word of feeling: its subject is the one who feels, the phrase after its
            # preposition what the feeling is about ("we are grateful to [the parties involved]",
            # "X grew dissatisfied with [the answers]")
            obj = self._clean_object(toks, clause, k)
            if obj:
                return obj
        # a one-word evaluation and its preposition ("neutral in", "critical of"); not a noun
        # phrase ("the best chance of winning", "one of the heroes in ..."): what follows its
        # noun is a complement of the noun
        # predicated ("we remain neutral in", "they are angry about"), not a noun's complement
        # ("a violation of law", "popularity with voters", "prosecuted with less evidence")
        k = j + 1
        # (`preposition` False: a person named as its subject is what is evaluated, "X is very
        # cute with a big mouth", "she's a champion of our values"; wait-and-see is about the issue)
        if (preposition and seed_end == j and k < len(toks) and clause[k] == clause[j] and toks[k][2] in _ADJ_PREPS
                and (self._predicative(toks, clause, i) or any(toks[n][2] in _COPULAS for n in range(i, j + 1)))
                and not any(toks[n][2] in _DETERMINERS or toks[n][2] == "of" for n in range(i, j + 1))
                and not self._marked(toks[j][1], toks[k][0])):
            obj = self._clean_object(toks, clause, k)
            if obj:
                return obj
        return None

    def _verb_position(self, toks, clause, i) -> bool:
        """The word of backing or rejection at token i is used as a verb: at the start of its
        clause, or after a subject pronoun, an auxiliary, 'to', a negator, an adverb or a name
        ("I oppose", "will hate", "consistently reject", "Smith supports"); not an adjective or
        a noun before another noun ("a “respected manager”", "adopt favored policies", "an
        anti-gay hate crime")."""
        k = i - 1
        if k < 0 or clause[k] != clause[i]:
            return True
        if self._marked(toks[k][1], toks[k + 1][0]):
            return False
        w = toks[k][2]
        return (w in _VERB_LEFT or w in _NEGATORS or w in _FIRST_PERSON or w.endswith("ly")
                or self.text[toks[k][0]].isupper() and k > 0)

    def _predicated_noun(self, toks, clause, i) -> str | None:
        """The common noun a copula predicates the evaluation of: "immigration is [a good
        thing]", "the program was [a good thing]" (the noun, or its listed issue); None for a
        pronoun ("it is a broken system"), a name (the subject rule's) or no copula."""
        k = i - 1
        while k >= 0 and clause[k] == clause[i] and (toks[k][2] in _DETERMINERS or toks[k][2] in _BOOSTERS
                                                     or toks[k][2] in _NEGATORS):
            k -= 1
        if k < 1 or clause[k] != clause[i] or toks[k][2] not in _EQUATING:
            return None
        n = k - 1
        w = toks[n][2]
        if (clause[n] != clause[i] or w in _FUNCTION or w in _NOT_ISSUES or w in _NOT_THEMES or len(w) < 4
                or w[0].isdigit()
                or w.endswith(("ly", "ed")) or w in self.lex.words or toks[n][0] in self.by_start
                or self.text[toks[n][0]].isupper() and not (n == 0 or toks[n - 1][2] in _DETERMINERS)):
            return None
        first = n
        while first > 0 and n - first < 2 and clause[first - 1] == clause[i] and toks[first - 1][2] not in _FUNCTION \
                and toks[first - 1][2] not in self.lex.words and toks[first - 1][0] not in self.by_start:
            first -= 1
        if first < n and not (first > 0 and toks[first - 1][2] in _DETERMINERS):
            first = n  # without a determiner before them the words before the noun may be a verb
        p = first - 1
        while p >= 0 and clause[p] == clause[i] and toks[p][2] in _DETERMINERS:
            p -= 1
        if p >= 0 and clause[p] == clause[i] and toks[p][2] in _PREPOSITIONS:
            return None  # the object of a preposition is not the subject: "linking him to the massacre was unfair"
        return self._listed_issue(w) or self.text[toks[first][0]:toks[n][1]]

    def _titled(self, pos: int) -> bool:
        """The phrase in quote marks at `pos` is named, not used: the word before its opening
        mark says so ('titled “Dangerous”', 'the word “shameful”', 'the slogan “...”')."""
        if pos == 0 or self.text[pos - 1] not in _OPENING_MARKS:
            return False
        m = _MARKED_WORD_BEFORE.search(self.low, max(0, pos - 24), pos)
        return bool(m) and m[1] in _NAMING

    def _called_before(self, pos: int) -> bool:
        """The word before `pos` (across spaces and quote marks only) is a calling verb."""
        m = _WORD_BEFORE.search(self.low, max(0, pos - 24), pos)
        return bool(m) and m[1] in _CALLING

    def _clean_object(self, toks, clause, p) -> str | None:
        """_object_phrase after token p, when it is a whole noun phrase that can be a target:
        not cut short by a complement ("their right [to sue]", "the answers [he was getting]"),
        not a number or a participle ("in five of", "respect included"), not a noun that
        stands for a named entity ("endorse a candidate")."""
        obj = self._object_phrase(toks, clause, p)
        if not obj:
            return None
        phrase, last = obj
        words = phrase.lower().split()
        n = last + 1
        if n < len(toks) and toks[n][0] in self.by_start:
            return None  # cut short by a name ("support Sen. [X]", "Speaker [X]'s agenda")
        if (words[0].endswith(("ed", "ing")) or words[-1] in _NOT_THEMES or any(_no_phrase_word(w) for w in words) or words[-1] in _NUMBER_WORDS
                or words[-1][:1].isdigit()):
            return None
        n = last + 1
        if n < len(toks) and clause[n] == clause[last] and toks[n][2] in _CUT_SHORT \
                and not self._marked(toks[last][1], toks[n][0]):
            return None
        return phrase

    def _called(self, toks, clause, i, speaker) -> str | None:
        """'called X a hoax', 'made X the top priority', 'considers X a threat': X, the phrase
        between a calling verb and the evaluation (the span starts with a determiner or the
        evaluation itself); a name in it is the target, else the phrase (or its listed issue)."""
        k = i - 1
        stop = max(-1, i - 9)
        while k > stop and clause[k] == clause[i] and toks[k][2] not in _CALLING:
            if toks[k][2] in _CALL_STOP:
                return None
            k -= 1
        if k == -1 and i > 0 and clause[0] == clause[i] and self._called_before(toks[0][0]):
            pass  # the quote opens right after its calling verb: 'has called [the notion of X a hoax]'
        elif k <= stop or clause[k] != clause[i] or toks[k][2] not in _CALLING or k + 1 >= i:
            return None
        first, last = k + 1, i - 1
        for n in range(first, last + 1):
            if toks[n][2] == "as":  # "see X as an economic burden"
                last = n - 1
                break
        else:
            if (toks[k][2] if k >= 0 else _WORD_BEFORE.search(self.low, max(0, toks[0][0] - 24), toks[0][0])[1]) in _SEEING:
                return None  # 'see why their life sucks': seeing verbs call something only with 'as'
        if first > last:
            return None
        if first == last and toks[first][2] in ("him", "her"):
            # 'called him a liar': the one called is someone the speaker talks about, in an
            # indirect quote too (there he/she is mostly the speaker, him/her is not)
            return self._last_person(toks[first][0], speaker, toks[first][2])
        if first > last or all(toks[n][2] in _BOOSTERS or toks[n][2] in _FUNCTION or toks[n][2].endswith("ly")
                               for n in range(first, last + 1)):
            return None  # "find much better jobs", 'what it called "persistently misleading" advertising'
        if last - first >= MAX_WORDS or any(_no_phrase_word(toks[n][2]) for n in range(first, last + 1)):
            return None  # a clause ("made clear he believes ..."), a reflexive ("sees itself as"), "less"
        if toks[first][2] in _PRONOUNS or toks[first][2] in _CALL_PRONOUNS:
            return None  # it/them/this: the subject rules decide
        if self._marked(toks[first][1], toks[last][0]):
            return None  # 'called his son “an American hero”': no phrase reaches across the mark that opens the evaluation
        for n in range(first, last + 1):
            m = self.by_start.get(toks[n][0])
            if m:
                return m[2]
        while first <= last and toks[first][2] in _NP_DETS:
            first += 1
        if first > last:
            return None
        head = toks[last][2]
        if head in _NOT_ISSUES or head in _FUNCTION:
            return None
        return self._listed_issue(head) or self.text[toks[first][0]:toks[last][1]]

    def _clauses(self, toks, starts: list[int], words: list[str]) -> list[int]:
        """Clause number of every token: punctuation or a contrast word starts a new clause;
        `starts` and `words` are the tokens' offsets and strings."""
        # Tokens hold no break character, so each break lies in the gap before some token: the
        # token after it opens a clause (found by bisection, so that the per-token work is the
        # running sum alone, done in C; most quotes hold no contrast word to look for)
        opens = [0] * len(toks)
        text, lo, hi = self.text, toks[0][1], toks[-1][0]
        for breaks in (_MARK_BREAK.finditer(text, lo, hi), _DASH_BREAK.finditer(text, lo, hi)):
            for m in breaks:
                opens[bisect.bisect_right(starts, m.start())] = 1
        if not _CONTRAST.isdisjoint(words):
            for k in range(1, len(words)):
                if words[k] in _CONTRAST:
                    opens[k] = 1
        return list(itertools.accumulate(opens))

    def _name_tokens(self, toks, tok_starts: list[int]) -> list[bool]:
        """Tokens inside a target mention (a name is not an evaluation: "United", "Justice");
        `tok_starts` are the tokens' offsets."""
        flags = [False] * len(toks)
        starts, mentions = self.starts, self.mentions
        lo = max(0, bisect.bisect_right(starts, toks[0][0]) - 1)
        hi = bisect.bisect_right(starts, toks[-1][0])
        for k in range(lo, hi):
            # the tokens whose last mention starting at or before them is mention k
            ms, me = mentions[k][0], mentions[k][1]
            stop = starts[k + 1] if k + 1 < len(starts) else toks[-1][0] + 1
            i = bisect.bisect_left(tok_starts, ms)
            while i < len(toks) and toks[i][0] < stop and toks[i][1] <= me:
                flags[i] = True
                i += 1
        return flags

    def _speaker_targets(self, q: dict) -> set[str]:
        """The targets named in the quote's speaker span (and the mentions it refers to: a
        relative's antecedent, a pronoun's or surname's fuller mention)."""
        found: set[str] = set()
        speaker = q.get("speaker")
        for span in (speaker, q.get("antecedent"), self.links.get(tuple(speaker)) if speaker else None):
            if span:
                self._add_named_in(span, found)
        return found

    def _add_named_in(self, span, found: set[str]) -> None:
        """Add to `found` the targets mentioned inside `span`."""
        lo = bisect.bisect_left(self.all_starts, span[0])
        hi = bisect.bisect_left(self.all_starts, span[1], lo)  # no copy of the list's tail
        found.update(t for _s, _e, t in self.all_mentions[lo:hi])

    def _seeds(self, low: str, qs: int, toks, starts: list[int], words: list[str],
               names: list[bool]) -> list[tuple[int, int, float, str]]:
        """(first token, last token, valence, kind) of every lexicon hit in the quote; `starts`
        and `words` are the tokens' offsets and strings; `low` is the quote's folded text, or ""
        when it can hold no phrase (_Lexicon.may_hold_phrase)."""
        out = []
        covered = set()
        for m in self.lex.phrase_re.finditer(low):
            i = bisect.bisect_left(starts, m.start() + qs)
            j = bisect.bisect_left(starts, m.end() + qs) - 1
            if i <= j:
                v, kind = self.lex.phrases[m.group(0)]
                out.append((i, j, v, kind))
                covered.update(range(i, j + 1))
        lexicon = self.lex.words
        text = self.text
        for k in [k for k, w in enumerate(words) if w in lexicon]:  # a few tokens of a quote
            if k in covered or names[k]:
                continue
            s, w = starts[k], words[k]
            if (k and (toks[k - 1][2], w) in _IDIOMS) or (k + 1 < len(toks) and (w, toks[k + 1][2]) in _IDIOMS):
                continue  # "as they see fit", "best known for", "loved ones": no evaluation
            if text[s].isupper() and k and not (k + 1 < len(toks) and toks[k + 1][0] in self.by_start):
                continue  # a capitalised word mid-quote is a name or a title, unless it names one ("Crooked X")
            v, kind = lexicon[w]
            out.append((k, k, v, kind))
        out.sort()
        return out

    def _merge(self, seeds, toks, clause):
        """Seeds of one polarity joined by nothing or by 'and'/'or' in one clause become one span."""
        merged: list[list] = []
        for i, j, v, kind in seeds:
            if merged:
                pi, pj, pv, pkind = merged[-1]
                joined = i <= pj + 1 or (i == pj + 2 and toks[pj + 1][2] in ("and", "or"))
                if joined and clause[i] == clause[pj] and (v > 0) == (pv > 0) and (v == 0) == (pv == 0):
                    better = pkind if _RANK[pkind] >= _RANK[kind] else kind
                    merged[-1] = [pi, max(j, pj), pv, better]
                    continue
            merged.append([i, j, v, kind])
        return merged

    def _grow(self, toks, clause, names, i, j) -> tuple[int, int, bool]:
        """Grow a seed to the phrase an annotator marks; True when a negator is taken in."""
        negated = False
        k = i - 1
        steps = 0
        while k >= 0 and clause[k] == clause[i] and steps < 3 and j - k < MAX_WORDS \
                and not self._marked(toks[k][1], toks[k + 1][0]):
            w = toks[k][2]
            if w in _NEGATORS:
                negated = True
            elif w not in _BOOSTERS and w not in _DETERMINERS:
                break
            k -= 1
            steps += 1
        i = k + 1
        np_start = i
        if not negated:
            i, negated = self._denied(toks, clause, i, j)
        if not negated:
            negated = self._denied_afar(toks, clause, i)
        if toks[np_start][2] in _DETERMINERS or toks[np_start][2] in _BOOSTERS or toks[np_start][2] in _NEGATORS \
                or np_start < j:
            # a noun phrase ("a dangerous mistake"): take in the words it modifies
            k = j + 1
            while (k < len(toks) and k - j <= 2 and clause[k] == clause[j] and j - i + 1 < MAX_WORDS
                   and toks[k][2] not in _FUNCTION and toks[k][2] not in _TIME_WORDS and not names[k]
                   and not self.text[toks[k][0]].isupper() and not self._marked(toks[k - 1][1], toks[k][0])):
                k += 1
            if k > j + 1 and (k >= len(toks) or clause[k] != clause[j] or toks[k][2] in _FUNCTION
                              or toks[k][2] in _TIME_WORDS):
                j = k - 1
        return i, j, negated

    def _denied(self, toks, clause, i, j) -> tuple[int, bool]:
        """A negator or denier reaching the phrase across bridge words: "no plans to
        congratulate", "refused to endorse", "not going to support", "far from perfect".
        Returns the new first token and True when one is found, else (i, False)."""
        lex = self.lex
        k = i - 1
        while k >= 0 and i - k <= 3 and clause[k] == clause[i] and j - k < MAX_WORDS \
                and not self._marked(toks[k][1], toks[k + 1][0]):
            w = toks[k][2]
            if w in _NEGATORS:
                return k, True
            start = self._denier_start(toks, k)
            if start is not None and clause[start] == clause[i] and j - start < MAX_WORDS:
                return start, True
            if w not in lex.bridges:
                break
            k -= 1
        return i, False

    def _denier_start(self, toks, k) -> int | None:
        """The first token of a denier word or phrase (lexicons/deniers.txt) that ends at token
        k, the shortest first ("refused", "declined to", "far from"), or None."""
        lex = self.lex
        if toks[k][2] not in lex.denier_ends:
            return None
        for n in (1, 2, 3):
            if k - n + 1 >= 0 and tuple(t[2] for t in toks[k - n + 1:k + 1]) in lex.deniers:
                return k - n + 1
        return None

    def _denied_afar(self, toks, clause, i) -> bool:
        """A denied plan further back than a span may reach: NEGATOR ... PLAN-WORD ... to
        EVALUATION, as in "not aware of any plans by President X to congratulate" or "no plans
        to call Y to congratulate him". The polarity turns; the span stays short."""
        if i < 2 or toks[i - 1][2] != "to":
            return False
        lex = self.lex
        k, stop = i - 2, max(-1, i - 2 - FAR_WORDS)
        while k > stop and clause[k] == clause[i] and not self._marked(toks[k][1], toks[k + 1][0]):
            if toks[k][2] in _PLAN_WORDS:
                break
            k -= 1
        else:
            return False
        for n in range(k - 1, max(-1, k - 5), -1):  # "no plans", "not aware of any plans"
            w = toks[n][2]
            if clause[n] != clause[i]:
                return False
            if w in _NEGATORS or self._denier_start(toks, n) is not None:
                return True
            if not (w in lex.bridges or w in _PLAN_BRIDGES):
                return False
        return False

    def _marked(self, a: int, b: int) -> bool:
        """A quote mark stands between two tokens: a span never reaches across it ('a “respected')."""
        if b - a == 1:  # a single space, nearly always: one character to test, no slice
            return self.text[a] in _QUOTE_MARKS
        between = self.text[a:b]
        return not _QUOTE_MARKS.isdisjoint(between) or "''" in between

    def _quoted(self, s: int, e: int, qs: int, qe: int) -> bool:
        """The span is a short phrase in quote marks of its own inside the quote (a scare quote)."""
        text = self.text
        before = text[max(qs, s - 3):s]
        after = text[e:min(qe + 1, e + 3)]
        return not _SCARE_OPEN.isdisjoint(before) and not _SCARE_CLOSE.isdisjoint(after)

    # -- targets ----------------------------------------------------------------------------
    def _target(self, toks, clause, i, j, qs, speaker, reported: bool = False, themes: bool = True):
        # 1. named right after the stance: "horrified by X", "stand with X", "Crooked X"
        k = j + 1
        while k < len(toks) and k - j <= 4 and clause[k] == clause[j]:
            m = self.by_start.get(toks[k][0])
            if m and m[2] not in speaker:
                return m[2], "object"
            if toks[k][2] not in _TO_TARGET:
                break
            k += 1
        # 1b. the stance is the subject of 'is/was X': "The clear winner ... was the X"
        if not self._predicative(toks, clause, i):
            found = self._equated(toks, clause, j, speaker)
            if found:
                return found, "object"
        # 2. the subject before it in its clause: a name, or he/she for the last person named
        # ("Cruz is the GOP's best candidate": a possessor is the target only when no subject is found)
        k = i - 1
        possessor = oblique = None
        while k >= 0 and clause[k] == clause[i]:
            s = toks[k][0]
            idx = bisect.bisect_right(self.starts, s) - 1
            if idx >= 0 and self.mentions[idx][0] <= s < self.mentions[idx][1] and self.mentions[idx][2] not in speaker:
                ms, me, name = self._enclosing(idx)
                if name in speaker:
                    pass
                elif _OBLIQUE.search(self.text, max(0, ms - 12), ms):
                    oblique = oblique or name  # "the DNC's move against Sanders": not the subject
                elif not _POSSESSIVE.match(self.text, me):
                    theme = self._theme_after_name(ms, me)
                    if theme:
                        return theme, "theme"  # "what the Sanders staffers did": the staffers
                    return name, "subject"
                else:
                    possessor = possessor or name
            elif toks[k][2] in _PRONOUNS and not reported:
                # in an indirect quote he/she is mostly the speaker ("Sanders said he didn't
                # support ..."): only in the speaker's own words does he/she point at someone else
                person = self._last_person(s, speaker, toks[k][2])
                if person:
                    return person, "pronoun"
            k -= 1
        if possessor or oblique:
            return possessor or oblique, "oblique"
        # 2b. the clause began before the quote opened: 'He was a “respected manager”',
        # 'called him “a liar”' -- the subject (or object of 'called') stands before the mark
        if clause[i] == clause[0]:
            found = self._subject_before_quote(qs, speaker)
            if found:
                return found
        # 2c. a group or issue the article keeps naming with a common noun, in the stance's
        # clause ("a staffer who made a bad decision", "see immigrants as an economic burden")
        if themes:
            found = self._theme_near(toks, clause, i, j)
            if found:
                return found, "theme"
        # 3. the nearest target named before it in its sentence of the quote; in an earlier
        # sentence only when the speaker's own attitude follows ("... in Ukraine closer. I am
        # hopeful", "... a contrary position. Let's wait and see"): otherwise the later
        # sentence is about something else ("... my work at the State Department. Not doing so
        # was a mistake"; "We live in America. ... it really is a broken system")
        lo = self._sentence_from(qs, toks[i][0])
        if _FIRST_PERSON_SUBJECT.search(self.low, lo, toks[i][0]):
            lo = qs
        lo = bisect.bisect_left(self.starts, lo)
        hi = bisect.bisect_left(self.starts, toks[i][0])
        for ms, me, t in reversed(self.mentions[max(lo, hi - 20):hi]):
            if t not in speaker:
                # "the Ortiz staffers, who ...": a name before a group noun modifies it (_theme_targets
                # keeps the group only when two stances or more are about it)
                theme = self._theme_after_name(ms, me) if themes else None
                return (theme, "theme") if theme else (t, "near")
        # 4. the article's main target, preferring one that never speaks (a commentator quoted
        # throughout is seldom what the others evaluate)
        if self._speakers is None:
            # every speaker span once (the fragments of a quote share theirs)
            spans = {tuple(span) for q in self.quotes for span in (q.get("speaker"), q.get("antecedent")) if span}
            spans.update(self.links.values())
            self._speakers = set()
            for span in spans:
                self._add_named_in(span, self._speakers)
        return next((t for t in self.ranked if t not in speaker and t not in self._speakers),
                    next((t for t in self.ranked if t not in speaker), None)), "topic"

    def _sentence_from(self, qs: int, pos: int) -> int:
        """Where the sentence of the quote holding `pos` starts (_SENTENCE_END: not after
        "U.S." or "Mr."), looking back at most 400 characters and not before the quote."""
        start = max(qs, pos - 400)
        for m in _SENTENCE_END.finditer(self.text, start, pos):
            start = m.end()
        return start

    def _theme_nouns(self) -> dict[str, str]:
        """The common nouns the article's quotes keep naming as nouns (after a determiner or a
        preposition, with at most one word between: "the staffers", "of immigrants", "a
        campaign staffer"), at least MIN_THEME_MENTIONS times, singular and plural counted as
        one: {each form: the form used most}. One regex pass over the quotes, made when a
        stance first needs it."""
        if self._themes is None:
            # "the staffer would": the word after the determiner is the noun
            low = self.low
            counts = Counter([first if noun in _FUNCTION and len(first) > 3 else noun
                              for s, e in self._quoted_text() for first, noun in _NOMINAL.findall(low, s, e)])
            by_key: dict[str, list[tuple[int, str]]] = {}
            not_themes = self.lex.not_themes
            for noun, n in counts.items():
                if noun not in not_themes and not noun.endswith(("ly", "ed", "ing")):
                    by_key.setdefault(_theme_key(noun), []).append((n, noun))
            themes = {}
            for key, forms in by_key.items():
                # (most keys have one form, named once: no sum to add up)
                if (forms[0][0] if len(forms) == 1 else sum(n for n, _w in forms)) >= MIN_THEME_MENTIONS:
                    themes[key] = themes[key + "s"] = max(forms)[1]
            self._themes = themes
        return self._themes

    def _quoted_text(self) -> list[tuple[int, int]]:
        """The stretches of text inside quotes (overlapping quotes joined), each from the
        character before the quote (_NOMINAL wants a space or a mark before a determiner);
        made once (_theme_nouns and _gender_of both read them)."""
        if self._quotes_joined is None:
            out: list[list[int]] = []
            for s, e in sorted((q["start"], q["end"]) for q in self.quotes):
                if out and s <= out[-1][1]:
                    out[-1][1] = max(out[-1][1], e)
                else:
                    out.append([max(0, s - 1), e])
            self._quotes_joined = [(s, e) for s, e in out]
        return self._quotes_joined

    def _theme_after_name(self, ms: int, me: int) -> str | None:
        """The theme noun (_theme_nouns) a name after "the" modifies, with its verb or a comma
        next ("what the Sanders staffers did", "the Obama agenda has been", "what they, the Ortiz
        staffers, want"): the group or the thing, not the person, is the subject."""
        after = _WORD_AFTER.match(self.low, me)
        if after is None or not self.low.endswith("the ", 0, ms) \
                or not (_AUXILIARY_AFTER.match(self.low, after.end()) or _NOUN_ENDS.match(self.low, after.end())):
            return None  # (its verb next: "the IAEA remains ready" is no group of remains)
        form = self._theme_nouns().get(after.group(1))
        return (self._listed_issue(after.group(1)) or self._listed_issue(form) or form) if form else None

    def _theme_near(self, toks, clause, i, j) -> str | None:
        """The theme noun (_theme_nouns) nearest the stance in its clause, within THEME_REACH
        tokens either side, or inside the span itself ("a broken system"); the listed issue
        phrase of the same head stands for it ("relations" -> "relations with the US")."""
        themes = self._theme_nouns()
        if not themes:
            return None
        best = None
        text = self.text
        for k in range(max(0, i - THEME_REACH), min(len(toks), j + THEME_REACH + 1)):
            form = themes.get(toks[k][2])
            if form and (clause[k] == clause[i] or i <= k <= j) and not text[toks[k][0]].isupper():
                d = 0 if i <= k <= j else (i - k if k < i else k - j)
                if best is None or d < best[0]:
                    best = (d, form, toks[k][2])
        if best is None:
            return None
        # the article's own issue phrase with that head, if it names one ("relations with the US")
        return self._listed_issue(best[2]) or self._listed_issue(best[1]) or best[1]

    def _object_phrase(self, toks, clause, p) -> tuple[str, int] | None:
        """The noun phrase after the preposition at token p that a seed ends in ("open to
        [dialogue]", "tired of [the status quo]", "fought for [comprehensive immigration
        reform]") and its last token, when it names no target (a name there is the object
        target, rule 1 of _target). The phrase is its words without a leading determiner, or
        the listed issue with the same head ("dialogue with the US" for "dialogue"); None when
        there is none or it is no issue: a time, an amount, a pronoun ("fought for years")."""
        n, text = len(toks), self.text
        k = p + 1
        if k < n and clause[k] == clause[p] and toks[k][2] in _NP_DETS and not self._marked(toks[k - 1][1], toks[k][0]):
            k += 1
        first = k
        if k + 1 < n and toks[k][2] in _TITLE_WORDS and toks[k + 1][0] in self.by_start:
            # "no problem with Mr. Trump's comments": the name after its title is the target
            _s, end, name = self.by_start[toks[k + 1][0]]
            last = k + 1
            while last + 1 < n and toks[last + 1][1] <= end:
                last += 1
            return name, last
        while (k < n and k - first < 4 and clause[k] == clause[p] and toks[k][2] not in _FUNCTION
               and toks[k][2] not in _NP_DETS and toks[k][2] not in _NP_STOP and toks[k][0] not in self.by_start
               and not self._marked(toks[k - 1][1], toks[k][0])):
            k += 1
        if k == first or (k - first == 4 and k < n and clause[k] == clause[p] and toks[k][2] not in _FUNCTION
                          and toks[k][2] not in _NP_STOP):
            return None  # no words, or more than four: a clause rather than a noun phrase
        head = toks[k - 1][2]
        if head in _NOT_ISSUES or head.endswith("ly") or head in self.lex.words:
            return None
        return self._listed_issue(head) or text[toks[first][0]:toks[k - 1][1]], k - 1

    def _listed_issue(self, head: str) -> str | None:
        """A listed target that has `head` as a lower-case word ("dialogue with the US" for
        "dialogue", "the Iran deal" for "deal"): the article's own wording of that issue. The
        first such target in rank order; the index is made once, when first asked."""
        if self._issue_heads is None:
            self._issue_heads = {}
            for t in self.ranked:
                for w in t.split():
                    if w.islower():
                        self._issue_heads.setdefault(w, t)
        return self._issue_heads.get(head)

    def _enclosing(self, idx: int) -> tuple[int, int, str]:
        """The issue phrase a name is part of ("the Clinton campaign", "dialogue with the US"),
        else the name's own mention. Issue phrases start before the names inside them."""
        ms, me, _t = m = self.mentions[idx]
        for n in range(idx - 1, max(-1, idx - 4), -1):
            other = self.mentions[n]
            if other[1] >= me and other[0] <= ms and other[2] != m[2]:
                m = other
        return m

    def _equated(self, toks, clause, j, speaker) -> str | None:
        """The target named right after the copula that follows the stance in its clause."""
        k = j + 1
        while k < len(toks) and k - j <= 8 and clause[k] == clause[j] and toks[k][2] not in _EQUATING:
            k += 1
        if k >= len(toks) or k - j > 8 or clause[k] != clause[j]:
            return None
        for n in range(k + 1, min(len(toks), k + 4)):
            if clause[n] != clause[j]:
                break
            m = self.by_start.get(toks[n][0])
            if m:
                return m[2] if m[2] not in speaker else None
            if toks[n][2] not in _DETERMINERS:
                break
        return None

    def _subject_before_quote(self, qs: int, speaker: set[str]):
        """A target or he/she/him/her in the clause that runs up to the quote's opening mark."""
        text = self.text
        k = qs
        while k > 0 and text[k - 1] in " \t“‘\"'":
            k -= 1
        lo = max(0, k - 120)
        cut = _BREAK.search(text[lo:k][::-1])
        lo = k - cut.start() if cut else lo
        segment = text[lo:k].translate(_FOLD)
        for m in reversed(list(_TOKEN.finditer(segment))):
            s = lo + m.start()
            idx = bisect.bisect_right(self.starts, s) - 1
            if idx >= 0 and self.mentions[idx][0] <= s < self.mentions[idx][1] and self.mentions[idx][2] not in speaker:
                if _ADDRESSEE.search(text, max(lo, self.mentions[idx][0] - 40), self.mentions[idx][0]):
                    continue  # "complained to X that ...", "told X that ...": whom the speaker tells
                return self.mentions[idx][2], "subject"
            if m.group(0) in _PRONOUNS:
                if _ADDRESSEE.search(text, max(lo, s - 40), s) or self._speaker_span[0] <= s < self._speaker_span[1]:
                    continue  # whom the speaker tells, or the speaker itself ('he said he ...')
                person = self._last_person(s, speaker, m.group(0))
                if person:
                    return person, "pronoun"
        return None

    def _predicative(self, toks, clause, i) -> bool:
        """A copula or 'as' before the stance in its clause: "X is a joke", "called X an enemy"."""
        for k in range(i - 1, max(-1, i - 5), -1):
            if clause is not None and clause[k] != clause[i]:
                break
            if toks[k][2] in _COPULAS:
                return True
        return False

    def _last_person(self, pos: int, speaker: set[str], pronoun: str = "") -> str | None:
        """The person he/she/him/her stands for: the last one named before `pos` (not the
        speaker, and not one the article refers to with the other gender's pronouns:
        _gender_of), preferring one named as a subject over one after a preposition ("Cruz is
        the best since Ronald Reagan. He unites ..." -> Cruz)."""
        want = _PRONOUN_GENDER.get(pronoun)
        people, starts = self._persons()
        hi = bisect.bisect_left(starts, pos)
        first = None
        for s, _e, t in reversed(people[max(0, hi - 12):hi]):
            if pos - s > 3000:
                break
            if t in speaker or want and (self._gender_of(t) or want) != want:
                continue
            if not _AFTER_PREPOSITION.search(self.text, max(0, s - 12), s):
                return t
            first = first or t
        return first

    def _persons(self) -> tuple[list[tuple[int, int, str]], list[int]]:
        """The mentions of persons outside speaker spans (_people) and their starts."""
        if self._people is None:
            people = _people(self.text, self.mentions)
            self._people = (people, [m[0] for m in people])
        return self._people

    def _gender_of(self, name: str) -> str | None:
        """"m" or "f" when the narrative refers to the person `name` with one gender's pronouns,
        else None. A vote: a mention outside every quote (in a quote, "I met X. He ..." says
        nothing of X) with no other name before it in its sentence (its subject, mostly: in "as
        X criticized Y, she ..." she is X), then the first he/him/his or she/her/hers before
        another name or a quote mark comes (the speaker of a quote after X: 'X met them. “...,”
        she said'), within GENDER_REACH characters. Two votes in three or more decide. Worked
        out for a name when first asked (most articles never ask)."""
        if name in self._gender:
            return self._gender[name]
        if self._mentions_of is None:
            self._mentions_of = {}
            for m in self.all_mentions:
                self._mentions_of.setdefault(m[2], []).append(m)
            self._quote_starts = [qs for qs, _qe in self._quoted_text()]
        low, starts, quoted, quote_starts = self.low, self.all_starts, self._quoted_text(), self._quote_starts
        votes: Counter = Counter()
        for s, e, _t in self._mentions_of.get(name, ()):
            k = bisect.bisect_right(quote_starts, s) - 1
            if k >= 0 and s < quoted[k][1]:
                continue  # inside a quote
            k = bisect.bisect_left(starts, s)
            if k and starts[k - 1] >= _sentence_start(low, s):
                continue  # another name comes first in its sentence
            k = bisect.bisect_left(starts, e)  # the next name of any kind ends the search
            stop = min(e + GENDER_REACH, starts[k] if k < len(starts) else len(low))
            mark = _ANY_QUOTE_MARK.search(low, e, stop)
            m = _GENDERED.search(low, e, mark.start() if mark else stop)
            if m:
                votes[_PRONOUN_GENDER[m[0]]] += 1
        gender = next((g for g, n in votes.items() if 3 * n >= 2 * sum(votes.values())), None)
        self._gender[name] = gender
        return gender


# Adjectives of nationality and the country (its canonical target, mentions.ALIASES) they name.
_DEMONYMS = {
    "american": "United States", "russian": "Russia", "ukrainian": "Ukraine", "chinese": "China",
    "british": "United Kingdom", "french": "France", "german": "Germany", "israeli": "Israel",
    "iranian": "Iran", "syrian": "Syria", "iraqi": "Iraq", "mexican": "Mexico", "cuban": "Cuba",
    "saudi": "Saudi Arabia", "turkish": "Turkey", "palestinian": "Palestine", "japanese": "Japan",
    "indian": "India", "canadian": "Canada", "egyptian": "Egypt", "afghan": "Afghanistan",
    "pakistani": "Pakistan", "venezuelan": "Venezuela", "libyan": "Libya", "jordanian": "Jordan",
    "lebanese": "Lebanon", "polish": "Poland", "italian": "Italy", "spanish": "Spain", "greek": "Greece",
    "taiwanese": "Taiwan", "yemeni": "Yemen", "qatari": "Qatar", "hungarian": "Hungary",
}


# Issue noun phrases (_Context._issue_target): nouns that refer to the article's main issue,
# the subjects that stand for the issue named last, and how far before the quote that may be.
_REFERRING = frozenset("decision vote move measure idea approach step proposals".split())
_IT_WORDS = frozenset("it this that it's that's".split())
_MAKE = frozenset("make makes made making".split())
_AUXILIARIES = frozenset("will would can could should may might must does did do has have had 'll".split())
_ISSUE_SENTENCE_END = re.compile(_SENTENCE_END.pattern + "|[”\"]")
_GAP = " .,;:\"“”'‘’\n"
_GERUND_STOP = frozenset("i we you he she they it his her their its your them us him me this that".split())
IT_REACH = 150  # characters between a stance and the 'It is ...' after it that goes on about its target  # no clause, no one's
_QUANTIFIERS = frozenset("every each any no some all many most more another one".split())
_SUBORDINATORS = frozenset("because since if when while although though unless whereas until so".split())
_RELATIVES = frozenset("who which that whose whom".split())
_NOW_WORDS = frozenset("now again already still".split())
ISSUE_REACH = 300  # characters before the quote, at most


# Theme nouns (_Context._theme_nouns): a common noun after a determiner or preposition, with
# at most one word between ("the staffers", "of immigrants", "the campaign staffers"), or the
# word right after one when a function word follows ("the staffer would").
MIN_THEME_MENTIONS = 2  # named as a noun at least this often in the article's quotes
MIN_THEME_STANCES = 2  # the target of at least this many stances of the article (_theme_targets)
THEME_REACH = 10  # tokens either side of the stance, in its clause
# Matched in the folded text; the leading space (or quote mark) lets the regex engine jump
# from space to space.
_NOMINAL = re.compile("[ \n“\"'(](?:" + word_alternation(
    """the a an this that these those our their his her its my your such any no more some every of for on about
    against with over""".split()) + r") (?:([a-z][a-z'-]*) )?([a-z][a-z-]{3,}[a-z])\b")
# Words that are seldom a noun or too general to be what a stance is about, and nouns that
# stand for a named entity ("this country", "the party", "the candidate": the target is the
# entity they refer to, not the word).
_NOT_THEMES = frozenset(
    """said says told think know going want make made take come came give gave been have were
    will would could should must might also very much many more most other others same another
    first last next new old former latest recent several whole such only even just still
    american americans democratic republican national federal political public social
    president campaign white black military
    country countries nation nations world state states party parties government governments
    candidate candidates nominee company companies city cities region place places
    word words thing things way ways lot kind fact point reason problem problems possibility time
    times""".split())


def _theme_key(word: str) -> str:
    """"staffers" and "staffer" are one theme."""
    return word[:-1] if len(word) > 4 and word.endswith("s") and not word.endswith("ss") else word


# The noun phrase after a stance (_object_phrase): one preposition, one determiner, then words.
_NP_PREPS = frozenset("of for with to about in on against toward towards over".split())
_NP_DETS = frozenset("the this that these those such any all a an our their his her its my your".split())
_NP_STOP = frozenset(
    """after before since until during through because without within across among between like
    including despite upon onto off out up down via per whether unless once""".split())
# Verbs that say what the next phrase is: "called X a hoax", "made X the top priority".
_CALLING = frozenset(
    """call calls called calling make makes made making consider considers considered considering
    deem deems deemed label labels labeled labelled branded brand brands dubbed dub termed
    see sees saw seen view views viewed regard regards regarded""".split())
# Words that end the search for a calling verb: a finite verb, a relative, a conjunction.
_CALL_STOP = frozenset(
    """is are was were be been being am has have had do does did will would can could should
    and or that which who because if when said says think thinks""".split())
_OPENING_MARKS = frozenset("“\"'‘")
_MARKED_WORD_BEFORE = re.compile(r"([a-z]+)\s*[“\"'‘]$")
_WORD_BEFORE = re.compile(r"([a-z]+)[\s“”\"'‘]*$")
# Words before a phrase in quote marks that name the phrase rather than use it.
_NAMING = frozenset(
    """titled entitled headlined headline named word words term phrase slogan motto nickname moniker
    hashtag label""".split())
_SEEING = frozenset("see sees saw seen view views viewed regard regards regarded".split())
# Words before an evaluative verb used as a verb (_verb_position).
_VERB_LEFT = frozenset(
    """i we you they he she it who which that to will would can could should must may might shall do does
    did also still always never just even really truly strongly fully and or not""".split())
_CALL_PRONOUNS = frozenset("it them they this that these those us me you him her".split())
# Evaluative verbs whose object is what they evaluate: "I oppose [abortion]".
_EVAL_VERBS = frozenset(
    """oppose opposes opposed opposing support supports supported supporting reject rejects
    rejected rejecting condemn condemns condemned condemning denounce denounces denounced
    praise praises praised praising criticize criticizes criticized criticizing criticise
    criticised welcome welcomes welcomed applaud applauds applauded endorse endorses endorsed
    favor favors favored favour favours oppose hate hates hated love loves loved admire
    admires admired blame blames blamed embrace embraces embraced trust trusts trusted
    distrust distrusts respect respects respected ban bans banned""".split())
_NUMBER_WORDS = frozenset("one two three four five six seven eight nine ten dozen dozens hundred hundreds thousand".split())
# After a noun phrase, words that show it goes on: "their right to sue", "the answers he got".
_CUT_SHORT = frozenset("to of that who which i we you he she they it".split())
# Prepositions after an evaluative word that name what it is about: "grateful to X".
_ADJ_PREPS = frozenset("of about with in toward towards over on".split())  # not "to": "ready to use"
# Heads that are no issue: times, amounts, people in general, vague nouns, pronoun-like words.
_NOT_ISSUES = frozenset(
    """year years month months week weeks day days decade decades hour hours minute minutes time
    times moment today tonight tomorrow yesterday morning night way ways lot lots thing things
    one ones kind sort part number bit people person everyone everybody anyone anybody someone
    somebody something anything everything nothing reason reasons point points fact case cases
    sense matter matters issue issues mind opinion view""".split())


_OBLIQUE = re.compile(
    r"\b(?:of|for|with|by|to|from|since|than|about|against|like|at|on|in|over|toward|towards|among|between)"
    r"\s+(?:the\s+)?$", re.IGNORECASE)
_AFTER_PREPOSITION = re.compile(
    r"\b(?:of|for|with|by|to|from|since|than|about|against|like|at|on|in|as|and|or)\s+(?:the\s+)?$", re.IGNORECASE)


def _people(text: str, mentions: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """The mentions of persons (_is_person), less any name the text writes with a definite
    article at least half the time: a person's name takes none, so "the Daily Beast", "the
    White House" and "the Islamic State" are no one he/she/him/her can stand for ("the
    Clinton campaign" now and then does not make Clinton a thing)."""
    persons = [m for m in mentions if _is_person(m[2])]
    named, with_article = Counter(), Counter()
    for s, _e, t in persons:
        named[t] += 1
        if text[max(0, s - 4):s] in ("the ", "The ") and (s < 5 or not text[s - 5].isalpha()):
            with_article[t] += 1
    return [m for m in persons if 2 * with_article[m[2]] < named[m[2]]]


# He/she resolution by gender (_Context._gender_of): the pronouns, and how far after a name the
# first one still counts as a vote for that name's gender.
_PRONOUN_GENDER = {"he": "m", "him": "m", "his": "m", "he's": "m", "she": "f", "her": "f", "hers": "f",
                   "she's": "f"}
_GENDERED = re.compile(r"\b(?:he|him|his|she|her|hers)\b")
GENDER_REACH = 200
_ANY_QUOTE_MARK = re.compile("[\"“”]")
def _sentence_start(low: str, pos: int) -> int:
    """Where the sentence holding `pos` starts (after the last . ! ? and space, or line break,
    at most 400 characters back; 0 when there is none)."""
    m = _LAST_BREAK.match(low, max(0, pos - 400), pos)
    return m.end() if m else 0


_LAST_BREAK = re.compile(r"(?s:.*)(?:[.!?][\"”’']?\s|\n)")  # greedy: the last sentence break

# Before a name in the clause that leads into a quote: the one the speaker tells, not what the
# quote evaluates ("complained to CBS's X that", "told X", "in an interview with X").
_ADDRESSEE = re.compile(r"\b(?:to|told|tell|tells|telling|asked|asks|with)\s+(?:[A-Z][\w.'’-]*\s+){0,4}$")
_PREPOSITIONS = frozenset(
    "of for with by to from since than about against like at on in over toward towards among between into".split())
# Words of feeling (data/experiencer_words.txt) and the prepositions that name what is felt about.
_FEELING_PREPS = frozenset("with about by of at over to toward towards in".split())


@functools.lru_cache(maxsize=1)
def _experiencer_words() -> frozenset:
    """The words of feeling whose subject is the one who feels (data/experiencer_words.txt)."""
    path = Path(__file__).parent.parent / "data" / "experiencer_words.txt"
    with open(path, encoding="utf-8") as f:
        return frozenset(line.strip() for line in f if line.strip() and not line.startswith("#"))




@functools.lru_cache(maxsize=4096)
def _is_person(name: str) -> bool:
    """A canonical target that names a person: two or more capitalised words, no acronym,
    not a country or an organisation ("Ahmed Helal", "George W. Bush", not "BFMTV",
    "Facebook", "Fox News"). An initial ("W.") is no acronym."""
    words = name.split()
    return (len(words) >= 2 and name not in ALIASES and words[-1] not in ORG_WORDS
            and all(w[:1].isupper() and not (len(w) > 1 and w.isupper() and not _INITIAL.fullmatch(w))
                    for w in words))


_INITIAL = re.compile(r"[A-Z]\.")


def _drop_contained(spans: list[dict]) -> list[dict]:
    """The spans that no longer span contains, in their order. One sweep by start (ends
    descending): a span is inside a longer one exactly when some span before it in that order,
    other than its own duplicates, reaches its end. Linear after the sort, so a quote with
    thousands of stances costs no more than their number."""
    order = sorted(range(len(spans)), key=lambda k: (spans[k]["start"], -spans[k]["end"]))
    dropped, reach, k = set(), -1, 0
    while k < len(order):
        s, e = spans[order[k]]["start"], spans[order[k]]["end"]
        group = k
        while k < len(order) and (spans[order[k]]["start"], spans[order[k]]["end"]) == (s, e):
            k += 1
        if reach >= e:
            dropped.update(order[group:k])
        reach = max(reach, e)
    return [st for n, st in enumerate(spans) if n not in dropped]
