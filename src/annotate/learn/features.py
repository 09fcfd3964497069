"""Items and features of the learned quote stage (feature set FEATURE_SET).

The model edits the rule quotes; it looks only at a few tokens around each of them and at the
cue words, so its cost grows with the number of quotes and cues (one regex pass over the
text). Four kinds of decisions, each a CRFsuite sequence whose every item carries the feature
`T=<kind>` (one model file holds them all, each kind with its own two labels):

- `m` merge (one item): do two consecutive rule quotes belong to one quote? ("“A,” she said,
  “B.”" is one discontinuous Content in a brat corpus, two fragments in SPEC-style gold: the
  model learns its gold's habit). Labels m1 / m0.
- `s` start (a window of WINDOW tokens either side of the quote's start): s0 before the first
  token of the quote, s1 from it on. The first s1 is the start.
- `a` add (one item): is the rest of the sentence after a cue word no rule quote is near, with a
  speaker before the cue, a quote the rules missed? Labels a1 / a0 (cue_candidates).
- `q` add a quoted phrase (one item): is a phrase in quote marks that no rule quote (or speaker)
  holds ("labeled the hearing a “witch hunt”") a quote of its own? Labels q1 / q0
  (mark_candidates); it is added without a speaker.
- `p` add a topic (one item): is the phrase after a word of saying or judging and a preposition
  ("critical of Mr. Trump", "called for change", "concerns about the vote") that no quote
  holds a quote of its own? Labels p1 / p0 (topic_candidates). Some corpora mark what a
  statement is about as its content, others never do: the model learns its gold's habit.

Tokens are words (letters/digits with inner ' ’ . -) and single other characters.
"""

from __future__ import annotations

import bisect
import functools
import re
from pathlib import Path

from ..converters.cues import FORMS

FEATURE_SET = "5"
WINDOW = 6  # tokens either side of a boundary
_SLICE = 7  # characters scanned per window token at first (a token plus its space)

TOKEN = re.compile(r"[A-Za-z0-9]+(?:['’.\-][A-Za-z0-9]+)*|\S")
OPEN_MARKS = frozenset("“‘«„‚‹「『")
CLOSE_MARKS = frozenset("”’»›」』")
AMBIGUOUS_MARKS = frozenset("\"'")
QUOTE_CHARS = "\"“”‘’'«»„‚‹›「」『』"
_QUOTE_SET = frozenset(QUOTE_CHARS)
_MARKS = OPEN_MARKS | CLOSE_MARKS | AMBIGUOUS_MARKS  # the tokens _mark names
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
    size = len(text)
    finditer = TOKEN.finditer
    while True:
        lo, hi = max(0, pos - reach), min(size, pos + reach)
        found = finditer(text, lo, hi)
        if lo > 0:  # the slice may begin inside a token: leave that one out
            next(found, None)
        ms = []
        a = -1  # the first token ending after pos
        for m in found:  # up to n tokens from it on: the slice's later tokens are never made
            if a < 0:
                if m.end() > pos:
                    a = len(ms)
            elif len(ms) - a >= n:
                break
            ms.append(m)
        if a < 0:
            a = len(ms)
        if (a >= n or lo == 0) and (len(ms) - a >= n or hi == size) or reach >= n * 400:
            break
        reach *= 4
    i = a - n if a > n else 0
    ms = ms[i:a + n]
    return [m.start() for m in ms], [m.end() for m in ms], [m.group() for m in ms], a - i


def fixed_start(text: str, q: dict) -> bool:
    """Whether a quote's start is not the model's to move: a direct quote whose opening mark
    begins its line (on the PolNeAR training pool the start CRF moved none of 2,100 such starts)."""
    s = q["start"]
    if q.get("quote_type") != "direct" or text[s:s + 1] not in _OPENERS:
        return False
    return lines(text).blank_before(s)


_OPENERS = frozenset("“‘«„‚‹「『\"'")


class _Lines:
    """Where the lines of one text start and where its quote marks are, found once per text (one
    scan each, when first asked): the features about "the line so far" (does a mark precede on
    it, is the quote at its start) then cost a bisect, not a scan back over a line that may be the
    whole text (a one-line text of 20,000 quoted phrases made mark_features quadratic)."""

    __slots__ = ("text", "_breaks", "_marks", "_dq", "_first")

    def __init__(self, text: str):
        self.text = text
        self._breaks: list[int] | None = None
        self._marks: list[int] | None = None
        self._dq: list[int] | None = None
        self._first: dict[int, int] = {}

    def start(self, pos: int) -> int:
        """text.rfind("\\n", 0, pos) + 1."""
        if self._breaks is None:
            self._breaks = [m.start() for m in _BREAK.finditer(self.text)]
        k = bisect.bisect_left(self._breaks, pos)
        return self._breaks[k - 1] + 1 if k else 0

    def blank_before(self, pos: int) -> bool:
        """not text[start(pos):pos].strip(): only white space before `pos` on its line."""
        line = self.start(pos)
        first = self._first.get(line)
        if first is None:
            m = _NON_SPACE.search(self.text, line)
            first = self._first[line] = m.start() if m else len(self.text)
        return first >= pos

    def quote_mark_before(self, pos: int) -> bool:
        """Whether a character of QUOTE_CHARS is on the line before `pos`."""
        if self._marks is None:
            self._marks = [m.start() for m in _ANY_MARK.finditer(self.text)]
        line = self.start(pos)
        return bisect.bisect_left(self._marks, pos) > bisect.bisect_left(self._marks, line)

    def double_marks_before(self, pos: int, most: int = 3) -> int:
        """How many “ and " are on the line before `pos` (at most `most`)."""
        if self._dq is None:
            self._dq = [m.start() for m in _DOUBLE_MARK.finditer(self.text)]
        line = self.start(pos)
        return min(bisect.bisect_left(self._dq, pos) - bisect.bisect_left(self._dq, line), most)


_BREAK = re.compile("\n")
_NON_SPACE = re.compile(r"\S")
_ANY_MARK = re.compile("[" + re.escape(QUOTE_CHARS) + "]")
_DOUBLE_MARK = re.compile("[“\"]")
_LAST_LINES: list[_Lines | None] = [None]  # the text features were last asked about (threads: each swaps it whole)


def lines(text: str) -> _Lines:
    """The _Lines of `text` (kept for the last text asked about: its features are asked in a row)."""
    got = _LAST_LINES[0]
    if got is None or got.text is not text:
        got = _LAST_LINES[0] = _Lines(text)
    return got


def quote_facts(q: dict) -> list[str]:
    """Features of a rule quote that every item about it shares."""
    cue = (q.get("cue") or "").split("/")
    f = ["qt=" + q.get("quote_type", ""), "cue=" + cue[0], "sp=" + ("1" if q.get("speaker") else "0")]
    if len(cue) > 1:
        f.append("frame=" + cue[1])
    return f


_WORDS: dict[str, tuple] = {}  # _word's memo (cleared when it reaches 1 << 16 words)


def _word(w: str) -> tuple:
    """A token's own feature strings, made once per distinct word: (lowercased, its features,
    as the previous token, as the next token, the prefix of its w|d feature, the prefix of
    the -1w|w feature when it is the previous token)."""
    got = _WORDS.get(w)
    if got is not None:
        return got
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
    if len(_WORDS) >= 1 << 16:
        _WORDS.clear()
    got = _WORDS[w] = (low, own, prev, nxt, "w|d=" + low + "|", "-1w|w=" + low + "|")
    return got


_DD = {d: str(d) for d in range(-3, 4)}


@functools.lru_cache(maxsize=1024)
def _heads(t: str, qt: str, anchor: int, n: int) -> tuple[tuple[str, str, str, str], ...]:
    """For each token of an n-token window whose boundary token is `anchor`: its constant
    features (T=kind, d=distance, d|qt=type=distance) and its distance bucket."""
    out = []
    for i in range(n):
        d = i - anchor
        dd = _DD.get(d) or ("<" if d < 0 else ">")
        out.append((t, "d=" + dd, "d|qt=" + qt + "=" + dd, dd))
    return tuple(out)


def _breaks_before(text: str, starts: list[int], ends: list[int]) -> list[bool]:
    """For each token of a window, whether a line break is between it and the token before.
    Three windows in four hold none: one search over the window answers all their gaps."""
    n = len(starts)
    if not n or text.find("\n", starts[0], ends[-1]) < 0:
        return [False] * n
    find = text.find
    return [False] + [find("\n", ends[i - 1], starts[i]) >= 0 for i in range(1, n)]


def boundary_features(text: str, kind: str, q: dict, starts: list[int], ends: list[int], words: list[str],
                      anchor: int) -> list[list[str]]:
    """The features of each token of a boundary window (`kind` 's': a start); `anchor` is the
    token where the rule put the boundary."""
    n = len(words)
    info = [_WORDS.get(w) or _word(w) for w in words]
    qs, qe = q["start"], q["end"]
    heads = _heads("T=" + kind, q.get("quote_type", ""), anchor, n)
    nl = _breaks_before(text, starts, ends)
    nl.append(False)
    last = n - 1
    out = []
    prev = None
    for i in range(n):
        t, dist, dq, dd = heads[i]
        low, own, _, _, wd, _ = word = info[i]
        f = [t, dist, "in=1" if qs <= starts[i] and ends[i] <= qe else "in=0", dq, wd + dd, *own]
        if prev is None:
            f.append("first")
        else:
            f += prev[2]
            f.append(prev[5] + low)
            if nl[i]:
                f.append("nl")
        if i < last:
            f += info[i + 1][3]
            if nl[i + 1]:
                f.append("+1nl")
        else:
            f.append("last")
        if i == anchor:
            f.extend(quote_facts(q))
        out.append(f)
        prev = word
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
    if not CUE_WORDS.isdisjoint(low):
        f.append("gcue")
    if not _MARKS.isdisjoint(words):
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
    # How the second ends: "“B,” said X" (a comma, then a cue) is a speech event of its own.
    tail = text[max(b["start"], b["end"] - 3):b["end"]].rstrip(QUOTE_CHARS + " ")
    bend = tail[-1] if tail and tail[-1] in ",.?!:;" else "w"
    f.append("bend=" + bend)
    f.append("bend|bafter=" + bend + "|" + f[0][7:])
    return f


# --- added quotes: the clause after a cue word the rules did not take ---------------------------

NO_SPEAKER = True  # a lexicon cue without a speaker before it proposes a quote too
ADD_NEAR = 40  # a cue this close to a rule quote is that quote's (the rules took it or ruled it out)
_PAST = re.compile(r"(?<![\w’'-])(?:[a-z]{3,}ed|(?<=[A-Za-z] )[a-z]{3,}[^s\W]s)(?![\w’'-])")  # a verb outside the lexicon ("disparaged", "cosponsors")
# A stop before a space or the end, or a line break ("[.!?;]\s|[.!?;]?\n|[.!?;]$": the same matches),
# written to open with one character class: the regex engine then skips to the next such character
# instead of trying the pattern at every position (its scans 4x faster).
_SENT_END = re.compile(r"[.!?;\n](?:(?<=[.!?;])(?:\s|$)|(?<=\n))")
_SENT_BACK = 300  # characters looked back for the sentence's start
_SENT_AHEAD = 400  # characters a proposed quote may reach
_BACK_STOP = re.compile(r"[.!?;\n]")
_TRIM_CHARS = " \t\n\"“”‘’',.:"


_ABBREV = re.compile(r"(?:^|[\s(])(?:[A-Z][a-z]{0,3}|[A-Za-z](?:\.[A-Za-z])*)$")  # "Mr", "Sen", "U.S", "p.m"


def _stop(text: str, k: int) -> bool:
    """Whether the character at k ends a sentence (a period after "Mr" or "U.S" does not)."""
    return text[k] != "." or not _ABBREV.search(text, max(0, k - 8), k)


def _sentence_start(text: str, pos: int) -> int:
    """Just after the last sentence stop (_BACK_STOP, not after an abbreviation) in the
    _SENT_BACK characters before `pos`, else where they begin. Searched backwards: most cues
    have a stop shortly before them."""
    lo = max(0, pos - _SENT_BACK)
    rfind = text.rfind
    k = pos
    while True:
        k = max(rfind(".", lo, k), rfind("\n", lo, k), rfind(";", lo, k), rfind("?", lo, k), rfind("!", lo, k))
        if k < 0:
            return lo
        if _stop(text, k):
            return k + 1


def _sentence_end(text: str, pos: int) -> int:
    hi = min(len(text), pos + _SENT_AHEAD)
    for m in _SENT_END.finditer(text, pos, hi):
        if _stop(text, m.start()):
            return m.start()
    return hi


_SCAN_MARGIN = 80  # characters scanned beyond a gap: a cue's regex context (lookarounds, "… that")


def _gaps(spans: list[tuple[int, int]], size: int) -> list[tuple[int, int]]:
    """The ranges of the text to scan for cues: those more than ADD_NEAR characters from every
    span, widened by _SCAN_MARGIN (a cue any nearer is skipped anyway), merged, in order."""
    out: list[tuple[int, int]] = []
    lo = 0
    for s, e in sorted(spans):
        hi = s - ADD_NEAR
        if hi > lo:
            a, b = max(0, lo - _SCAN_MARGIN), min(size, hi + _SCAN_MARGIN)
            if out and a <= out[-1][1]:
                out[-1] = (out[-1][0], b)
            else:
                out.append((a, b))
        lo = max(lo, e + ADD_NEAR)
    if lo < size:
        a = max(0, lo - _SCAN_MARGIN)
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], size)
        else:
            out.append((a, size))
    return out


def cue_candidates(text: str, rules: list[dict]) -> list[dict]:
    """Quotes the rules did not propose: for each cue word (the rule stage's cue lexicon, any
    lowercase past-tense "-ed" word, "has disparaged immigrants", and any lowercase "-s" word
    after a word, "Blake cosponsors the bill") more than ADD_NEAR characters
    from every rule quote, the rest of its sentence after it (after a
    "that"), with the speaker the rule stage's speaker finder reads before the cue; a cue
    without one proposes nothing. Each candidate: start, end, speaker, cue (lemma/learned),
    its cue match's span and words. Linear: one regex pass, a bisect per cue."""
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
    cues = []
    for lo, hi in _gaps(spans, len(text)):  # only where a cue may be far enough from every rule quote
        found = find_cues(text, lo, hi)
        seen = {m.start() for m in found}
        cues += sorted(found + [m for m in _PAST.finditer(text, lo, hi) if m.start() not in seen], key=lambda m: m.start())
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
        if sp is None and not (NO_SPEAKER and m.group(0).lower() in FORMS):
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
    ss, se = c["speaker"] or (cs, cs)
    sp = text[ss:se]
    sp_words = TOKEN.findall(sp)
    body = TOKEN.findall(text, c["start"], min(c["end"], c["start"] + 200))
    low = [w.lower() for w in body[:3]]
    between = TOKEN.findall(text, se, cs)
    after = text[ce:c["start"]].strip().lower()
    n = len(body) if c["end"] <= c["start"] + 200 else len(TOKEN.findall(text, c["start"], c["end"]))
    head = sp_words[-1] if sp_words else ""
    f = ["T=a", "b|a", "lex=" + ("1" if word in FORMS else "0"), "lemma=" + lemma, "word=" + word, "that=" + ("1" if after == "that" else "0"),
         "len=" + _len_bucket(n), "splen=" + _len_bucket(len(sp_words)),
         "sphead=" + ("pron" if len(sp_words) == 1 and head.lower() in _PRONOUNS else shape(head)),
         "between=" + str(min(len(between), 3)),
         "marks=" + ("0" if _QUOTE_SET.isdisjoint(text[c["start"]:c["end"]]) else "1"),
         "near_next=" + _dist(c["_gap"][0]), "near_prev=" + _dist(c["_gap"][1])]
    f += ["kind=" + k for k in sorted(kinds)]
    if c["speaker"] is None:
        f += ["nosp", "nosp|lemma=" + lemma]
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


# --- added quotes: a quoted phrase no rule quote holds ------------------------------------------

# A phrase between paired quote marks within a line: “…”, "…", ''…'' (two apostrophes, as some
# papers print quotes), ‘…’ (not an apostrophe inside a word).
_MARKED = re.compile(r"“[^“”\n]{1,200}”|\"[^\"\n]{1,200}\"|''[^\n]{1,200}?''|‘[^‘’\n]{1,120}’(?![\w’'])")
_NAMING = frozenset({"as", "called", "calls", "call", "dubbed", "labeled", "labelled", "branded", "termed",
                     "so-called", "word", "words", "phrase", "term", "of", "the", "a", "an", "for", "about"})


def mark_candidates(text: str, spans: list[tuple[int, int]]) -> list[dict]:
    """Quoted phrases (_MARKED) that overlap no quote in `spans` (sorted (start, end) pairs): the
    scare quotes and quoted words the rules leave ("labeled as a “witch hunt”"), each a candidate
    quote without a speaker. Linear: one regex pass, a bisect per phrase."""
    starts = [s for s, _ in spans]
    out = []
    for m in _MARKED.finditer(text):
        s, e = m.span()
        k = bisect.bisect_left(starts, e)
        if k and max(b for _, b in spans[max(0, k - 4):k]) > s:
            continue
        if not text[s + 1:e - 1].strip(QUOTE_CHARS + " "):
            continue
        out.append({"start": s, "end": e})
    return out


def mark_features(text: str, c: dict) -> list[str]:
    """The features of the decision whether a quoted phrase (mark_candidates) is a quote."""
    s, e = c["start"], c["end"]
    inner = TOKEN.findall(text, s, e)
    words = [w for w in inner if w[0].isalnum()]
    before = TOKEN.findall(text, max(0, s - 40), s)[-3:]
    after = TOKEN.findall(text, e, min(len(text), e + 25))[:2]
    low = [w.lower() for w in before]
    n = len(words)
    title = bool(words) and all(w[0].isupper() or w.lower() in ("of", "the", "a", "and", "in", "to", "for", "on")
                                for w in words)
    last = text[e - 2:e - 1] if text[e - 2:e - 1] in ",.!?" else ""
    mark = text[s]
    at = lines(text)
    f = ["T=q", "b|q", "n=" + (str(n) if n < 4 else "4+"), "mk=" + ("'" if mark == "'" else mark),
         "title=" + ("1" if title else "0"), "cap=" + ("1" if words and words[0][0].isupper() else "0"),
         "punct=" + (last or "-"), "digit=" + ("1" if any(ch.isdigit() for ch in text[s:e]) else "0"),
         "bol=" + ("1" if at.blank_before(s) else "0"),
         "tag=" + ("1" if "<" in text[max(0, s - 30):s] or "=" in text[s - 1:s] else "0"),
         "n|title=" + (str(n) if n < 4 else "4+") + "|" + ("1" if title else "0")]
    for i, w in enumerate(reversed(low)):
        f.append(f"p{i + 1}=" + w)
        if i == 0:
            f.append("p1s=" + shape(before[-1]))
            f.append("p1c=" + ("1" if w in CUE_WORDS else "0"))
            f.append("p1n=" + ("1" if w in _NAMING else "0"))
            f.append("p1|n=" + w + "|" + (str(n) if n < 4 else "4+"))
    for i, w in enumerate(after):
        f.append(f"a{i + 1}=" + w.lower())
        if i == 0:
            f.append("a1c=" + ("1" if w.lower() in CUE_WORDS else "0"))
    if len(words) > 0:
        f.append("w1=" + words[0].lower())
    f.append("marks_before=" + str(at.double_marks_before(s)))
    return f


# --- added quotes: the topic of a word of saying or judging ---------------------------------------

TOPIC_PREPOSITIONS = ("of", "about", "on", "upon", "for", "against", "over", "to", "toward", "towards", "into", "with")
# Possessive runs (++): a word, its spaces and the preposition's spaces are each followed by what
# the run cannot hold, so giving characters back never finds another match; without them every
# word before a space was retried once per letter (the topic scan -16%).
_TOPIC = re.compile(r"\b([A-Za-z][a-z]++)[ \t]++(" + "|".join(TOPIC_PREPOSITIONS) + r")[ \t]++(?=[A-Za-z0-9$“\"‘'])")
# The phrase runs to the first clause boundary: punctuation, a line break, or a word that opens a clause.
_TOPIC_END = re.compile(r"[,.;:!?()\[\]\n—–“”\"]|\s(?:because|after|when|while|since|saying|who|which|but|before|"
                        r"until|if|although|though|whom|whose|where)\s")
TOPIC_MAX = 150  # characters of a topic phrase at most


@functools.cache
def topic_heads() -> dict[str, str]:
    """The words whose prepositional phrase may be what is said (word -> its kind): the rule
    stage's cue forms ("cue"), its nouns of saying and believing ("noun"), its attitude
    adjectives ("attitude"), the stance lexicons' one-word favor and against words, and
    topic_heads.txt ("judge")."""
    from ..converters.lexicon import listed
    from ..converters.stance import read_list

    heads: dict[str, str] = {}
    for name, kind in (("favor.txt", "favor"), ("against.txt", "against")):
        for entry in read_list(name):
            w = entry.lower()
            if w.isalpha():
                heads.setdefault(w, kind)
    for name, kind in (("attitude_adjectives", "attitude"), ("nominal_nouns", "noun"), ("that_nouns", "noun")):
        for entry in listed(name):
            base = entry.replace("s?", "")
            if base.isalpha():
                heads[base] = kind
                if entry.endswith("s?"):
                    heads[base + "s"] = kind
    for line in (Path(__file__).parent / "topic_heads.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            heads.setdefault(line.strip(), "judge")
    for w in CUE_WORDS:
        heads[w] = "cue"
    return heads


def topic_candidates(text: str, spans: list[tuple[int, int]]) -> list[dict]:
    """Phrases after a topic head (topic_heads) and a preposition, up to the first clause
    boundary (_TOPIC_END, at most TOPIC_MAX characters), that overlap no span of `spans`
    (sorted (start, end) pairs: quotes and speakers). Each candidate: start, end, head (its
    span), prep, and the speaker the rule stage's speaker finder reads before the head in its
    sentence (None if none, or if it runs up to a head that is not a verb: the noun's own
    modifiers). Linear: one regex pass, a bisect per candidate."""
    from ..converters.speakers import speaker_before

    heads = topic_heads()
    starts = [s for s, _ in spans]
    out = []
    last = 0
    for m in _TOPIC.finditer(text):
        head = m.group(1).lower()
        if head not in heads or m.end() < last:
            continue
        s = m.end()
        e = min(len(text), s + TOPIC_MAX)
        for hit in _TOPIC_END.finditer(text, s, e):
            if _stop(text, hit.start()):  # not the period of "Mr." or "U.S."
                e = hit.start()
                break
        while e > s and text[e - 1] in " \t'’":
            e -= 1
        if e <= s or not text[s:e].strip():
            continue
        k = bisect.bisect_left(starts, e)
        if k and max(b for _, b in spans[max(0, k - 4):k]) > m.start(1):
            continue  # the head or the phrase is inside a quote or a speaker
        hs = m.start(1)
        sp = speaker_before(text, hs, max(_sentence_start(text, hs), spans[k - 1][1] if k else 0))
        if sp is not None and heads[head] != "cue" and not text[sp[1]:hs].strip():
            sp = None  # "a subsequent statement on": the head noun's own words, not its speaker
        out.append({"start": s, "end": e, "head": m.span(1), "prep": m.group(2), "speaker": sp})
        last = e
    return out


def topic_features(text: str, c: dict) -> list[str]:
    """The features of the decision whether a topic phrase (topic_candidates) is a quote."""
    s, e = c["start"], c["end"]
    hs, he = c["head"]
    head = text[hs:he].lower()
    kind = topic_heads().get(head, "")
    prep = c["prep"]
    words = TOKEN.findall(text, s, e)
    first = words[0] if words else ""
    before = TOKEN.findall(text, max(0, hs - 30), hs)[-2:]
    after = text[e:e + 2].strip()[:1]
    at = lines(text)
    line = at.start(hs)
    n = _len_bucket(len(words))
    f = ["T=p", "b|p", "head=" + head, "kind=" + kind, "prep=" + prep, "head|prep=" + head + "|" + prep,
         "kind|prep=" + kind + "|" + prep, "len=" + n, "kind|len=" + kind + "|" + n,
         "w1=" + first.lower(), "w1s=" + shape(first), "prep|w1=" + prep + "|" + first.lower(),
         "after=" + (after or "$"), "hcap=" + ("1" if text[hs].isupper() else "0"),
         "first_line=" + ("1" if line == 0 else "0"),
         "marks=" + ("1" if at.quote_mark_before(hs) else "0")]
    for i, w in enumerate(reversed(before)):
        f.append(f"p{i + 1}=" + w.lower())
    if len(words) > 1:
        f.append("w12=" + words[0].lower() + "|" + words[1].lower())
    sp_words = TOKEN.findall(text, *c["speaker"]) if c.get("speaker") else []
    sphead = ("none" if not sp_words else "pron" if len(sp_words) == 1 and sp_words[0].lower() in _PRONOUNS
              else shape(sp_words[-1]))
    f += ["sphead=" + sphead, "kind|sphead=" + kind + "|" + sphead, "between=" + str(min(len(TOKEN.findall(
        text, c["speaker"][1], hs)), 4)) if c.get("speaker") else "between=-"]
    return f
