"""Training documents from the team's own data: gold datasets from `pull` and brat corpora.

A training document is (doc_id, text, quotes): `quotes` are the gold Quote (Content) spans as
(start, end) pairs in text order, none overlapping (BIO cannot hold nesting: of nested or
crossing spans the one that starts first, then the longer, is kept and counted as dropped).

Sources:
- a gold dataset directory written by `annotate pull` (its gold.jsonl), or a gold.jsonl;
- a brat corpus in the PolNeAR layout: DIR/text/<doc>.txt + DIR/attributions/<doc>_<annotator>.ann
  (the first annotator per document, as the scorer does), or a directory of such split folders
  (what `annotate export --format brat` writes: DIR/<split>/text, DIR/<split>/attributions).
  A Content stored as fragments (brat cuts spans at line breaks; PolNeAR stores "“A,” she said,
  “B.”" as one discontinuous Content) is one quote from its first fragment to its last, as the
  shared scorer reads it: the model learns its gold's habit. Gold from `pull` has one Quote per
  fragment (SPEC), so a model trained on it keeps interrupted quotes apart.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..converters.text import whole_characters
from ..errors import UsageError
from ..redact import printable

_T_LINE = re.compile(r"(T\d+)\t(\S+) ([\d ;]+)\t")


@dataclass
class Doc:
    doc_id: str
    text: str
    quotes: list[tuple[int, int]]


@dataclass
class SourceInfo:
    """What one SOURCE gave: for the model card."""

    path: str
    kind: str
    docs: int = 0
    quotes: int = 0
    dropped_nested: int = 0
    sha256: str = ""
    _hash: object = field(default=None, repr=False)

    def feed(self, data: bytes) -> None:
        if self._hash is None:
            self._hash = hashlib.sha256()
        self._hash.update(hashlib.sha256(data).digest())

    def close(self) -> None:
        self.sha256 = self._hash.hexdigest() if self._hash is not None else hashlib.sha256(b"").hexdigest()
        self._hash = None


def non_nested(spans: list[tuple[int, int]]) -> tuple[list[tuple[int, int]], int]:
    """The spans sorted, overlapping ones dropped (the earlier, then the longer one stays)."""
    out: list[tuple[int, int]] = []
    dropped = 0
    for s, e in sorted(set(spans), key=lambda x: (x[0], -x[1])):
        if e <= s:
            continue
        if out and s < out[-1][1]:
            dropped += 1
            continue
        out.append((s, e))
    return out, dropped


def parse_ann_contents(ann: str, text: str) -> list[tuple[int, int]]:
    """The Content spans of a brat .ann, each as one span from its first fragment's start to
    its last fragment's end (as the corpus's annotators mean it and the shared scorer reads it).
    A Content with a malformed fragment (not two offsets, or its end before its start) is left
    out, as a line that is no text-bound annotation is; offsets past the text end stop at it."""
    out: list[tuple[int, int]] = []
    for line in ann.splitlines():
        m = _T_LINE.match(line)
        if not m or m.group(2) != "Content":
            continue
        frags = [f.split() for f in m.group(3).split(";")]
        if not all(len(f) == 2 and int(f[0]) <= int(f[1]) for f in frags):
            continue  # "T1\tContent ;", "5", "9 3": no span to read
        a = max(0, min(int(f[0]) for f in frags))
        b = min(len(text), max(int(f[1]) for f in frags))
        if b > a:
            out.append((a, b))
    return out


def _brat_roots(path: Path) -> list[Path]:
    """DIR itself when it holds text/ and attributions/, else its split folders that do."""
    if (path / "text").is_dir() and (path / "attributions").is_dir():
        return [path]
    return sorted(p for p in path.iterdir() if p.is_dir() and (p / "text").is_dir() and (p / "attributions").is_dir())


def _read_text(path: Path, info: SourceInfo) -> str:
    """A brat file's text (UTF-8: brat's offsets count its characters), fed to the card's hash;
    an unreadable or undecodable file is a one-line UsageError naming it."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"training source {printable(info.path)}: cannot read {printable(str(path))} "
                         f"({exc.strerror or exc})") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UsageError(f"training source {printable(info.path)}: {printable(str(path))} is not UTF-8 text "
                         f"(byte {exc.start}): brat offsets count the characters of UTF-8 text") from None
    info.feed(raw)
    return text


def _read_brat(root: Path, info: SourceInfo) -> Iterator[Doc]:
    anns: dict[str, Path] = {}
    for ann in sorted((root / "attributions").glob("*.ann")):
        stem = ann.stem  # <doc>.ann, as brat itself names it ("my_doc.ann" is my_doc's, not my's)
        if not (root / "text" / f"{stem}.txt").is_file():
            stem = stem.rsplit("_", 1)[0]  # <doc>_<annotator>.ann, the PolNeAR layout
        anns.setdefault(stem, ann)
    for stem, ann in anns.items():
        txt = root / "text" / f"{stem}.txt"
        if not txt.is_file():
            continue
        text, ann_text = _read_text(txt, info), _read_text(ann, info).removeprefix("\ufeff")  # a BOM hid its first line
        quotes, dropped = non_nested(parse_ann_contents(ann_text, text))
        info.docs += 1
        info.quotes += len(quotes)
        info.dropped_nested += dropped
        yield Doc(stem, text, quotes)


def _quote_spans(rec: dict, text: str) -> list[tuple[int, int]]:
    """The Quote spans of a gold record; ValueError for one that is not a span of its text."""
    spans = rec.get("spans", [])
    if not isinstance(spans, list):
        raise ValueError("spans is not a list")
    out = []
    for k, sp in enumerate(spans):
        if not isinstance(sp, dict):
            raise ValueError(f"span {k} is not an object")
        if sp.get("label") != "Quote":
            continue
        s, e = sp.get("start"), sp.get("end")
        if type(s) is not int or type(e) is not int:  # not 3.7, "5", true, NaN or Infinity read as offsets
            raise ValueError(f"span {k}: start and end must be whole numbers")
        if not 0 <= s < e <= len(text):
            raise ValueError(f"span {k} ({s}-{e}) is not inside its text of {len(text)} characters")
        out.append((s, e))
    return out


def _read_gold(path: Path, info: SourceInfo) -> Iterator[Doc]:
    shown = printable(str(path))
    try:
        fh = open(path, "rb")
    except OSError as exc:
        raise UsageError(f"training source {shown}: cannot read it ({exc.strerror or exc})") from None
    with fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            info.feed(line)
            try:
                rec = json.loads(line)
                if not isinstance(rec, dict):
                    raise TypeError("not a JSON object")
                text = rec["text"]
                if not isinstance(text, str):
                    raise TypeError("text is not a string")
                spans = _quote_spans(rec, text)
            except (ValueError, KeyError, TypeError, RecursionError) as exc:  # RecursionError: "[[[[…" too deep
                raise UsageError(f"{shown} line {n}: not a gold record ({type(exc).__name__}: "
                                 f"{printable(str(exc))})") from None
            # A lone surrogate ("\ud800" in the JSON) is no character UTF-8 can hold: U+FFFD keeps the offsets.
            text = whole_characters(text)
            quotes, dropped = non_nested(spans)
            info.docs += 1
            info.quotes += len(quotes)
            info.dropped_nested += dropped
            yield Doc(str(rec.get("id", f"{path.name}:{n}")), text, quotes)


def classify(source: str) -> tuple[str, Path]:
    """('gold', gold.jsonl) or ('brat', root) for a SOURCE, else a one-line UsageError."""
    path = Path(source)
    shown = printable(source)
    if not path.exists():
        raise UsageError(f"training source {shown}: no such file or directory")
    if path.is_file():
        if path.suffix == ".jsonl":
            return "gold", path
        raise UsageError(f"training source {shown}: not a gold.jsonl (a .jsonl file), a dataset "
                         "directory or a brat corpus (text/ + attributions/)")
    if (path / "gold.jsonl").is_file():
        return "gold", path / "gold.jsonl"
    if path.is_dir() and _brat_roots(path):
        return "brat", path
    raise UsageError(f"training source {shown}: a directory with neither gold.jsonl nor a brat corpus "
                     "(text/*.txt + attributions/*.ann)")


def read_sources(sources: list[str]) -> tuple[list[Doc], list[SourceInfo]]:
    """Every document of every SOURCE (checked first: a bad one is an error before any reading)."""
    if not sources:
        raise UsageError("no training source given (a gold dataset from pull, a gold.jsonl or a brat corpus)")
    kinds = [classify(s) for s in sources]
    docs: list[Doc] = []
    infos: list[SourceInfo] = []
    for source, (kind, path) in zip(sources, kinds, strict=True):
        info = SourceInfo(source, kind)
        if kind == "gold":
            docs.extend(_read_gold(path, info))
        else:
            for root in _brat_roots(path):
                docs.extend(_read_brat(root, info))
        info.close()
        if not info.docs:
            raise UsageError(f"training source {printable(source)}: no documents in it")
        infos.append(info)
    return docs, infos
