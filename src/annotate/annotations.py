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
import os
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .errors import UsageError
from .exportfile import (  # noqa: F401  (the file reader, re-exported for callers)
    CHUNK,
    MAX_DEPTH,
    WHOLE_FILE_LIMIT,
    Item,
    Problems,
    iter_export,
    load_export,
    problems_for,
    read_export,
)
from .io import is_iso_time, is_seconds
from .redact import printable

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
    if lead is not None and not is_seconds(lead):
        problems.add(label, f"lead_time {_show(lead)} is not a number of seconds; ignored")
        out["lead_time"] = None
    for stamp in ("created_at", "updated_at"):
        if out.get(stamp) is not None and not is_iso_time(out[stamp]):
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
                  if isinstance(i, dict) and i.get("type") == "labels" and isinstance(i.get("id"), str)
                  and isinstance(i.get("value"), dict)}
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


def without_member_ground_truth(task: dict) -> dict:
    """The merged task with the ground-truth flag kept only where it is the lead's decision:
    on an annotation of the head project that is still its annotator's latest on the article.

    In open-source Label Studio every member can star an annotation as ground truth, and an
    annotator can star their own in their own project; in a family only the head project `T`
    is the lead's review (where `adjudicate --apply` writes agreed versions and the lead
    resolves disputes), so a star elsewhere settles nothing. An agreed version copied into T
    under its annotator's name is superseded once that annotator submits again in their own
    project (a copy does not follow its original, as a starred annotation would). Those flags
    are taken as false. A task of one project is returned as it is."""
    from .family import review_projects

    heads = review_projects(task)
    annotations = task.get("annotations") if heads is not None else None
    if not isinstance(annotations, list):
        return task
    latest: dict[object, tuple] = {}
    for ann in annotations:
        if isinstance(ann, dict) and not ann.get("was_cancelled"):
            uid = annotator_of(ann)[0]
            latest[uid] = max(latest.get(uid, _recency(ann)), _recency(ann))
    out, changed = [], False
    for ann in annotations:
        if isinstance(ann, dict) and ann.get("ground_truth") is True and (
                ann.get("project") not in heads or _recency(ann) < latest.get(annotator_of(ann)[0], ())):
            ann, changed = {**ann, "ground_truth": False}, True
        out.append(ann)
    return {**task, "annotations": out} if changed else task
