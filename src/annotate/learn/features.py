"""Items and features of the learned quote stage (feature set FEATURE_SET).

The model edits the rule quotes; it looks only at a few tokens around each of them and at the
cue words, so its cost grows with the number of quotes and cues (one regex pass over the
text). Three kinds of decisions, each a CRFsuite sequence whose every item carries the feature
`T=<kind>` (one model file holds them all, each kind with its own two labels):

- `m` merge (one item): do two consecutive rule quotes belong to one quote? ("“A,” she said,
  “B.”" is one discontinuous Content in a brat corpus, two fragments in SPEC-style gold: the
  model learns its gold's habit). Labels m1 / m0.
- `s` start (a window of WINDOW tokens either side of the quote's start): s0 before the first
  token of the quote, s1 from it on. The first s1 is the start.
- `a` add (one item): is the rest of the sentence after a cue word no rule quote is near, with a
  speaker before the cue, a quote the rules missed? Labels a1 / a0 (cue_candidates).

Tokens are words (letters/digits with inner ' ’ . -) and single other characters.
"""

from __future__ import annotations

import functools
import re

from ..converters.cues import FORMS

FEATURE_SET = "3"
WINDOW = 6  # tokens either side of a boundary
_SLICE = 7  # characters scanned per window token at first (a token plus its space)

TOKEN = re.compile(r"[A-Za-z0-9]+(?:['’.\-][A-Za-z0-9]+)*|\S")
OPEN_MARKS = frozenset("“‘«„‚‹「『")
CLOSE_MARKS = frozenset("”’»›」』")
AMBIGUOUS_MARKS = frozenset("\"'")
QUOTE_CHARS = "\"“”‘’'«»„‚‹›「」『』"
CUE_WORDS = frozenset(w for w in FORMS if w.isalpha())


def tokenize(text: str, start: int = 0, end: int | None = None) -> tuple[list[int], list[int], list[str]]:
    """(starts, ends, words) of the tokens of `text[start:end]` (offsets into `text`)."""
    starts: list[int] = []
    ends: list[int] = []
    words: list[str] = []
    for m in TOKEN.finditer(text, start, len(text) if end is None else end):
        s, e = m.span()
        starts.append(s)
        ends.append(e)
        words.append(text[s:e])
    return starts, ends, words


def shape(w: str) -> str:
    if w.isalpha():
        if w.islower():
            return "x"
        if w.isupper():
            return "X" if len(w) > 1 else "X1"
        return "Xx" if w[0].isupper() else "xX"
    if w.isdigit():
        return "d"
    if len(w) == 1:
        return w
    return "m"


def _mark(w: str) -> str:
    if w in OPEN_MARKS:
        return "open"
    if w in CLOSE_MARKS:
        return "close"
    if w in AMBIGUOUS_MARKS:
        return "amb"
    return ""


def _cue(w: str) -> str:
    f = FORMS.get(w)
    return f[0] if f else ""


def window(text: str, pos: int, n: int = WINDOW) -> tuple[list[int], list[int], list[str], int]:
    """Up to `n` tokens before `pos` and `n` from it on: (starts, ends, words, index of the
    first token that ends after `pos`). Scans a few characters a token, more only when needed."""
    reach = n * _SLICE
    while True:
        lo, hi = max(0, pos - reach), min(len(text), pos + reach)
        starts, ends, words = tokenize(text, lo, hi)
        if lo > 0 and words:  # the slice may begin inside a token: leave that one out
            starts, ends, words = starts[1:], ends[1:], words[1:]
        a = 0
        while a < len(ends) and ends[a] <= pos:
            a += 1
        if (a >= n or lo == 0) and (len(words) - a >= n or hi == len(text)) or reach >= n * 400:
            break
        reach *= 4
    i, j = max(0, a - n), min(len(words), a + n)
    return starts[i:j], ends[i:j], words[i:j], a - i


def quote_facts(q: dict) -> list[str]:
    """Features of a rule quote that every item about it shares."""
    cue = (q.get("cue") or "").split("/")
    f = ["qt=" + q.get("quote_type", ""), "cue=" + cue[0], "sp=" + ("1" if q.get("speaker") else "0")]
    if len(cue) > 1:
        f.append("frame=" + cue[1])
    return f


@functools.lru_cache(maxsize=1 << 16)
def _word(w: str) -> tuple:
    """A token's own feature strings, made once per distinct word: (lowercased, its features,
    as the previous token, as the next token, quote-mark kind, a cue word?)."""
    low = w.lower()
    sh = shape(w)
    mark = _mark(w)
    own = ["w=" + low, "s=" + sh]
    if mark:
        own.append("m=" + mark)
    cue = low in CUE_WORDS
    if cue:
        own.append("c=" + _cue(low))
    if len(low) > 3:
        own.append("suf=" + low[-3:])
    prev = ["-1w=" + low, "-1s=" + sh] + (["-1m=" + mark] if mark else []) + (["-1c"] if cue else [])
    nxt = ["+1w=" + low, "+1s=" + sh] + (["+1m=" + mark] if mark else []) + (["+1c"] if cue else [])
    return low, own, prev, nxt


def boundary_features(text: str, kind: str, q: dict, starts: list[int], ends: list[int], words: list[str],
                      anchor: int) -> list[list[str]]:
    """The features of each token of a boundary window (`kind` 's': a start); `anchor` is the
    token where the rule put the boundary."""
    n = len(words)
    info = [_word(w) for w in words]
    qs, qe = q["start"], q["end"]
    facts = quote_facts(q)
    dq = "d|" + facts[0] + "="
    t = "T=" + kind
    out = []
    for i in range(n):
        d = i - anchor
        dd = str(d) if -3 <= d <= 3 else ("<" if d < 0 else ">")
        low, own, _, _ = info[i]
        f = [t, "d=" + dd, "in=1" if qs <= starts[i] and ends[i] <= qe else "in=0", dq + dd,
             "w|d=" + low + "|" + dd, *own]
        if i:
            f += info[i - 1][2]
            f.append("-1w|w=" + info[i - 1][0] + "|" + low)
            if "\n" in text[ends[i - 1]:starts[i]]:
                f.append("nl")
        else:
            f.append("first")
        if i + 1 < n:
            f += info[i + 1][3]
            if "\n" in text[ends[i]:starts[i + 1]]:
                f.append("+1nl")
        else:
            f.append("last")
        if d == 0:
            f.extend(facts)
        out.append(f)
    return out


def merge_features(text: str, a: dict, b: dict) -> list[str]:
    """The features of the merge decision about consecutive rule quotes `a` and `b`."""
    gap = text[a["end"]:b["start"]]
    words = TOKEN.findall(gap)
    low = [w.lower() for w in words]
    n = len(words)
    bucket = "0" if n == 0 else "1-2" if n <= 2 else "3-5" if n <= 5 else "6-10" if n <= 10 else "11+"
    qa, qb = a.get("quote_type", ""), b.get("quote_type", "")
    f = ["T=m", "b|m", "types=" + qa + "|" + qb, "gap=" + bucket,
         "group=" + ("same" if a.get("group") == b.get("group") else "other"),
         "nl=" + str(min(gap.count("\n"), 2)), "cuea=" + (a.get("cue") or "").split("/")[0],
         "cueb=" + (b.get("cue") or "").split("/")[0],
         "sp=" + ("same" if a.get("speaker") and a.get("speaker") == b.get("speaker")
                  else "none" if not (a.get("speaker") or b.get("speaker")) else "other")]
    f.append("gap|types=" + bucket + "|" + qa + "|" + qb)
    f.append("grp|types=" + f[4] + "|" + qa + "|" + qb)
    for w in low[:8]:
        f.append("gw=" + w)
    if low:
        f.append("gfirst=" + low[0])
        f.append("glast=" + low[-1])
    if any(w in CUE_WORDS for w in low):
        f.append("gcue")
    if any(_mark(w) for w in words):
        f.append("gmark")
    if "." in low[1:] or "!" in low[1:] or "?" in low[1:]:
        f.append("gstop")  # a sentence ends between them
    tail = text[max(a["start"], a["end"] - 3):a["end"]].rstrip(QUOTE_CHARS + " ")
    f.append("aend=" + (tail[-1] if tail and not tail[-1].isalnum() else "w"))
    after = text[a["end"]:a["end"] + 2].strip()
    f.append("aafter=" + (after[:1] if after else ""))
    head = text[b["start"]:b["start"] + 3].lstrip(QUOTE_CHARS + " ")
    f.append("bcap=" + ("1" if head[:1].isupper() else "0"))
    aend = f[-3][5:]
    f.append("aend|gstop=" + aend + "|" + ("1" if "gstop" in f else "0"))
    f.append("aend|group=" + aend + "|" + f[4])
    f.append("aend|bcap=" + aend + "|" + f[-2])
    f.extend(_second_facts(text, a, b, low))
    return f


def _len_bucket(n: int) -> str:
    return "1-3" if n <= 3 else "4-8" if n <= 8 else "9-20" if n <= 20 else "21+"


def _second_facts(text: str, a: dict, b: dict, gap: list[str]) -> list[str]:
    """What the second quote says of itself: its own cue just after it ("“B,” he said": often a
    quote of its own), its length and the first's (a short one is a title or a scare quote), how
    many cue words the gap has ("she said, adding, “B”": two speech events)."""
    after = [w.lower() for w in TOKEN.findall(text, b["end"], min(len(text), b["end"] + 40))][:4]
    ncue = sum(1 for w in gap if w in CUE_WORDS)
    types = (a.get("quote_type") == "direct") and "d" or "i"
    f = ["bafter=" + ("cue" if any(w in CUE_WORDS for w in after) else after[0] if after and not after[0].isalnum() else "w"),
         "blen=" + _len_bucket(len(TOKEN.findall(text, b["start"], b["end"]))),
         "alen=" + _len_bucket(len(TOKEN.findall(text, a["start"], a["end"]))),
         "gcues=" + str(min(ncue, 2)) + "|" + types]
    f.append("bafter|gcues=" + f[0][7:] + "|" + f[3][6:])
    return f


# --- added quotes: the clause after a cue word the rules did not take ---------------------------

ADD_NEAR = 40  # a cue this close to a rule quote is that quote's (the rules took it or ruled it out)
_PAST = re.compile(r"(?<![\w’'-])(?:[a-z]{3,}ed|(?<=[A-Za-z] )[a-z]{3,}[^s\W]s)(?![\w’'-])")  # a verb outside the lexicon ("disparaged", "cosponsors")
_SENT_END = re.compile(r"[.!?;]\s|[.!?;]?\n|[.!?;]$")
_SENT_BACK = 300  # characters looked back for the sentence's start
_SENT_AHEAD = 400  # characters a proposed quote may reach
_BACK_STOP = re.compile(r"[.!?;\n]")
_TRIM_CHARS = " \t\n\"“”‘’',.:"


_ABBREV = re.compile(r"(?:^|[\s(])(?:[A-Z][a-z]{0,3}|[A-Za-z](?:\.[A-Za-z])*)$")  # "Mr", "Sen", "U.S", "p.m"


def _stop(text: str, k: int) -> bool:
    """Whether the character at k ends a sentence (a period after "Mr" or "U.S" does not)."""
    return text[k] != "." or not _ABBREV.search(text, max(0, k - 8), k)


def _sentence_start(text: str, pos: int) -> int:
    lo = max(0, pos - _SENT_BACK)
    last = lo
    for m in _BACK_STOP.finditer(text, lo, pos):
        if _stop(text, m.start()):
            last = m.end()
    return last


def _sentence_end(text: str, pos: int) -> int:
    hi = min(len(text), pos + _SENT_AHEAD)
    for m in _SENT_END.finditer(text, pos, hi):
        if _stop(text, m.start()):
            return m.start()
    return hi


def cue_candidates(text: str, rules: list[dict]) -> list[dict]:
    """Quotes the rules did not propose: for each cue word (the rule stage's cue lexicon, any
    lowercase past-tense "-ed" word, "has disparaged immigrants", and any lowercase "-s" word
    after a word, "Blake cosponsors the bill") more than ADD_NEAR characters
    from every rule quote, the rest of its sentence after it (after a
    "that"), with the speaker the rule stage's speaker finder reads before the cue; a cue
    without one proposes nothing. Each candidate: start, end, speaker, cue (lemma/learned),
    its cue match's span and words. Linear: one regex pass, a bisect per cue."""
    import bisect

    from ..converters.cues import find_cues
    from ..converters.speakers import speaker_before

    spans = sorted((q["start"], q["end"]) for q in rules)
    starts = [s for s, _ in spans]
    reach_end = [0] * len(spans)  # the furthest end among quotes starting at or before each
    far = 0
    for k, (_, e) in enumerate(spans):
        far = max(far, e)
        reach_end[k] = far
    out: list[dict] = []
    last_end = -1
    cues = find_cues(text, 0, len(text))
    seen = {m.start() for m in cues}
    cues = sorted(cues + [m for m in _PAST.finditer(text) if m.start() not in seen], key=lambda m: m.start())
    for m in cues:
        cs, ce = m.span()
        if cs < last_end:
            continue
        k = bisect.bisect_left(starts, ce + ADD_NEAR)
        if k and reach_end[k - 1] > cs - ADD_NEAR:
            continue  # a rule quote starts before ce+ADD_NEAR and ends after cs-ADD_NEAR
        end = _sentence_end(text, ce)
        if k < len(starts):
            end = min(end, starts[k])
        s = ce
        while s < end and text[s] in " \t,":
            s += 1
        if text.startswith("that ", s):
            s += 5
        while end > s and text[end - 1] in _TRIM_CHARS:
            end -= 1
        if end - s < 12 or " " not in text[s:end]:
            continue
        floor = max(_sentence_start(text, cs), reach_end[k - 1] if k else 0)
        sp = speaker_before(text, cs, floor)
        if sp is None:
            continue
        lemma = _cue(m.group(0).lower()) or m.group(0).lower()
        out.append({"start": s, "end": end, "speaker": sp, "cue": lemma + "/learned", "_cue": (cs, ce),
                    "_gap": (min((abs(a - end) for a in starts[k:k + 1]), default=9999),
                             cs - reach_end[k - 1] if k else 9999)})
        last_end = end
    return out


def add_features(text: str, c: dict) -> list[str]:
    """The features of the decision whether a candidate (cue_candidates) is a quote."""
    cs, ce = c["_cue"]
    word = text[cs:ce].lower()
    lemma = c["cue"].split("/")[0]
    kinds = FORMS.get(word, (word, {"clause"}))[1]
    ss, se = c["speaker"]
    sp = text[ss:se]
    sp_words = TOKEN.findall(sp)
    body = TOKEN.findall(text, c["start"], min(c["end"], c["start"] + 200))
    low = [w.lower() for w in body[:3]]
    between = TOKEN.findall(text, se, cs)
    after = text[ce:c["start"]].strip().lower()
    n = len(TOKEN.findall(text, c["start"], c["end"]))
    head = sp_words[-1] if sp_words else ""
    f = ["T=a", "b|a", "lex=" + ("1" if word in FORMS else "0"), "lemma=" + lemma, "word=" + word, "that=" + ("1" if after == "that" else "0"),
         "len=" + _len_bucket(n), "splen=" + _len_bucket(len(sp_words)),
         "sphead=" + ("pron" if len(sp_words) == 1 and head.lower() in _PRONOUNS else shape(head)),
         "between=" + str(min(len(between), 3)),
         "marks=" + ("1" if any(ch in QUOTE_CHARS for ch in text[c["start"]:c["end"]]) else "0"),
         "near_next=" + _dist(c["_gap"][0]), "near_prev=" + _dist(c["_gap"][1])]
    f += ["kind=" + k for k in sorted(kinds)]
    if low:
        f.append("w1=" + low[0])
        f.append("lemma|w1=" + lemma + "|" + low[0])
    if len(low) > 1:
        f.append("w2=" + low[1])
    for w in between[:3]:
        f.append("bw=" + w.lower())
    before = TOKEN.findall(text, max(0, ss - 20), ss)
    f.append("spprev=" + (before[-1].lower() if before else "^"))
    f.append("lemma|that=" + lemma + "|" + f[5][5:])
    f.append("lemma|sphead=" + lemma + "|" + f[8][7:])
    if body:
        f.append("w1s=" + shape(body[0]))
        f.append("lemma|w1s=" + lemma + "|" + shape(body[0]))
    if len(low) > 1:
        f.append("w12=" + low[0] + "|" + low[1])
    tail = TOKEN.findall(text, c["end"], min(len(text), c["end"] + 20))
    f.append("endby=" + (tail[0] if tail and not tail[0].isalnum() else "w" if tail else "$"))
    return f


def _dist(d: int) -> str:
    return "<100" if d < 100 else "<300" if d < 300 else "far"


def _pronouns() -> frozenset:
    from ..converters.speakers import PRONOUNS

    return frozenset(PRONOUNS)


_PRONOUNS = _pronouns()
