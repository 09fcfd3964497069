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

from .cues import word_alternation
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
            for f in c.forms:
                if len(f) > 2 and f in low:
                    c.in_title = True
                    break
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
    return "issue" if _ISSUE_HEAD_RUN.search(name) else "entity"


# An issue word as a whole run of lower-case letters (what `any(w in _ISSUE_HEAD_SET for w in
# re.findall("[a-z]+", name))` asks, in one regex call)
_ISSUE_HEAD_RUN = re.compile(r"(?<![a-z])(?:" + word_alternation(_ISSUE_HEAD_SET) + r")(?![a-z])")


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


# --------------------------------------------------------------------------------------------
# Issue noun phrases: what local and policy news takes positions on without naming an entity
# ("the downtown parking plan", "the bike lane", "the property tax increase", "the school
# closures", "surveillance of Muslim communities"). mentions.py finds issue phrases built around
# a name ("dialogue with the US", "the Iran deal"); these are common-noun phrases, found by
# their head noun and the modifiers before it (or an of-phrase after a bare head).

# Heads that name an issue by themselves ("the budget", "the merger").
ISSUE_NOUNS = frozenset(
    """plan plans proposal proposals budget budgets bill bills tax taxes levy levies increase increases
    hike hikes rise rises cut cuts layoffs closure closures merger mergers deal deals agreement contract
    stadium arena lane lanes project projects scheme schemes development developments rezoning
    ordinance referendum fee fees charge charges policy policies law laws legislation amendment
    amendments cap caps ban bans reform reforms program programs programme programmes downgrade
    expansion subsidy subsidies initiative initiatives mandate mandates regulation regulations
    restrictions consultation strategy pipeline quota redevelopment garage funding spending freeze
    settlement lawsuit recount moratorium tariff tariffs wall demolition privatisation
    privatization takeover acquisition relocation surveillance movement breach overhaul bailout
    cutbacks austerity curfew lockdown vaccination deportation deportations amnesty runway bypass
    incinerator tunnel motorway casino extension bond bonds""".split())
# Heads too general to be an issue without a modifier ("the four-day week", "the light rail line").
WEAK_ISSUE_NOUNS = frozenset(
    """system week line route service services rate rates price prices limit limits plant facility
    site station road bridge tower towers zone zones center centre hub terminal network estate
    homes housing units scheme contracts rules rule change crisis farm park link""".split())
# Nouns that refer back to the article's main issue ("the vote", "the decision", "the move").
REFERRING_NOUNS = frozenset("decision vote move measure idea approach step proposals approval changes result outcome".split())
# Heads that carry an issue rather than name it: "the bill" is the minimum wage hike the headline
# names when the article never says what kind of bill it is.
VEHICLE_NOUNS = frozenset("bill law legislation proposal plan scheme measure ordinance amendment".split())
_ISSUE_HEAD_WORDS = ISSUE_NOUNS | WEAK_ISSUE_NOUNS | REFERRING_NOUNS
# (the alternation with shared prefixes factored out, after a space, a line break, an opening
# mark or a dash: a set of characters first lets the scan skip ahead, twice as fast as a word
# boundary; a head after an apostrophe or a hyphen is inside a word)
_ISSUE_HEAD_RE = re.compile(r"[ \n“\"‘(\[/—–](" + word_alternation(_ISSUE_HEAD_WORDS) + r")(?![\w'’-])")
# Words before a head that are no part of its phrase: an annotator writes "the property tax
# increase", not "the proposed property tax increase" or "a new bike lane".
_DROP_LEFT = frozenset(
    """new proposed planned controversial latest revised current existing recent final tentative
    draft major big huge massive so-called separate entire whole full overall annual same other
    own possible potential additional further second first last next latest long-awaited
    much-needed promised expected""".split())
_NP_DETERMINERS = frozenset("the this that these those a an its their our his her my your any".split())
# -ing words that are nouns before a head ("the parking plan", "the housing strategy").
_ING_NOUNS = frozenset(
    """parking housing building planning zoning funding spending teaching training trading banking
    shopping gaming gambling licensing policing nursing fishing farming mining drilling fracking
    lending pricing ticketing marketing advertising broadcasting smoking vaping recycling
    sentencing voting polling reading swimming cycling skating walking camping boarding""".split())
_NOT_MODIFIERS = frozenset(
    """a an the and or but nor of for to in on at by with from about against as into over under than
    then that this these those which who whom whose what when where why how if because while so
    such is are was were be been being am has have had do does did will would shall should can could
    may might must i me my we us our you your he him his she her they them their it its there here not
    no never also just even only still very too more most again said says say told tells every each
    all both some many few several any per million billion thousand hundred percent cent
    approve approves oppose opposes support supports back backs fight fights pass passes reject
    rejects block blocks sign signs veto vetoes scrap scraps raise raises cut cuts hit hits
    want wants need needs see sees get gets make makes take takes give gives put puts keep keeps
    announced unveiled made said told took gave got found left kept held brought built bought sent
    set put won lost paid ran met led began saw came went knew thought felt became whether whatever
    however despite after before amid during until since upon via without within across among between
    toward towards behind beyond inside outside near versus vs""".split())
_COMPARATIVES = frozenset(
    """biggest largest greatest best worst highest lowest smallest strongest toughest newest oldest
    key relevant last-minute one two three four five six seven eight nine ten
    far deeper wider bigger higher lower greater larger smaller better worse longer shorter faster
    slower tougher stricter stronger weaker broader narrower cheaper earlier later newer older""".split())
# Plural words that modify a head ("the sales tax", "the jobs plan").
_PLURAL_MODIFIERS = frozenset("sales arms news jobs savings rights goods assets services sports works".split())
_ISSUE_HEAD_START = re.compile(r"(" + word_alternation(_ISSUE_HEAD_WORDS) + r")(?![\w'’-])")
_HEAD_GOES_ON = re.compile(r" (?:" + word_alternation(_ISSUE_HEAD_WORDS) + r")(?![\w'’-])")
_MODIFIER = re.compile(r"[a-z][a-z&-]*[a-z]")
_OPENERS = "\"“‘'(["
# Words right before a verb: a head or modifier after one is a verb ("to cap", "that cuts").
_VERB_PRECEDERS = frozenset("to that which who it will would could should can may might must not also".split())
_PP_GOES_ON = re.compile(r"['’]s?\b| (?:and|or|&) [A-Za-z]")
_PP_TAIL = re.compile(r" of (?:the )?((?:[\w'’&-]+ ?){1,3})")


@dataclass
class IssueGroup:
    """One issue of the article: its head noun (singular), the modifiers its mentions use, how
    many times it is named, and the fullest wording."""

    head: str
    mods: set = field(default_factory=set)
    mentions: int = 0
    in_title: bool = False
    words: tuple = ()
    first: int = 0

    @property
    def name(self) -> str:
        return " ".join(self.words)


def _singular(word: str) -> str:
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("xes", "ches", "shes", "sses")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) > 3:
        return word[:-1]
    return word


class IssueIndex:
    """The article's issue noun phrases: for each head token's offset the issue it names (its
    group's fullest wording), and the main issue (named most, the title counting twice)."""

    def __init__(self, text: str, skip: frozenset = frozenset()):
        low = text.lower()
        title_end = text.find("\n")
        title_end = len(text) if title_end < 0 else title_end
        title_case = _title_case(text[:title_end])
        groups: list[IssueGroup] = []
        by_head: dict[str, list[IssueGroup]] = {}  # the groups of each head lemma, in the order they were made
        found = []  # (head start, head lemma, modifiers, words, referring)
        first = _ISSUE_HEAD_START.match(low)  # a head that opens the text ("Plans for ...")
        for m in ([first] if first else []) + list(_ISSUE_HEAD_RE.finditer(low)):
            hs, he = m.span(1)
            word = m.group(1)
            if text[hs].isupper() and not (hs < title_end and title_case or _sentence_initial(text, hs)):
                continue  # part of a name: "Mill Lane", "Ashworth Homes"
            prev = low[max(0, hs - 12):hs - 1].rpartition(" ")[2] if hs > 1 and low[hs - 1] == " " else ""
            if _HEAD_GOES_ON.match(low, he) or prev.lstrip(_OPENERS) in _VERB_PRECEDERS:
                continue  # a modifier itself ("the stadium deal") or a verb ("to cap prices", "that cuts")
            if not prev or prev in _NP_DETERMINERS or prev in _NOT_MODIFIERS:
                mods = []  # "the plan", "last week": most heads (no need to read the words before)
            else:
                mods = self._modifiers(text, low, hs, title_end, title_case, skip)
            if word in REFERRING_NOUNS:
                if not mods:  # "the vote", "the decision"; "the right decision" refers to nothing
                    found.append((hs, word, (), (), True))
                continue
            if word in WEAK_ISSUE_NOUNS and not mods:
                continue  # ("last week": most weak heads, asked before reading an of-phrase)
            pp = [] if mods else self._of_phrase(text, he, skip)
            found.append((hs, _singular(word), tuple(mods), (*mods, word, *pp), False))
        self.heads: dict[int, IssueGroup | None] = {}
        bare = []
        for hs, lemma, mods, words, referring in found:
            if referring:
                self.heads[hs] = None  # the main issue, decided below
                continue
            if not mods and len(words) == 1:
                bare.append((hs, lemma, words))
                continue
            keys = {_singular(w.lower()) for w in words if w not in ("of", "the")} - {lemma}
            group = next((g for g in by_head.get(lemma, ()) if g.mods & keys), None)
            if group is None:
                group = IssueGroup(lemma, first=hs)
                groups.append(group)
                by_head.setdefault(lemma, []).append(group)
            self._add(group, hs, words, keys, title_end)
        # the groups of each modifier, in the order they were made (a bare head adds no modifier)
        by_mod: dict[str, list[IssueGroup]] = {}
        for g in groups:
            for mod in g.mods:
                by_mod.setdefault(mod, []).append(g)
        for hs, lemma, words in bare:
            # a bare head is the issue with that head named most ("the plan" for "the downtown
            # parking plan"), else the issue that has it as a modifier ("the merger" for "the
            # merger plan"), else an issue of its own
            same = by_head.get(lemma, [])
            group = max(same, key=lambda g: (g.mentions, -g.first)) if same else None
            if group is None:
                modified = by_mod.get(lemma, [])
                group = modified[0] if len(modified) == 1 else None
            if group is None:
                group = IssueGroup(lemma, first=hs)
                groups.append(group)
                by_head.setdefault(lemma, []).append(group)
            self._add(group, hs, words, set(), title_end)
        self.groups = groups
        self._head_lemmas = set(by_head)
        best = max(groups, key=lambda g: (g.mentions + 2 * g.in_title, -g.first), default=None)
        self.main = best if best is not None and best.mentions + 2 * best.in_title >= 3 else None
        if self.main is not None and self.main.in_title:
            for g in groups:
                if g is not self.main and g.head in VEHICLE_NOUNS and len(g.words) == 1:
                    for hs in [h for h, other in self.heads.items() if other is g]:
                        self.heads[hs] = self.main
                    g.words = self.main.words  # by_word: "bill" -> the headline's issue
        for hs in [h for h, g in self.heads.items() if g is None]:
            if self.main is None:
                del self.heads[hs]
            else:
                self.heads[hs] = self.main
        self.by_word: dict[str, IssueGroup] = {}
        for g in sorted(groups, key=lambda g: -(g.mentions + 2 * g.in_title)):
            self.by_word.setdefault(g.head, g)
        for g in sorted(groups, key=lambda g: -(g.mentions + 2 * g.in_title)):
            for w in g.mods:
                self.by_word.setdefault(w, g)

    def _add(self, group: IssueGroup, hs: int, words, keys, title_end) -> None:
        group.mentions += 1
        group.mods |= keys
        if hs < title_end:
            group.in_title = True
        if len(words) > len(group.words):
            group.words = words
        self.heads[hs] = group

    @staticmethod
    def _modifiers(text, low, hs, title_end, title_case, skip) -> list[str]:
        """The words before the head that belong to its phrase (up to three; a determiner, a
        possessor or a verb ends them)."""
        mods: list[str] = []
        pos = hs
        dropped = False
        while len(mods) < 3:
            k = pos - 1
            if k < 1 or text[k] != " ":
                break
            s = k
            while s > 0 and not text[s - 1].isspace():
                s -= 1
            tok, w = text[s:k], low[s:k]
            opened = tok[:1] in _OPENERS  # '“The insulin cap': the phrase opens with the quote
            if opened:
                tok, w = tok.lstrip(_OPENERS), w.lstrip(_OPENERS)
            if not tok:
                break
            if w in _NP_DETERMINERS or w.endswith(("'s", "’s")):
                break
            if w in _DROP_LEFT or w in _COMPARATIVES or (w.endswith("ed") and len(w) > 4 and w not in skip):
                # "the proposed property tax increase", "the council's wider strategy": passed over
                # on the way to the determiner; no word before it joins the phrase
                dropped = True
                pos = s
                continue
            if dropped:
                break
            if not _MODIFIER.fullmatch(w) or w in _NOT_MODIFIERS or w in skip or w.endswith("ly") \
                    or (w.endswith("s") and not w.endswith(("ss", "us")) and w not in _PLURAL_MODIFIERS) \
                    or (w.endswith("ing") and w not in _ING_NOUNS):
                break
            if low[max(0, s - 12):s - 1].rpartition(" ")[2].lstrip(_OPENERS) in _VERB_PRECEDERS and low[s - 1:s] == " ":
                break  # "to cap insulin prices": a verb
            if tok[0].isupper() and (s < title_end and title_case or _sentence_initial(text, s)) \
                    and not _name_start(text, title_end, tok):
                tok = tok.lower()  # capitalised only as the sentence's (or the headline's) first word
            mods.insert(0, tok)
            pos = s
            if opened:
                break
        return mods

    @staticmethod
    def _of_phrase(text, he, skip) -> list[str]:
        """'the closure of Maple Elementary', 'surveillance of Muslim communities': the of-phrase
        after a bare head, up to three words that hold no function word."""
        m = _PP_TAIL.match(text, he)
        if not m:
            return []
        words = m.group(1).split()
        out = []
        for w in words:
            lw = w.lower()
            if not re.fullmatch(r"[A-Za-z][\w&-]*", w):
                return []  # a possessive or a number: "the merger of St Anne's Hospital ..." is cut short
            if lw in _NOT_MODIFIERS or lw in skip or lw.endswith("ly"):
                break
            out.append(w)
        if not out:
            return []
        stop = m.start(1) + len(" ".join(out))
        if stop < len(text) and text[stop].isalnum() or _PP_GOES_ON.match(text, stop):
            return []  # cut short: "the merger of St Anne's Hospital [and Northfield ...]"
        return ["of"] + (["the"] if m.group(0).startswith(" of the ") else []) + out

    def at(self, pos: int) -> IssueGroup | None:
        """The issue whose head token starts at `pos`, if any."""
        return self.heads.get(pos)

    def heads_word(self, word: str) -> bool:
        """`word` is the head of one of the article's issues."""
        return _singular(word) in self._head_lemmas

    def of_word(self, word: str) -> IssueGroup | None:
        """The issue a word names as its head or a modifier ("taxes" -> "the property tax increase")."""
        return self.by_word.get(_singular(word.lower()))


def noun_phrase(text: str, low: str, hs: int, he: int, skip: frozenset = frozenset()) -> list[str]:
    """The words of the noun phrase whose head noun is text[hs:he], as IssueIndex words an
    issue ("reading garden" for "The new reading garden"); `low` is text.lower()."""
    title_end = text.find("\n")
    title_end = len(text) if title_end < 0 else title_end
    return [*IssueIndex._modifiers(text, low, hs, title_end, False, skip), text[hs:he]]


def _name_start(text: str, lo: int, word: str) -> bool:
    """A capitalised word keeps its capital as a modifier when the text writes it so mid-sentence
    after a lower-case word ("the state Senate") or before another capitalised word ("Donald
    Trump"); not when it only ends a name ("St Anne's Hospital": "Hospital merger plan" is a
    headline's first word)."""
    n = len(word)
    k = text.find(word, lo)
    while k >= 0:
        after = text[k + n:k + n + 1]
        if not (after.isalnum() or after in "'’-") and k >= 2 and text[k - 1] == " ":
            before = text[max(0, k - 40):k - 1].rsplit(None, 1)[-1:]
            prev = before[0].rstrip(",;") if before else ""
            if prev[:1].islower() and prev.replace("'", "").replace("’", "").replace("-", "").isalpha():
                return True  # after a lower-case word: "the state Senate"
            if prev and prev[-1:] not in ".!?:" and text[k + n:k + n + 2][1:].isupper() and text[k + n] == " ":
                return True  # before another capitalised word, mid-sentence: "Donald Trump"
        k = text.find(word, k + 1)
    return False


def _sentence_initial(text: str, s: int) -> bool:
    k = s - 1
    while k >= 0 and text[k] in " \"“'‘(":
        k -= 1
    return k < 0 or text[k] in ".!?\n:"


def _title_case(line: str) -> bool:
    words = [w for w in line.split() if w[:1].isalpha() and len(w) > 3]
    return len(words) >= 3 and sum(w[0].isupper() for w in words) >= 0.6 * len(words)
