"""Red team of `annotate pull --from-file` with hand-broken Label Studio exports.

The base export is the seeds converted and accepted unchanged (annotate.accept); each test
breaks one task by hand and checks that exactly that task is rejected, loudly, and the other
documents still reach gold.jsonl.
"""

from __future__ import annotations

import copy
import json
import math
from pathlib import Path

import pytest

from annotate.accept import accepted_export
from annotate.convert import expand_inputs, iter_tasks
from annotate.pull import pull

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


@pytest.fixture(scope="module")
def export() -> list[dict]:
    tasks = list(iter_tasks(expand_inputs([str(SEEDS)]), warn=lambda _m: None))
    return list(accepted_export(tasks))


def run_pull(tmp_path: Path, tasks: list) -> tuple[list[dict], list[dict], str]:
    src = tmp_path / "export.json"
    src.write_text(json.dumps(tasks), encoding="utf-8")  # json.dumps writes NaN / Infinity as LS never should
    out = tmp_path / "gold"
    pull(None, out, from_file=src)
    gold_text = (out / "gold.jsonl").read_text(encoding="utf-8")
    gold = [json.loads(line) for line in gold_text.splitlines()]
    rejects = [json.loads(line) for line in (out / "rejects.jsonl").read_text(encoding="utf-8").splitlines()]
    return gold, rejects, gold_text


def strict_loads(line: str):
    """JSON as every other reader sees it: NaN / Infinity are not JSON."""
    def refuse(token):
        raise ValueError(f"{token} is not JSON")
    return json.loads(line, parse_constant=refuse)


@pytest.mark.parametrize("where", ["data", "meta", "lead_time", "prediction_score"])
@pytest.mark.parametrize("number", [math.nan, math.inf, -math.inf])
def test_non_finite_number_is_rejected_not_written_as_nan(tmp_path, export, where, number):
    tasks = copy.deepcopy(export)
    task = tasks[0]
    if where == "data":
        task["data"]["rating"] = number  # an extra data field: copied to meta.extra
    elif where == "meta":
        task["meta"]["score"] = number
    elif where == "lead_time":
        task["annotations"][0]["lead_time"] = number
    else:
        task["predictions"][0]["score"] = number
    gold, rejects, gold_text = run_pull(tmp_path, tasks)
    # the other four seeds are untouched and still gold; gold.jsonl is strict JSON
    assert len(gold) == len(export) - 1
    for line in gold_text.splitlines():
        strict_loads(line)
    assert [r["task"] for r in rejects] == [task["id"]]
    codes = {e["code"] for e in rejects[0]["errors"]}
    assert codes == {"non_finite_number"}, rejects[0]["errors"]
    assert "not JSON" in rejects[0]["errors"][0]["message"]


def first_region(task: dict, label: str) -> dict:
    return next(r for r in task["annotations"][0]["result"]
                if r.get("type") == "labels" and r["value"]["labels"] == [label])


def test_start_after_end_says_so(tmp_path, export):
    tasks = copy.deepcopy(export)
    region = first_region(tasks[0], "Speaker")
    value = region["value"]
    start, end = value["start"], value["end"]
    value["start"], value["end"] = end, start  # swapped by hand
    gold, rejects, _ = run_pull(tmp_path, tasks)
    assert len(gold) == len(export) - 1
    errors = [e for e in rejects[0]["errors"] if e["code"] == "offset_out_of_range"]
    assert len(errors) == 1
    assert f"start {end} is after end {start}" in errors[0]["message"], errors
    assert "outside the text" not in errors[0]["message"]


def shift_offsets(items: list, moved) -> None:
    for r in items:
        value = r.get("value") or {}
        if "start" in value:
            value["start"], value["end"] = moved(value["start"]), moved(value["end"])


def test_offsets_in_utf16_code_units_are_rejected_with_the_reason(tmp_path, export):
    """Label Studio before 1.4 counted an emoji as two (JavaScript string units)."""
    tasks = copy.deepcopy(export)
    task = tasks[0]
    task["data"]["text"] = "\U0001F600 " + task["data"]["text"]  # 1 code point + space, 2 UTF-16 units + space
    task["meta"].pop("text_sha256")
    shift_offsets(task["predictions"][0]["result"], lambda i: i + 2)  # ours: code points
    shift_offsets(task["annotations"][0]["result"], lambda i: i + 3)  # the old frontend's UTF-16 units
    ok = copy.deepcopy(tasks[1])
    ok["data"]["text"] = "\U0001F600 " + ok["data"]["text"]
    ok["meta"].pop("text_sha256")
    for a in (ok["predictions"][0], ok["annotations"][0]):
        shift_offsets(a["result"], lambda i: i + 2)  # code points throughout: fine
    tasks[1] = ok
    gold, rejects, _ = run_pull(tmp_path, tasks)
    assert len(gold) == len(export) - 1 and ok["data"]["doc_id"] in {r["id"] for r in gold}
    assert [r["task"] for r in rejects] == [task["id"]]
    region = first_region(export[0], "Speaker")  # where the first Speaker really is, after the shift
    start, end = region["value"]["start"] + 2, region["value"]["end"] + 2
    messages = [e["message"] for e in rejects[0]["errors"] if e["code"] == "text_mismatch"]
    assert messages and "UTF-16" in messages[0], messages  # the hint, on the first ones at least
    assert any(f"{start}:{end}" in m for m in messages), messages


def test_offsets_counting_crlf_as_one_are_rejected_with_the_reason(tmp_path, export):
    tasks = copy.deepcopy(export)
    task = tasks[0]
    text = task["data"]["text"]
    assert "\n" in text and "\r" not in text
    task["data"]["text"] = text.replace("\n", "\r\n")
    task["meta"].pop("text_sha256")
    shift_offsets(task["predictions"][0]["result"], lambda i: i + text.count("\n", 0, i))
    # the annotation keeps the offsets of the "\n" text: each "\r\n" counted as one
    gold, rejects, _ = run_pull(tmp_path, tasks)
    assert len(gold) == len(export) - 1
    assert [r["task"] for r in rejects] == [task["id"]]
    messages = [e["message"] for e in rejects[0]["errors"] if e["code"] == "text_mismatch"]
    assert messages and "\\r\\n" in messages[0], messages
    # the first mismatched region: its offsets counted in the "\r\n" text
    bad = next(r["value"] for r in task["annotations"][0]["result"]
               if r.get("type") == "labels" and text.count("\n", 0, r["value"]["start"]))
    start = bad["start"] + text.count("\n", 0, bad["start"])
    end = bad["end"] + text.count("\n", 0, bad["end"])
    assert any(f"{start}:{end}" in m for m in messages), messages


def json_min(task: dict) -> dict:
    """A task as Label Studio's JSON_MIN export writes it: data at the top level, no relations."""
    labels = [dict(r["value"]) for r in task["annotations"][0]["result"] if r.get("type") == "labels"]
    return {"id": task["id"], "text": task["data"]["text"], "doc_id": task["data"]["doc_id"],
            "label": labels, "annotator": 1, "annotation_id": task["id"], "lead_time": 1.0}


def test_json_min_export_says_to_export_full_json(tmp_path, export):
    from annotate.pull import validate_file

    tasks = [json_min(export[0])] + copy.deepcopy(export[1:])  # one task re-exported as JSON_MIN
    gold, rejects, _ = run_pull(tmp_path, tasks)
    assert len(gold) == len(export) - 1
    assert len(rejects) == 1
    message = rejects[0]["errors"][0]["message"]
    assert rejects[0]["errors"][0]["code"] == "missing_data"
    assert "JSON_MIN" in message and "full JSON" in message, message
    only_min = tmp_path / "min.json"
    only_min.write_text(json.dumps([json_min(t) for t in export]), encoding="utf-8")
    report = validate_file(only_min)
    assert report.valid == 0
    assert any("JSON_MIN" in line for line in report.lines()), report.lines()


@pytest.mark.parametrize("flag, value", [("was_cancelled", "false"), ("was_cancelled", 0),
                                         ("ground_truth", "true"), ("ground_truth", 1)])
def test_flag_that_is_not_a_boolean_is_rejected(tmp_path, export, flag, value):
    """"false" is truthy: it used to count a good annotation as cancelled and drop it quietly."""
    tasks = copy.deepcopy(export)
    tasks[0]["annotations"][0][flag] = value
    gold, rejects, _ = run_pull(tmp_path, tasks)
    assert len(gold) == len(export) - 1
    assert [r["task"] for r in rejects] == [tasks[0]["id"]]
    error = rejects[0]["errors"][0]
    assert error["code"] == "malformed_annotation" and error["path"] == f"/annotations/0/{flag}"
    assert flag in error["message"] and "true or false" in error["message"]


def test_a_region_given_two_different_values_of_one_choice_is_rejected(tmp_path, export):
    tasks = copy.deepcopy(export)
    result = tasks[0]["annotations"][0]["result"]
    choice = next(r for r in result if r.get("type") == "choices" and r["from_name"] == "quote_type")
    other = copy.deepcopy(choice)
    old = choice["value"]["choices"][0]
    new = "indirect" if old != "indirect" else "direct"
    other["value"]["choices"] = [new]
    result.append(other)  # the same region's quote_type twice: which one is meant?
    gold, rejects, _ = run_pull(tmp_path, tasks)
    assert len(gold) == len(export) - 1
    errors = rejects[0]["errors"]
    assert [e["code"] for e in errors] == ["multiple_choices"], errors
    assert errors[0]["path"] == f"/annotations/0/result/{len(result) - 1}/value/choices"
    assert repr(old) in errors[0]["message"] and repr(new) in errors[0]["message"]
    assert choice["id"] in errors[0]["message"]


def test_a_number_too_long_for_python_loses_only_its_task(tmp_path, export):
    """Python refuses to convert an integer of more than 4300 digits; the other tasks of the
    array used to be lost with it ("the rest of the file is not read")."""
    tasks = copy.deepcopy(export)
    tasks[1]["annotations"][0]["lead_time"] = 7  # replaced by a 5000-digit number below
    text = json.dumps(tasks).replace('"lead_time": 7', '"lead_time": 1' + "0" * 5000, 1)
    src = tmp_path / "export.json"
    src.write_text(text, encoding="utf-8")
    out = tmp_path / "gold"
    summary = pull(None, out, from_file=src)
    gold = [json.loads(line) for line in (out / "gold.jsonl").read_text(encoding="utf-8").splitlines()]
    assert {r["id"] for r in gold} == {t["data"]["doc_id"] for t in export} - {export[1]["data"]["doc_id"]}
    rejects = [json.loads(line) for line in (out / "rejects.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(r["input"], r["errors"][0]["code"]) for r in rejects] == [("item:2", "invalid_json")]
    assert "digits" in rejects[0]["errors"][0]["message"]
    assert summary.counts.gold == len(export) - 1
