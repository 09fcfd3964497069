"""Read the export's input (a gold.jsonl or a dataset directory) and check it first.

The records are never all in memory: each split is a `Split`, read from its JSONL file one
record at a time whenever it is iterated (to check, then once per format).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from ..dataset import SPLITS
from ..errors import UsageError, ValidationFailed
from ..io import read_jsonl
from ..redact import printable

WHOLE = "gold"  # the one split of a gold.jsonl given alone ("all" is reserved by datasets)


class Split:
    """The records of one split: its JSONL file read again, one record at a time, each time
    the split is iterated (no file: no records). `len()` counts the non-blank lines once."""

    def __init__(self, path: Path | None):
        self.path = path
        self._len: int | None = None

    def __iter__(self) -> Iterator[dict]:
        return read_jsonl(self.path) if self.path is not None else iter(())

    def __len__(self) -> int:
        if self._len is None:
            self._len = 0
            if self.path is not None:
                with open(self.path, encoding="utf-8", errors="replace") as fh:
                    self._len = sum(1 for line in fh if line.strip())
        return self._len

    def __bool__(self) -> bool:
        return len(self) > 0


def load_splits(src: str | Path) -> dict[str, Split]:
    """{split: records}. A dataset directory keeps its splits/{train,dev,test}.jsonl (or, when
    it has none, its gold.jsonl as one split named "gold"); a single JSONL file is one split,
    named after the file when it is train/dev/test.jsonl, else "gold". Nothing is read yet:
    each split streams its file when iterated."""
    src = Path(src)
    if src.is_dir():
        split_files = {name: src / "splits" / f"{name}.jsonl" for name in SPLITS}
        if any(p.is_file() for p in split_files.values()):
            return {name: Split(p if p.is_file() else None) for name, p in split_files.items()}
        if (src / "gold.jsonl").is_file():
            return {WHOLE: Split(src / "gold.jsonl")}
        raise UsageError(f"{src} is not a dataset directory (no gold.jsonl, no splits/)")
    if not src.is_file():
        raise UsageError(f"no such file or directory: {src}")
    name = src.name.removesuffix(".jsonl")
    return {name if name in SPLITS else WHOLE: Split(src)}


def check_records(splits: dict[str, Split], src: str | Path) -> None:
    """Validate every record the way `annotate validate` does; any failure stops the export
    (ValidationFailed, exit 1) before a single file is written."""
    from ..validate import validate_record

    errors: list[dict] = []
    bad: list[str] = []
    seen: dict[str, str] = {}
    for split, records in splits.items():
        for n, rec in enumerate(records, 1):
            rec_id = rec.get("id") if isinstance(rec.get("id"), str) else f"{split}:{n}"
            found = [dict(e.as_dict(), id=rec_id, split=split) for e in validate_record(rec)]
            if rec_id in seen:
                found.append({"id": rec_id, "split": split, "code": "duplicate_record",
                              "path": "/id", "message": f"id also used in split {seen[rec_id]}"})
            seen.setdefault(rec_id, split)
            if found:
                bad.append(rec_id)
                errors.extend(found)
    if errors:
        first = errors[0]
        def one_line(text) -> str:  # the id and the message quote the records
            return printable(text).replace("\n", "\\n")

        raise ValidationFailed(
            f"{len(bad)} invalid record(s) in {src}, nothing exported (first: {one_line(first['id'])}: "
            f"{first.get('code')} at {first.get('path')}: {one_line(first.get('message'))}); "
            f"run `annotate validate` for the full list", errors)


def said_by(record: dict) -> dict[str, str]:
    """Quote span id -> the Speaker span id it is `said_by`."""
    return {r["from"]: r["to"] for r in record.get("relations", []) if r["type"] == "said_by"}


def speaker_clusters(record: dict) -> dict[str, str]:
    """Speaker span id -> cluster id ("S1", "S2", ...): mentions joined by `refers_to` share one,
    numbered in order of the cluster's first mention in the text."""
    speakers = sorted((s for s in record.get("spans", []) if s["label"] == "Speaker"),
                      key=lambda s: (s["start"], s["end"], s["id"]))
    parent = {s["id"]: s["id"] for s in speakers}

    def root(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for r in record.get("relations", []):
        if r["type"] == "refers_to" and r["from"] in parent and r["to"] in parent:
            parent[root(r["from"])] = root(r["to"])
    names: dict[str, str] = {}
    out = {}
    for s in speakers:
        out[s["id"]] = names.setdefault(root(s["id"]), f"S{len(names) + 1}")
    return out
