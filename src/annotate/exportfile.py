"""Reading a Label Studio export file: the JSON array or JSONL of tasks, streamed.

- `read_export(path)`: the items of the file, each parsed or with the errors that kept it
  from parsing; unreadable parts become error items, never exceptions.
- `iter_export(path, warn)`: the parsed tasks, the rest told to `warn` / `Problems`.

The lowest layer of reading annotations (annotate.annotations builds on it): it knows files,
not projects or servers.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .errors import InputError
from .io import LONE_SURROGATE, has_lone_surrogate
from .redact import printable
from .validate import Error

CHUNK = 1 << 20
MAX_DEPTH = 64  # deeper values are not tasks: refused before any checker walks them
WHOLE_FILE_LIMIT = 256 << 20  # a pretty-printed single object is read whole up to this size


@dataclass
class Item:
    """One item of an input file: the parsed object, or the errors that kept it from parsing."""

    where: str  # "item:N" (array) or "line:N" (JSONL), 1-based
    value: object = None
    errors: list[Error] = field(default_factory=list)


def read_export(path: str | Path) -> Iterator[Item]:
    """Stream the items of a JSON-array export or a JSONL file, in file order.

    Never raises for bad content: an empty file, a wrong top-level type, invalid or truncated
    JSON become an Item with errors (items before a truncation still come through). Only a
    file that cannot be opened or is not UTF-8 raises InputError.
    """
    try:
        fh = open(path, encoding="utf-8-sig")  # a BOM (Notepad, Excel) is not data
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None
    with fh:
        try:
            head = fh.read(CHUNK)
            stripped = head.lstrip()
            if not stripped:
                yield Item("file", errors=[Error("empty_file", "", f"{path} is empty")])
            elif stripped[0] == "[":
                yield from _depth_checked(_iter_array(fh, head))
            elif stripped[0] == "{":
                yield from _depth_checked(_single_wrapper_check(_iter_jsonl(path, fh, head)))
            else:
                yield Item("file", errors=[Error("top_level_type", "",
                                                 "expected a JSON array of tasks or JSONL (one object a line)")])
        except UnicodeDecodeError:
            raise InputError(f"{path}: not UTF-8 text") from None


def _depth_checked(items: Iterator[Item]) -> Iterator[Item]:
    """Items nested deeper than MAX_DEPTH become too_deep errors (no checker recurses into them)."""
    for item in items:
        if item.value is not None and _deeper_than(item.value, MAX_DEPTH):
            item = Item(item.where, errors=[_too_deep(item.where.replace(":", " "))])
        yield item


def _deeper_than(value, limit: int) -> bool:
    """True when a parsed JSON value nests lists/objects more than `limit` levels (iterative).

    One level at a time; a leaf (most of a task: strings and numbers) costs one type test, as
    this runs on every task of an export."""
    if not isinstance(value, dict | list):
        return False
    level, depth = [value], 0
    while level:
        depth += 1
        if depth > limit:
            return True
        below = []
        for node in level:
            for child in node.values() if isinstance(node, dict) else node:
                kind = child.__class__
                if kind is dict or kind is list:
                    below.append(child)
                elif kind is str or kind is int or kind is float or kind is bool or child is None:
                    continue
                elif isinstance(child, dict | list):
                    below.append(child)
        level = below
    return False


def _single_wrapper_check(items: Iterator[Item]) -> Iterator[Item]:
    """A file that is one object, neither a task nor a record ({"tasks": [...]}) is a top-level error."""
    first = next(items, None)
    if first is None:
        return
    second = next(items, None)
    value = first.value
    if second is None and isinstance(value, dict) and not {"data", "spans", "provenance"} & value.keys():
        keys = ", ".join(sorted(value)[:5])
        yield Item("file", errors=[Error("top_level_type", "",
                                         f"expected a JSON array of tasks, got one object with keys {keys}")])
        return
    yield first
    if second is not None:
        yield second
        yield from items


def _iter_array(fh, buf: str) -> Iterator[Item]:
    """Items of a top-level JSON array, decoded one at a time from a growing buffer."""
    decoder = json.JSONDecoder()
    pos = len(buf) - len(buf.lstrip()) + 1
    eof = False
    n = 0
    expect_value = True

    def refill() -> bool:
        nonlocal buf, pos, eof
        more = fh.read(max(CHUNK, len(buf) - pos))
        buf, pos = buf[pos:] + more, 0
        eof = not more
        return bool(more)

    while True:
        while True:  # skip whitespace and one comma between values
            while pos < len(buf) and buf[pos] in " \t\r\n":
                pos += 1
            if pos < len(buf) or eof or not refill():
                break
        if pos >= len(buf):
            yield Item(f"item:{n + 1}", errors=[Error("truncated_json", "", f"the array ends after {n} items without ']'")])
            return
        ch = buf[pos]
        if ch == "]":
            rest = buf[pos + 1:] + fh.read()
            if rest.strip():
                yield Item("file", errors=[Error("invalid_json", "", "extra data after the closing ']'")])
            return
        if not expect_value:
            if ch != ",":
                yield Item(f"item:{n + 1}", errors=[Error("invalid_json", "", f"expected ',' or ']' after item {n}")])
                return
            pos += 1
            expect_value = True
            continue
        try:
            value, end = decoder.raw_decode(buf, pos)
            if end >= len(buf) and not eof and refill():  # a number cut at the buffer edge
                continue
        except RecursionError:
            error = _too_deep(f"item {n + 1}")
            yield Item(f"item:{n + 1}", errors=[Error(error.code, "", error.message + "; the items after it are not read")])
            return
        except json.JSONDecodeError as exc:
            if not eof and refill():
                continue
            code = "truncated_json" if exc.pos >= len(buf) - 1 or "Unterminated" in exc.msg else "invalid_json"
            yield Item(f"item:{n + 1}", errors=[Error(code, "", f"item {n + 1}: {exc.msg}")])
            return
        except ValueError:  # an integer longer than Python converts
            if not eof and refill():
                continue
            end = _end_of_value(buf, pos)
            if end is None:  # not even its end can be found: nothing after it is read
                yield Item(f"item:{n + 1}", errors=[_too_long_number(f"item {n + 1}")])
                return
            n += 1  # this item alone is lost; the next ones are read
            pos = end
            expect_value = False
            yield Item(f"item:{n}", errors=[_too_long_number(f"item {n}")])
            continue
        n += 1
        raw = buf[pos:end] if buf.find("\\u", pos, end) != -1 else ""  # no escape: no surrogate
        pos = end
        expect_value = False
        yield _checked(f"item:{n}", raw, value)


def _iter_jsonl(path, fh, head: str) -> Iterator[Item]:
    """Items of a JSONL file; a bad line is an error item and the next lines still count."""
    lines = _lines(head, fh)
    first = next(lines, None)
    if first is None:
        return
    lineno, line = first
    try:
        value = json.loads(line)
    except RecursionError:
        yield _line_item(lineno, line)
        yield from (_line_item(n, text) for n, text in lines)
        return
    except json.JSONDecodeError:
        # Not JSONL after all? A single pretty-printed object (or array) read whole.
        if os.path.getsize(path) <= WHOLE_FILE_LIMIT:
            whole = line + "".join(rest for _, rest in lines)
            try:
                value = json.loads(whole)
            except RecursionError:
                yield Item("line:1", errors=[_too_deep("the file")])
                return
            except json.JSONDecodeError as exc:
                code = "truncated_json" if exc.pos >= len(whole.rstrip()) else "invalid_json"
                yield Item("line:1", errors=[Error(code, "", f"line {exc.lineno}: {exc.msg}")])
                return
            except ValueError:
                yield Item("line:1", errors=[_too_long_number("the file")])
                return
            if has_lone_surrogate(whole, value):  # which item: each is checked on its own
                for i, v in enumerate(value if isinstance(value, list) else [value], 1):
                    yield _checked(f"item:{i}", json.dumps(v), v)
                return
            for i, v in enumerate(value if isinstance(value, list) else [value], 1):
                yield Item(f"item:{i}", v)
            return
        yield _line_item(lineno, line)
        yield from (_line_item(n, text) for n, text in lines)
        return
    except ValueError:  # an integer longer than Python converts: this line only
        yield _line_item(lineno, line)
        yield from (_line_item(n, text) for n, text in lines)
        return
    yield _checked(f"line:{lineno}", line, value)
    yield from (_line_item(n, text) for n, text in lines)


def _lines(head: str, fh) -> Iterator[tuple[int, str]]:
    """(line number, text) of non-blank lines, from the already-read head then the rest."""
    pending = ""
    lineno = 0
    for chunk in _chunks(head, fh):
        pending += chunk
        *complete, pending = pending.split("\n")
        for line in complete:
            lineno += 1
            if line.strip():
                yield lineno, line
    if pending.strip():
        yield lineno + 1, pending


def _chunks(head: str, fh) -> Iterator[str]:
    yield head
    while chunk := fh.read(CHUNK):
        yield chunk


def _too_deep(where: str) -> Error:
    return Error("too_deep", "", f"{where}: JSON nested deeper than {MAX_DEPTH} levels")


def _checked(where: str, raw: str, value) -> Item:
    """The item parsed from `raw`, or an invalid_json error when it holds a lone surrogate."""
    if has_lone_surrogate(raw, value):
        return Item(where, errors=[Error("invalid_json", "", f"{where.replace(':', ' ')}: {LONE_SURROGATE}")])
    return Item(where, value)


def _end_of_value(buf: str, pos: int) -> int | None:
    """Where the JSON value at `pos` ends, parsing its over-long integers as nothing (rare: only
    after the fast decoder refused one), or None when it does not parse at all."""
    try:
        return json.JSONDecoder(parse_int=lambda _digits: 0).raw_decode(buf, pos)[1]
    except (ValueError, RecursionError):
        return None


def _too_long_number(where: str) -> Error:
    return Error("invalid_json", "", f"{where}: a number of more than {sys.get_int_max_str_digits()} digits")


def _line_item(lineno: int, line: str) -> Item:
    try:
        return _checked(f"line:{lineno}", line, json.loads(line))
    except RecursionError:
        return Item(f"line:{lineno}", errors=[_too_deep(f"line {lineno}")])
    except json.JSONDecodeError as exc:
        return Item(f"line:{lineno}", errors=[Error("invalid_json", "", f"line {lineno}: {exc.msg}")])
    except ValueError:
        return Item(f"line:{lineno}", errors=[_too_long_number(f"line {lineno}")])


# --------------------------------------------------------------------------- input


class Problems:
    """What is wrong in a hand-broken export: counted, and the first `limit` shown as warnings.

    `warn` receives one line per problem (default: "warning: ..." on stderr); every line is
    made terminal-safe with `redact.printable`, since it quotes the export. `close()` adds one
    line for the problems not shown.
    """

    def __init__(self, warn: Callable[[str], None] | None = None, limit: int = 10):
        self.warn = warn or (lambda msg: print(f"warning: {msg}", file=sys.stderr))
        self.limit = limit
        self.count = 0
        self._closed = False

    def add(self, where: str, message: str) -> None:
        self.count += 1
        if self.count <= self.limit:
            self.warn(printable(f"{where}: {message}"))

    def close(self) -> None:
        if not self._closed and self.count > self.limit:
            self.warn(f"... and {self.count - self.limit} more problems like these ({self.count} in all)")
        self._closed = True


def problems_for(warn) -> tuple[Problems, bool]:
    """(the Problems to report to, whether the caller made it and must close it)."""
    return (warn, False) if isinstance(warn, Problems) else (Problems(warn), True)


def iter_export(path: str | Path, warn: Callable[[str], None] | Problems | None = None) -> Iterator[object]:
    """Stream the tasks of a Label Studio full-JSON export (a JSON array, or JSONL) with
    `read_export`: memory stays flat however large the file.

    A part that cannot be parsed (a bad line, a truncated array) is a warning and what can be
    read is still used; a file with nothing readable at all is an InputError (exit 2).
    Items come as they are: `clean_task` checks their shape.
    """
    problems, mine = problems_for(warn)
    first_error = None
    good = 0
    for item in read_export(path):
        if item.errors:
            message = "; ".join(e.message for e in item.errors)
            if good == 0 and first_error is None:
                first_error = (item.where, message)  # fatal unless something readable follows
                continue
            _unreadable(problems, path, item.where, message)
            continue
        if first_error is not None and good == 0:
            _unreadable(problems, path, *first_error)
        good += 1
        yield item.value
    if good == 0 and first_error is not None:
        message = first_error[1]
        raise InputError(message if str(path) in message else f"{path}: not a Label Studio JSON export ({message})")
    if mine:
        problems.close()


def _unreadable(problems: Problems, path, where: str, message: str) -> None:
    """A part of an export file that does not parse: a bad JSONL line is left out alone; in
    a JSON array nothing after the error can be read."""
    kind, _, n = where.partition(":")
    if kind in ("item", "line") and not message.startswith(f"{kind} "):
        message = f"{kind} {n}: {message}"
    rest = "the rest of the file is left out" if kind in ("item", "file") else "line left out"
    problems.add(str(path), f"{message}; {rest}")


def load_export(path: str | Path, warn: Callable[[str], None] | Problems | None = None) -> list:
    """Read a Label Studio full-JSON export (a JSON array of tasks; JSONL is accepted too).
    `iter_export` streams the same items."""
    return list(iter_export(path, warn))
