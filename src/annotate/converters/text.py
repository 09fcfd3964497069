"""Small text utilities shared by the converters: paragraphs, sentences, tokens."""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Iterator, Sequence

from .lexicon import words

# Abbreviations after which a period does not end a sentence.
_ABBREV = words("abbreviations")
_ABBREV_LONGEST = max(map(len, _ABBREV))
# A sentence end: a run of end marks, closing marks (English, German „…“, guillemets either way,
# CJK), then space and a capital (or the end).
# ... or a symbol that is no letter, digit, mark or dash (an emoji, a flag, a bullet: "...reform." 🇺🇦 supporters").
_SYMBOL = r"[^\x00-\x7f\w\s\"“”‘’'«»‹›„‚「」『』()\[\]…—–―-]"
# Possessive runs, tried only where a run begins, so a long run of marks costs its length
# once (a plain `[.!?…]+` is retried at every position of a run that ends badly: quadratic).
_END_RUN = r"[.!?…]++[\"”’')\]“‘«»‹›」』]*+(?:(?=\s+[\"“‘'(\[„‚«»‹›「『]*(?:[A-Z0-9]|" + _SYMBOL + r"))|$)"
# The lookbehind comes after the first end mark (the same test: no end mark before the run), so that
# the pattern opens with a character class, which the regex engine scans for quickly.
_SENT_END = re.compile(r"[.!?…](?<![.!?…][.!?…])" + _END_RUN.replace("[.!?…]++", "[.!?…]*+", 1))
_SENT_END_HERE = re.compile(_END_RUN)  # at a start that falls inside a run of end marks
# No "sentence" is longer than this: longer ones (a text without sentence marks, an OCR dump)
# are cut into windows, which keeps every per-sentence scan bounded and convert linear.
# The longest sentence in 840 PolNeAR articles is under 1,000 characters.
MAX_SENTENCE = 2000
_SPACE_RUN = re.compile(r"\s*")  # \s is what str.isspace() calls space
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
    if period - lo > _ABBREV_LONGEST and text[period - _ABBREV_LONGEST - 1:period].isalpha():
        return False  # the word before is longer than any abbreviation (the common case: be quick)
    word = word_before(text, period, lo)
    return word in _ABBREV or (len(word) == 1 and word.isalpha()) or _initials(word)


def word_before(text: str, period: int, lo: int) -> str:
    """The word that ends at `period`, not reaching before `lo`: lower case, without the marks
    that may open it ('"Mr' -> "mr")."""
    w = max(text.rfind(" ", lo, period), text.rfind("\n", lo, period), lo - 1) + 1
    return text[w:period].lower().strip("\"“‘'(\t")


def _initials(word: str) -> bool:
    """Letters joined by periods: "j.m" of "J.M. Berger", "d.c" of "Washington, D.C." (listed or not)."""
    return len(word) >= 3 and word[1::2] == "." * (len(word) // 2) and word[::2].isalpha() and len(word) % 2 == 1


def _sentence_ends(text: str, start: int, end: int) -> Iterator[re.Match]:
    """The sentence-end matches in text[start:end] (the scanner itself in the common case: no
    generator between it and the caller)."""
    if start > 0 and text[start - 1] in ".!?…" and text[start:start + 1] in (".", "!", "?", "…"):
        m = _SENT_END_HERE.match(text, start, end)
        if m:
            return itertools.chain((m,), _SENT_END.finditer(text, m.end(), end))
    return _SENT_END.finditer(text, start, end)


# A wire story's dateline where a paragraph opens: "WASHINGTON (AP) — ", "FRANKFURT, Germany (AP) — ",
# "WASHINGTON, June 24 (Reuters) - ", "LOS ANGELES -- ". It places the story; it is no part of a
# sentence (never a speaker, never inside a quote).
_DATELINE = re.compile(
    r"(?:[A-Z][A-Z.'’]+(?:[ -][A-Z][A-Z.'’]+){0,3}"  # the place, in capitals
    r"(?:,\s+[A-Z][\w.'’]*(?:\s+[A-Z][\w.'’]*){0,2}){0,2}"  # ", Germany", ", Calif."
    r"(?:,\s+[A-Z][a-z]{2,8}\.?\s+\d{1,2})?"  # ", June 24"
    r"\s*(?:\([A-Za-z][\w .&/-]{0,30}\)\s*)?"  # "(AP)", "(Reuters)"
    r"|\([A-Z][\w .&/-]{0,30}\)\s*)"  # or the agency alone: "(CNN) —"
    r"(?:[—–―]|--?)[ \t\u00a0]+"
)


def dateline_end(text: str, start: int, end: int) -> int:
    """Where the text after a dateline opening the paragraph at `start` begins (else `start`)."""
    if (start == 0 or text[start - 1] == "\n") and text[start:start + 2].isupper():
        m = _DATELINE.match(text, start, end)
        if m and m.end() < end:
            return m.end()
    return start


def sentences(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """Yield sentence (start, end) spans inside text[start:end], none longer than MAX_SENTENCE;
    a dateline opening a paragraph is left out of its first sentence."""
    start = dateline_end(text, start, end)
    s = start
    for m in _sentence_ends(text, start, end):
        if m.group(0)[0] == "." and closes_abbreviation(text, m.start(), s):
            continue
        e = m.end()
        if e - s > MAX_SENTENCE:
            yield from bounded(text, s, e, MAX_SENTENCE)
        elif e > s:
            yield s, e
        s = _SPACE_RUN.match(text, e, end).end() if e < end else e
    if s < end and text[s:end].strip():
        if end - s <= MAX_SENTENCE:
            yield s, end  # what bounded() gives a span within the bound
        else:
            yield from bounded(text, s, end, MAX_SENTENCE)


def bounded(text: str, start: int, end: int, max_chars: int,
            marks: Sequence[int] = (), max_marks: int = 0) -> Iterator[tuple[int, int]]:
    """Cut text[start:end] into windows of at most `max_chars` characters, each holding at most
    `max_marks` of the sorted positions `marks` (when given), cutting at the last space before a limit.

    A span within the bounds comes back whole; only garbage (no sentence marks, thousands of
    cues in one run-on line) is cut, so that no scan of a "sentence" can grow with the text.
    """
    s = start
    while True:
        hard = min(end, s + max_chars)
        if marks:
            k = bisect.bisect_left(marks, s) + max_marks
            if k < len(marks) and marks[k] < hard:
                hard = max(marks[k], s + 1)
        if hard >= end:
            break
        cut = text.rfind(" ", s + 1, hard)
        cut = hard if cut < 0 else cut
        yield s, cut
        s = _SPACE_RUN.match(text, cut, end).end() if cut < end else cut
    if s < end:
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


_SURROGATE = re.compile("[\ud800-\udfff]")


def whole_characters(text: str) -> str:
    """`text` with each surrogate code point (half of a UTF-16 pair, no character: UTF-8 cannot
    hold it, e.g. a lone "\\ud800" escape in JSON) as U+FFFD, one for one, so that every offset
    into `text` still holds; `text` itself when it has none."""
    if text.isascii() or not _SURROGATE.search(text):
        return text
    return _SURROGATE.sub("\ufffd", text)
