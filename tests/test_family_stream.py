"""A blind-annotation family read in bounded memory (issue 18): `merge_exports` keeps the
joined articles in a temporary SQLite file, and `adjudicate` plans a family into Spools and
applies that plan. Same bytes out as the in-memory merge and the listed plan."""

from __future__ import annotations

import contextlib
import gc
import io
import json
import tracemalloc
import types
from pathlib import Path

import pytest

import annotate.adjudicate as adjudicate_module
from annotate import studio
from annotate.adjudicate import (
    Spool,
    apply_family_plan,
    iter_adjudication_json,
    payload_reader,
    plan_adjudication,
)
from annotate.family import (
    FAMILY_KEY,
    Source,
    _prediction_key,
    join_key,
    member_title,
    merge_exports,
)
from annotate.redact import terminal_json

# --- the merge as it was: every article held in a dict (the reference for the same bytes) -----


def merge_in_memory(sources, out, warn=None, problems=None) -> int:
    """merge_exports before it streamed (annotate 0.3.x), kept here verbatim as the reference."""
    from annotate.exportfile import iter_export

    say = warn or (lambda _m: None)
    merged: dict[object, dict] = {}
    seen_pred: dict[object, dict[str, object]] = {}
    texts: dict[str, tuple[str, str]] = {}
    n = 0
    for source in sources:
        for task in iter_export(source.path, problems):
            n += 1
            key = join_key(task)
            if key is None:
                merged[("unjoined", n)] = task
                continue
            origin = {"project": source.project_id, "title": source.title,
                      "task": task.get("id") if isinstance(task, dict) else None}
            doc, digest = key
            if doc is not None:
                first = texts.setdefault(doc, (digest, source.title))
                if first[0] != digest:
                    say(f"doc_id {doc!r} has a different text in {source.title!r} than in {first[1]!r}: "
                        "kept apart (the annotations are not compared)")
            annotations = [a for a in task.get("annotations") or () if isinstance(a, dict)] \
                if isinstance(task.get("annotations"), list) else []
            predictions = task.get("predictions") if isinstance(task.get("predictions"), list) else []
            base = merged.get(key)
            if base is None:
                base = {**task, "annotations": [], "predictions": [], FAMILY_KEY: []}
                merged[key] = base
                seen_pred[key] = {}
            kept = seen_pred[key]
            remap: dict[object, object] = {}
            for pred in predictions:
                if not isinstance(pred, dict):
                    if not base[FAMILY_KEY]:
                        base["predictions"].append(pred)
                    continue
                content = _prediction_key(pred)
                if content in kept:
                    remap[pred.get("id")] = kept[content]
                    continue
                kept[content] = pred.get("id")
                base["predictions"].append(pred)
            for ann in annotations:
                if ann.get("parent_prediction") in remap:
                    ann = {**ann, "parent_prediction": remap[ann["parent_prediction"]]}
                ann.setdefault("task", origin["task"])
                ann.setdefault("project", source.project_id)
                base["annotations"].append(ann)
            base[FAMILY_KEY].append(origin)
    out.write("[")
    for i, task in enumerate(merged.values()):
        out.write(",\n" if i else "\n")
        out.write(json.dumps(task, ensure_ascii=False))
    out.write("\n]\n")
    return len(merged)


def _ann(i, who, task, parent=None, **extra) -> dict:
    out = {"id": i, "completed_by": who, "result": [], "was_cancelled": False, "task": task, **extra}
    if parent is not None:
        out["parent_prediction"] = parent
    return out


def awkward_family() -> list[list]:
    """Three members' exports with what a merge must keep straight: a prediction shared (its
    copies' ids remapped) and one not, prediction ids only, a doc_id with two texts, a doc_id
    joined through meta.text_sha256, no doc_id, an empty one, no text, items that are no
    tasks, annotations that are no objects, non-ASCII, U+2028, a huge float, an old family key."""
    a = [
        {"id": 1, "project": 10, "data": {"doc_id": "d1", "text": "Hello w\u00f6rld."}, "meta": {"x": 1.5e300},
         "annotations": [_ann(101, 7, 1, parent=10)],
         "predictions": [{"id": 10, "model_version": "m", "result": [{"a": 1}]}, 5, "x"]},
        {"id": 2, "project": 10, "data": {"doc_id": "d2", "text": "Second."}, "annotations": [_ann(102, 7, 2)],
         "predictions": [7, 8]},
        {"id": 3, "data": {}, "annotations": []},
        "not a task", 42, None,
        {"id": 4, "project": 10, "data": {"text": "No doc id."}, "annotations": "bad", "predictions": {"x": 1}},
        {"id": 5, "project": 10, "data": {"doc_id": "d1", "text": "Hello w\u00f6rld."},
         "annotations": [_ann(105, 9, 5, parent=11), "junk"],
         "predictions": [{"id": 11, "model_version": "m", "result": [{"a": 1}]},
                         {"id": 12, "model_version": "m2", "result": []}]},
        {"id": 6, FAMILY_KEY: [{"old": 1}], "data": {"doc_id": "", "text": "Empty doc id."}, "annotations": [],
         "predictions": []},
    ]
    b = [
        {"id": 21, "project": 20, "data": {"doc_id": "d1", "text": "Hello w\u00f6rld."},
         "annotations": [_ann(201, 8, 21, parent=30), _ann(202, 8, 21, parent=31, project=99)],
         "predictions": [{"id": 30, "model_version": "m", "result": [{"a": 1}]},
                         {"id": 31, "model_version": "m3", "result": [{"b": "\u2028"}]}, 9]},
        {"id": 22, "project": 20, "data": {"doc_id": "d2", "text": "Second, edited."},
         "annotations": [_ann(203, 8, 22)], "predictions": []},
        {"id": 23, "project": 20, "data": {"text": "No doc id."}, "annotations": [_ann(204, 8, 23)],
         "predictions": [1]},
        {"id": 24, "project": 20, "data": {"doc_id": "d9", "text": "x"}, "meta": {"text_sha256": "abc"},
         "annotations": [], "predictions": [{"id": None, "model_version": None}]},
        {"id": 25, "project": 20, "data": {"doc_id": "d9"}, "meta": {"text_sha256": "abc"},
         "annotations": [_ann(205, 8, 25)]},
        {"id": 26, "data": {"text": "Empty doc id."}, "annotations": [_ann(206, 8, 26)],
         "predictions": [{"model_version": "m"}]},
    ]
    c = [{"id": 31, "project": 30, "data": {"doc_id": "d2", "text": "Second."},
          "annotations": [_ann(301, 9, 31, parent=40)], "predictions": [{"id": 40, "model_version": "m", "result": []}]}]
    return [a, b, c]


def _sources(tmp_path: Path, exports: list[list]) -> list[Source]:
    out = []
    for k, tasks in enumerate(exports):
        path = tmp_path / f"member{k}.json"
        path.write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")
        out.append(Source(member_title("T", f"a{k}@x.org"), 10 * (k + 1), path))
    return out


def test_merge_writes_the_bytes_of_the_in_memory_merge(tmp_path):
    sources = _sources(tmp_path, awkward_family())
    said, said_before = [], []
    out, before = io.StringIO(), io.StringIO()
    count = merge_exports(sources, out, warn=said.append)
    assert count == merge_in_memory(sources, before, warn=said_before.append)
    assert out.getvalue() == before.getvalue()
    assert said == said_before and len(said) == 2  # d2's two texts, d9's
    tasks = json.loads(out.getvalue())
    (d1,) = [t for t in tasks if isinstance(t, dict) and t.get("data", {}).get("doc_id") == "d1"]
    # a's two copies and b's of d1: one task, prediction m once (ids remapped to a's 10), m2, m3
    assert [p if not isinstance(p, dict) else p["id"] for p in d1["predictions"]] == [10, 5, "x", 12, 31]
    assert [x["parent_prediction"] for x in d1["annotations"]] == [10, 10, 10, 31]


def _article(k: int, size: int) -> dict:
    text = f"Article {k}. " + "Lorem ipsum dolor sit amet, consectetur adipiscing. " * (size // 52)
    return {"doc_id": f"doc{k:05d}", "text": text}


def _merge_peak(tmp_path: Path, n: int) -> int:
    """Peak traced bytes while merging two members' exports of n ~16 KB articles."""
    exports = [[{"id": 1000 * m + k, "project": m, "data": _article(k, 16000),
                 "annotations": [_ann(1000 * m + k, m, 1000 * m + k)], "predictions": []} for k in range(n)]
               for m in (1, 2)]
    (tmp_path / str(n)).mkdir()
    sources = _sources(tmp_path / str(n), exports)
    del exports
    gc.collect()
    with open(tmp_path / f"merged{n}.json", "w", encoding="utf-8") as out:
        tracemalloc.start()
        merge_exports(sources, out)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak


def test_merge_memory_does_not_grow_with_the_family(tmp_path):
    """Before: every article (here 500 more of ~16 KB text: 8 MB of text alone) stayed in a
    dict until the merged file was written. Both sizes are past what the export reader's
    buffers (1 MB reads) reach, which the peak includes."""
    small, large = _merge_peak(tmp_path, 250), _merge_peak(tmp_path, 750)
    assert large < small + 512 * 1024


# --- adjudicating a family ----------------------------------------------------------------------

TEXT = 'Alice Smith said "we are ready" on Monday. Bob Jones said "not yet" later.'


def _version(quote_type: str) -> list[dict]:
    def region(rid, label, start, end, **choices):
        value = {"start": start, "end": end, "text": TEXT[start:end]}
        return [{"id": rid, "from_name": "label", "to_name": "text", "type": "labels",
                 "value": {**value, "labels": [label]}}] + [
            {"id": rid, "from_name": k, "to_name": "text", "type": "choices", "value": {**value, "choices": [v]}}
            for k, v in choices.items()]

    q = TEXT.index('"we')
    return [*region("s1", "Speaker", 0, 11), *region("q1", "Quote", q, q + 14, quote_type=quote_type),
            {"from_id": "q1", "to_id": "s1", "type": "relation", "direction": "right", "labels": ["said_by"]}]


def family_exports() -> list[list]:
    """Two members, four articles: 0 and 2 agreed, 1 and 3 disputed (a quote_type differs)."""
    exports = []
    for m, who in ((1, 7), (2, 8)):
        tasks = []
        for k in range(4):
            tid = 100 * m + k
            kind = "direct" if m == 1 or k % 2 == 0 else "mixed"
            tasks.append({"id": tid, "project": m, "data": {"doc_id": f"d{k}", "text": f"{TEXT} ({k})"},
                          "annotations": [{**_ann(10 * tid, who, tid), "result": _version(kind),
                                           "updated_at": f"2026-11-0{m}T00:00:00Z"}],
                          "predictions": [{"id": tid, "model_version": "annotate-rules", "result": _version("direct")}]})
        exports.append(tasks)
    return exports


def _family_source(tmp_path: Path):
    sources = _sources(tmp_path, family_exports())
    merged = tmp_path / "merged.json"
    with open(merged, "w", encoding="utf-8") as out:
        merge_exports(sources, out)
    projects = [types.SimpleNamespace(id=s.project_id, title=s.title) for s in sources]
    family = types.SimpleNamespace(title="T", projects=projects, head=None)

    @contextlib.contextmanager
    def source(project, url=None, api_key=None, progress=None):
        yield types.SimpleNamespace(client=None, project=None, family=family, users={}, path=merged)

    return source, merged, family


def test_a_family_is_planned_into_spools_and_prints_what_lists_printed(tmp_path, monkeypatch):
    """Before: a family's plan was lists (spool only for a single project)."""
    source, _, _ = _family_source(tmp_path)
    monkeypatch.setattr(adjudicate_module, "open_source", source)
    listed = adjudicate_module.adjudicate("T", url="http://localhost:8080", warn=lambda _m: None)
    spooled = adjudicate_module.adjudicate("T", url="http://localhost:8080", warn=lambda _m: None, spool=True)
    assert isinstance(spooled["agreed"], Spool) and isinstance(spooled["disputed"], Spool)
    assert isinstance(listed["disputed"], list)
    assert "".join(iter_adjudication_json(spooled)) == terminal_json(listed)
    assert [d["doc"] for d in listed["disputed"]] == ["d1", "d3"] and len(listed["agreed"]) == 2


class RecordingClient:
    """What apply_family_plan asks of Label Studio, recorded (no server: the plan's handling is
    under test here; test_family.py's round trip runs it against a real Label Studio)."""

    def __init__(self, calls: list):
        self.calls = calls
        self.annotations = types.SimpleNamespace(create=self._call("annotations.create", 9000))
        self.predictions = types.SimpleNamespace(create=self._call("predictions.create", 7000),
                                                 update=self._call("predictions.update", None))

    def _call(self, name, first_id):
        counter = iter(range(first_id or 0, 10**9))

        def call(**kwargs):
            self.calls.append((name, kwargs))
            return types.SimpleNamespace(id=next(counter))
        return call


@pytest.mark.parametrize("spool", [False, True])
def test_applying_a_spooled_family_plan_writes_what_a_listed_one_writes(tmp_path, monkeypatch, spool):
    """Before: with Spools, the head-task ids of the imported articles were set on copies read
    from the file and lost, so every agreed version went to task None."""
    _, merged, family = _family_source(tmp_path)
    calls: list = []
    new_ids = iter(range(500, 600))

    def import_tasks(client, project_id, tasks):
        calls.append(("import", {"project": project_id, "docs": [t["data"]["doc_id"] for t in tasks]}))
        return [next(new_ids) for _ in tasks]

    monkeypatch.setattr(studio, "ensure_project", lambda client, title: (types.SimpleNamespace(id=3, title=title), True))
    monkeypatch.setattr(studio, "import_tasks", import_tasks)
    plan = plan_adjudication(json.loads(merged.read_text(encoding="utf-8")), family_head=None,
                             keep_payload=False, spool=spool)
    apply_family_plan(RecordingClient(calls), family, plan, reread=payload_reader(merged, family_head=None))
    assert calls[0] == ("import", {"project": 3, "docs": ["d0", "d2", "d1", "d3"]})  # agreed first, then disputed
    marked = [(kw["id"], kw["ground_truth"]) for name, kw in calls if name == "annotations.create"]
    assert marked == [(500, True), (501, True)]  # d0 and d2's agreed version, on T's new tasks
    reviews = [kw["task"] for name, kw in calls if name == "predictions.create"]
    assert reviews == [502, 502, 503, 503]  # d1 and d3: each annotator's version on T's task
    assert [item["head_task"] for item in plan.agreed] == [500, 501]
    assert [(item["task_id"], [r["action"] for r in item["review"]]) for item in plan.disputed] == \
        [(502, ["created", "created"]), (503, ["created", "created"])]
