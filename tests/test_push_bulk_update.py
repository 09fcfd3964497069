"""A re-push after a converter upgrade updates tasks in bulk (issue 18): few requests a task,
the same results as the one-by-one update, and the same guarantees after a crash or a
concurrent push. Real Label Studio (the session `studio`), never a mock."""

from __future__ import annotations

import collections
import copy
import json
import threading
import uuid

import httpx
import pytest

from annotate import studio as ls
from annotate.convert import expand_inputs, iter_tasks
from annotate.converters.tasks import task_hash
from annotate.io import sha256_text
from annotate.push import PushInterrupted, PushStats, push

from .conftest import SEEDS

NEW_VERSION = "annotate-rules-99.0"


@pytest.fixture(scope="module")
def seeds() -> list[dict]:
    return list(iter_tasks(expand_inputs([str(SEEDS)])))


def copies(seeds: list[dict], n: int, tag: str) -> list[dict]:
    """n distinct valid tasks: the converted seeds with a numbered closing line (offsets stay valid)."""
    out = []
    for i in range(n):
        task = copy.deepcopy(seeds[i % len(seeds)])
        text = task["data"]["text"] + f"\n\n(Copy {i} of {tag}.)"
        task["data"]["text"], task["data"]["doc_id"] = text, f"{tag}_{i:04d}"
        task["meta"]["text_sha256"] = sha256_text(text)
        task["meta"]["task_hash"] = task_hash(text, task["predictions"])
        out.append(task)
    return out


def upgraded(tasks: list[dict], version: str = NEW_VERSION) -> list[dict]:
    """The same articles as a newer converter would give them: the text unchanged, the
    prediction of a new model version with one region fewer (its relations dropped too)."""
    out = []
    for task in tasks:
        task = copy.deepcopy(task)
        pred = task["predictions"][0]
        pred["model_version"] = version
        gone = next(r["id"] for r in pred["result"] if r["type"] == "labels" and r["value"]["labels"] == ["Stance"])
        pred["result"] = [r for r in pred["result"] if r.get("id") != gone
                          and gone not in (r.get("from_id"), r.get("to_id"))]
        task["meta"]["task_hash"] = task_hash(task["data"]["text"], task["predictions"])
        out.append(task)
    return out


def write_jsonl(path, tasks):
    path.write_text("".join(json.dumps(t, ensure_ascii=False) + "\n" for t in tasks), encoding="utf-8")
    return str(path)


def title() -> str:
    return f"bulk update {uuid.uuid4().hex[:8]}"


def server_tasks(client, project_id: int) -> dict[str, dict]:
    """doc_id -> the task with its predictions and annotations, read back from the server."""
    out, page = {}, 1
    while True:
        r = client._client_wrapper.httpx_client.request(
            "api/tasks", method="GET", params={"project": project_id, "page": page, "page_size": 100, "fields": "all"})
        if r.status_code == 404:
            return out
        tasks = r.json()["tasks"]
        out.update({t["data"]["doc_id"]: t for t in tasks})
        if len(tasks) < 100:
            return out
        page += 1


@pytest.fixture
def requests(monkeypatch):
    """Every HTTP request made by this process, by (method, path with ids as N)."""
    seen: collections.Counter = collections.Counter()
    lock = threading.Lock()
    send = httpx.Client.send

    def counting(self, request, **kw):
        path = "/".join("N" if p.isdigit() else p for p in request.url.path.strip("/").split("/"))
        with lock:
            seen[(request.method, path)] += 1
        return send(self, request, **kw)

    monkeypatch.setattr(httpx.Client, "send", counting)
    return seen


def test_repush_after_upgrade_updates_in_bulk_with_same_results(studio, seeds, tmp_path, requests):
    client = studio.client()
    n = 30
    old = copies(seeds, n, "up")
    name = title()
    first = push(studio.url, studio.token, [write_jsonl(tmp_path / "old.jsonl", old)], name)
    assert first.created == n
    pid = first.project_id
    before = server_tasks(client, pid)
    # One task carries an ML backend's prediction (kept), one an annotation (kept), one an
    # annotation and a changed text (a conflict, untouched).
    backend, annotated, moved = old[0]["data"]["doc_id"], old[1]["data"]["doc_id"], old[2]["data"]["doc_id"]
    client.predictions.create(task=before[backend]["id"], result=[], model_version="ml-backend-3")
    client.annotations.create(id=before[annotated]["id"], result=[], lead_time=2.0)
    client.annotations.create(id=before[moved]["id"], result=[], lead_time=2.0)

    new = upgraded(old)
    new[2] = _moved_text(old[2])
    requests.clear()
    stats = push(studio.url, studio.token, [write_jsonl(tmp_path / "new.jsonl", new)], name)
    assert (stats.created, stats.updated, stats.skipped, stats.conflicts) == (0, n - 1, 0, 1), stats.summary()

    # Requests: one PATCH a task (no bulk task update exists) and a handful for the whole
    # batch; the one-by-one update was about 4 a task (list, delete, create, PATCH).
    total = sum(requests.values())
    assert requests[("PATCH", "api/tasks/N")] == n - 1
    assert total <= (n - 1) + 20, dict(requests)
    # The task holding another model's prediction is updated one by one (its list is read).
    assert requests[("GET", "api/predictions")] <= 1, dict(requests)

    after = server_tasks(client, pid)
    assert len(after) == n
    for doc, task in after.items():
        assert task["id"] == before[doc]["id"]
        versions = sorted(p["model_version"] for p in task["predictions"])
        if doc == moved:
            assert versions == [old[2]["predictions"][0]["model_version"]]
            assert task["meta"]["task_hash"] == old[2]["meta"]["task_hash"]
            continue
        want = next(t for t in new if t["data"]["doc_id"] == doc)
        assert versions == ([NEW_VERSION, "ml-backend-3"] if doc == backend else [NEW_VERSION]), doc
        ours = next(p for p in task["predictions"] if p["model_version"] == NEW_VERSION)
        assert len(ours["result"]) == len(want["predictions"][0]["result"])
        assert task["meta"]["task_hash"] == want["meta"]["task_hash"]
    assert len(after[annotated]["annotations"]) == 1

    again = push(studio.url, studio.token, [write_jsonl(tmp_path / "new.jsonl", new)], name)
    assert (again.updated, again.skipped, again.conflicts) == (0, n - 1, 1)


def _moved_text(task: dict) -> dict:
    """The task with a text that changed (a line added at the end: offsets stay valid)."""
    task = upgraded([task])[0]
    text = task["data"]["text"] + "\n\nCorrection appended."
    task["data"]["text"] = text
    task["meta"]["text_sha256"] = sha256_text(text)
    task["meta"]["task_hash"] = task_hash(text, task["predictions"])
    return task


@pytest.mark.parametrize("stop_in", ["import_predictions", "update_task_fields"])
def test_a_push_stopped_half_way_is_finished_by_the_next(studio, seeds, tmp_path, monkeypatch, stop_in):
    """Killed after the old predictions were deleted (before the new were imported), or after the
    import (before the new hash was written): no task has the new hash without the new
    prediction, and the next push finishes every task, each with exactly one prediction of ours."""
    client = studio.client()
    n = 12
    old = copies(seeds, n, f"stop-{stop_in}")
    name = title()
    pid = push(studio.url, studio.token, [write_jsonl(tmp_path / "old.jsonl", old)], name).project_id
    new = upgraded(old)
    path = write_jsonl(tmp_path / "new.jsonl", new)
    real = getattr(ls, stop_in)
    calls = []

    def stop(*args, **kw):
        calls.append(1)
        if stop_in == "update_task_fields" and len(calls) <= n // 2:
            return real(*args, **kw)  # half the tasks get their new hash, then the push dies
        raise KeyboardInterrupt

    monkeypatch.setattr(ls, stop_in, stop)
    with pytest.raises(PushInterrupted):
        push(studio.url, studio.token, [path], name)
    monkeypatch.setattr(ls, stop_in, real)

    new_hash = {t["data"]["doc_id"]: t["meta"]["task_hash"] for t in new}
    for doc, task in server_tasks(client, pid).items():
        ours = [p["model_version"] for p in task["predictions"]]
        if task["meta"]["task_hash"] == new_hash[doc]:
            assert ours == [NEW_VERSION], doc
        else:
            assert ours in ([], [NEW_VERSION], [old[0]["predictions"][0]["model_version"]]), (doc, ours)

    stats = push(studio.url, studio.token, [path], name)
    assert stats.created == 0 and stats.updated + stats.skipped == n and stats.updated >= n // 2
    for doc, task in server_tasks(client, pid).items():
        assert task["meta"]["task_hash"] == new_hash[doc]
        assert [p["model_version"] for p in task["predictions"]] == [NEW_VERSION], doc


def test_a_concurrent_push_importing_the_same_predictions_is_cleaned_up(studio, seeds, tmp_path, monkeypatch):
    """Two pushes that both delete the old predictions before either imports the new ones both
    import: the tasks would hold our prediction twice. The check after the update finds them
    and leaves one copy (the oldest), whoever checks last."""
    client = studio.client()
    n = 10
    old = copies(seeds, n, "twice")
    name = title()
    pid = push(studio.url, studio.token, [write_jsonl(tmp_path / "old.jsonl", old)], name).project_id
    new = upgraded(old)
    real = ls.import_predictions

    def twice(client, project_id, predictions):  # the other push's import, interleaved with ours
        real(client, project_id, predictions[: n // 2])
        return real(client, project_id, predictions)

    monkeypatch.setattr(ls, "import_predictions", twice)
    stats = push(studio.url, studio.token, [write_jsonl(tmp_path / "new.jsonl", new)], name)
    assert stats.updated == n
    tasks = server_tasks(client, pid)
    for task in tasks.values():
        assert [p["model_version"] for p in task["predictions"]] == [NEW_VERSION]
    # The oldest copy stayed: the ids of the first import, which came first.
    kept = sorted(p["id"] for t in tasks.values() for p in t["predictions"])
    assert len(kept) == n


def test_two_real_pushes_of_an_upgrade_at_once_leave_one_prediction_each(studio, seeds, tmp_path):
    client = studio.client()
    n = 40
    old = copies(seeds, n, "race")
    name = title()
    pid = push(studio.url, studio.token, [write_jsonl(tmp_path / "old.jsonl", old)], name).project_id
    path = write_jsonl(tmp_path / "new.jsonl", upgraded(old))
    barrier = threading.Barrier(2)
    results: list = [None, None]

    def one(k):
        barrier.wait()
        try:
            results[k] = push(studio.url, studio.token, [path], name, batch_size=10)
        except BaseException as exc:  # noqa: BLE001  (reported below)
            results[k] = exc

    threads = [threading.Thread(target=one, args=(k,)) for k in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=600)
    assert all(isinstance(r, PushStats) for r in results), results
    for doc, task in server_tasks(client, pid).items():
        assert [p["model_version"] for p in task["predictions"]] == [NEW_VERSION], doc
