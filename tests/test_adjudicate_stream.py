"""`annotate adjudicate --json` at scale (issue 18): the plan kept in temporary files (Spool)
and its JSON written an item at a time, the same bytes as the whole result dumped at once."""

import copy
import gc
import tracemalloc

from annotate.adjudicate import Spool, iter_adjudication_json, plan_adjudication
from annotate.redact import terminal_json

from .test_agreement import sample_export


def _listed(out: dict) -> dict:
    return {k: list(v) if isinstance(v, Spool) else v for k, v in out.items()}


def test_spooled_plan_prints_the_same_bytes_as_the_listed_one():
    for keep in (True, False):
        listed = plan_adjudication(copy.deepcopy(sample_export()), keep_payload=keep).as_dict()
        spooled = plan_adjudication(copy.deepcopy(sample_export()), keep_payload=keep, spool=True).as_dict()
        assert isinstance(spooled["disputed"], Spool) and len(spooled["disputed"]) == 2
        assert _listed(spooled) == listed
        assert "".join(iter_adjudication_json(spooled)) == terminal_json(listed)


def test_json_pieces_match_terminal_json_on_awkward_values():
    """Nesting, empty lists and dicts, non-ASCII and the controls terminal_json escapes."""
    values = [
        {},
        {"agreed": [], "resolved": [], "disputed": []},
        {"a": {"k": [1, {"y": "\u0085 é"}], "e": {}}, "agreed": [{"b": [[], {}, [1, [2]]], "c": None}],
         "resolved": Spool([{"doc": "x\u202ey"}, {"n": 1.5}]), "disputed": Spool(), "z": "\u2028"},
    ]
    for value in values:
        assert "".join(iter_adjudication_json(value)) == terminal_json(_listed(value))


def _many(times: int) -> list[dict]:
    """The sample export's tasks `times` over, each copy with its own task and annotation ids."""
    out = []
    for k in range(times):
        for task in sample_export():
            task["id"] += 1000 * k
            for a in task.get("annotations") or ():
                a["id"] += 1000 * k
            out.append(task)
    return out


def _plan_memory(times: int, spool: bool) -> int:
    """Bytes the plan of `times` copies still holds once made (the input is freed first)."""
    tasks = _many(times)
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    plan = plan_adjudication(iter(tasks), keep_payload=False, spool=spool)
    del tasks
    # Garbage the planning left in reference cycles is not held: when the cycle collector gets
    # to it depends on the whole process's history (with the full suite collected it had not yet).
    gc.collect()
    held = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    assert plan.compared == 3 * times
    return held


def test_a_spooled_plan_does_not_grow_with_the_tasks():
    """Before: every planned task's item (~1.4 KB each) stayed in the plan's lists."""
    listed_small, listed_large = _plan_memory(20, spool=False), _plan_memory(400, spool=False)
    assert listed_large > listed_small + 380 * 3 * 300  # the lists grow with the tasks (the cost)
    # The smaller of two runs: a one-time resize of an interpreter-wide table (the interned
    # strings, when the whole suite's modules are loaded: 3.7 MB in one block) may land in either.
    small = min(_plan_memory(20, spool=True) for _ in range(2))
    large = min(_plan_memory(400, spool=True) for _ in range(2))
    assert large < small + 64 * 1024  # the spools hold nothing in memory


def test_edit_keeps_the_changes_and_the_items_not_reached():
    items = Spool({"n": i} for i in range(5))
    for item in items.edit():
        item["seen"] = True
        if item["n"] == 2:
            break  # stops after changing item 2: 3 and 4 are kept as they were
    assert list(items) == [{"n": 0, "seen": True}, {"n": 1, "seen": True}, {"n": 2, "seen": True},
                           {"n": 3}, {"n": 4}]
    assert len(items) == 5 and items
    assert not Spool() and list(Spool()) == []


def test_adjudicate_with_spools_prints_what_it_printed_with_lists(tmp_path, monkeypatch):
    """The whole command's result (links, no payload keys), from an export file."""
    import contextlib
    import json
    import types

    import annotate.adjudicate as adjudicate_module

    path = tmp_path / "export.json"
    path.write_text(json.dumps(sample_export()), encoding="utf-8")

    @contextlib.contextmanager
    def source(project, url=None, api_key=None, progress=None):
        yield types.SimpleNamespace(client=None, project=types.SimpleNamespace(id=4, title="Quotes"), family=None,
                                    users={}, path=path)

    monkeypatch.setattr(adjudicate_module, "open_source", source)
    listed = adjudicate_module.adjudicate("Quotes", url="http://localhost:8080", warn=lambda _m: None)
    spooled = adjudicate_module.adjudicate("Quotes", url="http://localhost:8080", warn=lambda _m: None, spool=True)
    assert isinstance(listed["disputed"], list) and isinstance(spooled["disputed"], Spool)
    text = "".join(iter_adjudication_json(spooled))
    assert text == terminal_json(listed)
    assert [d["link"] for d in listed["disputed"]] == [f"http://localhost:8080/projects/4/data?task={t}" for t in (1, 2)]
    assert '"_at"' not in text
