"""Tasks shaped exactly as Label Studio 1.23's labeling UI saves them (no server needed).

The shapes come from tests/test_ui_roundtrip.py, where a person's work in headless Chromium
is saved by the real frontend: every region and choice item carries `origin`, regions keep the
prediction's `score`, the annotation names its `parent_prediction`, and `updated_by` names
whoever pressed Update last — not always `completed_by`, because the UI opens a task on its
latest annotation, whoever made it.
"""

from __future__ import annotations

import copy

from annotate.gold import build_record, choose_annotation
from annotate.pull import process_task

TEXT = 'Ana Ruiz spoke. "We back the plan," she said.'
# 0-8 "Ana Ruiz", 16-35 the quote, 20-24 "back", 36-39 "she"
PREDICTION = [
    {"id": "sp0-8", "from_name": "label", "to_name": "text", "type": "labels", "score": 0.55,
     "value": {"start": 0, "end": 8, "text": "Ana Ruiz", "labels": ["Speaker"]}},
    {"id": "q16-35", "from_name": "label", "to_name": "text", "type": "labels", "score": 0.9,
     "value": {"start": 16, "end": 35, "text": '"We back the plan,"', "labels": ["Quote"]}},
    {"id": "q16-35", "from_name": "quote_type", "to_name": "text", "type": "choices",
     "value": {"start": 16, "end": 35, "text": '"We back the plan,"', "choices": ["direct"]}},
    {"id": "st20-24", "from_name": "label", "to_name": "text", "type": "labels", "score": 0.74,
     "value": {"start": 20, "end": 24, "text": "back", "labels": ["Stance"]}},
    {"id": "st20-24", "from_name": "polarity", "to_name": "text", "type": "choices",
     "value": {"start": 20, "end": 24, "text": "back", "choices": ["favor"]}},
    {"id": "st20-24", "from_name": "target", "to_name": "text", "type": "choices",
     "value": {"start": 20, "end": 24, "text": "back", "choices": ["the plan"]}},
    {"id": "sp36-39", "from_name": "label", "to_name": "text", "type": "labels", "score": 0.9,
     "value": {"start": 36, "end": 39, "text": "she", "labels": ["Speaker"]}},
    {"from_id": "q16-35", "to_id": "sp36-39", "type": "relation", "direction": "right", "labels": ["said_by"]},
    {"from_id": "sp36-39", "to_id": "sp0-8", "type": "relation", "direction": "right", "labels": ["refers_to"]},
]
ANN, BOB, LEAD = 2, 3, 1


def ui_saved(result: list[dict], changed: set[str] = frozenset()) -> list[dict]:
    """The result as the UI submits it: `origin` on region and choice items (not relations)."""
    out = copy.deepcopy(result)
    for item in out:
        if item["type"] != "relation":
            item["origin"] = "prediction-changed" if item["id"] in changed else "prediction"
    return out


def task_with(annotation: dict) -> dict:
    return {"id": 7, "project": 3, "data": {"text": TEXT, "doc_id": "d1", "targets": [{"value": "the plan"}]},
            "meta": {}, "predictions": [{"id": 11, "model_version": "annotate-rules-x", "score": 0.7,
                                         "result": PREDICTION}],
            "annotations": [annotation]}


def annotation(**fields) -> dict:
    base = {"id": 5, "completed_by": ANN, "updated_by": ANN, "was_cancelled": False, "ground_truth": False,
            "created_at": "2026-12-06T21:00:33.526459Z", "updated_at": "2026-12-06T21:00:33.526505Z",
            "lead_time": 4.4, "parent_prediction": 11, "parent_annotation": None, "draft_created_at": None,
            "last_action": None, "bulk_created": False, "task": 7, "project": 3,
            "result": ui_saved(PREDICTION)}
    base.update(fields)
    return base


USERS = {ANN: "ann@example.org", BOB: "bob@example.org", LEAD: "lead@example.org"}


def test_submit_untouched_as_the_ui_saves_it_is_gold_equal_to_the_prediction():
    outcome = process_task(task_with(annotation()), users=USERS)
    assert outcome.status == "gold", outcome.errors
    spans = {s["id"]: (s["label"], s["start"], s["end"], s.get("quote_type"), s.get("polarity"), s.get("target"))
             for s in outcome.record["spans"]}
    assert spans == {"sp0-8": ("Speaker", 0, 8, None, None, None), "q16-35": ("Quote", 16, 35, "direct", None, None),
                     "st20-24": ("Stance", 20, 24, None, "favor", "the plan"),
                     "sp36-39": ("Speaker", 36, 39, None, None, None)}
    assert outcome.record["quotes"][0]["speaker"] == "Ana Ruiz"
    assert outcome.record["provenance"]["edits"]["spans"] == {"kept": 4, "changed": 0, "deleted": 0, "added": 0}
    assert outcome.record["provenance"]["annotators"] == [{"id": ANN, "email": "ann@example.org"}]


def test_a_second_annotator_who_pressed_update_is_named_among_the_annotators():
    """Bob opened Ann's submitted task and pressed Update after changing the quote type: the
    annotation is still Ann's (completed_by), its content is Bob's (updated_by, later time)."""
    result = ui_saved(PREDICTION, changed={"q16-35"})
    next(r for r in result if r.get("from_name") == "quote_type")["value"]["choices"] = ["mixed"]
    ann = annotation(result=result, updated_by=BOB, updated_at="2026-12-06T21:05:09.634806Z")
    record = build_record(task_with(ann), ann, users=USERS)
    prov = record["provenance"]
    assert prov["annotator"] == {"id": ANN, "email": "ann@example.org"}
    assert prov["annotators"] == [{"id": ANN, "email": "ann@example.org"}, {"id": BOB, "email": "bob@example.org"}]
    # without the users table (an export file holds ids only), Bob is named by id
    prov = build_record(task_with(ann), ann)["provenance"]
    assert prov["annotators"] == [{"id": ANN, "email": None}, {"id": BOB, "email": None}]


def test_an_annotation_made_for_someone_else_does_not_name_its_maker():
    """`adjudicate --apply` (or any admin script) creates an annotation with completed_by set to
    the annotator: Label Studio puts the admin in updated_by, in the same save."""
    ann = annotation(updated_by=LEAD)
    assert build_record(task_with(ann), ann, users=USERS)["provenance"]["annotators"] == [
        {"id": ANN, "email": "ann@example.org"}]


def test_updated_by_the_annotator_themself_or_missing_names_nobody_else():
    for fields in ({"updated_at": "2026-12-06T22:00:00Z"}, {"updated_by": None, "updated_at": "2026-12-06T22:00:00Z"},
                   {"updated_by": "3", "updated_at": "2026-12-06T22:00:00Z"},
                   {"completed_by": {"id": ANN, "email": "ann@example.org"}, "updated_at": "2026-12-06T22:00:00Z"}):
        ann = annotation(**fields)
        assert build_record(task_with(ann), ann, users=USERS)["provenance"]["annotators"] == [
            {"id": ANN, "email": "ann@example.org"}], fields


def test_a_skip_as_the_ui_saves_it_is_counted_and_never_gold():
    """Skip stores a cancelled annotation that still holds the prediction's regions."""
    skipped = annotation(was_cancelled=True)
    task = task_with(skipped)
    assert choose_annotation(task).status == "cancelled"
    assert process_task(task).status == "cancelled"
    # an older skip and a later submit by someone else: the submit is gold, the skip counted
    task["annotations"].append(annotation(id=6, completed_by=BOB, updated_by=BOB,
                                          created_at="2026-12-06T21:10:00Z", updated_at="2026-12-06T21:10:00Z"))
    outcome = process_task(task, users=USERS)
    assert outcome.status == "gold" and outcome.annotation_id == 6
    assert outcome.record["provenance"]["cancelled"] == 1
    assert outcome.record["provenance"]["annotators"] == [{"id": BOB, "email": "bob@example.org"}]


def with_said_by(direction: str, from_id: str, to_id: str) -> list[dict]:
    """The UI-saved prediction with its said_by replaced by one drawn `from_id` -> `to_id`."""
    result = [r for r in ui_saved(PREDICTION) if not (r["type"] == "relation" and r["labels"] == ["said_by"])]
    return result + [{"from_id": from_id, "to_id": to_id, "type": "relation", "direction": direction,
                      "labels": ["said_by"]}]


def test_a_said_by_drawn_from_the_speaker_and_turned_both_ways_reads_quote_to_speaker():
    """Create Relation goes from the selected region to the one clicked next; one click on the
    relation's arrow in the Relations panel makes it `bi` (checked in the UI: right -> bi). A
    said_by between a Speaker and a Quote can only mean Quote -> Speaker."""
    from annotate.labeling import parse_regions, parse_result

    result = with_said_by("bi", "sp36-39", "q16-35")
    outcome = process_task(task_with(annotation(result=result)), users=USERS)
    assert outcome.status == "gold", outcome.errors
    assert {"from": "q16-35", "to": "sp36-39", "type": "said_by"} in outcome.record["relations"]
    assert outcome.record["quotes"][0]["speaker"] == "Ana Ruiz"
    assert outcome.record["provenance"]["edits"]["relations"] == {"kept": 2, "deleted": 0, "added": 0}
    # the two readers of results agree (tests/test_pull_speed.py holds them to it)
    _, rels = parse_result(result)
    assert {(r.from_id, r.to_id, r.type) for r in rels} == {(r["from"], r["to"], r["type"])
                                                           for r in parse_regions(result)[1]}
    # a refers_to both ways joins two Speakers either way round: read as drawn
    both = [{**r, "direction": "bi"} if r.get("labels") == ["refers_to"] else r for r in ui_saved(PREDICTION)]
    assert {"from": "sp36-39", "to": "sp0-8", "type": "refers_to"} in parse_regions(both)[1]


def test_a_said_by_drawn_from_the_speaker_one_way_is_rejected_with_the_fix():
    outcome = process_task(task_with(annotation(result=with_said_by("right", "sp36-39", "q16-35"))))
    assert outcome.status == "rejected"
    [error] = [e for e in outcome.errors if e.code == "relation_label"]
    assert error.path == f"/annotations/0/result/{len(PREDICTION) - 1}"  # the relation item
    assert "'sp36-39' 'she' -> 'q16-35'" in error.message, error.message
    assert "drawn from the Speaker" in error.message and "click its arrow" in error.message
    # a said_by between two Speakers is wrong whichever way: no hint about the direction
    outcome = process_task(task_with(annotation(result=with_said_by("right", "sp36-39", "sp0-8"))))
    [error] = [e for e in outcome.errors if e.code == "relation_label"]
    assert "drawn from" not in error.message and "'sp36-39' 'she' -> 'sp0-8' 'Ana Ruiz'" in error.message
