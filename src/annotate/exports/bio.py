"""Token BIO (CoNLL-style): one token a line, tab-separated columns, one column per layer.

    # id = <record id>
    TOKEN  START  END  QUOTE  QUOTE_SPEAKER  SPEAKER  SPEAKER_CLUSTER  STANCE  STANCE_TARGET

QUOTE tags are B-/I-Quote:<quote_type>, SPEAKER B-/I-Speaker, STANCE B-/I-Stance:<polarity>,
"O" outside. QUOTE_SPEAKER is the speaker cluster of the quote's `said_by` speaker,
SPEAKER_CLUSTER the cluster of the speaker mention (mentions joined by `refers_to` share one),
STANCE_TARGET the stance target; "_" when empty. START/END are character offsets into the
record's text. A blank line ends a sentence; sentences are only cut where no span crosses,
so a span never straddles a blank line. Documents start with a "# id = ..." comment line.

What BIO cannot hold is counted, never dropped silently: a span that overlaps an earlier
span of the same layer (nested quotes), spans whose edges are not token edges (widened to
the token), and relations, which survive only as cluster ids.
"""

from __future__ import annotations

import re
from pathlib import Path

from .report import FormatLoss
from .source import said_by, speaker_clusters
from .spacy_export import span_label

COLUMNS = ("TOKEN", "START", "END", "QUOTE", "QUOTE_SPEAKER", "SPEAKER", "SPEAKER_CLUSTER",
           "STANCE", "STANCE_TARGET")
LAYERS = ("Quote", "Speaker", "Stance")
TOKEN_RE = re.compile(r"\w+(?:[-'’.]\w+)*|\S")
SENTENCE_END = frozenset(".!?")
CLOSERS = frozenset("\"'”’)]")
OPENERS = frozenset("\"'“‘([")


def tokenize(text: str) -> list[tuple[int, int]]:
    """Character (start, end) of each token: words (with inner hyphens/apostrophes) and
    single punctuation marks."""
    return [m.span() for m in TOKEN_RE.finditer(text)]


def _sentence_breaks(text: str, tokens: list[tuple[int, int]]) -> list[bool]:
    """breaks[i]: a sentence may end after token i (end mark or a line break follows)."""
    breaks = [False] * len(tokens)
    for i in range(len(tokens) - 1):
        (s, e), (ns, _) = tokens[i], tokens[i + 1]
        gap = text[e:ns]
        if "\n" in gap:
            breaks[i] = True
        elif gap and text[s:e] in SENTENCE_END | CLOSERS and (
                text[ns].isupper() or text[ns] in OPENERS):
            # a closer only ends a sentence right after an end mark: 'said."  Next'
            breaks[i] = text[s:e] in SENTENCE_END or (
                i > 0 and text[tokens[i - 1][0]:tokens[i - 1][1]] in SENTENCE_END)
    return breaks


def _align(tokens, starts, start: int, end: int) -> tuple[int, int] | None:
    """Token range [a, b) overlapping the character span, or None if it covers no token."""
    import bisect

    a = bisect.bisect_right(starts, start) - 1
    if a < 0 or tokens[a][1] <= start:
        a += 1
    b = bisect.bisect_left(starts, end)
    return (a, b) if a < b else None


def record_to_lines(record: dict, loss: FormatLoss) -> list[str]:
    """One record -> its BIO lines (comment, tokens, blank lines), counting what is lost."""
    text = record["text"]
    tokens = tokenize(text)
    starts = [s for s, _ in tokens]
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
        rng = _align(tokens, starts, s["start"], s["end"])
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
        if (tokens[a][0], tokens[b - 1][1]) != (s["start"], s["end"]):
            loss.spans_adjusted += 1
            loss.note(f"{s['label']} spans widened to token boundaries")
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
    breaks = _sentence_breaks(text, tokens)
    lines = [f"# id = {record['id']}"]
    for i, (s, e) in enumerate(tokens):
        lines.append("\t".join((text[s:e], str(s), str(e), cols["Quote"][i],
                                extra["QUOTE_SPEAKER"][i], cols["Speaker"][i],
                                extra["SPEAKER_CLUSTER"][i], cols["Stance"][i],
                                extra["STANCE_TARGET"][i])))
        if breaks[i] and not crossing[i]:
            lines.append("")
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
