"""gold.jsonl lines written by orjson (when installed) are the bytes json writes."""

from __future__ import annotations

import copy
import random

import pytest

import annotate.dataset as dataset
from annotate.dataset import record_line
from annotate.io import dumps


def record(meta_extra=None, lead_time=12.5, score=0.71) -> dict:
    text = "He said: \u201cWe are open\u201d \U0001F600 \x00\x1f\x7f\u2028 \\ \"q\" </script>"
    rec = {"id": "doc_1", "text": text, "text_sha256": "ab" * 32, "targets": ["Россия", "US"],
           "meta": {"title": "T\u00e9", "source": None, "published": "2024-11-06", "source_file": "x.txt"},
           "spans": [{"id": "s1", "label": "Speaker", "start": 0, "end": 2, "text": "He"}],
           "relations": [], "quotes": [],
           "provenance": {"project": 7, "task": 1, "annotation": 2, "annotations": [2], "lead_time": lead_time,
                          "ground_truth": False, "cancelled": 0,
                          "prediction": {"id": 1, "model_version": "m", "score": score}, "edits": None}}
    if meta_extra is not None:
        rec["meta"]["extra"] = meta_extra
    return rec


FLOATS = [0.0, -0.0, 1.0, 0.1 + 0.2, 1e-4, 9.99e-5, 1e-05, 2.5e-7, 5e-324, 1e15, 1e16, 1.5e16, 1e300,
          1.7976931348623157e308, 123456.789, -3.25e-5, 30.0]


@pytest.mark.parametrize("value", FLOATS + [10**20, -(2**63) - 1, 2**63, True, None, "x", [1e-6, {"a": 1e-9}]])
def test_record_line_is_json_dumps(value):
    for rec in (record(meta_extra={"v": value}), record(lead_time=value), record(score=value)):
        assert record_line(rec) == (dumps(rec) + "\n").encode("utf-8")


def test_record_line_on_random_records(monkeypatch):
    rng = random.Random(4)
    chars = [chr(c) for c in (*range(0, 0x80), 0xe9, 0x2028, 0x2029, 0xfeff, 0xffff, 0x1F600, 0x10FFFF)]
    for _ in range(2000):
        extra = {"".join(rng.choice(chars) for _ in range(rng.randint(0, 5))): rng.choice(
            [rng.random() * 10 ** rng.randint(-12, 20), rng.randint(-10**19, 10**19), "".join(
                rng.choice(chars) for _ in range(rng.randint(0, 8))), None, False]) for _ in range(rng.randint(0, 6))}
        rec = record(meta_extra=extra, lead_time=rng.choice([rng.random() * 100, rng.random() * 1e-5, 7]))
        assert record_line(rec) == (dumps(rec) + "\n").encode("utf-8")
    monkeypatch.setattr(dataset, "_orjson", None)  # without orjson: json, the same bytes
    rec = record(meta_extra={"a": 1e-7})
    assert record_line(copy.deepcopy(rec)) == (dumps(rec) + "\n").encode("utf-8")
