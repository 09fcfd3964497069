"""Unit tier: a lead_time that is a whole number too big for a float (a hand-edited or hostile
export) is a clear reject in pull and ignored with a note in agree/report: never a crash."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotate.annotations import spans_with_text
from annotate.cli import cli
from annotate.io import is_seconds
from annotate.pull import pull

from . import test_redteam_exports3 as _redteam_exports3


@pytest.mark.parametrize(("value", "ok"), [
    (0, True), (42, True), (42.5, True), (10 ** 12, True),
    (10 ** 12 + 1, False), (10 ** 400, False), (-1, False), (-0.5, False),
    (float("nan"), False), (float("inf"), False), (True, False), ("42", False), (None, False),
])
def test_is_seconds(value, ok):
    assert is_seconds(value) is ok


export = _redteam_exports3.export  # the seeds' export, every prediction accepted unchanged


def huge_lead(export: list[dict], tmp_path: Path) -> Path:
    """The export with the first task's annotation given a lead_time of 10**400 (JSON allows it)."""
    text = json.dumps(export)
    first = json.dumps(export[0])
    changed = json.loads(first)
    changed["annotations"][0]["lead_time"] = 0  # a placeholder with a unique spelling below
    marked = json.dumps(changed).replace('"lead_time": 0', '"lead_time": ' + "9" * 400, 1)
    src = tmp_path / "export.json"
    src.write_text(text.replace(first, marked, 1), encoding="utf-8")
    return src


def test_pull_rejects_the_task_with_a_400_digit_lead_time_and_keeps_the_rest(tmp_path, export):
    src = huge_lead(export, tmp_path)
    out = tmp_path / "gold"
    pull(None, out, from_file=src)
    gold = (out / "gold.jsonl").read_text(encoding="utf-8").splitlines()
    rejects = [json.loads(line) for line in (out / "rejects.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(gold) == len(export) - 1
    assert len(rejects) == 1
    assert "lead_time" in json.dumps(rejects[0])
    assert "9" * 400 not in json.dumps(rejects[0])  # the message shows the start of the value only


@pytest.mark.parametrize("command", ["agree", "report"])
def test_agree_and_report_ignore_a_400_digit_lead_time_instead_of_crashing(tmp_path, export, command):
    src = huge_lead(export, tmp_path)
    result = CliRunner().invoke(cli, [command, "--from-file", str(src), "--json"])
    assert result.exit_code == 0, result.output
    assert "bug" not in result.output.lower()


def test_spans_with_text_skips_a_label_whose_id_is_not_a_string():
    result = [{"id": ["a", "list"], "type": "labels", "from_name": "label", "to_name": "text",
               "value": {"start": 0, "end": 2, "text": "He", "labels": ["Speaker"]}},
              {"id": "ok", "type": "labels", "from_name": "label", "to_name": "text",
               "value": {"start": 0, "end": 2, "text": "He", "labels": ["Speaker"]}}]
    spans, relations = spans_with_text(result)
    assert [s["id"] for s in spans] == ["ok"] and spans[0]["text"] == "He" and relations == []
