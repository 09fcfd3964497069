"""Validation of gold records and Label Studio tasks: every failure has its own stable code."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from annotate.gold import build_record, sha256_text
from annotate.labeling import gold_schema
from annotate.validate import (
    CODES,
    _fast_validator,
    _validator,
    schema_errors,
    validate_annotation,
    validate_record,
    validate_task,
)

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def task() -> dict:
    return json.loads((DATA / "valid.json").read_text())[0]


@pytest.fixture
def record(task) -> dict:
    return build_record(task, task["annotations"][0])


def span(record: dict, sid: str) -> dict:
    return next(s for s in record["spans"] if s["id"] == sid)


def codes(errors) -> set[str]:
    return {e.code for e in errors}


def test_schema_is_2020_12_with_id_and_version():
    schema = gold_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"].endswith(schema["x-schema-version"])
    _validator().check_schema(schema)


def test_good_record_is_valid(record, task):
    assert validate_record(record, expected_text_sha256=task["meta"]["text_sha256"]) == []
    assert record["quotes"] == [{
        "span": "qu1", "start": record["quotes"][0]["start"], "end": record["quotes"][0]["end"],
        "text": '"We are open to  dialogue with the United States,"',
        "speaker_span": "sp2", "speaker": "Kremlin spokesman Dmitry Peskov",
        "quote_type": "direct", "unattributed": False, "stances": ["st1"],
    }]


def _set(path: str, value):
    """An edit that sets (or deletes) one field: 'spans/qu1/quote_type' picks the span by id."""
    def edit(rec):
        *parents, last = path.split("/")
        node = rec
        for p in parents:
            node = next(s for s in node if s["id"] == p) if isinstance(node, list) else node[p]
        if value is DELETE:
            del node[last]
        else:
            node[last] = value
    return edit


DELETE = object()


def _drop_relation(kind):
    def edit(rec):
        rec["relations"] = [r for r in rec["relations"] if r["type"] != kind]
    return edit


def _add(key, item):
    def edit(rec):
        rec[key].append(item)
    return edit


def _move_stance_out(rec):
    st = span(rec, "st1")
    st["start"], st["end"] = len(rec["text"]) - 10, len(rec["text"])
    st["text"] = rec["text"][st["start"]:st["end"]]


def _refresh_quotes(edit):
    """Apply an edit to spans/relations and re-derive quotes, so only the intended code fires."""
    from annotate.labeling import derive_quotes

    def wrapped(rec):
        edit(rec)
        rec["quotes"] = derive_quotes(rec["spans"], rec["relations"])
    return wrapped


BROKEN = [
    ("text_hash", _set("text_sha256", "0" * 64), "text_hash_mismatch"),
    ("offset_past_end", _set("spans/sp1/end", 10_000), "offset_out_of_range"),
    ("start_after_end", _set("spans/sp1/start", 40), "offset_out_of_range"),
    ("empty_span", _set("spans/sp1/end", 0), "empty_span"),
    ("text_mismatch", _set("spans/sp1/text", "Vladimir Putin"), "text_mismatch"),
    ("unknown_label", _set("spans/sp1/label", "Person"), "unknown_label"),
    ("missing_quote_type", _refresh_quotes(_set("spans/qu1/quote_type", DELETE)), "missing_quote_type"),
    ("unknown_quote_type", _refresh_quotes(_set("spans/qu1/quote_type", "paraphrase")), "unknown_choice"),
    ("polarity_on_quote", _set("spans/qu1/polarity", "favor"), "misplaced_choice"),
    ("missing_polarity", _set("spans/st1/polarity", DELETE), "stance_missing_polarity"),
    ("missing_target", _set("spans/st1/target", DELETE), "stance_missing_target"),
    ("unknown_target", _set("spans/st1/target", "Atlantis"), "unknown_target"),
    ("stance_outside_quote", _refresh_quotes(_move_stance_out), "stance_outside_quote"),
    ("duplicate_id", _set("spans/sp2/id", "sp1"), "duplicate_id"),
    ("dangling_relation", _add("relations", {"from": "qu1", "to": "nobody", "type": "said_by"}), "dangling_relation"),
    ("relation_label", _refresh_quotes(lambda r: r["relations"].__setitem__(
        0, {"from": "qu1", "to": "st1", "type": "refers_to"})), "relation_label"),
    ("unknown_relation", _add("relations", {"from": "qu1", "to": "sp1", "type": "quotes"}), "unknown_relation"),
    ("duplicate_relation", _add("relations", {"from": "qu1", "to": "sp2", "type": "said_by"}), "duplicate_relation"),
    ("self_relation", _add("relations", {"from": "sp1", "to": "sp1", "type": "refers_to"}), "self_relation"),
    ("quote_without_speaker", _refresh_quotes(_drop_relation("said_by")), "quote_without_speaker"),
    ("quote_many_speakers", _refresh_quotes(_add("relations", {"from": "qu1", "to": "sp1", "type": "said_by"})),
     "quote_many_speakers"),
    ("unattributed_with_speaker", _refresh_quotes(_set("spans/qu1/unattributed", True)), "unattributed_with_speaker"),
    ("reference_cycle", _add("relations", {"from": "sp1", "to": "sp2", "type": "refers_to"}), "reference_cycle"),
    ("quotes_mismatch", lambda r: r["quotes"][0].__setitem__("speaker", "Vladimir Putin"), "quotes_mismatch"),
    ("schema_extra_field", _set("colour", "red"), "schema"),
    ("schema_bad_time", _set("provenance/created_at", "yesterday"), "schema"),
    ("schema_bad_date", _set("meta/published", "2024-13-45"), "schema"),
    ("schema_start_type", _set("spans/sp1/start", "0"), "schema"),
    ("schema_missing_provenance", _set("provenance", DELETE), "schema"),
]


@pytest.mark.parametrize(("name", "edit", "code"), BROKEN, ids=[b[0] for b in BROKEN])
def test_one_field_broken_record_gets_its_code(record, name, edit, code):
    broken = copy.deepcopy(record)
    edit(broken)
    errors = validate_record(broken)
    assert code in codes(errors), (name, errors)
    assert all(e.code in CODES for e in errors)
    assert all(e.path == "" or e.path.startswith("/") for e in errors)
    if code != "schema":
        # The specific code replaces the generic schema complaint about the same place
        # (the derived quotes may still echo a bad span value).
        echo = {"quotes_mismatch", "quote_without_speaker", "dangling_relation", "relation_label", "text_mismatch"}
        rest = [e for e in errors if e.code != code and e.code not in echo]
        assert all(e.code == "schema" and e.path.startswith("/quotes/") for e in rest), errors


@pytest.mark.parametrize(("name", "edit", "code"), BROKEN, ids=[b[0] for b in BROKEN])
def test_fast_and_reference_schema_validators_agree(record, name, edit, code):
    assert _fast_validator() is not None, "jsonschema-rs is a dependency of annotate"
    broken = copy.deepcopy(record)
    edit(broken)
    assert _fast_validator().is_valid(broken) == (list(_validator().iter_errors(broken)) == [])


def test_pushed_hash_is_checked(record):
    errors = validate_record(record, expected_text_sha256=sha256_text("another text"))
    assert codes(errors) == {"text_hash_mismatch"}


def test_targets_argument_overrides_record_targets(record):
    assert codes(validate_record(record, targets=["Russia"])) == {"unknown_target"}


def test_unattributed_quote_is_allowed_only_when_marked(record):
    rec = copy.deepcopy(record)
    rec["relations"] = [r for r in rec["relations"] if r["type"] != "said_by"]
    span(rec, "qu1")["unattributed"] = True
    from annotate.labeling import derive_quotes

    rec["quotes"] = derive_quotes(rec["spans"], rec["relations"])
    assert validate_record(rec) == []
    assert rec["quotes"][0]["unattributed"] is True and rec["quotes"][0]["speaker"] is None


def test_non_object_record_is_a_schema_error():
    assert codes(validate_record(["not", "a", "record"])) == {"schema"}
    assert schema_errors(None)[0].path == ""


# --- the Label Studio task -----------------------------------------------------------------


TASK_BROKEN = [
    ("not_an_object", lambda t: 42, "not_an_object"),
    ("no_data", lambda t: {k: v for k, v in t.items() if k != "data"}, "missing_data"),
    ("no_text", lambda t: {**t, "data": {**t["data"], "text": ""}}, "missing_text"),
    ("annotations_not_list", lambda t: {**t, "annotations": {"id": 1}}, "malformed_annotation"),
    ("result_not_list", lambda t: {**t, "annotations": [{"id": 1, "result": "x"}]}, "malformed_annotation"),
    ("bad_targets", lambda t: {**t, "data": {**t["data"], "targets": ["Russia"]}}, "malformed_targets"),
]


@pytest.mark.parametrize(("name", "edit", "code"), TASK_BROKEN, ids=[b[0] for b in TASK_BROKEN])
def test_task_shape_errors(task, name, edit, code):
    assert code in codes(validate_task(edit(copy.deepcopy(task))))


def _result_edit(index, fn):
    def edit(result):
        fn(result[index])
    return edit


RESULT_BROKEN = [
    ("no_start", _result_edit(0, lambda r: r["value"].pop("start")), "malformed_result"),
    ("no_id", _result_edit(0, lambda r: r.pop("id")), "malformed_result"),
    ("labels_not_list", _result_edit(0, lambda r: r["value"].__setitem__("labels", "Speaker")), "malformed_result"),
    ("two_labels", _result_edit(0, lambda r: r["value"].__setitem__("labels", ["Speaker", "Quote"])), "multiple_labels"),
    ("two_choices", _result_edit(4, lambda r: r["value"].__setitem__("choices", ["direct", "mixed"])), "multiple_choices"),
    ("unknown_control", _result_edit(4, lambda r: r.__setitem__("from_name", "mood")), "unknown_control"),
    ("unknown_type", _result_edit(4, lambda r: r.__setitem__("type", "textarea")), "unknown_control"),
    ("orphan_choice", _result_edit(4, lambda r: r.__setitem__("id", "zz")), "orphan_choice"),
    ("untyped_relation", _result_edit(7, lambda r: r.__setitem__("labels", [])), "untyped_relation"),
    ("relation_no_end", _result_edit(7, lambda r: r.pop("to_id")), "malformed_result"),
    ("value_text_differs", _result_edit(0, lambda r: r["value"].__setitem__("text", "Putin")), "text_mismatch"),
    ("item_not_object", lambda res: res.append("labels"), "malformed_result"),
]


@pytest.mark.parametrize(("name", "edit", "code"), RESULT_BROKEN, ids=[b[0] for b in RESULT_BROKEN])
def test_annotation_result_errors(task, name, edit, code):
    t = copy.deepcopy(task)
    edit(t["annotations"][0]["result"])
    errors = validate_annotation(t, t["annotations"][0], "/annotations/0")
    assert code in codes(errors), errors
    assert all(e.path.startswith("/annotations/0/result") for e in errors)


def test_whitespace_collapsed_value_text_is_tolerated(task):
    t = copy.deepcopy(task)
    quote = t["annotations"][0]["result"][1]
    assert "  " in quote["value"]["text"]
    quote["value"]["text"] = " ".join(quote["value"]["text"].split())
    assert validate_annotation(t, t["annotations"][0]) == []
    # ... but the record's span text is the real text at the offsets
    rec = build_record(t, t["annotations"][0])
    assert "  " in span(rec, "qu1")["text"]
    assert validate_record(rec) == []


def test_every_code_is_documented():
    assert all(isinstance(v, str) and v for v in CODES.values())
    for _, _, code in BROKEN + TASK_BROKEN + RESULT_BROKEN:
        assert code in CODES
