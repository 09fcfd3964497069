"""The accept-unchanged invariant through a real Label Studio: push the seeds, submit every
prediction as the annotation without a change (what pressing Submit on an untouched task
does), pull: every task comes out gold, with the prediction's regions."""

from __future__ import annotations

import json

from click.testing import CliRunner

from annotate.cli import cli

from .conftest import SEEDS


def test_seeds_accepted_unchanged_in_label_studio_pull_as_gold(studio_env, tmp_path):
    title = "Contract: accept unchanged"
    runner = CliRunner()
    pushed = runner.invoke(cli, ["push", str(SEEDS), "--project", title])
    assert pushed.exit_code == 0, pushed.output
    client = studio_env.client()
    project = next(p for p in client.projects.list() if p.title == title)
    tasks = list(client.tasks.list(project=project.id, fields="all"))
    assert len(tasks) == 5
    predicted = {}
    for task in tasks:
        prediction = task.predictions[0]
        result = prediction["result"] if isinstance(prediction, dict) else prediction.result
        assert result, "every seed has predictions"
        client.annotations.create(id=task.id, result=result, lead_time=3.0)
        predicted[task.data["doc_id"]] = result

    out = tmp_path / "gold"
    pulled = runner.invoke(cli, ["pull", "--project", title, "-o", str(out)])
    assert pulled.exit_code == 0, pulled.output
    records = [json.loads(line) for line in (out / "gold.jsonl").read_text().splitlines()]
    assert sorted(r["id"] for r in records) == sorted(predicted)
    assert (out / "rejects.jsonl").read_text() == ""
    for record in records:
        labels = sorted((r["value"]["start"], r["value"]["end"], r["value"]["labels"][0])
                        for r in predicted[record["id"]] if r["type"] == "labels")
        assert sorted((s["start"], s["end"], s["label"]) for s in record["spans"]) == labels
        edits = record["provenance"]["edits"]["spans"]
        assert edits["changed"] == edits["added"] == edits["deleted"] == 0
        unattributed = [q for q in record["quotes"] if q["unattributed"]]
        assert all(q["speaker_span"] is None for q in unattributed)
        assert all(q["speaker_span"] for q in record["quotes"] if not q["unattributed"])
