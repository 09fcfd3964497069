"""The quote side's word lists: one file each in lexicons/quotes/, loaded once.

A file holds one entry a line: a word, a phrase or a small regex pattern. '#' starts a
comment (every file opens with one saying what the list is for). After ' | ' an entry may
carry comma-separated tags: one list serves several frames, each taking the entries with
its tag ("tell | only, direct" in recipient_verbs.txt), so that a word is listed once.
Phrasal and irregular verbs use the same field for their particles and forms.
"""

from __future__ import annotations

import functools
from pathlib import Path

LEXICON_DIR = Path(__file__).parent / "lexicons" / "quotes"


@functools.cache
def entries(name: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(entry, tags) of each line of lexicons/quotes/NAME.txt, in file order."""
    out = []
    for line in (LEXICON_DIR / f"{name}.txt").read_text(encoding="utf-8").splitlines():
        line = line.split(" #", 1)[0] if not line.startswith("#") else ""
        if not line.strip():
            continue
        entry, _, tags = line.partition(" | ")
        out.append((entry.strip(), tuple(t.strip() for t in tags.split(",") if t.strip())))
    return tuple(out)


def listed(name: str, tag: str | None = None) -> list[str]:
    """The entries of a lexicon in file order; with `tag`, only those carrying it."""
    return [e for e, tags in entries(name) if tag is None or tag in tags]


def words(name: str, tag: str | None = None) -> frozenset[str]:
    """The entries of a lexicon (with `tag`: those carrying it) as a set."""
    return frozenset(listed(name, tag))


def pattern(name: str, tag: str | None = None) -> str:
    """The entries as one regex alternation "(?:a|b|...)", in file order (entries are regex source)."""
    return "(?:" + "|".join(listed(name, tag)) + ")"


def table(name: str) -> dict[str, tuple[str, ...]]:
    """Entry -> its tags (phrasal particles, irregular forms), in file order."""
    return dict(entries(name))
