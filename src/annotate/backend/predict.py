"""Predictions for Label Studio tasks from the converter `convert` uses, on the text as stored."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable

from .. import converters
from ..converters import annotate_text

log = logging.getLogger("annotate.backend")

MODEL_CLASS = "AnnotateRules"
DEFAULT_MAX_TEXT = 200_000  # characters per task; longer texts get an empty prediction
DEFAULT_BUDGET = 60.0  # seconds of converter time per /predict request (Label Studio waits 100 s)


def model_version(model=None) -> str:
    """The version predictions are made with: a learned `model`'s (`annotate-learned-<hash>`),
    else the converter's, read at call time (it changes with the converter)."""
    return model.version if model is not None else converters.MODEL_VERSION


def empty_prediction(model=None) -> dict:
    """The prediction for a task we cannot pre-annotate: no regions, our model version."""
    return {"model_version": model_version(model), "score": 0.0, "result": []}


def task_text(task) -> str | None:
    """The task's `data.text` if it is a non-empty string, else None."""
    data = task.get("data") if isinstance(task, dict) else None
    text = data.get("text") if isinstance(data, dict) else None
    return text if isinstance(text, str) and text else None


def target_values(task) -> list[str]:
    """The `data.targets` values of a task ([] when missing, empty or malformed)."""
    data = task.get("data") if isinstance(task, dict) else None
    targets = data.get("targets") if isinstance(data, dict) else None
    if not isinstance(targets, list):
        return []
    return [t["value"] for t in targets if isinstance(t, dict) and isinstance(t.get("value"), str)]


def consistent(result: dict, text: str) -> bool:
    """A region result whose value.text is exactly text[start:end] (relations pass)."""
    value = result.get("value")
    if not isinstance(value, dict) or "start" not in value:
        return True
    start, end = value.get("start"), value.get("end")
    return (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)
            and value.get("text") == text[start:end])


def _without(result: list[dict], gone: set[str]) -> list[dict]:
    """The result without the regions `gone` (their labels and choices) and their relations."""
    return [r for r in result if r.get("id") not in gone and r.get("from_id") not in gone and r.get("to_id") not in gone]


def _fit_to_task(result: list[dict], text: str, offered: set[str]) -> list[dict]:
    """The prediction made valid for this task: what an annotator accepts unchanged must pull.

    Regions whose text does not match their offsets go; a Stance whose target the task does not
    offer goes (Label Studio could not show it, and pull would reject it); a Quote that lost its
    speaker with them is marked unattributed. Then the one checker (validate.check_result): a
    region it still flags is left out, and if anything is still wrong nothing is predicted.
    """
    from ..labeling import UNATTRIBUTED, Region, parse_result
    from ..validate import check_result

    gone = {r.get("id") for r in result if not consistent(r, text)}
    gone |= {r.get("id") for r in result if r.get("type") == "choices" and r.get("from_name") == "target"
             and not set(r["value"].get("choices", [])) <= offered}
    if gone:
        result = _without(result, gone)
        said = {r["from_id"] for r in result if r.get("type") == "relation" and "said_by" in (r.get("labels") or [])}
        marked = {r["id"] for r in result if r.get("type") == "choices" and r.get("from_name") == "attribution"}
        regions, _ = parse_result(result)
        for quote in regions:
            if quote.label == "Quote" and quote.id not in said | marked:
                result += Region(quote.id, "Quote", quote.start, quote.end,
                                 choices={"attribution": UNATTRIBUTED}).choice_items(text)
    for _ in range(3):
        errors = check_result(result, text, sorted(offered), prediction=True)
        if not errors:
            return result
        flagged = set()
        for e in errors:
            index = e.path.strip("/").split("/")[0]
            if index.isdigit() and int(index) < len(result):
                item = result[int(index)]
                flagged.add(item.get("id") or item.get("from_id"))
        log.warning("left out %d predicted regions the checker refused: %s", len(flagged),
                    "; ".join(sorted({e.code for e in errors})))
        result = _without(result, flagged)
    return [] if check_result(result, text, sorted(offered), prediction=True) else result


def predict_task(task, max_text: int = DEFAULT_MAX_TEXT, model=None) -> dict:
    """One prediction for one Label Studio task (never raises; always valid for the task).

    With a learned `model` (annotate.learn.load_model) it refines the rule quotes, the
    prediction's `model_version` names it and its `score` is the least certain quote's."""
    text = task_text(task)
    if text is None or len(text) > max_text:
        return empty_prediction(model)
    data = task["data"]
    doc_id, title = data.get("doc_id"), data.get("title")
    offered = target_values(task)
    doc_id = doc_id if isinstance(doc_id, str) else None
    title = title if isinstance(title, str) else None
    try:
        # A task that brings its own target list (a project's fixed targets, or targets set by
        # hand) gets stances toward those when the converter's own are not all among them: the
        # only ones Label Studio can show.
        made = annotate_text(text, doc_id=doc_id, title=title, model=model, offered_targets=offered)
        prediction = made["predictions"][0]
    except Exception:  # one bad text must not fail the batch
        log.exception("converter failed on task %s", task.get("id"))
        return empty_prediction(model)
    result = _fit_to_task(prediction["result"], text, set(offered))
    if len(result) != len(prediction["result"]):
        log.info("task %s: %d of %d predicted result items left out to fit the task", task.get("id"),
                 len(prediction["result"]) - len(result), len(prediction["result"]))
    return {**prediction, "model_version": model_version(model), "result": result}


def deferred(model=None) -> dict:
    """An answer for a task left for later: Label Studio stores no prediction without `result`,
    so the task is asked for again (when opened, or on "Retrieve predictions")."""
    return {"model_version": model_version(model), "score": 0.0, "deferred": "time budget of the request used up"}


def predict_tasks(tasks: Iterable, max_text: int = DEFAULT_MAX_TEXT, budget: float | None = None,
                  model=None) -> list[dict]:
    """One prediction per task, in order.

    With a `budget` (seconds), tasks still waiting when it is used up are `deferred()`, so a
    huge batch answers before Label Studio's request timeout (100 s by default) with the
    predictions made so far instead of losing them all.
    """
    deadline = None if budget is None else time.monotonic() + budget
    out = []
    for task in tasks:
        if deadline is not None and time.monotonic() > deadline:
            out.append(deferred(model))
        else:
            out.append(predict_task(task, max_text, model))
    return out


def targets_for_text(text: str, model=None) -> list[dict]:
    """The converter's entities for `text`, as `data.targets` items (`[{"value": ...}]`); with
    a learned `model`, those of its quotes (what `predict_task` would offer)."""
    return annotate_text(text, model=model)["data"]["targets"]


def setup_problems(schema) -> list[str]:
    """Why a project's labeling config cannot hold our predictions ([] when it can)."""
    if not isinstance(schema, str) or not schema.strip():
        return []
    from ..errors import AnnotateError
    from ..labeling import labeling_config
    from ..studio import config_problems

    try:
        return config_problems(schema, labeling_config())
    except AnnotateError as exc:
        return [str(exc)]
