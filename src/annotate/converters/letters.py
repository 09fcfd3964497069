"""Letters with diacritics, read by rules written for ASCII.

The rules find names by their capitals and words by ASCII letters (`[A-Z][a-z]+`), so
"José Álvarez" was the speaker "José" and never a stance target. Rather than rewrite every
pattern, the rules read a shadow of the text in which each Latin letter with diacritics is its
base letter ("Jose Alvarez"): one character for one, so every offset holds, and the task keeps
the text as written. Strings the rules copy out of the text (stance targets) are put back in
the article's own spelling with `Respeller`.

>>> fold_letters("José Álvarez of Łódź, “Straße”")
'Jose Alvarez of Lodz, “Strase”'

Text in decomposed form (a letter, then its combining accent) folds the same way, the accent
read as the letter again: "Jose\u0301" -> "Josee".
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable

# Letters that have no decomposition but read as one ASCII letter.
_EXTRA = {"ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ß": "s", "æ": "a", "Æ": "A",
          "œ": "o", "Œ": "O", "ı": "i", "ð": "d", "Ð": "D", "þ": "t", "Þ": "T", "ħ": "h", "Ħ": "H"}


@functools.lru_cache(maxsize=4096)
def _base(ch: str) -> str | None:
    """The ASCII letter `ch` is written on, or None (not a Latin letter with diacritics)."""
    if ch in _EXTRA:
        return _EXTRA[ch]
    parts = unicodedata.normalize("NFD", ch)
    if len(parts) > 1 and parts[0].isascii() and parts[0].isalpha() \
            and all(unicodedata.combining(p) for p in parts[1:]):
        return parts[0]
    return None


_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_last_folded: tuple = (None, None)  # (text, fold_letters(text)) of the last non-ASCII text folded


def fold_letters(text: str) -> str:
    """`text` with each Latin letter with diacritics replaced by its base letter, one for one
    (the same length, the same offsets); `text` itself when there is none."""
    global _last_folded
    if text.isascii():
        return text
    last = _last_folded
    if last[0] is text:  # the stance stage folds the very text the quote stage just folded
        return last[1]
    if last[1] is text:  # already folded (the learned stage is handed the folded text): nothing is left to fold
        return text
    # (the distinct non-ASCII characters, found by a regex scan: a news text is mostly ASCII,
    # and hashing each of its characters into a set costs several times more)
    chars = set(_NON_ASCII.findall(text))
    table = {ord(ch): base for ch in chars if (base := _base(ch))}
    out = text.translate(table) if table else text
    if any(unicodedata.combining(ch) for ch in chars):
        out = _COMBINED.sub(_spell_marks, out)
    _last_folded = (text, out)
    return out


# A Latin letter followed by combining marks: text in decomposed form (NFD, as some systems
# save it: "Jose\u0301" for "José"). Each mark reads as the letter again, in lower case
# ("Josee"), so a name stays one word of letters and every offset holds.
_COMBINED = re.compile("([A-Za-z])([\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+)")


def _spell_marks(m: re.Match) -> str:
    return m.group(1) + m.group(1).lower() * len(m.group(2))


class Respeller:
    """Puts strings the rules copied out of a folded text back into the text's own spelling.

    A string found in the folded text takes the original's characters at that place; one of
    `given` (a project's own targets, written by a person) is given back exactly as written; any
    other (a canonical name such as "United States") is returned unchanged. The same string always
    gets the same answer, so a stance's target stays one of the listed targets."""

    def __init__(self, text: str, folded: str, given: Iterable[str] = ()):
        self.text, self.folded = text, folded
        self.memo: dict[str, str] = {}
        if folded is not text:
            for g in given:
                self.memo.setdefault(fold_letters(g), g)

    def __call__(self, s: str) -> str:
        if self.folded is self.text:
            return s
        out = self.memo.get(s)
        if out is None:
            at = self.folded.find(s)
            if at >= 0:
                out = self.text[at:at + len(s)]
            elif " " in s:  # a name the rules shortened ("Jose Alvarez" of "Jose J. Alvarez"): word by word
                out = " ".join(self(w) if re.search(r"(?<!\w)" + re.escape(w) + r"(?!\w)", self.folded) else w
                               for w in s.split(" "))
            else:
                out = s
            self.memo[s] = out
        return out
