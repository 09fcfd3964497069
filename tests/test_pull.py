"""`annotate pull` / `annotate validate`: broken exports, determinism, CLI, and the real round trip."""

from __future__ import annotations

import copy
import json
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotate.annotations import read_export
from annotate.cli import cli
from annotate.pull import pull, validate_file
from annotate.validate import validate_record

from .conftest import missing_module, open_task

DATA = Path(__file__).parent / "data"

# file -> (gold ids that must come through, {rejected id: code that must be among its errors})
CORPUS = {
    "valid.json": ({"doc_001", "doc_002"}, {}),
    "bad_offsets.json": ({"doc_001", "doc_003"}, {"doc_002": "offset_out_of_range"}),
    "text_mismatch.json": ({"doc_001", "doc_003"}, {"doc_002": "text_mismatch"}),
    "dangling_relation.json": ({"doc_001", "doc_003"}, {"doc_002": "dangling_relation"}),
    "stance_outside_quote.json": ({"doc_001", "doc_003"}, {"doc_002": "stance_outside_quote"}),
    "unknown_target.json": ({"doc_001", "doc_003"}, {"doc_002": "unknown_target"}),
    "wrong_label.json": ({"doc_001", "doc_003"}, {"doc_002": "unknown_label"}),
    "duplicate_ids.json": ({"doc_001", "doc_003"}, {"doc_002": "duplicate_id"}),
    "truncated.json": ({"doc_001", "doc_002"}, {"item:3": "truncated_json"}),
    "mixed.jsonl": ({"doc_001", "doc_005"}, {"line:2": "invalid_json", "line:3": "not_an_object",
                                             "doc_004": "missing_text"}),
}


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def reject_key(reject: dict) -> str:
    """Rejects of unreadable input have no record id: they are named by their input position."""
    return reject["id"] if not reject["id"].startswith(("item:", "line:", "file")) else reject["input"]


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_broken_export_corpus(tmp_path, name):
    gold_ids, rejected = CORPUS[name]
    out = tmp_path / "gold"
    summary = pull(None, out, from_file=DATA / name)
    gold = read_jsonl(out / "gold.jsonl")
    rejects = read_jsonl(out / "rejects.jsonl")
    assert {r["id"] for r in gold} == gold_ids
    assert {reject_key(r): {e["code"] for e in r["errors"]} for r in rejects}.keys() == rejected.keys()
    for r in rejects:
        assert rejected[reject_key(r)] in {e["code"] for e in r["errors"]}, r
        assert all({"code", "path", "message"} <= e.keys() for e in r["errors"])
    for record in gold:  # nothing invalid reaches gold.jsonl
        assert validate_record(record) == []
    assert summary.counts.gold == len(gold_ids) and summary.counts.rejected == len(rejected)
    split_ids = {r["id"] for s in ("train", "dev", "test") for r in read_jsonl(out / "splits" / f"{s}.jsonl")}
    assert split_ids == gold_ids


@pytest.mark.parametrize("name, words", [("top_level_object.json", "one object with keys"),
                                         ("empty.json", "is empty")])
def test_a_file_that_is_no_export_at_all_leaves_the_dataset_as_it_was(tmp_path, name, words):
    """An empty file, CSV or a wrapped object (a failed download, the wrong file) is an input
    error, exit 2, and the gold dataset already in the output directory stays: written over, it
    would have lost every record."""
    from annotate.errors import InputError

    out = tmp_path / "gold"
    pull(None, out, from_file=DATA / "valid.json")
    before = {p.name: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert (out / "gold.jsonl").read_bytes().count(b"\n") == 2  # valid.json: doc_001 and doc_002
    with pytest.raises(InputError, match=words) as caught:
        pull(None, out, from_file=DATA / name)
    assert caught.value.exit_code == 2 and "nothing written" in str(caught.value)
    assert {p.name: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    result = CliRunner().invoke(cli, ["pull", "--from-file", str(DATA / name), "-o", str(out)])
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_reader_streams_items_before_a_truncation():
    items = list(read_export(DATA / "truncated.json"))
    assert [i.value["data"]["doc_id"] for i in items[:2]] == ["doc_001", "doc_002"]
    assert items[2].errors[0].code == "truncated_json"


def test_reader_handles_chunk_boundaries(tmp_path, monkeypatch):
    import annotate.annotations as pull_module

    monkeypatch.setattr(pull_module, "CHUNK", 7)  # every value crosses many buffer edges
    items = list(read_export(DATA / "valid.json"))
    assert [i.value["id"] for i in items] == [1, 2] and not any(i.errors for i in items)
    weird = tmp_path / "w.json"
    weird.write_text('[ {"id": 1, "data": {"text": "x"}} ,\n{"id": 22}\n]  \n')
    assert [i.value["id"] for i in read_export(weird)] == [1, 22]
    weird.write_text('[{"id": 1}] trailing')
    assert read_export_codes(weird) == [None, "invalid_json"]
    weird.write_text('[{"id": 1} {"id": 2}]')
    assert read_export_codes(weird)[-1] == "invalid_json"
    weird.write_text('"just a string"')
    assert read_export_codes(weird) == ["top_level_type"]


def read_export_codes(path) -> list:
    return [i.errors[0].code if i.errors else None for i in read_export(path)]


def test_pretty_printed_single_task_is_read_whole(tmp_path):
    task = json.loads((DATA / "valid.json").read_text())[0]
    one = tmp_path / "one.json"
    one.write_text(json.dumps(task, indent=2))
    assert validate_file(one).valid == 1


def test_pull_is_byte_identical_across_runs(tmp_path):
    export = tmp_path / "export.json"
    tasks = []
    for name in ("valid.json", "bad_offsets.json", "unknown_target.json"):
        tasks += json.loads((DATA / name).read_text())
    for i, t in enumerate(tasks):  # distinct documents
        t["id"] = i + 1
        t["data"]["doc_id"] = f"doc_{i:03d}"
    export.write_text(json.dumps(tasks))
    a, b = tmp_path / "a", tmp_path / "b"
    pull(None, a, from_file=export, seed=5)
    pull(None, b, from_file=export, seed=5)
    files = ["gold.jsonl", "rejects.jsonl", "README.md", "splits/train.jsonl", "splits/dev.jsonl", "splits/test.jsonl"]
    for name in files:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    ma, mb = (json.loads((d / "manifest.json").read_text()) for d in (a, b))
    ma.pop("created_at"), mb.pop("created_at")
    ma["source"] = mb["source"] = None
    assert ma == mb
    # Re-pulling into the same directory replaces the earlier dataset.
    pull(None, a, from_file=export, seed=6)
    assert json.loads((a / "manifest.json").read_text())["seed"] == 6


def test_cli_pull_exit_codes_and_summary(tmp_path):
    runner = CliRunner()
    ok = runner.invoke(cli, ["pull", "--from-file", str(DATA / "valid.json"), "-o", str(tmp_path / "ok")])
    assert ok.exit_code == 0, ok.output
    assert "tasks 2: gold 2, rejected 0" in ok.output and str(tmp_path / "ok") in ok.output

    bad = runner.invoke(cli, ["pull", "--from-file", str(DATA / "unknown_target.json"), "-o", str(tmp_path / "bad")])
    assert bad.exit_code == 1
    assert "rejected unknown_target: 1" in bad.output and "rejects.jsonl" in bad.output
    assert len(read_jsonl(tmp_path / "bad" / "gold.jsonl")) == 2

    fail = runner.invoke(cli, ["pull", "--from-file", str(DATA / "unknown_target.json"), "-o",
                               str(tmp_path / "fail"), "--on-error", "fail"])
    assert fail.exit_code == 1 and "unknown_target" in fail.output
    assert not (tmp_path / "fail").exists() and not list(tmp_path.glob(".fail*"))

    dry = runner.invoke(cli, ["pull", "--from-file", str(DATA / "valid.json"), "--dry-run"])
    assert dry.exit_code == 0 and "nothing written" in dry.output

    for args in (["pull", "--from-file", str(DATA / "valid.json")],            # no -o
                 ["pull", "-o", str(tmp_path / "x")],                           # no source
                 ["pull", "--from-file", str(DATA / "valid.json"), "-o", str(tmp_path / "y"), "--split", "0.5,0.5"],
                 ["pull", "--from-file", str(tmp_path / "missing.json"), "-o", str(tmp_path / "z")]):
        result = runner.invoke(cli, args)
        assert result.exit_code == 2, (args, result.output)


def test_cli_pull_with_formats_writes_them_inside_the_dataset(tmp_path):
    if missing_module("spacy"):
        pytest.skip("annotate[spacy] not installed")
    out = tmp_path / "gold"
    runner = CliRunner()
    res = runner.invoke(cli, ["pull", "--from-file", str(DATA / "valid.json"), "-o", str(out),
                              "--format", "bio,brat"])
    assert res.exit_code == 0, res.output
    assert (out / "bio").is_dir() and (out / "brat").is_dir()
    manifest = json.loads((out / "manifest.json").read_text())
    assert set(manifest["exports"]["formats"]) == {"bio", "brat"}
    assert not list(tmp_path.glob(".gold*"))  # no staging directory left behind
    # A second pull with a format replaces that format's directory, keeps the others.
    res = runner.invoke(cli, ["pull", "--from-file", str(DATA / "valid.json"), "-o", str(out), "-f", "bio"])
    assert res.exit_code == 0, res.output
    assert (out / "bio").is_dir() and (out / "brat").is_dir()
    bad = runner.invoke(cli, ["pull", "--from-file", str(DATA / "valid.json"), "-o", str(tmp_path / "n"),
                              "--format", "pdf"])
    assert bad.exit_code == 2 and "unknown export format" in bad.output
    assert not (tmp_path / "n").exists()


def test_cli_pull_unreachable_server_is_exit_3(tmp_path):
    result = CliRunner().invoke(cli, ["pull", "--project", "x", "-o", str(tmp_path / "d"),
                                      "--url", "http://127.0.0.1:9", "--api-key", "secret-token"])
    assert result.exit_code == 3
    assert "secret-token" not in result.output and "Traceback" not in result.output


def test_cli_validate_gold_and_export(tmp_path):
    runner = CliRunner()
    pull(None, tmp_path / "g", from_file=DATA / "valid.json")
    good = runner.invoke(cli, ["validate", str(tmp_path / "g" / "gold.jsonl")])
    assert good.exit_code == 0 and "2 valid, 0 invalid" in good.output

    records = read_jsonl(tmp_path / "g" / "gold.jsonl")
    records[1]["spans"][0]["end"] = 10_000
    broken = tmp_path / "broken.jsonl"
    broken.write_text("".join(json.dumps(r) + "\n" for r in records))
    bad = runner.invoke(cli, ["validate", str(broken)])
    assert bad.exit_code == 1
    assert "offset_out_of_range: 1" in bad.output and "doc_002" in bad.output

    export = runner.invoke(cli, ["validate", str(DATA / "mixed.jsonl")])
    assert export.exit_code == 1
    for code in ("invalid_json: 1", "not_an_object: 1", "missing_text: 1"):
        assert code in export.output


# --- the round trip against a real Label Studio -----------------------------------------------


SEEDS = Path(__file__).resolve().parents[1] / "seeds"


def _regions(result, label):
    return [r for r in result if r["type"] == "labels" and r["value"]["labels"] == [label]]


def _set_offsets(result, rid, text, start, end):
    for r in result:
        if r.get("id") == rid:
            r["value"].update(start=start, end=end, text=text[start:end])


def _without(result, ids):
    return [r for r in result if r.get("id") not in ids and r.get("from_id") not in ids and r.get("to_id") not in ids]


def _count_regions(result) -> int:
    return sum(1 for r in result if r["type"] == "labels")


def _inside(inner, outer) -> bool:
    return outer["value"]["start"] <= inner["value"]["start"] and inner["value"]["end"] <= outer["value"]["end"]


def _editable(result) -> bool:
    quotes = _regions(result, "Quote")
    if len(quotes) < 2 or not any(q["value"]["start"] > 0 for q in quotes[:-1]):
        return False
    return any(not _inside(s, quotes[-1]) for s in _regions(result, "Stance"))


def _valid_part(result):
    """The prediction minus quotes without said_by (what an annotator would drop)."""
    attributed = {r["from_id"] for r in result if r["type"] == "relation" and r["labels"] == ["said_by"]}
    gone = {q["id"] for q in _regions(result, "Quote") if q["id"] not in attributed}
    quotes = [q for q in _regions(result, "Quote") if q["id"] not in gone]
    orphans = {s["id"] for s in _regions(result, "Stance")
               if not any(q["value"]["start"] <= s["value"]["start"] and s["value"]["end"] <= q["value"]["end"]
                          for q in quotes)}
    return _without(result, gone | orphans)


@pytest.fixture(scope="module")
def round_trip(studio, tmp_path_factory):
    """Push the seeds, annotate them through the API like annotators would, pull twice."""
    from annotate import convert_text, labeling_config

    client = studio.client()
    project = client.projects.create(title="Pull round trip", label_config=labeling_config())
    tasks = [convert_text(p.read_text(encoding="utf-8"), source_file=f"seeds/{p.name}") for p in sorted(SEEDS.glob("*.txt"))]
    ids = client.projects.import_tasks(id=project.id, request=tasks, return_task_ids=True).task_ids
    roles = [dict(task=t, id=i, base=_valid_part(t["predictions"][0]["result"])) for t, i in zip(tasks, ids, strict=True)]
    for r in roles:  # prediction regions the annotator drops before anything else
        r["dropped"] = _count_regions(r["task"]["predictions"][0]["result"]) - _count_regions(r["base"])
    # The converter evolves: pick as the edited task one whose prediction has what the edits need.
    edited = next((r for r in roles if _editable(r["base"])), None)
    assert edited is not None, "no seed prediction has two attributed quotes and a stance"
    accepted, skipped, disputed, invalid = [r for r in roles if r is not edited]

    # 1. accept the (attributed part of the) prediction as it is
    accepted["result"] = accepted["base"]
    client.annotations.create(id=accepted["id"], result=accepted["result"], lead_time=11.0)

    # 2. move a boundary, delete a quote, add a quote, change a stance
    text = edited["task"]["data"]["text"]
    result = copy.deepcopy(edited["base"])
    quotes = _regions(result, "Quote")
    deleted = quotes[-1]
    moved = next(q for q in quotes[:-1] if q["value"]["start"] > 0)
    stances_in_deleted = {s["id"] for s in _regions(result, "Stance") if _inside(s, deleted)}
    result = _without(result, {deleted["id"]} | stances_in_deleted)
    new_start = moved["value"]["start"] - 1
    _set_offsets(result, moved["id"], text, new_start, moved["value"]["end"])
    stance = _regions(result, "Stance")[0]
    polarity = next(r for r in result if r.get("id") == stance["id"] and r.get("from_name") == "polarity")
    new_polarity = "neutral" if polarity["value"]["choices"] != ["neutral"] else "against"
    polarity["value"]["choices"] = [new_polarity]
    speaker = _regions(result, "Speaker")[0]
    end = text.index(" ", 12)
    added = {"id": "added-q", "from_name": "label", "to_name": "text", "type": "labels",
             "value": {"start": 0, "end": end, "text": text[:end], "labels": ["Quote"]}}
    result += [added,
               {"id": "added-q", "from_name": "quote_type", "to_name": "text", "type": "choices",
                "value": {"start": 0, "end": end, "text": text[:end], "choices": ["indirect"]}},
               {"from_id": "added-q", "to_id": speaker["id"], "type": "relation", "direction": "right",
                "labels": ["said_by"]}]
    edited.update(result=result, moved=moved["id"], new_start=new_start, deleted=deleted["id"],
                  deleted_stances=stances_in_deleted, stance=stance["id"], polarity=new_polarity,
                  speaker=speaker["id"], added_end=end)
    client.annotations.create(id=edited["id"], result=result, lead_time=95.5)

    # 3. skip a task
    client.annotations.create(id=skipped["id"], result=[], was_cancelled=True)

    # 4. two annotators disagree; the older one is marked ground truth
    truth_result = disputed["base"]
    truth = client.annotations.create(id=disputed["id"], result=truth_result, lead_time=30.0)
    client.annotations.update(id=truth.id, ground_truth=True)
    other = client.users.create(username="second", email="second@example.com", password="second-pw-123")
    other_result = _without(truth_result, {_regions(truth_result, "Quote")[0]["id"]})
    client.annotations.create(id=disputed["id"], result=other_result, completed_by=other.id, lead_time=20.0)
    disputed.update(truth_id=truth.id, other_user=other.id, result=truth_result)

    # 5. submitted with a quote's said_by removed: must be rejected
    said_by = next(r for r in invalid["base"] if r["type"] == "relation" and r["labels"] == ["said_by"])
    client.annotations.create(id=invalid["id"], result=[r for r in invalid["base"] if r is not said_by])

    out1, out2 = tmp_path_factory.mktemp("pull") / "gold", tmp_path_factory.mktemp("pull") / "gold"
    runner = CliRunner(env={"LABEL_STUDIO_URL": studio.url, "LABEL_STUDIO_API_KEY": studio.token})
    first = runner.invoke(cli, ["pull", "--project", "Pull round trip", "-o", str(out1)])
    second = runner.invoke(cli, ["pull", "--project", str(project.id), "-o", str(out2)])
    # Label Studio's own quick export (the UI's Export button: predictions as ids only), offline.
    quick = tmp_path_factory.mktemp("quick") / "export.json"
    quick.write_bytes(b"".join(client.projects.exports.download_sync(
        id=project.id, export_type="JSON", download_all_tasks=True)))
    out3 = tmp_path_factory.mktemp("pull") / "gold"
    offline = runner.invoke(cli, ["pull", "--from-file", str(quick), "-o", str(out3)])
    return dict(project=project, accepted=accepted, edited=edited, skipped=skipped, disputed=disputed,
                invalid=invalid, first=first, second=second, out1=out1, out2=out2, offline=offline, out3=out3)


def _gold(rt) -> dict:
    return {r["provenance"]["task"]: r for r in read_jsonl(rt["out1"] / "gold.jsonl")}


def _span_set(result, text):
    from annotate.labeling import parse_regions

    spans, relations = parse_regions(result)
    for s in spans:
        s["text"] = text[s["start"]:s["end"]]
    return spans, relations


def test_round_trip_summary_and_exit_code(round_trip):
    first = round_trip["first"]
    assert first.exit_code == 1, first.output  # one task rejected
    assert "tasks 5: gold 3, rejected 1, skipped/cancelled 1, unannotated 0, disagreements 1" in first.output
    assert "rejected quote_without_speaker: 1" in first.output
    assert round_trip["second"].exit_code == 1


def test_round_trip_accepted_prediction_is_kept_whole(round_trip):
    acc = round_trip["accepted"]
    rec = _gold(round_trip)[acc["id"]]
    spans, relations = _span_set(acc["result"], acc["task"]["data"]["text"])
    assert rec["spans"] == spans and rec["relations"] == relations
    p = rec["provenance"]
    assert p["edits"]["spans"] == {"kept": len(spans), "changed": 0, "added": 0, "deleted": acc["dropped"]}
    assert p["prediction"]["model_version"] == acc["task"]["predictions"][0]["model_version"]
    assert p["annotator"]["email"] == "u@example.com" and p["lead_time"] == 11.0
    assert p["ground_truth"] is False and p["project"] == round_trip["project"].id
    assert rec["text_sha256"] == acc["task"]["meta"]["text_sha256"]


def test_round_trip_edits_come_back_exactly(round_trip):
    ed = round_trip["edited"]
    rec = _gold(round_trip)[ed["id"]]
    text = ed["task"]["data"]["text"]
    by_id = {s["id"]: s for s in rec["spans"]}
    spans, relations = _span_set(ed["result"], text)
    assert rec["spans"] == spans and rec["relations"] == relations  # exactly the annotator's result
    assert by_id[ed["moved"]]["start"] == ed["new_start"]
    assert by_id[ed["moved"]]["text"] == text[ed["new_start"]:by_id[ed["moved"]]["end"]]
    assert ed["deleted"] not in by_id and not (ed["deleted_stances"] & by_id.keys())
    assert all(ed["deleted"] not in (r["from"], r["to"]) for r in rec["relations"])
    assert by_id[ed["stance"]]["polarity"] == ed["polarity"]
    added = next(q for q in rec["quotes"] if q["span"] == "added-q")
    assert (added["start"], added["end"], added["quote_type"]) == (0, ed["added_end"], "indirect")
    assert added["speaker_span"] == ed["speaker"] and added["speaker"]
    edits = rec["provenance"]["edits"]["spans"]
    assert edits["changed"] == 2 and edits["added"] == 1
    assert edits["deleted"] == 1 + len(ed["deleted_stances"]) + ed["dropped"]
    assert rec["provenance"]["lead_time"] == 95.5


def test_round_trip_skip_ground_truth_and_reject(round_trip):
    gold = _gold(round_trip)
    assert round_trip["skipped"]["id"] not in gold
    disputed = gold[round_trip["disputed"]["id"]]
    p = disputed["provenance"]
    assert p["annotation"] == round_trip["disputed"]["truth_id"] and p["ground_truth"] is True
    assert len(p["annotations"]) == 2
    assert {"id": round_trip["disputed"]["other_user"], "email": "second@example.com"} in p["annotators"]
    spans, _ = _span_set(round_trip["disputed"]["result"], disputed["text"])
    assert disputed["spans"] == spans
    rejects = read_jsonl(round_trip["out1"] / "rejects.jsonl")
    assert [r["task"] for r in rejects] == [round_trip["invalid"]["id"]]
    assert round_trip["invalid"]["id"] not in gold
    for record in gold.values():
        assert validate_record(record) == []


def test_round_trip_pull_is_deterministic(round_trip):
    for name in ("gold.jsonl", "rejects.jsonl", "splits/train.jsonl", "splits/dev.jsonl", "splits/test.jsonl"):
        assert (round_trip["out1"] / name).read_bytes() == (round_trip["out2"] / name).read_bytes(), name
    manifest = json.loads((round_trip["out1"] / "manifest.json").read_text())
    assert manifest["source"]["project"]["id"] == round_trip["project"].id
    assert manifest["counts"]["gold"] == 3 and manifest["counts"]["cancelled"] == 1


def test_pull_unknown_project_is_exit_3(studio_env, tmp_path):
    result = CliRunner().invoke(cli, ["pull", "--project", "No such project here", "-o", str(tmp_path / "d")])
    assert result.exit_code == 3 and "No such project here" in result.output
    assert not (tmp_path / "d").exists()



JUNK = [None, "", "x", -1, 0, 10**9, 1.5, True, [], [None], {}, {"a": 1}, ["said_by", 3]]


def _paths(node, prefix=()):
    """Every (container, key) of a JSON value, depth first."""
    if isinstance(node, dict):
        for k, v in node.items():
            yield node, k
            yield from _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield node, i
            yield from _paths(v, (*prefix, i))


def test_random_corruption_never_crashes_and_never_leaks_invalid_records():
    import random

    base = json.loads((DATA / "valid.json").read_text())[0]
    result = base["annotations"][0]["result"]
    base["predictions"] = [{"id": 1, "model_version": "m", "score": 0.5, "result": copy.deepcopy(result)}]
    base["annotations"].append({**copy.deepcopy(base["annotations"][0]), "id": 999, "completed_by": 2})
    n_places = sum(1 for _ in _paths(base))
    rng = random.Random(7)
    outcomes = set()
    from annotate.pull import process_task

    for _ in range(1500):
        task = copy.deepcopy(base)
        for _ in range(rng.randint(1, 3)):
            places = list(_paths(task))
            if not places:
                break
            container, key = places[rng.randrange(len(places))]
            if rng.random() < 0.2 and isinstance(container, dict):
                del container[key]
            else:
                container[key] = copy.deepcopy(rng.choice(JUNK))
        outcome = process_task(task)  # must not raise
        outcomes.add(outcome.status)
        if outcome.status == "gold":
            assert validate_record(outcome.record) == []
            assert outcome.record["text"] == base["data"]["text"]
    assert n_places > 100 and {"gold", "rejected"} <= outcomes


def test_same_document_twice_is_rejected_the_second_time(tmp_path):
    task = json.loads((DATA / "valid.json").read_text())[0]
    export = tmp_path / "twice.json"
    export.write_text(json.dumps([task, {**task, "id": 99}]))
    summary = pull(None, tmp_path / "g", from_file=export)
    assert (summary.counts.gold, summary.counts.rejected_by_code) == (1, {"duplicate_record": 1})
    assert read_jsonl(tmp_path / "g" / "rejects.jsonl")[0]["task"] == 99
    gold_line = (tmp_path / "g" / "gold.jsonl").read_text()
    doubled = tmp_path / "doubled.jsonl"
    doubled.write_text(gold_line + gold_line)
    report = validate_file(doubled)
    assert (report.valid, report.invalid, dict(report.by_code)) == (1, 1, {"duplicate_record": 1})


def test_round_trip_quick_export_file_gives_the_same_records(round_trip):
    # Checked on 1.23.2: the quick export lists task predictions as ids only, but each
    # annotation carries its full `prediction` object, so model_version and edits survive.
    assert round_trip["offline"].exit_code == 1, round_trip["offline"].output
    online = read_jsonl(round_trip["out1"] / "gold.jsonl")
    offline = read_jsonl(round_trip["out3"] / "gold.jsonl")
    assert len(online) == len(offline) == 3

    def without_emails(record):
        record = copy.deepcopy(record)
        p = record["provenance"]
        for who in [p["annotator"], *p["annotators"]]:
            who["email"] = None  # a file has user ids only
        return record

    assert [without_emails(r) for r in offline] == [without_emails(r) for r in online]
    assert all(r["provenance"]["prediction"]["model_version"] for r in offline)


# --- a correction made in the real labeling UI comes back in the gold record -------------------


def ui_config() -> str:
    """The shipped config with its per-region Choices made conditional on the region's label.

    Label Studio 1.23.2 checks `required` per-region choices on EVERY region unless the Choices
    tag itself carries visibleWhen/whenLabelValue (on the wrapping <View> only hides them): with
    the shipped config the Submit button answers 'Checkbox "quote_type" is required' as soon as
    a Speaker exists. This is the fix proposed to the config's owner; a no-op once it is in.
    """
    from annotate import labeling_config

    config = labeling_config()
    for name, label in (("quote_type", "Quote"), ("polarity", "Stance"), ("target", "Stance")):
        tag = f'<Choices name="{name}"'
        head = config[config.index(tag):config.index(">", config.index(tag))]
        if "whenLabelValue" not in head:
            config = config.replace(tag, f'{tag} visibleWhen="region-selected" whenLabelValue="{label}"')
    return config


def annotate_in_ui(studio, browser, config: str, title: str):
    """A task whose prediction is tests/data/valid.json's result; in the UI the annotator flips
    the Stance polarity to 'against' and presses Submit. Returns (project id, task, submitted?)."""
    client = studio.client()
    project = client.projects.create(title=title, label_config=config)
    task = json.loads((DATA / "valid.json").read_text())[0]
    prediction = {"model_version": "hand-1", "score": 0.9, "result": task["annotations"][0]["result"]}
    new = {"data": task["data"], "meta": task["meta"], "predictions": [prediction]}
    task_id = client.projects.import_tasks(id=project.id, request=[new], return_task_ids=True).task_ids[0]
    page = open_task(browser, studio, project.id, task_id)
    try:
        page.locator(".lsf-outliner-item").filter(has=page.get_by_text("Stance", exact=True)).first.click()
        page.get_by_text("Polarity", exact=True).wait_for()  # the page's default timeout (open_task)
        page.locator("label", has_text="against").first.click()
        page.get_by_role("button", name="Submit").first.click()
        deadline = time.monotonic() + 120  # the state we need: the annotation stored
        while time.monotonic() < deadline:
            if client.annotations.list(id=task_id):
                return project.id, task, True
            time.sleep(0.5)
        return project.id, task, False
    finally:
        page.close()


@pytest.mark.browser
def test_shipped_config_lets_an_annotator_submit(studio, browser):
    from annotate import labeling_config

    assert annotate_in_ui(studio, browser, labeling_config(), "Pull UI shipped config")[2]


@pytest.mark.browser
def test_correction_in_the_labeling_ui_comes_back_as_gold(studio, browser, tmp_path):
    project_id, task, submitted = annotate_in_ui(studio, browser, ui_config(), "Pull UI correction")
    assert submitted, "the annotation was not submitted"
    summary = pull(project_id, tmp_path / "gold", url=studio.url, api_key=studio.token)
    assert (summary.counts.gold, summary.counts.rejected) == (1, 0), summary.lines()
    record = read_jsonl(tmp_path / "gold" / "gold.jsonl")[0]
    from annotate.labeling import parse_regions

    predicted = parse_regions(task["annotations"][0]["result"])[0]
    assert [(s["id"], s["label"], s["start"], s["end"]) for s in record["spans"]] == [
        (s["id"], s["label"], s["start"], s["end"]) for s in predicted]
    stance = next(s for s in record["spans"] if s["label"] == "Stance")
    assert (stance["polarity"], stance["target"]) == ("against", "United States")
    p = record["provenance"]
    assert p["prediction"]["model_version"] == "hand-1"
    assert p["edits"]["spans"] == {"kept": 3, "changed": 1, "deleted": 0, "added": 0}
    assert p["edits"]["relations"] == {"kept": 2, "deleted": 0, "added": 0}
    assert p["annotator"]["email"] == studio.username and p["lead_time"] > 0
