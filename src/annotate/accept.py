"""What an annotator who accepts every prediction unchanged submits, as Label Studio exports it.

The contract of the whole tool (SPEC section 2): a prediction accepted unchanged is a valid
gold record. `accepted_export(tasks)` turns converted tasks into the full-JSON export Label
Studio gives after an annotator opened each task and pressed Submit without editing: one
annotation per task whose result is the prediction's result, `parent_prediction` set. Feed it
to `annotate.pull.build_dataset` (or write it and run `annotate pull --from-file`): every
record must come out gold. The tests and `benchmarks/invariant.py` check this over the seeds
and the tuning corpus; the real-server test submits the predictions through the API instead.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Iterator

SUBMITTED_AT = "2026-01-01T00:00:00.000000Z"


def accepted_task(task: dict, task_id: int, user_id: int = 1) -> dict:
    """One converted task as Label Studio exports it once its prediction was submitted as is."""
    prediction = copy.deepcopy(task["predictions"][0])
    prediction_id = task_id
    prediction.update({"id": prediction_id, "task": task_id, "created_at": SUBMITTED_AT})
    annotation = {
        "id": task_id,
        "completed_by": user_id,
        "result": copy.deepcopy(prediction["result"]),
        "was_cancelled": False,
        "ground_truth": False,
        "created_at": SUBMITTED_AT,
        "updated_at": SUBMITTED_AT,
        "lead_time": 1.0,
        "parent_prediction": prediction_id,
        "task": task_id,
    }
    return {"id": task_id, "project": 1, "data": copy.deepcopy(task["data"]),
            "meta": copy.deepcopy(task.get("meta") or {}), "annotations": [annotation],
            "predictions": [prediction]}


def accepted_export(tasks: Iterable[dict]) -> Iterator[dict]:
    """Every task with its prediction accepted unchanged, task ids 1, 2, ..."""
    for task_id, task in enumerate(tasks, 1):
        yield accepted_task(task, task_id)
