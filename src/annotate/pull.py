"""`annotate pull` and `annotate validate`: Label Studio export -> validated gold dataset.

- `annotations.read_export(path)` streams the items of a Label Studio export file (a JSON
  array, as Label Studio writes it, or JSONL); unreadable parts become error items.
- `process_task(task)` turns one task into an Outcome: a gold record, a reject with every
  error, or a skipped/unannotated task.
- `pull(...)` runs that over a project (through annotate.studio) or an export file and writes
  the dataset with gold.DatasetWriter. `validate_file(path)` checks a gold.jsonl or an export.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .annotations import Item, open_source, read_export, without_member_ground_truth
from .dataset import DEFAULT_SPLIT, Counts, DatasetWriter, assign_split, check_output, parse_split
from .errors import InputError, Interrupted, UsageError, ValidationFailed
from .family import FAMILY_KEY
from .gold import Selection, build_record, choose_annotation, has_disagreement, record_id
from .labeling import is_int
from .redact import printable
from .validate import (
    FATAL_CODES,
    Error,
    check_record_result,
    json_min_hint,
    record_field_errors,
    validate_record,
    validate_task,
)

# --- one task ----------------------------------------------------------------------------------


@dataclass
class Outcome:
    """What became of one task: status 'gold', 'rejected', 'cancelled' or 'unannotated'."""

    status: str
    id: str
    record: dict | None = None
    errors: list[Error] = field(default_factory=list)
    task_id: int | None = None
    annotation_id: int | None = None
    disagreement: bool = False

    def reject_line(self, where: str | None = None) -> dict:
        """The rejects.jsonl entry: record id, task/annotation ids, every error."""
        line = {"id": self.id, "task": self.task_id, "annotation": self.annotation_id,
                "errors": [e.as_dict() for e in self.errors]}
        if where:
            line["input"] = where
        return line


def process_task(task, *, users: dict | None = None, where: str = "unknown") -> Outcome:
    """Validate one Label Studio task, choose its annotation, build and validate the record.

    `where` names the task in errors when it is not even an object (e.g. "line:3").
    """
    errors = validate_task(task)
    rid = record_id(task) if isinstance(task, dict) else where
    task_id = task.get("id") if isinstance(task, dict) and isinstance(task.get("id"), int) else None
    if any(e.code in FATAL_CODES for e in errors):
        return Outcome("rejected", rid, errors=errors, task_id=task_id)
    # in a blind-annotation family only the review project's stars count (annotations.py)
    task = without_member_ground_truth(task)
    selection: Selection = choose_annotation(task)
    if selection.annotation is None:
        # Nothing to build: shape problems of a skipped task do not matter.
        return Outcome(selection.status, rid, task_id=task_id)
    annotation = selection.annotation
    position = next(i for i, a in enumerate(task["annotations"]) if a is annotation)
    ann_id = annotation.get("id") if isinstance(annotation.get("id"), int) else None
    if FAMILY_KEY in task:  # a blind-annotation family's joined task: provenance is the annotation's own
        task = {**task, "id": annotation.get("task"), "project": annotation.get("project")}
        task_id = task["id"] if isinstance(task["id"], int) else task_id
    errors += record_field_errors(task, annotation, selection.submitted)
    record = build_record(task, annotation, users=users, selection=selection)
    # The one checker, as push and the backend use it on predictions; then the record's own checks.
    found = check_record_result(annotation.get("result") or [], record, path=f"/annotations/{position}/result")
    errors += _other_annotations_hint(found, task, annotation) if found else found
    meta = task.get("meta") if isinstance(task.get("meta"), dict) else {}
    expected = meta.get("text_sha256") if isinstance(meta.get("text_sha256"), str) else None
    errors += validate_record(record, expected_text_sha256=expected, result_checked=True)
    disagreement = has_disagreement(selection)
    status = "rejected" if errors else "gold"
    return Outcome(status, rid, record, errors, task_id, ann_id, disagreement)


def _other_annotations_hint(errors: list[Error], task: dict, annotation: dict) -> list[Error]:
    """A dangling relation whose missing end is a region of another annotation of the task (a
    script that joined two annotators' results, a copy and paste) says whose region it is."""
    if not any(e.code == "dangling_relation" for e in errors):
        return errors
    result = annotation.get("result") or []
    own = {item.get("id") for item in result
           if isinstance(item, dict) and item.get("type") == "labels" and isinstance(item.get("id"), str)}
    owners: dict[str, str] = {}
    for k, other in enumerate(task.get("annotations") or ()):
        if other is annotation or not isinstance(other, dict) or not isinstance(other.get("result"), list):
            continue
        name = f"annotation {other['id']}" if is_int(other.get("id")) else f"annotation #{k + 1}"
        for item in other["result"]:
            if isinstance(item, dict) and item.get("type") == "labels" and isinstance(item.get("id"), str):
                owners.setdefault(item["id"], name)
    out = []
    for e in errors:
        index = e.path.rsplit("/", 1)[-1]
        if e.code == "dangling_relation" and index.isdigit() and int(index) < len(result):
            item = result[int(index)]
            ends = [item.get(k) for k in ("from_id", "to_id")] if isinstance(item, dict) else []
            elsewhere = [rid for rid in ends if isinstance(rid, str) and rid not in own and rid in owners]
            if elsewhere:
                e = Error(e.code, e.path, f"{e.message} ({elsewhere[0]!r} is a region of {owners[elsewhere[0]]} "
                                          "of this task: a relation cannot join regions of two annotations)")
        out.append(e)
    return out


# --- pull -------------------------------------------------------------------------------------


@dataclass
class PullSummary:
    """What a pull did: the dataset's counts, where it went, the manifest."""

    counts: Counts
    output: Path | None
    manifest: dict | None = None
    dry_run: bool = False
    empty_splits: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        c = self.counts
        out = [f"tasks {c.tasks}: gold {c.gold}, rejected {c.rejected}, skipped/cancelled {c.cancelled}, "
               f"unannotated {c.unannotated}, disagreements {c.disagreements}"]
        for code, n in sorted(c.rejected_by_code.items()):
            out.append(f"  rejected {code}: {n}")
        if self.empty_splits and c.gold:
            names = ", ".join(self.empty_splits)
            out.append(f"warning: split {names} {'is' if len(self.empty_splits) == 1 else 'are'} empty "
                       f"({c.gold} gold record{'s' if c.gold != 1 else ''}; a trainer scores 0 on an empty "
                       "dev/test set: pull more annotations or change --split)")
        if self.dry_run:
            out.append("dry run: nothing written")
        elif self.output is not None:
            out.append(f"dataset: {self.output}")
        return out


class _DryWriter:
    """DatasetWriter's counting half, for --dry-run."""

    def __init__(self, seed: int, ratios: tuple):
        self.counts = Counts()
        self._split = lambda rec: assign_split(rec, seed, ratios)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return None

    def add_gold(self, record: dict) -> str:
        split = self._split(record)
        self.counts.add_gold(record, split)
        return split

    def add_reject(self, reject: dict, errors: list) -> None:
        self.counts.add_reject(errors)


def export_items(tasks: Iterable) -> Iterator[Item]:
    """Tasks already in memory (from the server) as Items."""
    for i, task in enumerate(tasks, 1):
        yield Item(f"item:{i}", task)


def build_dataset(items: Iterable[Item], output: str | Path | None, *, source: dict,
                  seed: int = 0, split=DEFAULT_SPLIT, on_error: str = "skip",
                  users: dict | None = None, dry_run: bool = False,
                  created_at: str | None = None, formats: tuple = ()) -> PullSummary:
    """Process every item and write the dataset (the offline core of `pull`).

    on_error='fail' raises ValidationFailed at the first rejected task and writes nothing.
    """
    if on_error not in ("skip", "fail"):
        raise UsageError(f"--on-error must be skip or fail, got {on_error!r}")
    try:
        ratios = parse_split(split)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if not dry_run and output is None:
        raise UsageError("an output directory is required (-o DIR)")
    writer = _DryWriter(seed, ratios) if dry_run else DatasetWriter(output, seed=seed, ratios=ratios)
    seen: dict[str, tuple] = {}  # record id -> (where it was first seen, its text_sha256)
    with writer:
        counts = writer.counts
        for item in items:
            if item.where == "file":  # the whole file is unusable: keep any dataset there was
                kept = f"; {output} is as it was before" if output and not dry_run else ""
                raise InputError(f"{item.errors[0].message} (not a Label Studio JSON export: nothing "
                                 f"written{kept})")
            if item.errors:
                outcome = Outcome("rejected", item.where, errors=item.errors)
            else:
                outcome = process_task(item.value, users=users, where=item.where)
            if outcome.status == "gold":
                _check_unique(outcome, seen, item.where)
            counts.tasks += 1
            counts.disagreements += outcome.disagreement
            if outcome.status == "gold":
                writer.add_gold(outcome.record)
            elif outcome.status == "rejected":
                if on_error == "fail":
                    first = outcome.errors[0]
                    raise ValidationFailed(printable(
                        f"{outcome.id} ({item.where}): {first.code} at {first.path or '/'}: {first.message}"
                        " (--on-error fail: nothing written)"), outcome.errors)
                writer.add_reject(outcome.reject_line(item.where), outcome.errors)
            elif outcome.status == "cancelled":
                counts.cancelled += 1
            else:
                counts.unannotated += 1
        if dry_run:
            return PullSummary(counts, None, dry_run=True)
        manifest = writer.commit(source, created_at=created_at, derive=_exporter(formats) if formats else None)
    return PullSummary(counts, writer.out, manifest, empty_splits=writer.empty_splits)


def _exporter(formats: tuple):
    """The training formats, written into the staged dataset (records were validated on the way in)."""
    from .exports import export_dataset

    def derive(staged: Path, final: Path) -> dict:
        report = export_dataset(staged, formats, staged, validate=False, final_out=final)
        return {k: v for k, v in report.to_dict().items() if k in ("splits", "formats")}

    return derive


def _check_unique(outcome: Outcome, seen: dict[str, tuple], where: str) -> None:
    """A second gold record with the same id is rejected (duplicate_record), saying whether it
    is the same document again (two exports joined) or another text under a taken doc_id."""
    digest = outcome.record.get("text_sha256") if outcome.record else None
    if outcome.id in seen:
        first, first_digest = seen[outcome.id]
        if digest == first_digest:
            why = "the same text: the document is in the export twice (two exports joined?)"
        else:
            why = "a different text: two documents share this doc_id"
        outcome.status = "rejected"
        outcome.errors = [Error("duplicate_record", "/id",
                                f"record id {outcome.id!r} was already exported from {first}, with {why}")]
    else:
        seen[outcome.id] = (where, digest)


def pull(project: str | int | None, output: str | Path | None, *, from_file: str | Path | None = None,
         url: str | None = None, api_key: str | None = None, seed: int = 0, split=DEFAULT_SPLIT,
         on_error: str = "skip", dry_run: bool = False,
         progress: Callable[[str], None] | None = None, formats=(), via: str | None = None) -> PullSummary:
    """Export a project (or read an export file), validate every task, write the gold dataset.

    With `from_file`, no server is contacted. Otherwise the project (title or id) is exported
    from Label Studio at `url` with `api_key` in full JSON with full prediction objects.
    Raises ConnectionFailed (exit 3), UsageError (2), ValidationFailed with on_error='fail' (1).
    The returned summary's counts.rejected > 0 means some tasks went to rejects.jsonl.
    `formats` (spacy, hf, bio, brat, all) are written beside gold.jsonl, inside the same
    atomic swap, and their loss report goes into manifest.json under "exports".
    `via` says how a project is read: "snapshot" (a Label Studio export snapshot, the default)
    or "tasks" (its task list); both give the same dataset (see studio.download_export).
    """
    from .studio import check_via, reading_via

    try:
        with reading_via(None if via is None else check_via(via)):
            return _pull(project, output, from_file=from_file, url=url, api_key=api_key, seed=seed,
                         split=split, on_error=on_error, dry_run=dry_run, progress=progress, formats=formats)
    except KeyboardInterrupt as exc:
        if isinstance(exc, Interrupted):
            raise
        where = f"; {output} is as it was before" if output and not dry_run else ""
        raise Interrupted(f"pull stopped, nothing was written{where}; re-running pulls again") from None


def _pull(project, output, *, from_file, url, api_key, seed, split, on_error, dry_run, progress,
          formats) -> PullSummary:
    formats = _check_formats(formats)
    if not dry_run and output is not None:
        check_output(output)  # before the server is asked for an export, which may take minutes
    # A project's export goes to a temporary file and is streamed from there (Label Studio
    # writes it in task-id order), so memory stays flat however large the project is.
    with open_source(project, from_file, url, api_key, progress=_throttled(progress),
                     users_warn=progress or (lambda _m: None)) as source:
        for project in source.projects:  # one project, or every project of a family
            from . import studio
            from .labeling import labeling_config

            problems = studio.config_problems(project.label_config or "", labeling_config())
            if problems and progress:
                progress(f"warning: project {project.id}'s labeling config differs from annotate's "
                         f"({'; '.join(problems)}): its annotations may be rejected")
        return build_dataset(read_export(source.path), output, source=source.info, seed=seed, split=split,
                             on_error=on_error, users=source.users or None, dry_run=dry_run, formats=formats)


def _check_formats(formats) -> tuple:
    """Parse --format values and fail early (before any server call) on a missing extra."""
    if not formats:
        return ()
    from .exports import parse_formats, require_extras

    parsed = tuple(parse_formats(formats if isinstance(formats, str) else ",".join(formats)))
    require_extras(parsed)
    return parsed


def _throttled(progress: Callable[[str], None] | None, every: float = 2.0):
    """Pass progress lines on, but a run of similar lines ("downloaded 3.0 MB") every few seconds."""
    if progress is None:
        return None
    import time

    last = {"word": None, "at": 0.0}

    def say(message: str) -> None:
        word, now = message.split(" ", 1)[0], time.monotonic()
        if word != last["word"] or now - last["at"] >= every:
            progress(message)
            last.update(word=word, at=now)

    return say


# --- validate ---------------------------------------------------------------------------------


@dataclass
class ValidationReport:
    """What `annotate validate` found in one file."""

    items: int = 0
    valid: int = 0
    invalid: int = 0
    skipped: int = 0  # tasks with no submitted annotation (nothing to validate)
    by_code: Counter = field(default_factory=Counter)
    problems: list[tuple[str, Error]] = field(default_factory=list)  # (item id, error)

    def lines(self, limit: int = 20) -> list[str]:
        """The report for a terminal: ids and messages quote the file, so controls are escaped."""
        out = [printable(f"{item}: {e.code} at {e.path or '/'}: {e.message}") for item, e in self.problems[:limit]]
        if len(self.problems) > limit:
            out.append(f"... {len(self.problems) - limit} more errors")
        out.append(f"{self.items} items: {self.valid} valid, {self.invalid} invalid, {self.skipped} without annotation")
        out += [f"  {code}: {n}" for code, n in sorted(self.by_code.items())]
        return out


def _record_key(value) -> str | None:
    """The id a task or record will have in gold.jsonl (None for anything else)."""
    if isinstance(value, dict) and "data" in value:
        return record_id(value)
    if isinstance(value, dict) and isinstance(value.get("id"), str):
        return value["id"]
    return None


def validate_file(path: str | Path) -> ValidationReport:
    """Validate a gold.jsonl or a Label Studio export (array or JSONL), item by item."""
    report = ValidationReport()
    seen: dict[str, str] = {}
    for item in read_export(path):
        report.items += 1
        ident = item.where
        if item.errors:
            errors = item.errors
        elif isinstance(item.value, dict) and "data" in item.value:
            outcome = process_task(item.value, where=item.where)
            ident = f"{outcome.id} ({item.where})"
            if outcome.status in ("cancelled", "unannotated"):
                report.skipped += 1
                continue
            errors = outcome.errors
        elif isinstance(item.value, dict) and ("spans" in item.value or "provenance" in item.value):
            errors = validate_record(item.value)
            if isinstance(item.value.get("id"), str):
                ident = f"{item.value['id']} ({item.where})"
        elif isinstance(item.value, dict):
            errors = [Error("unknown_item", "", "neither a Label Studio task (data) nor a gold record (spans)"
                            + json_min_hint(item.value))]
        else:
            errors = [Error("not_an_object", "", f"expected a JSON object, got {type(item.value).__name__}")]
        record_key = _record_key(item.value)
        if not errors and record_key is not None:
            if record_key in seen:
                errors = [Error("duplicate_record", "/id", f"id {record_key!r} also at {seen[record_key]}")]
            else:
                seen[record_key] = item.where
        if errors:
            report.invalid += 1
            for code in {e.code for e in errors}:
                report.by_code[code] += 1
            report.problems += [(ident, e) for e in errors]
        else:
            report.valid += 1
    return report
