"""Bounded memory at scale: what `adjudicate` keeps while it plans (issue 18).

The plan of 10,000 tasks x 3 annotators used to hold every annotator's result (1.2 GB);
`annotate adjudicate` now plans without them and reads them back from the export, a task at
a time, only when it writes (--apply). benchmarks/memory.py measures the peak at 10k and 100k.
"""

import copy
import json

from annotate.adjudicate import _drop_payloads, _with_payloads, payload_reader, plan_adjudication

from .test_agreement import sample_export


def _strip(out: dict) -> dict:
    """What `annotate adjudicate --json` shows: the payload and bookkeeping keys left out."""
    out = copy.deepcopy(out)
    for task in out["agreed"] + out["resolved"] + out["disputed"]:
        for r in [task, *task.get("review", ())]:
            for key in [k for k in r if k.startswith("_")]:
                del r[key]
    return out


def _inflated(export: list[dict], times: int) -> list[dict]:
    """The export with every annotation's result repeated `times` over (same regions, so the
    same agreement verdicts: a bigger payload, nothing else)."""
    big = copy.deepcopy(export)
    for task in big:
        for ann in task.get("annotations") or ():
            ann["result"] = ann["result"] * times
    return big


def test_the_plan_without_payloads_says_the_same_and_holds_no_result():
    export = sample_export()
    full = plan_adjudication(copy.deepcopy(export)).as_dict()
    lean = plan_adjudication(copy.deepcopy(export), keep_payload=False).as_dict()
    assert _strip(lean) == _strip(full)
    assert lean["counts"]["disputed"] == 2 and lean["counts"]["agreed"] == 1  # tasks 1, 2 and 3
    text = json.dumps(lean)
    assert '"_result"' not in text and '"_copy"' not in text and '"_at"' in text


def test_the_plan_does_not_grow_with_the_annotations():
    """Before: each disputed version's result and each agreed copy were in the plan."""
    small = plan_adjudication(_inflated(sample_export(), 1), keep_payload=False).as_dict()
    large = plan_adjudication(_inflated(sample_export(), 50), keep_payload=False).as_dict()
    assert len(json.dumps(large)) == len(json.dumps(small))


def test_apply_reads_each_payload_back_from_the_export_file(tmp_path):
    export = sample_export()
    path = tmp_path / "export.json"
    path.write_text(json.dumps(export), encoding="utf-8")
    full = plan_adjudication(copy.deepcopy(export))
    lean = plan_adjudication(json.loads(path.read_text(encoding="utf-8")), keep_payload=False)
    reread = payload_reader(path)
    seen = []
    for item in _with_payloads(lean.disputed, reread):
        seen.append([r["_result"] for r in item["review"]])
        _drop_payloads(item, reread)
    assert seen == [[r["_result"] for r in item["review"]] for item in full.disputed]
    assert all("_result" not in r for item in lean.disputed for r in item["review"])  # dropped again
    [agreed] = list(_with_payloads(lean.agreed, reread))
    assert agreed["_copy"] == full.agreed[0]["_copy"]
