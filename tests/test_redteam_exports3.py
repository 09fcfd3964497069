"""Red team (third round) of `annotate pull --from-file` with hand-broken Label Studio exports.

The base export is the seeds converted and accepted unchanged (annotate.accept). Each test
breaks something by hand the way a user, a script or a second annotator could, and checks
that exactly what is broken is rejected with a reason (or read, when it is readable), that
the other documents still reach gold.jsonl, and that nothing crashes.
"""

from __future__ import annotations

import copy
import json
import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotate.accept import accepted_export
from annotate.cli import cli
from annotate.convert import expand_inputs, iter_tasks
from annotate.io import sha256_text
from annotate.pull import pull, validate_file

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


# --- what the record keeps of the task: doc_id, ids, lead time, annotator -------------------


def test_a_numeric_doc_id_is_the_record_id_as_text(tmp_path, export):
    """A task imported by hand with {"doc_id": 17} used to become record "task-1": the
    document's id was dropped without a word."""
    tasks = copy.deepcopy(export)
    tasks[0]["data"]["doc_id"] = 17
    gold, rejects, _ = run_pull(tmp_path, tasks)
    assert rejects == []
    assert {r["id"] for r in gold} == {"17"} | doc_ids(export[1:])


def test_a_numeric_doc_id_and_the_same_id_as_text_are_one_document_twice(tmp_path, export):
    tasks = copy.deepcopy(export)
    tasks[0]["data"]["doc_id"] = 17
    tasks[1]["data"]["doc_id"] = "17"
    gold, rejects, _ = run_pull(tmp_path, tasks)
    assert [(r["id"], r["errors"][0]["code"]) for r in rejects] == [("17", "duplicate_record")]


@pytest.mark.parametrize("doc_id", [1.5, True, ["a"], {"id": "a"}])
def test_a_doc_id_that_is_no_id_is_rejected_with_the_reason(tmp_path, export, doc_id):
    tasks = copy.deepcopy(export)
    tasks[0]["data"]["doc_id"] = doc_id
    gold, rejects, _ = run_pull(tmp_path, tasks)
    assert {r["id"] for r in gold} == doc_ids(export[1:])
    assert [r["task"] for r in rejects] == [tasks[0]["id"]]
    errors = rejects[0]["errors"]
    assert [(e["code"], e["path"]) for e in errors] == [("malformed_field", "/data/doc_id")], errors
    assert "doc_id" in errors[0]["message"] and json.dumps(doc_id) in errors[0]["message"]


@pytest.mark.parametrize("where, value, path", [
    ("lead_time", "12.5", "/annotations/0/lead_time"),
    ("lead_time", [12.5], "/annotations/0/lead_time"),
    ("lead_time", True, "/annotations/0/lead_time"),
    ("annotation_id", "1", "/annotations/0/id"),
    ("task_id", "1", "/id"),
    ("project", "1", "/project"),
    ("completed_by", "2", "/annotations/0/completed_by"),
    ("completed_by", 2.0, "/annotations/0/completed_by"),
])
def test_a_number_given_as_text_is_rejected_not_recorded_as_null(tmp_path, export, where, value, path):
    """Numbers as strings used to reach gold.jsonl as null: the provenance lost the task id,
    the annotation id, the annotator or the lead time without a word."""
    tasks = copy.deepcopy(export)
    task, annotation = tasks[0], tasks[0]["annotations"][0]
    if where == "task_id":
        task["id"] = value
    elif where == "project":
        task["project"] = value
    elif where == "annotation_id":
        annotation["id"] = value
    else:
        annotation[where] = value
    gold, rejects, _ = run_pull(tmp_path, tasks)
    assert {r["id"] for r in gold} == doc_ids(export[1:])
    assert len(rejects) == 1 and rejects[0]["id"] == export[0]["data"]["doc_id"]
    errors = rejects[0]["errors"]
    assert [(e["code"], e["path"]) for e in errors] == [("malformed_field", path)], errors
    assert json.dumps(value) in errors[0]["message"]


def test_a_text_id_on_another_annotation_is_rejected_too(tmp_path, export):
    """provenance.annotations lists every submitted annotation: a text id there was dropped."""
    tasks = copy.deepcopy(export)
    other = copy.deepcopy(tasks[0]["annotations"][0])
    other.update(id="7", completed_by=2, updated_at="2025-12-01T00:00:00.000000Z")  # older: not chosen
    tasks[0]["annotations"].append(other)
    gold, rejects, _ = run_pull(tmp_path, tasks)
    assert {r["id"] for r in gold} == doc_ids(export[1:])
    assert [(e["code"], e["path"]) for e in rejects[0]["errors"]] == [("malformed_field", "/annotations/1/id")]


def test_a_user_object_a_missing_lead_time_and_a_deleted_user_are_fine(tmp_path, export):
    """What Label Studio does write: completed_by as an object, no lead_time, null ids of a
    deleted user's annotation (the id of a user no longer in the organisation is kept)."""
    tasks = copy.deepcopy(export)
    tasks[0]["annotations"][0]["completed_by"] = {"id": 3, "email": "ann@example.com"}
    tasks[1]["annotations"][0].pop("lead_time")
    tasks[2]["annotations"][0]["completed_by"] = 999_999
    tasks[3]["annotations"][0]["lead_time"] = None
    gold, rejects, _ = run_pull(tmp_path, tasks)
    assert rejects == [] and len(gold) == len(export)
    by_id = {r["id"]: r["provenance"] for r in gold}
    assert by_id[export[0]["data"]["doc_id"]]["annotator"] == {"id": 3, "email": "ann@example.com"}
    assert by_id[export[1]["data"]["doc_id"]]["lead_time"] is None
    assert by_id[export[2]["data"]["doc_id"]]["annotator"] == {"id": 999_999, "email": None}


# --- value.text and data.text that differ in Unicode-subtle ways -----------------------------


def with_prefix(task: dict, prefix: str) -> None:
    """Put `prefix` before the task's text, its regions moved along (in code points)."""
    task["data"]["text"] = prefix + task["data"]["text"]
    task["meta"].pop("text_sha256")
    shift(task, len(prefix))


def test_a_value_text_in_another_normal_form_is_tolerated_and_never_copied(tmp_path, export):
    """value.text "Café" written decomposed (NFD: e + combining accent) over an NFC text with
    right offsets: the same text to a reader, as collapsed whitespace is. It was a
    text_mismatch whose message showed two identical-looking strings."""
    tasks = copy.deepcopy(export)
    task = tasks[0]
    with_prefix(task, "Caf\u00e9 says. ")
    result(task).append({"id": "spCafe", "from_name": "label", "to_name": "text", "type": "labels",
                         "value": {"start": 0, "end": 4, "text": unicodedata.normalize("NFD", "Caf\u00e9"),
                                   "labels": ["Speaker"]}})
    gold, rejects, _ = run_pull(tmp_path, tasks)
    assert rejects == []
    record = next(r for r in gold if r["id"] == task["data"]["doc_id"])
    span = next(s for s in record["spans"] if s["id"] == "spCafe")
    assert span["text"] == "Caf\u00e9" and len(span["text"]) == 4  # the text at the offsets, NFC


def test_a_prediction_value_text_in_another_normal_form_is_still_refused(export):
    """What we predict is exact (SPEC section 3): only Label Studio's copy is tolerated."""
    from annotate.validate import check_result

    text = "Caf\u00e9 says hello."
    item = {"id": "sp0-4", "from_name": "label", "to_name": "text", "type": "labels",
            "value": {"start": 0, "end": 4, "text": unicodedata.normalize("NFD", "Caf\u00e9"), "labels": ["Speaker"]}}
    assert "text_mismatch" in {e.code for e in check_result([item], text, [], prediction=True)}


def test_a_text_normalised_to_nfd_after_annotation_says_so(tmp_path, export):
    """An editor that saves decomposed text (NFD) moves every offset after an accented letter;
    the reject says the text was re-normalised, not only that every region is off."""
    tasks = copy.deepcopy(export)
    task = tasks[0]
    with_prefix(task, "Caf\u00e9 says. ")
    task["meta"]["text_sha256"] = sha256_text(task["data"]["text"])  # pushed in NFC
    task["data"]["text"] = unicodedata.normalize("NFD", task["data"]["text"])
    gold, rejects, _ = run_pull(tmp_path, tasks)
    assert {r["id"] for r in gold} == doc_ids(export[1:])
    errors = rejects[0]["errors"]
    hashes = [e["message"] for e in errors if e["code"] == "text_hash_mismatch"]
    assert len(hashes) == 1 and "NFC" in hashes[0], errors
    mismatches = [e["message"] for e in errors if e["code"] == "text_mismatch"]
    assert mismatches and "NFC" in mismatches[0], mismatches


def test_a_byte_order_mark_put_before_the_text_says_so(tmp_path, export):
    """A text re-saved with a BOM ("\\ufeff" first) moves every offset by one."""
    tasks = copy.deepcopy(export)
    task = tasks[0]
    first = regions(task, "Speaker")[0]["value"]
    task["data"]["text"] = "\ufeff" + task["data"]["text"]  # regions not moved: they count without it
    gold, rejects, _ = run_pull(tmp_path, tasks)
    assert {r["id"] for r in gold} == doc_ids(export[1:])
    errors = rejects[0]["errors"]
    hashes = [e["message"] for e in errors if e["code"] == "text_hash_mismatch"]
    assert len(hashes) == 1 and "U+FEFF" in hashes[0], errors
    mismatches = [e["message"] for e in errors if e["code"] == "text_mismatch"]
    assert mismatches and "U+FEFF" in mismatches[0], mismatches
    assert f"{first['start'] + 1}:{first['end'] + 1}" in mismatches[0]


def test_crlf_put_into_the_text_after_push_says_so_in_the_hash_error(tmp_path, export):
    tasks = copy.deepcopy(export)
    task = tasks[0]
    text = task["data"]["text"]
    task["data"]["text"] = text.replace("\n", "\r\n")
    shift_by = lambda i: i + text.count("\n", 0, i)  # noqa: E731  offsets follow the new text: only the hash says
    for owner in (task["annotations"][0], task["predictions"][0]):
        for item in owner["result"]:
            value = item.get("value") or {}
            if "start" in value:
                value["start"], value["end"] = shift_by(value["start"]), shift_by(value["end"])
    gold, rejects, _ = run_pull(tmp_path, tasks)
    errors = rejects[0]["errors"]
    assert [e["code"] for e in errors] == ["text_hash_mismatch"], errors
    assert "\\r\\n" in errors[0]["message"]


def test_text_with_a_bom_emoji_zwj_and_combining_marks_annotated_consistently_is_gold(tmp_path, export):
    """Offsets in code points over a text that starts with a BOM and holds a ZWJ family emoji
    and a decomposed letter: all legal, nothing to reject, the text kept exactly."""
    tasks = copy.deepcopy(export)
    task = tasks[0]
    prefix = "\ufeff\U0001F468\u200d\U0001F469\u200d\U0001F467 Cafe\u0301 "
    with_prefix(task, prefix)
    gold, rejects, _ = run_pull(tmp_path, tasks)
    assert rejects == []
    record = next(r for r in gold if r["id"] == task["data"]["doc_id"])
    assert record["text"].startswith(prefix)
    for span in record["spans"]:
        assert span["text"] == record["text"][span["start"]:span["end"]]


def test_zwj_emoji_counted_in_utf16_units_is_diagnosed(tmp_path, export):
    tasks = copy.deepcopy(export)
    task = tasks[0]
    family = "\U0001F468\u200d\U0001F469\u200d\U0001F467 "  # 6 code points, 9 UTF-16 units
    with_prefix(task, family)
    shift(task, 3, prediction=False)  # the annotation counted in UTF-16 units
    gold, rejects, _ = run_pull(tmp_path, tasks)
    mismatches = [e["message"] for e in rejects[0]["errors"] if e["code"] == "text_mismatch"]
    assert mismatches and "UTF-16" in mismatches[0], mismatches


# --- regions and relations a second annotator (or a script) can break -------------------------


def test_one_region_id_on_two_regions_names_both_items(tmp_path, export):
    """The same region id given to a Speaker and a Quote: the error used to say "is also
    /spans/0" (a gold-record path, in an error about the export) and never named the second."""
    tasks = copy.deepcopy(export)
    items = result(tasks[0])
    first = next(i for i, r in enumerate(items) if r.get("type") == "labels" and r["value"]["labels"] == ["Speaker"])
    twin = copy.deepcopy(items[first])
    twin["value"]["labels"] = ["Quote"]
    items.append(twin)
    gold, rejects, _ = run_pull(tmp_path, tasks)
    assert {r["id"] for r in gold} == doc_ids(export[1:])
    dup = [e for e in rejects[0]["errors"] if e["code"] == "duplicate_id"]
    assert len(dup) == 1, rejects[0]["errors"]
    assert dup[0]["path"] == f"/annotations/0/result/{first}"
    assert f"/annotations/0/result/{len(items) - 1}" in dup[0]["message"] and "/spans/" not in dup[0]["message"]
    assert "Speaker" in dup[0]["message"] and "Quote" in dup[0]["message"]


def test_a_relation_to_a_region_of_another_annotation_says_whose_region_it_is(tmp_path, export):
    """A second annotator's said_by arrows copied by a script onto the first annotator's
    regions: the region ids exist on the task, in the other annotation, not in this one."""
    tasks = copy.deepcopy(export)
    task = tasks[0]
    second = copy.deepcopy(task["annotations"][0])
    second.update(id=900, completed_by=2, updated_at="2026-02-01T00:00:00.000000Z")
    for item in second["result"]:
        if item.get("type") in ("labels", "choices"):
            item["id"] = "B" + item["id"]
        elif item.get("type") == "relation":
            item["from_id"] = "B" + item["from_id"]  # to_id: still the first annotation's region
    task["annotations"].append(second)
    gold, rejects, _ = run_pull(tmp_path, tasks)
    assert {r["id"] for r in gold} == doc_ids(export[1:])
    dangling = [e for e in rejects[0]["errors"] if e["code"] == "dangling_relation"]
    assert dangling and all(e["path"].startswith("/annotations/1/result/") for e in dangling)
    assert all("annotation 1 " in e["message"] and "two annotations" in e["message"] for e in dangling), dangling


def test_a_document_in_the_export_twice_and_two_documents_sharing_an_id_are_told_apart(tmp_path, export):
    tasks = copy.deepcopy(export)
    tasks.append(copy.deepcopy(export[0]))  # two exports joined: the same task twice
    tasks[1]["data"]["doc_id"] = export[2]["data"]["doc_id"]  # another text under a taken doc_id
    gold, rejects, _ = run_pull(tmp_path, tasks)
    messages = {r["input"]: r["errors"][0]["message"] for r in rejects}
    assert {r["errors"][0]["code"] for r in rejects} == {"duplicate_record"}
    assert set(messages) == {"item:3", f"item:{len(tasks)}"}
    assert "same text" in messages[f"item:{len(tasks)}"], messages
    assert "different text" in messages["item:3"], messages


def test_a_stance_on_a_task_without_targets_says_the_task_has_none(tmp_path, export):
    """A task imported by hand without data.targets: every stance target is unknown, and the
    reason is the missing list, not the stance."""
    tasks = copy.deepcopy(export)
    del tasks[0]["data"]["targets"]
    gold, rejects, _ = run_pull(tmp_path, tasks)
    errors = rejects[0]["errors"]
    assert errors and {e["code"] for e in errors} == {"unknown_target"}
    assert all("no data.targets" in e["message"] for e in errors), errors


@pytest.mark.parametrize("field, value", [("updated_at", "June 1st"), ("updated_at", 1780272000),
                                          ("created_at", "yesterday")])
def test_a_newer_annotation_with_an_unreadable_time_is_not_passed_over_quietly(tmp_path, export, field, value):
    """A second annotator's newer annotation whose time cannot be read used to count as the
    oldest: the first annotator's version became gold, exit 0, nothing said."""
    tasks = copy.deepcopy(export)
    task = tasks[0]
    newer = copy.deepcopy(task["annotations"][0])
    newer.update(id=500, completed_by=2, created_at="2026-06-01T00:00:00.000000Z",
                 updated_at="2026-06-01T00:00:00.000000Z")
    if field == "created_at":
        newer.pop("updated_at")
    newer[field] = value
    task["annotations"].append(newer)
    gold, rejects, _ = run_pull(tmp_path, tasks)
    assert {r["id"] for r in gold} == doc_ids(export[1:])
    errors = rejects[0]["errors"]
    assert [(e["code"], e["path"]) for e in errors] == [("malformed_field", f"/annotations/1/{field}")], errors
    assert json.dumps(value) in errors[0]["message"]


def test_label_studio_times_in_every_form_it_writes_choose_the_newest(tmp_path, export):
    """Nanoseconds, an offset instead of Z, no fraction: all readable, the newest wins."""
    tasks = copy.deepcopy(export)
    task = tasks[0]
    task["annotations"][0]["updated_at"] = "2026-06-01T12:00:00+05:00"  # 07:00 UTC
    newer = copy.deepcopy(task["annotations"][0])
    newer.update(id=500, completed_by=2, updated_at="2026-06-01T07:00:00.123456789Z")
    task["annotations"].append(newer)
    gold, rejects, _ = run_pull(tmp_path, tasks)
    assert rejects == []
    record = next(r for r in gold if r["id"] == export[0]["data"]["doc_id"])
    assert record["provenance"]["annotation"] == 500


# --- what reaches the terminal -------------------------------------------------------------------

EVIL_ID = "doc\x1b[2J\x1b]0;owned\x07\u202eevil"


def test_validate_lines_escape_terminal_controls_from_the_export(tmp_path, export):
    """A doc_id or a label with escape sequences or a bidi override is printed by `annotate
    validate` (and `pull --on-error fail`): raw, a terminal would obey them (clear the screen,
    retitle the window, reverse the line). `agree` and `report` escaped them already."""
    from annotate.errors import ValidationFailed

    tasks = copy.deepcopy(export)
    tasks[0]["data"]["doc_id"] = EVIL_ID
    regions(tasks[0], "Speaker")[0]["value"]["labels"] = ["Spe\x1b[31maker\u202e"]
    src = tmp_path / "export.json"
    src.write_text(json.dumps(tasks), encoding="utf-8")
    lines = "\n".join(validate_file(src).lines())
    assert "unknown_label" in lines
    for raw in ("\x1b", "\x07", "\u202e"):
        assert raw not in lines
    assert "\\x1b" in lines and "\\u202e" in lines
    with pytest.raises(ValidationFailed) as failed:
        pull(None, tmp_path / "gold", from_file=src, on_error="fail")
    for raw in ("\x1b", "\x07", "\u202e"):
        assert raw not in str(failed.value)
    # the rejects file keeps the values exactly (JSON escapes them)
    pull(None, tmp_path / "gold", from_file=src)
    assert read_jsonl(tmp_path / "gold" / "rejects.jsonl")[0]["id"] == EVIL_ID


# --- an annotation with thousands of regions ---------------------------------------------------


def test_thousands_of_bad_stances_are_checked_in_linear_time(export):
    """A script-made annotation with 10,000 stances whose target the task lacks: every error
    was compared with every other one (50 million pairs: 25 s of CPU for one task on a loaded machine, against about 2 s now)."""
    import time

    from annotate.pull import process_task

    task = copy.deepcopy(export[0])
    text = task["data"]["text"]
    quote = regions(task, "Quote")[0]
    a, b = quote["value"]["start"], quote["value"]["end"]
    items = [r for r in result(task) if r.get("type") != "relation" and r.get("id") == quote["id"]]
    items.append({"id": "sp", "from_name": "label", "to_name": "text", "type": "labels",
                  "value": {"start": 0, "end": 3, "text": text[0:3], "labels": ["Speaker"]}})
    items.append({"from_id": quote["id"], "to_id": "sp", "type": "relation", "direction": "right",
                  "labels": ["said_by"]})
    n = 10_000
    for i in range(n):
        s = a + i % (b - a - 1)
        value = {"start": s, "end": s + 1, "text": text[s:s + 1]}
        items.append({"id": f"st{i}", "from_name": "label", "to_name": "text", "type": "labels",
                      "value": {**value, "labels": ["Stance"]}})
        items.append({"id": f"st{i}", "from_name": "polarity", "to_name": "text", "type": "choices",
                      "value": {**value, "choices": ["favor"]}})
        items.append({"id": f"st{i}", "from_name": "target", "to_name": "text", "type": "choices",
                      "value": {**value, "choices": ["Atlantis"]}})
    task["annotations"][0]["result"] = items
    started = time.process_time()
    outcome = process_task(task)
    spent = time.process_time() - started
    codes = [e.code for e in outcome.errors]
    assert codes.count("unknown_target") == n and set(codes) <= {"unknown_target", "empty_span"}, set(codes)
    assert spent < 10, f"{spent:.1f} s of CPU for one task"


def test_stance_inside_a_quote_agrees_with_the_pairwise_rule():
    """The sorted-ends lookup gives what comparing every stance with every quote gives."""
    import random

    from annotate.validate import validate_record

    rng = random.Random(3)
    text = "x" * 200
    for _ in range(200):
        spans = []
        for k in range(rng.randint(0, 6)):
            a = rng.randrange(0, 190)
            spans.append({"id": f"q{k}", "label": "Quote", "start": a, "end": rng.randint(a + 1, 200),
                          "quote_type": "direct", "unattributed": True})
        for k in range(rng.randint(1, 6)):
            a = rng.randrange(0, 199)
            spans.append({"id": f"s{k}", "label": "Stance", "start": a, "end": rng.randint(a + 1, 200),
                          "polarity": "favor", "target": "T"})
        record = {"text": text, "spans": spans, "relations": [], "targets": ["T"]}
        outside = {e.path for e in validate_record(record) if e.code == "stance_outside_quote"}
        want = {f"/spans/{i}" for i, s in enumerate(spans) if s["label"] == "Stance" and not any(
            q["label"] == "Quote" and q["start"] <= s["start"] and s["end"] <= q["end"] for q in spans)}
        assert outside == want


def test_a_long_refers_to_chain_is_followed_once_not_once_per_speaker(export):
    """20,000 speakers each referring to the one before, the first to the last: the loop check
    walked the whole chain from every speaker (400 million steps for one task)."""
    import time

    from annotate.pull import process_task

    task = copy.deepcopy(export[0])
    text = task["data"]["text"]
    n = 20_000
    items = []
    for i in range(n):
        s = i % (len(text) - 2)
        items.append({"id": f"sp{i}", "from_name": "label", "to_name": "text", "type": "labels",
                      "value": {"start": s, "end": s + 2, "text": text[s:s + 2], "labels": ["Speaker"]}})
        items.append({"from_id": f"sp{i}", "to_id": f"sp{(i - 1) % n}", "type": "relation", "direction": "right",
                      "labels": ["refers_to"]})
    task["annotations"][0]["result"] = items
    started = time.process_time()
    outcome = process_task(task)
    spent = time.process_time() - started
    assert sum(e.code == "reference_cycle" for e in outcome.errors) == n
    assert spent < 10, f"{spent:.1f} s of CPU"


def test_reference_cycles_found_once_per_speaker_are_the_pairwise_ones():
    import random

    from annotate.validate import validate_record

    rng = random.Random(5)
    for _ in range(300):
        n = rng.randint(1, 8)
        spans = [{"id": f"sp{i}", "label": "Speaker", "start": i, "end": i + 1} for i in range(n)]
        relations, links = [], {}
        for i in range(n):
            for _ in range(rng.choice([0, 1, 1, 2])):
                j = rng.randrange(n)
                if j != i and (f"sp{i}", f"sp{j}") not in {(r["from"], r["to"]) for r in relations}:
                    relations.append({"from": f"sp{i}", "to": f"sp{j}", "type": "refers_to"})
                    links.setdefault(f"sp{i}", []).append(f"sp{j}")
        record = {"text": "x" * n, "spans": spans, "relations": relations, "targets": []}
        found = [e.path for e in validate_record(record) if e.code == "reference_cycle"]
        want = []
        for src in links:  # the rule as written before: walk from each speaker
            node, seen = src, {src}
            while node in links:
                node = links[node][0]
                if node in seen:
                    want.append(f"/spans/{int(src[2:])}")
                    break
                seen.add(node)
        assert found == want, (relations, found, want)


def test_schema_errors_left_out_by_lookup_are_the_pairwise_ones():
    import random

    from annotate.validate import Error, _not_covered

    def covers(a: str, b: str) -> bool:
        return a == b or b.startswith(a + "/")

    rng = random.Random(11)
    parts = ["spans", "0", "1", "10", "text", "start", "relations", "s", ""]
    for _ in range(2000):
        pointers = ["".join("/" + rng.choice(parts) for _ in range(rng.randint(0, 4))) for _ in range(8)]
        schema = [Error("schema", p, "") for p in pointers[:4]]
        semantic = [Error("x", p, "") for p in pointers[4:]]
        want = [e for e in schema if not any(covers(s.path, e.path) or covers(e.path, s.path)
                                             for s in semantic if s.path)]
        assert _not_covered(schema, semantic) == want, (schema, semantic)


def test_a_target_renamed_by_hand_in_data_targets_names_the_near_miss(tmp_path, export):
    """data.targets edited after annotation ("United States" -> "united states "): the stance
    still says "United States"; the reject names the listed target it almost is."""
    tasks = copy.deepcopy(export)
    task = tasks[0]
    used = next(r for r in result(task) if r.get("type") == "choices" and r["from_name"] == "target")
    name = used["value"]["choices"][0]
    task["data"]["targets"] = [{"value": t["value"].lower() + " " if t["value"] == name else t["value"]}
                               for t in task["data"]["targets"]]
    gold, rejects, _ = run_pull(tmp_path, tasks)
    errors = [e for e in rejects[0]["errors"] if e["code"] == "unknown_target"]
    assert errors and all(repr(name.lower() + " ") in e["message"] for e in errors), errors
