"""Tokens and per-token features of the learned quote stage (feature set FEATURE_SET).

Tokens are words (letters/digits with inner ' ’ . -) and single other characters. Each token
gets lexical features (lowercased word, word shape, cue lexicon lemma, quote-mark kind, inside
quote marks, paragraph and sentence start) and the rule stage's output (B/I/E/O of the rule
quotes, the rule quote's type and cue), for itself and its neighbours within two tokens, plus
"a cue word within 4 tokens before / after". One sequence is one document: quotes may run over
paragraphs.
"""

from __future__ import annotations

import re

from ..converters.cues import FORMS

FEATURE_SET = "1"

TOKEN = re.compile(r"[A-Za-z0-9]+(?:['’.\-][A-Za-z0-9]+)*|\S")
OPEN_MARKS = frozenset("“‘«„‚‹「『")
CLOSE_MARKS = frozenset("”’»‹›」』")
AMBIGUOUS_MARKS = frozenset("\"'")
_END = frozenset(".!?")


def tokenize(text: str) -> tuple[list[int], list[int], list[str]]:
    """(starts, ends, words) of the tokens of `text`."""
    starts: list[int] = []
    ends: list[int] = []
    words: list[str] = []
    for m in TOKEN.finditer(text):
        starts.append(m.start())
        ends.append(m.end())
        words.append(m.group())
    return starts, ends, words


def _shape(w: str) -> str:
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


def token_span(starts: list[int], ends: list[int], i: int, qs: int, qe: int) -> tuple[int, int]:
    """Tokens [i, j) overlapping the span qs..qe, searching from token `i` (spans come sorted)."""
    n = len(starts)
    while i < n and ends[i] <= qs:
        i += 1
    j = i
    while j < n and starts[j] < qe:
        j += 1
    return i, j


def rule_tags(starts: list[int], ends: list[int], quotes: list[dict]) -> tuple[list[str], list[str], list[str]]:
    """Per token: B/I/E/O of the rule quotes, the rule quote's type and its cue lemma ('' outside)."""
    n = len(starts)
    tags = ["O"] * n
    types = [""] * n
    cues = [""] * n
    i = 0
    for q in sorted(quotes, key=lambda q: q["start"]):
        i, j = token_span(starts, ends, i, q["start"], q["end"])
        if j > i:
            tags[i:j] = ["B"] + ["I"] * (j - i - 1)
            if j - i > 1:
                tags[j - 1] = "E"
            qt = q.get("quote_type", "")
            cue = (q.get("cue") or "").split("/")[0]
            types[i:j] = [qt] * (j - i)
            cues[i:j] = [cue] * (j - i)
        i = j
    return tags, types, cues


def features(text: str, starts: list[int], ends: list[int], words: list[str], quotes: list[dict]) -> list[list[str]]:
    """The feature strings of every token."""
    n = len(words)
    low = [w.lower() for w in words]
    shape = [_shape(w) for w in words]
    rtag, rtype, rcue = rule_tags(starts, ends, quotes)
    cue = [FORMS[w][0] if w in FORMS else "" for w in low]
    # quote marks: kind, and a running "inside marks" flag per paragraph (straight marks toggle)
    inside = [False] * n
    para_start = [False] * n
    sent_start = [False] * n
    qkind = [""] * n
    state = False
    prev_end = -1
    for i in range(n):
        s = starts[i]
        if prev_end < 0 or "\n" in text[prev_end:s]:
            state = False
            para_start[i] = True
            sent_start[i] = True
        elif words[i - 1] in _END or (words[i - 1] in CLOSE_MARKS or words[i - 1] == '"') and i > 1 and words[i - 2] in _END:
            sent_start[i] = shape[i] in ("Xx", "X", "X1", "d") or words[i] in OPEN_MARKS or words[i] == '"'
        w = words[i]
        if w in OPEN_MARKS:
            qkind[i] = "open"
            state = True
        elif w in CLOSE_MARKS:
            if w == "’" and i + 1 < n and starts[i + 1] == ends[i] and shape[i + 1] == "x":
                qkind[i] = "apos"
            else:
                qkind[i] = "close"
                state = False
        elif w in AMBIGUOUS_MARKS:
            qkind[i] = "amb"
            if w == '"':
                state = not state
        inside[i] = state
        prev_end = ends[i]
    # a cue word within 4 tokens before / after
    cue_before = [""] * n
    cue_after = [""] * n
    last = -10
    for i in range(n):
        if last >= i - 4 and last >= 0:
            cue_before[i] = cue[last]
        if cue[i]:
            last = i
    nxt = n + 10
    for i in range(n - 1, -1, -1):
        if nxt <= i + 4:
            cue_after[i] = cue[nxt]
        if cue[i]:
            nxt = i
    out: list[list[str]] = []
    pad = "^"
    for i in range(n):
        w, sh, rt = low[i], shape[i], rtag[i]
        f = ["b", "w=" + w, "s=" + sh, "r=" + rt, "rt=" + rtype[i], "rc=" + rcue[i],
             "q=" + qkind[i], "in=" + ("1" if inside[i] else "0"), "cb=" + cue_before[i], "ca=" + cue_after[i],
             "r|in=" + rt + ("1" if inside[i] else "0")]
        if cue[i]:
            f.append("c=" + cue[i])
        if para_start[i]:
            f.append("PS")
        if sent_start[i]:
            f.append("SS")
        if len(w) > 3:
            f.append("suf=" + w[-3:])
        for k in (-2, -1, 1, 2):
            j = i + k
            if 0 <= j < n:
                f.append(f"{k}w={low[j]}")
                f.append(f"{k}r={rtag[j]}")
                if k in (-1, 1):
                    f.append(f"{k}s={shape[j]}")
                    f.append(f"{k}q={qkind[j]}")
                    f.append(f"{k}r|r={rtag[j]}|{rt}")
                    if cue[j]:
                        f.append(f"{k}c={cue[j]}")
                    if para_start[j] and k == 1:
                        f.append("+1PS")
                    if sent_start[j] and k == 1:
                        f.append("+1SS")
            else:
                f.append(f"{k}w={pad}")
        out.append(f)
    return out
