"""`annotate convert` writes each task's line straight from its regions (tasks.build_line): the
bytes must be those of `dumps(build_task(...))`, task_hash included, and cheaper to make."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from annotate.convert import ConvertStats, expand_inputs, iter_lines, iter_tasks, task_counts
from annotate.converters import (
    CONVERTER_VERSION,
    MODEL_VERSION,
    clean,
    find_all_quotes,
    find_all_stances,
)
from annotate.converters.adversarial import GENERATORS
from annotate.converters.tasks import build_line, build_task, task_hash
from annotate.io import dumps

SEEDS = Path(__file__).resolve().parents[1] / "seeds"


def _docs(raws: list[str]) -> list[dict]:
    docs = [{"raw": raw, "doc_id": f"d{i}", "source_file": f"f{i}.txt"} for i, raw in enumerate(raws)]
    return list(find_all_stances(find_all_quotes(clean(docs))))


def _same(doc: dict) -> None:
    task = build_task(doc, MODEL_VERSION, CONVERTER_VERSION)
    line, counts = build_line(doc, MODEL_VERSION, CONVERTER_VERSION)
    assert line == dumps(task)
    assert counts == task_counts(task)
    assert task["meta"]["task_hash"] == task_hash(task["data"]["text"], task["predictions"])


def test_the_line_is_the_task_dumped_for_the_seeds_and_the_adversarial_texts():
    raws = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    raws += [make(3000, seed=3) for make in GENERATORS.values()]
    for doc in _docs(raws):
        _same(doc)


def test_the_line_escapes_as_json_does():
    """Characters json escapes differently with and without ensure_ascii (DEL, U+2028, an
    emoji as a surrogate pair, quotes and backslashes in a target and a choice), a stance
    without a score, an integer and a non-finite score."""
    text = 'He said \x7f"a\\b\tc\u2028d 😀 é" — Ann Lee said. “Good ‘x’ \x01 idea,” she said.'
    quote_a = {"start": 8, "end": 25, "score": 1, "quote_type": "direct", "speaker": [28, 35], "cue": "said"}
    quote_b = {"start": 42, "end": 62, "score": 0.123456, "quote_type": 'mi"x\\ed', "speaker": [63, 66]}
    quote_c = {"start": 0, "end": 2, "score": float("nan"), "quote_type": "indirect"}
    stance_a = {"start": 43, "end": 47, "score": None, "polarity": "favor", "target": 'the "Deal" \\ ü'}
    stance_b = {"start": 21, "end": 23, "score": 0.5, "polarity": "against", "target": "😀"}
    doc = {"text": text, "raw": text + "\n", "doc_id": 'd"1', "source_file": "ü.txt", "title": "T\x7f",
           "targets": ['the "Deal" \\ ü', "😀"], "quotes": [quote_a, quote_b, quote_c],
           "stances": [stance_a, stance_b]}
    _same(doc)
    line, counts = build_line(doc, "m\u2028v", "v")
    assert json.loads(line)["predictions"][0]["model_version"] == "m\u2028v"
    assert counts.quotes == 3 and counts.stances == 2 and counts.by_type["indirect"] == 1


def test_convert_lines_are_the_tasks_dumped():
    """iter_lines (what `annotate convert` writes) and iter_tasks (what push and Python callers
    get) say the same, and count the same."""
    paths = expand_inputs([str(SEEDS)])
    by_lines, by_tasks = ConvertStats(), ConvertStats()
    lines = list(iter_lines(paths, by_lines, warn=lambda _m: None))
    tasks = list(iter_tasks(paths, by_tasks, warn=lambda _m: None))
    assert lines == [dumps(t) for t in tasks]
    assert by_lines == by_tasks


def test_an_article_with_nothing_left_is_skipped_by_name(tmp_path):
    (tmp_path / "a.txt").write_text("Skip to main content\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("“We will see,” Ann Lee said.\n", encoding="utf-8")
    for jobs in (1, 2):
        stats, warnings = ConvertStats(), []
        lines = list(iter_lines(expand_inputs([str(tmp_path)]), stats, warn=warnings.append, jobs=jobs))
        assert len(lines) == 1 and json.loads(lines[0])["data"]["doc_id"] == "b"
        assert stats.docs == 1 and stats.quotes == 1
        assert [name for name, _ in stats.skipped] == [str(tmp_path / "a.txt")]
        assert warnings == [f"skipped {tmp_path / 'a.txt'}: nothing left after cleaning "
                            "(only boilerplate or invisible characters)"]


@pytest.mark.parametrize("rounds", [5])
def test_the_line_costs_less_than_the_task_and_its_dump(rounds):
    """build_line skips the result dicts and writes the predictions once for the line and once
    for task_hash as it goes: on the seeds it took about 0.6x of build_task + dumps (which
    encodes the predictions twice); the bound is generous for a loaded machine."""
    docs = _docs([p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]) * 4
    old, new = [], []
    for _ in range(rounds):
        t0 = time.process_time()
        for doc in docs:
            dumps(build_task(doc, MODEL_VERSION, CONVERTER_VERSION))
        old.append(time.process_time() - t0)
        t0 = time.process_time()
        for doc in docs:
            build_line(doc, MODEL_VERSION, CONVERTER_VERSION)
        new.append(time.process_time() - t0)
    assert min(new) < 0.85 * min(old), (min(new), min(old))


@pytest.mark.parametrize("n", [*range(168, 174), *range(338, 345), 700])
def test_a_long_result_is_written_in_pieces_that_join_into_the_line(n):
    """The result items go out in chunks of a few hundred (so a huge article's line is never
    one string): every count around the chunk size joins into the same line and hash."""
    text = "“Hi” " * n
    quotes = [{"start": 5 * i, "end": 5 * i + 4, "score": 0.5, "quote_type": "direct"} for i in range(n)]
    doc = {"text": text, "doc_id": "d", "targets": [], "quotes": quotes, "stances": []}
    _same(doc)


def test_workers_send_utf8_lines_and_the_file_is_the_same(tmp_path):
    """With --jobs a worker sends its line as UTF-8 bytes, written below the text layer."""
    from annotate.convert import _convert_line, _convert_utf8, convert_paths

    one, two = tmp_path / "1.jsonl", tmp_path / "2.jsonl"
    convert_paths([str(SEEDS)], str(one), warn=lambda _m: None, jobs=1)
    convert_paths([str(SEEDS)], str(two), warn=lambda _m: None, jobs=2)
    assert one.read_bytes() == two.read_bytes()
    doc = {"raw": "“Ça va,” Zoë said. 😀", "doc_id": "d", "source_file": ""}
    (data,), counts = _convert_utf8(doc)
    assert data.decode("utf-8") == _convert_line(doc).line and counts == _convert_line(doc).counts


def test_bytes_are_written_only_below_a_utf8_text_output():
    import io

    from annotate.convert import _utf8_buffer

    assert _utf8_buffer(io.TextIOWrapper(io.BytesIO(), encoding="utf-8")) is not None
    assert _utf8_buffer(io.TextIOWrapper(io.BytesIO(), encoding="latin-1")) is None
    assert _utf8_buffer(io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="replace")) is None
    assert _utf8_buffer(io.StringIO()) is None


def test_every_region_id_is_the_one_labeling_region_id_gives():
    """tasks._plan writes region ids itself (a call per region costs more than the region): they
    must stay labeling.region_id's, the ids pull, agreement and the edit report match on."""
    from annotate.labeling import region_id

    raws = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    seen = 0
    for doc in _docs(raws):
        task = build_task(doc, MODEL_VERSION, CONVERTER_VERSION)
        for r in task["predictions"][0]["result"]:
            if r["type"] == "labels":
                v = r["value"]
                assert r["id"] == region_id(v["labels"][0], v["start"], v["end"])
                seen += 1
    assert seen > 100  # the five seeds hold Speakers, Quotes and Stances
