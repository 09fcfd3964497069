"""Frames of the cue finder: each a named function that turns one pattern of attribution in a
sentence into quote candidates, and the one table of their scores.

`cue_quotes` dispatches over one sentence, in this order (the order decides which of two
overlapping candidates is kept, and a participle takes the speaker of the quote before it):

1. sentence frames: `according_to`, `asked_if`;
2. each cue verb (cues.py), once its source and role are read (`read_cues` in indirect.py):
   - source before the cue, content after it: `cue_complement` ("Peskov said the talks failed"),
     `participle` ("..., saying the talks failed"), `passive` ("is expected to pass");
   - content before the cue (", X said"): `as_reported`, `opening_adverbial`,
     `split_subject`, `interrupted_clause`, `said_after` — the first that applies;
3. noun frames: `nominal` ("his promise to ..."), `noun_that` ("the notion that ...").

A frame returns its quotes (plain dicts, see `_quote`) or None when it does not apply.
Direct quotes (direct.py) and headlines (quotes.py) take their scores from SCORES too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .clauses import _STRIP, _words, clause_subject
from .cues import SPEECH_LEMMAS, SPEECH_WORDS, cue_lemma, find_cues, verb_forms, word_alternation
from .indirect import (
    _AS_CUE,
    _CLAUSE_START,
    _FINITE,
    _LINKERS,
    _OPENER,
    _SUBJECT_START,
    _SUBORDINATE_OPEN,
    _THAT_SUBJECT,
    _TO_INF,
    _clause_end,
    _content_after,
    _cut_after,
    _cut_at,
    _cut_before,
    _earlier_cue_source,
    _either_case,
    _only_linkers,
    _parenthetical_rest,
    read_cues,
)
from .lexicon import listed, pattern, words
from .speakers import speaker_after
from .text import trim

# The score of each frame's quotes: how often such a candidate is right, roughly (Label Studio
# shows it, and a project can hide low-scoring regions). One table for the whole quote side.
SCORES = {
    # direct quotes (direct.py, quotes.py)
    "direct": 0.9,                   # '"...," Peskov said': marks and a speaker next to them
    "direct-unattributed": 0.5,      # marks, no speaker found
    "direct-nearby": 0.6,            # speaker from the last cue before it in the paragraph
    "direct-speaker-at-end": 0.8,    # a multi-paragraph quote whose speaker comes at its end
    "direct-continued": 0.75,        # the next fragment of an interrupted or multi-paragraph quote
    "mixed": 0.7,                    # an indirect content that holds a direct quote
    "headline": 0.5,                 # 'Graham: Trump's rhetoric hurts the party'
    "post": 0.85,                    # an embedded post, its signature "— Name (@handle) June 1, 2016" after it
    # cue frames (this module)
    "according-to": 0.6,
    "in-poll": 0.6,                  # 'In a new Fox News poll, Trump leads ...': the poll is the source
    "asked-if": 0.4,
    "speech-complement": 0.55,       # a speech verb's complement: "said the plan failed"
    "complement": 0.45,              # any other cue's: "plans to run", "criticized the plan"
    "participle": 0.45,
    "passive": 0.35,
    "said-after": 0.6,               # ", X said" and its split forms: content before the cue
    "opening-adverbial": 0.55,       # "In March, she said, the plan ...": content after the cue
    "nominal": 0.4,
    "noun-that": 0.35,
}


@dataclass(slots=True)
class Sentence:
    """One sentence (or window) being read, and what its frames have found so far."""

    text: str
    ss: int
    se: int
    blocked: list[tuple[int, int]]          # direct quotes and headlines: no cue inside them counts
    sent: str = ""                          # text[ss:se]
    cut_points: list[int] = field(default_factory=list)  # where one attribution's content must end
    taken: list[tuple[int, int]] = field(default_factory=list)  # contents found so far
    out: list[dict] = field(default_factory=list)


@dataclass(slots=True)
class Cue:
    """A cue verb read in its sentence: its source mention and role (see indirect.read_cues)."""

    m: re.Match
    speaker: tuple[int, int] | None
    role: str  # "after" / "subject": content after it; "before": content before it; "participle"
    lemma: str  # and the complements it takes (cues.cue_lemma), as read_cues found them
    kinds: set[str]


def _quote(span: tuple[int, int], speaker, frame: str, cue: str, continues: bool = False) -> dict:
    """A quote candidate: `frame` names its score in SCORES, `cue` what signalled it."""
    q = dict(start=span[0], end=span[1], quote_type="indirect", speaker=speaker, score=SCORES[frame], cue=cue)
    if continues:
        q["continues"] = True  # the second fragment of one quotation: same group as the one before
    return q


# --- sentence frames ---------------------------------------------------------------------------

_QUOTE_MARKS = re.compile(r"[\"“”]")
_ACCORDING = re.compile(r"\baccording to\b", re.IGNORECASE)
_ACCORDING_NP = re.compile(r"\s*([^,;:“”\"]{2,120}?)\s*(?:[,;:“”\"]|[.!?]?$)")


def _according_source(text: str, a: int, se: int) -> tuple[int, int] | None:
    """The phrase after "according to", up to the next comma or the sentence end."""
    m = _ACCORDING_NP.match(text, a, se)
    if not m or len(m.group(1).split()) > 20:
        return None
    return m.start(1), m.end(1)


def _finite_cue(word: str) -> bool:
    """A cue word in a finite form ("said", "claims"), not a bare stem that is mostly a noun ("rail")."""
    return word.lower() in verb_forms(cue_lemma(word)[0])[1:3]


# What identifies an anonymous source after its noun: "people familiar with the matter", "officials
# briefed on the talks", "a person close to the family".
_KNOWING = re.compile(r"\s+(?:familiar\s+with|close\s+to|briefed\s+on|knowledgeable\s+about|involved\s+in)"
                      r"\s+(?:the|their|his|her|its)\s+[\w-]+(?:\s+(?!who\b|that\b)[a-z][\w-]*)?")


_PARTICIPLE_AGENT = re.compile(r" by\b")  # after a participle: its agent ("seen by Reuters")


# A subordinate clause opening a sentence ("While most were ...", "Although the plan ...").
_SUBORDINATE_LEAD = re.compile(r"(?:While|Although|Though|Because|Since|As|If|When|Whereas|After|Before|Even though)\s")


def according_to(s: Sentence) -> list[dict]:
    """'According to X, ...', '..., according to X.', 'The plan, according to X, is ...'.

    Example: "The deal is off, according to two officials." -> "The deal is off" by "two officials".
    """
    text, ss, se = s.text, s.ss, s.se
    out = []
    sent = s.sent
    for m in (_ACCORDING.finditer(sent) if "ccording" in sent else ()):
        a = ss + m.end()
        sp = speaker_after(text, a + 1, min(se, a + 120)) or _according_source(text, a, se)
        if not sp:
            continue
        knowing = _KNOWING.match(text, sp[1], se)
        if knowing:
            sp = (sp[0], knowing.end())  # "three people familiar with the matter who spoke ...": they are the source
        before = trim(text, ss, ss + m.start(), _STRIP + "\"“”")
        rest = trim(text, sp[1], se, _STRIP + "\"“”")
        if _SUBORDINATE_LEAD.match(text, before[0]) and text[sp[1]:rest[0]].strip() == "," \
                and _FINITE.search(text, *rest):
            # "While most were confidential, according to an official, two were upgraded": the
            # main clause after the source is what it says, not the subordinate one before
            content = rest
        elif _words(text, *before) >= 3:
            content = trim(text, ss, ss + m.start(), _STRIP)
            if sp[1] < rest[1] and text[sp[1]:rest[0]].strip() in ("", ",") and not _FINITE.search(text, *rest) \
                    and not any(_finite_cue(c.group(0)) for c in find_cues(text, *rest)) \
                    and not _QUOTE_MARKS.search(text, *rest):
                # "..., according to two people familiar with the talks.", "..., according to a
                # statement from the union.": the source phrase runs on to the sentence's end.
                sp = (sp[0], rest[1])
        else:
            comma = text.find(",", sp[1], min(se, sp[1] + 3))
            if comma < 0:
                # "According to officials familiar with the matter, the deal ...": the source
                # phrase runs on to its comma when no verb stands in between.
                far = text.find(",", sp[1], min(se, sp[1] + 80))
                if far > 0 and not _FINITE.search(text, sp[1], far) \
                        and all(_PARTICIPLE_AGENT.match(text, c.end()) for c in find_cues(text, sp[1], far)):
                    # (a cue's participle with its agent is part of the phrase: "a letter seen by Reuters")
                    comma, sp = far, (sp[0], trim(text, sp[0], far, _STRIP)[1])
            appositive = _APPOSITIVE_AFTER.match(text, comma + 1, se) if comma >= 0 else None
            if appositive and not _FINITE.search(text, comma, appositive.end()) \
                    and not find_cues(text, comma, appositive.end()):
                # "According to Jenna Park, an analyst at Harbor, the company ...": the appositive
                # describes the source; the content starts after it
                comma, sp = appositive.end() - 1, (sp[0], appositive.end() - 1)
            content = trim(text, (comma if comma >= 0 else sp[1]) + 1, se, _STRIP)
        if _words(text, *content) >= 3:
            out.append(_quote(content, sp, "according-to", "according to"))
    return out


# A poll or survey named in an adjunct that opens the sentence: "In a new NBC News/Wall Street
# Journal poll released Monday, ...", "In the most recent YouGov/Economist survey, ...".
_IN_POLL = re.compile(r"In\s+((?:the|a|an|[A-Z][\w’'.&/-]*)\s[^,;:“”\"()]{0,80}?\b(?:poll|polls|survey|surveys)\b"
                      r"[^,;:“”\"()]{0,50}?),\s+")


def in_poll(s: Sentence) -> list[dict]:
    """'In a POLL, ...': the clause after the comma is what the poll found, the poll its source.

    Example: "In a new Fox News poll, Trump leads Cruz by nine points." -> "Trump leads Cruz by nine
    points" by "a new Fox News poll".
    """
    text, ss, se = s.text, s.ss, s.se
    m = _IN_POLL.match(text, ss, se)
    if m is None:
        return []
    content = trim(text, m.end(), se, _STRIP)
    if _words(text, *content) < 3:
        return []
    # (a cue inside the clause stays nested in it: "In a survey, 79 percent of Democrats said they
    # were satisfied" is the survey's finding as a whole in PolNeAR)
    return [_quote(content, (m.start(1), m.end(1)), "in-poll", "in/poll")]


# An appositive after "According to NAME,": "an auto analyst at Harbor Securities," (up to its comma).
_APPOSITIVE_AFTER = re.compile(r"\s+(?:an?|who|whose)\s[^,;:.!?“”\"]{1,100},")


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


def asked_if(s: Sentence) -> list[dict]:
    """The question of an "Asked if/whether/about ..." frame; its asker is not named.

    Example: "Asked whether he would run, Ruiz said no." -> "whether he would run", no speaker.
    """
    text, ss, se = s.text, s.ss, s.se
    out: list[dict] = []
    if not _has_any(s.sent, _ASKED_HINTS):
        return out
    for m in _ASKED.finditer(text, ss, se):
        if m.start() > ss and not text[ss:m.start()].strip(" (") == "" and text[m.start()].isupper():
            continue
        if any(a <= m.end() < b for a, b in s.blocked):
            continue
        comma = text.find(",", m.end(), se)
        end = comma if comma > 0 else se
        content = trim(text, m.end(), end, _STRIP)
        if _words(text, *content) < 2:
            continue
        asker = _BY_AGENT.search(text, m.start(), min(se, m.end() + 12))  # "When asked by a reporter whether"
        out.append(_quote(content, trim(text, *asker.span(1), _STRIP) if asker else None, "asked-if", "ask/question"))
    return out


# --- cue frames: the content after the cue --------------------------------------------------------


def _complement(s: Sentence, cue: Cue) -> tuple[int, int] | None:
    """The content after a cue: its complement, cut where the sentence's clause structure ends it."""
    text, ss, se, m, sp = s.text, s.ss, s.se, cue.m, cue.speaker
    if sp and s.blocked and any(0 <= sp[0] - b <= 3 for _, b in s.blocked) and "any" in cue.kinds \
            and not _CLAUSE_START.match(text, m.end() + 1) and not _bare_clause(text, m.end() + 1, se):
        # '"...," he said aboard the plane': the quote before is the content ('"...," X said the
        # two cases were different': a clause of its own after the cue is content too)
        return None
    start = m.end()
    aside = _DASH_ASIDE.match(text, start, se) if text.startswith(("—", "–", "-"), start + 1) else None
    if aside and (_CLAUSE_START.match(text, aside.end()) or _bare_clause(text, aside.end(), se)):
        start = aside.end() - 1  # "said — on Twitter, as it happens — that Trump raised ...": past the aside
    end = _cut_after(s.cut_points, start, se)
    comma = text.find(",", m.end(), end)  # (the comma first: the subordinate clause is looked for only then)
    if comma > 0 and _SUBORDINATE_OPEN.search(text, max(ss, text.rfind(",", ss, m.start()) + 1), m.start()):
        end = comma  # "where voters support X, Clinton leads": X ends
    if sp and text[sp[0]:sp[1]].lower() in ("who", "which") and text[ss:sp[0]].rstrip().endswith(","):
        close = text.find(",", m.end(), end)  # "X, who backed Y, said ...": the relative clause ends
        while close > 0:
            inside = next((b for a, b in s.blocked if a <= close < b), None)
            if inside is None:
                break
            if inside - close <= 3:
                close = inside  # "who called it ''toxic,'' said": the quotation's own comma
                break
            close = text.find(",", close + 1, end)  # a comma inside a quotation does not end it
        if close > 0:
            end = close
    content = _content_after(text, start, end, cue.lemma, cue.kinds)
    if content is None:
        return None
    if cue.role == "subject" and not (_CLAUSE_START.match(text, content[0]) or _SUBJECT_START.match(text, content[0])
                                      or _FINITE.search(text, content[0], min(content[1], content[0] + 50))):
        return None  # a subject found far away: only a clear clause counts as its content
    comma = text.find(",", m.end(), content[1])
    if comma > 0 and sp and _AS_CUE.search(text, max(ss, sp[0] - 5), sp[0]):
        if _OWN_COMPLEMENT.match(text, m.end()) and _words(text, m.end(), comma) >= 3:
            return trim(text, content[0], comma, _STRIP)  # "as they vowed to carry on, ...": the clause's own
        content = trim(text, comma + 1, content[1], _STRIP)  # "as X said, ...": the content after the comma
        if _words(text, *content) < 3:
            return None
    return content


# A cue's own complement right after it: "as they vowed to carry on, ..." has its content before
# the comma (not "as he said to reporters, ...").
_OWN_COMPLEMENT = re.compile(r" (?:that|to (?!(?:the|an?|his|her|their|its|our|my|your|this|these|those|him|them|us|me|you)\b)"
                             r"[a-z]+(?<!s)\b)")


# An aside between dashes right after a cue, up to the space after its closing dash.
_DASH_ASIDE = re.compile(r" (?:—|–|--?) [^—–.;!?“”\"\n]{1,80}? (?:—|–|--?) ")


def _bare_clause(text: str, pos: int, se: int) -> bool:
    """A clause opens at `pos`: a subject pronoun or a determiner, and a finite verb within 40
    characters ("the two cases were", "he would"), not a time or a place ("Tuesday", "aboard")."""
    return bool((_SUBJECT_START.match(text, pos) or _DETERMINER_START.match(text, pos))
                and _FINITE.search(text, pos, min(se, pos + 40)))


_DETERMINER_START = re.compile(r"(?:the|a|an|his|her|their|its|our|my)\s")


# People in an object who say something themselves: "critics who say ...".
_WHO_SAYS = re.compile(r"\bwho\s+(?:[a-z]+ly\s+)?" + word_alternation(SPEECH_WORDS | SPEECH_LEMMAS) + r"\b")


# A content that is a condition of the interview: "(asked) not to be named", "(declined) to be identified".
_NOT_NAMED = re.compile(r"(?:not\s+)?to\s+be\s+(?:named|identified|quoted)\b")  # "quoted by name" too


def cue_complement(s: Sentence, cue: Cue) -> list[dict] | None:
    """A cue verb with its source before it and its complement after it.

    Example: "Peskov said the talks had failed." -> "the talks had failed" by "Peskov";
    "The mayor plans to run again." -> "to run again" by "The mayor".
    """
    content = _complement(s, cue)
    if content is None or _NOT_NAMED.match(s.text, content[0]):
        return None  # "two workers who asked not to be named": a condition of the interview, not a report
    if "any" not in cue.kinds and _WHO_SAYS.search(s.text, *content):
        return None  # "rebuked critics who say he should ...": the critics' saying is the attribution
    frame = "speech-complement" if "any" in cue.kinds else "complement"
    return [_quote(content, cue.speaker, frame, f"{cue.lemma}/{cue.role}")]


def participle(s: Sentence, cue: Cue) -> list[dict] | None:
    """A participle after a comma takes the speaker of the quote before it, else of its clause.

    Example: "Ruiz spoke for an hour, saying the plan would fail." -> "the plan would fail" by "Ruiz".
    """
    content = _complement(s, cue)
    if content is None:
        return None
    sp = s.out[-1]["speaker"] if s.out else (_earlier_cue_source(s.text, s.ss, cue.m.start())
                                               or clause_subject(s.text, cue.m.start(), s.ss))
    return [_quote(content, sp, "participle", f"{cue.lemma}/participle")]


def passive(s: Sentence, m: re.Match) -> list[dict] | None:
    """A passive cue with a to-infinitive or "of": the clause is content without a named source.

    Example: "The House is expected to pass the bill on Friday." -> the whole clause, no speaker.
    """
    text = s.text
    start = _cut_before(s.cut_points, m.start(), s.ss - 1) + 1
    end = _cut_after(s.cut_points, m.end(), s.se)
    content = trim(text, start, end, _STRIP)
    complement = _TO_INF.match(text, m.end() + 1) or text.startswith(" of ", m.end())
    if complement and _words(text, *content) >= 4 \
            and not any(a < content[1] and content[0] < b for a, b in s.taken):
        return [_quote(content, None, "passive", f"{cue_lemma(m.group(0))[0]}/passive")]
    return None


# --- cue frames: the content before the cue (", X said") ------------------------------------------


@dataclass(slots=True)
class _Before:
    """The parts of a sentence around a cue whose content comes before it."""

    content: tuple[int, int]      # from the clause start to the comma before the source or cue
    rest: tuple[int, int] | None  # the clause going on after ", X said," (if any)
    as_frame: bool                # ", as X reported,"
    short: bool                   # content of fewer than three words


def _before_parts(s: Sentence, cue: Cue) -> _Before:
    text, ss, se, m, sp = s.text, s.ss, s.se, cue.m, cue.speaker
    comma = text.rfind(",", ss, min(m.start(), sp[0]))
    start = _cut_before(s.cut_points, comma, ss - 1) + 1
    content = trim(text, start, comma, _STRIP)
    # After an inverted "said Ana Ruiz," a comma opens her description, not more content.
    rest = None if sp[0] > m.start() else _parenthetical_rest(text, max(m.end(), sp[1]), se, s.cut_points)
    as_frame = text[comma + 1:sp[0]].strip().lower() == "as" if sp[0] > comma else False
    short = _words(text, *content) < 3
    if as_frame and rest is None and short:
        after = text.find(",", max(m.end(), sp[1]), se)
        rest = trim(text, after + 1, se, _STRIP) if after > 0 else None
    return _Before(content, rest, as_frame, short)


def as_reported(s: Sentence, cue: Cue, p: _Before) -> list[dict] | None:
    """', as X reported,' with a short lead: the content is the clause after it.

    Example: "And, as the Post reported, Clinton is ahead in Ohio." -> "Clinton is ahead in Ohio".
    """
    if p.as_frame and p.rest and _words(s.text, *p.rest) >= 3 and p.short:
        return [_quote(p.rest, cue.speaker, "said-after", f"{cue.lemma}/after")]
    return None


def opening_adverbial(s: Sentence, cue: Cue, p: _Before) -> list[dict] | None:
    """An opening adverbial or linker before ', X said,': the content is what follows.

    Example: "In March, she said, the plan was dropped." -> "the plan was dropped" by "she".
    """
    text = s.text
    if p.short:
        if p.rest and (_OPENER.match(text, p.content[0]) or _only_linkers(text[p.content[0]:p.content[1]])):
            return [_quote(p.rest, cue.speaker, "opening-adverbial", f"{cue.lemma}/after")]
        return None
    if p.rest is None:
        after = text.find(",", max(cue.m.end(), cue.speaker[1]), s.se)
        if after > 0 and _OPENER.match(text, p.content[0]):
            rest = trim(text, after + 1, s.se, _STRIP)  # "In May, he said, the plan ..."
            return [_quote(rest, cue.speaker, "opening-adverbial", f"{cue.lemma}/after")] \
                if _words(text, *rest) >= 3 else []
        return None
    if _OPENER.match(text, p.content[0]):
        return [_quote(p.rest, cue.speaker, "opening-adverbial", f"{cue.lemma}/after")]
    return None


def split_subject(s: Sentence, cue: Cue, p: _Before) -> list[dict] | None:
    """A short subject, ', X said,', then its predicate: two fragments of one quotation.

    Example: "Loyalty, he noted, has long been prized." -> "Loyalty" + "has long been prized".
    """
    if not p.short:
        return None
    text = s.text
    if p.rest and p.content[1] > p.content[0] and text[p.content[0]:p.content[1]].lower() not in _LINKERS:
        return [_quote(p.content, cue.speaker, "said-after", f"{cue.lemma}/before"),
                _quote(p.rest, cue.speaker, "said-after", f"{cue.lemma}/before", continues=True)]
    return []  # too short to be content, and no clause after the cue


def interrupted_clause(s: Sentence, cue: Cue, p: _Before) -> list[dict] | None:
    """A clause interrupted by ', X said,': the part before and the part after, one quotation.

    Example: "The tax, the panel concluded, must rise." -> "The tax" + "must rise" by "the panel".
    """
    if p.rest is None:
        return None
    return [_quote(p.content, cue.speaker, "said-after", f"{cue.lemma}/before"),
            _quote(p.rest, cue.speaker, "said-after", f"{cue.lemma}/before", continues=True)]


def said_after(s: Sentence, cue: Cue, p: _Before) -> list[dict] | None:
    """A clause and then ', X said' (or ', said X'): the clause is the content.

    Example: "The talks have failed, Peskov said." -> "The talks have failed" by "Peskov".
    """
    return [_quote(p.content, cue.speaker, "said-after", f"{cue.lemma}/before")]


# In this order, the first that applies (returns a list) gives the quotes of a ", X said" cue.
BEFORE_FRAMES = (as_reported, opening_adverbial, split_subject, interrupted_clause, said_after)


def _content_before(s: Sentence, cue: Cue) -> list[dict]:
    parts = _before_parts(s, cue)
    for frame in BEFORE_FRAMES:
        quotes = frame(s, cue, parts)
        if quotes is not None:
            return quotes
    return []


# --- noun frames -----------------------------------------------------------------------------------

# A noun of saying or believing with its that-clause, whoever holds it: "the notion that X",
# "a reminder that X", "growing fears that X".
_NOUN_THAT = re.compile(r"\b" + pattern("that_nouns") + r"\s+that\s")
# The noun of a _NOUN_THAT match, read back from its "that" (found with str.find: fast), and how far
# back it can start (the widest match of the noun pattern).
_NOUN_BEFORE = re.compile(r"\b" + pattern("that_nouns") + r"\Z")
_NOUNS_ARE_WORDS = all(re.fullmatch(r"[a-z()?:]+", e) for e in listed("that_nouns"))
# Letters, groups and optional marks only: a noun is at most as long as its entry's letters.
_NOUN_WIDTH = max(sum(c.isalpha() for c in e) for e in listed("that_nouns"))


def _has_noun_that(sent: str) -> bool:
    """The same as `_NOUN_THAT.search(sent) is not None`: each "that" between white space, then
    the noun that ends where the white space before it starts (nouns are words: no space inside)."""
    if not _NOUNS_ARE_WORDS:
        return _NOUN_THAT.search(sent) is not None
    at = sent.find("that", 1)
    while at >= 0:
        if sent[at - 1].isspace() and sent[at + 4:at + 5].isspace():
            q = at - 1
            while q > 0 and sent[q - 1].isspace():
                q -= 1
            if _NOUN_BEFORE.search(sent, max(0, q - _NOUN_WIDTH), q):
                return True
        at = sent.find("that", at + 1)
    return False
# A possessive right before the noun: "Trump's accusation that", "her growing fear that".
_POSSESSIVES = listed("possessives")
_POSSESSOR = re.compile(r"\b((?:" + "|".join(_either_case(w) for w in listed("possessives", "possessor")) + ")"
                        r"|(?:[A-Z][\w.-]*\s)?[A-Z][\w-]*[’']s?)\s+(?:[a-z-]+\s+){0,2}$")


def noun_that(s: Sentence) -> list[dict]:
    """A noun of saying or believing and its that-clause; its possessor, if any, is the source.

    Example: "Her fear that the plant will close is real." -> "that the plant will close is real" by "Her".
    """
    text, ss, se, blocked = s.text, s.ss, s.se, s.blocked
    taken = [*s.taken, *((q["start"], q["end"]) for q in s.out)]
    out = []
    for m in _NOUN_THAT.finditer(text, ss, se):
        start = m.end() - 5  # at "that"
        if any(a <= start < b for a, b in blocked + taken) or not _THAT_SUBJECT.match(text, m.end()):
            continue  # "a claim that is false": a relative clause, not the claim's content
        end = _cut_after(s.cut_points, start, se)
        cut = _clause_end(text, start, end)
        content = trim(text, start, _cut_at(cut) if cut else end, _STRIP)
        if _words(text, *content) < 4 or any(a < content[1] and content[0] < b for a, b in taken + blocked):
            continue
        owner = _POSSESSOR.search(text, max(ss, m.start() - 40), m.start())
        out.append(_quote(content, owner.span(1) if owner else None, "noun-that", f"{m.group(0).split()[0]}/noun-that"))
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


def _spelled_out(nouns: list[str]) -> list[str]:
    """The nouns of the lexicon with an optional plural ("promises?") as both words."""
    return [form for n in nouns for form in ((n[:-2], n[:-1]) if n.endswith("s?") else (n,))]


# A cheap test before _NOMINAL: one of its nouns after a space, with its link word. The nouns as
# one shared-prefix alternation (the same words as _NOMINAL's), which the engine reads a letter at
# a time after each space: one scan, faster than a scan for the nouns alone and then this one.
_NOMINAL_NOUN_LINK = re.compile(r"\s" + word_alternation(_spelled_out(listed("nominal_nouns"))) + r"\s+(?:"
                                + "|".join(listed("nominal_links")) + r")\s")
_NOMINAL_LEAD = re.compile(pattern("nominal_leads") + r"\s+")
_NOMINAL_HINTS = ("’s ", "'s ", *(f"{w}{t} " for p in _POSSESSIVES for w, t in ((p[0], p[1:]), (p[0].upper(), p[1:]))))
# A possessive pronoun and the subject pronoun that cannot be its antecedent in the same clause.
_POSSESSIVE_PRONOUNS = {"his": "she", "her": "he", "their": "it", "its": "they"}


def nominal(s: Sentence) -> list[dict]:
    """A noun of saying or intending with a possessive source and its complement.

    Example: "The senator renewed his call for a ban." -> "a ban" by "The senator".
    """
    text, ss, se, blocked, taken = s.text, s.ss, s.se, s.blocked, s.taken
    out = []
    if not _NOMINAL_NOUN_LINK.search(text, ss, se):
        return out
    for m in _NOMINAL.finditer(text, ss, se):
        if _inside(m.start(), blocked) or _inside(m.start(), taken):
            continue
        start = m.start("link") if m.group("link") in ("that", "to") else m.end()
        end = _cut_after(s.cut_points, m.end(), se)
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
        out.append(_quote(content, sp, "nominal", f"{m.group('noun')}/nominal"))
        taken.append(content)
    return out


# --- the dispatcher --------------------------------------------------------------------------------

_MAY_CUT = (";", "—", "–", "--", "ccording")  # cheap test before _CLAUSE_CUT
_CLAUSE_CUT = re.compile(r";\s|,\s+according to\b|\s[—–]\s|\s--\s")


def _inside(pos: int, spans: list[tuple[int, int]]) -> bool:
    """True when `pos` falls in one of `spans` (a loop: cheaper than any() over a generator)."""
    for a, b in spans:
        if a <= pos < b:
            return True
    return False


def _has_any(sent: str, needles: tuple[str, ...]) -> bool:
    """True when one of `needles` is in `sent` (str.__contains__ is faster than a regex here)."""
    for needle in needles:
        if needle in sent:
            return True
    return False


def _add(s: Sentence, quotes: list[dict] | None) -> None:
    for q in quotes or ():
        s.out.append(q)
        s.taken.append((q["start"], q["end"]))


_QUESTION_AUX = re.compile(r"(?:do|does|did|would|will|can|could|should|are|were|have|had)\s+$", re.IGNORECASE)


def _asks_you(text: str, sp: tuple[int, int], ss: int, se: int) -> bool:
    """True when the cue's subject is "you" in a question ("What do you say ...?", "Did you tell
    them ...?"): the interviewer asks, nobody is quoted."""
    return text[sp[0]:sp[1]].lower() == "you" and text[ss:se].rstrip(" \"”’'").endswith("?") \
        and bool(_QUESTION_AUX.search(text, max(ss, sp[0] - 12), sp[0]))


def may_hold_frame(text: str, ps: int, pe: int) -> bool:
    """False when no sentence of text[ps:pe] can hold a sentence or noun frame: each test of
    cue_quotes below looks for words or a regex match inside the sentence, so one that fails for
    the paragraph fails for every sentence in it. (For a paragraph without cues: cue_quotes then
    finds nothing in any of its sentences, which need not be split off.)"""
    para = text[ps:pe]
    return ("ccording" in para or " that " in para or _has_any(para, _ASKED_HINTS)
            or "poll" in para or "survey" in para
            or (_NOMINAL_NOUN_LINK.search(text, ps, pe) is not None and _has_any(para, _NOMINAL_HINTS)))


def cue_quotes(text: str, ss: int, se: int, blocked: list[tuple[int, int]], title_case: bool = False,
               cues: list[re.Match] | None = None) -> list[dict]:
    """Indirect (or mixed) quotes signalled by cues inside one sentence (`cues`: found already)."""
    sent = text[ss:se]
    if cues is None:
        cues = find_cues(text, ss, se, title_case)
    if blocked and cues:
        cues = [m for m in cues if not _inside(m.start(), blocked)]
    # (and nominal's own tests, so that it is called only when it may find something; the regex
    # first: one scan of the sentence costs less than the fourteen substring tests, which half the
    # sentences pass, and it rules out 19 sentences in 20)
    has_nominal = _NOMINAL_NOUN_LINK.search(text, ss, se) is not None and _has_any(sent, _NOMINAL_HINTS)
    has_noun_that = " that " in sent and _has_noun_that(sent)
    has_according = "ccording" in sent
    has_asked = _has_any(sent, _ASKED_HINTS)
    has_poll = sent.startswith("In ") and ("poll" in sent or "survey" in sent)
    if not (cues or has_nominal or has_noun_that or has_according or has_asked or has_poll):
        return []  # no frame applies (the common case: no Sentence is built)
    s = Sentence(text, ss, se, blocked, sent)
    if has_poll:
        s.out.extend(in_poll(s))
    if has_according:
        s.out.extend(according_to(s))
    if has_asked:
        s.out.extend(asked_if(s))
    s.taken = [(q["start"], q["end"]) for q in s.out]
    if not cues and not has_nominal and not has_noun_that:
        return s.out
    s.cut_points = [ss + k.start() for k in _CLAUSE_CUT.finditer(sent)] if _has_any(sent, _MAY_CUT) else []
    found, passives = read_cues(text, ss, se, cues, s.cut_points)
    for m, sp, role, lemma, kinds in found:
        if _inside(m.start(), s.taken):
            continue  # a cue inside another attribution's content: nested, not annotated
        if sp is not None and _asks_you(text, sp, ss, se):
            continue  # "What do you say to passengers?": a question put to someone, not a report
        cue = Cue(m, sp, role, lemma, kinds)
        if role == "before":
            _add(s, _content_before(s, cue))
        elif role == "participle":
            _add(s, participle(s, cue))
        else:
            _add(s, cue_complement(s, cue))
    for m in passives:
        _add(s, passive(s, m))
    if has_nominal:
        s.out.extend(nominal(s))  # nominal() records its contents in s.taken itself
    if has_noun_that:
        s.out.extend(noun_that(s))
    return s.out
