"""Reading a Label Studio export file: the JSON array or JSONL of tasks, streamed.

- `read_export(path)`: the items of the file, each parsed or with the errors that kept it
  from parsing; unreadable parts become error items, never exceptions.
- `iter_export(path, warn)`: the parsed tasks, the rest told to `warn` / `Problems`.

The lowest layer of reading annotations (annotate.annotations builds on it): it knows files,
not projects or servers.
"""

from __future__ import annotations

import gzip
import itertools
import json
import re
import sys
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .errors import InputError
from .io import (
    LONE_SURROGATE,
    duplicate_key_message,
    duplicate_keys,
    has_lone_surrogate,
    lost_keys,
    open_text,
    read_failure,
    was_cut,
)
from .redact import printable
from .validate import Error

try:  # optional: a faster decoder for the tasks it reads exactly as json does (see _decode)
    import orjson as _orjson
except ImportError:  # pragma: no cover - the stdlib decoder gives the same values, slower
    _orjson = None


def _orjson_as_expected() -> bool:
    """orjson refuses exactly what this module expects it to (a release that changed its depth
    limit or its messages is not used: json reads everything then)."""
    def refusal(text: str) -> str:
        try:
            _orjson.loads(text)
        except _orjson.JSONDecodeError as exc:
            return exc.msg
        return ""

    return (refusal("[" * 1024 + "]" * 1024) == ""
            and refusal("[" * 1025 + "]" * 1025).startswith("depth limit exceeded")
            and refusal('{"a": 1} ,').startswith("unexpected content after document")
            and refusal('{"a": [1').startswith("unexpected end of data")
            and refusal("[[1]x").startswith("unexpected character")
            and refusal('{"":' * 1024 + "1").startswith("unexpected end of data")
            and refusal('{"":' * 1025 + "1").startswith("depth limit exceeded")
            and refusal('{"": {"a": 1} , {').startswith("unexpected character"))


if _orjson is not None and not _orjson_as_expected():  # pragma: no cover - another orjson
    _orjson = None

CHUNK = 1 << 20
MAX_DEPTH = 64  # deeper values are not tasks: refused before any checker walks them
WHOLE_FILE_LIMIT = 256 << 20  # a pretty-printed single object is read whole up to this size
MAX_ITEM_CHARS = 64 << 20  # one task (or JSONL line) larger than this is refused, not held in memory

# orjson reads a task as json does, except integers beyond 64 bits (orjson makes them floats)
# and what it refuses (NaN/Infinity, lone surrogates: json's reading is kept for those). A run
# of 19 digits anywhere (even in a string) sends the text to json: rare, and never wrong.
_DIGITS = bytes.maketrans(b"0123456789", b"0" * 10)
_LONG_DIGITS = b"0" * 19
# orjson refuses more than 1024 levels: behind this many brackets a value may nest MAX_DEPTH.
_ORJSON_DEPTH = 1024
_DEPTH_PREFIX = "[" * (_ORJSON_DEPTH - MAX_DEPTH)
_DEPTH_PREFIX_BYTES = _DEPTH_PREFIX.encode()
_KEYED_PREFIX = '{"":' * (_ORJSON_DEPTH - MAX_DEPTH)  # the same depth, as open objects


@dataclass
class Item:
    """One item of an input file: the parsed object, or the errors that kept it from parsing."""

    where: str  # "item:N" (array) or "line:N" (JSONL), 1-based
    value: object = None
    errors: list[Error] = field(default_factory=list)
    shallow: bool = field(default=False, compare=False, repr=False)  # depth already checked
    raw: str | None = field(default=None, compare=False, repr=False)  # its JSON text, if at hand
    final: bool = field(default=False, compare=False, repr=False)  # an error after which nothing is read


def read_export(path: str | Path) -> Iterator[Item]:
    """Stream the items of a JSON-array export or a JSONL file, in file order.

    Never raises for bad content: an empty file, a wrong top-level type, invalid or truncated
    JSON, an object with the same key twice become an Item with errors (items before a
    truncation still come through). The file is read in the encoding its first bytes tell
    (UTF-8, or UTF-16/32 with or without a BOM) and through gzip when it is gzip'ed
    (`io.open_text`). Only a file that cannot be opened, a zip archive, a file that is not
    text in its encoding or a damaged gzip stream raises InputError.
    """
    fh = open_text(path)
    with fh:
        try:
            head = fh.read(CHUNK)
            stripped = head.lstrip()
            if not stripped and was_cut(fh):
                yield Item("file", errors=[Error("truncated_json", "", f"{path}: the gzip data is cut off before "
                                                 "any text (an interrupted download or copy?)")])
            elif not stripped:
                yield Item("file", errors=[Error("empty_file", "", f"{path} is empty")])
            elif stripped[0] == "[":
                yield from _cut_gzip_checked(fh, _depth_checked(_iter_array(fh, head)))
            elif stripped[0] == "{":
                yield from _cut_gzip_checked(fh, _depth_checked(_single_wrapper_check(_iter_jsonl(path, fh, head))))
            elif stripped[0] == "<":
                yield Item("file", errors=[Error("top_level_type", "", html_page(stripped))])
            else:
                yield Item("file", errors=[Error("top_level_type", "",
                                                 "expected a JSON array of tasks or JSONL (one object a line)")])
        except (UnicodeDecodeError, EOFError, zlib.error, gzip.BadGzipFile) as exc:
            raise read_failure(path, fh, exc) from None


def _cut_gzip_checked(fh, items: Iterator[Item]) -> Iterator[Item]:
    """The items, then, when the file was gzip data cut off before its end (`io.was_cut`) and
    the last item does not already say it is cut off, a truncated_json item after it: a cut
    that fell between two tasks leaves JSON that reads as complete, and the tasks after the
    cut must not vanish without a word."""
    last = None
    for item in items:
        last = item
        yield item
    if not was_cut(fh) or (last is not None and any(e.code == "truncated_json" for e in last.errors)):
        return
    message = "the gzip data is cut off before its end (an interrupted download or copy?)"
    if last is None or last.where == "file":
        yield Item("file", errors=[Error("truncated_json", "", message)])
        return
    kind, _, n = last.where.partition(":")
    after = f"{kind} {n}" if n.isdigit() else "the last task read"
    yield Item(f"{kind}:{int(n) + 1 if n.isdigit() else 0}", errors=[Error(
        "truncated_json", "", f"{message}: whatever came after {after} is missing")], final=True)


def _depth_checked(items: Iterator[Item]) -> Iterator[Item]:
    """Items nested deeper than MAX_DEPTH become too_deep errors (no checker recurses into
    them); items with a key twice in one object (different values) become duplicate_key errors."""
    for item in items:
        if item.value is not None:
            if not item.shallow and _value_deeper(item):
                item = Item(item.where, errors=[_too_deep(item.where.replace(":", " "))])
            elif item.raw is not None and lost_keys(item.raw, item.value):
                errors = _duplicate_key_errors(item.where, item.value, duplicate_keys(item.raw))
                if errors:
                    item = Item(item.where, errors=errors)
        item.raw = None  # the text was only for these checks
        yield item


def _duplicate_key_errors(where: str, value, found: list[tuple[str, str]]) -> list[Error]:
    """One duplicate_key error per key given twice: which key, in which object, of which task."""
    label = where.replace(":", " ")
    if isinstance(value, dict) and isinstance(value.get("id"), int | str) and not isinstance(value["id"], bool):
        label += f" (task {_short_id(value['id'])})"
    return [Error("duplicate_key", pointer, f"{label}: {duplicate_key_message(pointer or '', key)}")
            for pointer, key in found]


def _short_id(value) -> str:
    text = str(value)
    return text if len(text) <= 40 else text[:37] + "..."


# The end of a JSON text cut in the middle of a token, from where json's error points:
# true/false/null, a number's sign, fraction point or exponent (json points after the digits
# it read); a \\uXXXX escape (json points at its 'u', and refuses all four digits at the end).
_PARTIAL_TOKEN = re.compile(r"(?:t(?:ru?)?|f(?:a(?:ls?)?)?|n(?:ul?)?|-|[.eE][+-]?)?\Z")
_PARTIAL_ESCAPE = re.compile(r"\\?u[0-9a-fA-F]{0,4}\Z")


def _cut_short(text: str, exc: json.JSONDecodeError) -> bool:
    """Whether `text` stops in the middle of its JSON value (a valid text cut off), rather
    than holding a mistake: json's error is at its end, or inside the token it ends with."""
    if exc.msg.startswith("Unterminated string"):
        return True
    partial = _PARTIAL_ESCAPE if exc.msg.startswith("Invalid \\uXXXX") else _PARTIAL_TOKEN
    return partial.match(text.rstrip(" \t\r\n"), min(exc.pos, len(text))) is not None


def _value_deeper(item: Item) -> bool:
    """Whether an item's value nests deeper than MAX_DEPTH (from its JSON text when it has it)."""
    if item.raw is not None and _orjson is not None:
        deeper = _text_deeper_than(item.raw)
        if deeper is not None:
            return deeper
    return _deeper_than(item.value, MAX_DEPTH)


def _text_deeper_than(text: str | bytes, parses: bool = False) -> bool | None:
    """Whether the JSON text of one value nests deeper than MAX_DEPTH, asked of orjson's parser
    without building the value (None: orjson cannot say; walk the value).

    Behind _DEPTH_PREFIX the value may nest MAX_DEPTH levels before orjson's limit; a
    character after it makes the parse fail there, so no Python object is built. `parses`:
    orjson is known to read the text (then any other failure is at that character)."""
    if isinstance(text, str):
        prefix, tail = _DEPTH_PREFIX, "x"
    else:
        prefix, tail = _DEPTH_PREFIX_BYTES, b"x"
    try:
        _orjson.loads(prefix + text + tail)
    except _orjson.JSONDecodeError as exc:
        if exc.msg.startswith("depth limit exceeded"):
            return True
        if exc.msg.startswith("unexpected character") and (
                parses or (isinstance(text, str) and exc.pos == len(prefix) + len(text))):
            return False
    return None  # e.g. "failed to allocate memory": orjson sizes its memory by the text's length


def _decode(text: str) -> tuple[object, bool]:
    """(json.loads(text), whether it is known to nest at most MAX_DEPTH levels).

    orjson reads it when it gives json's value (no long digit run, and within MAX_DEPTH so that
    json's own recursion limit cannot matter); anything else, and every error, is json's own,
    so the error messages and positions stay the stdlib's."""
    if _orjson is not None:
        data = text.encode("utf-8", "surrogatepass")
        if _LONG_DIGITS not in data.translate(_DIGITS):
            try:
                value = _orjson.loads(data)
            except _orjson.JSONDecodeError:
                pass
            else:
                if _text_deeper_than(data, parses=True) is False:
                    return value, True
    return json.loads(text), False


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
        message = f"expected a JSON array of tasks, got one object with keys {keys}"
        if isinstance(value.get("detail"), str) and value.keys() <= _ERROR_ANSWER_KEYS:
            message = (f"an error answer of Label Studio, not an export: {_clipped(value['detail'])!r} "
                       "(saved by curl without the API token? export again with it)")
        yield Item("file", errors=[Error("top_level_type", "", message)])
        return
    yield first
    if second is not None:
        yield second
        yield from items


# The keys of Label Studio's (Django REST framework's) error answers: {"detail": "..."}, with
# status_code, validation_errors and the like beside it in newer versions.
_ERROR_ANSWER_KEYS = frozenset({"detail", "status_code", "validation_errors", "id", "version", "exc_info",
                                "error", "errors", "message"})
_TITLE = re.compile(r"<title[^>]*>(.*?)</title", re.IGNORECASE | re.DOTALL)


def html_page(head: str) -> str:
    """What to say of a file that is an HTML page (a login page, a proxy's error page) saved
    where the export should be."""
    title = _TITLE.search(head[:1 << 16])
    named = f" ({_clipped(' '.join(title.group(1).split()))!r})" if title and title.group(1).strip() else ""
    return (f"an HTML page{named}, not a Label Studio JSON export: a login or error page saved in place of "
            "the export (without the API token, or through a proxy)?")


def _clipped(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _iter_array(fh, buf: str) -> Iterator[Item]:
    """Items of a top-level JSON array, decoded one at a time from a growing buffer."""
    decoder = json.JSONDecoder()
    pos = len(buf) - len(buf.lstrip()) + 1
    base = 0  # characters of the file before buf[0]
    comma = -1  # where in the file the last comma between items was
    eof = False
    n = 0
    expect_value = True
    window = 1 << 16  # how much text orjson is shown for the next item (grows with the items)
    parting = None  # how the file parts two items (`_parting`)
    misses = 0  # guesses from `parting` that failed in a row

    def refill() -> bool:
        nonlocal buf, pos, eof, base
        more = fh.read(max(CHUNK, len(buf) - pos))
        base += pos
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
            yield Item(f"item:{n + 1}", errors=[Error("truncated_json", "", f"the array ends after {n} items without ']'")], final=True)
            return
        ch = buf[pos]
        if ch == "]":
            if expect_value and n:  # "[{...},]": json refuses it, the comma promises another item
                yield Item(f"item:{n + 1}", errors=[Error(
                    "invalid_json", "", f"a comma after the last item (item {n}) at {_position(fh, comma)}: "
                    "JSON allows no trailing comma (the items before it are read)")], final=True)
                return
            rest = _after_the_array(buf[pos + 1:], fh)
            if rest:
                hint = ""
                if rest.startswith("["):
                    hint = (": two JSON arrays one after the other (exports joined with cat?); join them "
                            "into one array, e.g. jq -s add a.json b.json > both.json")
                yield Item("file", errors=[Error("invalid_json", "", f"extra data after the closing ']'{hint}")])
            return
        if not expect_value:
            if ch != ",":
                yield Item(f"item:{n + 1}", errors=[Error("invalid_json", "", f"expected ',' or ']' after item {n}")], final=True)
                return
            comma = base + pos
            pos += 1
            expect_value = True
            continue
        if _orjson is not None and ch in "{[":
            fast = None
            if parting is not None:  # where the items seem to part: one parse, no search pass
                fast = _guessed_item(buf, pos, window, parting)
                misses = 0 if fast is not None else misses + 1
                if misses == _MISSES:  # the items do not part alike: stop guessing
                    parting = None
            if fast is None:
                fast = _fast_item(buf, pos, window)
                if isinstance(fast, tuple) and misses < _MISSES:
                    parting = _parting(buf, pos, fast[1]) or parting
            if fast == "more" and not eof and len(buf) - pos <= MAX_ITEM_CHARS:
                refill()  # the item goes on past the buffer: read more and look again
                continue
            if isinstance(fast, tuple):
                value, end = fast[0], fast[1]
                window = max(1 << 14, (end - pos) * 5 // 4)
                n += 1
                raw = fast[2] if len(fast) > 2 else buf[pos:end]
                pos = end
                expect_value = False
                yield Item(f"item:{n}", value, shallow=True, raw=raw)
                continue
        try:
            value, end = decoder.raw_decode(buf, pos)
            if end >= len(buf) and not eof and refill():  # a number cut at the buffer edge
                continue
        except RecursionError:
            error = _too_deep(f"item {n + 1}")
            yield Item(f"item:{n + 1}", errors=[Error(error.code, "", error.message + "; the items after it are not read")], final=True)
            return
        except json.JSONDecodeError as exc:
            if not eof and len(buf) - pos > MAX_ITEM_CHARS:
                yield Item(f"item:{n + 1}", errors=[_too_large(f"item {n + 1}")], final=True)
                return
            if not eof:  # read on; at the end of the file, decode again (refill moved the buffer)
                refill()
                continue
            yield Item(f"item:{n + 1}", errors=[_json_error(f"item {n + 1}", buf, exc, last=True)], final=True)
            return
        except ValueError:  # an integer longer than Python converts
            end = _end_of_value(buf, pos)
            if (end is None or end >= len(buf)) and not eof:  # the item may go on: read more first
                if len(buf) - pos > MAX_ITEM_CHARS:
                    yield Item(f"item:{n + 1}", errors=[_too_large(f"item {n + 1}")], final=True)
                    return
                if refill():
                    continue
            if end is None:  # not even its end can be found: nothing after it is read
                yield Item(f"item:{n + 1}", errors=[_too_long_number(f"item {n + 1}")], final=True)
                return
            n += 1  # this item alone is lost; the next ones are read
            pos = end
            expect_value = False
            yield Item(f"item:{n}", errors=[_too_long_number(f"item {n}")])
            continue
        n += 1
        raw = buf[pos:end]
        pos = end
        expect_value = False
        yield _checked(f"item:{n}", raw, value)


def _fast_item(buf: str, pos: int, window: int):
    """(value, end) of the object or array at buf[pos] read by orjson, as `raw_decode` reads
    it; "more" when it goes on past the buffer; None when orjson cannot say (it refuses the
    item, it nests deeper than MAX_DEPTH, or orjson might read it differently: json then reads
    it, with json's errors and positions).

    orjson has no raw_decode. Shown the text from the item on behind _KEYED_PREFIX (objects
    left open, so the item may nest MAX_DEPTH levels before orjson's limit), its parser reads
    the item, then the comma (or stops at the ']'), then refuses the next item where it wants
    a key, and says where: one pass, no Python object built, for the item's end and its depth.
    The text up to there is then read for real; if it is not exactly one value (something
    else followed the item), json reads the item instead."""
    while True:
        text = buf[pos:pos + window]
        try:
            _orjson.loads(_KEYED_PREFIX + text)
        except _orjson.JSONDecodeError as exc:
            if exc.msg.startswith("unexpected character"):
                stop = exc.pos - len(_KEYED_PREFIX)
                break
            if exc.msg.startswith("unexpected end of data"):
                if pos + window < len(buf):
                    window *= 2  # cut by the window, not by the buffer: show more
                    continue
                return "more"
            return None  # too deep, NaN, a lone surrogate, ...
        return None  # the text closed the prefix's objects: not a task
    text = text[:max(stop, 0)].rstrip(" \t\r\n")
    if text.endswith(","):
        text = text[:-1].rstrip(" \t\r\n")
    data = text.encode("utf-8")
    if not data or _LONG_DIGITS in data.translate(_DIGITS):
        return None
    try:
        return _orjson.loads(data), pos + len(text)
    except _orjson.JSONDecodeError:  # not one value: something else followed the item
        return None


_MISSES = 8  # failed guesses in a row after which the items' parting is not guessed any more
_TRIES = 4  # places an item may end that are tried (the first ones may lie inside it)


def _parting(buf: str, pos: int, end: int) -> tuple[re.Pattern, int] | None:
    """How the file parts the item at buf[pos:end] from the next one, as a pattern to search
    for, and where in a match the item's closing bracket is. None when the next item is not
    in buf yet.

    The pattern is the text from the space before the closing bracket to the next item's first
    key, '}, {"id":' (one line) or '\n  },\n  {\n    "id":' (indented), and, when that key's
    value is a number (a task id), the number's shape and the second key: a list of objects
    inside a task (annotations, result items with an "id" first) is parted alike but rarely
    goes on with the same two keys."""
    start = end - 1
    while start > pos and buf[start - 1] in " \t\r\n":
        start -= 1
    j = end
    while j < len(buf) and buf[j] in " \t\r\n":
        j += 1
    if j >= len(buf) or buf[j] != ",":
        return None
    j += 1
    while j < len(buf) and buf[j] in " \t\r\n":
        j += 1
    if j >= len(buf) or buf[j] not in "{[":
        return None
    close = end - 1 - start
    head = _ITEM_HEAD.match(buf, j, j + 200)
    if head is None:
        return re.compile(re.escape(buf[start:j + 1])), close
    pattern = re.escape(buf[start:head.end("key")])
    if head.group("rest") is not None:
        pattern += r"-?[0-9][0-9.eE+-]*" + re.escape(head.group("rest"))
    return re.compile(pattern), close


# The head of an object: its first key with the colon, and when the value is a number, what
# follows it up to the next key's colon.
_ITEM_HEAD = re.compile(r'(?P<key>\{\s*"[^"\\]{1,40}"\s*:\s*)(?:-?[0-9][0-9.eE+-]*(?P<rest>\s*,\s*"[^"\\]{1,40}"\s*:))?')


def _guessed_item(buf: str, pos: int, window: int, parting: tuple[re.Pattern, int]):
    """(value, end, its UTF-8 text) of the object or array at buf[pos], as `_fast_item` reads it,
    when it ends where the items of the file have parted so far (`parting`, from `_parting`);
    None otherwise (`_fast_item` reads it then).

    A guess of the end is safe: orjson reads the text up to it only when that text is exactly
    one JSON value (it refuses anything after the value), which is then the value `raw_decode`
    reads, ending there; and a guess that falls inside the item fails in orjson's parser before
    any Python object is built (the next place is tried then). The depth is checked as
    `_decode` checks it."""
    pattern, close = parting
    at, limit = pos, pos + 2 * window + 256
    for _ in range(_TRIES):
        found = pattern.search(buf, at + 1, limit)
        if found is None:
            return None
        at = found.start()
        end = at + close + 1
        data = buf[pos:end].encode("utf-8")
        if _LONG_DIGITS in data.translate(_DIGITS):
            return None
        try:
            value = _orjson.loads(data)
        except _orjson.JSONDecodeError as exc:
            if exc.msg.startswith("unexpected end of data"):  # inside the item: the next place
                continue
            return None
        if _text_deeper_than(data, parses=True) is not False:
            return None
        return value, end, data
    return None


def _position(fh, char: int) -> str:
    """'line L column C (char N)' of a character of the file, as json's messages say it (the
    file is read again up to it, a chunk at a time: only for an error)."""
    fh.seek(0)
    line, newline, done = 1, -1, 0
    while done < char:
        chunk = fh.read(min(CHUNK, char - done))
        if not chunk:
            break
        line += chunk.count("\n")
        if (k := chunk.rfind("\n")) != -1:
            newline = done + k
        done += len(chunk)
    return f"line {line} column {char - newline} (char {char})"


def _iter_jsonl(path, fh, head: str) -> Iterator[Item]:
    """Items of a JSONL file; a bad line is an error item and the next lines still count."""
    lines = _lines(head, fh)
    first = next(lines, None)
    if first is None:
        return
    lineno, line = first
    if line is None:
        yield from _line_items(itertools.chain([(lineno, line)], lines))
        return
    try:
        value, shallow = _decode(line)
    except RecursionError:
        yield from _line_items(itertools.chain([(lineno, line)], lines))
        return
    except json.JSONDecodeError:
        # Not JSONL after all? A single pretty-printed object (or array) read whole, when the
        # file holds at most WHOLE_FILE_LIMIT characters (counted as read: a gzip'ed file's
        # size on disk says nothing) and no line too long to keep.
        held = [(lineno, line)]
        size = len(line)
        for n, text in lines:
            held.append((n, text))
            if text is None or (size := size + len(text)) > WHOLE_FILE_LIMIT:
                break
        else:
            yield from _whole_file("".join(text for _, text in held))
            return
        yield from _line_items(itertools.chain(held, lines))
        return
    except ValueError:  # an integer longer than Python converts: this line only
        yield from _line_items(itertools.chain([(lineno, line)], lines))
        return
    yield _checked(f"line:{lineno}", line, value, shallow)
    yield from _line_items(lines)


def _whole_file(whole: str) -> Iterator[Item]:
    """Items of a file that is one JSON value over many lines (a pretty-printed task or array),
    or values one after the other (`_iter_values`)."""
    try:
        value = json.loads(whole)
    except RecursionError:
        yield Item("line:1", errors=[_too_deep("the file")])
        return
    except json.JSONDecodeError as exc:
        if exc.msg == "Extra data":  # values one after the other, as `jq '.[]'` prints them
            yield from _iter_values(whole)
            return
        error = _json_error("", whole, exc, last=True)
        yield Item("line:1", errors=[Error(error.code, "", f"line {exc.lineno}: {error.message}")])
        return
    except ValueError:
        yield Item("line:1", errors=[_too_long_number("the file")])
        return
    values = value if isinstance(value, list) else [value]
    twice: dict[int, list[tuple[str, str]]] = {}  # item number -> (pointer in it, key)
    if lost_keys(whole, value):
        for pointer, key in duplicate_keys(whole):
            if isinstance(value, list):
                parts = pointer.split("/", 2)  # "/3/annotations/0": item 4, "/annotations/0" in it
                inner = "/" + parts[2] if len(parts) > 2 else ""
                twice.setdefault(int(parts[1]) + 1, []).append((inner, key))
            else:
                twice.setdefault(1, []).append((pointer, key))
    surrogates = has_lone_surrogate(whole, value)  # which item: each is checked on its own
    for i, v in enumerate(values, 1):
        if i in twice:
            yield Item(f"item:{i}", errors=_duplicate_key_errors(f"item:{i}", v, twice[i]))
        elif surrogates:
            yield _checked(f"item:{i}", json.dumps(v), v)
        else:
            yield Item(f"item:{i}", v)


def _json_error(where: str, text: str, exc: json.JSONDecodeError, last: bool) -> Error:
    """The error of a JSON text that does not parse: truncated_json when it stops in the middle
    of its value (`_cut_short`) and is the end of the file (`last`), else invalid_json."""
    label = f"{where}: " if where else ""
    if not _cut_short(text, exc):
        return Error("invalid_json", "", f"{label}{exc.msg}")
    if last:
        return Error("truncated_json", "", f"{label}the file ends in the middle of this task ({exc.msg}): "
                     "cut off, by an interrupted download or copy?")
    return Error("invalid_json", "", f"{label}the line ends before its JSON does ({exc.msg}): "
                 "a task broken over two lines?")


def _iter_values(text: str) -> Iterator[Item]:
    """Items of JSON values written one after the other, each possibly over many lines: what
    `jq '.[]' export.json` prints (an array's tasks, pretty-printed, without the array). A value
    that does not parse ends the reading there; the values before it come through. (`text` is
    the file's non-blank lines joined: positions inside it are not the file's, so none are given.)"""
    decoder = json.JSONDecoder()
    pos, n = 0, 0
    while True:
        while pos < len(text) and text[pos] in " \t\r\n":
            pos += 1
        if pos >= len(text):
            return
        n += 1
        try:
            value, end = decoder.raw_decode(text, pos)
        except RecursionError:
            error = _too_deep(f"item {n}")
            yield Item(f"item:{n}", errors=[Error(error.code, "", error.message + "; the items after it are not read")],
                       final=True)
            return
        except json.JSONDecodeError as exc:
            error = _json_error(f"item {n}", text, exc, last=True)
            yield Item(f"item:{n}", errors=[Error(error.code, "", error.message + "; the items after it are not read")],
                       final=True)
            return
        except ValueError:  # an integer longer than Python converts: this item only
            end = _end_of_value(text, pos)
            if end is None:
                yield Item(f"item:{n}", errors=[_too_long_number(f"item {n}")], final=True)
                return
            yield Item(f"item:{n}", errors=[_too_long_number(f"item {n}")])
            pos = end
            continue
        yield _checked(f"item:{n}", text[pos:end], value)
        pos = end


def _lines(head: str, fh) -> Iterator[tuple[int, str | None]]:
    """(line number, text) of non-blank lines, from the already-read head then the rest; the
    text is None for a line longer than MAX_ITEM_CHARS (not held: read past to its end)."""
    pending = ""
    lineno = 0
    skipping = False  # inside a line too long to keep
    for chunk in _chunks(head, fh):
        if skipping:
            cut = chunk.find("\n")
            if cut == -1:
                continue
            chunk, skipping = chunk[cut + 1:], False
        pending += chunk
        *complete, pending = pending.split("\n")
        for line in complete:
            lineno += 1
            if line[:1] in _PADDING or line[-1:] in _PADDING:
                line = line.strip(_PADDING)
            if line.strip():
                yield lineno, line
        if len(pending) > MAX_ITEM_CHARS:
            lineno += 1
            yield lineno, None
            pending, skipping = "", True
    pending = pending.strip(_PADDING)
    if pending.strip():
        yield lineno + 1, pending


# Not data at either end of a JSONL line: zero bytes (the tail of a file a crash or a
# preallocating download left zero-filled) and byte order marks (`cat` of files saved with
# one: the second file's BOM starts a line). Neither can be part of a JSON text there.
_PADDING = "\x00\ufeff"
_BLANK = " \t\r\n\x00"  # after an array's ']': whitespace, or zero bytes


def _after_the_array(rest: str, fh) -> str:
    """The start of what follows the array's closing ']' ("" when only whitespace or zero
    bytes do), read a chunk at a time (never the whole rest of a file into memory)."""
    while True:
        rest = rest.lstrip(_BLANK)
        if rest:
            return rest[:64]
        rest = fh.read(CHUNK)
        if not rest:
            return ""


def _chunks(head: str, fh) -> Iterator[str]:
    yield head
    while chunk := fh.read(CHUNK):
        yield chunk


def _too_large(where: str, kind: str = "item") -> Error:
    after = "the lines after it are read" if kind == "line" else "the items after it are not read"
    return Error("too_large", "", f"{where}: more than {MAX_ITEM_CHARS:,} characters of JSON in one task "
                 f"(not read; {after})")


def _too_deep(where: str) -> Error:
    return Error("too_deep", "", f"{where}: JSON nested deeper than {MAX_DEPTH} levels")


def _checked(where: str, raw: str, value, shallow: bool = False) -> Item:
    """The item parsed from `raw`, or an invalid_json error when it holds a lone surrogate.

    `shallow`: orjson read it (it refuses lone surrogates) and its depth is checked."""
    if not shallow and has_lone_surrogate(raw, value):
        return Item(where, errors=[Error("invalid_json", "", f"{where.replace(':', ' ')}: {LONE_SURROGATE}")])
    return Item(where, value, shallow=shallow, raw=raw)


def _end_of_value(buf: str, pos: int) -> int | None:
    """Where the JSON value at `pos` ends, parsing its over-long integers as nothing (rare: only
    after the fast decoder refused one), or None when it does not parse at all."""
    try:
        return json.JSONDecoder(parse_int=lambda _digits: 0).raw_decode(buf, pos)[1]
    except (ValueError, RecursionError):
        return None


def _too_long_number(where: str) -> Error:
    return Error("invalid_json", "", f"{where}: a number of more than {sys.get_int_max_str_digits()} digits")


def _line_items(lines: Iterator[tuple[int, str | None]]) -> Iterator[Item]:
    """_line_item of each line, the last one told it is last (a file cut off ends there)."""
    previous = None
    for pair in lines:
        if previous is not None:
            yield _line_item(*previous)
        previous = pair
    if previous is not None:
        yield _line_item(*previous, last=True)


def _line_item(lineno: int, line: str | None, last: bool = False) -> Item:
    if line is None:
        return Item(f"line:{lineno}", errors=[_too_large(f"line {lineno}", "line")])
    try:
        return _checked(f"line:{lineno}", line, *_decode(line))
    except RecursionError:
        return Item(f"line:{lineno}", errors=[_too_deep(f"line {lineno}")])
    except json.JSONDecodeError as exc:
        return Item(f"line:{lineno}", errors=[_json_error(f"line {lineno}", line, exc, last)])
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
                first_error = (item.where, message, item.final)  # fatal unless something readable follows
                continue
            _unreadable(problems, path, item.where, message, item.final)
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


def _unreadable(problems: Problems, path, where: str, message: str, final: bool = True) -> None:
    """A part of an export file that does not parse: a bad JSONL line is left out alone; in a
    JSON array an item is left out alone when the reader goes on after it (a lone surrogate,
    a too long number, too deep), else nothing after the error can be read (`final`)."""
    kind, _, n = where.partition(":")
    if kind in ("item", "line") and not message.startswith(f"{kind} "):
        message = f"{kind} {n}: {message}"
    if kind == "file" or (kind == "item" and final):
        rest = "the rest of the file is left out"
    else:
        rest = f"{kind} left out"
    problems.add(str(path), f"{message}; {rest}")


def load_export(path: str | Path, warn: Callable[[str], None] | Problems | None = None) -> list:
    """Read a Label Studio full-JSON export (a JSON array of tasks; JSONL is accepted too).
    `iter_export` streams the same items."""
    return list(iter_export(path, warn))
