"""Find quotes (direct, indirect, mixed) and the speaker mention of each.

The result is a list of plain dicts, one per Quote fragment, in text order:
{"start", "end", "quote_type", "speaker": (start, end) | None, "score", "group"}.
Fragments of one interrupted or multi-paragraph quote share a `group` and a speaker.
"""

from __future__ import annotations

import re

from .speakers import speaker_after, speaker_before
from .text import paragraphs, sentences, trim

_CUE_LEMMAS = {
    # lemma: irregular forms (regular -s/-ed/-ing forms are generated)
    "say": ["says", "said", "saying"],
    "tell": ["tells", "told", "telling"],
    "write": ["writes", "wrote", "written", "writing"],
    "think": ["thinks", "thought", "thinking"],
    "add": [], "note": [], "argue": [], "claim": [], "insist": [], "warn": [], "explain": [],
    "announce": [], "state": [], "declare": [], "suggest": [], "believe": [], "acknowledge": [],
    "admit": ["admits", "admitted", "admitting"], "deny": ["denies", "denied", "denying"],
    "predict": [], "promise": [], "vow": [], "pledge": [], "urge": [], "report": [],
    "reveal": [], "confirm": [], "stress": ["stresses", "stressed", "stressing"],
    "emphasize": [], "emphasise": [], "assert": [], "allege": [], "contend": [], "maintain": [],
    "complain": [], "recall": [], "reply": ["replies", "replied", "replying"], "respond": [],
    "caution": [], "estimate": [], "indicate": [], "conclude": [], "hope": [], "fear": [],
    "worry": ["worries", "worried", "worrying"], "expect": [], "agree": ["agrees", "agreed", "agreeing"],
    "concede": [], "testify": ["testifies", "testified", "testifying"], "tweet": [], "remark": [],
    "observe": [], "comment": [], "ask": [], "answer": [], "continue": [], "feel": ["feels", "felt", "feeling"],
    "know": ["knows", "knew", "known", "knowing"], "speculate": [], "acknowledged": [],
    "point out": ["points out", "pointed out", "pointing out"],
}


def _forms(lemma: str, irregular: list[str]) -> list[str]:
    if irregular:
        return [lemma, *irregular]
    stem = lemma[:-1] if lemma.endswith("e") else lemma
    return [lemma, lemma + "s", stem + "ed", stem + "ing"]


CUE_WORDS = sorted({f for lemma, irr in _CUE_LEMMAS.items() for f in _forms(lemma, irr)}, key=len, reverse=True)
_CUE = re.compile(r"\b(?:" + "|".join(re.escape(w) for w in CUE_WORDS) + r")\b")
# Verbs that report speech strongly enough to attribute an adjacent direct quote.
_SPEECH = re.compile(
    r"\b(?:says|said|saying|say|told|tells|added|adds|asked|asks|wrote|writes|stated|declared|"
    r"insisted|warned|explained|noted|argued|claimed|continued|replied|responded|stressed|"
    r"recalled|tweeted|posted|announced|remarked|concluded|emphasi[sz]ed|joked|quipped)\b"
)
_ACCORDING = re.compile(r"\baccording to\b", re.IGNORECASE)
_QUOTED_AS = re.compile(r"\bquoted\s+(.{1,80}?)\s+as\s+saying\b")
_THAT = re.compile(r"\bthat\b")

OPENERS = "“„«"
CLOSERS = "”»"


def direct_spans(text: str, start: int, end: int) -> list[tuple[int, int, bool]]:
    """Quoted stretches in one paragraph as (start, end, closed); marks included.

    Curly marks nest; straight marks open or close by position; an unclosed quote runs to
    the end of the paragraph (the news convention for quotes that go on in the next one).
    """
    spans: list[tuple[int, int, bool]] = []
    stack: list[str] = []
    open_at = -1
    for i in range(start, end):
        c = text[i]
        if c not in "\"“”„«»‘’":
            continue
        prev = text[i - 1] if i > start else " "
        nxt = text[i + 1] if i + 1 < end else " "
        if c in OPENERS:
            if not stack:
                open_at = i
            stack.append(c)
        elif c in CLOSERS:
            if stack:
                stack.pop()
                if not stack:
                    spans.append((open_at, i + 1, True))
        elif c == '"':
            closing = bool(stack) and (not prev.isspace() or nxt.isspace() or nxt in ",.;:")
            if stack and (closing or stack[-1] == '"'):
                stack.pop()
                if not stack:
                    spans.append((open_at, i + 1, True))
            else:
                if not stack:
                    open_at = i
                stack.append(c)
        elif c == "‘":
            if stack or not (prev.isspace() or prev in "(—–-") or not nxt.isalnum():
                continue
            open_at = i
            stack.append(c)
        elif c == "’":
            if stack == ["‘"] and not nxt.isalpha():
                stack.pop()
                spans.append((open_at, i + 1, True))
    if stack and open_at >= 0:
        spans.append((open_at, end, False))
    return spans


def _inner_words(text: str, s: int, e: int) -> int:
    return len(text[s:e].split())


def _attribute_direct(text: str, qs: int, qe: int, ps: int, pe: int) -> tuple[int, int] | None:
    """Speaker of a direct quote from the words right after or right before it."""
    after = text[qe:pe]
    m = re.match(r"\s*[,.]?\s*", after)
    pos = qe + m.end()
    m_as = _QUOTED_AS.match(text, pos) or re.match(r"(?:the\s+\w+\s+)?quoted\s+(.{1,80}?)\s+as\s+saying\b", text[pos:pe])
    if m_as:
        s = pos + m_as.start(1)
        found = speaker_after(text, s, pos + m_as.end(1))
        if found:
            return found
    cue = _SPEECH.match(text, pos)
    if cue:
        sp = speaker_after(text, cue.end() + 1, pe)
        if sp:
            return sp
    window_end = min(pe, pos + 200)
    for cue in _SPEECH.finditer(text, pos, window_end):
        sp = speaker_before(text, cue.start(), pos)
        if sp and sp[0] == pos:
            return sp
        break
    # Before: 'Peskov said: "...' or '"...," he said, "...'
    before = text[ps:qs]
    m = re.search(r"(" + _SPEECH.pattern + r")(?:[^.!?“”\"]{0,80}?)\s*[:,]?\s*$", before)
    if m:
        cue_start = ps + m.start(1)
        sp = speaker_before(text, cue_start, ps)
        if sp:
            return sp
    return None


def _content_after(text: str, cue_end: int, sent_end: int) -> tuple[int, int] | None:
    """The complement clause after a cue, up to the end of the sentence."""
    s = cue_end
    window = text[s:min(sent_end, s + 120)]
    m = _THAT.search(window)
    if m and len(window[: m.start()].split()) <= 8 and not re.search(r"[.;:!?]", window[: m.start()]):
        s += m.end()
    else:
        m = re.match(r"\s*[:,]", window)
        if m:
            s += m.end()
    s, e = trim(text, s, sent_end, " \t\n,;:.")
    if e - s < 3 or len(text[s:e].split()) < 3:
        return None
    return s, e


def indirect_in_sentence(text: str, ss: int, se: int, ps: int) -> list[dict]:
    """Attributions signalled by a cue inside one sentence."""
    out: list[dict] = []
    sent = text[ss:se]
    m = _ACCORDING.search(sent)
    if m:
        a = ss + m.end()
        sp = speaker_after(text, a + 1, se)
        if sp:
            if m.start() <= 2 or not sent[: m.start()].strip(" ,"):
                content = trim(text, sp[1], se, " \t\n,;:.")
            else:
                content = trim(text, ss, ss + m.start(), " \t\n,;:.")
            if content[1] - content[0] > 10:
                return [dict(start=content[0], end=content[1], quote_type="indirect", speaker=sp, score=0.6)]
    for cue in _CUE.finditer(text, ss, se):
        tail = text[cue.end():se]
        # "..., Peskov said." / "..., said Peskov." at the end of the sentence.
        comma = text.rfind(",", ss, cue.start())
        short_tail = len(tail.split()) <= 6 and not _THAT.search(tail)
        if short_tail and comma > ss:
            sp = speaker_before(text, cue.start(), comma + 1)
            if sp is None and text[comma + 1:cue.start()].strip() == "":
                sp = speaker_after(text, cue.end() + 1, se)
            if sp:
                content = trim(text, ss, comma, " \t\n,;:.")
                if len(text[content[0]:content[1]].split()) >= 3:
                    out.append(dict(start=content[0], end=content[1], quote_type="indirect", speaker=sp, score=0.55))
                    break
        sp = speaker_before(text, cue.start(), max(ss, text.rfind(",", ss, cue.start()) + 1))
        if sp is None:
            continue
        content = _content_after(text, cue.end(), se)
        if content:
            out.append(dict(start=content[0], end=content[1], quote_type="indirect", speaker=sp, score=0.5))
            break
    return out


def find_quotes(text: str) -> list[dict]:
    """All quote fragments in `text` with their speaker mention, in text order."""
    direct: list[dict] = []
    indirect: list[dict] = []
    group = 0
    prev: dict | None = None
    for ps, pe in paragraphs(text):
        para_direct = direct_spans(text, ps, pe)
        for qs, qe, closed in para_direct:
            qe_trim = trim(text, qs, qe, " \t")[1]
            sp = _attribute_direct(text, qs, qe_trim, ps, pe)
            continuing = prev is not None and (
                (not prev["closed"] and prev["para_end"] < qs and text[prev["para_end"]:qs].count("\n") <= 2)
                or (prev["para_start"] == ps and text[prev["end"]:qs].strip(" ,") and len(text[prev["end"]:qs]) < 60)
            )
            if sp is None and _inner_words(text, qs, qe) < 4 and not continuing:
                continue  # scare quote or title: left to the indirect finder (mixed quotes)
            if continuing and (sp is None or (prev["speaker"] and prev["para_start"] == ps)):
                g = prev["group"]
                sp = sp or prev["speaker"]
                score = 0.75
            else:
                group += 1
                g = group
                score = 0.9 if sp else 0.5
            q = dict(start=qs, end=qe_trim, quote_type="direct", speaker=sp, score=score, group=g,
                     closed=closed, para_start=ps, para_end=pe)
            direct.append(q)
            prev = q
        for ss, se in sentences(text, ps, pe):
            if any(d["start"] <= ss + 1 and d["end"] >= se - 1 for d in direct if d["para_start"] == ps):
                continue
            for q in indirect_in_sentence(text, ss, se, ps):
                group += 1
                q["group"] = group
                indirect.append(q)
    return _merge(text, direct, indirect)


def _merge(text: str, direct: list[dict], indirect: list[dict]) -> list[dict]:
    """Combine direct and indirect candidates into non-overlapping quotes."""
    kept: list[dict] = []
    absorbed: set[int] = set()
    for q in indirect:
        inside = [i for i, d in enumerate(direct) if d["start"] >= q["start"] - 1 and d["end"] <= q["end"] + 2]
        overlapping = [d for d in direct if d["start"] < q["end"] and q["start"] < d["end"]]
        if len(overlapping) > len(inside):
            continue  # crosses a direct quote's boundary: the direct quote wins
        if any(d["start"] <= q["start"] and d["end"] >= q["end"] for d in overlapping):
            continue  # a cue inside a direct quote
        if inside:
            ds = [direct[i] for i in inside]
            if len(ds) == 1 and text[q["start"]:q["end"]].strip(" \"“”‘’,.") == text[ds[0]["start"]:ds[0]["end"]].strip(" \"“”‘’,."):
                q = dict(ds[0], speaker=q["speaker"] or ds[0]["speaker"], score=0.9)
            else:
                q = dict(q, quote_type="mixed", score=0.7)
            absorbed.update(inside)
        kept.append(q)
    kept.extend(d for i, d in enumerate(direct) if i not in absorbed)
    kept.sort(key=lambda q: (q["start"], q["end"]))
    out: list[dict] = []
    for q in kept:
        if out and q["start"] < out[-1]["end"]:
            continue
        if q["end"] <= q["start"]:
            continue
        out.append({k: q[k] for k in ("start", "end", "quote_type", "speaker", "score", "group")})
    return out
