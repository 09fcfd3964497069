"""task_hash's bytes: whatever makes it cheaper (no cycle check, another encoder) must keep them.

The hash is SHA-256 of the text's SHA-256, a newline and the predictions as compact JSON in
their own key order with non-ASCII characters escaped; tasks already pushed carry it, so a
different spelling of the same predictions would make every re-push look like a change.
"""

from __future__ import annotations

import hashlib

from annotate.converters.tasks import task_hash


def _sha(s: str) -> str:
    return hashlib.sha256(s.encode("utf-8")).hexdigest()


def test_task_hash_is_the_sha256_of_the_text_hash_and_the_compact_json():
    text = "“Yes,” she said."
    predictions = [{"model_version": "m", "score": 0.5, "result": [
        {"id": "q1", "value": {"start": 0, "end": 6, "text": "“Yes,”", "labels": ["Quote"]}, "score": 0.25},
    ]}]
    # written by hand: no spaces, keys in insertion order, “ and ” as \u escapes
    blob = ('[{"model_version":"m","score":0.5,"result":[{"id":"q1","value":{"start":0,"end":6,'
            '"text":"\\u201cYes,\\u201d","labels":["Quote"]},"score":0.25}]}]')
    assert task_hash(text, predictions) == _sha(_sha(text) + "\n" + blob)
