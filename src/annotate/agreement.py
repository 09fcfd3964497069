"""Inter-annotator agreement over a Label Studio full-JSON export.

Label Studio's open-source edition computes no agreement; this module does, over every task
that two or more annotators completed (cancelled annotations left out):

- span agreement per label (Speaker, Quote, Stance): pairwise F1, exact (same offsets) and
  overlap (one-to-one greedy matching by overlap), micro-averaged and per annotator pair;
- attribution agreement: of the quotes matched between two annotators, how many are said by
  the same speaker (overlapping speaker spans, or the same name, after following `refers_to`);
- Krippendorff's alpha (nominal) for `quote_type` and `polarity` over matched spans, with the
  maintained `krippendorff` package;
- a per-annotator table and the most disputed tasks.

Pairwise F1 between two annotators is 2 * matched / (spans of A + spans of B); summing the
counts over tasks and pairs before dividing gives the micro average.

Exports are streamed (`pull.read_export`) and every task is checked before use
(`clean_task`, shared with `editreport` and `adjudicate`): a hand-broken export gives
warnings and a `problems` count, never a traceback.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path

from .errors import InputError, UsageError
from .io import atomic_writer
from .labeling import LABELS
from .redact import printable

CHOICE_FIELDS = ("quote_type", "polarity", "target")
ALPHA_FIELDS = {"quote_type": "Quote", "polarity": "Stance"}
NEEDS_TWO = "agreement needs two annotators: no task has two or more non-cancelled annotations"


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


def _problems(warn) -> tuple[Problems, bool]:
    """(the Problems to report to, whether the caller made it and must close it)."""
    return (warn, False) if isinstance(warn, Problems) else (Problems(warn), True)


def iter_export(path: str | Path, warn: Callable[[str], None] | Problems | None = None) -> Iterator[object]:
    """Stream the tasks of a Label Studio full-JSON export (a JSON array, or JSONL) with
    `pull.read_export`: memory stays flat however large the file.

    A part that cannot be parsed (a bad line, a truncated array) is a warning and what can be
    read is still used; a file with nothing readable at all is an InputError (exit 2).
    Items come as they are: `clean_task` checks their shape.
    """
    from .pull import read_export

    problems, mine = _problems(warn)
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


def parse_result(result: Iterable[dict] | None, text: str | None = None) -> tuple[list[dict], list[dict]]:
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


def annotator_of(annotation: dict, names: dict | None = None) -> tuple[object, str]:
    """(user id, display name) of an annotation; `completed_by` may be an id or a user dict."""
    who = annotation.get("completed_by")
    if isinstance(who, dict):
        uid = who.get("id") if _is_id(who.get("id")) else who.get("email")
        name = who.get("email") or who.get("username") or f"user {uid}"
        name = name if isinstance(name, str) else f"user {uid}"
    else:
        uid = who
        name = f"user {uid}"
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
        spans, relations = parse_result(ann.get("result"), text)
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


def user_names(client) -> dict:
    """Label Studio user id -> email (or username), so reports name people, not numbers."""
    from .studio import api_errors

    with api_errors(client, "list users"):
        return {u.id: (u.email or u.username or f"user {u.id}") for u in client.users.list()}


def project_tasks(client, project_id: int, progress: Callable[[str], None] | None = None,
                  warn: Callable[[str], None] | Problems | None = None) -> Iterator[object]:
    """The project's full JSON export (`studio.download_export`), downloaded to a temporary
    file now and streamed from it as it is iterated (`iter_export`); the file is removed after."""
    import os
    import tempfile

    from . import studio

    fd, tmp = tempfile.mkstemp(prefix="annotate-export-", suffix=".json")
    try:
        with os.fdopen(fd, "wb") as fh:
            studio.download_export(client, project_id, fh, progress)
    except BaseException:
        os.unlink(tmp)
        raise

    def stream() -> Iterator[object]:
        try:
            yield from iter_export(tmp, warn)
        finally:
            os.unlink(tmp)

    return stream()


def load_tasks(project: str | None = None, from_file: str | Path | None = None,
               url: str | None = None, api_key: str | None = None,
               warn: Callable[[str], None] | Problems | None = None) -> tuple[Iterator[object], dict]:
    """(tasks, user names) from a project on a Label Studio server or from an export file.

    Exactly one of `project` (title or id) and `from_file` must be given. Both are Label
    Studio's full JSON export (full prediction objects), streamed from a file: the tasks come
    as an iterator, unchecked (see `clean_tasks`).
    """
    if (project is None) == (from_file is None):
        raise UsageError("give either --project NAME|ID or --from-file EXPORT.json")
    if from_file is not None:
        return iter_export(from_file, warn), {}
    from . import studio

    client = studio.connect(url, api_key)
    proj = studio.find_project(client, project)
    names = user_names(client)
    return project_tasks(client, proj.id, warn=warn), names


def agreement_report(project: str | None = None, from_file: str | Path | None = None,
                     url: str | None = None, api_key: str | None = None, top: int = 10,
                     exclude: Iterable[str] = (), warn: Callable[[str], None] | None = None) -> dict:
    """`annotate agree` as a function: load the tasks, return `compute_agreement`'s dict.

    `exclude` names annotators (email or user id) left out, e.g. the lead whose
    adjudicating annotations are not an independent opinion. `warn` receives one line per
    problem found in the export (default: stderr).
    """
    problems = Problems(warn)
    tasks, names = load_tasks(project, from_file, url, api_key, warn=problems)
    if exclude:
        tasks = without_annotators(clean_tasks(tasks, problems), names, exclude)
    report = compute_agreement(tasks, names, top=top, warn=problems)
    problems.close()
    return report


def without_annotators(tasks: Iterable[dict], names: dict | None, exclude: Iterable[str]) -> Iterator[dict]:
    """Copies of the (checked) tasks without the annotations of the `exclude`d annotators
    (email or id)."""
    dropped = {str(x).strip().lower() for x in exclude}

    def kept(annotation: dict) -> bool:
        uid, name = annotator_of(annotation, names)
        return str(uid).lower() not in dropped and name.lower() not in dropped

    for t in tasks:
        yield {**t, "annotations": [a for a in t.get("annotations") or () if kept(a)]}


def save_html(path: str | Path, html: str) -> None:
    """Write an HTML report atomically; an output that cannot be written (a directory that
    is a file, no permission, disk full) is one UsageError line, and nothing is left behind."""
    parent = Path(path).parent
    if parent.exists() and not parent.is_dir():
        raise UsageError(f"cannot write {path}: {parent} is not a directory")
    try:
        with atomic_writer(path) as fh:
            fh.write(html)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None


# --------------------------------------------------------------------------- matching


def _overlap(a: dict, b: dict) -> int:
    return min(a["end"], b["end"]) - max(a["start"], b["start"])


def match_spans(a: list[dict], b: list[dict], mode: str = "overlap") -> list[tuple[int, int]]:
    """One-to-one matches (index in a, index in b) between two span lists of one label.

    `exact`: same start and end. `overlap`: any shared character; pairs are taken greedily by
    intersection-over-union, so each span is matched at most once and the best fits go first.
    """
    if mode == "exact":
        where: dict[tuple[int, int], list[int]] = defaultdict(list)
        for j, s in enumerate(b):
            where[(s["start"], s["end"])].append(j)
        pairs = []
        for i, s in enumerate(a):
            slot = where.get((s["start"], s["end"]))
            if slot:
                pairs.append((i, slot.pop(0)))
        return pairs
    candidates = []
    ends = [(t["start"], t["end"]) for t in b]
    for i, s in enumerate(a):
        s0, s1 = s["start"], s["end"]
        for j, (t0, t1) in enumerate(ends):
            if t0 < s1 and s0 < t1:  # inlined overlap test: this loop is the hot path
                inter = min(s1, t1) - max(s0, t0)
                if inter > 0:
                    candidates.append((-inter / (max(s1, t1) - min(s0, t0)), i, j))
    candidates.sort()
    used_a, used_b, pairs = set(), set(), []
    for _, i, j in candidates:
        if i not in used_a and j not in used_b:
            used_a.add(i)
            used_b.add(j)
            pairs.append((i, j))
    return pairs


def by_label(spans: list[dict]) -> dict[str, list[dict]]:
    """Spans grouped by label, every contract label present (possibly empty)."""
    out: dict[str, list[dict]] = {label: [] for label in LABELS}
    for s in spans:
        out.setdefault(s["label"], []).append(s)
    return out


def _links(version: Version) -> tuple[dict, dict, dict]:
    """(spans by id, quote id -> said_by target, speaker id -> refers_to target), cached."""
    if version._links is None:
        said, refers = {}, {}
        for r in version.relations:
            if r["type"] == "said_by":
                said.setdefault(r["from"], r["to"])
            elif r["type"] == "refers_to":
                refers.setdefault(r["from"], r["to"])
        version._links = ({s["id"]: s for s in version.spans}, said, refers)
    return version._links


def speaker_chain(version: Version, quote_id: str) -> list[dict]:
    """The quote's `said_by` speaker followed through `refers_to` links (cycle-safe)."""
    index, said, refers = _links(version)
    chain: list[dict] = []
    current = said.get(quote_id)
    seen = set()
    while current is not None and current not in seen and current in index:
        seen.add(current)
        chain.append(index[current])
        current = refers.get(current)
    return chain


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def same_speaker(a: list[dict], b: list[dict]) -> bool:
    """Two speaker chains agree when both are empty or the speakers they resolve to (the last
    span after following `refers_to`) overlap or carry the same name."""
    if not a or not b:
        return not a and not b
    x, y = a[-1], b[-1]
    if _overlap(x, y) > 0:
        return True
    return _norm(x.get("text", "")) == _norm(y.get("text", "")) != ""


def canonical(version: Version) -> frozenset:
    """A comparable form of an annotation (`gold.annotation_signature`: spans by label, offsets
    and choices; relations by the positions of their ends; region ids and order ignored).

    Two annotators fully agree on a task when their canonical forms are equal: the same spans
    with the same labels and choices, and the same relations between the same spans. `pull`
    counts disagreements with the same function.
    """
    from .gold import annotation_signature

    return annotation_signature({"result": version.result})


# --------------------------------------------------------------------------- counting


@dataclass
class Counts:
    """Matched and total spans on both sides: F1 = 2 * matched / spans."""

    matched: int = 0
    spans: int = 0

    def add(self, matched: int, spans: int) -> None:
        self.matched += matched
        self.spans += spans

    @property
    def f1(self) -> float | None:
        return round(2 * self.matched / self.spans, 4) if self.spans else None

    def as_dict(self) -> dict:
        return {"f1": self.f1, "matched": self.matched, "spans": self.spans}


@dataclass
class PairResult:
    """What two annotators agree on for one task."""

    exact: dict[str, tuple[int, int]]
    overlap: dict[str, tuple[int, int]]
    quotes_matched: int
    attribution_agreed: int
    choice_pairs: int
    choice_disagreements: int
    unmatched: int


def compare_pair(a: Version, b: Version) -> tuple[PairResult, list[tuple[dict, dict]]]:
    """Compare two annotations of one task; also return the overlap-matched span pairs."""
    la, lb = by_label(a.spans), by_label(b.spans)
    exact, overlap, matched_pairs = {}, {}, []
    quotes_matched = attribution_agreed = choice_pairs = choice_dis = unmatched = 0
    for label in set(la) | set(lb):
        sa, sb = la.get(label, []), lb.get(label, [])
        total = len(sa) + len(sb)
        ex = match_spans(sa, sb, "exact")
        ov = match_spans(sa, sb, "overlap")
        exact[label] = (len(ex), total)
        overlap[label] = (len(ov), total)
        unmatched += total - 2 * len(ov)
        for i, j in ov:
            s, t = sa[i], sb[j]
            matched_pairs.append((s, t))
            for f in CHOICE_FIELDS:
                if s.get(f) is not None or t.get(f) is not None:
                    choice_pairs += 1
                    choice_dis += s.get(f) != t.get(f)
            if label == "Quote":
                quotes_matched += 1
                if same_speaker(speaker_chain(a, s["id"]), speaker_chain(b, t["id"])):
                    attribution_agreed += 1
    result = PairResult(exact, overlap, quotes_matched, attribution_agreed, choice_pairs,
                        choice_dis, unmatched)
    return result, matched_pairs


def alpha_units(versions: list[Version], label: str, choice: str) -> list[dict[str, int]]:
    """Units for alpha: each span cluster (overlap-matched across annotators) -> value counts.

    Annotators are folded in one at a time; each span joins the unit whose spans it overlaps
    best (one span per annotator per unit) or starts a new unit.
    """
    units: list[list[dict]] = []
    for v in versions:
        spans = [s for s in v.spans if s["label"] == label]
        reps = [u[0] for u in units]
        pairs = match_spans(spans, reps, "overlap")
        taken = set()
        for i, j in pairs:
            units[j].append(spans[i])
            taken.add(i)
        units.extend([s] for i, s in enumerate(spans) if i not in taken)
    out = []
    for unit in units:
        counts: dict[str, int] = defaultdict(int)
        for s in unit:
            if s.get(choice) is not None:
                counts[s[choice]] += 1
        if sum(counts.values()) >= 2:
            out.append(dict(counts))
    return out


def krippendorff_alpha(units: list[dict[str, int]]) -> float | None:
    """Nominal Krippendorff's alpha over units of value counts; None when it is undefined."""
    import krippendorff
    import numpy as np

    values = sorted({v for u in units for v in u})
    if not units or len(values) < 2:
        # One value everywhere (or nothing to compare): no expected disagreement, alpha
        # is 0/0. Reported as None rather than a made-up 1.0.
        return None
    counts = np.array([[u.get(v, 0) for v in values] for u in units], dtype=float)
    return round(float(krippendorff.alpha(value_counts=counts, level_of_measurement="nominal")), 4)


# --------------------------------------------------------------------------- report


def _pair_key(x: str, y: str) -> tuple[str, str]:
    return (x, y) if x <= y else (y, x)


def compute_agreement(tasks: Iterable, names: dict | None = None, top: int = 10,
                      warn: Callable[[str], None] | Problems | None = None) -> dict:
    """The agreement report for exported tasks, as a JSON-ready dict.

    `names` maps user ids to display names (emails) when the export only has ids. `top` is
    how many of the most disputed tasks to list. With fewer than two annotators on every
    task the report has `"status": "needs_two_annotators"` and no figures. Each task is
    checked first (`clean_task`): what is broken is left out or ignored, `warn` is told
    (default: stderr), and `problems` counts it.
    """
    problems, mine = _problems(warn)
    before = problems.count
    try:
        return _compute_agreement(clean_tasks(tasks, problems), names, top, problems, before)
    finally:
        if mine:
            problems.close()


def _compute_agreement(tasks: Iterable[dict], names: dict | None, top: int, problems: Problems,
                       before: int) -> dict:
    label_exact = defaultdict(Counts)
    label_overlap = defaultdict(Counts)
    pair_exact = defaultdict(Counts)
    pair_overlap = defaultdict(Counts)
    pair_label = defaultdict(lambda: defaultdict(Counts))
    pair_tasks = defaultdict(int)
    annot = defaultdict(lambda: {"tasks": 0, "spans": 0, "lead": [], "exact": Counts(),
                                 "overlap": Counts()})
    alpha_data = {f: [] for f in ALPHA_FIELDS}
    quotes_matched = attribution_agreed = 0
    n_tasks = n_multi = n_annotations = 0
    disputed = []
    for task in tasks:
        n_tasks += 1
        versions = versions_of(task, names)
        n_annotations += len(versions)
        if len(versions) < 2:
            continue
        n_multi += 1
        for v in versions:
            row = annot[v.annotator]
            row["tasks"] += 1
            row["spans"] += len(v.spans)
            if v.lead_time is not None:
                row["lead"].append(float(v.lead_time))
        task_overlap, task_exact = Counts(), Counts()
        task_choice = task_attr = task_unmatched = 0
        for a, b in combinations(versions, 2):
            pr, _ = compare_pair(a, b)
            key = _pair_key(a.annotator, b.annotator)
            pair_tasks[key] += 1
            for label, (m, n) in pr.exact.items():
                label_exact[label].add(m, n)
                task_exact.add(m, n)
                pair_exact[key].add(m, n)
                for who in (a, b):
                    annot[who.annotator]["exact"].add(m, n)
            for label, (m, n) in pr.overlap.items():
                label_overlap[label].add(m, n)
                pair_overlap[key].add(m, n)
                pair_label[key][label].add(m, n)
                task_overlap.add(m, n)
                for who in (a, b):
                    annot[who.annotator]["overlap"].add(m, n)
            quotes_matched += pr.quotes_matched
            attribution_agreed += pr.attribution_agreed
            task_choice += pr.choice_disagreements
            task_attr += pr.quotes_matched - pr.attribution_agreed
            task_unmatched += pr.unmatched
        for choice, label in ALPHA_FIELDS.items():
            alpha_data[choice].extend(alpha_units(versions, label, choice))
        # Spans that do not all match exactly, or differing choices, already make a dispute;
        # only otherwise is the full comparison (relations too) needed.
        spans_agree = task_exact.matched * 2 == task_exact.spans and task_choice == 0
        if not spans_agree or len({canonical(v) for v in versions}) > 1:
            f1 = task_overlap.f1
            disputed.append({
                "task_id": task.get("id"), "doc": task_label(task),
                "annotators": [v.annotator for v in versions],
                "overlap_f1": f1, "unmatched_spans": task_unmatched,
                "choice_disagreements": task_choice,
                "attribution_disagreements": task_attr,
            })
    if n_multi == 0:
        return {"status": "needs_two_annotators", "message": NEEDS_TWO,
                "tasks": {"total": n_tasks, "annotations": n_annotations, "compared": 0},
                "problems": problems.count - before}

    def score(d):
        f1 = d["overlap_f1"] if d["overlap_f1"] is not None else 1.0
        return (f1, -(d["unmatched_spans"] + d["choice_disagreements"]
                      + d["attribution_disagreements"]), str(d["task_id"]))

    disputed.sort(key=score)
    micro_exact, micro_overlap = Counts(), Counts()
    for c in label_exact.values():
        micro_exact.add(c.matched, c.spans)
    for c in label_overlap.values():
        micro_overlap.add(c.matched, c.spans)
    labels_present = [lb for lb in LABELS] + sorted(set(label_exact) - set(LABELS))
    return {
        "status": "ok",
        "tasks": {"total": n_tasks, "annotations": n_annotations, "compared": n_multi,
                  "disputed": len(disputed), "agreed": n_multi - len(disputed)},
        "micro": {"exact": micro_exact.as_dict(), "overlap": micro_overlap.as_dict()},
        "labels": {lb: {"exact": label_exact[lb].as_dict(), "overlap": label_overlap[lb].as_dict()}
                   for lb in labels_present},
        "pairs": [
            {"a": k[0], "b": k[1], "tasks": pair_tasks[k], "exact_f1": pair_exact[k].f1,
             "overlap_f1": pair_overlap[k].f1,
             "labels": {lb: pair_label[k][lb].f1 for lb in labels_present}}
            for k in sorted(pair_tasks)
        ],
        "attribution": {
            "matched_quotes": quotes_matched, "agreed": attribution_agreed,
            "agreement": round(attribution_agreed / quotes_matched, 4) if quotes_matched else None,
        },
        "alpha": {
            choice: {"label": label, "alpha": krippendorff_alpha(alpha_data[choice]),
                     "units": len(alpha_data[choice]),
                     "values": sum(sum(u.values()) for u in alpha_data[choice])}
            for choice, label in ALPHA_FIELDS.items()
        },
        "annotators": [
            {"annotator": name, "tasks": row["tasks"], "spans": row["spans"],
             "mean_lead_time": round(sum(row["lead"]) / len(row["lead"]), 2) if row["lead"] else None,
             "exact_f1": row["exact"].f1, "overlap_f1": row["overlap"].f1}
            for name, row in sorted(annot.items())
        ],
        "disputed": disputed[:top],
        "problems": problems.count - before,
    }


# --------------------------------------------------------------------------- terminal


def _fmt(x) -> str:
    """A table cell: 3 decimals for floats, '-' for missing, text made terminal-safe (it can
    come from the export: an email, a doc_id) and kept on one line."""
    if x is None:
        return "-"
    if isinstance(x, float):
        return f"{x:.3f}"
    return printable(str(x)).replace("\n", "\\n").replace("\t", "\\t")


def table(headers: list[str], rows: list[list]) -> str:
    """A plain aligned text table: numbers right-aligned, text left-aligned; cells and
    headers are made terminal-safe (`_fmt`)."""
    headers = [_fmt(h) for h in headers]
    cells = [[_fmt(c) for c in r] for r in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h)
              for i, h in enumerate(headers)]
    numeric = [i > 0 and all(isinstance(r[i], (int, float)) or r[i] is None for r in rows)
               for i in range(len(headers))]

    def line(r):
        return "  ".join(c.rjust(w) if num else c.ljust(w)
                         for c, w, num in zip(r, widths, numeric, strict=True)).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths])] + [line(r) for r in cells])


def format_agreement(report: dict) -> str:
    """The agreement report as terminal text (export-provided names escaped: `redact.printable`)."""
    return printable(_format_agreement(report))


def _format_agreement(report: dict) -> str:
    if report["status"] != "ok":
        return report["message"]
    t = report["tasks"]
    parts = [
        f"Tasks compared: {t['compared']} of {t['total']} "
        f"(agreed {t['agreed']}, disputed {t['disputed']}), annotations: {t['annotations']}",
        "",
        "Span agreement (pairwise F1)",
        table(["label", "exact", "overlap", "spans"],
              [[lb, v["exact"]["f1"], v["overlap"]["f1"], v["overlap"]["spans"]]
               for lb, v in report["labels"].items()]
              + [["micro", report["micro"]["exact"]["f1"], report["micro"]["overlap"]["f1"],
                  report["micro"]["overlap"]["spans"]]]),
        "",
        "Annotator pairs",
        table(["pair", "tasks", "exact", "overlap"] + [f"{lb} (overlap)" for lb in report["labels"]],
              [[f"{p['a']} / {p['b']}", p["tasks"], p["exact_f1"], p["overlap_f1"]]
               + list(p["labels"].values()) for p in report["pairs"]]),
        "",
    ]
    att = report["attribution"]
    parts.append(f"Attribution: {att['agreed']} of {att['matched_quotes']} matched quotes "
                 f"said by the same speaker ({_fmt(att['agreement'])})")
    for choice, a in report["alpha"].items():
        parts.append(f"Krippendorff's alpha {choice}: {_fmt(a['alpha'])} "
                     f"(over {a['units']} {a['label']} spans marked by two or more annotators, "
                     f"{a['values']} values)")
    parts += ["", "Annotators",
              table(["annotator", "tasks", "spans", "mean lead s", "exact", "overlap"],
                    [[a["annotator"], a["tasks"], a["spans"], a["mean_lead_time"],
                      a["exact_f1"], a["overlap_f1"]] for a in report["annotators"]])]
    if report["disputed"]:
        parts += ["", "Most disputed tasks",
                  table(["doc", "task", "overlap", "unmatched", "choices", "speakers"],
                        [[d["doc"], d["task_id"], d["overlap_f1"], d["unmatched_spans"],
                          d["choice_disagreements"], d["attribution_disagreements"]]
                         for d in report["disputed"]])]
    return "\n".join(parts)

