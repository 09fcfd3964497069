"""Stance targets (entities a quote can be for or against) and rule-based stance spans.

Targets are the people (two-word capitalised names), countries and bodies (a small
gazetteer with aliases: "Moscow"/"the Kremlin" -> Russia) the text mentions most.

Stances are proposed only where a quote states a polarity *about a named target* in one of
three grammatical frames, because an annotator deletes a wrong stance more slowly than they
add a missing one:

1. evaluative verb + target as its object: "we support Ukraine", "they condemned Russia";
2. target + copula (or "as") + evaluative word: "Trump is a genius", "America is actually
   sick", "described the US as an 'unfriendly country'";
3. evaluative noun + preposition + target: "support for Kyiv", "aggression against Ukraine",
   "cooperation with Washington" (not when another party owns the noun: "U.S. support for").

A negated frame ("did not congratulate X", "X is not weak") is left out: too ambiguous. The span is the sentence of the quote holding
the frame (quote marks trimmed); the target is the mention in the frame, not a guess.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter

from .cues import word_alternation
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

# Evaluative verbs whose object is the target of the stance.
FAVOR_VERBS = """support supports supported supporting back backs backed backing endorse endorses
endorsed endorsing praise praises praised praising welcome welcomes welcomed applaud applauds
applauded admire admires admired trust trusts trusted respect respects respected thank thanks
thanked""".split()
AGAINST_VERBS = """oppose opposes opposed opposing condemn condemns condemned condemning reject
rejects rejected rejecting blame blames blamed blaming criticize criticizes criticized criticizing
criticise criticises criticised denounce denounces denounced accuse accuses accused attack attacks
attacked attacking threaten threatens threatened distrust distrusts distrusted betray betrays
betrayed sanction sanctioned punish punished warn warned""".split()
# Words that, predicated of the target ("X is ..."), express a stance.
FAVOR_PRED = """great good strong right honest reliable trustworthy qualified brilliant
wonderful excellent fantastic genius friend partner ally successful smart""".split()
AGAINST_PRED = """dangerous wrong weak corrupt unfit unqualified dishonest hostile aggressive terrible
disaster disgrace threat enemy liar failure reckless irresponsible unacceptable illegitimate
crooked racist incompetent unfriendly sick hypocritical""".split()
# Evaluative nouns + preposition + target.
FAVOR_NOUNS = r"support|backing|praise|admiration|respect|cooperation|partnership|friendship|solidarity|sympathy"
AGAINST_NOUNS = r"opposition|hostility|aggression|sanctions|war|attacks?|threats?|hatred|distrust|criticism|accusations?"

_NEG = r"(?:(?:do|does|did|will|would|can|could|should)\s*(?:not|n['’]t)|(?:don|doesn|didn|won|wouldn|can|couldn|shouldn)['’]t|never|not|no longer|cannot)\s+"
_TARGET_SLOT = r"(?:(?:the|President|Mr\.|Mrs\.|Ms\.|Prime Minister|Chancellor|leader)\s+)*"
_PRED_GAP = (
    r"(?:(?:is|are|was|were|has been|have been|remains|remain|as)\s+(?P<neg>not\s+|never\s+)?"
    r"(?:(?:actually|clearly|now|simply|just|already|still|truly|really|very|so|totally|completely|extremely|deeply|most|more|absolutely)\s+)*"
    r"(?:(?:a|an|the)\s+)?[\"“‘']?(?:(?:very|so|truly|really|totally|completely|extremely|deeply|most|more|absolute)\s+)?)"
)


def _alt(words: list[str]) -> str:
    return "|".join(sorted(words, key=len, reverse=True))


_VERB_FRAME = re.compile(
    r"(?P<neg>" + _NEG + r")?\b(?P<verb>" + _alt(FAVOR_VERBS + AGAINST_VERBS) + r")\s+" + _TARGET_SLOT + r"(?P<t>[A-Z][\w.’'-]*)"
)
# Each evaluative noun with the prepositions that point it at a target.
_NOUN_LINKS = {
    "support": "for|of", "backing": "for|of", "praise": "for|of", "admiration": "for|of", "respect": "for",
    "cooperation": "with", "partnership": "with", "friendship": "with", "solidarity": "with",
    "sympathy": "for", "opposition": "to", "hostility": "to|toward|towards", "aggression": "against|toward|towards",
    "sanctions": "on|against", "war": "on|against", "attacks": "on|against", "attack": "on|against",
    "threats": "to|against", "threat": "to", "hatred": "of|for", "distrust": "of", "criticism": "of",
    "accusations": "against", "accusation": "against",
}
_NOUN_FRAME = re.compile(
    r"\b(?P<noun>" + "|".join(f"{noun}\\s+(?:{links})" for noun, links in _NOUN_LINKS.items()) + r")\s+"
    + _TARGET_SLOT + r"(?P<t>[A-Z][\w.’'-]*)"
)
# Any word a frame needs: quotes without one are skipped before sentence splitting.
_ANY_CUE = re.compile(r"\b(?:" + _alt(FAVOR_VERBS + AGAINST_VERBS + FAVOR_PRED + AGAINST_PRED) + "|"
                      + FAVOR_NOUNS + "|" + AGAINST_NOUNS + r")\b")
_PRED_FRAME = re.compile(r"(?:['’]s)?\s+" + _PRED_GAP + r"(?P<w>\w+(?:\s+\w+)?)")
_FAVOR_NOUN_RE = re.compile(r"(?:" + FAVOR_NOUNS + r")$")
_AGAINST_PRED_RE = re.compile(r"\b(?:" + _alt(AGAINST_PRED) + r")\b")
_FAVOR_PRED_RE = re.compile(r"\b(?:" + _alt(FAVOR_PRED) + r")\b")


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


def _target_at(mentions: list[tuple[int, int, str]], pos: int, allowed: set[str],
               text: str = "") -> str | None:
    """The target whose mention starts at `pos`, unless the mention only modifies a noun ("U.S. troops").

    `mentions` are sorted by start: a bisection finds the ones at `pos` (a scan over all of
    them per frame is quadratic in a long quotation full of names)."""
    for i in range(bisect.bisect_left(mentions, (pos,)), len(mentions)):
        s, e, t = mentions[i]
        if s != pos:
            break
        if t in allowed:
            if text and _MODIFIES_NEXT.match(text, e):
                return None
            return t
    return None


# A mention followed by another capitalised word or a plain noun modifies it ("U.S. Republican
# candidate", "Iran deal"); a target stands before punctuation, a function word or the end.
_MODIFIES_NEXT = re.compile(r"[’']?\s+(?![a-z]+ly\b)(?:[A-Z]|(?!(?:and|or|in|on|for|to|with|of|from|because|but|as|is|"
                            r"was|are|were|has|have|had|will|would|who|which|that|at|by|after|before|over|"
                            r"since|if|when|while|than|into|about|again|too|now|so|not)\b)[a-z])")


_SUBJECT_WORDS = set("""
i we you they he she to will would must should can could do does did also fully strongly always
still firmly really truly totally
""".split())


def _speaker_subject(text: str, ss: int, verb_start: int) -> bool:
    """The evaluative verb opens the clause or follows a pronoun/auxiliary ("we support", "to back")."""
    before = text[ss:verb_start].split()
    return not before or before[-1].lower().strip("“\"‘'") in _SUBJECT_WORDS


_REPORTED = re.compile(r"\b(?:perception|claims?|notion|idea|whether|if|accus\w*|alleg\w*|question|rumou?rs?)\s+"
                       r"(?:that\s+)?(?:[\w.’'-]+\s+){0,2}$")


def _frames(text: str, ss: int, se: int, mentions: list[tuple[int, int, str]], allowed: set[str]):
    """Yield (polarity, target, score) for each stance frame in text[ss:se]."""
    for m in _VERB_FRAME.finditer(text, ss, se):
        target = _target_at(mentions, m.start("t"), allowed, text)
        if not target:
            continue
        if m.group("neg"):
            continue  # "did not congratulate X" is rarely a stance against X: leave negations out
        if not _speaker_subject(text, ss, m.start("verb")):
            continue  # "terrorists bent on attacking the US" reports an action, not the speaker's stance
        yield ("favor" if m.group("verb") in FAVOR_VERBS else "against"), target, 0.7
    for m in _NOUN_FRAME.finditer(text, ss, se):
        target = _target_at(mentions, m.start("t"), allowed, text)
        if not target:
            continue
        before = text[max(ss, m.start() - 30):m.start()]
        if re.search(r"\b(?:no|not|never|without)\b[^,.;]{0,20}$", before):
            continue
        if re.search(r"(?:[A-Z][\w.]*|['’]s)\s*$", before):
            continue  # "U.S. support for Ukraine": someone else's stance, not the speaker's
        yield ("favor" if _FAVOR_NOUN_RE.match(m.group("noun").split()[0]) else "against"), target, 0.6
    for i in range(bisect.bisect_left(mentions, (ss,)), len(mentions)):
        s, e, target = mentions[i]
        if s >= se:
            break  # sorted by start: no later mention ends inside the sentence
        if e > se or target not in allowed:
            continue
        m = _PRED_FRAME.match(text, e, se)
        if not m or _REPORTED.search(text, max(ss, s - 40), s):
            continue  # "the perception that Trump is racist", "whether Clinton was ...": not asserted
        words = m.group("w")
        against = _AGAINST_PRED_RE.match(words)
        favor = _FAVOR_PRED_RE.match(words)
        if m.group("neg"):
            continue
        elif against:
            yield "against", target, 0.65
        elif favor:
            yield "favor", target, 0.6


def find_stances(text: str, quotes: list[dict], targets: list[str],
                 mentions: list[tuple[int, int, str]] | None = None) -> list[dict]:
    """Stance spans inside quotes: {"start", "end", "polarity", "target", "score"}."""
    if not targets:
        return []
    allowed = set(targets)
    mentions = find_target_mentions(text) if mentions is None else mentions
    mentions = [m for m in mentions if m[2] in allowed]
    starts = [m[0] for m in mentions]
    out: list[dict] = []
    for q in quotes:
        lo, hi = bisect.bisect_left(starts, q["start"]), bisect.bisect_left(starts, q["end"])
        inside = [m for m in mentions[lo:hi] if m[1] <= q["end"]]
        if not inside or not _ANY_CUE.search(text, q["start"], q["end"]):
            continue
        for ss, se in sentences(text, q["start"], q["end"]):
            ss, se = _strip_marks(text, ss, se)
            if se - ss < 10:
                continue
            found = list(_frames(text, ss, se, inside, allowed))
            if not found:
                continue
            if len({(p, t) for p, t, _ in found}) > 1:
                continue  # mixed signals or several targets in one sentence: leave it to the annotator
            pol, target, score = max(found, key=lambda f: f[2])
            out.append(dict(start=ss, end=se, polarity=pol, target=target, score=score))
    return out


def _strip_marks(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s] in " \t\n\"“”‘’'…,":
        s += 1
    while e > s and text[e - 1] in " \t\n\"“”‘’',…":
        e -= 1
    return s, e
