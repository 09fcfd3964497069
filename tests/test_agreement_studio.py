"""agree, adjudicate and report against the real Label Studio of the test session.

Three users are created through the API and annotate the tasks of `test_agreement` with the
same controlled differences (same, moved boundary, other speaker, other polarity, missing
quote); the figures must be the hand-computed ones.
"""

from __future__ import annotations

import json
import secrets

import pytest
from click.testing import CliRunner

from annotate import studio as ls
from annotate.cli import cli

from .conftest import open_task
from .test_agreement import sample_export
from .test_editreport import MODEL, edited_export


def make_users(client, n: int) -> list[tuple[int, str]]:
    """n fresh annotators: (id, email)."""
    tag = secrets.token_hex(3)
    users = []
    for k in range(n):
        email = f"ann{k}-{tag}@example.com"
        u = client.users.create(username=f"ann{k}-{tag}", email=email, password="pw-" + secrets.token_hex(8))
        users.append((u.id, email))
    return users


def load_project(client, title: str, export: list[dict], users: dict[int, int]) -> list[int]:
    """Create the project, import the export's tasks (data + predictions) and re-create each
    annotation under the mapped user, in the export's order. Returns the new task ids."""
    project, _ = ls.ensure_project(client, title)
    tasks = [{"data": t["data"], "predictions": t.get("predictions") or []} for t in export]
    ids = ls.import_tasks(client, project.id, tasks)
    for tid, t in zip(ids, export, strict=True):
        for a in t["annotations"]:
            client.annotations.create(
                id=tid, result=a["result"], completed_by=users[a["completed_by"]],
                lead_time=a["lead_time"], was_cancelled=a["was_cancelled"],
                ground_truth=a["ground_truth"])
    return ids


def run(*args) -> str:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def agreement_project(studio):
    client = studio.client()
    users = make_users(client, 3)
    title = f"agreement {secrets.token_hex(3)}"
    ids = load_project(client, title, sample_export(), {k + 1: uid for k, (uid, _) in enumerate(users)})
    return title, ids, [email for _, email in users]


def test_agreement_on_a_real_project_matches_hand_figures(studio_env, agreement_project):
    title, _, (a, b, c) = agreement_project
    r = json.loads(run("agree", "--project", title, "--json"))
    assert r["tasks"] == {"total": 5, "annotations": 9, "compared": 3, "disputed": 2, "agreed": 1}
    assert r["micro"]["exact"] == {"f1": 0.8, "matched": 16, "spans": 40}
    assert r["micro"]["overlap"] == {"f1": 0.9, "matched": 18, "spans": 40}
    assert r["labels"]["Quote"]["overlap"] == {"f1": round(12 / 14, 4), "matched": 6, "spans": 14}
    assert r["attribution"] == {"matched_quotes": 6, "agreed": 5, "agreement": round(5 / 6, 4)}
    assert r["alpha"]["quote_type"]["alpha"] == round(7 / 15, 4)
    assert r["alpha"]["polarity"]["alpha"] == 0.0
    pairs = {(p["a"], p["b"]): p for p in r["pairs"]}
    assert pairs[(b, c)]["exact_f1"] == 0.5 and pairs[(b, c)]["overlap_f1"] == 0.75
    annotators = {x["annotator"]: x for x in r["annotators"]}
    assert annotators[a]["mean_lead_time"] == 20.0 and annotators[a]["spans"] == 12
    assert annotators[c]["tasks"] == 1
    assert [d["doc"] for d in r["disputed"]] == ["doc1", "doc2"]


def test_single_annotator_project_needs_two(studio_env):
    client = studio_env.client()
    (uid, _), = make_users(client, 1)
    title = f"single {secrets.token_hex(3)}"
    load_project(client, title, sample_export()[3:4], {1: uid})
    out = run("agree", "--project", title)
    assert "agreement needs two annotators" in out


def _truth(client, task_id: int) -> list[int]:
    return [a.id for a in client.annotations.list(id=task_id) if a.ground_truth]


def _review(client, task_id: int) -> list[str]:
    return sorted(p.model_version for p in client.predictions.list(task=task_id)
                  if (p.model_version or "").endswith(" (annotator)"))


def test_adjudicate_marks_agreed_requeues_disputed_and_reruns_as_noop(studio_env, agreement_project, tmp_path):
    title, (t1, t2, t3, t4, t5), (a, b, c) = agreement_project
    client = studio_env.client()
    dry = json.loads(run("adjudicate", "--project", title, "--requeue", "--json"))
    assert dry["applied"] is False
    assert dry["counts"] == {"agreed": 1, "resolved": 0, "disputed": 2, "marked_ground_truth": 0,
                             "review_created": 0, "review_updated": 0, "review_present": 0,
                             "review_needed": 5}
    assert _truth(client, t3) == [] and _review(client, t1) == []  # a dry run writes nothing

    done = json.loads(run("adjudicate", "--project", title, "--apply", "--requeue", "--json"))
    assert done["counts"]["marked_ground_truth"] == 1 and done["counts"]["review_created"] == 5
    latest_t3 = max(x.id for x in client.annotations.list(id=t3))
    assert _truth(client, t3) == [latest_t3]  # agreed: the latest annotation is ground truth
    assert _truth(client, t1) == [] and _truth(client, t2) == []  # disputed: not settled
    assert _review(client, t1) == sorted(f"{x} (annotator)" for x in (a, b, c))
    assert _review(client, t2) == sorted(f"{x} (annotator)" for x in (a, b))
    # Each review copy is the annotator's own version.
    b_version = [x for x in client.annotations.list(id=t1) if x.completed_by == _uid(client, b)][0]
    copy = [p for p in client.predictions.list(task=t1) if p.model_version == f"{b} (annotator)"][0]
    assert copy.result == b_version.result

    # pull exports the ground truth of the agreed task, with its provenance.
    out = tmp_path / "gold"
    CliRunner().invoke(cli, ["pull", "--project", title, "-o", str(out)], catch_exceptions=False)
    records = {r["id"]: r for r in map(json.loads, (out / "gold.jsonl").read_text().splitlines())}
    assert records["doc3"]["provenance"]["annotation"] == latest_t3
    assert records["doc3"]["provenance"]["ground_truth"] is True

    again = json.loads(run("adjudicate", "--project", title, "--apply", "--requeue", "--json"))
    assert again["counts"] == {"agreed": 0, "resolved": 1, "disputed": 2, "marked_ground_truth": 0,
                               "review_created": 0, "review_updated": 0, "review_present": 5,
                               "review_needed": 0}
    assert _truth(client, t3) == [latest_t3]
    assert len(_review(client, t1)) == 3 and len(_review(client, t2)) == 2

    # The lead settles task 2 in Label Studio (submits a version, marks it ground truth).
    lead_result = [x for x in client.annotations.list(id=t2)][0].result
    resolution = client.annotations.create(id=t2, result=lead_result, ground_truth=True, lead_time=3)
    last = json.loads(run("adjudicate", "--project", title, "--apply", "--requeue", "--json"))
    assert last["counts"]["resolved"] == 2 and last["counts"]["disputed"] == 1
    assert [d["task_id"] for d in last["disputed"]] == [t1]
    pid = ls.find_project(client, title).id
    assert last["disputed"][0]["link"] == f"{studio_env.url}/projects/{pid}/data?task={t1}"
    text = run("adjudicate", "--project", title)
    assert "Dry run" in text and "doc1" in text
    # ... and pull exports the lead's resolution for it.
    out = tmp_path / "gold2"
    CliRunner().invoke(cli, ["pull", "--project", title, "-o", str(out)], catch_exceptions=False)
    records = {r["id"]: r for r in map(json.loads, (out / "gold.jsonl").read_text().splitlines())}
    assert records["doc2"]["provenance"]["annotation"] == resolution.id
    assert records["doc2"]["provenance"]["ground_truth"] is True


def _uid(client, email: str) -> int:
    return next(u.id for u in client.users.list() if u.email == email)


def test_edit_report_on_real_predictions_counts_each_edit(studio_env):
    client = studio_env.client()
    users = make_users(client, 2)
    title = f"edits {secrets.token_hex(3)}"
    load_project(client, title, edited_export(), {k + 1: uid for k, (uid, _) in enumerate(users)})
    r = json.loads(run("report", "--project", title, "--json"))
    assert r["tasks"] == {"total": 5, "compared": 3, "not_annotated": 1, "prediction_ids_only": 0}
    m = r["models"][MODEL]
    assert {lb: {o: v[o] for o in ("predicted", "kept", "boundary_moved", "relabelled",
                                   "choice_changed", "deleted", "added")}
            for lb, v in m["labels"].items()} == {
        "Speaker": {"predicted": 4, "kept": 3, "boundary_moved": 0, "relabelled": 0,
                    "choice_changed": 0, "deleted": 1, "added": 1},
        "Quote": {"predicted": 3, "kept": 2, "boundary_moved": 1, "relabelled": 0,
                  "choice_changed": 0, "deleted": 0, "added": 0},
        "Stance": {"predicted": 4, "kept": 2, "boundary_moved": 0, "relabelled": 1,
                   "choice_changed": 1, "deleted": 0, "added": 0},
    }
    assert m["labels"]["Quote"]["recall_overlap"] == 0.75
    assert [b["bucket"] for b in r["lead_time"]] == ["0%", "51-100%", "no pre-annotation"]
    assert r["lead_time"][0]["mean_lead_time"] == 15.0


@pytest.mark.browser
def test_requeued_versions_show_up_in_the_labeling_ui(studio_env, tmp_path, browser):
    """The lead opens a disputed task in Label Studio and sees each annotator's version."""
    client = studio_env.client()
    users = make_users(client, 2)
    title = f"review {secrets.token_hex(3)}"
    (t1,) = load_project(client, title, sample_export()[1:2], {k + 1: uid for k, (uid, _) in enumerate(users)})
    run("adjudicate", "--project", title, "--apply", "--requeue")
    pid = ls.find_project(client, title).id
    page = open_task(browser, studio_env, pid, t1, width=1400, height=900)
    try:
        page.screenshot(path=str(tmp_path / "review.png"))
        tabs = page.locator(".lsf-annotation-button__name").all_inner_texts()
    finally:
        page.close()
    # Label Studio shortens tab names over 15 characters to their first 8 and last 6; the
    # email goes first in the model_version so each version stays recognisable.
    expected = [f"{e} (annotator)" for _, e in users]
    expected = [n if len(n) <= 15 else f"{n[:8]}...{n[-6:]}" for n in expected]
    assert len(set(expected)) == 2
    for name in expected:
        assert tabs.count(name) == 1, (tabs, f"see {tmp_path / 'review.png'}")
