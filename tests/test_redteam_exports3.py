"""Red team (third round) of `annotate pull --from-file` with hand-broken Label Studio exports.

The base export is the seeds converted and accepted unchanged (annotate.accept). Each test
breaks something by hand the way a user, a script or a second annotator could, and checks
that exactly what is broken is rejected with a reason (or read, when it is readable), that
the other documents still reach gold.jsonl, and that nothing crashes.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotate.accept import accepted_export
from annotate.cli import cli
from annotate.convert import expand_inputs, iter_tasks
from annotate.pull import pull

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


@pytest.fixture(scope="module")
def export() -> list[dict]:
    tasks = list(iter_tasks(expand_inputs([str(SEEDS)]), warn=lambda _m: None))
    return list(accepted_export(tasks))


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def pull_text(tmp_path: Path, text: str) -> tuple[list[dict], list[dict], object]:
    src = tmp_path / "export.json"
    src.write_text(text, encoding="utf-8")
    out = tmp_path / "gold"
    summary = pull(None, out, from_file=src)
    return read_jsonl(out / "gold.jsonl"), read_jsonl(out / "rejects.jsonl"), summary


def run_pull(tmp_path: Path, tasks: list) -> tuple[list[dict], list[dict], object]:
    return pull_text(tmp_path, json.dumps(tasks))


def doc_ids(tasks: list[dict]) -> set[str]:
    return {t["data"]["doc_id"] for t in tasks}


def result(task: dict, k: int = 0) -> list:
    return task["annotations"][k]["result"]


def regions(task: dict, label: str) -> list[dict]:
    return [r for r in result(task) if r.get("type") == "labels" and r["value"]["labels"] == [label]]


def shift(task: dict, by: int, *, annotation: bool = True, prediction: bool = True) -> None:
    """Move every region of the task's annotation and/or prediction by `by` characters."""
    for owner, moved in ((task["annotations"][0], annotation), (task["predictions"][0], prediction)):
        if moved:
            for item in owner["result"]:
                value = item.get("value") or {}
                if "start" in value:
                    value["start"] += by
                    value["end"] += by


# --- the file --------------------------------------------------------------------------------


def test_tasks_printed_one_after_another_by_jq_are_read(tmp_path, export):
    """`jq '.[]' export.json` prints each task pretty-printed, one after the other: no array,
    and not one object a line. It used to be read as one broken object ("line 1: Extra data"):
    every task lost and an empty dataset written over the output directory."""
    text = "\n".join(json.dumps(t, indent=2) for t in export) + "\n"
    gold, rejects, summary = pull_text(tmp_path, text)
    assert {r["id"] for r in gold} == doc_ids(export)
    assert rejects == [] and summary.counts.tasks == len(export)


def test_a_broken_task_in_a_stream_of_pretty_objects_loses_the_tasks_from_there(tmp_path, export):
    good = "\n".join(json.dumps(t, indent=2) for t in export[:2])
    text = good + "\n{\"data\": {\"text\": \n"  # cut in the middle of the third task
    gold, rejects, _ = pull_text(tmp_path, text)
    assert {r["id"] for r in gold} == doc_ids(export[:2])
    assert [(r["input"], r["errors"][0]["code"]) for r in rejects] == [("item:3", "truncated_json")]


def test_two_exports_joined_with_cat_say_how_to_join_them(tmp_path, export):
    src = tmp_path / "both.json"
    src.write_text(json.dumps(export[:2]) + "\n" + json.dumps(export[2:]) + "\n", encoding="utf-8")
    result_ = CliRunner().invoke(cli, ["pull", "--from-file", str(src), "-o", str(tmp_path / "gold")])
    assert result_.exit_code == 2, result_.output
    assert "two JSON arrays" in result_.output and "jq -s add" in result_.output, result_.output
    assert not (tmp_path / "gold" / "gold.jsonl").exists()
