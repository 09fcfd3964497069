"""Stance targets (entities a quote can be for or against) and lexicon-based stance spans.

Precision first: a Stance is proposed only where one clause inside a Quote names a target
and carries a clear polarity cue; an annotator deletes a wrong stance more slowly than they
add a missing one.
"""

from __future__ import annotations

import re
from collections import Counter

from .text import sentences

# Canonical target -> surface forms. Countries and bodies that news quotes take sides on.
ALIASES: dict[str, tuple[str, ...]] = {
    "United States": ("United States", "U.S.", "US", "USA", "U.S.A.", "America", "Washington"),
    "Russia": ("Russia", "Moscow", "Kremlin", "Russian Federation"),
    "Ukraine": ("Ukraine", "Kyiv", "Kiev"),
    "China": ("China", "Beijing"),
    "European Union": ("European Union", "EU", "E.U.", "Brussels"),
    "United Kingdom": ("United Kingdom", "Britain", "UK", "U.K.", "London"),
    "NATO": ("NATO", "Nato"),
    "United Nations": ("United Nations", "UN", "U.N."),
    "Israel": ("Israel",), "Iran": ("Iran", "Tehran"), "Syria": ("Syria", "Damascus"),
    "Germany": ("Germany", "Berlin"), "France": ("France", "Paris"), "Japan": ("Japan", "Tokyo"),
    "India": ("India", "New Delhi"), "Mexico": ("Mexico",), "Canada": ("Canada", "Ottawa"),
    "North Korea": ("North Korea", "Pyongyang"), "South Korea": ("South Korea", "Seoul"),
    "Turkey": ("Turkey", "Ankara"), "Saudi Arabia": ("Saudi Arabia", "Riyadh"),
    "Palestine": ("Palestine", "Palestinians", "Gaza"), "Taiwan": ("Taiwan", "Taipei"),
    "Congress": ("Congress",), "Republican Party": ("Republicans", "GOP", "Republican Party"),
    "Democratic Party": ("Democrats", "Democratic Party"), "White House": ("White House",),
    "Supreme Court": ("Supreme Court",), "Hamas": ("Hamas",), "Hezbollah": ("Hezbollah",),
}
_SURFACE = {s: canon for canon, forms in ALIASES.items() for s in forms}
_GAZ = re.compile(r"(?<![\w.])(?:" + "|".join(re.escape(s) for s in sorted(_SURFACE, key=len, reverse=True)) + r")(?![\w])")
# A lookahead so that "As Donald Trump" still yields "Donald Trump" after rejecting "As Donald".
_PERSON = re.compile(r"(?<![\w.])(?=([A-Z][a-z]+(?:-[A-Z][a-z]+)?)\s+([A-Z][a-z]+(?:-[A-Z][a-z]+)?)\b)")
_NOT_FIRST = set(
    """The A An But And In On At For From With By To Of This That It He She They We I You His Her
    Their Our When While If As After Before Although Since President Vice Prime Minister Former
    Kremlin Foreign Secretary Senator Sen Rep Gov Mr Mrs Ms Dr Russian American Ukrainian Chinese
    British French German European Republican Democratic Democrat Electoral College White House
    Supreme Court United Associated Oval Office Monday Tuesday Wednesday Thursday Friday Saturday
    Sunday January February March April May June July August September October November December
    New North South East West Islamic State Federal Reserve Wall Street Prime Special Nov Jan
    Feb Mar Apr Jun Jul Aug Sep Sept Oct Dec Skip Follow Image Source Subscribe Related Tags""".split()
)

FAVOR = {
    "support", "supports", "supported", "supporting", "welcome", "welcomes", "welcomed", "praise",
    "praised", "praising", "open to", "dialogue", "cooperate", "cooperation", "committed",
    "commitment", "opportunity", "genius", "great", "good", "best", "trust", "respect",
    "congratulate", "congratulated", "agree", "agreed", "partner", "partnership", "friend",
    "friendly", "peace", "hopeful", "optimistic", "admire", "applaud", "endorse", "endorsed",
    "backing", "back", "positive", "progress", "step forward", "success", "successful",
    "capable", "strong", "right", "help", "improve", "repair",
}
AGAINST = {
    "oppose", "opposes", "opposed", "against", "unfriendly", "hostile", "enemy", "enemies",
    "condemn", "condemned", "criticize", "criticized", "criticise", "criticised", "reject",
    "rejected", "blame", "blamed", "threat", "threaten", "threatens", "dangerous", "aggression",
    "aggressive", "sanction", "sanctions", "war against", "lowest point", "historic low", "worse",
    "worsen", "bad", "terrible", "failure", "failed", "disaster", "illegal", "lie", "lies",
    "corrupt", "weak", "sick", "wrong", "no illusions", "contrary", "hypocrisy", "unacceptable",
    "averse", "henchmen", "accuse", "accused", "attack", "attacks", "invasion", "distrust",
}
_NEGATION = re.compile(r"\b(?:not|no|never|n’t|n't|hardly|without)\b", re.IGNORECASE)


def _lexicon_re(words: set[str]) -> re.Pattern:
    return re.compile(r"\b(?:" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) + r")\b", re.IGNORECASE)


_FAVOR_RE = _lexicon_re(FAVOR)
_AGAINST_RE = _lexicon_re(AGAINST)


def find_target_mentions(text: str, people: list[str] | None = None) -> list[tuple[int, int, str]]:
    """(start, end, canonical target) for every gazetteer or person-name mention in text."""
    out = [(m.start(), m.end(), _SURFACE[m.group(0)]) for m in _GAZ.finditer(text)]
    names = people if people is not None else find_people(text)
    by_surname: dict[str, str] = {}
    for full in names:
        by_surname.setdefault(full.split()[-1], full)
    if by_surname:
        pat = re.compile(r"\b(?:" + "|".join(re.escape(n) for n in sorted([*names, *by_surname], key=len, reverse=True)) + r")\b")
        taken = [(s, e) for s, e, _ in out]
        for m in pat.finditer(text):
            if any(s < m.end() and m.start() < e for s, e in taken):
                continue
            word = m.group(0)
            out.append((m.start(), m.end(), word if word in names else by_surname[word]))
    out.sort()
    return out


def find_people(text: str) -> list[str]:
    """Two-word capitalised names ('Dmitry Peskov'), most mentioned first."""
    counts: Counter = Counter()
    for m in _PERSON.finditer(text):
        first, last = m.group(1), m.group(2)
        if first in _NOT_FIRST or last in _NOT_FIRST or f"{first} {last}" in _SURFACE:
            continue
        counts[f"{first} {last}"] += 1
    return [n for n, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def find_targets(text: str, limit: int = 15) -> list[str]:
    """The task's stance targets: the people, countries and bodies the text mentions most."""
    counts: Counter = Counter(t for _, _, t in find_target_mentions(text))
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return [t for t, _ in ranked[:limit]]


def _polarity(clause: str) -> tuple[str, float] | None:
    fav = [m for m in _FAVOR_RE.finditer(clause)]
    ag = [m for m in _AGAINST_RE.finditer(clause)]
    if not fav and not ag:
        return None

    def negated(m: re.Match) -> bool:
        return bool(_NEGATION.search(clause[max(0, m.start() - 25) : m.start()]))

    score_fav = sum(-1 if negated(m) else 1 for m in fav) - sum(1 if negated(m) else 0 for m in ag)
    score_ag = sum(-1 if negated(m) else 1 for m in ag)
    if score_ag > 0 and score_ag >= score_fav:
        return "against", 0.55 + min(0.3, 0.1 * score_ag)
    if score_fav > 0 and score_fav > score_ag:
        return "favor", 0.5 + min(0.3, 0.1 * score_fav)
    return None


def find_stances(text: str, quotes: list[dict], targets: list[str]) -> list[dict]:
    """Stance spans inside quotes: {"start", "end", "polarity", "target", "score"}."""
    if not targets:
        return []
    allowed = set(targets)
    mentions = [m for m in find_target_mentions(text) if m[2] in allowed]
    out: list[dict] = []
    for q in quotes:
        for ss, se in sentences(text, q["start"], q["end"]):
            ss, se = _strip_marks(text, ss, se)
            if se - ss < 10:
                continue
            inside = [m for m in mentions if m[0] >= ss and m[1] <= se]
            if not inside:
                continue
            pol = _polarity(text[ss:se])
            if pol is None:
                continue
            target = Counter(m[2] for m in inside).most_common(1)[0][0]
            out.append(dict(start=ss, end=se, polarity=pol[0], target=target, score=round(pol[1], 2)))
    return out


def _strip_marks(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s] in " \t\n\"“”‘’'…,":
        s += 1
    while e > s and text[e - 1] in " \t\n\"“”‘’',…":
        e -= 1
    return s, e
