"""`annotate push`: validate tasks locally, then import them into a Label Studio project, idempotently.

- Inputs are raw .txt files/directories (converted on the fly) or tasks JSONL files from
  `annotate convert` (`.jsonl`, or `-` for stdin). Tasks stream through: memory holds only the
  project's task index (hash, doc id, task id), the batch being filled and the one in flight.
- Every task that would be sent is checked first (`validate_task`): the server accepts
  broken predictions silently, so we must not send any.
- Idempotent by `meta.task_hash` (SPEC section 3): a task whose hash is already in the project
  is skipped, so re-running an interrupted push creates no duplicates. Each batch is one
  import POST with SDK retries off, so a retry cannot duplicate a batch either.
- A task whose `data.doc_id` is already in the project under another hash is an *update*:
  the existing task gets the new data and meta and its predictions are replaced, keeping
  its annotations — unless the text itself changed and the task already has annotations
  (their offsets would point into the old text): that is a *conflict*, left untouched and
  reported. Updates go UPDATE_BATCH_SIZE at a time through `studio.replace_tasks`: for the
  tasks whose predictions are all of our model family, one delete action, one predictions
  import and one check read for the batch, then one PATCH of data+meta a task (the new
  task_hash last); a task holding another model's prediction (an ML backend's) is updated
  one by one as before. A push stopped part-way leaves tasks with the old hash (and their old
  predictions, none of ours, or the new ones): the next push updates them again.
- Safe to run concurrently (two shells, two machines, one server). Label Studio has no unique
  constraint on task data, so two pushes that read the index before either imported both
  import the same tasks. After its last batch a push re-reads the index and, for every
  task_hash and doc_id of its input held by several tasks, keeps the oldest (smallest id) and
  deletes the others: every pusher picks the same survivor, and deleting is idempotent. A
  younger copy with annotations is never deleted: it is reported as a conflict. The same
  clean-up runs when the first index read already shows duplicates of the input (left by a
  killed push), so re-running fixes them. Projects: see `studio.ensure_project`.
- Ctrl-C finishes the batch in flight, then raises `PushInterrupted` (a KeyboardInterrupt)
  carrying what was done; re-running resumes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from . import studio
from .convert import TEXT_SUFFIXES
from .errors import ConnectionFailed, Interrupted, ProjectError, UsageError
from .io import sha256_text

DEFAULT_BATCH_SIZE = 500
UPDATE_BATCH_SIZE = 250  # tasks updated together (parsed tasks are held in memory meanwhile)
TASK_SUFFIXES = (".jsonl", ".ndjson")
MAX_REPORTED = 20  # invalid tasks / conflicts described one by one; the rest only counted
# Label Studio's guidance: about 100,000 tasks per project at most (and PostgreSQL beyond
# tens of thousands). A push that brings a project near or past it says so.
PROJECT_TASK_LIMIT = 100_000


@dataclass
class PushStats:
    """What a push did (or, with dry_run, would do)."""

    project_id: int | None = None
    project_title: str = ""
    project_created: bool = False
    dry_run: bool = False
    created: int = 0
    updated: int = 0
    skipped: int = 0
    invalid: int = 0
    conflicts: int = 0
    duplicates_removed: int = 0  # tasks of this input held twice (a concurrent/killed push), removed
    problems: list[str] = field(default_factory=list)  # the first MAX_REPORTED, one line each
    offline: str = ""  # a dry run without the server: why it could not connect

    @property
    def failed(self) -> bool:
        return bool(self.invalid or self.conflicts)

    def note(self, line: str) -> None:
        if len(self.problems) < MAX_REPORTED:
            self.problems.append(line)

    def summary(self) -> str:
        if self.offline:
            valid = self.created + self.updated + self.skipped
            return (f"offline ({self.offline}): {valid} valid tasks, invalid {self.invalid}; "
                    "which of them are already in the project is unknown without the server")
        verb = "would create" if self.dry_run else "created"
        created = f"{verb} {self.created}"
        if self.duplicates_removed:
            created += f" ({self.duplicates_removed} duplicates from a concurrent or interrupted push removed)"
        parts = [created, f"updated {self.updated}", f"skipped {self.skipped} (already there)",
                 f"invalid {self.invalid}"]
        if self.conflicts:
            parts.append(f"conflicts {self.conflicts}")
        if self.dry_run:
            parts[1] = f"would update {self.updated}"
        if self.project_id is None:
            where = f"new project {self.project_title!r}"
        else:
            where = f"project {self.project_id} ({self.project_title!r})"
            if self.project_created:
                where = "new " + where
        return f"{where}: " + ", ".join(parts)


class PushInterrupted(Interrupted):  # noqa: N818  (a KeyboardInterrupt, named for what happened)
    """Ctrl-C during a push, raised once the batch in flight has finished; `stats` is what was
    done. The CLI prints "Interrupted: " + str(exc) and exits 130."""

    def __init__(self, stats: PushStats):
        self.stats = stats
        super().__init__(f"{stats.summary()} before the interrupt; "
                         "re-running resumes (tasks already in the project are skipped)")


# --- local validation ----------------------------------------------------------------------


def compute_task_hash(task: dict) -> str:
    """The SPEC's task hash (text + predictions), for hand-made tasks that lack meta.task_hash."""
    from .converters.tasks import task_hash

    return task_hash(task["data"]["text"], task.get("predictions") or [])


def validate_task(task) -> list[str]:
    """Every problem that would make this task wrong in our project ([] when it is fine).

    The one checker of the labeling contract, `validate.check_prediction_task` (the same
    checks `pull` runs on annotations: offsets, `value.text`, labels, per-region choices on the
    right label, stance targets among `data.targets`, relation ends, every Quote said_by a
    Speaker or marked unattributed, ...), then the SDK's own `LabelInterface.validate_prediction`
    as an extra opinion. Each problem is one line "PATH: CODE: message".
    """
    from .labeling import sdk_prediction_problems
    from .validate import check_prediction_task

    errors = [f"{e.path or '/'}: {e.code}: {e.message}" for e in check_prediction_task(task)]
    if isinstance(task, dict) and "annotations" in task:
        errors.append("/annotations: push sends pre-annotations only (put them in predictions)")
    data = task.get("data") if isinstance(task, dict) else None
    for key, value in (data.items() if isinstance(data, dict) else ()):
        if isinstance(value, str) and "\x00" in value:
            errors.append(f"/data/{key}: nul_character: a NUL character (U+0000), which Label Studio on "
                          "PostgreSQL cannot store; remove it from the article and convert again "
                          "(annotate convert removes them)")
    if not errors and isinstance(task, dict):
        for p, pred in enumerate(task.get("predictions") or []):
            problems = [] if _sdk_finds_nothing(pred) else sdk_prediction_problems(pred)
            errors += [f"/predictions/{p}: sdk: {e}" for e in problems]
    return errors


# The SDK's validator costs ~20 ms a real-sized task, four fifths of push's own work: it
# checks every region on its own, and each Labels region scans the whole result for a
# geometry partner (quadratic in the regions). Its verdict on a region depends only on the
# region's from_name, to_name, type and the shape of its value (labels/choices, and the types
# of start/end/text, which is all its pydantic models look at), so a region shape it has
# passed once passes again: only shapes not seen yet are sent to it. Anything unusual (a
# geometry type, a non-dict, a missing field) or any complaint goes to the full validator,
# whose messages are the ones reported.
_SDK_GOOD_SHAPES: set[str] = set()
_SDK_SHAPES_LIMIT = 100_000
_GEOMETRY = {"rectangle", "polygon", "ellipse", "keypoint", "brush", "bitmask", "vector"}
_RELATION_FIELDS = ("type", "direction", "from_id", "to_id")
_SPAN_KEYS = frozenset(("start", "end", "text"))


def _region_shape(region: dict) -> str | None:
    """What the SDK's region check depends on, as a key (None: not to be cached)."""
    value = region.get("value")
    if not isinstance(value, dict) or not all(isinstance(region.get(k), str) for k in ("from_name", "to_name", "type")):
        return None
    shape = sorted((k, type(v).__name__ if k in _SPAN_KEYS else v) for k, v in value.items())
    return repr((region["from_name"], region["to_name"], region["type"], shape))


def _sdk_finds_nothing(pred) -> bool:
    """True when the SDK's `validate_prediction` would surely return no error for `pred`;
    False means "ask it" (not that it complains)."""
    try:
        return _sdk_passes(pred)
    except (TypeError, ValueError, AttributeError):  # unhashable ids and the like: ask the SDK
        return False


def _sdk_passes(pred) -> bool:
    from .labeling import _interface

    result = pred.get("result") if isinstance(pred, dict) else None
    if not isinstance(result, list) or not all(isinstance(r, dict) for r in result):
        return False
    score = pred.get("score")
    if score is not None and not (isinstance(score, (int, float)) and not isinstance(score, bool) and 0 <= score <= 1):
        return False
    if any(str(r.get("type") or "").lower() in _GEOMETRY for r in result):
        return False  # split-format pairs: the SDK looks at siblings
    iface = _interface()
    regions = []
    for i, region in enumerate(result):
        if region.get("type") == "relation":
            continue
        shape = _region_shape(region)
        if shape is None:
            return False
        if shape not in _SDK_GOOD_SHAPES:
            if iface.validate_region(region, return_errors=True, region_index=i,
                                     context={"result": result, "region": region}):
                return False
            if len(_SDK_GOOD_SHAPES) < _SDK_SHAPES_LIMIT:
                _SDK_GOOD_SHAPES.add(shape)
        regions.append(region)
    ids = {r["id"] for r in regions if "id" in r}
    for relation in result:
        if relation.get("type") != "relation":
            continue
        if (not all(k in relation for k in _RELATION_FIELDS) or relation.get("direction") not in ("left", "right", "bi")
                or relation.get("from_id") not in ids or relation.get("to_id") not in ids):
            return False
    return True


# --- inputs --------------------------------------------------------------------------------


def iter_input_tasks(inputs: Iterable[str], warn: Callable[[str], None] | None = None, *,
                     jobs: int | None = None, fixed_targets: Iterable[str] = (),
                     model=None) -> Iterator[tuple[str, dict]]:
    """(where, task) for every task in the inputs, streamed.

    `.jsonl` files and `-` (stdin) are tasks JSONL; `.txt` files and directories are raw
    articles, converted on the fly exactly as `annotate convert` would (with `jobs` processes,
    default one per core, and the project's `fixed_targets`). Bad paths raise a UsageError at
    once (before anything is read or sent), not when the stream reaches them.
    """
    checked = check_inputs(inputs)
    return _iter_checked(checked, warn, jobs, tuple(fixed_targets), model=model)


def _iter_checked(checked: list[tuple[str, str]], warn, jobs: int | None = None,
                  fixed_targets: tuple[str, ...] = (), lazy: bool = False,
                  model=None) -> Iterator[tuple[str, dict]]:
    """`lazy`: the tasks of a JSONL input come as `_Line`s, parsed only when needed."""
    from .convert import default_jobs, expand_inputs, iter_tasks
    from .io import read_jsonl

    for kind, item in checked:
        if kind == "tasks" and lazy:
            for n, line in enumerate(_read_lines(item), 1):
                yield f"{item}:{n}", line
        elif kind == "tasks":
            for n, task in enumerate(read_jsonl(item), 1):
                yield f"{item}:{n}", task
        else:  # what a directory cannot give is reported and skipped, as by `annotate convert`
            problems: list[tuple[str, str]] = []
            paths = expand_inputs([item], problems)
            n = min(default_jobs() if jobs is None else jobs, max(1, len(paths)))
            for task in iter_tasks(paths, warn=warn, problems=problems, jobs=n, fixed_targets=fixed_targets,
                                   model=model):
                yield (task.get("meta") or {}).get("source_file") or item, task


_TASK_HASH = re.compile(r'"task_hash"\s*:\s*"([0-9A-Za-z_.:+-]{1,200})"')
_DOC_ID = re.compile(r'"doc_id"\s*:\s*"([^"\\]*)"')


@dataclass
class _Line:
    """One non-blank line of a tasks JSONL input, parsed only when needed: a re-push skips
    tasks already in the project by their task_hash, found without parsing 20 KB of JSON."""

    path: str
    lineno: int
    text: str

    def task(self) -> dict:
        """The parsed task; the errors of `io.read_jsonl` (InputError naming file and line)."""
        from .io import parse_jsonl_line

        return parse_jsonl_line(self.path, self.lineno, self.text)

    def quick_keys(self) -> tuple[str, str | None] | None:
        """(task_hash, doc_id) read off the text when that is unambiguous: the line names the
        key "task_hash" once (a JSON key: quotes inside strings are escaped, so `"task_hash":`
        can only be a key) with a plain string value, and "doc_id" at most once, without
        escapes. None: parse the line to know."""
        text = self.text
        if text.count('"task_hash"') != 1 or text.count('"doc_id"') > 1:
            return None
        found = _TASK_HASH.search(text)
        if found is None:
            return None
        doc = None
        if '"doc_id"' in text:
            match = _DOC_ID.search(text)
            if match is None:
                return None
            doc = match.group(1)
        return found.group(1), doc


def _read_lines(path: str) -> Iterator[_Line]:
    """The non-blank lines of a tasks JSONL file (or stdin for "-"), as `io.read_jsonl` reads them."""
    from .io import read_lines

    for lineno, line in read_lines(path):
        yield _Line(str(path), lineno, line)


def check_inputs(inputs: Iterable[str]) -> list[tuple[str, str]]:
    """("tasks" | "text", input) for each input; a UsageError before anything is read or sent."""
    checked = []
    for item in inputs:
        path = Path(item)
        if item == "-" or (path.suffix.lower() in TASK_SUFFIXES and path.is_file()):
            checked.append(("tasks", item))
        elif path.is_dir() or (path.is_file() and path.suffix.lower() in TEXT_SUFFIXES):
            checked.append(("text", item))
        elif path.exists():
            raise UsageError(f"{item}: expected a tasks .jsonl file, a .txt file or a directory")
        else:
            raise UsageError(f"no such file or directory: {item}")
    if not checked:
        raise UsageError("no input given (pass tasks .jsonl files, .txt files, directories, or - for stdin)")
    return checked


# --- the push ------------------------------------------------------------------------------


@dataclass
class _Pending:
    """A validated task waiting in a batch: what the index needs, and the JSON to send."""

    doc_id: str | None
    text_sha256: str
    body: bytes


class _Importer:
    """Imports batches one POST at a time on a worker thread, so validating the next batch
    overlaps the server's work on this one. At most one batch is in flight."""

    def __init__(self, client, project_id: int | None, dry_run: bool, stats: PushStats,
                 by_doc: dict[str, tuple[int, str | None, int]]):
        from concurrent.futures import ThreadPoolExecutor

        self.client, self.project_id, self.dry_run, self.stats, self.by_doc = client, project_id, dry_run, stats, by_doc
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="annotate-import")
        self.in_flight = None  # (future, batch)
        self.in_flight_docs: set[str] = set()
        self.imported_ids: set[int] = set()  # task ids this push created
        self.imported_batches: list[list[int]] = []

    def submit(self, batch: list[_Pending]) -> None:
        self.drain()
        if self.dry_run:
            self._record(batch, [-1] * len(batch))
            return
        bodies = [t.body for t in batch]
        self.in_flight = (self.pool.submit(studio.import_task_json, self.client, self.project_id, bodies), batch)
        self.in_flight_docs = {t.doc_id for t in batch if t.doc_id}

    def drain(self) -> None:
        """Wait for the batch in flight (re-raising its error) and record its new task ids."""
        if self.in_flight is None:
            return
        future, batch = self.in_flight
        ids = future.result()  # an interrupt while waiting leaves it in flight, for settle()
        self.in_flight, self.in_flight_docs = None, set()
        self._record(batch, ids)

    def settle(self) -> None:
        """After an interrupt: wait for the POST in flight and record it if it went in."""
        if self.in_flight is None:
            return
        future, batch = self.in_flight
        self.in_flight, self.in_flight_docs = None, set()
        try:
            ids = future.result()
        except Exception:  # the interrupt is what gets reported; a re-run redoes this batch
            return
        self._record(batch, ids)

    def _record(self, batch: list[_Pending], ids: list[int]) -> None:
        for task_id, task in zip(ids, batch, strict=True):
            if task.doc_id:
                self.by_doc[task.doc_id] = (task_id, task.text_sha256, 0)
        if not self.dry_run:
            self.imported_ids.update(ids)
            self.imported_batches.append(ids)
        self.stats.created += len(batch)

    def close(self) -> None:
        # On an interrupt too: let the POST in flight finish, so its tasks are skipped next time.
        self.pool.shutdown(wait=True)


@dataclass
class _Index:
    """What the project holds, as push needs it: hashes, the oldest task of each doc_id, and the
    task hashes / doc_ids held by several tasks (a concurrent or killed push's duplicates)."""

    hashes: set[str] = field(default_factory=set)
    by_doc: dict[str, tuple[int, str | None, int]] = field(default_factory=dict)  # doc_id -> (id, text sha, annotations)
    doubled: set[str] = field(default_factory=set)  # task hashes and doc_ids held more than once
    size: int = 0  # tasks in the project when it was read

    @classmethod
    def read(cls, client, project_id: int | None) -> _Index:
        index = cls()
        if project_id is None:
            return index
        for ref in studio.iter_task_index(client, project_id):
            index.size += 1
            if ref.task_hash:
                if ref.task_hash in index.hashes:
                    index.doubled.add(ref.task_hash)
                index.hashes.add(ref.task_hash)
            if ref.doc_id:
                known = index.by_doc.get(ref.doc_id)
                if known:
                    index.doubled.add(ref.doc_id)
                if not known or ref.id < known[0]:  # the oldest copy is the one that stays
                    index.by_doc[ref.doc_id] = (ref.id, ref.text_sha256, ref.annotations)
        return index


def push_tasks(client, project_id: int | None, tasks: Iterable[tuple[str, dict]], *,
               batch_size: int = DEFAULT_BATCH_SIZE, dry_run: bool = False,
               stats: PushStats | None = None,
               progress: Callable[[int], None] | None = None,
               verdicts: dict[str, list[str]] | None = None) -> PushStats:
    """Validate and import (where, task) pairs into an existing project; see the module docstring.

    A task whose task_hash is already in the project is skipped before anything else; every
    other task is validated, then imported (new doc_id) or updated in place (known doc_id).
    Then duplicates a concurrent push made of this input's tasks are removed.
    `project_id=None` (dry run into a project that does not exist yet) treats the project as
    empty. `progress(n)` is called with the number of input tasks handled since the last call.
    `verdicts` (task_hash -> problems), shared between pushes of one input into several
    projects (`push --annotators`), validates each task once.
    Ctrl-C raises `PushInterrupted` once the batch in flight is in.
    """
    if batch_size < 1:
        raise UsageError("--batch-size must be at least 1")
    stats = stats or PushStats(project_id=project_id, dry_run=dry_run)
    try:
        index = _Index.read(client, project_id)
    except KeyboardInterrupt:
        raise PushInterrupted(stats) from None
    hashes, by_doc = index.hashes, index.by_doc
    keys: set[str] = set()  # the task hashes and doc_ids of this input, for the clean-up

    importer = _Importer(client, project_id, dry_run, stats, by_doc)
    updater = _Updater(client, project_id, dry_run, stats, by_doc, min(batch_size, UPDATE_BATCH_SIZE))
    batch: list[_Pending] = []
    batch_docs: set[str] = set()
    try:
        for where, task in tasks:
            if progress:
                progress(1)
            line = task if isinstance(task, _Line) else None
            if line is not None:
                quick = line.quick_keys()
                if quick is not None and quick[0] in hashes:
                    stats.skipped += 1  # as below, without parsing the line
                    keys.update(k for k in quick if k)
                    continue
                task = line.task()
            given = (task.get("meta") or {}).get("task_hash") if isinstance(task, dict) else None
            if given and given in hashes:
                stats.skipped += 1  # already pushed, so validated then: nothing to check or send
                keys.add(given)
                doc = (task.get("data") or {}).get("doc_id") if isinstance(task.get("data"), dict) else None
                if isinstance(doc, str) and doc:
                    keys.add(doc)
                continue
            if verdicts is not None and given and given in verdicts:
                problems = verdicts[given]
            else:
                problems = validate_task(task)
                if verdicts is not None and given:
                    verdicts[given] = problems
            if problems:
                stats.invalid += 1
                more = f" (+{len(problems) - 3} more)" if len(problems) > 3 else ""
                stats.note(f"invalid task {where}: " + "; ".join(problems[:3]) + more)
                continue
            meta = task.setdefault("meta", {})
            as_read = line is not None and bool(meta.get("task_hash") and meta.get("text_sha256"))
            if not meta.get("task_hash"):
                meta["task_hash"] = compute_task_hash(task)
            if not meta.get("text_sha256"):
                meta["text_sha256"] = sha256_text(task["data"]["text"])
            keys.add(meta["task_hash"])
            doc_id = task["data"].get("doc_id")
            if doc_id:
                keys.add(doc_id)
            if meta["task_hash"] in hashes:
                stats.skipped += 1
                continue
            hashes.add(meta["task_hash"])
            if doc_id in batch_docs:  # the same document twice in one run: the later one updates
                importer.submit(batch)
                batch, batch_docs = [], set()
            if doc_id and doc_id in importer.in_flight_docs:
                importer.drain()
            if doc_id and doc_id in updater.docs:  # the same document twice: its first update goes first
                updater.flush()
            if doc_id and doc_id in by_doc:
                updater.add(task, where)
                continue
            # The line itself when push changed nothing in the task: no re-encoding.
            body = line.text.strip().encode("utf-8") if as_read else json.dumps(
                task, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
            batch.append(_Pending(doc_id or None, meta["text_sha256"], body))
            if doc_id:
                batch_docs.add(doc_id)
            if len(batch) >= batch_size:
                importer.submit(batch)
                batch, batch_docs = [], set()
        if batch:
            importer.submit(batch)
        updater.flush()
        importer.drain()
        if not dry_run and project_id is not None and (
                index.doubled & keys or _others_wrote(client, project_id, index.size, importer.imported_batches)):
            remove_duplicates(client, project_id, keys, importer.imported_ids, stats)
    except KeyboardInterrupt:
        importer.settle()
        raise PushInterrupted(stats) from None
    finally:
        importer.close()
    return stats


def _others_wrote(client, project_id: int, size_before: int, batches: list[list[int]]) -> bool:
    """Whether anyone else may have imported or deleted tasks since we read the index (then the
    clean-up must re-read it). Two cheap counts instead of that re-read: the project holds
    exactly what it held plus what we imported, and every task we imported is still there.
    Only when each batch got consecutive ids (so an id range holds nothing but ours)."""
    if not batches:
        return False
    ranges: list[tuple[int, int]] = []
    for ids in sorted((b for b in batches if b), key=min):
        lo, hi = min(ids), max(ids)
        if hi - lo + 1 != len(ids):
            return True  # interleaved with another writer's ids
        if ranges and ranges[-1][1] + 1 == lo:
            ranges[-1] = (ranges[-1][0], hi)
        else:
            ranges.append((lo, hi))
    if len(ranges) > 50:  # a long filter: just re-read
        return True
    ours = sum(len(b) for b in batches)
    return (studio.count_tasks(client, project_id) != size_before + ours
            or studio.count_tasks(client, project_id, ranges) != ours)


def remove_duplicates(client, project_id: int, keys: set[str], imported_ids: set[int], stats: PushStats) -> None:
    """Leave each task_hash and doc_id in `keys` in the project once: the oldest task stays.

    Re-reads the project's index; every task that has an older task with the same task_hash
    or doc_id (one in `keys`) is deleted, in one request, unless it has annotations (then it
    is kept and reported as a conflict). Two pushers doing this at once pick the same tasks;
    deleting one that is already gone is fine. Our own imports (`imported_ids`) that are gone
    count as removed duplicates, not as created.
    """
    refs = sorted(studio.iter_task_index(client, project_id), key=lambda r: r.id)
    oldest: dict[str, int] = {}
    younger: list[tuple[studio.TaskRef, int]] = []  # (duplicate, the task it duplicates)
    for ref in refs:
        mine = [k for k in (ref.task_hash, ref.doc_id) if k and k in keys]
        older = next((oldest[k] for k in mine if k in oldest), None)
        if older is None:
            oldest.update(dict.fromkeys(mine, ref.id))
        else:
            younger.append((ref, older))
    annotated = studio.annotated_tasks(client, project_id, [ref.id for ref, _ in younger]) if younger else set()
    doomed = [ref.id for ref, _ in younger if ref.id not in annotated]
    kept = [(ref, older) for ref, older in younger if ref.id in annotated]
    if studio.delete_unannotated_tasks(client, project_id, doomed) < len(doomed):
        # Some were gone already (the concurrent push deleted them) or were annotated meanwhile.
        still = {r.id: r for r in studio.iter_task_index(client, project_id)}
        kept += [(still[i], older) for (ref, older) in younger if (i := ref.id) in still and i in doomed]
        doomed = [i for i in doomed if i not in still]
    for ref, older in kept:
        stats.conflicts += 1
        stats.note(f"conflict: task {ref.id} (doc_id {ref.doc_id!r}) duplicates task {older} but has "
                   "annotations; both kept (move the annotations to one, then delete the other)")
    present = {r.id for r in refs} - set(doomed)
    ours_gone = len(imported_ids - present)
    stats.created -= ours_gone
    stats.duplicates_removed += len(doomed) + len(imported_ids - {r.id for r in refs})


class _Updater:
    """Known doc_ids with a new task_hash, updated in place a batch at a time
    (`studio.replace_tasks`), or reported as conflicts."""

    def __init__(self, client, project_id: int | None, dry_run: bool, stats: PushStats,
                 by_doc: dict[str, tuple[int, str | None, int]], size: int):
        self.client, self.project_id, self.dry_run, self.stats, self.by_doc = client, project_id, dry_run, stats, by_doc
        self.size = size
        self.pending: list[tuple[str, dict]] = []  # (where, task)
        self.docs: set[str] = set()

    def add(self, task: dict, where: str) -> None:
        self.pending.append((where, task))
        self.docs.add(task["data"]["doc_id"])
        if len(self.pending) >= self.size:
            self.flush()

    def flush(self) -> None:
        pending, self.pending, self.docs = self.pending, [], set()
        if not pending:
            return
        client, project_id, stats = self.client, self.project_id, self.stats
        online = client is not None and project_id is not None
        # The index's annotation counter can read 0 on an annotated task: for a changed text,
        # ask for the annotations (one request for the batch).
        moved = [self.by_doc[t["data"]["doc_id"]] for _, t in pending
                 if self.by_doc[t["data"]["doc_id"]][1] != t["meta"]["text_sha256"]]
        ask = [task_id for task_id, _sha, annotations in moved if not annotations]
        annotated = studio.annotated_tasks(client, project_id, ask) if ask and online else set()
        todo: list[tuple[int, dict]] = []
        for where, task in pending:
            meta, doc_id = task["meta"], task["data"]["doc_id"]
            task_id, old_sha, annotations = self.by_doc[doc_id]
            if old_sha != meta["text_sha256"] and (annotations or task_id in annotated):
                stats.conflicts += 1
                stats.note(f"conflict {where}: doc_id {doc_id!r} (task {task_id}) has annotations "
                           "on a different text; left untouched (push it to a new project, or delete the task)")
                continue
            todo.append((task_id, task))
        if self.dry_run or not online:
            stats.updated += len(todo)
        else:
            def done(_task_id: int) -> None:
                stats.updated += 1

            studio.replace_tasks(client, project_id, todo, done=done)
        for task_id, task in todo:
            doc_id = task["data"]["doc_id"]
            self.by_doc[doc_id] = (task_id, task["meta"]["text_sha256"], self.by_doc[doc_id][2])


def push(url: str, api_key: str | None, inputs: Iterable[str], project: str, *,
         batch_size: int = DEFAULT_BATCH_SIZE, dry_run: bool = False,
         warn: Callable[[str], None] | None = None,
         progress: Callable[[int], None] | None = None,
         jobs: int | None = None, fixed_targets: Iterable[str] = (), model=None):
    """Connect, find or create the project, and push the inputs: the whole `annotate push`.

    With `dry_run`, nothing is written: the project is only looked up (a missing one is
    reported as "new project") and the counts say what a real push would do. A dry run that
    cannot reach the server still validates every task and says what it cannot know.

    A title that has blind-annotation projects ("<project> · <email>") is refused: pushing to
    `T` alone would leave the annotators without the tasks; `familypush.push_family` pushes
    to every annotator's project (`annotate push --annotators`).

    Articles (.txt, directories) are converted on the fly with `jobs` processes (default: one
    per core), `fixed_targets` and `model` (a learned quote model, `learn.load_model`; as
    `annotate convert --model`). A project that this push brings within 10% of
    PROJECT_TASK_LIMIT tasks, or past it, is told to `warn` with what to do.
    """
    if not project or not str(project).strip():
        raise UsageError("--project is required (a project title or numeric id)")
    if batch_size < 1:
        raise UsageError("--batch-size must be at least 1")
    tasks = _iter_checked(check_inputs(inputs), warn, jobs, tuple(fixed_targets), lazy=True, model=model)
    stats = PushStats(dry_run=dry_run, project_title=str(project))
    try:
        return _push(url, api_key, tasks, project, stats, batch_size, dry_run, progress, warn)
    except PushInterrupted:
        raise
    except KeyboardInterrupt:  # while connecting or finding/creating the project
        raise PushInterrupted(stats) from None


def _push(url, api_key, tasks, project, stats: PushStats, batch_size: int, dry_run: bool, progress,
          warn: Callable[[str], None] | None = None) -> PushStats:
    try:
        client = studio.connect(url, api_key)
    except ConnectionFailed as exc:
        if not dry_run:
            raise
        # A dry run can still validate every task; what already exists stays unknown.
        stats.offline = str(exc)
        return push_tasks(None, None, tasks, batch_size=batch_size, dry_run=True, stats=stats, progress=progress)
    _refuse_family(client, project)
    if dry_run:
        try:
            found = studio.find_project(client, project)
        except ProjectError:
            if str(project).strip().isdigit():
                raise
            found = None
        if found is not None:
            problems = studio.config_problems(found.label_config or "", _our_config())
            if problems and (found.task_number or 0):
                raise ProjectError(
                    f"project {found.id} ({found.title!r}) has an incompatible labeling config: " + "; ".join(problems))
            stats.project_id, stats.project_title = found.id, found.title
    else:
        found, created = studio.ensure_project(client, project)
        stats.project_id, stats.project_title, stats.project_created = found.id, found.title, created
    before = (found.task_number or 0) if found is not None else 0
    warned = _warn_size(before, stats, warn, before=True)
    stats = push_tasks(client, stats.project_id, tasks, batch_size=batch_size, dry_run=dry_run,
                       stats=stats, progress=progress)
    if not warned:
        _warn_size(before + stats.created, stats, warn, before=False)
    return stats


def _warn_size(count: int, stats: PushStats, warn: Callable[[str], None] | None, before: bool) -> bool:
    """Tell `warn` when the project holds (before the push: within 10% of) or will hold more
    than PROJECT_TASK_LIMIT tasks, and what to do; True when it did."""
    limit = PROJECT_TASK_LIMIT
    if warn is None or count < (0.9 * limit if before else limit):
        return False
    where = f"project {stats.project_id} ({stats.project_title!r})"
    holds = f"already holds {count:,}" if before else f"{'would hold' if stats.dry_run else 'now holds'} {count:,}"
    warn(f"{where} {holds} tasks; Label Studio recommends about {limit:,} per project at most "
         "(and PostgreSQL past tens of thousands): push further articles into a new project, "
         "e.g. one per month or source (see README, Scaling up)")
    return True


def _refuse_family(client, project) -> None:
    """A plain push to a title that has annotators' projects ("T · a@x.org") is a UsageError."""
    from .family import SEP, find_family

    key = str(project).strip()
    if key.isdigit():
        return
    family = find_family(client, key)
    if family:
        emails = ",".join(family.members)
        raise UsageError(
            f"{key!r} is a blind-annotation family ({len(family.members)} annotator projects '{key}{SEP}<email>'): "
            f"push with --annotators {emails} to add the tasks to every annotator's project")


def _our_config() -> str:
    from .labeling import labeling_config

    return labeling_config()


def count_input_tasks(inputs: Iterable[str]) -> int | None:
    """How many tasks the inputs hold (for a progress bar), or None when it cannot be known (stdin)."""
    from .convert import expand_inputs

    total = 0
    for kind, item in check_inputs(inputs):
        if item == "-":
            return None
        if kind == "text":
            total += len(expand_inputs([item]))
        else:
            with open(item, "rb") as fh:
                total += sum(1 for line in fh if line.strip())
    return total
