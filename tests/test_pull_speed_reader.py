"""Unit tier: the export reader's guessed item ends (exportfile._guessed_item) read what the
plain reading reads, in every way a file may part its items, and never a wrong value."""

import json
import random
import re

import pytest

from annotate import exportfile
from annotate.exportfile import _guessed_item, _parting, read_export


def task(i: int, rng: random.Random) -> dict:
    """A task-shaped object whose inside holds lists of objects with the task's own first key,
    written with the same spacing as the items are parted: the guess must not stop there. (Its
    text is long enough for orjson's depth check, which gives up on a text of a few hundred
    characters behind its prefix: such items are read the other way, also right.)"""
    text = f"text {i} \u201cquoted\u201d, {{\"id\": 3}} " + "words of an article " * 60
    return {"id": i, "data": {"text": text, "n": rng.randint(0, 9)},
            "annotations": [{"id": 10 * i + k, "result": [{"id": f"r{k}", "value": {"start": k, "end": k + 1}}]}
                            for k in range(rng.randint(0, 3))],
            "predictions": [{"id": i, "score": rng.random()}]}


WRITERS = {
    "compact": lambda items: json.dumps(items, ensure_ascii=False, separators=(",", ":")),
    "spaced": lambda items: json.dumps(items, ensure_ascii=False),
    "indented": lambda items: json.dumps(items, ensure_ascii=False, indent=2),
    "ascii": lambda items: json.dumps(items),
    "lines": lambda items: "[\n" + ",\n".join(json.dumps(t, ensure_ascii=False) for t in items) + "\n]\n",
}


def counted(monkeypatch) -> dict:
    calls = {"guessed": 0}
    real = exportfile._guessed_item

    def spy(*args):
        found = real(*args)
        calls["guessed"] += found is not None
        return found

    monkeypatch.setattr(exportfile, "_guessed_item", spy)
    return calls


@pytest.mark.parametrize("style", sorted(WRITERS))
def test_items_read_through_guessed_ends_are_the_items_written(tmp_path, monkeypatch, style):
    rng = random.Random(style)
    items = [task(i, rng) for i in range(40)]
    path = tmp_path / "export.json"
    path.write_text(WRITERS[style](items), encoding="utf-8")
    calls = counted(monkeypatch)
    read = list(read_export(path))
    assert [r.errors for r in read] == [[]] * 40
    assert [r.value for r in read] == items
    assert [r.where for r in read] == [f"item:{i}" for i in range(1, 41)]
    assert calls["guessed"] >= 30  # the first item teaches the parting; a few end past the window


def test_items_parted_unevenly_are_read_whatever_the_guess(tmp_path, monkeypatch):
    rng = random.Random(5)
    items = [task(i, rng) for i in range(60)]
    seps = [",", ", ", ",\n", " ,\n\n  ", ",\t"]
    text = "[" + "".join(json.dumps(t) + (rng.choice(seps) if i < 59 else "") for i, t in enumerate(items)) + "]"
    path = tmp_path / "export.json"
    path.write_text(text, encoding="utf-8")
    calls = counted(monkeypatch)
    read = list(read_export(path))
    assert [r.value for r in read] == items and all(not r.errors for r in read)
    assert calls["guessed"] > 0


def test_broken_items_between_guessed_ones_keep_their_own_errors(tmp_path, monkeypatch):
    """A too-deep item, a NaN, a lone surrogate, a key twice and a 20-digit number in a row of
    well-formed items: each is reported as the plain reading reports it, the rest are read."""
    rng = random.Random(9)
    good = [json.dumps(task(i, rng)) for i in range(12)]
    deep = '{"id": 100, "data": {"x": ' + "[" * 70 + "1" + "]" * 70 + "}}"
    nan = '{"id": 101, "data": {"x": NaN}}'
    surrogate = '{"id": 102, "data": {"text": "a \\ud800 b"}}'
    twice = '{"id": 103, "data": {"text": "a"}, "data": {"text": "b"}}'
    digits = '{"id": 104, "data": {"n": 123456789012345678901}}'
    texts = good[:3] + [deep] + good[3:5] + [nan] + good[5:7] + [surrogate, twice] + good[7:9] + [digits] + good[9:]
    path = tmp_path / "export.json"
    path.write_text("[" + ", ".join(texts) + "]", encoding="utf-8")
    calls = counted(monkeypatch)
    read = list(read_export(path))
    assert len(read) == len(texts)
    by_id = {}
    for r in read:
        if r.value is not None:
            by_id[r.value["id"]] = r
    codes = [[e.code for e in r.errors] for r in read]
    assert codes[3] == ["too_deep"]
    assert codes[9] == ["invalid_json"] and "surrogate" in read[9].errors[0].message
    assert codes[10] == ["duplicate_key"] and '"data"' in read[10].errors[0].message
    assert read[6].value["data"]["x"] != read[6].value["data"]["x"]  # NaN read as json reads it
    assert by_id[104].value["data"]["n"] == 123456789012345678901  # an exact int, not orjson's float
    assert [json.loads(t) for t in good] == [r.value for r in read if not r.errors and r.value["id"] < 100]
    assert calls["guessed"] > 0


PAD = '"' + "x" * 1200 + '"'  # see task()


def parting(text: str) -> tuple:
    """`_parting` of the first item of a JSON array text."""
    pos = text.index("{")
    _, end = json.JSONDecoder().raw_decode(text, pos)
    return _parting(text, pos, end)


def test_guessed_item_takes_only_exactly_one_value():
    first, second = '{"p": ' + PAD + ', "a": [{"b": 1}, {"b": 2}]}', '{"b": 3}'
    buf = "[" + first + ", " + second + "]"
    between = parting(buf)
    assert between[0].pattern == re.escape('}, {"b": ') and between[1] == 0
    # the first '}, {"b": ' is inside the first item: not read short, the next place is tried
    assert _guessed_item(buf, 1, 1 << 14, between) == (json.loads(first), 1 + len(first), first.encode())
    many = '{"p": ' + PAD + ', "a": [' + ", ".join(['{"b": 1}'] * (exportfile._TRIES + 1)) + "]}"
    assert _guessed_item("[" + many + ", " + second + "]", 1, 1 << 14, between) is None  # each part is tried
    fewer = '{"p": ' + PAD + ', "a": [' + ", ".join(['{"b": 1}'] * exportfile._TRIES) + "]}"
    assert _guessed_item("[" + fewer + ", " + second + "]", 1, 1 << 14, between)[0] == json.loads(fewer)
    one = '{"a": ' + PAD + "}"
    third = '{"b": ' + PAD + "}"
    buf2 = "[" + one + ", " + third + ", " + third + "]"
    value, end, data = _guessed_item(buf2, 1, 1 << 14, between)
    assert (value, end, data) == (json.loads(one), 1 + len(one), one.encode())
    value, end, _ = _guessed_item(buf2, 3 + len(one), 1 << 14, between)
    assert (value, end) == (json.loads(third), 3 + len(one) + len(third))
    # a guess past two items (the parting in between was written otherwise) is refused
    buf3 = "[" + one + "," + third + ", " + third + "]"
    assert _guessed_item(buf3, 1, 1 << 14, between) is None
    # far beyond the window: not looked for
    assert _guessed_item(buf2, 1, 100, between) is None


def test_a_number_first_is_parted_by_its_shape_and_the_next_key():
    """Tasks with their id first: '}, {"id": <a number>, "annotations":' parts them; result items
    with a string id first and annotations with another second key do not match."""
    text = json.dumps([{"id": 1, "annotations": []}, {"id": 2, "annotations": []}])
    pattern, close = parting(text)
    assert close == 0
    assert pattern.search('}, {"id": 17, "annotations": [')
    assert pattern.search('}, {"id": -3.5e2, "annotations": [')
    assert not pattern.search('}, {"id": "q1-5", "annotations": [')
    assert not pattern.search('}, {"id": 17, "completed_by": 3')
    indented = json.dumps([{"id": 1, "data": {}}, {"id": 2, "data": {}}], indent=2)
    pattern, close = parting(indented)
    assert close == 3  # the newline and two spaces before the task's closing brace
    assert pattern.search('x\n  },\n  {\n    "id": 40,\n    "data": {').start() == 1
    assert not pattern.search('\n      },\n      {\n        "id": 40,\n        "data": {')


def test_parting_is_none_without_a_next_item_in_the_buffer():
    assert _parting('[{"a": 1}]', 1, 9) is None
    assert _parting('[{"a": 1}, ', 1, 9) is None
    assert _parting('[{"a": 1},\n  [1, 2]]', 1, 9)[0].pattern == re.escape("},\n  [")
