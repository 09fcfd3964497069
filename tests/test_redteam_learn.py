"""Red-team: the learned quote stage (annotate.learn) on hostile training sources, model
directories and texts. Each case must end in a one-line UsageError (exit 2 from the CLI) or a
correct result: never a traceback, a crash of the process, a hang or a silently wrong model."""

from __future__ import annotations

import gc
import json
import re
import shutil
import struct
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotate.cli import cli
from annotate.errors import UsageError
from annotate.learn import load_model, train_model
from annotate.learn import model as model_module
from annotate.learn.data import parse_ann_contents, read_sources
from annotate.learn.features import mark_candidates, mark_features, topic_candidates, topic_features

from .test_learn import _article, article_docs, write_brat

PARAMS = {"max_iterations": 30}


def _brat(root: Path, docs: range = range(6)) -> Path:
    """A small brat corpus (PolNeAR layout) of the invented articles of test_learn."""
    return write_brat(root, article_docs(docs), "ann1")


def _gold(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def _record(k: int, **change) -> dict:
    text, spans = _article(k)
    rec = {"id": f"g{k}", "text": text,
           "spans": [{"id": f"q{s}-{e}", "label": "Quote", "start": s, "end": e, "text": text[s:e]} for s, e in spans]}
    rec.update(change)
    return rec


@pytest.fixture(scope="module")
def trained(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("redteam-learn")
    out = root / "model"
    train_model([str(_brat(root / "brat", range(10)))], out, seed=1, dev_fraction=0.0, params=PARAMS)
    return out


def _one_line_usage_error(call) -> str:
    with pytest.raises(UsageError) as info:
        call()
    message = str(info.value)
    assert "\n" not in message
    return message


# --- training sources ---------------------------------------------------------------------------


def test_a_brat_text_that_is_not_utf8_is_a_usage_error_naming_it(tmp_path):
    brat = _brat(tmp_path / "brat")
    (brat / "text" / "doc2.txt").write_bytes("Ana Ruiz said that caf\u00e9 prices rose.\n".encode("cp1252"))
    message = _one_line_usage_error(lambda: read_sources([str(brat)]))
    assert "doc2.txt" in message and "UTF-8" in message


def test_an_ann_that_cannot_be_read_is_a_usage_error_naming_it(tmp_path):
    brat = _brat(tmp_path / "brat")
    (brat / "attributions" / "doc9_ann1.ann").mkdir()  # a directory where a file should be
    (brat / "text" / "doc9.txt").write_text("Nothing here.\n", encoding="utf-8")
    message = _one_line_usage_error(lambda: read_sources([str(brat)]))
    assert "doc9_ann1.ann" in message


def test_a_content_with_an_empty_or_reversed_fragment_is_left_out():
    text = "He said “one two three four five six.” Later more."
    ann = ("T1\tContent ;\tx\n"  # no offsets at all
           "T2\tContent 8 12;30 20\tx\n"  # a fragment whose end is before its start
           "T3\tContent 9\tx\n"  # one offset
           "T4\tContent 30 39;8 18\tout of order\n")  # fragments out of order: one span, first to last
    assert parse_ann_contents(ann, text) == [(8, 39)]


def test_a_brat_corpus_with_an_empty_fragment_still_trains(tmp_path):
    brat = _brat(tmp_path / "brat")
    with (brat / "attributions" / "doc0_ann1.ann").open("a", encoding="utf-8") as fh:
        fh.write("T9\tContent ;\tbroken\n")
    docs, infos = read_sources([str(brat)])
    assert infos[0].docs == 6 and [len(d.quotes) for d in docs] == [3] * 6


@pytest.mark.parametrize("change, says", [
    ({"spans": ["x"]}, "span 0 is not an object"),
    ({"spans": {"label": "Quote"}}, "spans is not a list"),
    ({"spans": [{"label": "Quote", "start": float("inf"), "end": 30}]}, "whole numbers"),
    ({"spans": [{"label": "Quote", "start": float("nan"), "end": 30}]}, "whole numbers"),
    ({"spans": [{"label": "Quote", "start": 20.7, "end": 30}]}, "whole numbers"),
    ({"spans": [{"label": "Quote", "start": "20", "end": 30}]}, "whole numbers"),
    ({"spans": [{"label": "Quote", "start": 20, "end": 5000}]}, "not inside its text"),
    ({"spans": [{"label": "Quote", "start": 30, "end": 20}]}, "not inside its text"),
])
def test_a_gold_record_with_a_span_that_is_not_one_of_its_text_is_a_usage_error(tmp_path, change, says):
    # a span off its text, or offsets that are not whole numbers, are a broken record: training on
    # it silently (dropped, or 20.7 read as 20) would teach the model a wrong quote
    gold = _gold(tmp_path / "gold.jsonl", [_record(1), _record(2, **change)])
    message = _one_line_usage_error(lambda: read_sources([str(gold)]))
    assert "line 2: not a gold record" in message and says in message


def test_a_lone_surrogate_in_a_gold_text_is_read_as_a_replacement_character(tmp_path):
    text, spans = _article(1)
    text = text.replace("Report", "Rep\ud800rt", 1)  # same length: the spans stay
    gold = tmp_path / "gold.jsonl"
    record = _record(1, text=text)
    gold.write_text(json.dumps(record) + "\n" + json.dumps(_record(2)) + "\n", encoding="utf-8")
    docs, _ = read_sources([str(gold)])
    assert docs[0].text == text.replace("\ud800", "\ufffd") and docs[0].quotes == spans
    card = train_model([str(gold)], tmp_path / "m", dev_fraction=0.0, params=PARAMS)
    assert card["train_docs"] == 2


def test_documents_with_nothing_to_decide_are_a_usage_error_and_leave_no_model(tmp_path):
    gold = _gold(tmp_path / "gold.jsonl", [{"id": "a", "text": "", "spans": []}, {"id": "b", "text": "Hi.", "spans": []}])
    out = tmp_path / "model"
    message = _one_line_usage_error(lambda: train_model([str(gold)], out, dev_fraction=0.0, params=PARAMS))
    assert "nothing to learn" in message
    assert not (out / "model.crfsuite").exists()


def test_an_output_directory_below_a_file_is_a_usage_error(tmp_path):
    brat = _brat(tmp_path / "brat")
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    message = _one_line_usage_error(lambda: train_model([str(brat)], tmp_path / "afile" / "model", params=PARAMS))
    assert "cannot create" in message


def test_an_interrupted_retraining_leaves_the_earlier_model_loadable_as_it_was(tmp_path, monkeypatch):
    out = tmp_path / "model"
    train_model([str(_brat(tmp_path / "a", range(6)))], out, dev_fraction=0.0, params=PARAMS)
    before = load_model(out).version
    card_before = (out / "model.json").read_bytes()

    def interrupted(*_args, **_kw):
        raise KeyboardInterrupt

    monkeypatch.setattr(model_module, "evaluate", interrupted)
    with pytest.raises(KeyboardInterrupt):  # Ctrl-C after the new model was trained, before its card
        train_model([str(_brat(tmp_path / "b", range(4, 12)))], out, dev_fraction=0.5, params=PARAMS)
    assert (out / "model.json").read_bytes() == card_before
    assert load_model(out).version == before
    assert sorted(p.name for p in out.iterdir()) == ["model.crfsuite", "model.json"]


# --- model directories --------------------------------------------------------------------------


def _copy(trained: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(trained, tmp_path / "m"))


@pytest.mark.parametrize("card, says", [
    ([1, 2], "not a JSON object"),
    ("model", "not a JSON object"),
    ({"thresholds": [0.5]}, "thresholds is not an object"),
    ({"thresholds": {"add": "0.5"}}, "threshold add"),
    ({"thresholds": {"add": float("nan")}}, "threshold add"),
    ({"thresholds": {"add_topic": -0.1}}, "threshold add_topic"),
    ({"thresholds": {"add": True}}, "threshold add"),
    ({"thresholds": {"ad": 0.5}}, "unknown threshold 'ad'"),
    ({"format": "annotate-other-model/1"}, "format"),
])
def test_a_broken_model_card_is_a_one_line_usage_error(trained, tmp_path, card, says):
    m = _copy(trained, tmp_path)
    if isinstance(card, dict):
        card = dict(json.loads((m / "model.json").read_text()), **card)
    (m / "model.json").write_text(json.dumps(card), encoding="utf-8")  # NaN is written as NaN, as Python reads it
    message = _one_line_usage_error(lambda: load_model(m))
    assert says in message


def test_a_card_left_from_another_training_is_refused(trained, tmp_path):
    m = _copy(trained, tmp_path)
    other = tmp_path / "other"
    train_model([str(_brat(tmp_path / "brat", range(3, 12)))], other, dev_fraction=0.0, params=PARAMS)
    shutil.copy(other / "model.crfsuite", m / "model.crfsuite")  # a new model under the old card
    message = _one_line_usage_error(lambda: load_model(m))
    assert "not the model its card" in message


def _load_in_child(model_dir: Path) -> subprocess.CompletedProcess:
    """load_model in a child process: a crash (a segfault in CRFsuite) must not take the tests down."""
    code = ("import sys\nfrom annotate.errors import UsageError\nfrom annotate.learn import load_model\n"
            "try:\n    load_model(sys.argv[1]).refine('Ana Ruiz said that the plan had failed badly.', [])\n"
            "except UsageError as exc:\n    print(exc)\n    sys.exit(2)\n")
    return subprocess.run([sys.executable, "-c", code, str(model_dir)], capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("cut", [60, 1000, -10])
def test_a_truncated_model_file_is_a_usage_error_not_a_crash(trained, tmp_path, cut):
    for with_card in (True, False):
        m = _copy(trained, tmp_path / str(with_card))
        data = (m / "model.crfsuite").read_bytes()
        (m / "model.crfsuite").write_bytes(data[:cut])
        if not with_card:
            (m / "model.json").unlink()
        done = _load_in_child(m)
        assert done.returncode == 2, (with_card, done.returncode, done.stderr[-300:])
        assert "model.crfsuite is not a CRFsuite model" in done.stdout


def _damage_label_table(m: Path) -> None:
    data = bytearray((m / "model.crfsuite").read_bytes())
    labels, attrs = struct.unpack_from("<II", data, 32)  # the header's offsets of the two string tables
    for i in range(labels + 24, attrs):  # the label table's body, its chunk header kept
        data[i] = (data[i] * 7 + 13) % 256
    (m / "model.crfsuite").write_bytes(bytes(data))


def test_a_model_file_overwritten_after_its_header_is_refused_by_its_card(trained, tmp_path):
    m = _copy(trained, tmp_path)
    _damage_label_table(m)
    done = _load_in_child(m)
    assert done.returncode == 2, (done.returncode, done.stderr[-300:])
    assert "not the model its card" in done.stdout


def test_a_damaged_model_file_without_a_card_is_refused_not_a_crash(trained, tmp_path):
    # fit() alone writes no card (benchmarks load such directories): the tables are read instead
    m = _copy(trained, tmp_path)
    (m / "model.json").unlink()
    assert load_model(m).version == load_model(trained).version  # whole, it loads without its card
    _damage_label_table(m)
    done = _load_in_child(m)
    assert done.returncode == 2, (done.returncode, done.stderr[-300:])
    assert "model.crfsuite is not a CRFsuite model (the label table is damaged)" in done.stdout


def test_cli_convert_with_a_broken_card_is_one_line_exit_2(trained, tmp_path):
    m = _copy(trained, tmp_path)
    (m / "model.json").write_text("[]", encoding="utf-8")
    (tmp_path / "a.txt").write_text(_article(3)[0], encoding="utf-8")
    result = CliRunner().invoke(cli, ["convert", str(tmp_path / "a.txt"), "--model", str(m), "-o", str(tmp_path / "t")])
    assert result.exit_code == 2, result.output
    assert "not a JSON object" in result.output and len(result.output.strip().splitlines()) == 1


# --- refine on hostile texts --------------------------------------------------------------------


def test_refine_reads_a_lone_surrogate_as_a_character(trained):
    model = load_model(trained)
    text = "Maria Lopez said on Monday that the bridge \ud800 would reopen next week.\n"
    from annotate.learn.model import _rules

    quotes = model.refine(text, _rules(text))
    assert all(0 <= q["start"] < q["end"] <= len(text) for q in quotes)


def _cpu(fn, text: str) -> float:
    best = float("inf")
    for _ in range(2):
        t0 = time.process_time()
        fn(text)
        best = min(best, time.process_time() - t0)
    return best


def _topic_pass(text: str) -> None:
    for c in topic_candidates(text, []):
        topic_features(text, c)


def _mark_pass(text: str) -> None:
    for c in mark_candidates(text, []):
        mark_features(text, c)


@pytest.mark.parametrize("fn, unit, n", [
    (_topic_pass, "critical of ", 40_000),  # a topic phrase every 12 characters, one line
    (_mark_pass, "“a” ‘b’ ", 40_000),  # a quoted phrase every 4 characters, one line
])
def test_topic_and_mark_features_are_linear_on_one_long_line(fn, unit, n):
    # Each feature asks about the line before its phrase (a quote mark on it? at its start?): read
    # by scanning back over the line, a one-line text made the pass quadratic (16x for 4x the text)
    small = (unit * (n // len(unit) + 1))[:n]
    large = (unit * (4 * n // len(unit) + 1))[:4 * n]
    a, b = _cpu(fn, small), _cpu(fn, large)
    assert b <= 1.75 * 4 * a + 0.05, (a, b)


def test_a_brat_document_named_with_an_underscore_and_no_annotator_is_read(tmp_path):
    # brat names a document's annotations <doc>.ann; PolNeAR adds _<annotator>. "my_doc.ann" is
    # my_doc's (its text is text/my_doc.txt), not the annotations of a document "my"
    brat = _brat(tmp_path / "brat", range(3))
    text, spans = _article(7)
    (brat / "text" / "my_doc.txt").write_text(text, encoding="utf-8")
    (brat / "attributions" / "my_doc.ann").write_text(
        "".join(f"T{i}\tContent {s} {e}\t{text[s:e]}\n" for i, (s, e) in enumerate(spans, 1)), encoding="utf-8")
    docs, infos = read_sources([str(brat)])
    assert infos[0].docs == 4
    assert [d.quotes for d in docs if d.doc_id == "my_doc"] == [spans]


def test_training_items_grow_linearly_with_the_quotes_of_one_long_text():
    # Each rule quote looked for its gold quote among all of the document's (and each proposed
    # quote among all free ones): a one-line text of 10,000 quotes took minutes to featurize
    from annotate.learn.data import Doc
    from annotate.learn.model import items

    def doc(n: int) -> Doc:
        text = ("“We will win,” she said, “and then more.” " * (n // 42 + 1))[:n]
        gold = [(m.start(), m.end()) for m in re.finditer("“[^”]*”", text)]
        return Doc("x", text, gold)

    small, large = doc(25_000), doc(100_000)
    # interleaved, best of three each: on a shared machine a slow spell during one measurement
    # must not look like quadratic growth; and with the collector paused: late in a long test
    # session the process holds millions of objects, and each full collection the larger run
    # triggers walks them all (two CI runs measured 0.16 s and 1.18-1.21 s, 7.3x; with a heap of
    # 3 million objects this machine measures 4.7x with the collector, 2.4x without)
    a = b = float("inf")
    gc.collect()
    gc.disable()
    try:
        for _ in range(3):
            a = min(a, _cpu(items, small))
            b = min(b, _cpu(items, large))
    finally:
        gc.enable()
    assert b <= 1.75 * 4 * a + 0.05, (a, b)


def test_an_ann_file_with_a_byte_order_mark_keeps_its_first_content(tmp_path):
    # an editor that saves "UTF-8 with BOM" puts U+FEFF before the first "T1\tContent ..." line
    brat = _brat(tmp_path / "brat", range(2))
    ann = brat / "attributions" / "doc0_ann1.ann"
    ann.write_text("\ufeff" + ann.read_text(encoding="utf-8"), encoding="utf-8")
    docs, _ = read_sources([str(brat)])
    assert [d.quotes for d in docs] == [_article(0)[1], _article(1)[1]]


def test_training_reports_its_iterations_and_stops_when_interrupted_during_them(tmp_path):
    # pycrfsuite calls on_iteration only when verbose: the "Training" progress never moved, and
    # an interruption raised there (Ctrl-C, the backend's child finding its parent gone) was never seen
    brat = _brat(tmp_path / "brat", range(6))
    seen: list[tuple[str, int, int]] = []
    train_model([str(brat)], tmp_path / "a", dev_fraction=0.0, params={"max_iterations": 30},
                progress=lambda stage, done, total: seen.append((stage, done, total)))
    iterations = [done for stage, done, total in seen if stage == "train"]
    assert iterations and iterations == list(range(1, len(iterations) + 1)) and len(iterations) <= 30

    def stop(stage, done, _total):
        if stage == "train" and done == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        train_model([str(brat)], tmp_path / "b", dev_fraction=0.0, params={"max_iterations": 30}, progress=stop)
    assert list((tmp_path / "b").iterdir()) == []  # nothing written, nothing half-written


def test_a_model_file_without_a_card_whose_weight_is_nan_is_refused(trained, tmp_path):
    # a NaN weight makes a decision's marginals NaN: `p < threshold` is then never true and the
    # model would add every candidate it is asked about
    m = _copy(trained, tmp_path)
    (m / "model.json").unlink()
    data = bytearray((m / "model.crfsuite").read_bytes())
    (features,) = struct.unpack_from("<I", data, 28)
    struct.pack_into("<d", data, features + 12 + 12, float("nan"))  # the first feature's weight
    (m / "model.crfsuite").write_bytes(bytes(data))
    message = _one_line_usage_error(lambda: load_model(m))
    assert "the feature table is damaged" in message


def test_json_nested_past_the_parser_depth_is_a_usage_error(trained, tmp_path):
    deep = "[" * 100_000 + "]" * 100_000
    m = _copy(trained, tmp_path)
    (m / "model.json").write_text(deep, encoding="utf-8")
    assert "unreadable model.json" in _one_line_usage_error(lambda: load_model(m))
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps(_record(1)) + "\n" + deep + "\n", encoding="utf-8")
    assert "line 2: not a gold record" in _one_line_usage_error(lambda: read_sources([str(gold)]))
