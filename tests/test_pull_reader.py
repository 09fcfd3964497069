"""`pull` reads a project through an export snapshot (default) or its task list (--via tasks):
both readers must give the same dataset, byte for byte.

Against the real Label Studio of the test session: a project of the five seed articles with their
predictions, annotated by three people through the API as Label Studio's editor does (each
annotation keeps a copy of the prediction it was made on): two annotators on one task, a
ground-truth mark, a cancelled (skipped) annotation, a draft, and a task whose prediction was
replaced after it was annotated (a re-push with a newer converter) — there the task list alone
would name the new prediction, so the reader must take the annotation's own copy from Label
Studio's export of that task. Offline: which tasks need that copy (`_needs_export`) and the
choice of reader (--via / ANNOTATE_VIA).
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path

import pytest

from annotate import studio as ls
from annotate.convert import expand_inputs, iter_tasks
from annotate.errors import UsageError
from annotate.pull import pull

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
FILES = ("gold.jsonl", "rejects.jsonl", "splits/train.jsonl", "splits/dev.jsonl", "splits/test.jsonl", "README.md")


def _draft(client, task_id: int, result: list) -> None:
    response = client._client_wrapper.httpx_client.request(
        f"api/tasks/{task_id}/drafts", method="POST", json={"result": result, "lead_time": 4.0})
    assert response.status_code == 201, response.text


@pytest.fixture(scope="module")
def annotated_project(studio):
    """(project id, {name: value}) of the project described in the module's docstring."""
    client = studio.client()
    tag = secrets.token_hex(3)
    people = [client.users.create(username=f"reader{k}-{tag}", email=f"reader{k}-{tag}@example.com",
                                  password="pw-" + secrets.token_hex(8)).id for k in range(3)]
    a1, a2, a3 = people
    project, _ = ls.ensure_project(client, f"pull reader {tag}")
    tasks = list(iter_tasks(expand_inputs([str(SEEDS)])))
    assert len(tasks) == 5
    ids = ls.import_tasks(client, project.id, tasks)
    result = {tid: t["predictions"][0]["result"] for tid, t in zip(ids, tasks, strict=True)}

    def annotate(task_id, who, **kw):
        return client.annotations.create(id=task_id, result=kw.pop("result", result[task_id]), completed_by=who,
                                         **kw).id

    t0, t1, t2, t3, t4 = ids
    annotate(t0, a1, lead_time=12.5)
    second = annotate(t0, a2, lead_time=3.0)
    _draft(client, t0, result[t0][:3])  # the admin's draft: not an annotation
    truth = annotate(t1, a1, lead_time=7.25, ground_truth=True)
    later = annotate(t1, a2, lead_time=1.0)  # newer, but the star wins
    annotate(t2, a3, result=[], was_cancelled=True)
    _draft(client, t3, result[t3])  # a draft only: not an annotation
    replaced = annotate(t4, a3, lead_time=9.0)
    old = client.tasks.get(t4).predictions[0]
    old_id = old["id"] if isinstance(old, dict) else old.id
    client.predictions.delete(id=old_id)
    new = client.predictions.create(task=t4, result=result[t4][:2], model_version="annotate-rules-9.9.9", score=0.5)
    return project.id, {"tasks": ids, "annotators": people, "second": second, "truth": truth, "later": later,
                        "replaced": replaced, "old_prediction": old_id, "new_prediction": new.id}


def _pull(studio, project_id, out: Path, via: str):
    return pull(str(project_id), out, url=studio.url, api_key=studio.token, via=via)


def _records(path: Path) -> dict[str, dict]:
    return {r["provenance"]["task"]: r for r in map(json.loads, path.read_text().splitlines())}


def test_both_readers_give_the_same_dataset(studio, annotated_project, tmp_path):
    project_id, made = annotated_project
    by_snapshot = _pull(studio, project_id, tmp_path / "snapshot", "snapshot")
    by_tasks = _pull(studio, project_id, tmp_path / "tasks", "tasks")
    for name in FILES:
        assert (tmp_path / "snapshot" / name).read_bytes() == (tmp_path / "tasks" / name).read_bytes(), name
    manifests = [json.loads((tmp_path / via / "manifest.json").read_text()) for via in ("snapshot", "tasks")]
    for manifest in manifests:
        manifest.pop("created_at")
    assert manifests[0] == manifests[1]
    # What the project holds, reasoned from how it was made: t0, t1, t4 gold (the seed
    # predictions accepted unchanged are valid records), t2 only skipped, t3 only a draft.
    for summary in (by_snapshot, by_tasks):
        c = summary.counts
        assert (c.tasks, c.gold, c.rejected, c.cancelled, c.unannotated) == (5, 3, 0, 1, 1)
    t0, t1, t2, t3, t4 = made["tasks"]
    a1, a2, a3 = made["annotators"]
    records = _records(tmp_path / "tasks" / "gold.jsonl")
    assert set(records) == {t0, t1, t4}
    assert records[t0]["provenance"]["annotation"] == made["second"]  # the most recent of two
    assert [who["id"] for who in records[t0]["provenance"]["annotators"]] == [a1, a2]  # no draft
    assert records[t1]["provenance"]["annotation"] == made["truth"]
    assert records[t1]["provenance"]["ground_truth"] is True
    # The annotation on t4 was made on the prediction that was later deleted: both readers name it.
    assert records[t4]["provenance"]["annotation"] == made["replaced"]
    assert records[t4]["provenance"]["prediction"]["id"] == made["old_prediction"]
    assert records[t4]["provenance"]["edits"]["spans"]["added"] == 0  # the old prediction, accepted unchanged


def test_without_the_annotations_own_prediction_the_record_would_differ(studio, annotated_project, tmp_path,
                                                                       monkeypatch):
    """The check is needed: read from the task list alone, t4 names the prediction made after it."""
    project_id, made = annotated_project
    monkeypatch.setattr(ls, "_needs_export", lambda task: False)
    _pull(studio, project_id, tmp_path / "alone", "tasks")
    record = _records(tmp_path / "alone" / "gold.jsonl")[made["tasks"][4]]
    assert record["provenance"]["prediction"]["id"] == made["new_prediction"]


def test_a_list_without_a_needed_field_is_read_through_a_snapshot(studio, annotated_project, tmp_path, monkeypatch):
    project_id, _ = annotated_project
    monkeypatch.setattr(ls, "_LISTED", ls._LISTED.replace(",lead_time", ""))
    lines: list[str] = []
    pull(str(project_id), tmp_path / "fallback", url=studio.url, api_key=studio.token, via="tasks",
         progress=lines.append)
    assert any("without lead_time: reading it through an export snapshot" in line for line in lines)
    _pull(studio, project_id, tmp_path / "snapshot", "snapshot")
    assert (tmp_path / "fallback" / "gold.jsonl").read_bytes() == (tmp_path / "snapshot" / "gold.jsonl").read_bytes()


# --- offline ---------------------------------------------------------------------------------

def _task(annotations, predictions):
    return {"id": 1, "data": {"text": "x"}, "annotations": annotations, "predictions": predictions}


def _prediction(pid, made="2026-12-01T10:00:00Z", changed=None, version="annotate-rules-0.3.10"):
    return {"id": pid, "model_version": version, "created_at": made, "updated_at": changed or made, "result": []}


def _annotation(made="2026-12-02T10:00:00Z", parent=None, cancelled=False):
    return {"id": 7, "created_at": made, "parent_prediction": parent, "was_cancelled": cancelled}


@pytest.mark.parametrize("task, needs", [
    # one prediction, made and last changed before the annotation: its copy is that prediction (or none)
    (_task([_annotation()], [_prediction(1)]), False),
    (_task([_annotation()], []), False),
    # the prediction was changed, or made, after the annotation: the copy may be of an older one
    (_task([_annotation()], [_prediction(1, changed="2026-12-03T00:00:00Z")]), True),
    (_task([_annotation()], [_prediction(1, made="2026-12-03T00:00:00Z")]), True),
    # two predictions: the copy is of the project's model version, the list's choice the newest
    (_task([_annotation()], [_prediction(1), _prediction(2, version="annotate-learned-1")]), True),
    # a review copy (adjudicate --requeue) is not a pre-annotation; only review copies: checked
    (_task([_annotation()], [_prediction(1), _prediction(2, version="a@example.com (annotator)")]), False),
    (_task([_annotation()], [_prediction(2, version="a@example.com (annotator)")]), True),
    # an annotation naming its prediction needs it on the task
    (_task([_annotation(parent=1)], [_prediction(1), _prediction(2)]), False),
    (_task([_annotation(parent=3)], [_prediction(1)]), True),
    # a cancelled annotation is never chosen; a time that is not one is checked
    (_task([_annotation(made="2026-11-01T00:00:00Z", cancelled=True)], [_prediction(1)]), False),
    (_task([_annotation(made="yesterday")], [_prediction(1)]), True),
])
def test_which_tasks_need_the_annotations_own_prediction(task, needs):
    assert ls._needs_export(task) is needs


def test_the_reader_is_chosen_by_via_else_the_environment(monkeypatch):
    monkeypatch.delenv(ls.VIA_ENV, raising=False)
    assert ls.read_via() == "snapshot"
    monkeypatch.setenv(ls.VIA_ENV, "Tasks")
    assert ls.read_via() == "tasks"
    with ls.reading_via("snapshot"):
        assert ls.read_via() == "snapshot"
    assert ls.read_via() == "tasks"
    monkeypatch.setenv(ls.VIA_ENV, "sql")
    with pytest.raises(UsageError, match="ANNOTATE_VIA must be tasks or snapshot"):
        ls.read_via()
    with pytest.raises(UsageError, match="--via must be tasks or snapshot"):
        pull("3", None, url="http://localhost:1", api_key="k", via="sql", dry_run=True)


def test_the_cli_reads_through_the_task_list_with_via_tasks(studio, annotated_project, tmp_path):
    """`annotate pull --via tasks` gives the dataset the snapshot gives (the library is checked
    above); the progress lines say how the project was read."""
    from click.testing import CliRunner

    from annotate.cli import cli

    project_id, _made = annotated_project
    _pull(studio, project_id, tmp_path / "snapshot", "snapshot")
    result = CliRunner().invoke(cli, ["pull", "--project", str(project_id), "-o", str(tmp_path / "cli"),
                                      "--via", "tasks", "--url", studio.url, "--api-key", studio.token])
    assert result.exit_code == 0, result.output
    assert "snapshot" not in result.stderr.lower(), result.stderr
    assert (tmp_path / "cli" / "gold.jsonl").read_bytes() == (tmp_path / "snapshot" / "gold.jsonl").read_bytes()
