"""Annotation choice, record building, edit summary, splits and the dataset writer."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from annotate.dataset import DatasetWriter, assign_split, parse_split
from annotate.errors import UsageError
from annotate.gold import build_record, choose_annotation, edit_summary, has_disagreement
from annotate.labeling import derive_quotes
from annotate.validate import validate_record

DATA = Path(__file__).parent / "data"


@pytest.fixture
def task() -> dict:
    return json.loads((DATA / "valid.json").read_text())[0]


def ann(i, *, when="2026-11-20T10:00:00Z", cancelled=False, truth=False, by=1, result=None):
    return {"id": i, "completed_by": by, "was_cancelled": cancelled, "ground_truth": truth,
            "created_at": when, "updated_at": when, "result": result or []}


# --- choose_annotation ------------------------------------------------------------------------


def test_most_recent_submitted_annotation_wins():
    task = {"annotations": [ann(1, when="2026-11-20T10:00:00Z"), ann(2, when="2026-11-21T09:00:00.5Z"),
                            ann(3, when="2026-11-22T00:00:00Z", cancelled=True)]}
    sel = choose_annotation(task)
    assert sel.annotation["id"] == 2
    assert [a["id"] for a in sel.submitted] == [1, 2]
    assert sel.cancelled == 1 and sel.status == "annotated"


def test_ground_truth_beats_recency():
    task = {"annotations": [ann(1, when="2026-11-20T10:00:00Z", truth=True), ann(2, when="2026-11-25T10:00:00Z")]}
    assert choose_annotation(task).annotation["id"] == 1


def test_cancelled_only_and_unannotated():
    assert choose_annotation({"annotations": [ann(1, cancelled=True)]}).status == "cancelled"
    assert choose_annotation({"annotations": []}).status == "unannotated"
    assert choose_annotation({"id": 3}).status == "unannotated"


def test_disagreement_needs_two_annotators_who_differ(task):
    result = task["annotations"][0]["result"]
    changed = copy.deepcopy(result)
    changed[5]["value"]["choices"] = ["against"]
    same = choose_annotation({"annotations": [ann(1, by=1, result=result), ann(2, by=2, result=result)]})
    differ = choose_annotation({"annotations": [ann(1, by=1, result=result), ann(2, by=2, result=changed)]})
    one_person = choose_annotation({"annotations": [ann(1, by=1, result=result), ann(2, by=1, result=changed)]})
    assert not has_disagreement(same)
    assert has_disagreement(differ)
    assert not has_disagreement(one_person)


# --- build_record ---------------------------------------------------------------------------


def test_record_merges_per_region_choices_and_resolves_speaker(task):
    rec = build_record(task, task["annotations"][0], users={1: "ann@example.com"})
    by_id = {s["id"]: s for s in rec["spans"]}
    assert by_id["qu1"]["quote_type"] == "direct"
    assert (by_id["st1"]["polarity"], by_id["st1"]["target"]) == ("favor", "United States")
    assert set(by_id["sp1"]) == {"id", "label", "start", "end", "text"}
    assert {"from": "sp2", "to": "sp1", "type": "refers_to"} in rec["relations"]
    q = rec["quotes"][0]
    assert (q["speaker_span"], q["speaker"]) == ("sp2", "Kremlin spokesman Dmitry Peskov")
    assert rec["id"] == "doc_001" and rec["targets"] == ["United States", "Russia"]
    assert rec["meta"]["source_file"] == "seeds/doc_001.txt"
    p = rec["provenance"]
    assert (p["project"], p["task"], p["annotation"], p["lead_time"]) == (7, 1, 101, 42.5)
    assert p["annotator"] == {"id": 1, "email": "ann@example.com"}
    assert p["prediction"] is None and p["edits"] is None
    assert validate_record(rec) == []


def test_left_relation_is_reversed_and_untyped_relation_dropped(task):
    t = copy.deepcopy(task)
    res = t["annotations"][0]["result"]
    res[8] = {"from_id": "sp1", "to_id": "sp2", "type": "relation", "direction": "left", "labels": ["refers_to"]}
    res.append({"from_id": "sp1", "to_id": "qu1", "type": "relation", "direction": "right", "labels": []})
    rec = build_record(t, t["annotations"][0])
    assert sorted((r["from"], r["to"], r["type"]) for r in rec["relations"]) == [
        ("qu1", "sp2", "said_by"), ("sp2", "sp1", "refers_to")]


def test_derive_quotes_follows_refers_to_chain_and_survives_cycles():
    spans = [
        {"id": "a", "label": "Speaker", "start": 0, "end": 5, "text": "Alice"},
        {"id": "b", "label": "Speaker", "start": 10, "end": 13, "text": "she"},
        {"id": "c", "label": "Speaker", "start": 20, "end": 23, "text": "her"},
        {"id": "q", "label": "Quote", "start": 30, "end": 40, "text": "x" * 10, "quote_type": "direct"},
    ]
    chain = [{"from": "q", "to": "c", "type": "said_by"}, {"from": "c", "to": "b", "type": "refers_to"},
             {"from": "b", "to": "a", "type": "refers_to"}]
    assert derive_quotes(spans, chain)[0]["speaker"] == "Alice"
    loop = chain[:2] + [{"from": "b", "to": "c", "type": "refers_to"}]
    assert derive_quotes(spans, loop)[0]["speaker"] in ("she", "her")


def _labels(rid, label, s, e):
    return {"id": rid, "type": "labels", "from_name": "label", "to_name": "text",
            "value": {"start": s, "end": e, "labels": [label]}}


def _choice(rid, name, s, e, value):
    return {"id": rid, "type": "choices", "from_name": name, "to_name": "text",
            "value": {"start": s, "end": e, "choices": [value]}}


def _rel(a, b, kind):
    return {"from_id": a, "to_id": b, "type": "relation", "direction": "right", "labels": [kind]}


def test_edit_summary_counts_kept_changed_deleted_added():
    pred = [_labels("s1", "Speaker", 0, 5), _labels("q1", "Quote", 10, 20), _labels("q2", "Quote", 30, 40),
            _labels("t1", "Stance", 11, 19), _choice("t1", "polarity", 11, 19, "favor"),
            _rel("q1", "s1", "said_by"), _rel("q2", "s1", "said_by")]
    annotation = [
        _labels("s1", "Speaker", 0, 5),                                  # kept
        _labels("q1", "Quote", 10, 22),                                  # moved boundary -> changed
        _labels("t1", "Stance", 11, 19), _choice("t1", "polarity", 11, 19, "against"),  # changed stance
        _labels("new", "Quote", 50, 60),                                 # added (q2 deleted)
        _rel("q1", "s1", "said_by"), _rel("new", "s1", "said_by"),
    ]
    assert edit_summary(pred, annotation) == {
        "spans": {"kept": 1, "changed": 2, "deleted": 1, "added": 1},
        "relations": {"kept": 1, "deleted": 1, "added": 1},
    }


def test_edit_summary_matches_regions_by_offsets_when_ids_differ():
    pred = [_labels("s1", "Speaker", 0, 5)]
    assert edit_summary(pred, [_labels("other", "Speaker", 0, 5)])["spans"] == {
        "kept": 1, "changed": 0, "deleted": 0, "added": 0}


def test_record_edit_summary_uses_parent_prediction(task):
    t = copy.deepcopy(task)
    pred = {"id": 9, "model_version": "rules-1", "score": 0.5, "result": copy.deepcopy(t["annotations"][0]["result"])}
    t["predictions"] = [pred]
    t["annotations"][0]["parent_prediction"] = 9
    t["annotations"][0]["result"] = [r for r in t["annotations"][0]["result"] if r.get("id") != "st1"]
    rec = build_record(t, t["annotations"][0])
    assert rec["provenance"]["prediction"] == {"id": 9, "model_version": "rules-1", "score": 0.5}
    assert rec["provenance"]["edits"]["spans"] == {"kept": 3, "changed": 0, "deleted": 1, "added": 0}


def test_prediction_ids_only_export_keeps_the_id(task):
    t = copy.deepcopy(task)
    t["predictions"] = [4]
    rec = build_record(t, t["annotations"][0])
    assert rec["provenance"]["prediction"] == {"id": 4, "model_version": None, "score": None}
    assert rec["provenance"]["edits"] is None


# --- splits -----------------------------------------------------------------------------------


def test_parse_split():
    assert parse_split("0.8,0.1,0.1") == (0.8, 0.1, 0.1)
    for bad in ("0.8,0.1", "0.5,0.5,0.5", "a,b,c", "-0.2,0.6,0.6"):
        with pytest.raises(ValueError):
            parse_split(bad)


def test_splits_are_deterministic_by_text_and_follow_ratios():
    import hashlib

    recs = [{"text_sha256": hashlib.sha256(str(i).encode()).hexdigest()} for i in range(2000)]
    first = [assign_split(r, 0) for r in recs]
    assert first == [assign_split(r, 0) for r in recs]
    assert first != [assign_split(r, 1) for r in recs]
    share = first.count("train") / len(first)
    assert 0.76 < share < 0.84
    assert {assign_split(r, 0, (0.0, 0.0, 1.0)) for r in recs} == {"test"}


# --- the writer -------------------------------------------------------------------------------


def test_writer_commits_all_files_with_hashes(tmp_path, task):
    rec = build_record(task, task["annotations"][0])
    out = tmp_path / "gold"
    with DatasetWriter(out, seed=3) as w:
        split = w.add_gold(rec)
        manifest = w.commit({"file": "x.json"}, created_at="2026-11-25T00:00:00+00:00")
    names = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    assert names == ["README.md", "gold.jsonl", "manifest.json", "rejects.jsonl",
                     "splits/dev.jsonl", "splits/test.jsonl", "splits/train.jsonl"]
    import hashlib

    for name, info in manifest["files"].items():
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == info["sha256"]
    assert manifest["counts"]["labels"] == {"Quote": 1, "Speaker": 2, "Stance": 1}
    assert manifest["counts"]["splits"] == {split: 1}
    assert manifest["schema"]["version"] and len(manifest["config_hash"]) == 64
    assert json.loads((out / "manifest.json").read_text()) == manifest
    assert (out / f"splits/{split}.jsonl").read_bytes() == (out / "gold.jsonl").read_bytes()
    assert not list(tmp_path.glob(".gold.*"))  # no staging left behind


def test_writer_crash_leaves_no_dataset_and_keeps_the_old_one(tmp_path, task):
    rec = build_record(task, task["annotations"][0])
    out = tmp_path / "gold"
    with DatasetWriter(out) as w:
        w.add_gold(rec)
        w.commit({})
    before = (out / "gold.jsonl").read_bytes()
    with pytest.raises(RuntimeError), DatasetWriter(out) as w:
        w.add_gold(rec)
        w.add_gold(rec)
        raise RuntimeError("crash in the middle")
    assert (out / "gold.jsonl").read_bytes() == before
    assert not list(tmp_path.glob(".gold.*"))


def test_rewriting_a_dataset_keeps_other_entries(tmp_path, task):
    rec = build_record(task, task["annotations"][0])
    out = tmp_path / "gold"
    with DatasetWriter(out) as w:
        w.add_gold(rec)
        w.commit({})
    (out / "spacy").mkdir()
    (out / "spacy" / "train.spacy").write_bytes(b"x")
    with DatasetWriter(out) as w:
        w.commit({})
    assert (out / "spacy" / "train.spacy").read_bytes() == b"x"
    assert (out / "gold.jsonl").read_text() == ""


def test_writer_refuses_a_directory_that_is_not_a_dataset(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(UsageError):
        DatasetWriter(tmp_path)
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_review_copies_are_not_the_records_prediction(task):
    """After `adjudicate --requeue` the newest prediction is an annotator's copy, not ours."""
    task = copy.deepcopy(task)
    ours = {"id": 1, "model_version": "annotate-rules-9", "created_at": "2026-11-20T09:00:00Z",
            "result": task["annotations"][0]["result"]}
    copy_ = {"id": 2, "model_version": "ann@example.com (annotator)",
             "created_at": "2026-11-24T09:00:00Z", "result": []}
    task["predictions"] = [ours, copy_]
    annotation = dict(task["annotations"][0], parent_prediction=None)
    annotation.pop("prediction", None)
    record = build_record(task, annotation)
    assert record["provenance"]["prediction"]["model_version"] == "annotate-rules-9"


def test_derived_stances_of_each_quote_are_those_within_it_in_span_order():
    # derive_quotes finds each quote's stances by bisection; the rule is still "start and end
    # within the quote", in the order of the spans (nested quotes, equal starts, a stance
    # ending before it starts as a broken record has).
    import random

    from annotate.labeling import derive_quotes

    rng = random.Random(7)
    for _ in range(300):
        spans = []
        for i in range(rng.randint(0, 30)):
            a = rng.randint(0, 60)
            b = a + rng.randint(-3, 25)
            spans.append({"id": f"s{i}", "label": rng.choice(["Quote", "Stance", "Stance", "Speaker"]),
                          "start": a, "end": b, "text": ""})
        got = derive_quotes(spans, [])
        want = [[s["id"] for s in spans if s["label"] == "Stance" and q["start"] <= s["start"] and s["end"] <= q["end"]]
                for q in spans if q["label"] == "Quote"]
        assert [q["stances"] for q in got] == want
