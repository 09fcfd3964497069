"""Red-team: io.dumps, the one serialiser of every file we write."""

import json

from annotate.io import dumps


def test_dumps_bytes_are_compact_sorted_real_utf8():
    record = {"b": [1, 2.5, None, True], "a": {"é": "\U0001F468\u200d\U0001F469", "z": "\u05e9\n"}}
    assert dumps(record) == '{"a":{"z":"\u05e9\\n","é":"\U0001F468\u200d\U0001F469"},"b":[1,2.5,null,true]}'
    assert json.loads(dumps(record)) == record
