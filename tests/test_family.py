"""Blind double annotation (`push --annotators`): the merge of a family's exports (unit tier)
and the whole round trip on a real Label Studio with two annotators' own accounts (studio tier)."""

from __future__ import annotations

import copy
import io
import json
import re
import uuid

import pytest
from click.testing import CliRunner

from annotate import studio as ls
from annotate.cli import cli
from annotate.errors import UsageError
from annotate.family import (
    FAMILY_KEY,
    Source,
    find_family,
    join_key,
    member_email,
    member_title,
    merge_exports,
    parse_annotators,
)
from annotate.io import sha256_text
from annotate.pull import build_dataset, export_items

from .conftest import SEEDS

# --- unit tier: names -------------------------------------------------------------------------


def test_member_title_and_email():
    title = member_title("Quotes 2024", "a@x.org")
    assert title == "Quotes 2024 \u00b7 a@x.org"
    assert member_email("Quotes 2024", title) == "a@x.org"
    assert member_email("Quotes 2024", "Quotes 2024") is None
    assert member_email("Quotes 2024", "Quotes 2024 \u00b7 not an email") is None
    assert member_email("Quotes", "Quotes 2024 \u00b7 a@x.org") is None  # another family's member


def test_parse_annotators():
    assert parse_annotators("A@X.org, b@x.org,,a@x.org") == ["a@x.org", "b@x.org"]
    assert parse_annotators(["a@x.org,b@x.org", "c@x.org"]) == ["a@x.org", "b@x.org", "c@x.org"]
    for bad in ("", " , ", "a@x.org,nobody"):
        with pytest.raises(UsageError, match="--annotators"):
            parse_annotators(bad)


# --- unit tier: merging exports ------------------------------------------------------------------

PRED = [{"id": "q1", "from_name": "label", "to_name": "text", "type": "labels",
         "value": {"start": 0, "end": 5, "text": "Hello", "labels": ["Quote"]}},
        {"id": "s1", "from_name": "label", "to_name": "text", "type": "labels",
         "value": {"start": 6, "end": 11, "text": "world", "labels": ["Speaker"]}},
        {"id": "q1", "from_name": "quote_type", "to_name": "text", "type": "choices",
         "value": {"start": 0, "end": 5, "text": "Hello", "choices": ["direct"]}},
        {"from_id": "q1", "to_id": "s1", "type": "relation", "direction": "right", "labels": ["said_by"]}]


def task(tid, project, doc, text, annotations=(), pred_id=None):
    return {"id": tid, "project": project, "data": {"doc_id": doc, "text": text},
            "meta": {"text_sha256": sha256_text(text)},
            "predictions": [{"id": pred_id or tid * 10, "model_version": "m-1", "result": PRED}],
            "annotations": list(annotations)}


def ann(aid, user, tid, parent=None):
    return {"id": aid, "completed_by": user, "result": PRED, "task": tid, "parent_prediction": parent,
            "updated_at": f"2026-01-0{aid % 9 + 1}T00:00:00Z"}


def merged(tmp_path, *exports):
    sources = []
    for n, (title, pid, tasks) in enumerate(exports):
        path = tmp_path / f"export{n}.json"
        path.write_text(json.dumps(tasks), encoding="utf-8")
        sources.append(Source(title, pid, path))
    warnings: list[str] = []
    out = io.StringIO()
    count = merge_exports(sources, out, warn=warnings.append)
    tasks = json.loads(out.getvalue())
    assert count == len(tasks)
    return tasks, warnings


def test_merge_joins_by_doc_id_and_text_hash(tmp_path):
    a = [task(1, 10, "d1", "Hello world.", [ann(101, 7, 1, parent=10)]),
         task(2, 10, "d2", "Second text.", [ann(102, 7, 2)])]
    b = [task(11, 20, "d1", "Hello world.", [ann(201, 8, 11, parent=110)]),
         task(12, 20, "d2", "Second text, edited.", [ann(202, 8, 12)]),
         task(13, 20, "d3", "Only b has it.", [ann(203, 8, 13)])]
    tasks, warnings = merged(tmp_path, ("T \u00b7 a@x.org", 10, a), ("T \u00b7 b@x.org", 20, b))
    by_doc: dict[str, list[dict]] = {}
    for t in tasks:
        by_doc.setdefault(t["data"]["doc_id"], []).append(t)
    # d1: one task, both annotations (ids and annotators untouched), the prediction once; b's
    # annotation now points at the prediction that was kept (a's, id 10).
    (d1,) = by_doc["d1"]
    assert d1["id"] == 1 and d1["project"] == 10
    assert [(x["id"], x["completed_by"]) for x in d1["annotations"]] == [(101, 7), (201, 8)]
    assert [p["id"] for p in d1["predictions"]] == [10]
    assert [x["parent_prediction"] for x in d1["annotations"]] == [10, 10]
    assert [(x["task"], x.get("project")) for x in d1["annotations"]] == [(1, 10), (11, 20)]
    assert [o["project"] for o in d1[FAMILY_KEY]] == [10, 20]
    # d2: the same doc_id with another text is NOT joined, and that is said.
    assert [len(t["annotations"]) for t in by_doc["d2"]] == [1, 1]
    assert len(warnings) == 1 and "'d2'" in warnings[0] and "different text" in warnings[0]
    # d3: present in one member only, kept as it is.
    (d3,) = by_doc["d3"]
    assert [x["id"] for x in d3["annotations"]] == [203]
    assert len(tasks) == 4


def test_merge_without_doc_id_joins_by_text(tmp_path):
    a = [{"id": 1, "data": {"text": "Same words."}, "annotations": [ann(1, 7, 1)]}]
    b = [{"id": 2, "data": {"text": "Same words."}, "annotations": [ann(2, 8, 2)]},
         {"id": 3, "data": {"text": "Other words."}, "annotations": []},
         {"id": 4, "data": {}, "annotations": []}]  # no text: never joined, still passed on
    tasks, _ = merged(tmp_path, ("A", 1, a), ("B", 2, b))
    assert [len(t["annotations"]) for t in tasks] == [2, 0, 0]
    assert join_key(b[2]) is None


def test_pull_of_a_merged_family_gives_one_record_per_article(tmp_path):
    """The gold selection policy over joined tasks: the most recent of both annotators, its
    provenance naming its own project and task; an article annotated by one member only counts."""
    a = [task(1, 10, "d1", "Hello world.", [ann(101, 7, 1)]), task(2, 10, "d2", "Hello world, again.")]
    b = [task(11, 20, "d1", "Hello world.", [ann(202, 8, 11)]),
         task(12, 20, "d2", "Hello world, again.", [ann(203, 8, 12)])]
    tasks, _ = merged(tmp_path, ("T \u00b7 a@x.org", 10, a), ("T \u00b7 b@x.org", 20, b))
    gold_dir = tmp_path / "D"
    summary = build_dataset(export_items(tasks), gold_dir, source={"project": "T"})
    assert (summary.counts.tasks, summary.counts.gold) == (2, 2)
    records = {r["id"]: r for r in map(json.loads, (gold_dir / "gold.jsonl").read_text().splitlines())}
    # ann 202 (updated 2026-01-05) is more recent than ann 101 (2026-01-03)
    assert records["d1"]["provenance"]["annotation"] == 202
    assert (records["d1"]["provenance"]["project"], records["d1"]["provenance"]["task"]) == (20, 11)
    assert records["d1"]["provenance"]["annotations"] == [101, 202]
    assert records["d2"]["provenance"]["annotation"] == 203


# --- studio tier: the round trip ------------------------------------------------------------------


def run(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def cli_json(*args):
    result = run(*args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def accept(client, task_id: int, change_choice: bool = False) -> list[dict]:
    """Annotate as the client's user: the prediction as it is, or with the first quote_type
    changed to another value."""
    result = copy.deepcopy(client.tasks.get(task_id).predictions[0].result)
    if change_choice:
        item = next(r for r in result if r["from_name"] == "quote_type")
        item["value"]["choices"] = ["indirect" if item["value"]["choices"] != ["indirect"] else "direct"]
    client.annotations.create(id=task_id, result=result, lead_time=5.0)
    return result


def project_counts(client, title: str) -> dict[str, int]:
    """title -> task count of every project whose title contains `title`."""
    return {p.title: ls.count_tasks(client, p.id) for p in ls.projects_titled(client, title)}


def test_blind_double_annotation_round_trip(studio_env, tmp_path):
    from label_studio_sdk import LabelStudio

    from annotate.users import list_accounts, user_token

    tag = uuid.uuid4().hex[:8]
    title = f"Blind {tag}"
    a, b = f"ann-{tag}@example.org", f"bob-{tag}@example.org"
    admin = ls.connect(studio_env.url, studio_env.token)
    seeds = sorted(SEEDS.glob("*.txt"))

    # push: two accounts (passwords printed once), two projects with the five seeds each
    result = run("push", str(SEEDS), "--project", title, "--annotators", f"{a},{b}")
    assert result.exit_code == 0, result.output
    passwords = dict(re.findall(r"New account (\S+) with password (\S+)", result.stdout))
    assert sorted(passwords) == sorted([a, b])
    assert project_counts(admin, title) == {member_title(title, a): len(seeds), member_title(title, b): len(seeds)}
    family = find_family(admin, title)
    assert family.head is None and list(family.members) == sorted([a, b])

    # each annotator works in their own project, through their own account
    docs = sorted(p.stem for p in seeds)
    submitted = {}
    for email in (a, b):
        client = LabelStudio(base_url=studio_env.url, api_key=user_token(studio_env.url, email, passwords[email]))
        ids = {t.doc_id: t.id for t in ls.iter_task_index(admin, family.members[email].id)}
        assert sorted(ids) == docs
        # a: docs 0-2 as predicted; b: docs 0-1 as predicted, doc 2 with one quote_type changed, doc 3 alone
        for n, doc in enumerate(docs[:3] if email == a else docs[:4]):
            submitted[email, doc] = accept(client, ids[doc], change_choice=(email == b and n == 2))

    # agree: one pair over the three articles both annotated; the spans are identical (the
    # prediction's), only one quote_type differs, on doc 2
    report = cli_json("agree", "--project", title, "--json")
    assert report["tasks"]["compared"] == 3 and report["tasks"]["agreed"] == 2 and report["tasks"]["disputed"] == 1
    (pair,) = report["pairs"]
    assert sorted([pair["a"], pair["b"]]) == sorted([a, b]) and pair["tasks"] == 3
    assert pair["exact_f1"] == 1.0
    assert report["alpha"]["quote_type"]["alpha"] < 1.0
    assert report["disputed"][0]["doc"] == docs[2]

    # pull: one gold record per annotated article (4), doc 4 unannotated, one disagreement
    out = tmp_path / "D"
    result = run("pull", "--project", title, "-o", str(out))
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in (out / "gold.jsonl").read_text().splitlines()]
    assert sorted(r["id"] for r in records) == docs[:4]
    assert "unannotated 1, disagreements 1" in result.stdout
    by_id = {r["id"]: r for r in records}
    assert by_id[docs[3]]["provenance"]["annotator"]["email"] == b
    assert by_id[docs[3]]["provenance"]["project"] == family.members[b].id

    # adjudicate --apply: T is created; the two agreed articles get their ground truth there,
    # the disputed one both versions as review predictions
    result = cli_json("adjudicate", "--project", title, "--apply", "--json")
    assert result["counts"]["agreed"] == 2 and result["counts"]["marked_ground_truth"] == 2
    assert result["counts"]["disputed"] == 1 and result["counts"]["review_created"] == 2
    head = ls.find_project(admin, title)
    assert result["project"]["id"] == head.id
    exported = {t["data"]["doc_id"]: t for t in ls.export_tasks(admin, head.id)}
    assert sorted(exported) == docs[:3]
    for doc in docs[:2]:
        (truth,) = exported[doc]["annotations"]
        assert truth["ground_truth"] is True and truth["result"] == submitted[a, doc]
    review = exported[docs[2]]["predictions"]
    assert sorted(p["model_version"] for p in review if p["model_version"].endswith(" (annotator)")) == \
        sorted(f"{e} (annotator)" for e in (a, b))
    assert result["disputed"][0]["link"].endswith(f"/projects/{head.id}/data?task={exported[docs[2]]['id']}")
    again = cli_json("adjudicate", "--project", title, "--apply", "--json")
    assert again["counts"]["resolved"] == 2 and again["counts"]["marked_ground_truth"] == 0
    assert again["counts"]["review_present"] == 2 and again["counts"]["review_created"] == 0

    # pull after adjudication: the agreed articles' gold is the ground truth written into T
    result = run("pull", "--project", title, "-o", str(out))
    assert result.exit_code == 0, result.output
    records = {r["id"]: r for r in map(json.loads, (out / "gold.jsonl").read_text().splitlines())}
    assert len(records) == 4
    for doc in docs[:2]:
        assert records[doc]["provenance"]["ground_truth"] is True
        assert records[doc]["provenance"]["project"] == head.id

    # the same push again creates nothing: no project, no task, no account
    accounts = len(list_accounts(studio_env.url, studio_env.token))
    before = project_counts(admin, title)
    result = run("push", str(SEEDS), "--project", title, "--annotators", f"{a},{b}")
    assert result.exit_code == 0, result.output
    assert "New account" not in result.stdout and "created 0," in result.stdout
    assert project_counts(admin, title) == before
    assert len(list_accounts(studio_env.url, studio_env.token)) == accounts

    # a plain push to the family's title is refused, naming --annotators
    result = run("push", str(SEEDS), "--project", title)
    assert result.exit_code == 2 and "--annotators" in result.output
    assert project_counts(admin, title) == before


def test_new_annotator_joins_a_family(studio_env):
    """An annotator added later gets every task the family has, not only the new input; an
    annotator left out of --annotators is told about and left as is."""
    tag = uuid.uuid4().hex[:8]
    title = f"Grow {tag}"
    a, b, c = (f"{n}-{tag}@example.org" for n in ("ann", "bob", "cy"))
    seeds = sorted(SEEDS.glob("*.txt"))
    result = run("push", *map(str, seeds[:3]), "--project", title, "--annotators", f"{a},{b}")
    assert result.exit_code == 0, result.output
    result = run("push", *map(str, seeds[3:]), "--project", title, "--annotators", f"{a},{c}")
    assert result.exit_code == 0, result.output
    assert f"new in the family: {c}" in result.stdout
    assert f"left as they are: {b}" in result.stdout
    assert f"{c}: copied 3 task(s)" in result.stdout
    admin = ls.connect(studio_env.url, studio_env.token)
    assert project_counts(admin, title) == {member_title(title, a): 5, member_title(title, b): 3,
                                            member_title(title, c): 5}
    dry = run("push", *map(str, seeds), "--project", title, "--annotators", f"{a},{b},{c}", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert project_counts(admin, title) == {member_title(title, a): 5, member_title(title, b): 3,
                                            member_title(title, c): 5}
