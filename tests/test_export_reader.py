"""The export reader (annotate.exportfile): orjson reads what json reads, a trailing comma and a
task too large to hold are refused with a reason. No server: export files written here."""

from __future__ import annotations

import copy
import json
import random
from pathlib import Path

import pytest

import annotate.exportfile as exportfile
from annotate.accept import accepted_export
from annotate.convert import expand_inputs, iter_tasks
from annotate.exportfile import MAX_DEPTH, _deeper_than, read_export
from annotate.pull import pull, validate_file

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


@pytest.fixture(scope="module")
def export() -> list[dict]:
    tasks = list(iter_tasks(expand_inputs([str(SEEDS)]), warn=lambda _m: None))
    return list(accepted_export(tasks))


def items_of(path: Path) -> list[tuple]:
    return [(i.where, i.value, [e.as_dict() for e in i.errors]) for i in read_export(path)]


# --- a trailing comma -----------------------------------------------------------------------------

def test_trailing_comma_after_the_last_task_is_rejected_with_its_position(tmp_path, export):
    """json.loads refuses '[{...},]'; the streaming reader took the comma for the end."""
    head = "[" + ",\n".join(json.dumps(t) for t in export[:2]) + ","
    src = tmp_path / "export.json"
    src.write_text(head + "\n]\n", encoding="utf-8")
    comma = len(head) - 1  # the trailing comma's character offset
    line = head.count("\n") + 1
    column = comma - head.rfind("\n")
    summary = pull(None, tmp_path / "gold", from_file=src)
    assert (summary.counts.gold, summary.counts.rejected) == (2, 1)  # the tasks before it are read
    reject = json.loads((tmp_path / "gold" / "rejects.jsonl").read_text(encoding="utf-8"))
    error = reject["errors"][0]
    assert error["code"] == "invalid_json" and reject["input"] == "item:3"
    assert f"line {line} column {column} (char {comma})" in error["message"], error
    assert "trailing comma" in error["message"] and "\n" not in error["message"]
    with pytest.raises(json.JSONDecodeError):  # what every other reader says of the file
        json.loads(src.read_text(encoding="utf-8"))


def test_trailing_comma_exit_code_is_1(tmp_path, export):
    from click.testing import CliRunner

    from annotate.cli import cli

    src = tmp_path / "export.json"
    src.write_text("[" + json.dumps(export[0]) + ",]", encoding="utf-8")
    result = CliRunner().invoke(cli, ["pull", "--from-file", str(src), "-o", str(tmp_path / "gold")])
    assert result.exit_code == 1, result.output
    assert "invalid_json: 1" in result.output
    report = validate_file(src)
    assert report.invalid == 1 and any("trailing comma" in line for line in report.lines())


def test_empty_array_and_a_comma_inside_a_task_are_fine(tmp_path, export):
    src = tmp_path / "empty.json"
    src.write_text("[ ]", encoding="utf-8")
    assert items_of(src) == []
    src.write_text("[" + json.dumps(export[0], indent=1) + "\n]", encoding="utf-8")
    assert [w for w, _, errors in items_of(src) if not errors] == ["item:1"]


# --- one task too large to hold -------------------------------------------------------------------

def test_a_task_over_the_size_cap_is_refused_not_held(tmp_path, export, monkeypatch):
    """A hostile or broken file with one enormous task: a too_large reject, not gigabytes in memory."""
    monkeypatch.setattr(exportfile, "MAX_ITEM_CHARS", 200_000)
    monkeypatch.setattr(exportfile, "CHUNK", 4096)
    huge = copy.deepcopy(export[1])
    huge["data"]["padding"] = "x" * 300_000
    src = tmp_path / "export.json"
    src.write_text(json.dumps([export[0], huge, export[2]]), encoding="utf-8")
    got = items_of(src)
    assert [w for w, _, _ in got] == ["item:1", "item:2"]  # nothing after it can be found
    assert got[0][1] == export[0]
    assert [e["code"] for e in got[1][2]] == ["too_large"]
    message = got[1][2][0]["message"]
    assert "more than 200,000 characters" in message and "items after it are not read" in message


def test_a_jsonl_line_over_the_size_cap_loses_only_that_line(tmp_path, export, monkeypatch):
    monkeypatch.setattr(exportfile, "MAX_ITEM_CHARS", 200_000)
    monkeypatch.setattr(exportfile, "CHUNK", 4096)
    huge = copy.deepcopy(export[1])
    huge["data"]["padding"] = "x" * 300_000
    src = tmp_path / "export.jsonl"
    src.write_text("\n".join(json.dumps(t) for t in (export[0], huge, export[2])) + "\n", encoding="utf-8")
    got = items_of(src)
    assert [(w, [e["code"] for e in errors]) for w, _, errors in got] == [
        ("line:1", []), ("line:2", ["too_large"]), ("line:3", [])]
    assert got[2][1] == export[2]


# --- orjson reads what json reads -----------------------------------------------------------------

def odd_tasks(export: list[dict]) -> list[str]:
    """An export array with what orjson and json might read differently, one task each."""
    parts = [json.dumps(t, ensure_ascii=False) for t in export]
    big = copy.deepcopy(export[0])
    big["annotations"][0]["id"] = 10**20  # beyond 64 bits: orjson would make it a float
    big["meta"]["neg"] = -(2**63) - 1
    parts.append(json.dumps(big))
    floats = copy.deepcopy(export[1])
    floats["meta"]["floats"] = [1e-05, 0.1 + 0.2, 1e16, 5e-324, 1.7976931348623157e308, -0.0, 123456789.123456789]
    parts.append(json.dumps(floats, ensure_ascii=True))  # every non-ASCII character escaped
    nan = copy.deepcopy(export[2])
    nan["meta"]["score"] = float("nan")
    parts.append(json.dumps(nan))
    parts.append(json.dumps(export[3]).replace('"title": "', '"title": "\\ud800', 1))  # lone surrogate
    for depth in (MAX_DEPTH - 1, MAX_DEPTH, MAX_DEPTH + 1):
        for opener, closer in (("[", "]"), ('{"a":', "}")):
            deep = copy.deepcopy(export[4])
            parts.append(json.dumps(deep)[:-1] + ', "deep": ' + opener * (depth - 1) + '"x"' + closer * (depth - 1) + "}")
    parts.append('{"data": {"text": "1e400"}, "n": 1e400}')
    parts.append('{"dup": 1, "dup": 2, "x": {"y": [true, false, null]}}')
    return parts


@pytest.mark.parametrize("shape", ["array", "jsonl"])
def test_orjson_reads_every_item_as_json_does(tmp_path, export, monkeypatch, shape):
    if exportfile._orjson is None:
        pytest.skip("orjson is not installed: the stdlib decoder is the only one")
    parts = odd_tasks(export)
    text = "\n".join(parts) if shape == "jsonl" else "[\n" + ",\n".join(parts) + "\n]"
    src = tmp_path / f"export.{shape}"
    src.write_text(text, encoding="utf-8")
    fast = items_of(src)
    monkeypatch.setattr(exportfile, "_orjson", None)
    slow = items_of(src)
    assert len(fast) == len(slow) > len(export) + 6
    for a, b in zip(fast, slow, strict=True):
        assert a[0] == b[0] and a[2] == b[2]
        assert json.dumps(a[1], sort_keys=True) == json.dumps(b[1], sort_keys=True)  # NaN-safe equality
        assert repr(a[1]) == repr(b[1])  # types too: an int stays an int
    codes = [e["code"] for _, _, errors in fast for e in errors]
    assert codes.count("too_deep") == 2 and "invalid_json" in codes


def test_depth_from_the_text_is_the_depth_of_the_value():
    from annotate.exportfile import _text_deeper_than

    if exportfile._orjson is None:
        pytest.skip("orjson is not installed")
    rng = random.Random(3)

    def small():
        return rng.choice([1, "x" * rng.randint(0, 3000), None, 2.5, "]]}}[{", [], {}, [[1]], {"a": {"b": []}}])

    def value(depth):
        """A value nesting exactly `depth` levels, with small siblings along the way."""
        v = small() if depth == 0 else rng.choice([1, "leaf ]}", None])
        for _ in range(depth):
            siblings = [small() for _ in range(rng.randint(0, 2))]
            if rng.random() < 0.5:
                v = [*siblings, v] if rng.random() < 0.5 else [v, *siblings]
            else:
                v = {**{f"s{i}": x for i, x in enumerate(siblings)}, "v": v}
        return v

    answered = 0
    for _ in range(400):
        v = value(rng.randint(58, 70))
        text = json.dumps(v)
        deeper = _text_deeper_than(text)
        assert deeper in (None, _deeper_than(v, MAX_DEPTH)), text[:200]
        assert _text_deeper_than(text.encode(), parses=True) in (None, _deeper_than(v, MAX_DEPTH))
        answered += deeper is not None
    assert answered > 300  # the text answers most of them (the rest is walked)


def cpu_of(fn, runs: int = 3) -> float:
    """The least CPU time of a few runs (the machine is shared: the least is the least disturbed)."""
    import time

    best = float("inf")
    for _ in range(runs):
        c0 = time.process_time()
        fn()
        best = min(best, time.process_time() - c0)
    return best


def test_reading_with_orjson_takes_less_cpu(tmp_path, export, monkeypatch):
    """Generous on purpose (2 busy cores): orjson with the depth guard asked of its parser is
    measured at ~0.7x of json with the walked depth guard; only 'less' is asserted."""
    if exportfile._orjson is None:
        pytest.skip("orjson is not installed")
    tasks = []
    for i in range(60):
        task = copy.deepcopy(export[i % len(export)])
        task["data"]["doc_id"] = f"speed_{i}"
        tasks.append(task)
    src = tmp_path / "export.json"
    src.write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")
    with_orjson = exportfile._orjson
    rounds = []
    for _ in range(3):  # a busy machine can swap the two once: one round of three must show it
        monkeypatch.setattr(exportfile, "_orjson", with_orjson)
        fast = cpu_of(lambda: list(read_export(src)))
        monkeypatch.setattr(exportfile, "_orjson", None)
        slow = cpu_of(lambda: list(read_export(src)))
        rounds.append((fast, slow))
        if fast < slow:
            break
    assert any(fast < slow for fast, slow in rounds), rounds


def test_writing_a_record_with_orjson_takes_less_cpu(export, monkeypatch):
    import annotate.dataset as dataset
    from annotate.gold import build_record

    if dataset._orjson is None:
        pytest.skip("orjson is not installed")
    records = [build_record(t, t["annotations"][0]) for t in export] * 40
    fast = cpu_of(lambda: [dataset.record_line(r) for r in records])
    monkeypatch.setattr(dataset, "_orjson", None)
    slow = cpu_of(lambda: [dataset.record_line(r) for r in records])
    assert 2 * fast < slow, (fast, slow)  # measured ~8x


def test_orjson_is_used_only_as_it_was_checked(monkeypatch):
    """The depth guard relies on orjson's limit of 1024 levels and its messages: a release
    refusing otherwise is not used (json reads everything, as before)."""
    if exportfile._orjson is None:
        pytest.skip("orjson is not installed")
    assert exportfile._orjson_as_expected()

    class Other:  # an orjson without a depth limit (and with other messages)
        JSONDecodeError = json.JSONDecodeError

        @staticmethod
        def loads(text):
            if text.count("[") > text.count("]"):
                raise json.JSONDecodeError("Expecting value", text, len(text))
            return None

    monkeypatch.setattr(exportfile, "_orjson", Other)
    assert not exportfile._orjson_as_expected()


def test_a_task_dropped_alone_is_warned_about_alone(tmp_path, export):
    """iter_export (agree, report, export): a task of an array read past (lone surrogate, too
    long a number, too deep) is 'item left out'; a cut that ends the reading is 'the rest'."""
    from annotate.exportfile import iter_export

    parts = [json.dumps(t) for t in export[:4]]
    parts[1] = parts[1].replace('"title": "', '"title": "\\ud800', 1)
    parts[2] = parts[2].replace('"data": {', '"data": {"n": 1' + "0" * 5000 + ", ", 1)
    src = tmp_path / "export.json"
    src.write_text("[" + ",".join(parts) + ", {\"data\": {\"te", encoding="utf-8")
    warnings: list[str] = []
    tasks = list(iter_export(src, warn=warnings.append))
    assert [t["data"]["doc_id"] for t in tasks] == [export[0]["data"]["doc_id"], export[3]["data"]["doc_id"]]
    assert len(warnings) == 3, warnings
    assert "item 2" in warnings[0] and warnings[0].endswith("item left out")
    assert "item 3" in warnings[1] and warnings[1].endswith("item left out")
    assert "item 5" in warnings[2] and warnings[2].endswith("the rest of the file is left out")


@pytest.mark.parametrize("after", ['}}} , {"a": 1}]', ' , "str", {"a": 1}]', ' , "k": 5, {"a": 1}]', " ]", "]",
                                   "\n,\n{\"a\": NaN}]", ', [1, 2], 3, {"a": [1, {"b": 2}]}]', ", {\"a\": 1", ",", ""])
def test_orjson_finds_the_end_of_a_task_as_json_does(tmp_path, export, monkeypatch, after):
    """Whatever follows a task in the array (garbage, a string, a key, the end), the items read
    with orjson are json's, with json's errors."""
    if exportfile._orjson is None:
        pytest.skip("orjson is not installed")
    src = tmp_path / "export.json"
    src.write_text("[" + json.dumps(export[0]) + ", " + json.dumps(export[1]) + after, encoding="utf-8")
    fast = items_of(src)
    monkeypatch.setattr(exportfile, "_orjson", None)
    assert repr(fast) == repr(items_of(src))
