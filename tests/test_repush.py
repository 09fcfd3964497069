"""Reading a project's task index (what a re-push compares its input with) against a real Label
Studio: every task exactly once, in id order, whatever the page size, however the project's ids
are spread among other projects', and when tasks are deleted while the index is being read."""

from __future__ import annotations

import uuid

import pytest

from annotate import studio as ls
from annotate.converters.tasks import task_hash
from annotate.io import sha256_text
from annotate.labeling import labeling_config

pytestmark = pytest.mark.studio


def small_tasks(n: int, tag: str) -> list[dict]:
    tasks = []
    for i in range(n):
        text = f"Task {i} of {tag}: the minister said the talks would go on."
        tasks.append({"data": {"text": text, "doc_id": f"{tag}_{i:03d}", "targets": []},
                      "meta": {"text_sha256": sha256_text(text), "task_hash": task_hash(text, [])}})
    return tasks


def new_project(client, tag: str):
    return client.projects.create(title=f"index {tag} {uuid.uuid4().hex[:8]}", label_config=labeling_config())


@pytest.fixture(scope="module")
def interleaved(studio):
    """Two projects imported in turns, three tasks at a time: each one's ids come in runs of
    three with the other's in between (ids 1-3 and 7-9 in one, 4-6 and 10-12 in the other, shifted)."""
    client = studio.client()
    a, b = new_project(client, "a"), new_project(client, "b")
    tasks = {a.id: small_tasks(12, f"a{a.id}"), b.id: small_tasks(12, f"b{b.id}")}
    ids: dict[int, list[int]] = {a.id: [], b.id: []}
    for start in range(0, 12, 3):
        for project in (a, b):
            ids[project.id] += ls.import_tasks(client, project.id, tasks[project.id][start:start + 3])
    return client, tasks, ids


@pytest.mark.parametrize(("page_size", "workers"), [(1, 1), (2, 1), (5, 2), (1000, 2)])
def test_the_index_holds_each_task_of_the_project_once_in_id_order(interleaved, page_size, workers):
    client, tasks, ids = interleaved
    for project_id, expected in ids.items():
        refs = list(ls.iter_task_index(client, project_id, workers=workers, page_size=page_size))
        assert [r.id for r in refs] == expected  # imported in order, so the ids ascend
        assert [r.task_hash for r in refs] == [t["meta"]["task_hash"] for t in tasks[project_id]]
        assert [r.doc_id for r in refs] == [t["data"]["doc_id"] for t in tasks[project_id]]
        assert all(r.annotations == 0 and r.cancelled == 0 for r in refs)


def test_an_empty_project_has_an_empty_index(studio):
    client = studio.client()
    assert list(ls.iter_task_index(client, new_project(client, "empty").id)) == []


def test_a_task_deleted_while_the_index_is_read_does_not_hide_another(studio, monkeypatch):
    """Pages were numbered (offset = (page - 1) x size): a task deleted from a page already read
    moved the next page's first task onto that page, so the index missed it and a re-push sent
    it again (a duplicate for the clean-up to find, if it looked). Read by id ranges, every task
    still there is seen."""
    monkeypatch.setattr(ls, "INDEX_PAGE_SIZE", 3)
    monkeypatch.setattr(ls, "INDEX_WORKERS", 1, raising=False)  # the next range is fetched when it is reached
    client = studio.client()
    project = new_project(client, "delete")
    ids = ls.import_tasks(client, project.id, small_tasks(9, f"d{project.id}"))
    reader = ls.iter_task_index(client, project.id)
    seen = [next(reader).id for _ in range(3)]  # the first page
    assert seen == ids[:3]
    assert ls.delete_unannotated_tasks(client, project.id, [ids[0]]) == 1
    seen += [r.id for r in reader]
    assert seen == ids


def test_a_task_with_annotations_is_counted(studio):
    client = studio.client()
    project = new_project(client, "annotated")
    ids = ls.import_tasks(client, project.id, small_tasks(3, f"n{project.id}"))
    client.annotations.create(id=ids[1], result=[], lead_time=1.0)
    refs = {r.id: r for r in ls.iter_task_index(client, project.id)}
    # The index passes on the server's own counter, which Label Studio 1.23.2 does not always
    # update (seen at 0 in a full CI run, 1 alone): so it is compared with the task's counter as
    # the server reports it, and what may be deleted is decided by `annotated_tasks`, which
    # reads the annotations themselves.
    counters = [client.tasks.get(id=str(i)).total_annotations or 0 for i in ids]
    assert [refs[i].annotations for i in ids] == counters and counters[0] == counters[2] == 0
    assert ls.annotated_tasks(client, project.id, ids) == {ids[1]}
