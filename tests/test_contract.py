"""One labeling contract: what we pre-annotate is exactly what pull accepts.

The invariant (SPEC section 2): a prediction that an annotator accepts unchanged is a valid
gold record. It is checked here on every text we have at hand — the seeds and the 840 tuning
articles — through the same code path as a real export (`annotate.pull.build_dataset` over Label Studio's full-JSON task shape). The
real-server version (predictions submitted through the API) is in test_push.py.
"""

from __future__ import annotations

import copy
import json

import pytest

from annotate.accept import accepted_export
from annotate.convert import expand_inputs, iter_tasks
from annotate.pull import build_dataset, export_items
from annotate.validate import CODES, check_prediction_task, check_result

from .conftest import SEEDS, need_shared


def _dry_pull(tasks: list[dict]):
    return build_dataset(export_items(accepted_export(tasks)), None, source={}, dry_run=True)


def _converted(path) -> list[dict]:
    return list(iter_tasks(expand_inputs([str(path)]), warn=lambda _m: None))


def test_accepting_every_seed_prediction_gives_only_gold():
    tasks = _converted(SEEDS)
    assert len(tasks) == 5
    summary = _dry_pull(tasks)
    assert summary.counts.rejected == 0, summary.lines()
    assert summary.counts.gold == 5
    for task in tasks:
        assert check_prediction_task(task) == []


def test_accepting_predictions_on_all_tuning_articles_gives_only_gold():
    """All 840 tuning articles (about 15 s; benchmarks/invariant.py prints the same figures)."""
    text_dir = need_shared("corpora", "polnear-train", "text")
    files = sorted(text_dir.glob("*.txt"))
    tasks = list(iter_tasks([str(f) for f in files], warn=lambda _m: None))
    assert len(tasks) == len(files) == 840
    summary = _dry_pull(tasks)
    assert summary.counts.rejected == 0, summary.lines()
    assert summary.counts.gold == len(tasks)


def test_a_quote_the_rules_cannot_attribute_is_marked_unattributed():
    """No speaker in the text: the Quote carries the config's attribution choice, no said_by."""
    from annotate import annotate_text

    task = annotate_text('The bridge closed on Monday.\n"We regret the inconvenience."\n')
    result = task["predictions"][0]["result"]
    quotes = {r["id"] for r in result if r["type"] == "labels" and r["value"]["labels"] == ["Quote"]}
    said = {r["from_id"] for r in result if r["type"] == "relation" and r["labels"] == ["said_by"]}
    unattributed = {r["id"] for r in result if r["type"] == "choices" and r["from_name"] == "attribution"}
    assert len(quotes) == 1, "the converter finds the quote"
    assert said == set() and unattributed == quotes  # nobody in the text said it
    assert all(r["value"]["choices"] == ["unattributed"] for r in result
               if r["type"] == "choices" and r["from_name"] == "attribution")
    assert check_prediction_task(task) == []


# --- the one checker on broken predictions ----------------------------------------------------

TEXT = 'Kremlin spokesman Dmitry Peskov said "we are open to dialogue with the United States."'
GOOD = [
    {"id": "sp", "from_name": "label", "to_name": "text", "type": "labels",
     "value": {"start": 0, "end": 31, "text": TEXT[0:31], "labels": ["Speaker"]}},
    {"id": "qu", "from_name": "label", "to_name": "text", "type": "labels",
     "value": {"start": 37, "end": 86, "text": TEXT[37:86], "labels": ["Quote"]}},
    {"id": "qu", "from_name": "quote_type", "to_name": "text", "type": "choices",
     "value": {"start": 37, "end": 86, "text": TEXT[37:86], "choices": ["direct"]}},
    {"id": "st", "from_name": "label", "to_name": "text", "type": "labels",
     "value": {"start": 45, "end": 60, "text": TEXT[45:60], "labels": ["Stance"]}},
    {"id": "st", "from_name": "polarity", "to_name": "text", "type": "choices",
     "value": {"start": 45, "end": 60, "text": TEXT[45:60], "choices": ["favor"]}},
    {"id": "st", "from_name": "target", "to_name": "text", "type": "choices",
     "value": {"start": 45, "end": 60, "text": TEXT[45:60], "choices": ["United States"]}},
    {"type": "relation", "from_id": "qu", "to_id": "sp", "direction": "right", "labels": ["said_by"]},
]
TARGETS = ["United States", "Russia"]


def _broken(change) -> list[dict]:
    result = copy.deepcopy(GOOD)
    change(result)
    return result


def _set(i, key, value):
    def change(result):
        node = result[i]
        *parents, last = key.split(".")
        for part in parents:
            node = node[part]
        node[last] = value
    return change


# (how the prediction is broken, the code that must be reported, the result item it names)
BROKEN = {
    "offset past the end": (_set(0, "value.end", 999), "offset_out_of_range", "/0"),
    "text not the slice": (_set(0, "value.text", "Kremlin"), "text_mismatch", "/0/value/text"),
    "empty span": (lambda r: r[0]["value"].update(start=5, end=5, text=""), "empty_span", "/0"),
    "unknown label": (_set(0, "value.labels", ["Person"]), "unknown_label", "/0"),
    "two labels": (_set(0, "value.labels", ["Speaker", "Quote"]), "multiple_labels", "/0/value/labels"),
    "no said_by": (lambda r: r.pop(6), "quote_without_speaker", "/1"),
    "said_by to a Stance": (_set(6, "to_id", "st"), "relation_label", "/6"),
    "dangling relation": (_set(6, "to_id", "nobody"), "dangling_relation", "/6"),
    "untyped relation": (_set(6, "labels", []), "untyped_relation", "/6"),
    "unknown quote type": (_set(2, "value.choices", ["hearsay"]), "unknown_choice", "/1"),
    "target not listed": (_set(5, "value.choices", ["Mars"]), "unknown_target", "/3"),
    "polarity on a Quote": (_set(4, "id", "qu"), "misplaced_choice", "/1"),
    "choice for no region": (_set(2, "id", "zz"), "orphan_choice", "/2/id"),
    "stance outside the quote": (lambda r: r[3]["value"].update(start=0, end=7, text=TEXT[0:7]),
                                 "stance_outside_quote", "/3"),
    "unknown control": (_set(2, "from_name", "mood"), "unknown_control", "/2/from_name"),
    "attribution value": (lambda r: r.append({"id": "qu", "from_name": "attribution", "type": "choices",
                                              "value": {"choices": ["maybe"]}}), "unknown_choice", "/7/value/choices"),
    "unattributed with speaker": (lambda r: r.append({"id": "qu", "from_name": "attribution", "type": "choices",
                                                      "value": {"choices": ["unattributed"]}}),
                                  "unattributed_with_speaker", "/1"),
    "duplicate region id": (_set(3, "id", "sp"), "duplicate_id", "/0"),
}


def test_the_good_prediction_passes():
    assert check_result(GOOD, TEXT, TARGETS, prediction=True) == []


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_each_broken_prediction_is_caught_with_its_code_and_item(name):
    change, code, where = BROKEN[name]
    errors = check_result(_broken(change), TEXT, TARGETS, prediction=True)
    assert code in CODES
    assert (code, where) in {(e.code, e.path) for e in errors}, errors


def test_a_prediction_must_carry_its_exact_text_but_an_annotation_may_collapse_spaces():
    text = "He  said so."
    region = [{"id": "a", "from_name": "label", "type": "labels",
               "value": {"start": 0, "end": 8, "text": "He said", "labels": ["Speaker"]}}]
    assert [e.code for e in check_result(region, text, [], prediction=True)] == ["text_mismatch"]
    assert check_result(region, text, []) == []
    del region[0]["value"]["text"]
    assert [e.code for e in check_result(region, text, [], prediction=True)] == ["malformed_result"]


def test_a_task_without_targets_is_caught():
    task = {"data": {"text": TEXT}, "predictions": [{"result": GOOD, "model_version": "x"}]}
    assert [e.code for e in check_prediction_task(task)] == ["malformed_targets", "unknown_target"]
    task["data"]["targets"] = [{"value": t} for t in TARGETS]
    assert check_prediction_task(task) == []
    task["predictions"][0]["score"] = 1.5
    assert [e.path for e in check_prediction_task(task)] == ["/predictions/0/score"]


def test_the_checker_and_pull_agree_on_every_broken_prediction():
    """What push would refuse, pull rejects with the same code, and the other way round."""
    for name, (change, code, _) in BROKEN.items():
        result = _broken(change)
        task = {"data": {"text": TEXT, "doc_id": "d", "targets": [{"value": t} for t in TARGETS]},
                "predictions": [{"id": 1, "model_version": "m", "result": result}]}
        export = json.loads(json.dumps(next(accepted_export([task]))))
        summary = build_dataset(export_items([export]), None, source={}, dry_run=True)
        assert summary.counts.rejected == 1, name
        assert code in summary.counts.rejected_by_code, (name, summary.counts.rejected_by_code)


@pytest.mark.parametrize("targets", ["converter", "none", "one"])
def test_backend_predictions_accepted_unchanged_pull_as_gold(targets):
    """The ML backend answers on the task as Label Studio stores it, whatever targets it has:
    its prediction must fit that task (no stance target the task does not offer)."""
    from annotate.backend.predict import predict_task

    tasks = []
    for task in _converted(SEEDS):
        offered = {"converter": task["data"]["targets"], "none": [],
                   "one": task["data"]["targets"][:1]}[targets]
        data = {"text": task["data"]["text"], "doc_id": task["data"]["doc_id"], "targets": offered}
        prediction = predict_task({"id": 1, "data": data})
        assert prediction["result"], "the backend still predicts quotes"
        tasks.append({"data": data, "predictions": [prediction]})
        assert check_prediction_task(tasks[-1]) == []
    summary = _dry_pull(tasks)
    assert summary.counts.rejected == 0 and summary.counts.gold == len(tasks), summary.lines()
