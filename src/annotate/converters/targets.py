"""Stance targets: the people, countries, organisations and issues an article's speakers take
positions on, each named in its full form.

Three steps, each usable alone:

    target_mentions(text)                   -> [(start, end, canonical target)]  (mentions.py)
    candidate_targets(text, mentions, ...)  -> [Candidate]  (generous: every clean name, salience)
    final_targets(candidates, stances)      -> [str]        (what `data.targets` lists)

How names are found is in mentions.py.


`final_targets` lists the targets stances use (most used first), then the names and issues
that the article's quotes talk *about* (a mention inside a quote, not as its speaker), most
salient first; a name that is only ever a speaker is left out.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from .mentions import _ISSUE_HEAD_SET, ALIASES, ORG_WORDS, _all_mentions, target_mentions

__all__ = ["ALIASES", "ORG_WORDS", "Candidate", "candidate_targets", "final_targets", "target_mentions"]


@dataclass
class Candidate:
    """A possible stance target: its canonical name, kind and how the article uses it."""

    name: str
    kind: str  # "person" | "org" | "country" | "issue" | "fixed"
    mentions: int = 0  # mentions anywhere
    content: int = 0  # mentions inside a quote, not as its speaker
    in_title: bool = False
    first: int = 0  # offset of the first mention
    forms: set = field(default_factory=set)

    @property
    def salience(self) -> float:
        return 3.0 * self.content + 2.0 * self.in_title + 0.5 * self.mentions


def candidate_targets(text: str, mentions: list[tuple[int, int, str]] | None = None,
                      quotes: Sequence[dict] = (), title: str = "",
                      fixed: Sequence[str] = ()) -> list[Candidate]:
    """Every clean target of the text, most salient first: a generous list for the stance finder.

    Salience counts mentions inside quotes that are not the quote's speaker (what speakers
    talk about), a mention in the title, and all mentions."""
    if mentions is None:
        mentions, kinds = _all_mentions(text, fixed)
    else:
        kinds = {}
    spans = sorted((q["start"], q["end"], tuple(q["speaker"]) if q.get("speaker") else None) for q in quotes)
    cands: dict[str, Candidate] = {}
    for name in fixed:
        if name:
            cands.setdefault(name, Candidate(name, "fixed", first=-1))
    starts = [s for s, _, _ in spans]
    for s, e, t in mentions:
        if text.startswith(":", e) and _transcript_label(text, s, e):  # a colon after it: most mentions have none
            continue  # 'HOST: ...', 'BOATENG: ...': who speaks the line, not what it is about
        c = cands.get(t)
        if c is None:
            kind = kinds.get(t) or _guess_kind(t)
            c = cands[t] = Candidate(t, kind, first=s)
        c.mentions += 1
        c.forms.add(text[s:e])
        after = bisect.bisect_right(starts, s)  # the quotes that start before the mention: the last three
        k = after - 1
        while k >= 0 and k >= after - 3:
            qs, qe, sp = spans[k]
            if qs <= s and e <= qe and not (sp and sp[0] < e and s < sp[1]):
                c.content += 1
                break
            k -= 1
    if title:
        low = title
        for c in cands.values():
            if any(f in low for f in c.forms if len(f) > 2):
                c.in_title = True
    # Fixed targets first, in the project's order; then the text's, most salient first.
    rank = {name: i for i, name in enumerate(n for n in fixed if n)}
    return sorted(cands.values(), key=lambda c: (c.kind != "fixed", rank.get(c.name, 0) if c.kind == "fixed" else 0,
                                                 -c.salience, c.first, c.name))


def _transcript_label(text: str, s: int, e: int) -> bool:
    """The mention is a transcript's speaker label: written in capitals at the start of a line and
    followed by a colon ('HOST: Minister, thanks ...')."""
    return text.startswith(":", e) and (s == 0 or text[s - 1] == "\n") and text[s:e].isupper()


@functools.lru_cache(maxsize=4096)
def _guess_kind(name: str) -> str:
    """The kind of a canonical target: a country, an issue phrase (it has a lower-case issue
    word: "US–Russia relations"), or a named entity."""
    if name in ALIASES:
        return "country"
    return "issue" if any(w in _ISSUE_HEAD_SET for w in _LOWER_RUN.findall(name)) else "entity"


_LOWER_RUN = re.compile(r"[a-z]+")


# How many issue targets a list holds at most.
MAX_ISSUES = 4


MIN_TARGETS = 1  # an empty list gets the name quotes talk about most


def _talked_about(c: Candidate) -> bool:
    """Listed without a stance: an issue phrase a quote names (speakers seldom repeat one word
    for word). A person, organisation or country is listed only when a proposed stance is about
    it: on stance-dev a name listed without a stance was a gold target one time in four, an
    issue phrase a quote names about one time in two."""
    return c.kind == "issue" and c.content >= 1


def final_targets(candidates: Sequence[Candidate], stances: Sequence[dict] = (), limit: int = 12) -> list[str]:
    """The task's target list: the fixed targets (a project's own, in their order), every
    target a stance uses (most used first), then the entities and issues the quotes talk about, most salient first; at most
    `limit` (never dropping a used or fixed one) and at most MAX_ISSUES issues."""
    used = Counter(st["target"] for st in stances if st.get("target"))
    by_name = {c.name: c for c in candidates}
    order = {c.name: i for i, c in enumerate(candidates)}
    out = [c.name for c in candidates if c.kind == "fixed"]
    out += sorted((t for t in used if t not in out), key=lambda t: (-used[t], order.get(t, len(order)), t))
    issues = sum(1 for t in out if by_name.get(t) and by_name[t].kind == "issue")
    for c in candidates:
        if len(out) >= limit:
            break
        if c.name in out or c.kind == "fixed" or not _talked_about(c):
            continue
        if c.kind == "issue":
            if issues >= MAX_ISSUES:
                continue
            issues += 1
        out.append(c.name)
    # An annotator who marks a stance the converter missed needs something to choose: an empty
    # list gets the name the quotes talk about most (MIN_TARGETS; filling every list up to three
    # lowered list precision on stance-dev from .52 to .47, filling only empty ones changed nothing).
    for c in candidates:
        if len(out) >= min(MIN_TARGETS, limit):
            break
        if c.name not in out and c.kind != "issue" and c.content >= 1:
            out.append(c.name)
    return out
