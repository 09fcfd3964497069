"""Reading cues: what the frames of frames.py need to know about a cue verb in its sentence.

A cue from the lexicon (cues.py, lexicons/quotes/cue_verbs.txt) is read as a verb, a noun or a
passive (`_verb_reading`); its source is the subject before it, an inverted subject after it or
the subject of its clause (`read_cues`); its content is the complement after it — a clause, a
to-infinitive or an object, by the cue's kind (`_content_after`) — or the clause before a
sentence-final ", X said" (`_parenthetical_rest` finds the clause going on after it).
"""

from __future__ import annotations

import re

from .clauses import _PROGRESSIVE, _STRIP, _words, clause_subject, sentence_subject
from .cues import (
    DIRECT_PARTICIPLES,
    FORMS,
    PHRASAL,
    SPEECH_LEMMAS,
    SPEECH_WORDS,
    cue_lemma,
    find_cues,
    verb_forms,
    word_alternation,
)
from .lexicon import listed, pattern, table, words
from .speakers import ROLE_WORDS, appositive_after, is_ly_adverb, speaker_after, speaker_before
from .text import trim


def _cut_before(cuts: list[int], pos: int, floor: int) -> int:
    """The last cut point before `pos`, or `floor` (the same as max([floor, *(c < pos)]))."""
    best = floor
    for c in cuts:
        if best < c < pos:
            best = c
    return best


def _cut_after(cuts: list[int], pos: int, ceiling: int) -> int:
    """The first cut point after `pos`, or `ceiling` (the same as min([ceiling, *(c > pos)]))."""
    best = ceiling
    for c in cuts:
        if pos < c < best:
            best = c
    return best


def _either_case(word: str) -> str:
    """A regex for `word` with its first letter in either case ("when" -> "[Ww]hen")."""
    return f"[{word[0].upper()}{word[0]}]{word[1:]}"


# Words that open a that/wh complement clause.
_CLAUSE_START = re.compile(pattern("clause_words", "complement") + r"\b", re.IGNORECASE)
_SUBJECT_START = re.compile(pattern("clause_subjects", "pronoun") + r"\b", re.IGNORECASE)
# What may open a that-clause reached over an adjunct, or a noun's: a subject, not a verb.
_THAT_SUBJECT = re.compile("(?:" + "|".join(listed("clause_subjects")) + "|[A-Z0-9])")
# A finite verb or auxiliary early in a bare clause ("found the plan was flawed").
_FINITE = re.compile(r"\b" + pattern("finite_verbs") + r"\b")
_NP_START = re.compile("(?:" + "|".join(listed("clause_subjects", "np")) + r"|[A-Z][a-z]+)\b")
_TO_INF = re.compile(r"to\s+(?:not\s+)?(?:[“\"‘]|'')?[a-z]")  # "to run", 'to "bring jobs back"'
# Adjuncts that may stand between a speech verb and its clause, or after a final ", X said".
_ADJUNCT_START = re.compile(
    "(?:" + "|".join(listed("time_words", "adjunct")) + r"|this\s+" + pattern("time_words", "this") + r")\b"
)
_RECIPIENT_VERBS = words("recipient_verbs")
_NAMING_VERBS = words("recipient_verbs", "names")


_RECIPIENT = re.compile(r"((?:[\w.’'-]+\s+){0,4}?[\w.’'-]+)\s*[,:]?\s*(?=(?:that|to|about|of)\b|[“\"])")
# An object and what it is called: "called the deal a gift (to executives)": no recipient.
# An object, then "with" and a quotation: 'responds to Omar Lind with, “Why now?”' says the quotation.
_WITH_QUOTATION = re.compile(r"[^,;:.!?“”\"]{1,80}?\s+with\s*[,:]\s*[“\"]")
# A subject pronoun after the first word of a would-be recipient ("Thor he'd have").
_SUBJECT_AFTER_RECIPIENT = re.compile(r"\S\s+((?:he|she|they|we|i|it|you)(?:['’](?:d|s|ll|re|ve))?)\s", re.IGNORECASE)
_PREDICATE_NOUN = re.compile(r"\w(?<!\bof)(?<!\bfor)(?<!\bin)(?<!\bwith)\s+(?:a|an)\s")
_COMMA = re.compile(r"[,;]")
# An aside set off by commas right after a cue: ", however,", ", once again,", ", in a statement,".
_ASIDE_AFTER_CUE = re.compile(r"(?:" + pattern("asides") + r"|(?:once\s+)?again|in\s+[^,;:.!?“”\"]{1,50}?)\s*,\s*")
_LEAD_PUNCT = re.compile(r"\s*[:,]?\s*")
_POSSESSIVE_WORD = re.compile(r"(?:(?:last|next|this|past)\s+)?\w+['’]s\b")  # "Thursday's", "last week's"
_UNTIL_THAT = re.compile(r"[^.;:!?“”\"]{0,140}?\bthat\b")
# A noun phrase with its determiner right before "that" ("in a post that", not "on Tuesday that").
_NOUN_BEFORE_THAT = re.compile(r"\b(?:a|an|the|his|her|their|its|our)\s+(?:[\w’'-]+\s+){0,2}[a-z][\w’'-]*\s+$")
# "that" opening a relative clause of the noun before it: its verb follows at once ("a post that was deleted").
_RELATIVE_THAT = re.compile(r"\s+(?:(?:has|have|had)\s+(?:since\s+|already\s+|not\s+)?been|was|were|is|are|"
                            r"(?:has|have|had)\s+(?:since|already|not)|will\s+be|would\s+be)\b")
_OBJECT_PRONOUN = re.compile("(" + "|".join(listed("object_pronouns", "recipient")) + r")\b")
# A recipient of "told" in lower-case words, an adjunct perhaps, then "that": "parliament on Monday that".
_TOLD_THAT = re.compile(r"[a-z][\w’'-]*(?:\s+[\w’'-]+){0,4}?\s+(?=that\b)")
_TIME_ADJUNCT = re.compile(
    r"(?:\s+" + pattern("time_words", "time-prep") + r"?\s*" + pattern("time_words", "time") + r")+\b"
)
_AS_CUE = re.compile(r"(?:^|[\s,(])[Aa]s\s+$")
_PRONOUN_OBJECT = words("object_pronouns")


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
    if sp is not None and (text[sp[1]:cue_start] == " to " or _TIME_THEN_TO.fullmatch(text, sp[1], cue_start)) and (
            _LETTER.search(text, sp[0], sp[1]) is None  # "voted 7-4 on Tuesday to reject": a tally
            or (_POSSESSED_NOUN.fullmatch(text, sp[0], sp[1]) and text[sp[0]:sp[1]].split()[-1].lower() not in ROLE_WORDS)
            or _previous_word(text, max(floor, sp[0] - 12), sp[0])[1] in _OBJECT_PREPOSITIONS
            or (_PAST_VERB.fullmatch(_previous_word(text, max(floor, sp[0] - 20), sp[0])[1])  # "mounted a campaign"
                and text[sp[0]:sp[1]].split()[0].lower() in _OBJECT_DETERMINERS)):
        # "Comey did go out of his way to criticize ...", "her decision to attack ...", "went on CNN
        # to declare ...", "has mounted a campaign to condemn ...": the owner's noun phrase, a
        # preposition's object or a verb's is no speaker; the sentence's subject is
        sp = sentence_subject(text, sp[0], floor) or (sp if _LETTER.search(text, sp[0], sp[1]) else None)
    return sp


_LETTER = re.compile(r"[^\W\d_]")


# "... City Hall Wednesday to assail", "... on CNN on Sunday to declare": a time between the object and "to".
_TIME_THEN_TO = re.compile(r" (?:on )?" + pattern("time_words", "time") + r" to ")
_OBJECT_DETERMINERS = frozenset({"a", "an", "the"})
# One-word objects that name nothing evaluated ("support everything", "criticized everyone") or
# are adverbs of time and place ("pushed online", "waited months").
_FUNCTION_OBJECTS = frozenset({"everything", "anything", "nothing", "something", "everyone", "anyone", "someone",
                               "nobody", "everybody", "somebody", "anybody", "themselves", "himself", "herself",
                               "itself", "yourself", "ourselves", "myself", "another", "others", "whatever",
                               "online", "months", "weeks", "years", "decades", "tonight", "today"})
# A short adjunct, then a clause with a subject pronoun: "in politics it takes", "at that point they had".
_ADJUNCT_THEN_PRONOUN = re.compile(r"[a-z]+\s+[^,.;:!?“”\"()]{1,40}?\s(?:he|she|it|they|we|I|you)\s+[a-z’']+")
_OBJECT_PREPOSITIONS = frozenset({"on", "in", "at", "into", "onto", "to", "from", "with", "before", "through"})


# "his way", "their effort": a possessive pronoun and one or two lowercase words.
_POSSESSED_NOUN = re.compile(r"(?:his|her|their|its|our|my)(?:\s+[a-z][\w-]*){1,2}")


# Cue lemmas whose bare and -s forms are usually nouns ("the state", "his support", "a call").
_NOUNISH = words("nounish_cues")
_SUBJECT_BEFORE = words("verb_markers")
# A regular past tense opening a predicate: "-ed" and then a preposition, a number, an adverb or a stop
# ("claims jumped after the storm", "shares dropped sharply", "shares rallied 4%"); not "-ed" before a
# noun, where it is the object's adjective ("the survey shows increased support").
_PAST_PREDICATE = re.compile(r" +[a-z]+ed(?:[ ,.;:]+(?:by|to|from|in|on|after|at|for|since|over|as|more|less|"
                             r"about|nearly|almost|[a-z]+ly|\d)\b|[,.;:])")


def _predicate_follows(text: str, start: int, end: int, lo: int, lemma: str) -> bool:
    """Whether a predicate opens right after a cue word in -s (text[start:end]): the word is then
    the head of the subject ("Apple shares fell 3%"), not a verb ("she shares the view").

    An auxiliary or "and" counts only after a cue that is a noun as often as a verb (nounish_cues.txt)
    or that takes no clause ("shares", "emails"): after "says" or "believes" it opens the clause
    whose subject was moved before the cue ("the ones State now says are ...", "a cause he believes
    will define him"), as it does after a relative word ("a move that the kingdom hopes will ...").
    """
    m = _NEXT_WORD.match(text, end)
    if m is None:
        return False
    after = FORMS.get(m.group(1))
    if after is not None and lemma in _NOUNISH and m.group(1) in (verb_forms(after[0])[2], after[0]):
        return True  # "official figures showed ...", "the reports said ...", "consumer advocates say ...": a cue after the noun
    tags = _PREDICATE_TAGS.get(m.group(1))
    if tags is not None:
        if "aux" not in tags:
            return True
        kinds = cue_lemma(text[start:end].lower())[1]
        return (lemma in _NOUNISH or not ({"any", "clause"} & set(kinds))) \
            and _RELATIVE_BEFORE.search(text, max(lo, start - 50), start) is None
    return _PAST_PREDICATE.match(text, end) is not None


_NEXT_WORD = re.compile(r" +([a-z]+)\b")
# "a Facebook group called", "one PAC called", "a newly formed super PAC called": an indefinite
# noun phrase whose head is a thing that bears a name (named_heads.txt), right before "called".
_NAMING_BEFORE = re.compile(r"\b(?:[Aa]n?|[Oo]ne)\s+(?:[\w’'-]+\s+){0,3}?(?i:" + pattern("named_heads") + r")s?\s+$")
# A plural noun right before a participle cue ("voters supporting", "Republicans opposing").
_PLURAL_BEFORE = re.compile(r"(?<![\w’'])[A-Za-z][a-z]+[a-rt-z]s\s+[a-z]+ing$")
# A subject pronoun starts a clause of its own ("backing whether it will"); after a determiner
# "will" is a noun ("to back the will of voters").
_NOT_BEFORE_PREDICATE = frozenset({"i", "you", "he", "she", "it", "we", "they", "who", "this", "that", "the", "a",
                                   "an", "his", "her", "their", "its", "our", "my", "your"})
_CLOSING_PUNCTUATION = (",", ".", ";", ":", ")")
# A finite verb after an object noun phrase: the predicate of the sentence the object is inside.
_PREDICATE_AFTER_OBJECT = re.compile(r"(?<=[\w.’'])\s+(?:was|were|is|are|has|have|had|will|would|can|could|should|may|might|must)\b")
# Endings of words that are adjectives far more often than nouns ("presidential", "divisive").
_ADJECTIVE_SUFFIXES = ("al", "ic", "ive", "ous", "ary")
# A lowercase word that is no determiner, pronoun or preposition: after "Republican nominating" a noun.
_NEXT_NOUN = re.compile(r" +(?!(?:the|a|an|his|her|their|its|our|my|your|this|that|these|those|him|them|us|me|it|to|for|of|on|in|at|with|by|as|about|from|into|and|or|but)\b)[a-z]+s?\b(?! +(?:the|a|an|his|her|their)\b)")
_SINGULAR_VERB = re.compile(r" +(?:was|is|has)\b")
_PREDICATE_TAGS = table("predicate_starts")
# "that the kingdom hopes", "which he estimates", "what it hopes": up to four words after the relative word.
_RELATIVE_BEFORE = re.compile(r"\b(?:that|which|what|who|whom)\s+(?:[\w.’'-]+\s+){1,4}$")
# Adjective endings: "Republican claims", "political support", "federal rules" are nouns.
_ADJ_END = re.compile(pattern("adjective_endings") + "$")
_COORD_BEFORE = re.compile(r"[^;]\s+(?:and|but)\s+(?:" + pattern("adverbs", "coordinated") + r"\s+)?$")


def _coordinated(text: str, lo: int, cue: int) -> bool:
    """True when an "and"/"but" right before `cue` coordinates it with a verb before
    (_COORD_BEFORE, tried only when one of the two words is there at all)."""
    if text.find("and", lo, cue) < 0 and text.find("but", lo, cue) < 0:
        return False
    return _COORD_BEFORE.search(text, lo, cue) is not None


# A bare clause's verb ("think the argument reveals ...") and an "X as Y" frame ("sees Cruz as a uniter").
_BARE_VERB = re.compile(r"(?:[\w’'-]+\s+){1,6}?(?:[a-z]{3,}(?:ed|es|s))\s+(?:the|a|an|to|that|it|him|her|them|[a-z]+ly)\b")
_AS_FRAME = re.compile(r"(?:[\w’'-]+\s+){1,6}?as\s")
_BE = words("be_verbs", "passive")


_WORD_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_’'.-"


def _previous_word(text: str, lo: int, end: int) -> tuple[int, str]:
    """(start, word) of the word that ends just before `end` (spaces skipped), or (end, '')."""
    before = text[lo:end].rstrip(" \t")  # str.rstrip: the walk back over characters runs in C
    word = before[len(before.rstrip(_WORD_CHARS)):]
    return (lo + len(before) - len(word), word) if word else (end, "")


_NEGATION = words("adverbs", "verb")


# Verbs (and time words) that make "back" an adverb: "bring the jobs back", "fought back".
_BACK_VERBS = words("back_verbs")


def _no_comma_near(text: str, ss: int, pos: int) -> bool:
    """No comma in the five words before `pos` in its sentence: a cue there does not close ", a
    new poll shows." ("With that issue unresolved, the agency has not been using social media
    references, officials said": the comma is far, "references" a noun)."""
    comma = text.rfind(",", ss, pos)
    return comma < 0 or _words(text, comma, pos) > 6


# Cue verbs whose object comes before a preposition ("accused X of"): lemma -> the prepositions.
_OBJECT_FIRST = {lemma: tuple(p.strip() for p in preps) for lemma, preps in table("object_first_verbs").items()}
_HAVE = frozenset({"has", "have", "had", "having"})
_SUBJECT_PRONOUNS = frozenset({"he", "she", "they", "we", "i", "you", "it"})
# A relative word and the subject after it: "which French President François Hollande".
_RELATIVE_OBJECT = re.compile(r"\b(?:that|which|who|whom)\s+(?:[^\s,;:]+\s+){1,5}$")


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
    while word and (is_ly_adverb(word) or (word.islower() and word in _NEGATION)):
        at, word = _previous_word(text, lo, at)
    low = word.lower()
    if low in _BE and (form.endswith(("ed", "en", "wn")) or form in _PARTICIPLES):
        return "passive"
    if form.endswith("ed") and lemma in _OBJECT_FIRST and low not in _HAVE \
            and any(text.startswith(f" {p} ", m.end()) for p in _OBJECT_FIRST[lemma]) \
            and not ((word[:1].isupper() or low in _SUBJECT_PRONOUNS)
                     and _RELATIVE_OBJECT.search(text, max(ss, m.start() - 60), m.start())):
        # "Tech firm accused of spying", "Mayor criticized for delays": no object, no auxiliary ("a
        # group which Hollande blamed for the attacks": the object is the relative word, the verb active)
        return "passive"
    if ("'" in low or "’" in low) and _CONTRACTED.match(low):
        return "verb"  # "he's predicting", "she’d support"
    followed_by_that = text.startswith(" that ", m.end())
    if low in {"that", "which", "who"} and form != lemma:
        return "verb"  # "a paper that found ...", "a bill which favors ..."
    if low in _NOUN_DETERMINERS \
            or low.endswith(("’s", "'s")):
        return "noun"  # "the state", "Trump's promise", "a stated goal"
    if form == "called" and _NAMING_BEFORE.search(text, max(ss, m.start() - 50), m.start()):
        return "noun"  # "a group called Stop Hillary": the thing's name, no attribution
    if form.endswith("ing") and word.isalpha() and (low.endswith(_ADJECTIVE_SUFFIXES) or low == "republican") \
            and _NEXT_NOUN.match(text, m.end()):
        return "noun"  # "the Republican nominating contest", "divisive nominating contests": a modifier
    if form.endswith("ing") and _NOUN_ENDS.match(text, m.end()) and _modifies_noun(text, lo, at, word):
        return "noun"  # "a new voting law", "a new state voting law": a modifier after the determiner
    if lemma == "back" and (low in _BACK_VERBS or text[m.end():m.end() + 1] in ",.;:!?)" or low[:1].isdigit()):
        return "noun"  # "bring these jobs back", "came back", "two years back": an adverb
    if form != lemma and form.endswith("s") and _predicate_follows(text, m.start(), m.end(), ss, lemma):
        return "noun"  # "Apple shares fell 3%", "jobless claims have doubled"
    if lemma in _NOUNISH and form == lemma and _SINGULAR_VERB.match(text, m.end()) \
            and _RELATIVE_BEFORE.search(text, max(ss, m.start() - 50), m.start()) is None:
        return "noun"  # "the jobs report was released": a singular verb after the bare form
    if form == lemma and m.group(0).islower() and lemma in ROLE_WORDS and low not in _SUBJECT_BEFORE \
            and not followed_by_that and _NAME_AFTER.match(text, m.end()):
        return "noun"  # "Olympic champion Sara Lind said", "consumer advocate Ralph Nader": a role before a name
    if lemma in _NOUNISH and form in (lemma, lemma + "s", lemma + "es"):
        if form != lemma and text[m.end():m.end() + 1] in _CLOSING_PUNCTUATION and low not in _SUBJECT_BEFORE \
                and _no_comma_near(text, ss, m.start()):
            # "After the Paris attacks, Trump ...", "Cost estimates, he added, ...": a verb here would
            # have no object (", a new poll shows." has its content before the comma: a verb)
            return "noun"
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


# A capitalised name of two words or more right after a word ("champion Sara Lind").
_NAME_AFTER = re.compile(r" [A-Z][a-z]+(?:-[A-Z][a-z]+)? (?:[A-Z]\. )?[A-Z][a-z]+\b")
# One lowercase noun after an -ing modifier, then the phrase ends ("a new voting law, saying", "a
# new voting law is"): no object and what follows it ("a statement expressing optimism about").
_NOUN_ENDS = re.compile(r" +(?!(?:he|she|they|we|it|i|you|there)\b)[a-z]+\b(?:[,.;:)]|\s+" + pattern("finite_verbs") + r"\b)")
# Determiners that open a noun phrase ("a new voting law"): "that" and "this" may end a clause.
_FUNCTION_WORDS = words("function_words")
_PHRASE_DETERMINERS = frozenset("a an the his her their its our my your".split())


def _modifies_noun(text: str, lo: int, at: int, word: str) -> bool:
    """Whether the -ing cue form after `word` (starting at `at`) stands inside a noun phrase: one
    or two lowercase words that are no plural nor function word ("new", "new state") follow its
    determiner ("a new voting law", not "The members voting")."""
    for _ in range(2):
        if not (word.isalpha() and word.islower()) or word.endswith(("s", "ly")) or word in _FUNCTION_WORDS:
            return False
        at, word = _previous_word(text, lo, at)
        if word.lower() in _PHRASE_DETERMINERS:
            return True
    return False


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


def _clause_end(text: str, s: int, e: int) -> re.Match | None:
    """_CLAUSE_END.search(text, s, e); each of its matches holds a comma or an -ing word, so a
    stretch with neither is not scanned."""
    if text.find(",", s, e) < 0 and text.find("ing", s, e) < 0:
        return None
    return _CLAUSE_END.search(text, s, e)


_ADJUNCT_UNTIL_CLAUSE = re.compile(r"[^,.;:!?“”\"]{0,50}?\s(" + pattern("clause_words", "content") + r"\s)")


_RECIPIENT_ONLY = words("recipient_verbs", "only")
_CLAUSE_SPEECH = words("clause_speech")
_QUOTE_MARKS = frozenset("\"“‘«")


def _has_cue_verb(content: str) -> bool:
    """A cue verb's finite form after the content's first word, not right after a determiner:
    the content is a clause ("told reporters [the footage showed an attack]", "[the data shows a
    rise]"), not a recipient ("asked [the real estate mogul]", "told voters [his plans]")."""
    words = content.lower().split(None, 6)[:6]
    for k in range(1, len(words)):
        w = words[k].strip(",.;:!?\"”’'")
        if words[k - 1] in _NOUN_DETERMINERS or words[k - 1].endswith(("'s", "’s")):
            continue  # "his plans", "Carson's comments": a noun
        form = FORMS.get(w)  # a cue verb's finite form: "showed", "found", "shows"
        if form is not None and w != form[0] and not w.endswith("ing"):
            return True
    return False


# A preposition of the cue's verb group before its object ("speculated freely about X"): the
# content starts after it.
_VERB_GROUP_PREP = re.compile(r"(?:[a-z]{3,}ly\s+|often\s+)?(" + pattern("verb_group_prepositions") + r")\s+(?=[\w“\"‘'])")
_SPEECH_PREPS = words("verb_group_prepositions", "speech")


# The main verb of the sentence after a relative clause or an appositive that holds the cue ("John
# Ruiz, who backed a climate policy, said ...", "Ana Lopez, a writing professor, said ..."): the
# cue's content ends at its comma.
_MAIN_VERB_AFTER = re.compile(r",[\"”’']{0,2}\s+(?:[a-z]+ly\s+)?" + word_alternation(
    f for lemma in ("say", "tell", "add", "write") for f in verb_forms(lemma)[1:3]) + r"\b")
# An appositive noun phrase that ends a content ("..., a charge she has always denied").
_FINAL_APPOSITIVE = re.compile(r",\s+(?:a|an)\s[^,;:“”\"]*$")


_CLOSING_AFTER_COMMA = re.compile(r"[\"”’']{1,2}(?=\s)")


def _cut_at(cut: re.Match) -> int:
    """Where a clause ends at a _CLAUSE_END/_OBJECT_END match: after a quotation's own closing
    mark ('called it "a giveaway," while ...'), else at the match."""
    if cut.group("q"):
        return cut.start() + 1 + len(cut.group("q"))
    return cut.start()


def _content_after(text: str, pos: int, se: int, lemma: str, kinds: set[str]) -> tuple[int, int] | None:
    """The complement of a cue that ends at `pos`, up to `se` (already cut at clause ends)."""
    cue_end = pos
    while pos < se and text[pos] == " ":
        pos += 1
    kind = None
    for particle in PHRASAL.get(lemma, ()):
        if text.startswith(particle + " ", pos, se) \
                and not _WITH_QUOTATION.match(text, pos + len(particle) + 1, se):
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
        elif rec is None and not _CLAUSE_START.match(text, pos):
            # "told parliament (on Monday) that ...": a bare noun the speaker finder does not read
            told = _TOLD_THAT.match(text, pos, se)
            if told and _THAT_SUBJECT.match(text, told.end() + 5):  # "that the deal ...", not "that moved ..."
                pos = told.end()
    elif kind is None and lemma in _RECIPIENT_VERBS:
        m = _RECIPIENT.match(text, pos, se)
        # a finite verb after its first word makes it a clause ("warned it was too early to cut")
        finite = m and _FINITE.search(m.group(1), m.group(1).find(" ") + 1 or len(m.group(1)))
        if m and not _COMMA.search(m.group(1)) and not _CLAUSE_START.match(m.group(1)) \
                and not finite \
                and m.group(1) != "to" and not (lemma in _NAMING_VERBS and _PREDICATE_NOUN.search(m.group(1))) and (
                _CLAUSE_START.match(text, m.end()) or _TO_INF.match(text, m.end()) or lemma not in _NAMING_VERBS and (
                    text[m.end() - 1] in ":“\"" or text[m.end():m.end() + 1] in ("“", '"'))):
            pos = m.end()
        elif finite and not _COMMA.search(m.group(1)) and not _CLAUSE_START.match(m.group(1)):
            # "warned it was too early to cut": a clause, no recipient; "reminded Thor he'd have to
            # earn": the recipient ends before the clause's subject pronoun
            subject = _SUBJECT_AFTER_RECIPIENT.search(m.group(1), 0, finite.start())
            if subject:
                pos = m.start(1) + subject.start(1)
    m = _LEAD_PUNCT.match(text, pos, se)
    if m and "," in m.group(0):
        aside = _ASIDE_AFTER_CUE.match(text, m.end(), se)
        if aside:
            m = aside  # "argued, however, that ...", "described, in blistering terms, a set of ..."
    pos = m.end() if m else pos
    if kind is None and ("object" in kinds or "any" in kinds):
        prep = _VERB_GROUP_PREP.match(text, pos, se)
        if prep and ("object" in kinds or prep.group(1) in _SPEECH_PREPS):
            pos, kind = prep.end(), "object"  # "advocated for X", "wrote about X": X is the content
    if kind is None and "any" not in kinds and _ADJUNCT_START.match(text, pos) and not _TO_INF.match(text, pos):
        # "questioned in recent days whether ...": a short adjunct, then the clause
        m = _ADJUNCT_UNTIL_CLAUSE.match(text, pos, se)
        if m and _THAT_SUBJECT.match(text, m.end(1)):
            pos = m.start(1)
    if kind is None:
        if "any" in kinds:
            # Skip an adjunct before a that-clause ("said on Tuesday that ..."); a time word with
            # its possessive opens the clause ("said Thursday's speeches have led her to ...").
            adjunct = _ADJUNCT_START.match(text, pos) and not _POSSESSIVE_WORD.match(text, pos)
            m = _UNTIL_THAT.match(text, pos, se) if adjunct else None
            while m and _RELATIVE_THAT.match(text, m.end()) \
                    and _NOUN_BEFORE_THAT.search(text, max(pos, m.end() - 60), m.end() - 4):
                # "wrote in a post that was later deleted (that ...)": "that" with its verb right
                # after it is a relative clause of the adjunct's noun; the complement's "that" is later
                m = _UNTIL_THAT.match(text, m.end(), se)
            if m:
                pos = m.end() - 4
            elif adjunct and not _TO_INF.match(text, pos):
                adj = _TIME_ADJUNCT.match(text, pos - 1, se)
                if adj and (_SUBJECT_START.match(text, adj.end() + 1) or (
                        _NP_START.match(text, adj.end() + 1) and _FINITE.search(text, adj.end(), min(se, adj.end() + 60)))):
                    pos = adj.end() + 1  # "said Wednesday he agrees ...": a time adjunct, then the clause
                elif not _ADJUNCT_THEN_PRONOUN.match(text, pos, se):
                    return None
                # else "said in politics it takes time ...": the adjunct belongs to the content
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
        if text.endswith("ing", 0, cue_end) and _PLURAL_BEFORE.search(text, max(0, cue_end - 40), cue_end):
            # "Voters supporting Trump were angry": a participle after its plural noun; its object
            # (a short noun phrase) ends where the sentence's own verb comes
            verb = _PREDICATE_AFTER_OBJECT.search(text, s, min(e, s + 40))
            if verb and not _CLAUSE_START.match(text, s) and _words(text, s, verb.start()) <= 4 \
                    and not _RELATIVE_WORDS.search(text, s, verb.start()) \
                    and _previous_word(text, s, verb.start())[1].lower() not in _NOT_BEFORE_PREDICATE:
                s, e = trim(text, s, verb.start(), _STRIP)
    else:
        # A clause ends before a comment on it or a new predicate ("..., which raised concerns",
        # "..., while emphasizing ...", "... before predicting ...").
        cut = _clause_end(text, s, e)
        if cut and _words(text, s, cut.start()) >= 2:
            s, e = trim(text, s, _cut_at(cut), _STRIP)
    main = _MAIN_VERB_AFTER.search(text, s, e)
    if main and main.start() > s:
        s, e = trim(text, s, main.start(), _STRIP)  # "X, who backed a climate policy, said ...": the main verb
    final = _FINAL_APPOSITIVE.search(text, s, e)
    if final and _words(text, s, final.start()) >= 3:
        e = final.start()  # "..., a charge she has always denied": the author's comment on it
    if e <= s:
        return None
    content = text[s:e]
    # split(None, n): the first words are enough to count up to a small bound (contents run long).
    if kind == "any" and lemma in _RECIPIENT_ONLY and len(content.split(None, 6)) <= 5 \
            and not (_FINITE.search(content) or _CLAUSE_START.match(content) or _TO_INF.search(content)
                     or _has_cue_verb(content)):
        return None  # "Todd asked the real estate mogul.": a recipient, not what was said
    if kind == "any" and lemma in _CLAUSE_SPEECH and not (
            _FINITE.search(content) or _CLAUSE_START.match(content) or _SUBJECT_START.match(content)
            or _QUOTE_MARKS.intersection(content)
            or text[max(0, s - 2):s].strip() == ":"):
        return None  # "voted to add bike lanes", "added 300 jobs": a thing added, nothing said
    period = _PERIOD_OBJECT.match(content) if kind == "object" else None
    if period:
        # "protested on Monday", "rallied over the weekend (in Paris)": a time, no object; "protested
        # Monday against the plan": the object follows the verb group's preposition
        rest = _VERB_GROUP_PREP.match(text, s + period.end() + 1, e)
        if rest is None or _PERIOD_OBJECT.match(text, rest.end(), e):
            return None
        s = rest.end()
        content = text[s:e]
    work = _a_work_alone(text, s, e) if "works" in kinds and kind in ("object", "any") else None
    if work is not None:
        if work < 0:
            return None  # "He writes a monthly column for this newspaper": the work, not what it says
        s = work  # "wrote an opinion piece on pay inequity": what it is about
        content = text[s:e]
    if ("plan" in kinds or "things" in kinds) and kind in ("object", "any") and _names_a_thing(text, s, e, cue_end, kinds):
        return None  # "unveiled a new robot", "recalled 40,000 tablets": a thing, not what was said
    if kind == "object" and content.split(None, 1)[0].lower() in _NO_OBJECT:
        return None  # "showed up in the flesh", "as she showed in the debates", "a show and is ..."
    if kind == "object" and content.split(None, 1)[0].lower() in _PRONOUN_OBJECT and len(content.split(None, 3)) < 3:
        return None
    if len(content.split(None, 2)) < 2 and not (kind == "object" and content.isalpha() and (
            content[:1].isupper() or (len(content) > 5 and "any" not in kinds and content.lower() not in _FUNCTION_OBJECTS
                                      and not content.endswith("ly")))) \
            and not (lemma == "say" and content.lower() in ("yes", "no")):
        return None  # (one lowercase word is content only as the object of an evaluation: "oppose abortion")
    return s, e


_PLAN_NOUNS = words("plan_nouns")
# Where the noun phrase of an object ends: a preposition, a relative word, a participle or a stop.
_HEAD_END = re.compile(r"\s+(?:of|for|to|on|in|at|with|about|from|by|over|as|after|that|which|who|whose|featuring|"
                       r"including)\b|\s*[,;:.!?(—–-]\s")
# A count opening an object: "40,000 tablets", "about 2 million cars", "thousands of phones".
_COUNT = re.compile(r"(?:(?:about|nearly|almost|roughly|some|more\s+than|over|up\s+to)\s+)?"
                    r"(?:\d|(?:dozens|hundreds|thousands|millions)\s+of\b)", re.IGNORECASE)
# What a bare noun phrase may not start with: a determiner, a possessive, a quantifier or a pronoun.
_NOT_BARE = _NOUN_DETERMINERS | words("possessives") | words("opening_quantifiers") | _PRONOUN_OBJECT \
    | frozenset({"these", "those", "what", "how", "when", "where", "why", "who", "whether", "if", "one", "each",
                 "every", "any", "all"})


def _names_a_thing(text: str, s: int, e: int, cue_end: int, kinds: set[str]) -> bool:
    """Whether text[s:e], the object of a cue that handles things as well as words (cue_verbs.txt
    tags "plan" and "things"), names a thing: with "plan" a noun phrase whose head is no noun of a
    plan or message ("unveiled a new robot", not "unveiled a proposal to ..."); with "things" a count
    or, after a finite form, a bare lowercase noun ("recalled 40,000 tablets", "recalls tablets over
    fires"), not a noun phrase with its determiner, a name, a gerund or a clause ("recalled the
    meeting", "recalled how ...", "recalling sitting in on ...")."""
    if _CLAUSE_START.match(text, s) or _FINITE.search(text, s, min(e, s + 60)):
        return False
    if "plan" in kinds:
        end = _HEAD_END.search(text, s, e)
        head = text[s:end.start() if end else e].split()[-1:]
        word = head[0].lower().strip("\"“”’'") if head else ""
        return not (word in _PLAN_NOUNS or (word.endswith("s") and word[:-1] in _PLAN_NOUNS))
    if _COUNT.match(text, s):
        return True
    first = text[s:e].split(None, 1)[0]
    at, form = _previous_word(text, max(0, cue_end - 20), cue_end)
    if form[:1].isupper() and _previous_word(text, max(0, at - 30), at)[1][:1].isupper():
        first = first.lower()  # a headline in title case: "Retailer Recalls Tablets Over Fires"
    return not form.endswith("ing") and first.isalpha() and first.islower() and not first.endswith("ing") \
        and first not in _NOT_BARE


_WRITTEN_WORKS = words("written_works")
# What may follow a written work and say what it says: a participle, a relative clause, a name or a colon.
_WORK_TOPIC = re.compile(r"\s+(?:on|about)\s+")
_WORK_SAYS = re.compile(r"\s*(?:[:“\"]|,?\s+(?:that|which|who|called|titled|entitled|[a-z]{3,}ing)\b)")


def _a_work_alone(text: str, s: int, e: int) -> int | None:
    """When text[s:e] is a noun phrase whose head is a written work (written_works.txt) with no word
    of what it says after it: -1 ("a monthly column for this newspaper", "a memoir"), or where its
    topic starts after "on" or "about" ("an opinion piece on pay inequity": "pay inequity"). None for
    any other object, and for a work with what it says ("a letter urging Congress to act", "an op-ed
    that attacked the plan", "a book called 'Home'")."""
    if _CLAUSE_START.match(text, s) or _FINITE.search(text, s, min(e, s + 60)):
        return None
    end = _HEAD_END.search(text, s, e)
    head_end = end.start() if end else e
    head = text[s:head_end].split()
    if len(head) < 2 or head[0].lower() not in _NOT_BARE and not head[0][:1].isdigit() and head[0][:1] != "$":
        return None  # a work has its determiner ("a column", "his first book", "two books")
    word = head[-1].lower().strip("\"“”’'.,")
    if not (word in _WRITTEN_WORKS or (word.endswith("s") and word[:-1] in _WRITTEN_WORKS)):
        return None
    topic = _WORK_TOPIC.match(text, head_end, e)
    if topic and topic.end() < e:
        return topic.end()
    return None if _WORK_SAYS.search(text, head_end, e) else -1


# A stretch of time as an object cue's would-be object: "(on) Monday (in Paris)", "(over) the
# weekend", "for hours"; what may follow it is a place adjunct or a preposition of the verb group.
_PERIOD_OBJECT = re.compile(
    r"(?:(?:the|this|last|next|past|that|every|each|early|late|several|many|a\s+few|\d+)\s+)*"
    + pattern("time_words", "period") + r"(?:\s+" + pattern("time_words", "period") + r")?"
    + r"(?=\s*$|\s*[,.;:!?]|\s+(?:" + "|".join(listed("no_object") + [w for w in listed("verb_group_prepositions") if w != "of"]) + r")\b)"
)


# How a short tail after ", X said" may start besides an adjunct: a recipient or a by-line.
_TAIL_START = re.compile(pattern("tell_recipients"))
_SHORT_TAIL = re.compile(r"[^“”\"]{0,90}$")


_RELATIVE_TAIL = re.compile(r"\s*,?\s*(?:who|whose)\s")


_SUBORDINATE_TAIL = re.compile(r"(?:^|\s)" + pattern("clause_words", "tail") + r"\s")


def _tail_is_adjunct(text: str, a: int, se: int, lemma: str = "") -> bool:
    """True when text[a:se] is a short adjunct ("in a statement on Tuesday.", "told CNN.")."""
    clause = text[a:se].split(",", 1)[0]  # what follows a further comma is another clause
    tail = clause.strip(" .!?")
    if not tail or _RELATIVE_TAIL.match(text, a, se):
        return True  # "..., said an official who was briefed on the talks."
    that = _UNTIL_THAT.match(text, a, a + len(clause))
    if that and _THAT_SUBJECT.match(text, that.end() + 1) and not _FINITE.search(text, a, that.end() - 4):
        return False  # "said earlier on Friday during a news conference that he may wait ...": its clause follows
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
# Words that cannot stand in the noun phrase of ", city records show": a subordinator or a verb
# ("..., even if they did not agree", "..., offered a restrained embrace").
_NOT_MODIFIERS = words("clause_words", "subordinate") | _FUNCTION_WORDS | words("claim_nouns")  # "..., a charge Moscow denies"
_PAST_VERB = re.compile(r"\b[a-z]{3,}ed\b")


def _parenthetical_rest(text: str, a: int, se: int, cut_points: list[int]) -> tuple[int, int] | None:
    """The clause that goes on after a mid-sentence ", X said," (needs a verb of its own)."""
    comma = text.find(",", a, min(se, a + 120))
    if comma < 0:
        return None
    end = _cut_after(cut_points, comma, se)
    rest = trim(text, comma + 1, end, _STRIP)
    if _words(text, *rest) < 3 or not (_FINITE.search(text, rest[0], min(rest[1], rest[0] + 80))
                                        or _PAST_VERB.search(text, rest[0], min(rest[1], rest[0] + 60))):
        return None
    first = text[rest[0]:rest[1]].split()[0].lower().rstrip(",;:")  # "adding," is a participle too
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


# A participle or "including" phrase between a subject and its cue: ", speaking on condition of
# anonymity,", ", including Mr. Lopez,".
# (A period inside is an abbreviation's, "the U.S. State Department": the text searched is one sentence.)
_PHRASE_ASIDE = re.compile(r",\s*(?:including|[a-z]{3,}ing)\s[^,;:!?“”\"]{1,100},\s*$")
# A short adverbial aside between a subject and its cue: ", on the other hand,", ", however,".
_ASIDE_BEFORE = re.compile(r",\s*" + pattern("asides") + r"\s*,\s*$")


def _earlier_cue_source(text: str, ss: int, pos: int) -> tuple[int, int] | None:
    """The source of the last cue before `pos` in the sentence ('"...," he said, referring to')."""
    for c in reversed(find_cues(text, ss, pos)):
        if _verb_reading(text, c, cue_lemma(c.group(0))[0], ss) != "verb":
            continue  # "sent a mass text message": a noun, not the cue of the clause
        sp = speaker_before(text, c.start(), ss)
        before = text[ss:c.start()].rstrip()
        if sp is None and c.group(0) in SPEECH_WORDS and (
                before.endswith(_COMMA_ENDS) or _QUOTE_ENDS.search(before)
                or not before and text[max(0, ss - 3):ss].rstrip()[-1:] in "\"”’'"):
            # '"...," said Ruiz, adding' / '"...?" said Ruiz, referring to': inverted
            sp = speaker_after(text, c.end() + 1, pos)
        if sp:
            return sp
    return None


# A quotation that ends with a question or an exclamation before an inverted cue ('"Why?" said X').
_QUOTE_ENDS = re.compile(r"[?!][\"”’']{1,2}$")
# How the text before a participle or an inverted cue ends when a clause stops there.
_COMMA_ENDS = (",", ",\"", ",”", ",''", ",’")


_PHRASAL_ONLY = frozenset({"phrasal"})  # the kinds of a verb that is a cue only with its particle ("went after")


def _ends_sentence(text: str, pos: int, se: int) -> bool:
    """True when nothing but end marks and closing quotation marks follows `pos` in its sentence."""
    return not text[pos:se].strip(" .!?\"”’'")


# Finite verbs that open a predicate: after "Parents who testified" they are the main clause's.
_FINITE_AFTER = re.compile(r" " + pattern("auxiliaries") + r"\b", re.IGNORECASE)


def _in_subject_clause(text: str, sp: tuple[int, int], after: int, cues: list[re.Match]) -> bool:
    """Whether the cue ending at `after` stands in a restrictive relative clause of the sentence's
    subject ("Parents who testified were more enthusiastic", "... who testified said the buses
    were late"): its source is "who" with no comma before it, and the main clause's finite verb
    or verb of saying follows it, so what comes after belongs to the main clause."""
    if text[sp[0]:sp[1]].lower() not in ("who", "that"):
        return False
    if not _FINITE_AFTER.match(text, after) \
            and not any(c.start() == after + 1 and c.group(0).lower() in SPEECH_WORDS for c in cues):
        return False
    before = text[max(0, sp[0] - 3):sp[0]].rstrip()
    return bool(before) and before[-1].isalnum()


# A perfect participle opening its sentence: "Having announced ..., X proceeded".
_HAVING = re.compile(r"(?:^|(?<=[.!?\n\"”] )|(?<=\n))Having\s+$")


# Passive cues whose clause is attributed content without a named source ("is expected to win").
_PASSIVE_CUES = words("passive_cues")


def read_cues(text: str, ss: int, se: int, cues: list[re.Match], cut_points: list[int]
              ) -> tuple[list[tuple[re.Match, tuple[int, int] | None, str, str, set[str]]], list[re.Match]]:
    """Read each cue of a sentence in context: its source mention and its role ("after": content
    after it, "subject": after it with a far subject, "before": ", X said", "participle"), with its
    lemma and complement kinds (cue_lemma), and the passive cues apart. Adds to `cut_points` where
    a content must end (a coordinated second cue, the comma before ", X said")."""
    for m in cues:
        # "complained about X but defended Y": a second cue verb in a coordinated predicate
        # ends the first one's content.
        if m.group(0).lower() in _COORD_ENDERS:
            lo = max(ss, m.start() - 30)
            coord = _VP_COORD.search(text, lo, m.start()) \
                if text.find("and", lo, m.start()) >= 0 or text.find("but", lo, m.start()) >= 0 else None
            if coord:
                cut_points.append(coord.start())
    found: list[tuple[re.Match, tuple[int, int] | None, str, str, set[str]]] = []
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
        if text.startswith(" by ", m.end()) and form.endswith(("ed", "en")):
            continue  # "changes proposed by the government": a passive modifier, not a cue
        comma = text.rfind(",", ss, m.start())
        while comma > ss and text[comma - 1].isdigit() and text[comma + 1:comma + 2].isdigit():
            comma = text.rfind(",", ss, comma)  # "3,500" is a number, not a clause break
        floor = _cut_before(cut_points, m.start(), ss)
        if form.endswith("ing"):
            at, prev_word = _previous_word(text, max(ss, m.start() - 40), m.start())
            while is_ly_adverb(prev_word):
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
            if sp is not None and _in_subject_clause(text, sp, m.end(), cues):
                continue
            if sp is None and _HAVING.search(text, max(ss, m.start() - 8), m.start()):
                # "Having announced that ..., Judge Berman proceeded": the main clause's subject
                comma = text.find(", ", m.end(), se)
                sp = speaker_after(text, comma + 2, min(se, comma + 120)) if comma > 0 else None
                if sp is None:
                    continue
        if sp is None and lemma in SPEECH_LEMMAS and text.endswith(_QUOTED_COMMA_ENDS, ss, m.start() - 1):
            sp = _source_before_quotation(text, m.start(), floor)
        if sp is None and _coordinated(text, max(ss, m.start() - 40), m.start()):
            # "Clinton invoked Obama and suggested ...": the sentence's subject, else the subject of
            # the cue before it ("For that she drew ire - he called her "weak" and said ...")
            sp = sentence_subject(text, m.start(), ss) or _earlier_cue_source(text, ss, m.start())
        fallback = False
        if sp is None and not form.endswith("ing"):
            aside = _ASIDE_BEFORE.search(text, max(ss, m.start() - 50), m.start())
            if aside:  # "Supporters of the plan, on the other hand, argued that ..."
                sp = _source_before(text, aside.start(), floor)
            else:
                aside = _PHRASE_ASIDE.search(text, max(ss, m.start() - 120), m.start())
                if aside:  # "An official, speaking on condition of anonymity, said ...", ", including X,"
                    sp = _source_before(text, aside.start(), _cut_before(cut_points, aside.start(), ss))
        if sp is None and not form.endswith("ing") \
                and (lemma in SPEECH_LEMMAS or text.startswith(" that ", m.end())) \
                and not text[ss:m.start()].rstrip().endswith((",", "\"", "”", "''", "’")):
            # "People who have battled other threats say ...": a subject too long to walk back over.
            subj = clause_subject(text, m.start(), ss)
            if subj and subj[1] <= m.start():
                sp, fallback = subj, True
        role = "after"
        if comma >= ss and form != lemma + "ing" and (
                lemma in SPEECH_LEMMAS or (kinds != _PHRASAL_ONLY and _ends_sentence(text, m.end(), se))):
            between = text[comma + 1:m.start()]
            if not between.strip() and (sp is None or (
                    sp[0] <= comma and lemma == "say" and text[m.end() + 1:m.end() + 2].isupper()
                    and not _ADJUNCT_START.match(text, m.end() + 1))):
                # "..., said Larry Sabato, director of the center.": a name (and its appositive) to
                # the sentence's end after ", said" is the source, whatever phrase ends before
                # the comma ("colleagues in Congress, whom he's alienated, said": no subject)
                inv = speaker_after(text, m.end() + 1, min(se, m.end() + 120))
                if inv and _tail_is_adjunct(text, inv[1], se, lemma):
                    sp, role = appositive_after(text, inv, se), "before"
            elif sp is not None and sp[0] >= comma + 1 and _tail_is_adjunct(text, m.end(), se, lemma) \
                    and text[sp[0]:sp[1]].lower() not in ("who", "which", "whom"):  # ", who was angry.": of the noun
                between = text[comma + 1:sp[0]]
                if between.strip(" \t\n\"”’'").lower() in ("", "as"):  # '"...," Carson said.': the mark closes
                    role = "before"  # "..., Peskov said." / "..., as some have speculated."
                elif _MODIFIERS.match(between) and not _RELATIVE_WORDS.search(between) \
                        and not any(w.endswith("ed") or w in _NOT_MODIFIERS for w in between.split()):
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
            begin = max(k + 1, _clause_begin(text, ss, k2), *(f[0].end() for f in found if f[0].end() <= k2))
            if k2 > k and _words(text, begin, k2) < 4:
                k2 = -1  # "that Priebus and other officials have", "both he and Rubio promised": one subject
            cut = max(k, k2)
            if cut > ss:
                cut_points.append(cut)
        if role == "after" and sp is not None:
            cut = _relative_clause_end(text, sp, m.end(), ss, se, [f[0] for f in found])
            if cut is not None:
                cut_points.append(cut)
        if fallback:
            role = "subject"
        found.append((m, sp, role, lemma, kinds))
    return found, passives


_QUOTED_COMMA_ENDS = _COMMA_ENDS[1:]  # a comma with a closing mark after it (not the bare comma)
_QUOTE_MARK = re.compile(r"[\"“”‘’]|''")


def _source_before_quotation(text: str, cue: int, floor: int) -> tuple[int, int] | None:
    """The source of a speech cue right after a quotation that closes a relative clause of it:
    "Humphrey, who calls Trump a “sociopath,” said he ..." -> "Humphrey" (the walk back over the
    source stops at a closing mark; here it reads the stretch with its marks as spaces, the same
    length, so every offset holds). None unless the source found is a name or noun phrase with
    ', who' or ', whose' after it."""
    lo = max(floor, cue - 200)
    plain = _QUOTE_MARK.sub(lambda q: " " * len(q.group(0)), text[lo:cue])
    found = speaker_before(plain, len(plain), 0)
    if found is None or not plain.startswith((", who ", ", whose "), found[1]):
        return None
    return found[0] + lo, found[1] + lo


# The relative word that opens a clause set off by a comma: ", which officials said ...".
_RELATIVE_AFTER_COMMA = re.compile(r",\s*(?:which|who|whom)\s+$")
# Where such a clause closes and its sentence's own predicate resumes: ", will not apply".
_PREDICATE_RESUMES = re.compile(r",\s+(?:(?:also|still|now|then)\s+)?" + pattern("auxiliaries") + r"\b")


def _relative_clause_end(text: str, sp: tuple[int, int], after: int, ss: int, se: int,
                         earlier: list[re.Match]) -> int | None:
    """The comma that closes the relative clause a cue stands in ("The policy changes, which
    officials said will go into effect soon, will not apply to all"): its content ends there.
    None when the cue's source does not follow ", which / who", when the sentence's predicate
    does not resume after a comma, or when an earlier cue of the sentence (`earlier`, the cues
    read as verbs so far) may hold the whole."""
    if not _RELATIVE_AFTER_COMMA.search(text, max(ss, sp[0] - 12), sp[0]):
        return None
    if any(c.end() <= sp[0] for c in earlier):
        return None  # "Ruiz said the changes, which officials said ..., will": Ruiz's content
    resumes = _PREDICATE_RESUMES.search(text, after, se)
    return resumes.start() if resumes else None
