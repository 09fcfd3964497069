"""Two pushes of the same tasks at once, an interrupted push, and a push killed mid-way, against
a real Label Studio: afterwards every task_hash is in the project exactly once and exactly one
project has the title."""

from __future__ import annotations

import collections
import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid

import pytest

from annotate import studio as ls
from annotate.converters.tasks import task_hash
from annotate.errors import ConnectionFailed
from annotate.io import sha256_text
from annotate.labeling import labeling_config
from annotate.push import PushInterrupted, PushStats, push, push_tasks

N_TASKS = 240  # small tasks in small batches: many imports, so the two pushes interleave
BATCH = 15


def small_tasks(n: int, tag: str) -> list[dict]:
    """n distinct valid tasks without predictions (cheap to validate and import)."""
    tasks = []
    for i in range(n):
        text = f"Task {i} of {tag}: the minister said the talks would go on."
        tasks.append({"data": {"text": text, "doc_id": f"{tag}_{i:04d}", "targets": []},
                      "meta": {"text_sha256": sha256_text(text), "task_hash": task_hash(text, [])}})
    return tasks


def write_jsonl(path, tasks):
    path.write_text("".join(json.dumps(t) + "\n" for t in tasks), encoding="utf-8")
    return path


def projects_titled(client, title: str) -> list:
    return [p for p in client.projects.list(title=title, page_size=100).items if p.title == title]


def index(client, project_id: int) -> list[ls.TaskRef]:
    return list(ls.iter_task_index(client, project_id))


def arrived(client, title: str) -> int:
    """Tasks in the projects with this title so far; a twin project that a push deletes while
    we look (the title race settling) counts as empty."""
    total = 0
    for p in projects_titled(client, title):
        try:
            total += len(index(client, p.id))
        except ConnectionFailed:
            pass
    return total


def settled(client, title: str, still: float = 5.0, limit: float = 120.0) -> None:
    """Wait until the tasks under `title` have not changed in number for `still` seconds."""
    deadline = time.monotonic() + limit
    seen, since = arrived(client, title), time.monotonic()
    while time.monotonic() < deadline and time.monotonic() - since < still:
        time.sleep(0.5)
        now = arrived(client, title)
        if now != seen:
            seen, since = now, time.monotonic()


def assert_unique(client, title: str, tasks: list[dict]) -> int:
    """Exactly one project has the title and it holds each task exactly once; its id."""
    found = projects_titled(client, title)
    assert len(found) == 1, f"{len(found)} projects titled {title!r}: {[p.id for p in found]}"
    refs = index(client, found[0].id)
    per_hash = collections.Counter(r.task_hash for r in refs)
    doubled = {h: c for h, c in per_hash.items() if c > 1}
    assert not doubled, f"{len(doubled)} task hashes more than once ({len(refs)} tasks for {len(tasks)} inputs)"
    assert set(per_hash) == {t["meta"]["task_hash"] for t in tasks}
    assert len({r.doc_id for r in refs}) == len(refs) == len(tasks)
    return found[0].id


def push_together(studio, path, project: str, n: int = 2) -> list[PushStats]:
    """n library pushes of the same file, released at the same moment by a barrier."""
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def one(k):
        barrier.wait()
        try:
            results[k] = push(studio.url, studio.token, [str(path)], project, batch_size=BATCH)
        except BaseException as exc:  # reported by the assertion below
            results[k] = exc

    threads = [threading.Thread(target=one, args=(k,)) for k in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=600)
    for r in results:
        assert isinstance(r, PushStats), repr(r)
    return results


def new_title() -> str:
    return f"race {uuid.uuid4().hex[:8]}"


@pytest.mark.parametrize("where", ["new title", "existing project"])
def test_two_concurrent_pushes_leave_each_task_once(studio, tmp_path, where):
    client = studio.client()
    for round_ in range(2):  # the race is timing-dependent: run it more than once
        title = new_title()
        if where == "existing project":
            ls.ensure_project(client, title)
        tasks = small_tasks(N_TASKS, f"r{round_}")
        path = write_jsonl(tmp_path / f"tasks{round_}.jsonl", tasks)
        stats = push_together(studio, path, title)
        assert_unique(client, title, tasks)
        # Honest counts: between them the two pushes created each task once.
        assert sum(s.created for s in stats) == N_TASKS, [s.summary() for s in stats]
        assert len({s.project_id for s in stats}) == 1
        # "new project" from each push that found no project with the title when it looked.
        assert any(s.project_created for s in stats) == (where == "new title")


def test_concurrent_update_in_place_keeps_one_task_per_doc(studio, tmp_path):
    """Same doc_ids with new hashes, pushed twice at once into a project holding the old ones."""
    client = studio.client()
    title = new_title()
    old = small_tasks(60, "upd")
    push(studio.url, studio.token, [str(write_jsonl(tmp_path / "old.jsonl", old))], title)
    new = []
    for t in old:
        text = t["data"]["text"].replace("go on", "resume")
        new.append({"data": {**t["data"], "text": text},
                    "meta": {"text_sha256": sha256_text(text), "task_hash": task_hash(text, [])}})
    new += small_tasks(120, "upd-extra")
    stats = push_together(studio, write_jsonl(tmp_path / "new.jsonl", new), title)
    assert_unique(client, title, new)
    assert sum(s.created for s in stats) == 120


def test_leftover_duplicates_are_removed_by_a_rerun(studio, tmp_path):
    """What a push killed between its import and its clean-up leaves next to a concurrent one:
    every task twice, one copy annotated. A re-run keeps the older copy of each, never an
    annotated one, and reports the annotated younger copy as a conflict."""
    client = studio.client()
    title = new_title()
    project, _ = ls.ensure_project(client, title)
    tasks = small_tasks(30, "left")
    first_ids = ls.import_tasks(client, project.id, tasks)
    second_ids = ls.import_tasks(client, project.id, tasks)
    annotated = second_ids[0]
    client.annotations.create(id=annotated, result=[], lead_time=1.0)

    stats = push(studio.url, studio.token, [str(write_jsonl(tmp_path / "t.jsonl", tasks))], title)
    assert stats.created == 0 and stats.skipped == 30
    assert stats.duplicates_removed == 29
    assert stats.conflicts == 1 and any(str(annotated) in p for p in stats.problems)
    ids = {r.id for r in index(client, project.id)}
    assert ids == set(first_ids) | {annotated}


def test_an_interrupted_push_says_what_it_did_and_a_rerun_resumes(studio, tmp_path):
    client = studio.client()
    project, _ = ls.ensure_project(client, new_title())
    tasks = small_tasks(50, "int")
    seen = 0

    def interrupt_after_25(n):
        nonlocal seen
        seen += n
        if seen == 25:
            raise KeyboardInterrupt

    pairs = [(str(i), t) for i, t in enumerate(tasks)]
    with pytest.raises(PushInterrupted) as err:
        push_tasks(client, project.id, iter(pairs), batch_size=10, progress=interrupt_after_25)
    # Batches of 10: the 25th task interrupts while the third batch (tasks 21-30) is being
    # filled, so two batches went in (the second possibly in flight, and waited for).
    assert err.value.stats.created == 20
    assert len(index(client, project.id)) == 20
    assert "created 20" in str(err.value) and "re-running resumes" in str(err.value)
    assert isinstance(err.value, KeyboardInterrupt)

    again = push_tasks(client, project.id, iter(pairs), batch_size=10)
    assert again.created == 30 and again.skipped == 20
    assert_unique(client, project.title, tasks)


def test_a_push_killed_mid_way_is_fixed_by_a_rerun(studio, tmp_path):
    client = studio.client()
    title = new_title()
    tasks = small_tasks(N_TASKS, "kill")
    path = write_jsonl(tmp_path / "t.jsonl", tasks)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LABEL_STUDIO_", "PYTEST_"))}
    env.update(LABEL_STUDIO_URL=studio.url, LABEL_STUDIO_API_KEY=studio.token)
    cmd = [sys.executable, "-m", "annotate", "push", str(path), "--project", title, "--batch-size", "5"]
    # Two pushes at once; one is killed (SIGKILL: no clean-up at all) once tasks are arriving.
    survivor = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    victim = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if arrived(client, title) >= 40:
                break
            time.sleep(0.2)
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=60)
        out, err = survivor.communicate(timeout=300)
    finally:  # whatever happened above, no push outlives the test
        for proc in (victim, survivor):
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    assert survivor.returncode == 0, err
    # Label Studio finishes the import the victim had sent, client gone or not: on a loaded
    # server that can land after the survivor ended. The re-run fixes what is there when it
    # reads the project, so wait until the task count has held still for a few seconds.
    settled(client, title)
    rerun = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    assert_unique(client, title, tasks)


def test_a_younger_project_with_the_same_title_is_resolved_to_the_oldest(studio):
    """A project left by a push killed between creating it and checking for a concurrent twin."""
    client = studio.client()
    title = new_title()
    older = client.projects.create(title=title, label_config=labeling_config())
    younger = client.projects.create(title=title, label_config=labeling_config(),
                                     description=ls.CREATED_BY_PUSH)
    project, created = ls.ensure_project(client, title)
    assert (project.id, created) == (older.id, False)
    assert [p.id for p in projects_titled(client, title)] == [older.id]
    assert younger.id != older.id


def test_a_push_alone_reads_the_index_once(studio, tmp_path, monkeypatch):
    """The clean-up re-read costs as much as the first read (~1.7 ms a task): a push nobody
    raced skips it, on two cheap counts."""
    reads = []
    real = ls.iter_task_index
    monkeypatch.setattr(ls, "iter_task_index", lambda *a, **k: (reads.append(1), real(*a, **k))[1])
    tasks = small_tasks(40, "alone")
    stats = push(studio.url, studio.token, [str(write_jsonl(tmp_path / "t.jsonl", tasks))], new_title(), batch_size=BATCH)
    assert stats.created == 40 and stats.duplicates_removed == 0
    assert len(reads) == 1
