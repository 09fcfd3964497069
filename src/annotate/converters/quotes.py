"""Find quotes (direct, indirect, mixed) and the speaker mention of each.

The result is a list of plain dicts, one per Quote fragment, in text order:
{"start", "end", "quote_type", "speaker": (start, end) | None, "score", "group",
"antecedent": (start, end) | None}. Fragments of one interrupted or multi-paragraph quote
share a `group` and a speaker; `antecedent` is the noun phrase a relative "who" stands for.

Two finders run per paragraph and are merged here:
- direct quotes (`direct.py`): stretches between quote marks, attributed from the words next to them
  ('"...," Peskov said', 'Peskov said: "..."', '"...," said Peskov') or carried over from the
  previous fragment (interrupted and multi-paragraph quotes);
- cue quotes (`frames.py`, reading cues with `indirect.py`): a cue from the lexicon in `cues.py` with its source (the subject before it,
  an inverted subject after it, "according to X") and its content (the complement clause
  after it, or the clause before a sentence-final ", X said").
An indirect content that contains a direct quote becomes one `mixed` quote. Both finders take
the subject of a sentence or clause from `clauses.py`.
"""

from __future__ import annotations

import bisect
import re

from .clauses import _STRIP, _words
from .cues import DIRECT_RE, SPEECH_LEMMAS, cue_lemma, find_cues, verb_forms
from .direct import (
    _REAL_QUOTE,
    _WORK_BEFORE,
    _colon_frame_speaker,
    _is_title,
    direct_spans,
    find_direct,
)
from .frames import SCORES, cue_quotes, may_hold_frame
from .indirect import _verb_reading
from .lexicon import words
from .speakers import appositive_after, speaker_before
from .text import bounded, closes_abbreviation, paragraphs, sentences, trim

__all__ = ["cue_quotes", "direct_spans", "find_direct", "find_quotes"]

_SPACES = re.compile(r"\s*")


# A word; its group holds its first letter when that is a capital (counted in C, not per word).
# (A-Za-z0-9_ listed besides \w: the same class, tested against a bitmap first, which is faster.)
_CAP_RATIO_WORD = re.compile(r"(?:([A-Z])|[a-z])[A-Za-z0-9_\w’'-]*")


# A lower-case letter after a space opens a lower-case word; a capital, at most one capitalised
# word. Both are scanned for quickly (a literal, a character class). (The letter as a look-ahead:
# findall then lists the one-character " ", which Python does not build anew, and counts the same.)
_SPACE_LOWER = re.compile(r" (?=[a-z])")
_CAPITAL = re.compile(r"[A-Z]")


def _is_title_case(text: str, ps: int, pe: int) -> bool:
    """A short headline-style paragraph ("Senator Blasts Plan To Close Base")."""
    if pe - ps > 250:
        return False
    # At most `capitals` words are capitalised and at least `lower` are not: unless 3 * capitals >=
    # 7 * lower, fewer than 70% are (0.3 C >= 0.7 L is what C >= 0.7 (C + L) asks). Most
    # paragraphs are told apart here, without reading their words.
    lower = len(_SPACE_LOWER.findall(text, ps, pe))
    if lower and 3 * len(_CAPITAL.findall(text, ps, pe)) < 7 * lower:
        return False
    capitals = _CAP_RATIO_WORD.findall(text, ps, pe)  # "" for each word in lower case
    return len(capitals) >= 4 and len(capitals) - capitals.count("") >= 0.7 * len(capitals)


# A headline "Graham: Trump's rhetoric hurts the party" attributes the rest to the name before the colon.
# A transcript's label may add the speaker's role or party: "JAKE TAPPER, CNN HOST:", "SANDERS (I-VT):".
_HEADLINE_COLON = re.compile(r"([A-Z][\w.’'-]*(?:\s+[A-Z][\w.’'-]*){0,3})"
                             r"(?P<tail>,\s+[A-Z][A-Z.’'& -]{1,40}?|\s+\([A-Z]{1,2}(?:-[A-Z]{2,4})?\.?\))?"
                             r":\s+(?=[\w“\"‘'])")
_NOT_HEADLINE_SOURCE = words("not_headline_sources")
_FIRST_PERSON = re.compile(r"\b(?:I|I['’]m|I['’]ve|I['’]ll|I['’]d|[Ww]e|[Ww]e['’](?:re|ve|ll|d)|[Mm]y|[Oo]ur|me|us)\b")


def _headline_quote(text: str, ps: int, pe: int) -> dict | None:
    """'Name: claim' as a short one-line paragraph (a headline) or 'NAME: ...' (a transcript line):
    the rest, attributed to the name."""
    if text.find(":", ps, pe) < 0:
        return None  # no colon, no headline frame (a cheap test before the regex)
    m = _HEADLINE_COLON.match(text, ps, pe)
    if m and (pe - ps > 200 or "\n" in text[ps:pe]) and not (m.group(1).isupper() and len(m.group(1)) > 2):
        return None  # only a transcript's "SPEAKER:" line may be long
    if not m or any(w.lower() in _NOT_HEADLINE_SOURCE for w in m.group(1).split()):
        return None
    if m.group("tail") and not (m.group(1).isupper() and m.group("tail").isupper()):
        return None  # a role or party after the name only in a transcript's capitals
    content = trim(text, m.end(), pe, _STRIP)
    if _words(text, *content) < 3 or text[pe - 1:pe] == ":":
        return None
    for cue in find_cues(text, content[0], min(content[1], content[0] + 60)):
        lemma = cue_lemma(cue.group(0))[0]
        if lemma in SPEECH_LEMMAS and cue.group(0).lower() == verb_forms(lemma)[1]:  # "says", "warns"
            sp = speaker_before(text, cue.start(), content[0])
            if sp is not None and sp[0] == content[0]:
                return None  # "Brexit: Johnson says deal is close": a topic label, the source says it after it
    # A transcript's "BOATENG: No, I don't ..." gives the speaker's own words (direct); a headline's
    # "Graham: Trump's rhetoric hurts the party" sums them up (indirect).
    # A print Q&A's "Okafor: We didn't cut them." speaks in the first person: the speaker's own words too.
    transcript = (m.group(1).isupper() and len(m.group(1)) > 2 and not text[content[0]:content[1]].isupper()) \
        or _FIRST_PERSON.search(text, *content) is not None
    return dict(start=content[0], end=content[1], quote_type="direct" if transcript else "indirect",
                speaker=m.span(1), score=SCORES["headline"], cue="headline/colon")


# An embedded post as a web page's text keeps its signature line: the tweet, then
# "— Donald J. Trump (@realDonaldTrump) June 18, 2016" (X/Twitter's embed code), on its own line
# or at the end of the tweet's. The text before it is the account holder's own words.
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
_DATE = (r"(?:" + _MONTH + r"[ \t]+\d{1,2},?[ \t]+\d{4}|\d{1,2}[ \t]+" + _MONTH + r",?[ \t]+\d{4})")
_POST_SIGNATURE = re.compile(
    r"(?:(?<=\s)|^)[—–-]{1,2}[ \t]*(?P<name>[^\s()—–@][^\n()—–@]{0,60}?)[ \t]*\(@\w{1,15}\)[ \t]*"
    r"(?:" + _DATE + r"|\d{4}-\d\d-\d\d)[ \t]*$", re.MULTILINE)
# Instagram's "A post shared by Ana Ruiz (@ana.ruiz) on Jun 18, 2016 at 3:15pm PDT", on a line of
# its own. (Facebook's "Posted by Ana Ruiz on June 18, 2016" is a blog's by-line as often: the
# cleaner drops it.)
_OTHER_SIGNATURES = re.compile(
    r"A post shared by (?P<name>[^\s()@][^\n()@]{0,60}?)[ \t]*\(@[\w.]{1,30}\)[ \t]+on[ \t]+" + _DATE
    + r"(?:[ \t]+at[ \t]+\d{1,2}:\d\d[ \t]*[ap]m(?:[ \t]+[A-Z]{2,4})?)?[ \t]*$")
_BYLINE_BY = re.compile(r"by\s", re.IGNORECASE)
# Links that close a post ("pic.twitter.com/abc", "https://t.co/xyz"): no part of what was said.
_POST_LINK = re.compile(r"pic\.twitter\.com/|https?://|t\.co/")


def _without_links(text: str, qs: int, qe: int) -> int:
    """The end of text[qs:qe] without the links that close it (read from the end: linear)."""
    while True:
        qe = trim(text, qs, qe, " \t")[1]
        cut = max(text.rfind(" ", qs, qe), text.rfind("\t", qs, qe), text.rfind("\n", qs, qe)) + 1
        if not _POST_LINK.match(text, max(cut, qs), qe):
            return qe
        qe = max(cut, qs)


def _post_quote(text: str, ps: int, pe: int, prev_para: tuple[int, int] | None) -> dict | None:
    """The post an embed signature at the end of this paragraph closes, attributed to the name in
    it: the text before the dash, or the whole paragraph before when the signature stands alone
    (as Instagram's always does)."""
    m = _POST_SIGNATURE.search(text, ps, pe) if text.find("(@", ps, pe) >= 0 else None  # a cheap test first
    if m is not None and _BYLINE_BY.match(m.group("name")):
        m = None  # "— By Ana Ruiz (@aruiz) June 18, 2016": the reporter's by-line, no post
    if m is None and text[ps] == "A":
        m = _OTHER_SIGNATURES.match(text, ps, pe)
    if m is None:
        return None
    if text[ps:m.start()].strip():
        qs, qe = ps, m.start()
    elif prev_para is not None:
        qs, qe = prev_para
    else:
        return None
    qs, qe = trim(text, qs, _without_links(text, qs, qe), " \t")
    if _words(text, qs, qe) < 1 or _POST_SIGNATURE.search(text, qs, qe) or _OTHER_SIGNATURES.match(text, qs, qe):
        return None  # a picture alone, or another post's signature: nothing said
    name = trim(text, *m.span("name"), " \t.,")
    return dict(start=qs, end=qe, quote_type="direct", speaker=name, score=SCORES["post"],
                closed=True, para_start=qs, para_end=qe, cue="post/signature")


# At most this many cues and direct quotes in one sentence: a run-on line of cue words (garbage,
# an OCR dump) is cut into windows so that the per-cue work of cue_quotes stays bounded. News
# sentences hold a dozen at most (PolNeAR: 10 cues, 5 quotations).
MAX_SENTENCE_MARKS = 40


def _windows(text: str, ps: int, pe: int, cue_starts: list[int], quote_starts: list[int]):
    """The paragraph's sentences, each cut into windows of at most MAX_SENTENCE_MARKS cues and quotes."""
    if len(cue_starts) + len(quote_starts) <= MAX_SENTENCE_MARKS:
        return sentences(text, ps, pe)  # no sentence can hold more marks than the paragraph (no generator between)
    return _marked_windows(text, ps, pe, cue_starts, quote_starts)


def _marked_windows(text: str, ps: int, pe: int, cue_starts: list[int], quote_starts: list[int]):
    """_windows of a paragraph with more than MAX_SENTENCE_MARKS cues and quotes."""
    marks: list[int] | None = None
    for ss, se in sentences(text, ps, pe):
        count = (bisect.bisect_left(cue_starts, se) - bisect.bisect_left(cue_starts, ss)
                 + bisect.bisect_left(quote_starts, se) - bisect.bisect_left(quote_starts, ss))
        if count <= MAX_SENTENCE_MARKS:
            yield ss, se
            continue
        if marks is None:
            marks = sorted(cue_starts + quote_starts)
        yield from bounded(text, ss, se, se - ss, marks, MAX_SENTENCE_MARKS)


def _blank_between(text: str, a: int, b: int) -> bool:
    """True when text[a:b] is all white space (looks no further than the first other character)."""
    return a >= b or _SPACES.match(text, a, b).end() == b


_DASH_BYLINE = re.compile(r"\s*[-—–]+\s*([A-Z][\w.’'-]*(?:\s+[A-Z][\w.’'-]*){0,3})")


def find_quotes(text: str) -> list[dict]:
    """All quote fragments in `text` with their speaker mention, in text order."""
    direct: list[dict] = []
    indirect: list[dict] = []
    group = 0
    prev: dict | None = None
    posts: list[dict] = []
    prev_para: tuple[int, int] | None = None
    for ps, pe in paragraphs(text):
        post = _post_quote(text, ps, pe, prev_para)
        if post is not None:
            group += 1
            post["group"] = group
            posts.append(post)
        prev_para = (ps, pe)
        para_direct, group = find_direct(text, ps, pe, prev, group)
        if para_direct:
            prev = para_direct[-1]
        frame = _colon_frame_speaker(text, ps, pe)
        if frame:
            group += 1
            prev = dict(start=pe, end=pe, speaker=frame, group=group, closed=False, para_start=ps,
                        para_end=pe, frame_end=None)
            nxt = _SPACES.match(text, pe)
            prev["frame_end"] = nxt.end() if nxt else pe
        # A paragraph starts at a non-space character: a by-line starts with its dash.
        byline = _DASH_BYLINE.match(text, ps, pe) if text[ps] in "-—–" else None
        if byline and direct and direct[-1]["speaker"] is None and _blank_between(text, direct[-1]["para_end"], ps):
            # "“...”" then a paragraph "— Michelle Marks, Philadelphia.": the dash names the speaker.
            for d in direct:
                if d["group"] == direct[-1]["group"]:
                    d["speaker"] = appositive_after(text, byline.span(1), pe)
        direct.extend(para_direct)
        blocked = [(d["start"], d["end"]) for d in para_direct]
        b_starts = [a for a, _ in blocked]
        b_ends = [b for _, b in blocked]
        title_case = _is_title_case(text, ps, pe)
        para_cues = find_cues(text, ps, pe, title_case)
        if not para_cues and text.find(":", ps, pe) < 0 and not may_hold_frame(text, ps, pe):
            continue  # no cue, no headline (it needs a colon), no frame: nothing in any sentence
        cue_starts = [m.start() for m in para_cues]
        for ss, se in _windows(text, ps, pe, cue_starts, b_starts):
            local = blocked[bisect.bisect_right(b_ends, ss):bisect.bisect_left(b_starts, se)]
            if local and any(a <= ss + 1 and b >= se - 1 for a, b in local):
                continue
            cues = para_cues[bisect.bisect_left(cue_starts, ss):bisect.bisect_left(cue_starts, se)]
            head = _headline_quote(text, ps, pe) if ss == ps else None
            if head and not any(a <= head["start"] < b or a < head["end"] < b - 2 for a, b in local):
                # 'Ruiz: Lopez ‘Waving The Flag’ To Voters': a quotation inside the headline is part of it
                group += 1
                head["group"] = group
                indirect.append(head)
                local = [*local, (head["start"], head["end"])]
            for q in cue_quotes(text, ss, se, local, title_case, cues):
                if not q.pop("continues", False):
                    group += 1
                q["group"] = group
                indirect.append(q)
    by_group: dict[int, tuple[int, int]] = {}
    for d in reversed(direct):
        if d["speaker"] is not None:
            by_group[d["group"]] = d["speaker"]
        elif d["group"] in by_group:
            d["speaker"] = by_group[d["group"]]
    if posts:
        direct, indirect = _without(direct, posts), _without(indirect, posts)
    joined = _join_fragments(text, direct)
    if posts:
        joined = sorted(joined + posts, key=lambda d: d["start"])
    firsts = {}
    for d in joined:
        firsts.setdefault(d["group"], d)
    quotes = _merge(text, [_with_subject(text, d) if firsts[d["group"]] is d else d for d in joined], indirect)
    for q in quotes:
        if q["speaker"] is not None and _SPEAKER_BREAK.search(text, *q["speaker"]):
            q["speaker"] = _one_sentence(text, q["speaker"], after=q["speaker"][0] >= q["end"])
    return quotes


def _without(found: list[dict], posts: list[dict]) -> list[dict]:
    """`found` less what overlaps a post or its signature (a post is one quote: its own words)."""
    starts = [p["start"] for p in posts]  # in text order and disjoint: a post holds no signature
    ends = [p["speaker"][1] for p in posts]
    out = []
    for q in found:
        i = bisect.bisect_right(ends, q["start"])  # the first post that ends after q starts
        if i == len(posts) or starts[i] >= q["end"]:
            out.append(q)
    return out


# A sentence end inside a speaker span ('said Ana Ruiz. The union said ...' read 'Ana Ruiz. The union').
_SPEAKER_BREAK = re.compile(r"(?<=\w)[.!?][\"”’']*\s+(?=[\"“‘(]*[A-Z])")


def _one_sentence(text: str, speaker: tuple[int, int], after: bool) -> tuple[int, int]:
    """The part of a speaker span within one sentence: up to the first sentence end when the
    speaker follows its quotation (`after`), else from the last one on. A period that closes an
    abbreviation or an initial ("Sen. Ana Ruiz", "J. Smith") ends nothing."""
    s, e = speaker
    breaks = [m for m in _SPEAKER_BREAK.finditer(text, s, e)
              if not (text[m.start()] == "." and closes_abbreviation(text, m.start(), s))]
    if not breaks:
        return speaker
    return (s, breaks[0].start()) if after else (breaks[-1].end(), e)


_SENT_BREAK = re.compile(r"[.!?][\"”’']*\s+")
_LEAD_BREAK = re.compile(r"[:;(—–]|\s-\s")  # what ends a lead before a quotation: a colon, a parenthesis, a dash
_LEAD_WORDS = 20  # a sentence's subject before its quotation: "The new plan “will fail,” he said."


def _with_subject(text: str, d: dict) -> dict:
    """A quotation that goes on a sentence begun outside it, its speaker named after it, with
    that beginning: 'The new plan “will not solve this,” Ruiz said.' is one mixed quote from
    "The" (the words before the mark are the subject of what is quoted, and no cue stands
    there); else `d` unchanged. `d` opens its quotation (the first fragment of its group)."""
    sp, qs = d["speaker"], d["start"]
    if sp is None or sp[0] < d["end"] or qs <= d["para_start"]:
        return d
    lo = max(d["para_start"], qs - 300)
    start = lo
    for m in _SENT_BREAK.finditer(text, lo, qs):
        if m.group(0)[0] == "." and closes_abbreviation(text, m.start(), lo):
            continue
        start = m.end()
    if start == lo and lo > d["para_start"]:
        return d  # the sentence starts too far back
    lead = text[start:qs].split(None, 1)
    if not lead or not lead[0][:1].isalnum() or lead[0].endswith(("ing", "ed")) or "ccording to" in text[start:qs]:
        return d  # nothing but marks, or a lead that frames the quote: "Asked whether ...", "Citing ...", "According to X,"
    if _words(text, start, qs) > _LEAD_WORDS or _LEAD_BREAK.search(text, start, qs) \
            or _REAL_QUOTE.search(text, start, qs) or any(
                _verb_reading(text, m, cue_lemma(m.group(0))[0], start) == "verb" for m in find_cues(text, start, qs)):
        return d  # "Ruiz said “...”": a cue of its own (a noun such as "plans" is no cue)
    return dict(d, start=start, quote_type="mixed")


# Between two quoted stretches that are one quotation: "and, yes,", "on ethanol,", a paragraph break.
_JOIN_GAP = re.compile(r"[^.!?;:()\n“”\"]{0,40}")
_NO_JOIN_WORDS = re.compile(r"\b(?:he|she|they|I|we|it|who|[A-Z][a-z]+)\b")


def _join_fragments(text: str, direct: list[dict]) -> list[dict]:
    """One region for quoted stretches that no cue separates.

    A quote that goes on in the next paragraph (its first paragraph left open) and quoted
    phrases run together in one sentence ('“Peace,” “Order,” and, yes, “Sanity.”') are one
    quotation; fragments split by an attribution ('“A,” she said, “B.”') stay apart (SPEC §4).
    """
    out: list[dict] = []
    for d in direct:
        prev = out[-1] if out else None
        if prev is not None and prev["group"] == d["group"] or prev is not None and prev["para_start"] == d["para_start"]:
            gap = text[prev["end"]:d["start"]]
            paragraph_goes_on = (not prev["closed"] and prev["para_start"] != d["para_start"]
                                 and not gap.strip() and gap.count("\n") <= 2)
            run_together = (prev["para_start"] == d["para_start"] and prev["closed"]
                            and text[prev["end"] - 2:prev["end"] - 1] not in ".!?"
                            and _JOIN_GAP.fullmatch(gap) is not None and not _NO_JOIN_WORDS.search(gap)
                            and not DIRECT_RE.search(gap) and not find_cues(gap, 0, len(gap)))
            if paragraph_goes_on or run_together:
                out[-1] = dict(prev, end=d["end"], closed=d["closed"], para_end=d["para_end"],
                               speaker=prev["speaker"] or d["speaker"],
                               quote_type="direct" if paragraph_goes_on else "mixed",
                               score=min(prev["score"], d["score"]))
                continue
        out.append(d)
    return out


def _fully_quoted(text: str, s: int, e: int) -> bool:
    """True when text[s:e] is one quotation, marks included ('"ultra-liberal circles."')."""
    inner = text[s:e].rstrip(".,")
    if len(inner) < 3 or inner[0] not in "\"“‘'«„‚»‹›「『" or inner[-1] not in "\"”’'»“‘«‹›」』":
        return False
    return not _REAL_QUOTE.search(inner, 1, len(inner) - 1)


def _holds_quotation(text: str, s: int, e: int) -> bool:
    """True when text[s:e] holds a closed quotation of at least one word that is no title of a work
    ('the decision "a disgrace"', 'his side's "perfect" performance'; not 'on "Meet the Press"')."""
    if not _REAL_QUOTE.search(text, s, e) and text.find("‘", s, e) < 0:
        return text.find("'", s, e) >= 0 and _SINGLE_INSIDE.search(text, s, e) is not None
    return any(closed and _words(text, a, b) >= 1 and not _is_title(text, a, b, _WORK_BEFORE)
               for a, b, closed in direct_spans(text, s, e))


# Quoted words in straight single marks inside a paraphrase, as British papers write them: "said
# the numbers were 'a damning verdict'." The mark opens at a word start before a letter and closes
# after a word or a stop, before no letter; only an apostrophe between two letters may be inside.
# (The look-behind after the mark, as in direct._SINGLE_STRAIGHT: the pattern opens with a literal.)
_SINGLE_INSIDE = re.compile(r"'(?<![\w']')(?=[A-Za-z])(?:[^'\"\n]|(?<=\w)'(?=\w)){3,400}?(?<=[\w.,!?])'(?![\w'])")


def _merge(text: str, direct: list[dict], indirect: list[dict]) -> list[dict]:
    """Combine direct and indirect candidates into non-overlapping quotes."""
    kept: list[dict] = []
    absorbed: set[int] = set()
    ends = [d["end"] for d in direct]  # direct fragments are in text order and disjoint
    for q in indirect:
        near = []
        i = bisect.bisect_right(ends, q["start"] - 2)
        while i < len(direct) and direct[i]["start"] < q["end"] + 2:
            near.append((i, direct[i]))
            i += 1
        inside = [i for i, d in near if d["start"] >= q["start"] - 1 and d["end"] <= q["end"] + 2]
        overlapping = [d for _, d in near if d["start"] < q["end"] and q["start"] < d["end"]]
        if len(overlapping) == len(inside) + 1 and q["start"] < overlapping[-1]["start"] < q["end"] < overlapping[-1]["end"] \
                and text.find(":", q["start"], overlapping[-1]["start"]) < 0:
            # 'He wrote that Lopez "has built a movement. Such movements ..."': the content runs into a
            # quotation of several sentences (its sentence ended inside it) and takes all of it; a
            # quotation after a colon is introduced by its own cue.
            q = dict(q, end=overlapping[-1]["end"])
            inside = [i for i, d in near if d["start"] >= q["start"] - 1 and d["end"] <= q["end"] + 2]
        if len(overlapping) > len(inside):
            continue  # crosses a direct quote's boundary: the direct quote wins
        if any(d["start"] <= q["start"] and d["end"] >= q["end"] and (d["start"], d["end"]) != (q["start"], q["end"])
               for d in overlapping):
            continue  # a cue inside a direct quote (the same span is the quotation its frame introduces)
        if inside:
            ds = [direct[i] for i in inside]
            if len(ds) == 1 and text[q["start"]:q["end"]].strip(" \"“”‘’',.") == text[ds[0]["start"]:ds[0]["end"]].strip(" \"“”‘’',."):
                sure = ds[0]["speaker"] and ds[0]["score"] >= SCORES["direct"]
                # 'According to the campaign, “...”': the frame names the source; the quote's own
                # attribution is kept only when it is sure ('“...,” Ruiz said')
                q = dict(ds[0], speaker=ds[0]["speaker"] if sure or not q["speaker"] else q["speaker"],
                         score=SCORES["direct"])
            else:
                q = dict(q, quote_type="mixed", score=SCORES["mixed"])
            absorbed.update(inside)
        kept.append(q)
    kept.extend(d for i, d in enumerate(direct) if i not in absorbed)
    kept.sort(key=lambda q: (q["start"], -q["end"]))
    out: list[dict] = []
    for q in kept:
        if out and q["start"] < out[-1]["end"]:
            continue
        if q["quote_type"] != "direct" and _fully_quoted(text, q["start"], q["end"]):
            q = dict(q, quote_type="direct")
        elif q["quote_type"] == "indirect" and _holds_quotation(text, q["start"], q["end"]):
            q = dict(q, quote_type="mixed")  # 'called the decision "a disgrace"': a paraphrase with quoted words
        if q["end"] <= q["start"] or not text[q["start"]:q["end"]].strip():
            continue
        out.append({"start": q["start"], "end": q["end"], "quote_type": q["quote_type"],
                    "speaker": q["speaker"], "score": q["score"], "group": q["group"],
                    "antecedent": q.get("antecedent"), "cue": q.get("cue", "direct")})
    return out
