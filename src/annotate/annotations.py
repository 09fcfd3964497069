"""Reading annotations: the one reader behind pull, agree, report and adjudicate.

- `read_export(path)`: the items of a Label Studio export file (a JSON array or JSONL),
  streamed; unreadable parts become error items, never exceptions.
- `open_source(project=..., from_file=...)`: the one place that decides "project or file?";
  a project's full JSON export is downloaded to a temporary file. `load_tasks` streams its
  tasks with warnings (`iter_export`), plus user names.
- `clean_task(task, ...)` / `clean_tasks`: each task checked before use; a hand-broken export
  gives warnings (`Problems`) and a count, never a traceback.
- `versions_of(task)`: each annotator's latest non-cancelled annotation as a `Version` (spans
  and relations parsed by the labeling contract, `annotator_of` naming who made it).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import math
import os
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .errors import InputError, UsageError
from .redact import printable
from .validate import Error

# --------------------------------------------------------------------------- reading an export file

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
        fh = open(path, encoding="utf-8")
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
    """True when a parsed JSON value nests lists/objects more than `limit` levels (iterative)."""
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
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
        n += 1
        pos = end
        expect_value = False
        yield Item(f"item:{n}", value)


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
            for i, v in enumerate(value if isinstance(value, list) else [value], 1):
                yield Item(f"item:{i}", v)
            return
        yield _line_item(lineno, line)
        yield from (_line_item(n, text) for n, text in lines)
        return
    yield Item(f"line:{lineno}", value)
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


def _line_item(lineno: int, line: str) -> Item:
    try:
        return Item(f"line:{lineno}", json.loads(line))
    except RecursionError:
        return Item(f"line:{lineno}", errors=[_too_deep(f"line {lineno}")])
    except json.JSONDecodeError as exc:
        return Item(f"line:{lineno}", errors=[Error("invalid_json", "", f"line {lineno}: {exc.msg}")])


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


# --------------------------------------------------------------------------- checking a task

_SCALAR_ID = (int, str)


def _kind(value) -> str:
    """'a string', 'a list', 'null' ...: what a wrong-typed value is, for a warning."""
    if value is None:
        return "missing"
    names = {bool: "true/false", int: "a number", float: "a number", str: "a string",
             list: "a list", dict: "an object"}
    return names.get(type(value), type(value).__name__)


def _show(value, width: int = 40) -> str:
    """A wrong value as JSON, cut to `width` characters (escaped: it goes to the terminal)."""
    try:
        text = json.dumps(value, ensure_ascii=True, default=str)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= width else text[:width - 3] + "..."


def _is_id(value) -> bool:
    return isinstance(value, _SCALAR_ID) and not isinstance(value, bool)


def _is_time(value) -> bool:
    if not isinstance(value, str):
        return False
    try:
        dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def _good_user(who) -> bool:
    """completed_by is a user id, or a user object with an id or an email."""
    if isinstance(who, dict):
        return _is_id(who.get("id")) or (isinstance(who.get("email"), str) and who["email"] != "")
    return _is_id(who)


def clean_annotation(ann, where: str, n: int, problems: Problems, need_annotator: bool = True) -> dict | None:
    """A checked copy of one annotation of an export, or None when it cannot be used.

    Left out (with a warning): an annotation that is not an object, or whose `result` is not a
    list, or (when `need_annotator`, as agreement does) whose `completed_by` names nobody.
    Ignored (with a warning, the rest of the annotation still counts): a `lead_time` that is
    not a number of seconds, times that are not ISO dates, a non-boolean `was_cancelled` /
    `ground_truth` (taken as false), an `id` that is not a number or a string.
    """
    if not isinstance(ann, dict):
        problems.add(f"{where}, annotation #{n}", f"is {_kind(ann)}, not an object; left out")
        return None
    out = dict(ann)
    if "id" in out and out["id"] is not None and not _is_id(out["id"]):
        problems.add(f"{where}, annotation #{n}", f"id {_show(out['id'])} is not a number or a string; ignored")
        out["id"] = None
    label = f"{where}, annotation {out['id']}" if out.get("id") is not None else f"{where}, annotation #{n}"
    for flag in ("was_cancelled", "ground_truth"):
        if flag in out and not isinstance(out[flag], bool) and out[flag] is not None:
            problems.add(label, f"{flag} {_show(out[flag])} is not true or false; taken as false")
            out[flag] = False
    result = out.get("result")
    if not isinstance(result, list):
        if out.get("was_cancelled") and result is None:
            out["result"] = []
        else:
            what = "result is missing" if result is None else f"result is {_kind(result)}, not a list"
            problems.add(label, f"{what}; annotation left out")
            return None
    who = out.get("completed_by")
    if not _good_user(who):
        if need_annotator:
            problems.add(label, f"completed_by {_show(who)} names no annotator (a user id, or an object "
                                "with an id or email); annotation left out")
            return None
        if who is not None:
            problems.add(label, f"completed_by {_show(who)} is not a user id or a user object; ignored")
        out["completed_by"] = None
    lead = out.get("lead_time")
    if lead is not None and not (isinstance(lead, (int, float)) and not isinstance(lead, bool)
                                 and math.isfinite(lead) and lead >= 0):
        problems.add(label, f"lead_time {_show(lead)} is not a number of seconds; ignored")
        out["lead_time"] = None
    for stamp in ("created_at", "updated_at"):
        if out.get(stamp) is not None and not _is_time(out[stamp]):
            problems.add(label, f"{stamp} {_show(out[stamp])} is not an ISO date and time; ignored")
            out[stamp] = None
    return out


def clean_task(task, n: int, problems: Problems, need_annotator: bool = True) -> dict | None:
    """A checked copy of the n-th (1-based) task of an export, or None when it is not a task.

    `data`, `annotations` and `predictions` of the wrong type are treated as empty, with a
    warning; each annotation goes through `clean_annotation`; a prediction that is neither an
    object nor an id (Label Studio's quick export lists ids), or whose result is not a list,
    is left out.
    """
    if not isinstance(task, dict):
        problems.add(f"task #{n}", f"is {_kind(task)}, not an object; left out")
        return None
    out = dict(task)
    where = f"task {_show(task.get('id'), 20)}" if task.get("id") is not None else f"task #{n}"
    data = task.get("data")
    if data is not None and not isinstance(data, dict):
        problems.add(where, f"data is {_kind(data)}, not an object; ignored")
        data = None
    out["data"] = data or {}
    doc = out["data"].get("doc_id")
    if isinstance(doc, str) and doc:
        where = f"{where} ({doc if len(doc) <= 40 else doc[:37] + '...'})"
    annotations = task.get("annotations")
    if annotations is not None and not isinstance(annotations, list):
        problems.add(where, f"annotations is {_kind(annotations)}, not a list; ignored")
        annotations = None
    out["annotations"] = [a for k, ann in enumerate(annotations or (), 1)
                          if (a := clean_annotation(ann, where, k, problems, need_annotator)) is not None]
    predictions = task.get("predictions")
    if predictions is not None and not isinstance(predictions, list):
        problems.add(where, f"predictions is {_kind(predictions)}, not a list; ignored")
        predictions = None
    kept = []
    for k, pred in enumerate(predictions or (), 1):
        if isinstance(pred, dict):
            if pred.get("result") is not None and not isinstance(pred["result"], list):
                problems.add(f"{where}, prediction #{k}", f"result is {_kind(pred['result'])}, not a list; "
                                                           "prediction left out")
                continue
        elif not _is_id(pred):
            problems.add(f"{where}, prediction #{k}", f"is {_kind(pred)}, not an object or an id; left out")
            continue
        kept.append(pred)
    out["predictions"] = kept
    return out


def clean_tasks(tasks: Iterable, problems: Problems, need_annotator: bool = True) -> Iterator[dict]:
    """`clean_task` over a stream of export items, leaving out what is not a task."""
    for n, task in enumerate(tasks, 1):
        cleaned = clean_task(task, n, problems, need_annotator)
        if cleaned is not None:
            yield cleaned


def spans_with_text(result: Iterable[dict] | None, text: str | None = None) -> tuple[list[dict], list[dict]]:
    """(spans, relations) of a Label Studio `result`, shaped like the gold record.

    Parsing is `gold.parse_regions` (the one reader of our results: per-region choices merged
    by region id, `direction: left` relations reversed, malformed items skipped). Each span
    also gets its `text`, sliced from the task text when given (Label Studio's own `value.text`
    can drift in whitespace).
    """
    from .labeling import parse_regions

    result = result if isinstance(result, list) else []
    spans, relations = parse_regions(result)
    values = {}
    if text is None:
        values = {i.get("id"): i["value"].get("text", "") for i in result or ()
                  if isinstance(i, dict) and i.get("type") == "labels" and isinstance(i.get("value"), dict)}
    for span in spans:
        got = text[span["start"]:span["end"]] if text is not None else values.get(span["id"], "")
        span["text"] = got if isinstance(got, str) else ""
    return spans, relations


def display_name(uid, email=None, username=None) -> str:
    """How reports name an annotator: the e-mail, else the username, else "user <id>"."""
    for name in (email, username):
        if isinstance(name, str) and name:
            return name
    return f"user {uid}"


def annotator_of(annotation: dict, names: dict | None = None) -> tuple[object, str]:
    """(user id, display name) of an annotation; `completed_by` may be an id or a user dict."""
    who = annotation.get("completed_by")
    if isinstance(who, dict):
        uid = who.get("id") if _is_id(who.get("id")) else who.get("email")
        name = display_name(uid, who.get("email"), who.get("username"))
    else:
        uid = who
        name = display_name(uid)
    if not (uid is None or _is_id(uid)):  # an unchecked export: see clean_annotation
        return None, "user None"
    if names and uid in names:
        name = names[uid]
    return uid, name


def _recency(annotation: dict) -> tuple:
    """Sort key for "most recent": updated_at (else created_at) as a time, then the id."""
    stamp = annotation.get("updated_at") or annotation.get("created_at")
    try:
        moment = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.timezone.utc)
    except (AttributeError, ValueError):
        moment = dt.datetime.min.replace(tzinfo=dt.timezone.utc)
    ident = annotation.get("id")
    return moment, ident if isinstance(ident, int) and not isinstance(ident, bool) else -1, str(ident)


@dataclass
class Version:
    """One annotator's non-cancelled annotation of one task."""

    annotator: str
    user_id: object
    annotation_id: object
    lead_time: float | None
    ground_truth: bool
    updated_at: str
    spans: list[dict]
    relations: list[dict]
    result: list[dict] = field(repr=False, default_factory=list)
    _links: tuple | None = field(default=None, repr=False, compare=False)
    _when: tuple = field(default=(), repr=False, compare=False)


def versions_of(task: dict, names: dict | None = None) -> list[Version]:
    """The task's non-cancelled annotations, the most recent one per annotator, oldest first.
    `task` is checked (`clean_task`): an export's raw task may hold anything."""
    latest: dict[object, dict] = {}
    for ann in task.get("annotations") or ():
        if ann.get("was_cancelled"):
            continue
        uid, _ = annotator_of(ann, names)
        prev = latest.get(uid)
        if prev is None or _recency(ann) >= _recency(prev):
            latest[uid] = ann
    out = []
    text = (task.get("data") or {}).get("text")
    text = text if isinstance(text, str) else None
    for ann in latest.values():
        uid, name = annotator_of(ann, names)
        spans, relations = spans_with_text(ann.get("result"), text)
        out.append(Version(
            annotator=name, user_id=uid, annotation_id=ann.get("id"),
            lead_time=ann.get("lead_time"), ground_truth=bool(ann.get("ground_truth")),
            updated_at=ann.get("updated_at") or ann.get("created_at") or "",
            spans=spans, relations=relations, result=ann.get("result") or [],
            _when=_recency(ann),
        ))
    out.sort(key=lambda v: v._when)
    return out


def task_label(task: dict) -> str:
    """A short name for a task in reports: its doc_id if it has one, else its id."""
    data = task.get("data") or {}
    return str(data.get("doc_id") or f"task {task.get('id')}")


def user_names(client, warn: Callable[[str], None] | None = None) -> dict:
    """Label Studio user id -> email (or username), so reports and provenance name people.

    A token that may not list users raises ConnectionFailed, or, with `warn`, is told to it
    and gives {} (user ids only).
    """
    from .errors import ConnectionFailed
    from .studio import api_errors

    try:
        with api_errors(client, "list users"):
            return {u.id: display_name(u.id, u.email, u.username) for u in client.users.list()}
    except ConnectionFailed as exc:
        if warn is None:
            raise
        warn(f"annotator emails unavailable ({exc}); recording user ids only")
        return {}


class ExportSource:
    """Where annotations come from: an export file, or a project's full JSON export downloaded
    to a temporary file (removed by `close()`). `path` is the file to stream; `project` the
    Label Studio project (None for a file), `users` user id -> name, `info` what the dataset's
    manifest says of the source."""

    def __init__(self, path: Path, *, project=None, client=None, users: dict | None = None,
                 info: dict | None = None, temporary: bool = False, family=None):
        self.path, self.project, self.client = path, project, client
        self.users, self.info, self._temporary = users or {}, info or {}, temporary
        self.family = family  # a family.Family when the file joins a blind-annotation family

    @property
    def projects(self) -> list:
        """The Label Studio projects read: the family's, or the one project ([] for a file)."""
        if self.family is not None:
            return self.family.projects
        return [self.project] if self.project is not None else []

    def __enter__(self) -> ExportSource:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self._temporary:
            with contextlib.suppress(OSError):
                os.unlink(self.path)
            self._temporary = False


def open_source(project: str | int | None = None, from_file: str | Path | None = None,
                url: str | None = None, api_key: str | None = None, *,
                progress: Callable[[str], None] | None = None,
                users_warn: Callable[[str], None] | None = None) -> ExportSource:
    """The one place that decides "project or file?" for every command that reads annotations.

    With `from_file`, no server is contacted (a `project` given as well only names the source).
    Otherwise the project (title or id) is found, its users listed (`users_warn` makes a token
    that may not list users a warning instead of an error), and its full JSON export downloaded
    to a temporary file.

    A title with blind-annotation projects (`T · <email>`, see annotate.family) is read as one
    project: every project of the family is exported and the exports are joined article by
    article (`family.merge_exports`); `project` is then `T` itself, or None when it does not
    exist yet, and `family` lists them all.
    """
    if from_file is not None:
        return ExportSource(Path(from_file),
                            info={"file": str(from_file), "project": None if project is None else str(project)})
    if project is None:
        raise UsageError("pass --project NAME|ID (or --from-file EXPORT.json)")
    from . import studio
    from .labeling import config_hash

    client = studio.connect(url, api_key)
    if not str(project).strip().isdigit():
        from .family import find_family

        family = find_family(client, project)
        if family:
            return _open_family(client, family, url, progress, users_warn)
    proj = studio.find_project(client, project)
    users = user_names(client, warn=users_warn)
    info = {"project": {"id": proj.id, "title": proj.title, "config_hash": config_hash(proj.label_config or "")},
            "url": studio.display_url(url)}
    fd, tmp = tempfile.mkstemp(prefix="annotate-export-", suffix=".json")
    try:
        with os.fdopen(fd, "wb") as fh:
            studio.download_export(client, proj.id, fh, progress)
    except BaseException:
        os.unlink(tmp)
        raise
    return ExportSource(Path(tmp), project=proj, client=client, users=users, info=info, temporary=True)


def _open_family(client, family, url, progress, users_warn) -> ExportSource:
    """The ExportSource of a blind-annotation family: its projects' exports joined in one file."""
    from . import studio
    from .family import download_family_export
    from .labeling import config_hash

    users = user_names(client, warn=users_warn)
    head = family.head
    info = {"project": {"id": head.id if head is not None else None, "title": family.title,
                        "config_hash": config_hash((head or family.projects[0]).label_config or ""),
                        "family": [{"id": p.id, "title": p.title} for p in family.projects]},
            "url": studio.display_url(url)}
    warn = users_warn or (lambda msg: print(f"warning: {printable(msg)}", file=sys.stderr))
    path = download_family_export(client, family, progress, warn=warn)
    return ExportSource(path, project=head, client=client, users=users, info=info, temporary=True, family=family)


def _streamed(source: ExportSource, warn) -> Iterator[object]:
    with source:
        yield from iter_export(source.path, warn)


def load_tasks(project: str | None = None, from_file: str | Path | None = None,
               url: str | None = None, api_key: str | None = None,
               warn: Callable[[str], None] | Problems | None = None) -> tuple[Iterator[object], dict]:
    """(tasks, user names) from a project on a Label Studio server or from an export file.

    Exactly one of `project` (title or id) and `from_file` must be given. Both are Label
    Studio's full JSON export (full prediction objects), streamed from a file (`open_source`):
    the tasks come as an iterator, unchecked (see `clean_tasks`).
    """
    if (project is None) == (from_file is None):
        raise UsageError("give either --project NAME|ID or --from-file EXPORT.json")
    source = open_source(project, from_file, url, api_key)
    return _streamed(source, warn), source.users


def without_annotators(tasks: Iterable[dict], names: dict | None, exclude: Iterable[str]) -> Iterator[dict]:
    """Copies of the (checked) tasks without the annotations of the `exclude`d annotators
    (email or id)."""
    dropped = {str(x).strip().lower() for x in exclude}

    def kept(annotation: dict) -> bool:
        uid, name = annotator_of(annotation, names)
        return str(uid).lower() not in dropped and name.lower() not in dropped

    for t in tasks:
        yield {**t, "annotations": [a for a in t.get("annotations") or () if kept(a)]}
