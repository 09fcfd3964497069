"""`annotate export`: every format loaded back by its own library and compared span by span.

Gold records come from the real pipeline: the converter's predictions on the seed articles,
taken as an annotator's submitted annotation, turned into records by annotate.gold.build_record
and written as a dataset directory by annotate.dataset.DatasetWriter (as `annotate pull` does).
"""

from __future__ import annotations

import copy
import hashlib
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotate import convert_text
from annotate.cli import cli
from annotate.dataset import DatasetWriter
from annotate.errors import UsageError, ValidationFailed
from annotate.exports import export_dataset, parse_formats
from annotate.exports.bio import read_bio, tokenize
from annotate.exports.source import speaker_clusters
from annotate.gold import build_record
from annotate.io import read_jsonl, write_jsonl

from .conftest import missing_module, need_shared

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
ANNOTATOR = {"id": 7, "email": "ann@example.com"}

needs_spacy = pytest.mark.skipif(missing_module("spacy"), reason="annotate[spacy] not installed")
needs_hf = pytest.mark.skipif(missing_module("datasets"), reason="annotate[hf] not installed")


# --- test data: real gold records ----------------------------------------------------------


def annotated_task(task: dict, n: int, *, drop_unattributed: bool = False) -> dict:
    """A converter task as Label Studio exports it after an annotator submitted the predictions.

    Quotes without a speaker are marked unattributed (the per-region `attribution` choice), or
    dropped with the stances inside them when `drop_unattributed`.
    """
    result = copy.deepcopy(task["predictions"][0]["result"])
    said = {r["from_id"] for r in result if r["type"] == "relation" and "said_by" in r["labels"]}
    loose = {r["id"] for r in result if r["type"] == "labels"
             and r["value"]["labels"] == ["Quote"] and r["id"] not in said}
    if drop_unattributed:
        kept_quotes = [r["value"] for r in result if r["type"] == "labels"
                       and r["value"]["labels"] == ["Quote"] and r["id"] not in loose]
        for r in result:
            if r["type"] == "labels" and r["value"]["labels"] == ["Stance"] and not any(
                    q["start"] <= r["value"]["start"] and r["value"]["end"] <= q["end"] for q in kept_quotes):
                loose.add(r["id"])
        result = [r for r in result if r.get("id") not in loose]
    else:
        result += [{"id": q, "from_name": "attribution", "to_name": "text", "type": "choices",
                    "value": {"choices": ["unattributed"]}} for q in sorted(loose)]
    annotation = {"id": 1000 + n, "result": result, "completed_by": ANNOTATOR,
                  "created_at": "2026-11-25T10:00:00Z", "updated_at": "2026-11-25T10:05:00Z",
                  "lead_time": 42.0, "was_cancelled": False, "ground_truth": False,
                  "parent_prediction": 500 + n}
    predictions = [{**task["predictions"][0], "id": 500 + n}]
    return {**task, "id": n, "project": 1, "predictions": predictions, "annotations": [annotation]}


def seed_records(*, drop_unattributed: bool = False) -> list[dict]:
    """One gold record per seed article, built by annotate.gold."""
    records = []
    for n, path in enumerate(sorted(SEEDS.glob("*.txt")), 1):
        task = convert_text(path.read_text(encoding="utf-8"), doc_id=path.stem,
                            source_file=f"seeds/{path.name}")
        task = annotated_task(task, n, drop_unattributed=drop_unattributed)
        records.append(build_record(task, task["annotations"][0]))
    return records


def write_dataset(records: list[dict], out: Path, seed: int = 5,
                  ratios: tuple[float, float, float] = (0.4, 0.3, 0.3)) -> Path:
    """A dataset directory as `annotate pull` writes it (seed 5: 3 train, 1 dev, 1 test)."""
    with DatasetWriter(out, seed=seed, ratios=ratios) as writer:
        for record in records:
            writer.add_gold(record)
        writer.commit({"file": "seeds"}, created_at="2026-11-25T00:00:00+00:00")
    return out


def tricky_record() -> dict:
    """A record that BIO and spaCy cannot hold exactly: a quote nested in a quote, a speaker
    span starting inside a word, spans running over a line break, a tab and a Unicode line
    separator inside a quote."""
    text = ('The minister said: "I told them \'we will not pay\' and I\u2028meant\tit."\n'
            'President Ruto agreed.\n"Fine," he said.')
    def region(rid, label, start, end):
        return {"id": rid, "from_name": "label", "to_name": "text", "type": "labels",
                "value": {"start": start, "end": end, "text": text[start:end], "labels": [label]}}

    def choice(rid, name, value):
        return {"id": rid, "from_name": name, "to_name": "text", "type": "choices",
                "value": {"choices": [value]}}

    def rel(a, b, kind):
        return {"from_id": a, "to_id": b, "type": "relation", "direction": "right", "labels": [kind]}

    outer = (text.index('"I told'), text.index('it."') + 4)
    inner = (text.index("'we"), text.index("pay'") + 4)
    ruto = text.index("resident Ruto")  # starts inside "President": moves to the token edge
    fine = (text.index('"Fine,"'), text.index('"Fine,"') + 7)
    he = text.index("he said")
    result = [
        region("sp1", "Speaker", 0, 12), region("q1", "Quote", *outer), choice("q1", "quote_type", "direct"),
        region("q2", "Quote", *inner), choice("q2", "quote_type", "direct"),
        region("st1", "Stance", inner[0] + 1, inner[1] - 1), choice("st1", "polarity", "against"),
        choice("st1", "target", "Kenya"),
        region("sp2", "Speaker", ruto, ruto + 13),
        region("q3", "Quote", outer[0], fine[1]), choice("q3", "quote_type", "mixed"),
        region("q4", "Quote", *fine), choice("q4", "quote_type", "direct"),
        region("sp3", "Speaker", he, he + 2),
        rel("q1", "sp1", "said_by"), rel("q2", "sp1", "said_by"), rel("q3", "sp2", "said_by"),
        rel("q4", "sp3", "said_by"), rel("sp3", "sp2", "refers_to"),
    ]
    task = {"id": 99, "project": 1, "data": {"text": text, "doc_id": "tricky", "targets": [{"value": "Kenya"}]},
            "meta": {}, "annotations": [{"id": 9999, "result": result, "completed_by": ANNOTATOR}]}
    return build_record(task, task["annotations"][0])


@pytest.fixture(scope="module")
def records() -> list[dict]:
    return seed_records()


@pytest.fixture(scope="module")
def dataset(records, tmp_path_factory) -> Path:
    return write_dataset(records, tmp_path_factory.mktemp("ds") / "dataset")


@pytest.fixture(scope="module")
def exported(dataset, tmp_path_factory):
    """All four formats of the seed dataset, and the loss report."""
    out = tmp_path_factory.mktemp("exports")
    return out, export_dataset(dataset, "all", out)


def split_records(dataset: Path) -> dict[str, list[dict]]:
    return {s: list(read_jsonl(dataset / "splits" / f"{s}.jsonl")) for s in ("train", "dev", "test")}


# --- the library and the CLI ------------------------------------------------------------------


def test_dataset_splits_are_kept_in_every_format(dataset, exported):
    out, report = exported
    splits = split_records(dataset)
    assert all(splits.values()), "the test dataset should fill every split"
    assert report.splits == {s: len(r) for s, r in splits.items()}
    for split in splits:
        assert (out / "spacy" / f"{split}.spacy").is_file()
        assert (out / "hf" / "data" / f"{split}.jsonl").is_file()
        assert (out / "hf" / "arrow" / split / "dataset_info.json").is_file()
        assert (out / "bio" / f"{split}.bio").is_file()
        assert sorted(p.stem for p in (out / "brat" / split / "text").iterdir()) == sorted(
            r["id"] for r in splits[split])
    assert not [p for p in out.iterdir() if p.name.startswith(".")], "no staging directory left behind"


def test_loss_report_counts_every_span_and_relation(records, exported):
    _, report = exported
    n_spans = sum(len(r["spans"]) for r in records)
    n_rels = sum(len(r["relations"]) for r in records)
    d = report.to_dict()
    assert set(d["formats"]) == {"spacy", "hf", "bio", "brat"}
    for name, f in d["formats"].items():
        assert f["records"] == len(records), name
        assert f["spans"] == n_spans and f["relations"] == n_rels, name
        assert f["spans_written"] + f["spans_lost"] == n_spans, name
        assert f["relations_written"] + f["relations_lost"] == n_rels, name
    assert d["formats"]["hf"]["spans_lost"] == d["formats"]["hf"]["relations_lost"] == 0
    # BIO keeps said_by/refers_to only as cluster ids, and says so
    bio = d["formats"]["bio"]
    refers = sum(r["type"] == "refers_to" for rec in records for r in rec["relations"])
    assert bio["relations_lost"] >= refers > 0
    assert bio["notes"]["refers_to relations kept only as speaker cluster ids"] == refers
    table = report.table()
    assert table.splitlines()[0].split()[:3] == ["format", "records", "spans"]
    assert "bio: " in table and "refers_to relations kept only as speaker cluster ids" in table


@needs_spacy
@needs_hf
def test_an_empty_split_is_still_written(records, tmp_path):
    from datasets import load_from_disk
    from spacy.tokens import DocBin

    # pull deals at least one record to every split with a ratio above 0: a 0 ratio stays empty
    dataset = write_dataset(records, tmp_path / "dataset", ratios=(0.6, 0.4, 0.0))
    assert not split_records(dataset)["test"]
    out = tmp_path / "out"
    report = export_dataset(dataset, "all", out)
    assert report.splits["test"] == 0
    assert len(DocBin().from_disk(out / "spacy" / "test.spacy")) == 0
    assert load_from_disk(str(out / "hf" / "arrow"))["test"].num_rows == 0
    assert (out / "hf" / "data" / "test.jsonl").read_text(encoding="utf-8") == ""
    assert (out / "bio" / "test.bio").read_text(encoding="utf-8") == ""
    assert list((out / "brat" / "test" / "text").iterdir()) == []


def test_tricky_record_losses_are_counted_not_hidden(tmp_path):
    record = tricky_record()
    gold = tmp_path / "gold.jsonl"
    write_jsonl(gold, [record])
    report = export_dataset(gold, ["bio", "brat", "spacy"], tmp_path / "out").to_dict()["formats"]
    # BIO: the mixed quote q3 covers q1 (which covers q2) and q4; sp2 starts mid-word
    assert report["bio"]["spans_lost"] == 3  # q1, q2 and q4 all lie inside q3
    assert report["bio"]["notes"]["Quote spans overlap another Quote span (BIO holds one per token)"] == 3
    assert report["bio"]["spans_adjusted"] == 1
    # spaCy keeps nesting (span groups) but moves sp2 to the token edge, remembering the offsets
    assert report["spacy"]["spans_lost"] == 0 and report["spacy"]["spans_adjusted"] == 1
    # brat keeps everything; q3 crosses a line break and is written as two fragments
    assert report["brat"]["spans_lost"] == report["brat"]["relations_lost"] == 0
    assert report["brat"]["notes"]["Quote spans written as fragments (they cross a line break)"] == 1
    ann = next((tmp_path / "out" / "brat" / "gold" / "attributions").iterdir()).read_text(encoding="utf-8")
    # one annotation a line, even with a tab and U+2028 inside a quote (splitlines breaks on it)
    assert [line[0] for line in ann.splitlines()] == ["T"] * 12 + ["E"] * 4 + ["R"] + ["A"] * 5 + ["#"]
    q3 = record["spans"][[s["id"] for s in record["spans"]].index("q3")]
    newline = record["text"].index("\n", q3["start"])
    assert f"Content {q3['start']} {newline};{newline + 1} " in ann


def _h(name: str) -> str:
    return hashlib.sha256(name.encode("utf-8")).hexdigest()[:12]


LONG_ID = "d" * 300
# id -> brat file stem, reasoned from the rule: a safe id of at most 100 bytes is kept; any
# other becomes its first 100 safe bytes + "-" + 12 hex digits of its SHA-256
RENAMED = {
    LONG_ID: "d" * 100 + "-" + _h(LONG_ID),
    "ü" * 120: "ü" * 50 + "-" + _h("ü" * 120),  # "ü" is 2 bytes in UTF-8
    "../../etc/passwd": "-..-etc-passwd-" + _h("../../etc/passwd"),  # '/' -> '-', leading '.' cut
    "CON": "CON-" + _h("CON"),  # Windows reserves it
    "line\nbreak": "line-break-" + _h("line\nbreak"),
    "Doc-A": "Doc-A",
    "doc-a": "doc-a-" + _h("doc-a"),  # one file with Doc-A on case-insensitive file systems
    "plain_id-1.v2": "plain_id-1.v2",
}


def renamed_records() -> list[dict]:
    return [{**copy.deepcopy(tricky_record()), "id": rid} for rid in RENAMED]


def test_long_and_unsafe_ids_get_short_hashed_brat_names(tmp_path):
    """A 300-character doc_id used to stop the brat export with 'File name too long'."""
    gold = tmp_path / "gold.jsonl"
    write_jsonl(gold, renamed_records())
    long_annotator = "a" * 300
    result = CliRunner().invoke(cli, ["export", str(gold), "-f", "brat", "-o", str(tmp_path / "out"),
                                      "--annotator", long_annotator])
    assert result.exit_code == 0, result.output
    brat = tmp_path / "out" / "brat"
    who = "a" * 100 + "-" + _h(long_annotator)
    index = [json.loads(line) for line in (brat / "index.jsonl").read_text(encoding="utf-8").splitlines()]
    assert index == [{"id": rid, "split": "gold", "text": f"gold/text/{stem}.txt",
                      "ann": f"gold/attributions/{stem}_{who}.ann"} for rid, stem in RENAMED.items()]
    for entry in index:
        assert (brat / entry["text"]).read_text(encoding="utf-8") == tricky_record()["text"]
        assert (brat / entry["ann"]).read_text(encoding="utf-8").startswith("T1\t")
    assert all(len(p.name.encode("utf-8")) <= 255 for p in brat.rglob("*"))
    assert "record ids shortened or made file-name safe (see index.jsonl)" in result.stdout


def test_long_ids_in_every_format(tmp_path):
    """The other formats name files after splits, not ids: a long id is just data there;
    a line break in an id stays out of BIO's one-line '# id =' comment."""
    gold = tmp_path / "gold.jsonl"
    write_jsonl(gold, renamed_records())
    formats = ["bio", "brat"] + [f for f, m in (("spacy", "spacy"), ("hf", "datasets"))
                                 if importlib.util.find_spec(m) is not None]
    report = export_dataset(gold, formats, tmp_path / "out")
    assert all(report.formats[f].records == len(RENAMED) for f in formats)
    assert [d["id"] for d in read_bio(tmp_path / "out" / "bio" / "gold.bio")] == [
        rid.replace("\n", " ") for rid in RENAMED]
    assert report.formats["bio"].notes["record ids with a line break written on one line in '# id ='"] == 1


def test_invalid_record_message_escapes_control_characters(tmp_path):
    """The one-line error names the first invalid record by its id, which comes from the
    export: an escape sequence in it is shown escaped, never sent to the terminal."""
    record = {**tricky_record(), "id": "evil\x1b[2J\u202e\nline two"}
    record["spans"][0]["end"] = len(record["text"]) + 5  # offsets outside the text
    gold = tmp_path / "gold.jsonl"
    write_jsonl(gold, [record])
    result = CliRunner().invoke(cli, ["export", str(gold), "-f", "bio", "-o", str(tmp_path / "out")])
    assert result.exit_code == 1, result.output
    assert "\x1b" not in result.stderr and "\u202e" not in result.stderr
    assert "evil\\x1b[2J\\u202e\\nline two" in result.stderr
    assert len(result.stderr.splitlines()) == 1


def test_export_under_a_file_is_one_line(dataset, tmp_path):
    (tmp_path / "somefile").write_text("x", encoding="utf-8")
    target = tmp_path / "somefile" / "x"
    result = CliRunner().invoke(cli, ["export", str(dataset), "-f", "bio", "-o", str(target)])
    assert result.exit_code == 2, result.output
    assert result.stderr == f"Error: cannot write {target}: Not a directory\n"


@pytest.mark.parametrize("fmt", ["bio", "brat"])
def test_disk_full_during_export_is_one_line_and_leaves_nothing(dataset, tmp_path, monkeypatch, fmt):
    import errno
    import pathlib

    real_open = pathlib.Path.open

    def full(self, *args, **kwargs):
        if self.suffix in (".bio", ".txt", ".ann"):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(pathlib.Path, "open", full)
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["export", str(dataset), "-f", fmt, "-o", str(out)])
    assert result.exit_code == 2, result.output
    assert result.stderr == f"Error: cannot write {out / fmt}: No space left on device\n"
    assert list(out.iterdir()) == []  # the staged format directory is gone


def test_cli_export_prints_the_table(dataset, tmp_path):
    result = CliRunner().invoke(cli, ["export", str(dataset), "--format", "bio", "-f", "brat",
                                      "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0].startswith("format")
    assert {line.split()[0] for line in result.stdout.splitlines()[1:3]} == {"bio", "brat"}
    assert "Exported 5 records" in result.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["bio", "brat"]


def test_cli_json_report(dataset, tmp_path):
    result = CliRunner().invoke(cli, ["export", str(dataset / "gold.jsonl"), "-f", "bio", "--json",
                                      "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["splits"] == {"gold": 5}
    assert report["formats"]["bio"]["files"] == ["gold.bio"]


def test_unknown_format_is_a_usage_error(dataset, tmp_path):
    result = CliRunner().invoke(cli, ["export", str(dataset), "-f", "conll2003", "-o", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "unknown export format 'conll2003'" in result.stderr
    assert not (tmp_path / "out").exists()
    with pytest.raises(UsageError):
        parse_formats("spacy,xml")
    assert parse_formats("brat,all") == ["spacy", "hf", "bio", "brat"]


def test_output_that_is_a_file_is_a_usage_error(dataset, tmp_path):
    (tmp_path / "out").write_text("not a directory", encoding="utf-8")
    result = CliRunner().invoke(cli, ["export", str(dataset), "-f", "bio", "-o", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "exists and is not a directory" in result.stderr


def test_missing_source_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(cli, ["export", str(tmp_path / "nope"), "-f", "bio", "-o", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "no such file or directory" in result.stderr


@pytest.mark.parametrize("breakage", ["offsets", "text", "dangling_relation", "stance_outside"])
def test_invalid_record_stops_the_export_with_nothing_written(records, tmp_path, breakage):
    bad = copy.deepcopy(next(r for r in records[1:] if any(s["label"] == "Stance" for s in r["spans"])))
    span = next(s for s in bad["spans"] if s["label"] == "Quote")
    if breakage == "offsets":
        span["end"] = len(bad["text"]) + 5
    elif breakage == "text":
        span["text"] = span["text"] + "!"
    elif breakage == "dangling_relation":
        bad["relations"].append({"from": span["id"], "to": "nowhere", "type": "said_by"})
    else:
        stance = next(s for s in bad["spans"] if s["label"] == "Stance")
        stance["start"], stance["end"] = 0, 3
        stance["text"] = bad["text"][0:3]
    gold = tmp_path / "gold.jsonl"
    write_jsonl(gold, [records[0], bad])
    out = tmp_path / "out"
    with pytest.raises(ValidationFailed) as caught:
        export_dataset(gold, "bio", out)
    assert caught.value.errors and all(e["id"] == bad["id"] for e in caught.value.errors)
    assert not out.exists()
    result = CliRunner().invoke(cli, ["export", str(gold), "-f", "all", "-o", str(out)])
    assert result.exit_code == 1
    assert f"1 invalid record(s) in {gold}, nothing exported (first: {bad['id']}:" in result.stderr
    assert not out.exists()


def test_validate_false_skips_the_checks(records, tmp_path):
    bad = copy.deepcopy(records[0])
    bad["text_sha256"] = "0" * 64
    gold = tmp_path / "gold.jsonl"
    write_jsonl(gold, [bad])
    with pytest.raises(ValidationFailed):
        export_dataset(gold, "bio", tmp_path / "out")
    assert export_dataset(gold, "bio", tmp_path / "out", validate=False).formats["bio"].records == 1


def test_duplicate_record_ids_are_rejected(records, tmp_path):
    gold = tmp_path / "gold.jsonl"
    write_jsonl(gold, [records[0], records[0]])
    with pytest.raises(ValidationFailed, match="duplicate_record"):
        export_dataset(gold, "bio", tmp_path / "out")


def test_reexport_replaces_a_format_and_leaves_others(dataset, tmp_path):
    out = tmp_path / "out"
    export_dataset(dataset, "bio", out)
    (out / "bio" / "stale.bio").write_text("old", encoding="utf-8")
    export_dataset(dataset, "brat", out)
    assert (out / "bio" / "stale.bio").exists()
    export_dataset(dataset, "bio", out)
    assert not (out / "bio" / "stale.bio").exists()
    assert sorted(p.name for p in out.iterdir()) == ["bio", "brat"]


# --- BIO ----------------------------------------------------------------------------------------


def bio_spans(doc: dict, column: str) -> list[tuple[int, int, str]]:
    """(start, end, label) of each B-/I- chunk of one column."""
    spans, current = [], None
    for tok in doc["tokens"]:
        tag = tok[column]
        if tag.startswith("B-") or tag == "O" or (current and tag[2:] != current[2]):
            if current:
                spans.append(tuple(current))
            current = [int(tok["START"]), int(tok["END"]), tag[2:]] if tag != "O" else None
        else:
            current[1] = int(tok["END"])
    if current:
        spans.append(tuple(current))
    return spans


def test_bio_read_back_matches_the_records(dataset, exported):
    out, _ = exported
    for split, recs in split_records(dataset).items():
        docs = {d["id"]: d for d in read_bio(out / "bio" / f"{split}.bio")}
        assert list(docs) == [r["id"] for r in recs]
        for rec in recs:
            doc = docs[rec["id"]]
            assert [t["TOKEN"] for t in doc["tokens"]] == [rec["text"][s:e] for s, e in tokenize(rec["text"])]
            clusters = speaker_clusters(rec)
            said = {r["from"]: r["to"] for r in rec["relations"] if r["type"] == "said_by"}
            for column, label in (("QUOTE", "Quote"), ("SPEAKER", "Speaker"), ("STANCE", "Stance")):
                want = []
                for s in rec["spans"]:
                    if s["label"] != label:
                        continue
                    extra = s.get("quote_type") or s.get("polarity")
                    want.append((s["start"], s["end"], f"{label}:{extra}" if extra else label))
                assert bio_spans(doc, column) == sorted(want), (rec["id"], column)
            by_start = {int(t["START"]): t for t in doc["tokens"]}
            for s in rec["spans"]:
                tok = by_start[s["start"]]
                if s["label"] == "Quote":
                    assert tok["QUOTE_SPEAKER"] == clusters.get(said.get(s["id"]), "_")
                elif s["label"] == "Speaker":
                    assert tok["SPEAKER_CLUSTER"] == clusters[s["id"]]
                else:
                    assert tok["STANCE_TARGET"] == s["target"]


def test_bio_never_breaks_a_sentence_inside_a_span(dataset, exported):
    out, _ = exported
    text = (out / "bio" / "train.bio").read_text(encoding="utf-8")
    blocks = [b for b in text.split("\n\n") if b.strip()]
    assert len(blocks) > 10  # sentences, not just documents
    for block in blocks:
        first = [line for line in block.splitlines() if not line.startswith("# id = ")][0]
        assert all(tag == "O" or tag.startswith("B-") for tag in first.split("\t")[3:8:2])


def test_speaker_clusters_follow_refers_to(records):
    rec = next(r for r in records if any(x["type"] == "refers_to" for x in r["relations"]))
    clusters = speaker_clusters(rec)
    for r in rec["relations"]:
        if r["type"] == "refers_to":
            assert clusters[r["from"]] == clusters[r["to"]]
    assert sorted(set(clusters.values()), key=lambda c: int(c[1:]))[0] == "S1"


# --- brat and the attribution scorer ---------------------------------------------------------


def scorer_path() -> Path:
    """The shared PolNeAR scorer, found beside the repository (a failure under CI=true)."""
    return need_shared("tools", "attribution_eval.py")


def scorer():
    spec = importlib.util.spec_from_file_location("attribution_eval", scorer_path())
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def as_prediction_tasks(records: list[dict]) -> list[dict]:
    """The same records as Label Studio tasks with predictions (what the scorer reads)."""
    tasks = []
    for rec in records:
        result = [{"id": s["id"], "from_name": "label", "to_name": "text", "type": "labels",
                   "value": {"start": s["start"], "end": s["end"], "text": s["text"], "labels": [s["label"]]}}
                  for s in rec["spans"]]
        result += [{"from_id": r["from"], "to_id": r["to"], "type": "relation", "labels": [r["type"]]}
                   for r in rec["relations"]]
        tasks.append({"data": {"text": rec["text"], "doc_id": rec["id"]}, "predictions": [{"result": result}]})
    return tasks


def test_brat_round_trip_through_the_scorer_is_perfect(tmp_path):
    records = seed_records(drop_unattributed=True)
    gold = tmp_path / "gold.jsonl"
    write_jsonl(gold, records)
    report = export_dataset(gold, "brat", tmp_path / "out")
    assert report.formats["brat"].spans_lost == 0
    tasks = tmp_path / "tasks.jsonl"
    write_jsonl(tasks, as_prediction_tasks(records))
    result = subprocess.run([sys.executable, str(scorer_path()), str(tmp_path / "out" / "brat" / "gold"), str(tasks)],
                            capture_output=True, text=True, check=True)
    scores = json.loads(result.stdout)
    n_quotes = sum(len(r["quotes"]) for r in records)
    assert scores["docs"] == len(records) and scores["docs_missing"] == 0
    assert scores["gold_quotes"] == scores["pred_quotes"] == n_quotes > 0
    assert scores["quote_exact_prf"] == scores["quote_overlap_prf"] == [1.0, 1.0, 1.0]
    assert scores["attribution_prf"] == [1.0, 1.0, 1.0]


def test_brat_files_parse_back_to_the_records(dataset, exported):
    out, _ = exported
    parse_ann = scorer().parse_ann
    for split, recs in split_records(dataset).items():
        for rec in recs:
            ann_file = out / "brat" / split / "attributions" / f"{rec['id']}_ann-example.com.ann"
            ann = ann_file.read_text(encoding="utf-8")
            assert (out / "brat" / split / "text" / f"{rec['id']}.txt").read_bytes() == rec["text"].encode("utf-8")
            spans = {s["id"]: s for s in rec["spans"]}
            said = {r["from"]: r["to"] for r in rec["relations"] if r["type"] == "said_by"}
            want = sorted(((spans[q["span"]]["start"], spans[q["span"]]["end"]),
                           (spans[said[q["span"]]]["start"], spans[said[q["span"]]]["end"]) if q["span"] in said else None)
                          for q in rec["quotes"])

            def hull(frags):
                return (min(a for a, _ in frags), max(b for _, b in frags)) if frags else None

            got = sorted((hull(c), hull(s)) for c, s in parse_ann(ann))
            assert got == want, rec["id"]
            lines = ann.splitlines()
            assert sum(line.split("\t")[1].startswith("Stance ") for line in lines if line.startswith("T")) == \
                sum(s["label"] == "Stance" for s in rec["spans"])
            assert sum(line.startswith("R") for line in lines) == \
                sum(r["type"] == "refers_to" for r in rec["relations"])
            for line in lines:  # every text-bound annotation quotes the text it points at
                if line.startswith("T"):
                    _, kind_offsets, quoted = line.split("\t")
                    frags = [tuple(map(int, f.split())) for f in kind_offsets.split(" ", 1)[1].split(";")]
                    assert quoted == " ".join(rec["text"][a:b] for a, b in frags)


# --- spaCy ----------------------------------------------------------------------------------------


@needs_spacy
def test_spacy_docbin_read_back_matches_the_records(dataset, exported):
    import spacy
    from spacy.tokens import DocBin

    out, report = exported
    nlp = spacy.blank("en")
    adjusted = 0
    for split, recs in split_records(dataset).items():
        docs = list(DocBin().from_disk(out / "spacy" / f"{split}.spacy").get_docs(nlp.vocab))
        assert [d.user_data["annotate"]["id"] for d in docs] == [r["id"] for r in recs]
        for doc, rec in zip(docs, recs, strict=True):
            assert doc.text == rec["text"]
            assert set(doc.spans) == {"quote", "speaker", "stance"}
            # msgpack gives tuples for lists: compare through JSON
            data = json.loads(json.dumps(doc.user_data["annotate"]))
            assert data["relations"] == rec["relations"]
            assert data["quotes"] == rec["quotes"]
            assert data["targets"] == rec["targets"]
            got = {sp.id_: (key, sp) for key in doc.spans for sp in doc.spans[key]}
            assert len(got) == len(rec["spans"])
            for s in rec["spans"]:
                key, sp = got[s["id"]]
                assert key == s["label"].lower()
                extra = s.get("quote_type") or s.get("polarity")
                assert sp.label_ == (f"{s['label']}:{extra}" if extra else s["label"])
                if (sp.start_char, sp.end_char) != (s["start"], s["end"]):
                    adjusted += 1
                    assert data["char_spans"][s["id"]] == [s["start"], s["end"]]
                    inked = {i for i in range(s["start"], s["end"]) if not rec["text"][i].isspace()}
                    assert inked <= set(range(sp.start_char, sp.end_char))
                if s["label"] == "Stance":
                    assert data["stance_targets"][s["id"]] == s["target"]
    assert adjusted == report.formats["spacy"].spans_adjusted


@needs_spacy
def test_spacy_config_points_at_the_export(exported):
    from spacy.util import load_config

    out, _ = exported
    config = load_config(out / "spacy" / "config.cfg")
    assert config["paths"]["train"] == (out / "spacy" / "train.spacy").as_posix()
    assert config["paths"]["dev"] == (out / "spacy" / "dev.spacy").as_posix()
    assert config["components"]["spancat"]["spans_key"] == "speaker"
    assert config["paths"]["vectors"] is None


# --- Hugging Face datasets -----------------------------------------------------------------


def expected_row(rec: dict) -> dict:
    """The row a record should become: every field, meta and provenance as JSON objects."""
    spans = [{k: s.get(k) for k in ("id", "label", "start", "end", "text", "quote_type",
                                    "unattributed", "polarity", "target")} for s in rec["spans"]]
    return {"id": rec["id"], "text": rec["text"], "text_sha256": rec["text_sha256"], "targets": rec["targets"],
            "spans": spans, "relations": rec["relations"], "quotes": rec["quotes"],
            "meta": rec["meta"], "provenance": rec["provenance"]}


def decoded(row: dict) -> dict:
    return {**row, "meta": json.loads(row["meta"]), "provenance": json.loads(row["provenance"])}


@needs_hf
def test_hf_load_from_disk_matches_the_records(dataset, exported):
    from datasets import load_from_disk

    from annotate.exports.hf_export import features

    out, _ = exported
    ds = load_from_disk(str(out / "hf" / "arrow"))
    splits = split_records(dataset)
    assert set(ds) == set(splits)
    for split, recs in splits.items():
        assert ds[split].features == features()
        assert [decoded(r) for r in ds[split]] == [expected_row(r) for r in recs]


@needs_hf
def test_hf_rows_written_in_batches_come_back_whole(records, tmp_path, monkeypatch):
    from datasets import load_from_disk

    from annotate.exports import hf_export

    monkeypatch.setattr(hf_export, "ROWS_PER_BATCH", 2)  # 5 records: batches of 2, 2, 1
    gold = tmp_path / "gold.jsonl"
    write_jsonl(gold, records)
    export_dataset(gold, "hf", tmp_path / "out")
    ds = load_from_disk(str(tmp_path / "out" / "hf" / "arrow"))["gold"]
    assert [decoded(r) for r in ds] == [expected_row(r) for r in records]
    assert len((tmp_path / "out" / "hf" / "data" / "gold.jsonl").read_text(encoding="utf-8").splitlines()) == 5


@needs_hf
def test_hf_jsonl_loads_with_load_dataset_json(records, tmp_path):
    from datasets import load_dataset

    # every optional field occurs in this split (the tricky record has a stance), so plain
    # type inference gives the same columns and values as the records
    gold = tmp_path / "gold.jsonl"
    write_jsonl(gold, [*records, tricky_record()])
    export_dataset(gold, "hf", tmp_path / "out")
    ds = load_dataset("json", data_files={"gold": str(tmp_path / "out" / "hf" / "data" / "gold.jsonl")},
                      cache_dir=str(tmp_path / "cache"))
    assert ds["gold"].column_names == list(expected_row(records[0]))
    assert [decoded(r) for r in ds["gold"]] == [expected_row(r) for r in [*records, tricky_record()]]


@needs_hf
def test_hf_jsonl_splits_load_with_the_features(dataset, exported, tmp_path):
    from datasets import load_dataset, load_from_disk

    from annotate.exports.hf_export import features

    out, _ = exported
    files = {s: str(out / "hf" / "data" / f"{s}.jsonl") for s in ("train", "dev", "test")}
    ds = load_dataset("json", data_files=files, features=features(), cache_dir=str(tmp_path / "cache"))
    on_disk = load_from_disk(str(out / "hf" / "arrow"))
    for split, recs in split_records(dataset).items():
        assert ds[split].features == on_disk[split].features
        assert list(ds[split]) == list(on_disk[split])
        assert [decoded(r) for r in ds[split]] == [expected_row(r) for r in recs]


@needs_hf
def test_hf_dataset_card_has_the_hub_yaml_header(dataset, exported):
    import yaml
    from datasets import Features

    from annotate.exports.hf_export import features

    out, _ = exported
    card = (out / "hf" / "README.md").read_text(encoding="utf-8")
    assert card.startswith("---\n")
    header = yaml.safe_load(card.split("---\n")[1])
    counts = {s: len(r) for s, r in split_records(dataset).items()}
    assert header["configs"][0]["data_files"] == [{"split": s, "path": f"data/{s}.jsonl"} for s in counts]
    assert [(s["name"], s["num_examples"]) for s in header["dataset_info"]["splits"]] == list(counts.items())
    assert Features._from_yaml_list(header["dataset_info"]["features"]) == features()
    assert header["language"] == ["en"] and header["size_categories"] == ["n<1K"]


@needs_hf
def test_hf_folder_loads_with_the_card_features(dataset, exported, tmp_path):
    from datasets import load_dataset, load_from_disk

    from annotate.exports.hf_export import features

    out, _ = exported
    ds = load_dataset(str(out / "hf"), cache_dir=str(tmp_path / "cache"))
    on_disk = load_from_disk(str(out / "hf" / "arrow"))
    assert list(ds) == ["train", "dev", "test"]
    for split in ds:
        assert ds[split].features == features()
        assert list(ds[split]) == list(on_disk[split])


# --- determinism and missing extras ---------------------------------------------------------


def tree_hashes(root: Path, skip: str = "hf/arrow") -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and not p.relative_to(root).as_posix().startswith(skip)}


@needs_spacy
@needs_hf
def test_same_input_same_bytes(dataset, exported, tmp_path):
    out, _ = exported
    again = tmp_path / "again"
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    # another process with another hash seed; the spaCy config names its own paths, so compare
    # it separately
    subprocess.run([sys.executable, "-m", "annotate", "export", str(dataset), "-f", "all", "-o", str(again)],
                   check=True, capture_output=True, env=env)
    first, second = tree_hashes(out), tree_hashes(again)
    assert first.keys() == second.keys()
    differ = [name for name in first if first[name] != second[name]]
    assert differ == ["spacy/config.cfg"]
    assert (again / "spacy" / "config.cfg").read_text(encoding="utf-8") == \
        (out / "spacy" / "config.cfg").read_text(encoding="utf-8").replace(out.as_posix(), again.as_posix())
    assert any(name.endswith(".spacy") for name in first) and any(name.endswith(".ann") for name in first)


@pytest.mark.parametrize(("fmt", "module", "extra"), [("spacy", "spacy", "spacy"), ("hf", "datasets", "hf"),
                                                       ("all", "spacy", "spacy")])
def test_missing_extra_names_the_pip_install(dataset, tmp_path, fmt, module, extra):
    # A Python where the library cannot be imported (sys.modules[name] = None blocks it).
    argv = ["export", str(dataset), "-f", fmt, "-o", str(tmp_path / "out")]
    code = (f"import sys; sys.modules[{module!r}] = None; from annotate.cli import cli; "
            f"cli({argv!r}, prog_name='annotate')")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip().splitlines() == [
        f"Error: the {fmt if fmt != 'all' else 'spacy'} export needs {module}: pip install 'annotate[{extra}]'"]
    assert not (tmp_path / "out").exists()


# --- bounded memory: the records stream, the formats are written as they come -----------------


def many_records(records: list[dict], copies: int) -> list[dict]:
    """`copies` copies of each seed record under distinct ids (still valid records)."""
    return [{**r, "id": f"{r['id']}-{k}"} for k in range(copies) for r in records]


def test_export_holds_one_record_at_a_time(records, tmp_path):
    """`export` used to read every split into lists before writing: its peak memory grew with
    the dataset. Now the splits stream from their files; the peak stays far below what all the
    records take in memory."""
    import tracemalloc

    gold = tmp_path / "gold.jsonl"
    write_jsonl(gold, many_records(records, 20))  # 100 records
    write_jsonl(tmp_path / "few.jsonl", records)
    export_dataset(tmp_path / "few.jsonl", "bio,brat", tmp_path / "warm")  # the schema, compiled once
    tracemalloc.start()
    try:
        held = list(read_jsonl(gold))
        _, all_records = tracemalloc.get_traced_memory()
        del held
        tracemalloc.reset_peak()
        export_dataset(gold, "bio,brat", tmp_path / "out")
        _, export_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert (tmp_path / "out" / "bio" / "gold.bio").read_text(encoding="utf-8").count("# id = ") == 100
    assert export_peak < all_records / 4, (export_peak, all_records)


def test_splits_stream_and_count(records, tmp_path):
    from annotate.exports.source import load_splits

    dataset = write_dataset(records, tmp_path / "dataset")
    splits = load_splits(dataset)
    expected = split_records(dataset)
    assert {name: len(s) for name, s in splits.items()} == {name: len(r) for name, r in expected.items()}
    assert {name: list(s) for name, s in splits.items()} == expected
    assert {name: list(s) for name, s in splits.items()} == expected  # read again, the same
    assert not isinstance(splits["train"], list)


@needs_spacy
def test_docbin_writer_writes_what_docbin_writes(records, tmp_path):
    """The streamed .spacy file is byte for byte what DocBin.to_disk wrote (one Doc, several,
    none)."""
    import spacy
    from spacy.tokens import DocBin

    from annotate.exports.report import FormatLoss
    from annotate.exports.spacy_export import DocBinWriter, record_to_doc

    nlp = spacy.blank("en")
    for n, chosen in enumerate([[], records[:1], records]):
        db = DocBin(attrs=["ORTH"], store_user_data=True)
        writer = DocBinWriter(tmp_path / f"{n}.spacy", tmp_path)
        for record in chosen:
            doc = record_to_doc(nlp, record, FormatLoss("spacy"))
            db.add(doc)
            writer.add(doc)
        writer.close()
        assert (tmp_path / f"{n}.spacy").read_bytes() == db.to_bytes(), len(chosen)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["0.spacy", "1.spacy", "2.spacy"]  # no temp file left


@needs_hf
def test_hf_split_is_what_concatenating_the_batches_gave(records, tmp_path, monkeypatch):
    """The split written batch by batch to a memory-mapped Arrow file is the dataset the
    in-memory concatenation of the batches was: same rows, info, fingerprint (save_to_disk's
    state.json) and byte size (the card)."""
    import io

    from datasets import Dataset, concatenate_datasets

    from annotate.exports import hf_export
    from annotate.exports.report import FormatLoss

    monkeypatch.setattr(hf_export, "ROWS_PER_BATCH", 2)  # 5 records: batches of 2, 2, 1
    feats = hf_export.features()
    old = concatenate_datasets([
        Dataset.from_list([hf_export.record_to_row(r, FormatLoss("hf")) for r in records[at:at + 2]],
                          features=feats) for at in range(0, len(records), 2)])
    new, (n, nbytes) = hf_export._split_table(records, io.StringIO(), feats, tmp_path / "s.arrow",
                                              FormatLoss("hf"))
    assert n == len(records) and nbytes == old.data.nbytes
    assert new._fingerprint == old._fingerprint and new.info == old.info and new.format == old.format
    assert new.to_list() == old.to_list()


@needs_hf
def test_hf_shards_are_read_not_mapped_and_written_the_same(records, tmp_path, monkeypatch):
    """save_to_disk read a memory-mapped split end to end, which left the whole Arrow file
    resident in the process. The shards are now read from the file batch by batch; the bytes
    are what save_to_disk wrote through the mapping, for one shard or several."""
    import io

    import datasets
    from datasets import DatasetDict

    from annotate.exports import hf_export
    from annotate.exports.report import FormatLoss

    monkeypatch.setattr(hf_export, "ROWS_PER_BATCH", 2)
    many = many_records(records, 3)  # 15 rows: batches of 2 in the scratch file
    split, _ = hf_export._split_table(many, io.StringIO(), hf_export.features(),
                                      tmp_path / "s.arrow", FormatLoss("hf"))
    read = []
    real = hf_export._read_rows
    monkeypatch.setattr(hf_export, "_read_rows", lambda *a: read.append(a[1:]) or real(*a))
    for shard_size in ("500MB", "20KB"):  # one shard, then several (rows split between them)
        monkeypatch.setattr(datasets.config, "MAX_SHARD_SIZE", shard_size)
        with hf_export._quiet():
            DatasetDict({"train": split}).save_to_disk(str(tmp_path / f"mapped-{shard_size}"))
            with hf_export._shards_read_not_mapped():
                DatasetDict({"train": split}).save_to_disk(str(tmp_path / f"read-{shard_size}"))
        mapped, streamed = tree_hashes(tmp_path / f"mapped-{shard_size}"), tree_hashes(tmp_path / f"read-{shard_size}")
        assert mapped == streamed
    assert len(read) > 2 and sum(rows for _, rows, _ in read) == 2 * len(many)
    assert [r for r in read if r[0] > 0], "a later shard starts inside the file"


def test_report_keeps_format_order_whatever_order_the_writers_run_in(exported):
    """hf runs first (before spaCy is loaded, for a lower peak); the report still lists the
    formats in FORMATS order."""
    from annotate.exports import FORMATS, RUN_ORDER

    _, report = exported
    assert list(report.formats) == list(FORMATS) and RUN_ORDER[0] == "hf"
    assert [line.split()[0] for line in report.table().splitlines()[1:5]] == list(FORMATS)


@needs_spacy
@pytest.mark.parametrize("where", ["/data/run ${paths.dev}/x", "/data/$HOME/x", "/data/a$${b}/x",
                                   '/data/q"uo\\te/x', "/data/100%/ünï/x"])
def test_spacy_config_keeps_any_path_as_written(tmp_path, where):
    # spaCy's config reads "${section.key}" as a reference to another setting and would
    # interpolate (or keep the quotes of) a directory name holding one; the path must come
    # back exactly as the export wrote it.
    from spacy.util import load_config

    from annotate.exports.spacy_export import training_config

    cfg = tmp_path / "config.cfg"
    cfg.write_text(training_config(where + "/train.spacy", where + "/dev.spacy"), encoding="utf-8")
    config = load_config(cfg)
    assert config["paths"]["train"] == where + "/train.spacy"
    assert config["paths"]["dev"] == where + "/dev.spacy"
