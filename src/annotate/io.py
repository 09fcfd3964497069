"""Streaming JSONL in and out, atomic writes, and '-' for stdin/stdout."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

from .errors import InputError


def sha256_text(text: str) -> str:
    """Hex SHA-256 of a text's UTF-8 bytes: the `text_sha256`/`raw_sha256` of tasks and records."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def dumps(obj) -> str:
    """Serialise one record the way every file we write does: stable keys, real UTF-8."""
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def read_jsonl(path: str | Path) -> Iterator[dict]:
    """Yield one dict per non-blank line; a broken line is an InputError naming file and line."""
    stream = sys.stdin if str(path) == "-" else None
    try:
        fh = stream or open(path, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None
    with contextlib.ExitStack() as stack:
        if stream is None:
            stack.enter_context(fh)
        try:
            for lineno, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise InputError(f"{path}:{lineno}: not valid JSON ({exc.msg})") from None
                if not isinstance(obj, dict):
                    raise InputError(f"{path}:{lineno}: expected a JSON object per line")
                yield obj
        except UnicodeDecodeError:
            raise InputError(f"{path}: not UTF-8 text") from None


@contextlib.contextmanager
def atomic_writer(path: str | Path, mode: str = "w") -> Iterator[IO]:
    """Write to a temp file beside `path` and rename it into place only on success."""
    if str(path) == "-":
        yield sys.stdout
        return
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        kwargs = {"encoding": "utf-8", "newline": "\n"} if "b" not in mode else {}
        with os.fdopen(fd, mode, **kwargs) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_jsonl(path: str | Path, records: Iterable[dict]) -> int:
    """Write records atomically, one per line; returns how many were written."""
    n = 0
    with atomic_writer(path) as fh:
        for rec in records:
            fh.write(dumps(rec))
            fh.write("\n")
            n += 1
    return n
