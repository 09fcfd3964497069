"""Token BIO (CoNLL-style): one token a line, tab-separated columns, one column per layer.

    # id = <record id>
    TOKEN  START  END  QUOTE  QUOTE_SPEAKER  SPEAKER  SPEAKER_CLUSTER  STANCE  STANCE_TARGET

QUOTE tags are B-/I-Quote:<quote_type>, SPEAKER B-/I-Speaker, STANCE B-/I-Stance:<polarity>,
"O" outside. QUOTE_SPEAKER is the speaker cluster of the quote's `said_by` speaker,
SPEAKER_CLUSTER the cluster of the speaker mention (mentions joined by `refers_to` share one),
STANCE_TARGET the stance target; "_" when empty. START/END are character offsets into the
record's text. A blank line ends a sentence; sentences are only cut where no span crosses,
so a span never straddles a blank line. Documents start with a "# id = ..." comment line
(a line break inside an id is written as a space there, and counted).

What BIO cannot hold is counted, never dropped silently: a span that overlaps an earlier
span of the same layer (nested quotes), spans whose edges are not token edges (moved to
the tokens'), and relations, which survive only as cluster ids.
"""

from __future__ import annotations

import bisect
import re
from pathlib import Path

from .report import FormatLoss
from .source import said_by, speaker_clusters
from .spacy_export import span_label

COLUMNS = ("TOKEN", "START", "END", "QUOTE", "QUOTE_SPEAKER", "SPEAKER", "SPEAKER_CLUSTER",
           "STANCE", "STANCE_TARGET")
LAYERS = ("Quote", "Speaker", "Stance")
TOKEN_RE = re.compile(r"\w+(?:[-'’.]\w+)*|\S")
# an end mark, maybe a closing quote/bracket, then spaces and a capital or an opening mark
SENTENCE_END_RE = re.compile(r"[.!?][\"'”’)\]]?(?=[ \t]+[\"'“‘(\[]?[^\W\d_])")
NEWLINE_RE = re.compile(r"\n")
LINE_BREAK_RE = re.compile("\r\n|[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")  # what str.splitlines breaks on


def tokenize(text: str) -> list[tuple[int, int]]:
    """Character (start, end) of each token: words (with inner hyphens/apostrophes) and
    single punctuation marks."""
    return [m.span() for m in TOKEN_RE.finditer(text)]


def _sentence_ends(text: str, starts: list[int], ends: list[int]) -> set[int]:
    """Token indexes a sentence may end after: before a line break, or an end mark (and its
    closing quote) followed by a capitalised word."""
    found = set()
    for m in NEWLINE_RE.finditer(text):
        i = bisect.bisect_right(ends, m.start()) - 1
        if i >= 0:
            found.add(i)
    for m in SENTENCE_END_RE.finditer(text):
        nxt = text[m.end():].lstrip(" \t")[:2]
        word = nxt[1:] if nxt[:1] in "\"'“‘([" else nxt[:1]
        if word[:1].isupper():
            i = bisect.bisect_left(ends, m.end())
            if i < len(ends) and ends[i] == m.end():
                found.add(i)
    found.discard(len(ends) - 1)
    return found


def _align(starts: list[int], ends: list[int], start: int, end: int) -> tuple[int, int] | None:
    """Token range [a, b) overlapping the character span, or None if it covers no token."""
    a = bisect.bisect_right(ends, start)  # first token ending after `start`
    b = bisect.bisect_left(starts, end)  # first token starting at or after `end`
    return (a, b) if a < b else None


def record_to_lines(record: dict, loss: FormatLoss) -> list[str]:
    """One record -> its BIO lines (comment, tokens, blank lines), counting what is lost."""
    text = record["text"]
    tokens = tokenize(text)
    starts = [s for s, _ in tokens]
    ends = [e for _, e in tokens]
    n = len(tokens)
    cols = {layer: ["O"] * n for layer in LAYERS}
    extra = {c: ["_"] * n for c in ("QUOTE_SPEAKER", "SPEAKER_CLUSTER", "STANCE_TARGET")}
    crossing = [False] * n
    clusters = speaker_clusters(record)
    speaker_of = said_by(record)
    cluster_size: dict[str, int] = {}
    for c in clusters.values():
        cluster_size[c] = cluster_size.get(c, 0) + 1
    written: set[str] = set()
    spans = sorted(record.get("spans", []), key=lambda s: (s["start"], -s["end"], s["id"]))
    for s in spans:
        loss.spans += 1
        rng = _align(starts, ends, s["start"], s["end"])
        if rng is None:
            loss.spans_lost += 1
            loss.note(f"{s['label']} spans cover no token (whitespace only)")
            continue
        a, b = rng
        tags = cols[s["label"]]
        if any(t != "O" for t in tags[a:b]):
            loss.spans_lost += 1
            loss.note(f"{s['label']} spans overlap another {s['label']} span (BIO holds one per token)")
            continue
        if (starts[a], ends[b - 1]) != (s["start"], s["end"]):
            loss.spans_adjusted += 1
            loss.note(f"{s['label']} spans moved to token boundaries")
        label = span_label(s)
        tags[a:b] = [f"B-{label}"] + [f"I-{label}"] * (b - a - 1)
        if s["label"] == "Quote":
            speaker = speaker_of.get(s["id"])
            value = clusters.get(speaker, "_") if speaker else "_"
            extra["QUOTE_SPEAKER"][a:b] = [value] * (b - a)
        elif s["label"] == "Speaker":
            extra["SPEAKER_CLUSTER"][a:b] = [clusters[s["id"]]] * (b - a)
        elif s.get("target"):
            target = " ".join(str(s["target"]).split())
            extra["STANCE_TARGET"][a:b] = [target] * (b - a)
        crossing[a:b - 1] = [True] * (b - 1 - a)
        written.add(s["id"])
        loss.spans_written += 1
    for r in record.get("relations", []):
        loss.relations += 1
        if r["from"] not in written or r["to"] not in written:
            loss.relations_lost += 1
            loss.note(f"{r['type']} relations lost with a dropped span")
        elif r["type"] == "said_by" and cluster_size.get(clusters.get(r["to"]), 0) == 1:
            loss.relations_written += 1  # the cluster names exactly one mention
        else:
            loss.relations_lost += 1
            loss.note(f"{r['type']} relations kept only as speaker cluster ids")
    rows = list(map("\t".join, zip(
        [text[s:e] for s, e in tokens], map(str, starts), map(str, ends),
        cols["Quote"], extra["QUOTE_SPEAKER"], cols["Speaker"], extra["SPEAKER_CLUSTER"],
        cols["Stance"], extra["STANCE_TARGET"], strict=True)))
    doc_id = " ".join(LINE_BREAK_RE.split(record["id"]))
    if doc_id != record["id"]:
        loss.note("record ids with a line break written on one line in '# id ='")
    lines = [f"# id = {doc_id}"]
    done = 0
    for i in sorted(i for i in _sentence_ends(text, starts, ends) if not crossing[i]):
        lines += rows[done:i + 1]
        lines.append("")
        done = i + 1
    lines += rows[done:]
    if lines[-1] != "":
        lines.append("")
    loss.records += 1
    return lines


def write_bio(splits: dict[str, list[dict]], out: Path, loss: FormatLoss) -> None:
    """Write out/<split>.bio for every split."""
    out.mkdir(parents=True, exist_ok=True)
    for split, records in splits.items():
        with (out / f"{split}.bio").open("w", encoding="utf-8", newline="\n") as fh:
            for record in records:
                fh.write("\n".join(record_to_lines(record, loss)))
                fh.write("\n")
        loss.files.append(f"{split}.bio")


def read_bio(path: str | Path) -> list[dict]:
    """Parse a .bio file back into {"id", "tokens": [{column: value}]} per document."""
    docs: list[dict] = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            line = line.rstrip("\n")
            if line.startswith("# id = "):
                docs.append({"id": line[len("# id = "):], "tokens": []})
            elif line:
                docs[-1]["tokens"].append(dict(zip(COLUMNS, line.split("\t"), strict=True)))
    return docs
