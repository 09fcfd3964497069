"""The name-chain regex of mentions.py, spelled so that the regex engine can skip to capitals.

A pattern that opens with a look-around (even `(?=[A-Z])`) gives Python's regex engine no first
character to search for, so a scan enters the matcher at every position of the text; one that
opens with a letter or a set of letters is searched for in a tight loop first. `_CHAIN` opens
with its capital and checks the character before it next; it must find exactly what the
look-around-first spelling finds.
"""

from __future__ import annotations

import random
import re

from annotate.converters import mentions

try:  # Python 3.11+
    from re import _compiler as sre_compile
    from re import _constants as sre_constants
    from re import _parser as sre_parse
except ImportError:  # Python 3.10
    import sre_compile  # type: ignore[no-redef]
    import sre_constants  # type: ignore[no-redef]
    import sre_parse  # type: ignore[no-redef]

# The spelling _CHAIN had before: the check first, then _TOKEN (its gaps are any white space but
# a line break: mentions._GAP).
_REFERENCE = re.compile(
    r"(?=[A-Z])(?<![\w.’'@#/-])" + mentions._TOKEN
    + r"(?:['’]s?)?(?:(?:" + mentions._GAP + "|" + mentions._GAP
    + r"(?:of|for|of the|de|van|von|der|da|bin|al|la|le|du|del)" + mentions._GAP + r")"
    + mentions._TOKEN + r"(?:['’]s?)?)*(?![\w@])"
)


def _has_first_char_set(pattern: str) -> bool:
    code = sre_compile._code(sre_parse.parse(pattern), 0)
    assert code[0] == sre_constants.INFO
    return bool(code[2] & (sre_constants.SRE_INFO_CHARSET | sre_constants.SRE_INFO_PREFIX))


def _spans(p: re.Pattern, s: str, pos: int = 0) -> list[tuple[int, int]]:
    return [m.span() for m in p.finditer(s, pos)]


def test_chain_opens_with_its_capital():
    assert not _has_first_char_set(_REFERENCE.pattern)  # what made every position a match attempt
    assert _has_first_char_set(mentions._CHAIN.pattern)


def test_chain_finds_names():
    text = "Mr. McCain met O'Malley, the U.S. and NATO. e-Mail x@Foo Bank of America’s plan."
    # "Mr. McCain" (title and name, one chain), "O'Malley", "U.S.", "NATO" (the sentence's
    # period is not part of it); "Mail" after a hyphen and "Foo" after "@" are no names; "Bank of America’s" is one chain with its possessive
    # (a lower-case word ends it).
    found = [text[a:b] for a, b in _spans(mentions._CHAIN, text)]
    assert found[:3] == ["Mr. McCain", "O'Malley", "U.S."]
    assert "NATO" in found and "Mail" not in found and "Foo" not in found
    assert "Bank of America’s" in found
    assert _spans(mentions._CHAIN, text) == _spans(_REFERENCE, text)


def test_chain_same_as_reference_on_random_text():
    rnd = random.Random(17)
    pieces = list("AMOcaDsrbJjTGL.'’-@#/ \n\tofthe") + [
        "Mc", "Mac", "O'", "D’", "Mr.", "Mrs", " of the ", " de ", "St.", "U.S.", "é", "É", "_", "1",
        "’s", "'s", "Capt", "Co.", "Inc.",
    ]
    for i in range(20000):
        s = "".join(rnd.choice(pieces) for _ in range(rnd.randint(1, 30)))
        pos = rnd.randint(0, len(s)) if i % 2 else 0
        assert _spans(mentions._CHAIN, s, pos) == _spans(_REFERENCE, s, pos), (s, pos)
