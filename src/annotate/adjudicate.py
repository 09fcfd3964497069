"""Adjudication inside Label Studio: settle agreed tasks, put disputed ones before a reviewer.

Over every task with two or more non-cancelled annotations:

- a task that already has a ground-truth annotation is `resolved` and left alone (so a
  re-run never marks twice, and the lead's own resolution wins);
- a task whose annotators fully agree (the same spans with the same labels and choices, the
  same relations; `agreement.canonical`) is `agreed`: its most recent annotation is marked
  ground truth (`annotations.update(id, ground_truth=True)`), which is what `pull` exports;
- every other task is `disputed`. With `requeue`, each annotator's version is copied onto the
  task as a prediction with model_version "<email> (annotator)", so the lead sees every version
  as a tab in the labeling UI, picks or merges one, submits it and marks it ground truth (the
  star). A version already there is not copied again; one whose annotator has since changed
  their annotation is updated in place.

Nothing is written unless `apply` is true: the default is a dry run that says what would be done.

A blind-annotation family (`push --annotators`, annotate.family) is adjudicated as one project
and written into its head project `T` (created with our labeling config if needed), where the
lead reviews: an article not there yet is imported (its data, meta and pre-annotations); an
agreed version is copied there as a ground-truth annotation under its annotator's name (so
agreement still sees one version per annotator), and the disputed versions always become
review predictions there (`--requeue` is implied: the annotators' own projects are theirs).
"""

from __future__ import annotations

import json
import sys
import tempfile
from array import array
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import chain, islice

from .agreement import canonical, distinct_names, table
from .annotations import (
    Problems,
    _recency,
    annotator_of,
    clean_tasks,
    iter_export,
    open_source,
    task_label,
    versions_of,
    without_member_ground_truth,
)
from .errors import InputError
from .family import head_task, importable
from .gold import REVIEW_SUFFIX, is_review_copy
from .redact import printable, terminal_json


class Spool:
    """A list of plan items kept in a temporary file, one JSON line each: a plan of 100,000
    tasks holds none of them in memory. Appended to while planning, read back (each time it
    is iterated, from its own file handle) to apply and to print; `edit()` lets a pass change
    the items."""

    def __init__(self, items: Iterable[dict] = ()):
        self._file = tempfile.NamedTemporaryFile("w", encoding="utf-8", prefix="annotate-plan-", suffix=".jsonl")
        self._len = 0
        for item in items:
            self.append(item)

    def append(self, item: dict) -> None:
        self._file.write(json.dumps(item, ensure_ascii=False, separators=(",", ":")) + "\n")
        self._len += 1

    def __len__(self) -> int:
        return self._len

    def __bool__(self) -> bool:
        return self._len > 0

    def __iter__(self) -> Iterator[dict]:
        self._file.flush()
        with open(self._file.name, encoding="utf-8") as fh:
            for line in fh:
                yield json.loads(line)

    def edit(self) -> Iterator[dict]:
        """Each item, in order; what the caller changed in an item is kept once it asks for
        the next one or stops (an item not reached, say after an error, is kept as it was)."""
        new, items, pending = Spool(), iter(self), None
        try:
            for pending in items:
                yield pending
                new.append(pending)
                pending = None
        finally:
            if pending is not None:
                new.append(pending)
            for item in items:
                new.append(item)
            items.close()
            self._file.close()
            self._file, self._len = new._file, new._len


def _edit(items: list[dict] | Spool) -> Iterator[dict]:
    """The items, to be changed in place: a list's own dicts, a Spool's `edit()`."""
    return items.edit() if isinstance(items, Spool) else iter(items)


@dataclass
class Plan:
    """What adjudication found (and, with `apply`, did). The item lists are lists, or Spools
    when planned with `spool=True`."""

    applied: bool = False
    requeue: bool = False
    compared: int = 0
    agreed: list[dict] | Spool = field(default_factory=list)
    resolved: list[dict] | Spool = field(default_factory=list)
    disputed: list[dict] | Spool = field(default_factory=list)
    problems: int = 0

    def as_dict(self) -> dict:
        review = {"created": 0, "updated": 0, "present": 0, "needed": 0}
        for d in self.disputed:
            for r in d["review"]:
                if r["action"] in review:
                    review[r["action"]] += 1
                review["needed"] += r["need"] != "present"
        return {
            "applied": self.applied, "requeue": self.requeue, "compared": self.compared,
            "counts": {
                "agreed": len(self.agreed), "resolved": len(self.resolved),
                "disputed": len(self.disputed),
                "marked_ground_truth": sum(a["marked"] for a in self.agreed),
                "review_created": review["created"],
                "review_updated": review["updated"],
                "review_present": review["present"],
                "review_needed": review["needed"],
            },
            "agreed": self.agreed, "resolved": self.resolved, "disputed": self.disputed,
            "problems": self.problems,
        }


def review_version(name: str) -> str:
    """The model_version under which an annotator's version is shown to the reviewer."""
    return f"{name}{REVIEW_SUFFIX}"


def plan_adjudication(tasks: Iterable, names: dict | None = None,
                      warn: Callable[[str], None] | Problems | None = None,
                      family_head: int | None | bool = False, keep_payload: bool = True,
                      spool: bool = False) -> Plan:
    """Sort the multi-annotated tasks into agreed, resolved and disputed (no writes).

    `family_head`: the tasks are a family's merged export (False: one project's); the id of
    the family's head project, or None when it does not exist yet. Each item then says which
    task of the head holds the article (`head_task`, None: to import).

    Each disputed task lists, per annotator, the review prediction it needs: `create` (none
    yet), `update` (there, but the annotation changed since) or `present`. Tasks are checked
    first (`annotations.clean_task`): what is broken is left out or ignored, `warn` is told
    (default: stderr) and `Plan.problems` counts it.

    `keep_payload`: the items carry what `apply_plan` writes (each annotator's result, the
    article to import): with many tasks that is every annotation of the export in memory.
    Without it, each item has `_at` (its place among the tasks) instead, and `apply_plan` /
    `apply_family_plan` given `reread` (`payload_reader`) read the payloads again from the
    export, a task at a time.

    `spool`: the item lists are Spools (temporary files) instead of lists, so the plan of any
    number of tasks takes no memory; with `keep_payload=False`, what `adjudicate` does.
    """
    problems = warn if isinstance(warn, Problems) else Problems(warn)
    before = problems.count
    plan = _plan(clean_tasks(tasks, problems), distinct_names(names), family_head, keep_payload, spool)
    if not isinstance(warn, Problems):
        problems.close()
    plan.problems = problems.count - before
    return plan


def _plan(tasks: Iterable[dict], names: dict | None, family_head: int | None | bool = False,
          keep_payload: bool = True, spool: bool = False) -> Plan:
    plan = Plan(agreed=Spool(), resolved=Spool(), disputed=Spool()) if spool else Plan()
    for at, task in enumerate(tasks):
        found = _plan_task(task, names, family_head, keep_payload, at)
        if found is not None:
            plan.compared += 1
            getattr(plan, found[0]).append(found[1])
    return plan


PAYLOADS = ("_import", "_copy")  # an item's payload keys (and "_result" in its review entries)


def _plan_task(task: dict, names: dict | None, family_head: int | None | bool, keep_payload: bool,
               at: int) -> tuple[str, dict] | None:
    """("agreed" | "resolved" | "disputed", item) for a task with two or more versions."""
    in_family = family_head is not False
    if in_family:  # an annotator's star in their own project is no review: only T's count
        task = without_member_ground_truth(task)
    versions = versions_of(task, names)
    if len(versions) < 2:
        return None
    # One string object per annotator name, not one per task: the plan lists every task.
    base = {"task_id": task.get("id"), "doc": task_label(task),
            "annotators": [sys.intern(v.annotator) for v in versions]}
    if in_family:
        base["head_task"] = head_task(task, family_head)
        if base["head_task"] is None and keep_payload:
            base["_import"] = importable(task)
    if not keep_payload:
        base["_at"] = at
    # Any ground truth on the task settles it, as it decides what `pull` exports: also one
    # that is not its annotator's latest annotation (a copy `--apply` put in T, then the
    # annotator re-submitted in their own project), so a re-run never adds a second one.
    truth = [a for a in task.get("annotations") or () if a.get("ground_truth") is True and not a.get("was_cancelled")]
    if truth:
        chosen = max(truth, key=_recency)
        return "resolved", {**base, "annotation_id": chosen.get("id"), "annotator": annotator_of(chosen, names)[1]}
    if len({canonical(v) for v in versions}) == 1:
        chosen = versions[-1]
        item = {**base, "annotation_id": chosen.annotation_id, "annotator": chosen.annotator, "marked": False}
        if keep_payload:
            item["_copy"] = {"result": chosen.result, "completed_by": chosen.user_id, "lead_time": chosen.lead_time}
        return "agreed", item
    existing = {}
    for p in task.get("predictions") or ():
        if isinstance(p, dict) and is_review_copy(p):
            existing[p["model_version"]] = p
    review = []
    for v in versions:
        mv = sys.intern(review_version(v.annotator))
        have = existing.get(mv)
        if have is None:
            need = "create"
        elif have.get("result") != v.result:
            need = "update"
        else:
            need = "present"
        review.append({"annotator": sys.intern(v.annotator), "annotation_id": v.annotation_id,
                       "model_version": mv, "need": need, "action": "none",
                       "prediction_id": have.get("id") if have else None})
        if keep_payload:
            review[-1]["_result"] = v.result
    return "disputed", {**base, "review": review}


def payload_reader(path, names: dict | None = None, family_head: int | None | bool = False):
    """A `reread` for `apply_plan` / `apply_family_plan`: each call streams the export file
    again and yields (place, item with payloads) for the tasks a plan made with
    `keep_payload=False` lists (problems were told when the plan was made: not again)."""
    names = distinct_names(names)  # as plan_adjudication names them

    def reread() -> Iterator[tuple[int, dict]]:
        quiet = Problems(lambda _msg: None)
        for at, task in enumerate(clean_tasks(iter_export(path, quiet), quiet)):
            found = _plan_task(task, names, family_head, True, at)
            if found is not None:
                yield at, found[1]
    return reread


def _with_payloads(items: Iterable[dict], reread: Callable[[], Iterator[tuple[int, dict]]] | None) -> Iterator[dict]:
    """The items, each with its payloads filled in from `reread` (without it they carry them
    already). `items` are in export order, as a plan lists them. The caller drops them again
    with `_drop_payloads` once written, so memory holds only the items in hand."""
    if reread is None:
        yield from items
        return
    fresh = reread()
    for item in items:
        full = next((found for at, found in fresh if at == item["_at"]), None)
        if full is None:
            raise InputError("the export changed while adjudicating; run it again")
        for key in PAYLOADS:
            if key in full:
                item[key] = full[key]
        for mine, theirs in zip(item.get("review", ()), full.get("review", ()), strict=False):
            if "_result" in theirs:
                mine["_result"] = theirs["_result"]
        yield item


def _drop_payloads(item: dict, reread) -> None:
    """Forget what `_with_payloads` filled in (a plan made with its payloads keeps them)."""
    if reread is None:
        return
    for key in PAYLOADS:
        item.pop(key, None)
    for r in item.get("review", ()):
        r.pop("_result", None)


def apply_plan(client, project_id: int, plan: Plan, requeue: bool = False,
               progress: Callable[[str], None] | None = None, mark: bool = True,
               reread: Callable[[], Iterator[tuple[int, dict]]] | None = None) -> Plan:
    """Mark agreed tasks ground truth (unless not `mark`) and, with `requeue`, copy disputed
    versions as predictions. `reread`: where the payloads of a plan made without them are
    (`payload_reader`)."""
    from .studio import api_errors

    say = progress or (lambda _msg: None)
    plan.applied, plan.requeue = True, requeue
    for item in _edit(plan.agreed) if mark else ():
        with api_errors(client, f"mark annotation {item['annotation_id']} as ground truth"):
            client.annotations.update(id=item["annotation_id"], ground_truth=True)
        item["marked"] = True
        say(printable(f"task {item['task_id']}: annotation {item['annotation_id']} marked ground truth"))
    if not requeue:
        return plan
    for task in _with_payloads(_edit(plan.disputed), reread):
        for r in task["review"]:
            if r["need"] == "create":
                with api_errors(client, f"add a review prediction to task {task['task_id']}"):
                    made = client.predictions.create(task=task["task_id"], result=r["_result"],
                                                     model_version=r["model_version"], project=project_id)
                r["prediction_id"], r["action"] = made.id, "created"
            elif r["need"] == "update":
                with api_errors(client, f"update review prediction {r['prediction_id']}"):
                    client.predictions.update(id=r["prediction_id"], result=r["_result"])
                r["action"] = "updated"
            else:
                r["action"] = "present"
        _drop_payloads(task, reread)
        say(printable(f"task {task['task_id']}: {len(task['review'])} versions ready for review"))
    return plan


def apply_family_plan(client, family, plan: Plan, progress: Callable[[str], None] | None = None,
                      reread: Callable[[], Iterator[tuple[int, dict]]] | None = None):
    """Write a family's plan into its head project `T` (created if needed; returns it): the
    articles it lacks are imported (one request a batch), each agreed version is copied there
    as ground truth under its annotator's name, and every disputed version becomes a review
    prediction on T's task. `reread`: as for `apply_plan`."""
    from . import studio
    from .push import DEFAULT_BATCH_SIZE

    say = progress or (lambda _msg: None)
    head, created = studio.ensure_project(client, family.title)
    if created:
        say(f"created project {head.id} ({head.title}) for the review")
    # The articles T lacks, imported a batch at a time; the new task ids (8 bytes each) are
    # written into the items afterwards, in the same order (a Spool's items are changed only
    # through edit(), one at a time).
    todo = chain(_with_payloads((item for item in plan.agreed if item.get("head_task") is None), reread),
                 _with_payloads((item for item in plan.disputed if item.get("head_task") is None), reread))
    new_ids = array("q")
    while batch := list(islice(todo, DEFAULT_BATCH_SIZE)):
        ids = studio.import_tasks(client, head.id, [item["_import"] for item in batch])
        for item, task_id in zip(batch, ids, strict=True):
            new_ids.append(task_id)
            _drop_payloads(item, reread)
        del batch
    if new_ids:
        placed = iter(new_ids)
        for items in (plan.agreed, plan.disputed):
            for item in _edit(items):
                if item.get("head_task") is None:
                    item["head_task"] = next(placed)
        say(f"imported {len(new_ids)} article(s) into project {head.id} ({head.title})")
    plan.applied, plan.requeue = True, True
    for item in _with_payloads(_edit(plan.agreed), reread):
        copy = item["_copy"]
        with studio.api_errors(client, f"add the agreed annotation to task {item['head_task']}"):
            made = client.annotations.create(
                id=item["head_task"], result=copy["result"], completed_by=copy["completed_by"],
                lead_time=copy["lead_time"], ground_truth=True, request_options=studio.NO_RETRY)
        item["marked"], item["ground_truth_id"] = True, made.id
        _drop_payloads(item, reread)
        say(printable(f"task {item['head_task']}: {item['annotator']}'s agreed version is the ground truth"))
    for task in _edit(plan.disputed):
        task["task_id"] = task["head_task"]
    apply_plan(client, head.id, plan, requeue=True, progress=progress, mark=False, reread=reread)
    return head


def adjudicate(project: str, url: str | None = None, api_key: str | None = None,
               apply: bool = False, requeue: bool = False,
               progress: Callable[[str], None] | None = None,
               warn: Callable[[str], None] | None = None, spool: bool = False) -> dict:
    """`annotate adjudicate` as a function: plan, and with `apply` write to Label Studio.
    `warn` receives one line per problem found in the export (default: stderr).

    The plan of a project is kept in temporary files while it is made and applied. With
    `spool`, the result's agreed/resolved/disputed are those files too (Spools, read each time
    they are iterated; print them with `iter_adjudication_json`), so memory stays flat however
    many tasks the project has; without it they are lists."""
    from . import studio

    problems = Problems(warn)
    with open_source(project, url=url, api_key=api_key, progress=progress) as source:
        client, proj, family = source.client, source.project, source.family
        head_id = False if family is None else (proj.id if proj is not None else None)
        # Without the payloads (every annotator's result): the plan of 100,000 tasks stays
        # small; applying it reads them again from the export, a task at a time.
        plan = plan_adjudication(iter_export(source.path, problems), source.users, warn=problems,
                                 family_head=head_id, keep_payload=False, spool=True)
        problems.close()
        plan.requeue = requeue or family is not None
        reread = payload_reader(source.path, source.users, head_id)
        if apply and family is not None:
            proj = apply_family_plan(client, family, plan, progress=progress, reread=reread)
        elif apply:
            apply_plan(client, proj.id, plan, requeue=requeue, progress=progress, reread=reread)
    base = studio.display_url(url or "")
    for items in (plan.agreed, plan.resolved, plan.disputed):
        for task in _edit(items):
            task.pop("_import", None)
            task.pop("_copy", None)
            task.pop("_at", None)
            for r in task.get("review", ()):
                r.pop("_result", None)
            if items is plan.disputed:
                where = task.get("head_task", task["task_id"]) if family is not None else task["task_id"]
                task["link"] = f"{base}/projects/{proj.id}/data?task={where}" if proj is not None and where else ""
    if not spool:
        plan.agreed, plan.resolved, plan.disputed = list(plan.agreed), list(plan.resolved), list(plan.disputed)
    out = plan.as_dict()
    out["project"] = {"id": proj.id if proj is not None else None,
                      "title": proj.title if proj is not None else family.title}
    if family is not None:
        out["family"] = [{"id": p.id, "title": p.title} for p in family.projects if p is not proj]
    return out


def iter_adjudication_json(result: dict) -> Iterator[str]:
    """`redact.terminal_json(result)` in pieces, an item of the agreed/resolved/disputed lists
    at a time: with `adjudicate`'s Spools, printing 100,000 tasks holds one in memory.
    The pieces joined are the same text, byte for byte."""
    def nested(value, depth: int) -> str:  # a value as json.dumps(indent=2) writes it at this depth
        return terminal_json(value).replace("\n", "\n" + "  " * depth)

    yield "{"
    for i, (key, value) in enumerate(result.items()):
        yield ("," if i else "") + "\n  " + nested(key, 1) + ": "
        if isinstance(value, Spool | list) and key in ("agreed", "resolved", "disputed"):
            if not value:
                yield "[]"
                continue
            for j, item in enumerate(value):
                yield ("[" if not j else ",") + "\n    " + nested(item, 2)
            yield "\n  ]"
        else:
            yield nested(value, 1)
    yield "\n}" if result else "}"


def format_adjudication(result: dict) -> str:
    """The adjudication result as terminal text (names from the export escaped with
    `redact.printable`)."""
    return printable(_format_adjudication(result))


def _format_adjudication(result: dict) -> str:
    c = result["counts"]
    verb = "" if result["applied"] else "Dry run (nothing written; --apply to write). "
    lines = [f"{verb}{result['compared']} tasks with two or more annotations: {c['agreed']} agreed, "
             f"{c['resolved']} already resolved (ground truth set), {c['disputed']} disputed."]
    if result["agreed"]:
        done = "marked" if result["applied"] else "would mark"
        lines.append(f"Agreed tasks: {done} {len(result['agreed'])} annotation(s) as ground truth.")
    if result["disputed"]:
        lines += ["", "Disputed tasks",
                  table(["doc", "task", "annotators", "review copies", "open in Label Studio"],
                        [[d["doc"], d["task_id"], ", ".join(d["annotators"]),
                          _review_summary(d["review"], result), d.get("link", "")]
                         for d in result["disputed"]])]
        if result["requeue"] and result["applied"]:
            lines.append(f"Review copies: {c['review_created']} created, {c['review_updated']} updated, "
                         f"{c['review_present']} already there. Open each task in Label Studio, "
                         "submit the right version and mark it ground truth (star).")
        elif not result["requeue"]:
            lines.append("Add --requeue to show each annotator's version to a reviewer in Label Studio.")
    return "\n".join(lines)


def _review_summary(review: list[dict], result: dict) -> str:
    if result["applied"] and result["requeue"]:
        return ", ".join(sorted({r["action"] for r in review}))
    needs = [r["need"] for r in review]
    todo = sum(n != "present" for n in needs)
    return f"{todo} to add/update" if todo else "all present"
