"""Seeded garbage texts that once made convert slow: the cases behind the linear-time checks.

Each generator takes a size in characters and a seed and returns the same text every time.
None of them is news; they are what OCR dumps, scraped streams or a hostile request to the ML
backend can look like, and convert must stay linear in their length (tests/test_linear.py,
benchmarks/speed.py).
"""

from __future__ import annotations

import random
from collections.abc import Callable

# The word list of the report that found the quadratic case (issue 15, item 6).
CUE_WORDS = "said told Peskov minister talks and sanctions continue that the reporters opposed would while Russia".split()


def _fill(size: int, piece: Callable[[], str]) -> str:
    out: list[str] = []
    n = 0
    while n < size:
        p = piece()
        out.append(p)
        n += len(p)
    return "".join(out)[:size]


def cue_soup(size: int, seed: int = 7) -> str:
    """One line of random cue words and names, no punctuation at all."""
    r = random.Random(seed)
    return _fill(size, lambda: r.choice(CUE_WORDS) + " ")


def commas(size: int, seed: int = 7) -> str:
    """Cue words separated by thousands of commas, never a sentence end."""
    r = random.Random(seed)
    return _fill(size, lambda: r.choice(CUE_WORDS) + r.choice([", ", ",", " , ", " "]))


def quote_soup(size: int, seed: int = 7) -> str:
    """Cue words with straight and curly quote marks scattered among them."""
    r = random.Random(seed)
    return _fill(size, lambda: r.choice(CUE_WORDS) + r.choice([" ", " ", ' "', '" ', ", “", "” ", ',"  ']))


def quote_marks(size: int, seed: int = 7) -> str:
    """Long runs of every kind of quote mark, a word now and then."""
    r = random.Random(seed)
    marks = ['"', "“", "”", "‘", "’", "'", "„", "«", "»", "‚", "‹", "›", "「", "」"]
    return _fill(size, lambda: r.choice(marks) + (r.choice(CUE_WORDS) + " " if r.random() < 0.3 else ""))


def names(size: int, seed: int = 7) -> str:
    """One paragraph of invented capitalised names, each a new one, with cues between."""
    r = random.Random(seed)

    def word() -> str:
        return "".join(r.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(r.randint(3, 8))).capitalize()

    return _fill(size, lambda: word() + " " + word() + r.choice([" said ", " and ", ", "]))


def according(size: int, seed: int = 7) -> str:
    """'according to', 'asked whether', possessive nouns of saying, over and over on one line."""
    r = random.Random(seed)
    extra = ["according to", "asked whether", "his promise to", "the claim that", "Trump's"]
    return _fill(size, lambda: r.choice(CUE_WORDS + extra) + " ")


def end_marks(size: int, seed: int = 7) -> str:
    """A cue, then one run of periods that no sentence start follows."""
    return ("Peskov said " + "." * size)[: max(0, size - 2)] + " x"


def no_spaces(size: int, seed: int = 7) -> str:
    """Cue words run together without a single space."""
    r = random.Random(seed)
    return _fill(size, lambda: r.choice(CUE_WORDS))


def short_lines(size: int, seed: int = 7) -> str:
    """Tens of thousands of one- or two-word paragraphs, colon frames among them."""
    r = random.Random(seed)
    return _fill(size, lambda: r.choice(CUE_WORDS) + r.choice([" ", "\n", ":\n", " said:\n", "\n\n"]))


def bylines(size: int, seed: int = 7) -> str:
    """An unattributed quotation, a line, then thousands of '— Name' by-lines."""
    return ("“Quote me on this one”\nfoo\n" + "— John Smith\n" * (size // 13 + 1))[:size]


def footer_lines(size: int, seed: int = 7) -> str:
    """Thousands of 'Tags' footer headings between blank lines, nothing before them."""
    return ("Word\n" + "Tags\n\n\n" * (size // 7 + 1))[:size]


def stance_quote(size: int, seed: int = 7) -> str:
    """One quotation that never closes, full of stance frames and their targets."""
    r = random.Random(seed)
    parts = ["we support Russia", "oppose Ukraine", "Vladimir Putin", "Donald Trump is dangerous", "and",
             "praise", "China", "Peskov"]
    return "“" + _fill(size - 1, lambda: r.choice(parts) + " ")


def posts(size: int, seed: int = 7) -> str:
    """Embedded posts: cue words and runs of links, each closed by a '— Name (@handle) date'
    signature on its own line or on the post's, and one last line of links thousands long."""
    r = random.Random(seed)

    def piece() -> str:
        links = " ".join(f"https://t.co/{r.randint(0, 9)}" for _ in range(r.randint(1, 40)))
        end = r.choice(["\n\n— Ana Ruiz (@aruiz) June 1, 2016\n\n", " — Ana Ruiz (@aruiz) June 1, 2016\n", "\n"])
        return f"{r.choice(CUE_WORDS)} {links}{end}"

    tail = " — Ana Ruiz (@aruiz) June 1, 2016\n"
    body = _fill(size // 2, piece)
    return (body + "said " + _fill(size - len(body) - len(tail) - 5, lambda: "https://t.co/x ") + tail)[:size]


GENERATORS: dict[str, Callable[..., str]] = {
    "cue_soup": cue_soup, "commas": commas, "quote_soup": quote_soup, "quote_marks": quote_marks,
    "names": names, "according": according, "end_marks": end_marks, "no_spaces": no_spaces,
    "short_lines": short_lines, "bylines": bylines, "footer_lines": footer_lines, "stance_quote": stance_quote,
    "posts": posts,
}
