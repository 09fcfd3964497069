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


def model_version() -> str:
    """The converter's model version, read at call time (it changes with the converter)."""
    return converters.MODEL_VERSION


def empty_prediction() -> dict:
    """The prediction for a task we cannot pre-annotate: no regions, our model version."""
    return {"model_version": model_version(), "score": 0.0, "result": []}


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


def _drop_inconsistent(result: list[dict], text: str) -> list[dict]:
    """Leave out regions whose text does not match their offsets, with their choices and relations."""
    bad = {r.get("id") for r in result if not consistent(r, text)}
    if not bad:
        return result
    return [r for r in result if r.get("id") not in bad and r.get("from_id") not in bad and r.get("to_id") not in bad]


def _restrict_targets(result: list[dict], allowed: set[str]) -> list[dict]:
    """Drop stance `target` choices the task does not offer (the UI could not show them)."""
    return [r for r in result
            if not (r.get("type") == "choices" and r.get("from_name") == "target"
                    and not set(r["value"].get("choices", [])) <= allowed)]


def predict_task(task, max_text: int = DEFAULT_MAX_TEXT) -> dict:
    """One prediction for one Label Studio task (never raises)."""
    text = task_text(task)
    if text is None or len(text) > max_text:
        return empty_prediction()
    doc_id = task["data"].get("doc_id")
    try:
        prediction = annotate_text(text, doc_id=doc_id if isinstance(doc_id, str) else None)["predictions"][0]
    except Exception:  # one bad text must not fail the batch
        log.exception("converter failed on task %s", task.get("id"))
        return empty_prediction()
    result = _drop_inconsistent(prediction["result"], text)
    if len(result) != len(prediction["result"]):
        log.warning("task %s: left out %d regions whose text does not match their offsets",
                    task.get("id"), len({r.get("id") for r in prediction["result"]} - {r.get("id") for r in result}))
    offered = target_values(task)
    if offered:
        result = _restrict_targets(result, set(offered))
    return {**prediction, "model_version": model_version(), "result": result}


def deferred() -> dict:
    """An answer for a task left for later: Label Studio stores no prediction without `result`,
    so the task is asked for again (when opened, or on "Retrieve predictions")."""
    return {"model_version": model_version(), "score": 0.0, "deferred": "time budget of the request used up"}


def predict_tasks(tasks: Iterable, max_text: int = DEFAULT_MAX_TEXT, budget: float | None = None) -> list[dict]:
    """One prediction per task, in order.

    With a `budget` (seconds), tasks still waiting when it is used up are `deferred()`, so a
    huge batch answers before Label Studio's request timeout (100 s by default) with the
    predictions made so far instead of losing them all.
    """
    deadline = None if budget is None else time.monotonic() + budget
    out = []
    for task in tasks:
        if deadline is not None and time.monotonic() > deadline:
            out.append(deferred())
        else:
            out.append(predict_task(task, max_text))
    return out


def targets_for_text(text: str) -> list[dict]:
    """The converter's entities for `text`, as `data.targets` items (`[{"value": ...}]`)."""
    return annotate_text(text)["data"]["targets"]


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
