"""The learned quote stage (annotate.learn): train on a tiny brat corpus + gold.jsonl made here,
deterministic with a seed, and its predictions keep the accept-unchanged invariant."""

from __future__ import annotations

import json
import pickle
import re

import pytest

from annotate.accept import accepted_export
from annotate.converters import MODEL_VERSION, annotate_text, convert_text
from annotate.errors import UsageError
from annotate.learn import load_model, train_model
from annotate.learn.data import parse_ann_contents, read_sources
from annotate.pull import build_dataset, export_items
from annotate.validate import check_prediction_task

from .conftest import SEEDS

NAMES = ["Maria Lopez", "John Carter", "the ministry", "Senator Blake", "Ana Ruiz", "the mayor"]
CLAIMS = ["the bridge would reopen next week", "taxes were too high", "the plan had failed",
          "talks with the union were going well", "the budget was balanced", "crime had fallen sharply"]


def _article(k: int) -> tuple[str, list[tuple[int, int]]]:
    """A short article and its gold Content spans (indirect after 'said that', and a direct quote)."""
    parts: list[str] = [f"Report number {k}."]  # every article differs (the same text twice trains once)
    spans: list[tuple[int, int]] = []
    pos = len(parts[0]) + 1
    for j in range(3):
        name, claim = NAMES[(k + j) % len(NAMES)], CLAIMS[(k * 2 + j) % len(CLAIMS)]
        if j % 2 == 0:
            head = f"{name} said on Monday that "
            spans.append((pos + len(head), pos + len(head) + len(claim)))
            sentence = f"{head}{claim}."
        else:
            quote = f"“We think {claim},”"
            spans.append((pos, pos + len(quote)))
            sentence = f"{quote} {name} told reporters."
        parts.append(sentence)
        pos += len(sentence) + 1
    return "\n".join(parts) + "\n", spans


@pytest.fixture(scope="module")
def sources(tmp_path_factory):
    root = tmp_path_factory.mktemp("learn")
    brat = root / "brat"
    (brat / "text").mkdir(parents=True)
    (brat / "attributions").mkdir()
    for k in range(8):
        text, spans = _article(k)
        (brat / "text" / f"doc{k}.txt").write_text(text, encoding="utf-8")
        lines = [f"T{i}\tContent {s} {e}\t{text[s:e]}" for i, (s, e) in enumerate(spans, 1)]
        (brat / "attributions" / f"doc{k}_ann1.ann").write_text("\n".join(lines) + "\n", encoding="utf-8")
    gold = root / "gold.jsonl"
    with gold.open("w", encoding="utf-8") as fh:
        for k in range(8, 12):
            text, spans = _article(k)
            record = {"id": f"g{k}", "text": text,
                      "spans": [{"id": f"q{s}-{e}", "label": "Quote", "start": s, "end": e, "text": text[s:e]}
                                for s, e in spans]}
            fh.write(json.dumps(record) + "\n")
    return root, brat, gold


@pytest.fixture(scope="module")
def model_dir(sources):
    root, brat, gold = sources
    out = root / "model"
    train_model([str(brat), str(gold)], out, seed=7, dev_fraction=0.25, params={"max_iterations": 30})
    return out


def test_both_kinds_of_source_are_read_with_their_quotes(sources):
    _, brat, gold = sources
    docs, infos = read_sources([str(brat), str(gold)])
    assert [i.kind for i in infos] == ["brat", "gold"]
    assert [i.docs for i in infos] == [8, 4]
    assert all(len(d.quotes) == 3 for d in docs)  # three sentences, one quote each
    text, spans = _article(0)
    assert docs[0].text == text and docs[0].quotes == spans


def test_fragments_split_only_by_white_space_are_one_quote():
    text = "He said “one\ntwo,” she said, “three.”"
    ann = "T1\tContent 8 12;13 18\tone two\nT2\tContent 8 18;29 37\tx\n"
    assert parse_ann_contents(ann, text) == [(8, 18), (8, 18), (29, 37)]


def test_two_trainings_with_one_seed_give_identical_model_files(sources, model_dir, tmp_path):
    _, brat, gold = sources
    again = tmp_path / "again"
    card = train_model([str(brat), str(gold)], again, seed=7, dev_fraction=0.25, params={"max_iterations": 30})
    assert (again / "model.crfsuite").read_bytes() == (model_dir / "model.crfsuite").read_bytes()
    first = json.loads((model_dir / "model.json").read_text())
    assert card["model_sha256"] == first["model_sha256"]
    assert card["seed"] == 7 and card["train_docs"] + card["dev_docs"] == 12
    assert [s["docs"] for s in card["sources"]] == [8, 4]
    assert card["dev_docs"] == 0 or card["dev_figures"]["learned"]["gold_quotes"] == 3 * card["dev_docs"]


def test_the_model_version_names_the_model_file(model_dir):
    import hashlib

    model = load_model(model_dir)
    digest = hashlib.sha256((model_dir / "model.crfsuite").read_bytes()).hexdigest()
    assert re.fullmatch(r"annotate-learned-[0-9a-f]{12}", model.version)
    assert model.version == "annotate-learned-" + digest[:12]
    assert pickle.loads(pickle.dumps(model)) is model  # a worker process loads it once from its dir


def test_predictions_with_the_model_accepted_unchanged_are_gold(model_dir):
    model = load_model(model_dir)
    tasks = [convert_text(p.read_text(encoding="utf-8"), doc_id=p.stem, model=model)
             for p in sorted(SEEDS.glob("*.txt"))]
    tasks.append(annotate_text(_article(3)[0], model=model))
    for task in tasks:
        assert task["predictions"][0]["model_version"] == model.version
        assert check_prediction_task(task) == []
        quotes = [r for r in task["predictions"][0]["result"]
                  if r["type"] == "labels" and r["value"]["labels"] == ["Quote"]]
        scores = [r["score"] for r in quotes]
        assert task["predictions"][0]["score"] == (min(scores) if scores else 1.0)
    summary = build_dataset(export_items(accepted_export(tasks)), None, source={}, dry_run=True)
    assert summary.counts.rejected == 0, summary.lines()
    assert summary.counts.gold == len(tasks)


def test_without_a_model_the_rules_output_is_unchanged():
    raw = (SEEDS / sorted(p.name for p in SEEDS.glob("*.txt"))[0]).read_text(encoding="utf-8")
    plain = convert_text(raw, doc_id="x")
    assert plain["predictions"][0]["model_version"] == MODEL_VERSION
    assert json.dumps(convert_text(raw, doc_id="x", model=None)) == json.dumps(plain)


def test_a_quote_the_model_finds_alone_has_no_speaker():
    from annotate.learn.model import Model

    class Stub(Model):  # the tagger's path: a span over "Taxes are too high" that no rule found
        def __init__(self):
            self.thresholds = {"adjust": 0.0, "add": 0.0, "drop": 2.0}
            self.version = "annotate-learned-000000000000"

        def tag(self, text, quotes):
            from annotate.learn.features import tokenize

            starts, ends, words = tokenize(text)
            labels = ["B" if i == 0 else "I" if i < 4 else "O" for i in range(len(words))]
            return starts, ends, labels

        def _certainty(self, labels, a, b):
            return 0.6

        def _outside(self, starts, ends, s, e):
            return 0.0

    text = "Taxes are too high . The rest is news."
    out = Stub().refine(text, [])
    assert [(text[q["start"]:q["end"]], q["speaker"], q["score"]) for q in out] == [("Taxes are too high", None, 0.6)]


@pytest.mark.parametrize("make, says", [
    (lambda p: p / "missing", "no such file or directory"),
    (lambda p: (p / "notes.txt").write_text("x") and p / "notes.txt", "not a gold.jsonl"),
    (lambda p: (p / "empty").mkdir() or p / "empty", "neither gold.jsonl nor a brat corpus"),
])
def test_a_bad_source_is_a_one_line_usage_error(tmp_path, make, says):
    source = make(tmp_path)
    with pytest.raises(UsageError) as info:
        train_model([str(source)], tmp_path / "out")
    assert says in str(info.value) and "\n" not in str(info.value)
    assert not (tmp_path / "out").exists()


def test_a_gold_file_that_is_not_gold_is_a_one_line_usage_error(tmp_path):
    bad = tmp_path / "gold.jsonl"
    bad.write_text('{"id": "a"}\n', encoding="utf-8")
    with pytest.raises(UsageError, match="line 1: not a gold record") as info:
        train_model([str(bad)], tmp_path / "out")
    assert "\n" not in str(info.value)


def test_a_directory_without_a_model_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError, match="no model.crfsuite"):
        load_model(tmp_path)


def test_cli_train_then_convert_with_the_model(sources, tmp_path):
    """The three-command recipe's last two steps through the CLI: train, then convert --model."""
    from click.testing import CliRunner

    from annotate.cli import cli

    _, brat, gold = sources
    out = tmp_path / "model"
    result = CliRunner().invoke(cli, ["train", str(brat), str(gold), "-o", str(out), "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert "Trained annotate-learned-" in result.output
    card = json.loads((out / "model.json").read_text())
    text, _ = _article(20)
    (tmp_path / "a.txt").write_text(text, encoding="utf-8")
    tasks = tmp_path / "tasks.jsonl"
    result = CliRunner().invoke(cli, ["convert", str(tmp_path / "a.txt"), "--model", str(out), "-o", str(tasks)])
    assert result.exit_code == 0, result.output
    [task] = [json.loads(line) for line in tasks.read_text().splitlines()]
    assert task["predictions"][0]["model_version"] == card["model_version"]
    bad = CliRunner().invoke(cli, ["convert", str(tmp_path / "a.txt"), "--model", str(tmp_path), "-o", "-"])
    assert bad.exit_code == 2
