"""Stance targets (entities a quote can be for or against) and stance spans inside quotes.

Targets are the people (two-word capitalised names), countries and bodies (a small
gazetteer with aliases: "Moscow"/"the Kremlin" -> Russia) the text mentions most.

A Stance is a short evaluative expression (1-6 words) inside a Quote by which the quote's
speaker takes a position toward a target: favor, against, or an explicit wait-and-see
neutral. find_stances finds them with the VADER valence lexicon and the hand lexicons in
lexicons/ (see the section "Stance spans" below); each proposal's score is the precision its
kind of proposal had on stance-dev (CALIBRATION), so a Label Studio user can hide weak ones.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from importlib import resources
from pathlib import Path

from .cues import word_alternation

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
_NAME = r"[A-Z][a-z]+(?:-[A-Z][a-z]+)?"
_CAP_WORD = re.compile(r"(?<![\w.’'-])" + _NAME + r"(?![\w’'-])")
_NOT_FIRST = set(
    """The A An But And In On At For From With By To Of This That It He She They We I You His Her
    Their Our When While If As After Before Although Since President Vice Prime Minister Former
    Kremlin Foreign Secretary Senator Sen Rep Gov Mr Mrs Ms Dr Russian American Ukrainian Chinese
    British French German European Republican Democratic Democrat Electoral College White House
    Supreme Court United Associated Oval Office Monday Tuesday Wednesday Thursday Friday Saturday
    Sunday January February March April May June July August September October November December
    New North South East West Islamic State Federal Reserve Wall Street Prime Special Nov Jan
    Feb Mar Apr Jun Jul Aug Sep Sept Oct Dec Skip Follow Image Source Subscribe Related Tags
    Every Each Both All Then Now Like Unlike Under Over Dear Sir Madam Senators Governors Senate
    House First Second Third Fourth Fifth Amendment Party Committee Department""".split()
)

def _cap_words(text: str) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m.group(0)) for m in _CAP_WORD.finditer(text)]


def find_people(text: str, caps: list[tuple[int, int, str]] | None = None) -> list[str]:
    """Two-word capitalised names ('Dmitry Peskov'), most mentioned first.

    A pair whose words also occur in lower case in the text ("a step forward") is a
    headline phrase, not a name.
    """
    counts: Counter = Counter()
    caps = _cap_words(text) if caps is None else caps
    for (_s1, e1, first), (s2, _e2, last) in zip(caps, caps[1:], strict=False):
        if e1 + 1 != s2 or text[e1] != " " or first in _NOT_FIRST or last in _NOT_FIRST:
            continue
        if f"{first} {last}" in _SURFACE:
            continue
        counts[f"{first} {last}"] += 1
    if not counts:
        return []
    seen: dict[str, bool] = {}
    lower: set[str] = set()

    def in_lower_case(word: str) -> bool:
        low = word.lower()
        if low not in seen:
            if len(seen) < _FIND_LIMIT:
                seen[low] = _occurs_as_word(text, low)
            else:  # a text of many names: one scan for every lowercase word instead (linear)
                if not lower:
                    lower.update(_lowercase_words(text) or {""})
                seen[low] = low in lower
        return seen[low]

    return [n for n, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
            if not any(in_lower_case(w) for w in n.split())]


# Names looked up one by one with str.find (fast for the dozens an article has) before
# find_people switches to one scan of the whole text (a text of thousands of names).
_FIND_LIMIT = 64


def _occurs_as_word(text: str, low: str) -> bool:
    """True when `low` stands in text as a whole lowercase word ("step" in "a step forward")."""
    if not low or not all("a" <= c <= "z" for c in low):
        return False  # "fact-check", "o'brien": never one lowercase word
    at = text.find(low)
    while at >= 0:
        before = text[at - 1] if at else " "
        after = text[at + len(low)] if at + len(low) < len(text) else " "
        if not (before.isalnum() or before in "_.") and not ("a" <= after <= "z"):
            return True
        at = text.find(low, at + 1)
    return False


# A word in lower case: a run of a-z not preceded by a letter, digit, "_" or "." (\w is
# str.isalnum() or "_", as the name check has always read it).
_LOWER_WORD = re.compile(r"(?<![\w.])[a-z]+(?![a-z])")


def _lowercase_words(text: str) -> set[str]:
    """Every word that stands in text in lower case ("step" in "a step forward"), in one scan:
    the same answers as _occurs_as_word for every word at once."""
    return set(_LOWER_WORD.findall(text))


# Every gazetteer surface as one regex over whole capitalised tokens; a sentence-final period
# after the last token is allowed ("... in Washington.").
_GAZETTEER = re.compile(r"(?<![\w.])(?:" + word_alternation(_SURFACE) + r")(?=\.?(?![\w.&]))")


def _gazetteer_mentions(text: str) -> list[tuple[int, int, str]]:
    """Gazetteer mentions ("U.S.", "North Korea", "the Kremlin"), found by one regex scan."""
    return [(m.start(), m.end(), _SURFACE[m.group(0)]) for m in _GAZETTEER.finditer(text)]


def find_target_mentions(text: str, people: list[str] | None = None) -> list[tuple[int, int, str]]:
    """(start, end, canonical target) for every gazetteer or person-name mention in text."""
    out = _gazetteer_mentions(text)
    caps = _cap_words(text)
    ranked = find_people(text, caps) if people is None else list(people)
    names = set(ranked)
    by_surname: dict[str, str] = {}
    for full in ranked:  # most mentioned first: a bare "Clinton" is the Clinton the text is about
        by_surname.setdefault(full.split()[-1], full)
    if names:
        taken = {s for s, _, _ in out}
        # Only words that start a known name or are a known surname can make a mention.
        useful = {n.split()[0] for n in names} | set(by_surname)
        resume = 0  # the index after a two-word name, whose second word is used up
        for k in [k for k, c in enumerate(caps) if c[2] in useful]:
            if k < resume:
                continue
            s1, e1, first = caps[k]
            if k + 1 < len(caps) and caps[k + 1][0] == e1 + 1 and text[e1] == " " \
                    and f"{first} {caps[k + 1][2]}" in names:
                if s1 not in taken:
                    out.append((s1, caps[k + 1][1], f"{first} {caps[k + 1][2]}"))
                resume = k + 2
                continue
            if first in by_surname and s1 not in taken:
                out.append((s1, e1, by_surname[first]))
    out.sort()
    return out


def find_targets(text: str, limit: int = 15, mentions: list[tuple[int, int, str]] | None = None) -> list[str]:
    """The task's stance targets: the people, countries and bodies the text mentions most."""
    mentions = find_target_mentions(text) if mentions is None else mentions
    counts: Counter = Counter(t for _, _, t in mentions)
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return [t for t, _ in ranked[:limit]]


# --------------------------------------------------------------------------------------------
# Stance spans: short evaluative expressions inside quotes.
#
# Seeds come from the VADER valence lexicon (vaderSentiment, MIT) plus the hand lists in
# lexicons/ (political favor/against words and phrases, wait-and-see phrases, and VADER words
# that name events rather than evaluate). Each seed grows the way annotators mark stances: a
# negator, degree words and an article before it ("not an accomplishment", "so shameful",
# "a liar"), the noun it modifies after it ("a dangerous mistake"), at most MAX_WORDS words.
# Its polarity is the seed's sign, flipped by a negator. Its target is, in order: a target
# named right after it ("horrified by X", "stand with X", "Crooked X"), the subject before it
# in its clause (a name, or he/she resolved to the last person named), the nearest target
# named before it in the quote or just before the quote, else the article's main target; the
# quote's own speaker is never its target. Its score is the precision stance-dev measured for
# its kind of seed (CALIBRATION).

MAX_WORDS = 6
MIN_VALENCE = 1.5  # VADER words weaker than this (|valence|) do not seed a stance

_LEXICON_DIR = Path(__file__).parent / "lexicons"


def _read_list(name: str) -> list[str]:
    with open(_LEXICON_DIR / name, encoding="utf-8") as f:
        return [line.strip() for line in f if line.strip() and not line.startswith("#")]


def _vader_valences() -> dict[str, float]:
    """Word -> mean valence from VADER's lexicon (alphabetic entries only, no emoticons)."""
    try:
        source = resources.files("vaderSentiment").joinpath("vader_lexicon.txt")
        lines = source.read_text(encoding="utf-8").splitlines()
    except (ModuleNotFoundError, FileNotFoundError):  # pragma: no cover - a declared dependency
        return {}
    out = {}
    for line in lines:
        word, _, rest = line.partition("\t")
        if _PLAIN_WORD.fullmatch(word):
            out[word] = float(rest.split("\t", 1)[0])
    return out


_PLAIN_WORD = re.compile(r"[a-z][a-z'-]*[a-z]")


class _Lexicon:
    """Single words -> (valence, kind) and one regex for the multi-word phrases."""

    def __init__(self) -> None:
        skip = set(_read_list("not_evaluative.txt"))
        self.words: dict[str, tuple[float, str]] = {}
        for word, v in _vader_valences().items():
            if word not in skip and abs(v) >= MIN_VALENCE:
                self.words[word] = (v, "vader-strong" if abs(v) >= 2.5 else "vader")
        phrases: dict[str, tuple[float, str]] = {}
        for name, v, kind in (("favor.txt", 2.0, "hand"), ("against.txt", -2.0, "hand"),
                              ("neutral.txt", 0.0, "neutral")):
            for entry in _read_list(name):
                entry = entry.lower().replace("’", "'")
                (phrases if " " in entry or kind == "neutral" else self.words)[entry] = (v, kind)
        self.phrases = phrases
        self.phrase_re = re.compile(r"(?<![\w'-])(?:" + word_alternation(phrases) + r")(?![\w'-])")


_LEX: _Lexicon | None = None


def _lexicon() -> _Lexicon:
    global _LEX
    if _LEX is None:
        _LEX = _Lexicon()
    return _LEX


# ASCII case folding and straight apostrophes: same length, so offsets still index the text.
_FOLD = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ’‘", "abcdefghijklmnopqrstuvwxyz''")
_TOKEN = re.compile(r"[a-z0-9](?:[a-z0-9'-]*[a-z0-9])?")
# Punctuation between two tokens ends a clause (and any frame).
_BREAK = re.compile(r"[.,;:!?()\[\]{}—–…\"“”]|\s-+\s|\n")
_CONTRAST = frozenset("but however although though yet whereas while".split())
_NEGATORS = frozenset(
    """not no never nothing none nobody neither nor without hardly barely don't doesn't didn't
    isn't aren't wasn't weren't won't wouldn't can't cannot couldn't shouldn't haven't hasn't
    hadn't ain't""".split())
_BOOSTERS = frozenset(
    """very so too most more really extremely deeply truly totally completely absolutely
    particularly greatly highly incredibly especially utterly entirely quite rather fairly
    pretty awfully terribly remarkably exceptionally consistently clearly simply just""".split())
_DETERMINERS = frozenset("a an the our his her their its this that such my your these those".split())
# Tokens a right expansion stops at: function words, pronouns, auxiliaries, common verbs.
_FUNCTION = frozenset(
    """a an the and or but nor of for to in on at by with from about against as into over under
    than then that this these those which who whom whose what when where why how if because
    while so such is are was were be been being am has have had do does did will would shall
    should can could may might must i me my we us our you your he him his she her they them
    their it its there here not no never also just even only still very too more most again
    said says say told tells according who's it's he's she's they're we're i'm that's
    there's""".split())
# Between a stance and the target it points at: "horrified by X", "stand with the X".
_TO_TARGET = frozenset(
    """by of for with against to on toward towards at about over from in the mr mrs ms dr
    president sen senator gov governor rep secretary candidate""".split())
_COPULAS = frozenset(
    """is are was were be been being am 's 're seems seem seemed sounds sound looks become
    becomes became remain remains called calls call as it's he's she's they're we're i'm that's
    """.split())
_PRONOUNS = frozenset("he she him her his hers he's she's".split())

# Score = the share of this kind of proposal that overlaps an annotated stance on stance-dev
# (see the README's quality section); Label Studio users can hide stances below a score.
# Kinds: "neutral" (a wait-and-see phrase), "quoted" (an evaluative word in scare quotes of its
# own), "hand-*" (lexicons/favor.txt, against.txt), "vader-*" (the VADER lexicon); "*-anchored"
# when predicated ("X is a joke") or next to its named target ("horrified by X", "X lied"),
# "*-loose" otherwise. Measured on 20 of the 30 stance-dev articles, (hits + 1) / (n + 2).
CALIBRATION = {
    "neutral": 0.8,          # 3 of 3
    "quoted": 0.62,          # 4 of 6
    "hand-anchored": 0.55,   # 20 of 36
    "vader-anchored": 0.44,  # 35 of 80
    "hand-loose": 0.32,      # 10 of 32
    "vader-loose": 0.26,     # 22 of 85
}


_RANK = {"neutral": 3, "hand": 2, "vader-strong": 1, "vader": 0}


def find_stances(text: str, quotes: list[dict], targets: list[str],
                 mentions: list[tuple[int, int, str]] | None = None) -> list[dict]:
    """Stance spans inside quotes: {"start", "end", "polarity", "target", "score", "kind"}.

    `mentions` are (start, end, canonical target) sorted by start; only mentions of a target
    in `targets` can become a stance's target."""
    if not targets or not quotes:
        return []
    allowed = set(targets)
    mentions = find_target_mentions(text) if mentions is None else mentions
    mentions = sorted(m for m in mentions if m[2] in allowed)
    counts = Counter(t for _, _, t in mentions)
    ranked = [t for t in targets if t in allowed]
    ranked.sort(key=lambda t: -counts.get(t, 0))
    speaking = [tuple(q["speaker"]) for q in quotes if q.get("speaker")]
    ctx = _Context(text, _not_speaking(mentions, speaking), ranked, mentions)
    out: list[dict] = []
    seen: set[tuple[int, int]] = set()
    for q in quotes:
        for st in ctx.quote_stances(q):
            if (st["start"], st["end"]) not in seen:
                seen.add((st["start"], st["end"]))
                out.append(st)
    out.sort(key=lambda st: (st["start"], st["end"]))
    return out


def _not_speaking(mentions, speakers):
    """Mentions outside every speaker span: a name that says something is not what a stance is about."""
    spans = sorted(speakers)
    ends = [e for _, e in spans]
    out = []
    for m in mentions:
        k = bisect.bisect_right(ends, m[0])  # the first speaker span ending after the mention starts
        if k < len(spans) and spans[k][0] < m[1]:
            continue
        out.append(m)
    return out


class _Context:
    """One article: its text, target mentions (sorted) and targets ranked by mentions."""

    def __init__(self, text: str, mentions: list[tuple[int, int, str]], ranked: list[str],
                 all_mentions: list[tuple[int, int, str]]):
        self.text = text
        self.all_mentions = all_mentions
        self.all_starts = [m[0] for m in all_mentions]
        self.mentions = mentions
        self.starts = [m[0] for m in mentions]
        self.by_start = {m[0]: m for m in mentions}
        self.people = [m for m in mentions if m[2] not in ALIASES]
        self.people_starts = [m[0] for m in self.people]
        self.ranked = ranked
        self.lex = _lexicon()

    # -- one quote -------------------------------------------------------------------------
    def quote_stances(self, q: dict) -> list[dict]:
        text, qs, qe = self.text, q["start"], q["end"]
        low = text[qs:qe].translate(_FOLD)
        toks = [(m.start() + qs, m.end() + qs, m.group(0)) for m in _TOKEN.finditer(low)]
        if not toks:
            return []
        clause = self._clauses(toks)
        names = self._name_tokens(toks)
        speaker = self._speaker_targets(q)
        seeds = self._seeds(low, qs, toks, names, clause)
        out = []
        for i, j, valence, kind in self._merge(seeds, toks, clause):
            i, j, negated = self._grow(toks, clause, names, i, j)
            if valence == 0.0:
                polarity = "neutral"
            else:
                polarity = "favor" if (valence > 0) != negated else "against"
            target, how = self._target(toks, clause, i, j, qs, speaker)
            if target is None:
                continue
            cop = self._predicative(toks, clause, i)
            if kind != "neutral" and self._quoted(toks[i][0], toks[j][1], qs, qe):
                kind = "quoted"
            elif kind != "neutral":
                anchored = cop or how in ("subject", "object")
                kind = ("hand" if kind == "hand" else "vader") + ("-anchored" if anchored else "-loose")
            out.append(dict(start=toks[i][0], end=toks[j][1], polarity=polarity, target=target,
                            score=CALIBRATION[kind], kind=kind))
        return out

    def _clauses(self, toks) -> list[int]:
        """Clause number of every token: punctuation or a contrast word starts a new clause."""
        text, ids, n = self.text, [], 0
        for k, (s, _e, w) in enumerate(toks):
            if k and (_BREAK.search(text, toks[k - 1][1], s) or w in _CONTRAST):
                n += 1
            ids.append(n)
        return ids

    def _name_tokens(self, toks) -> list[bool]:
        """Tokens inside a target mention (a name is not an evaluation: "United", "Justice")."""
        flags = []
        for s, e, _w in toks:
            k = bisect.bisect_right(self.starts, s) - 1
            flags.append(k >= 0 and self.mentions[k][1] >= e)
        return flags

    def _speaker_targets(self, q: dict) -> set[str]:
        found = set()
        for span in (q.get("speaker"), q.get("antecedent")):
            if span:
                lo = bisect.bisect_left(self.all_starts, span[0])
                for s, _e, t in self.all_mentions[lo:]:
                    if s >= span[1]:
                        break
                    found.add(t)
        return found

    def _seeds(self, low: str, qs: int, toks, names, clause) -> list[tuple[int, int, float, str]]:
        """(first token, last token, valence, kind) of every lexicon hit in the quote."""
        starts = [t[0] for t in toks]
        out = []
        covered = set()
        for m in self.lex.phrase_re.finditer(low):
            i = bisect.bisect_left(starts, m.start() + qs)
            j = bisect.bisect_left(starts, m.end() + qs) - 1
            if i <= j:
                v, kind = self.lex.phrases[m.group(0)]
                out.append((i, j, v, kind))
                covered.update(range(i, j + 1))
        words = self.lex.words
        text = self.text
        for k, (s, _e, w) in enumerate(toks):
            if k in covered or names[k] or w not in words:
                continue
            if text[s].isupper() and k and not (k + 1 < len(toks) and toks[k + 1][0] in self.by_start):
                continue  # a capitalised word mid-quote is a name or a title, unless it names one ("Crooked X")
            v, kind = words[w]
            out.append((k, k, v, kind))
        out.sort()
        return out

    def _merge(self, seeds, toks, clause):
        """Seeds of one polarity joined by nothing or by 'and'/'or' in one clause become one span."""
        merged: list[list] = []
        for i, j, v, kind in seeds:
            if merged:
                pi, pj, pv, pkind = merged[-1]
                joined = i <= pj + 1 or (i == pj + 2 and toks[pj + 1][2] in ("and", "or"))
                if joined and clause[i] == clause[pj] and (v > 0) == (pv > 0) and (v == 0) == (pv == 0):
                    better = pkind if _RANK[pkind] >= _RANK[kind] else kind
                    merged[-1] = [pi, max(j, pj), pv, better]
                    continue
            merged.append([i, j, v, kind])
        return merged

    def _grow(self, toks, clause, names, i, j) -> tuple[int, int, bool]:
        """Grow a seed to the phrase an annotator marks; True when a negator is taken in."""
        negated = False
        k = i - 1
        steps = 0
        while k >= 0 and clause[k] == clause[i] and steps < 3 and j - k < MAX_WORDS:
            w = toks[k][2]
            if w in _NEGATORS:
                negated = True
            elif w not in _BOOSTERS and w not in _DETERMINERS:
                break
            k -= 1
            steps += 1
        i = k + 1
        if toks[i][2] in _DETERMINERS or toks[i][2] in _BOOSTERS or toks[i][2] in _NEGATORS or i < j:
            # a noun phrase ("a dangerous mistake"): take in the words it modifies
            k = j + 1
            while (k < len(toks) and k - j <= 2 and clause[k] == clause[j] and j - i + 1 < MAX_WORDS
                   and toks[k][2] not in _FUNCTION and not names[k]
                   and not self.text[toks[k][0]].isupper()):
                k += 1
            if k > j + 1 and (k >= len(toks) or clause[k] != clause[j] or toks[k][2] in _FUNCTION):
                j = k - 1
        return i, j, negated

    def _quoted(self, s: int, e: int, qs: int, qe: int) -> bool:
        """The span is a short phrase in quote marks of its own inside the quote (a scare quote)."""
        text = self.text
        before = text[max(qs, s - 3):s]
        after = text[e:min(qe + 1, e + 3)]
        return any(c in before for c in "“‘\"'") and any(c in after for c in "”’\"'")

    # -- targets ----------------------------------------------------------------------------
    def _target(self, toks, clause, i, j, qs, speaker) -> str | None:
        # 1. named right after the stance: "horrified by X", "stand with X", "Crooked X"
        k = j + 1
        while k < len(toks) and k - j <= 4 and clause[k] == clause[j]:
            m = self.by_start.get(toks[k][0])
            if m and m[2] not in speaker:
                return m[2], "object"
            if toks[k][2] not in _TO_TARGET:
                break
            k += 1
        # 2. the subject before it in its clause: a name, or he/she for the last person named
        k = i - 1
        while k >= 0 and clause[k] == clause[i]:
            s = toks[k][0]
            idx = bisect.bisect_right(self.starts, s) - 1
            if idx >= 0 and self.mentions[idx][0] <= s < self.mentions[idx][1] and self.mentions[idx][2] not in speaker:
                return self.mentions[idx][2], "subject"
            if toks[k][2] in _PRONOUNS:
                person = self._last_person(s, speaker)
                if person:
                    return person, "pronoun"
            k -= 1
        # 3. the nearest target named before it in the quote
        lo = bisect.bisect_left(self.starts, qs)
        hi = bisect.bisect_left(self.starts, toks[i][0])
        for _s, _e, t in reversed(self.mentions[max(lo, hi - 20):hi]):
            if t not in speaker:
                return t, "near"
        # 4. the article's main target
        return next((t for t in self.ranked if t not in speaker), None), "topic"

    def _predicative(self, toks, clause, i) -> bool:
        """A copula or 'as' before the stance in its clause: "X is a joke", "called X an enemy"."""
        for k in range(i - 1, max(-1, i - 5), -1):
            if clause is not None and clause[k] != clause[i]:
                break
            if toks[k][2] in _COPULAS:
                return True
        return False

    def _last_person(self, pos: int, speaker: set[str]) -> str | None:
        hi = bisect.bisect_left(self.people_starts, pos)
        for s, _e, t in reversed(self.people[max(0, hi - 12):hi]):
            if pos - s > 3000:
                break
            if t not in speaker:
                return t
        return None
