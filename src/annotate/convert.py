"""`annotate convert`: read articles from files, directories or stdin and stream tasks out."""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .converters import convert_documents, default_doc_id
from .errors import UsageError
from .io import atomic_writer, dumps

TEXT_SUFFIXES = (".txt",)


@dataclass
class ConvertStats:
    """What a conversion did: counts for the one-line summary."""

    docs: int = 0
    quotes: int = 0
    speakers: int = 0
    stances: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    by_type: Counter = field(default_factory=Counter)

    def add(self, task: dict) -> None:
        self.docs += 1
        for r in task["predictions"][0]["result"]:
            if r["type"] == "labels":
                label = r["value"]["labels"][0]
                self.quotes += label == "Quote"
                self.speakers += label == "Speaker"
                self.stances += label == "Stance"
            elif r["type"] == "choices" and r["from_name"] == "quote_type":
                self.by_type[r["value"]["choices"][0]] += 1

    def summary(self) -> str:
        line = f"{self.docs} docs, {self.quotes} quotes, {self.speakers} speakers, {self.stances} stances"
        if self.skipped:
            line += f", {len(self.skipped)} inputs skipped"
        return line


def expand_inputs(inputs: Iterable[str]) -> list[str]:
    """Files as given, directories as their .txt files (sorted, recursive), '-' as stdin."""
    out: list[str] = []
    for item in inputs:
        if item == "-":
            out.append(item)
            continue
        p = Path(item)
        if p.is_dir():
            found = sorted(str(f) for f in p.rglob("*") if f.is_file() and f.suffix.lower() in TEXT_SUFFIXES)
            if not found:
                raise UsageError(f"no .txt files in directory {item}")
            out.extend(found)
        elif p.is_file():
            out.append(str(p))
        else:
            raise UsageError(f"no such file or directory: {item}")
    if not out:
        raise UsageError("no input given (pass .txt files, directories, or - for stdin)")
    return out


def decode(data: bytes) -> tuple[str | None, str]:
    """Bytes -> text, or (None, reason) for binary data. Falls back from UTF-8 to cp1252."""
    if b"\x00" in data[:8192]:
        return None, "binary file (NUL bytes), not text"
    try:
        return data.decode("utf-8-sig"), ""
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "not UTF-8: decoded as Windows-1252"
    except UnicodeDecodeError:
        return None, "not UTF-8 text"


def read_documents(paths: Iterable[str], stats: ConvertStats, warn: Callable[[str], None]) -> Iterator[dict]:
    """Yield {"raw", "doc_id", "source_file"} per readable, non-empty input; warn on the rest."""
    for path in paths:
        if path == "-":
            data = sys.stdin.buffer.read()
        else:
            try:
                data = Path(path).read_bytes()
            except OSError as exc:
                stats.skipped.append((path, exc.strerror or str(exc)))
                warn(f"skipped {path}: {exc.strerror or exc}")
                continue
        raw, note = decode(data)
        if raw is None:
            stats.skipped.append((path, note))
            warn(f"skipped {path}: {note}")
            continue
        if note:
            warn(f"{path}: {note}")
        if not raw.strip():
            stats.skipped.append((path, "empty"))
            warn(f"skipped {path}: empty file")
            continue
        doc_id = Path(path).stem if path != "-" else default_doc_id(raw)
        yield {"raw": raw, "doc_id": doc_id, "source_file": "" if path == "-" else path}


def iter_tasks(paths: Iterable[str], stats: ConvertStats | None = None,
               warn: Callable[[str], None] | None = None) -> Iterator[dict]:
    """Stream tasks for the given input paths (already expanded)."""
    stats = stats if stats is not None else ConvertStats()
    warn = warn or (lambda msg: print(f"warning: {msg}", file=sys.stderr))
    for task in convert_documents(read_documents(paths, stats, warn)):
        stats.add(task)
        yield task


def convert_paths(inputs: Iterable[str], output: str, warn: Callable[[str], None] | None = None,
                  progress: Callable[[Iterable[str]], Iterable[str]] | None = None) -> ConvertStats:
    """Convert inputs to a tasks JSONL file written atomically ('-' = stdout)."""
    paths = expand_inputs(inputs)
    stats = ConvertStats()
    paths_iter = progress(paths) if progress else paths
    with atomic_writer(output) as fh:
        for task in iter_tasks(paths_iter, stats, warn):
            fh.write(dumps(task))
            fh.write("\n")
    return stats
