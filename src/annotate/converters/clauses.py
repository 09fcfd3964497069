"""Clause structure shared by the quote finders: the subject of a sentence or of a clause.

News sentences open with adjuncts ("Eight years ago,", "Arriving upon the scene,") and
coordinate clauses ("..., and she said"); a participle or a far cue takes its source from here.
"""

from __future__ import annotations

import re

from .lexicon import pattern, words
from .speakers import is_state_or_country, speaker_after
from .text import _SPACE_RUN, closes_abbreviation

_STRIP = " \t\n,;:."
_COMMA_LEAD = re.compile(r"[^,]{1,140},\s*")
_LEAD = re.compile(r"(?:" + pattern("sentence_connectives") + r"\b,?\s*)|[^,]{1,140},\s*")


def _words(text: str, s: int, e: int) -> int:
    return len(text[s:e].split())


# A sentence break: an end mark (maybe a closing quotation mark) and white space, a line break, or
# a colon before a capital ("consider this: The top Republicans went ...": a clause of its own).
# It opens with one character class, which the regex engine scans for quickly (the same matches as
# r"[.!?][\"”’']?\s+|\n", an alternation it would try at every position).
_SENT_BREAK = re.compile(r"[.!?\n:](?:(?<=\n)|(?<=:)\s+(?=[A-Z])|(?<!:)[\"”’']?\s+)")


# Words that open an adjunct, never a subject noun phrase, at the start of a sentence.
_NOT_SUBJECT_START = words("not_subject_starts")


# A time phrase that opens a sentence ("Eight years ago,", "Last March,", "In 2012,").
_TIME_LEAD = re.compile(r"[^,.;:!?]{0,30}\b" + pattern("time_words", "sentence-lead") + r"\s*,")


# A noun phrase that opens a subordinate adjunct, not the subject: "Days after its report ...,".
_SUBORDINATE_AFTER = re.compile(r"\s+" + pattern("clause_words", "adjunct-after") + r"\b[^.;:!?]{0,60},")
# A participle phrase opening a sentence: "Arriving upon the scene,", "Led by the mayor,".
_PARTICIPLE_LEAD = re.compile(r"[A-Z][a-z]{2,}(?:ing|ed)\s+" + pattern("participle_lead_words") + r"\b[^.;:!?]{0,80},")


# Words whose "'s" is "is" or "has" ("He's a puppet"), not a possessive.
_CONTRACTED = frozenset("he she it that there here what who where let".split())


def sentence_subject(text: str, pos: int, floor: int) -> tuple[int, int] | None:
    """The noun phrase that opens the sentence around `pos` ("Carson ... but told them, ...")."""
    lo = max(floor, pos - 400)
    start = lo
    for m in _SENT_BREAK.finditer(text, lo, pos):
        if m.group(0)[0] == "." and closes_abbreviation(text, m.start(), lo):
            continue  # "Mr. Trump", "U.S. officials": not a sentence end
        start = m.end()
    sp = speaker_after(text, start, min(pos, start + 120))
    first = text[sp[0]:sp[1]].split()[0] if sp else ""
    adjunct = sp and (first.lower() in _NOT_SUBJECT_START or _TIME_LEAD.match(text, sp[0])
                      or (first.endswith("ly") and len(first) > 5 and sp[1] - sp[0] == len(first))  # "Hastily, ..."
                      or _SUBORDINATE_AFTER.match(text, sp[1]))
    if _PARTICIPLE_LEAD.match(text, start, pos):
        adjunct = True  # "Arriving upon the scene, police ...", "Led by X, the rally ..."
    if sp is None or adjunct:
        # "Throughout the 2000s, Democrats ...": an opening adjunct, not the subject
        lead = _LEAD.match(text, start, pos)
        if lead:
            found = speaker_after(text, lead.end(), min(pos, lead.end() + 120))
            if found is None or text[found[0]:found[1]].split()[0].lower() in _NOT_SUBJECT_START:
                # "Later in the summer, she ...": the connective leads an adjunct that ends at its comma
                comma = _COMMA_LEAD.match(text, start, pos)
                found = speaker_after(text, comma.end(), min(pos, comma.end() + 120)) if comma else found
            if found and is_state_or_country(text[found[0]:found[1]]) and text.startswith(",", found[1]):
                # "In Dayton, Ohio, the mayor ...": the state (or country) after the town goes
                # with the adjunct; the subject comes after its comma
                after = _SPACE_RUN.match(text, found[1] + 1).end()
                found = speaker_after(text, after, min(pos, after + 120)) or found
            sp = found or sp
    if sp and text.endswith(("'s", "’s"), sp[0], sp[1]) and text.startswith(" ", sp[1]) \
            and text[sp[0]:sp[1] - 2].lower() not in _CONTRACTED:
        # "China's commerce ministry condemned ...": the possessor opens the subject, its head follows
        owned = speaker_after(text, sp[1] + 1, min(pos, sp[1] + 120))
        if owned and owned[0] == sp[1] + 1:
            sp = sp[0], owned[1]
    if sp and sp[1] <= pos and text[sp[0]:sp[1]].lower() not in {"it", "there", "this"}:
        return sp
    return None


_CLAUSE_OPEN = re.compile(r"(?:,\s+" + pattern("clause_words", "coordinate") + r"\s+|;\s+|\b(?:and|but)\s+)")
_PROGRESSIVE = words("be_verbs", "progressive")


def clause_subject(text: str, pos: int, ss: int) -> tuple[int, int] | None:
    """The subject of the clause `pos` is in: after the last ", and"/"; " before it, else the sentence's."""
    opener = None
    for m in _CLAUSE_OPEN.finditer(text, max(ss, pos - 300), pos):
        opener = m
    if opener is not None:
        sp = speaker_after(text, opener.end(), min(pos, opener.end() + 120))
        if sp and text[sp[0]:sp[1]].lower() not in {"it", "there", "this"}:
            return sp
    return sentence_subject(text, pos, ss)
