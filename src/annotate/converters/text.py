"""Small text utilities shared by the converters: paragraphs, sentences, tokens."""

from __future__ import annotations

import re
from collections.abc import Iterator

OPEN_QUOTES = "\"“‘'«„"
CLOSE_QUOTES = "\"”’'»“"
ALL_QUOTES = set("\"“”‘’'«»„")

# Abbreviations after which a period does not end a sentence.
_ABBREV = {
    "mr", "mrs", "ms", "dr", "prof", "sen", "rep", "gov", "gen", "col", "lt", "sgt", "capt",
    "st", "jr", "sr", "inc", "corp", "co", "ltd", "no", "vs", "v", "etc", "approx", "dept",
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    "u.s", "u.k", "u.n", "e.u", "d.c", "a.m", "p.m", "i.e", "e.g", "mt", "ft", "ave", "blvd",
    "pres", "sec", "adm", "maj", "cmdr", "rev", "hon", "atty", "supt", "fig", "al",
}
_SENT_END = re.compile(r"[.!?…]+[\"”’')\]]*(?=\s+[\"“‘'(\[]*[A-Z0-9])|[.!?…]+[\"”’')\]]*$")
_WORD = re.compile(r"[A-Za-z0-9][\w'’.-]*[\w]|[A-Za-z0-9]")


def paragraphs(text: str) -> Iterator[tuple[int, int]]:
    """Yield (start, end) of each non-empty line; news paragraphs are lines after cleaning."""
    pos = 0
    for line in text.split("\n"):
        end = pos + len(line)
        if line.strip():
            s = pos + (len(line) - len(line.lstrip()))
            yield s, pos + len(line.rstrip())
        pos = end + 1


def closes_abbreviation(text: str, period: int, lo: int) -> bool:
    """True when the period at `period` ends an abbreviation or an initial ("Mr.", "J."), looking
    back no further than `lo`: such a period does not end a sentence."""
    w = max(text.rfind(" ", lo, period), text.rfind("\n", lo, period), lo - 1) + 1
    word = text[w:period].lower().strip("\"“‘'(\t")
    return word in _ABBREV or (len(word) == 1 and word.isalpha())


def sentences(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """Yield sentence (start, end) spans inside text[start:end]."""
    s = start
    for m in _SENT_END.finditer(text, start, end):
        if m.group(0)[0] == "." and closes_abbreviation(text, m.start(), s):
            continue
        e = m.end()
        if e > s:
            yield s, e
        s = e
        while s < end and text[s].isspace():
            s += 1
    if s < end and text[s:end].strip():
        yield s, end


def words(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Word spans in text[start:end]."""
    end = len(text) if end is None else end
    return [m.span() for m in _WORD.finditer(text, start, end)]


def trim(text: str, start: int, end: int, chars: str = " \t\n,;:") -> tuple[int, int]:
    """Shrink (start, end) past the given characters at both ends."""
    while start < end and text[start] in chars:
        start += 1
    while end > start and text[end - 1] in chars:
        end -= 1
    return start, end
