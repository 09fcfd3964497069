"""push at scale: converting on every core, and the warning before a project grows too big."""

import pytest

from annotate import push as push_module
from annotate.push import iter_input_tasks, push

from .conftest import SEEDS


def test_push_converts_on_the_fly_with_jobs_and_fixed_targets_like_convert():
    one = [task for _, task in iter_input_tasks([str(SEEDS)], jobs=1, fixed_targets=["European Union"])]
    two = [task for _, task in iter_input_tasks([str(SEEDS)], jobs=2, fixed_targets=["European Union"])]
    assert one == two and len(one) == 5
    assert all(t["data"]["targets"][0] == {"value": "European Union"} for t in one)


@pytest.mark.studio
def test_push_warns_when_a_project_passes_the_task_limit_and_before_the_next_push(studio, monkeypatch):
    monkeypatch.setattr(push_module, "PROJECT_TASK_LIMIT", 4)
    said: list[str] = []
    stats = push(studio.url, studio.token, [str(SEEDS)], "Size warning check", warn=said.append)
    assert stats.created == 5
    # 5 tasks >= a limit of 4: said once, after the push, with what to do.
    [line] = [m for m in said if "recommends" in m]
    assert "now holds 5 tasks" in line and "new project" in line
    said.clear()
    again = push(studio.url, studio.token, [str(SEEDS)], "Size warning check", warn=said.append)
    assert again.skipped == 5
    [line] = [m for m in said if "recommends" in m]
    assert "already holds 5 tasks" in line


@pytest.mark.studio
def test_push_under_the_limit_says_nothing_about_size(studio):
    said: list[str] = []
    push(studio.url, studio.token, [str(SEEDS)], "Size quiet check", warn=said.append)
    assert not [m for m in said if "recommends" in m]


# ----------------------------------------------------------------------------- push's own cost


def _seed_tasks() -> list[dict]:
    return [task for _, task in iter_input_tasks([str(SEEDS)], jobs=1)]


def test_the_sdk_validator_sees_each_region_shape_once(monkeypatch):
    """The SDK's validator is four fifths of push's own work; a region shape it has passed is
    not sent to it again, so a task made only of known shapes costs it nothing."""
    import copy

    from annotate.labeling import _interface

    monkeypatch.setattr(push_module, "_SDK_GOOD_SHAPES", set())
    first, *_ = _seed_tasks()
    iface = _interface()
    calls = {"region": 0, "prediction": 0}
    region, prediction = iface.validate_region, iface.validate_prediction

    def count_region(*a, **k):
        calls["region"] += 1
        return region(*a, **k)

    def count_prediction(*a, **k):
        calls["prediction"] += 1
        return prediction(*a, **k)

    monkeypatch.setattr(iface, "validate_region", count_region)
    monkeypatch.setattr(iface, "validate_prediction", count_prediction)
    assert push_module.validate_task(first) == []
    seen = calls["region"]
    regions = [r for r in first["predictions"][0]["result"] if r["type"] != "relation"]
    assert 0 < seen < len(regions)  # each shape once: many regions share one
    assert push_module.validate_task(copy.deepcopy(first)) == []
    assert calls == {"region": seen, "prediction": 0}


@pytest.mark.parametrize("breakage", ["unknown_choice", "wrong_type", "bad_direction", "dangling_relation",
                                      "no_value", "geometry"])
def test_what_the_sdk_finds_is_still_reported_word_for_word(monkeypatch, breakage):
    """Only a prediction the SDK would pass skips it; anything else gets the SDK's own messages."""
    import copy

    from annotate.labeling import sdk_prediction_problems

    monkeypatch.setattr(push_module, "_SDK_GOOD_SHAPES", set())
    task = _seed_tasks()[0]
    push_module.validate_task(copy.deepcopy(task))  # every shape of the good task is known now
    pred = copy.deepcopy(task["predictions"][0])
    result = pred["result"]
    choice = next(r for r in result if r["type"] == "choices" and r["from_name"] == "quote_type")
    relation = next(r for r in result if r["type"] == "relation")
    if breakage == "unknown_choice":
        choice["value"]["choices"] = ["shouted"]
    elif breakage == "wrong_type":
        choice["type"] = "labels"
    elif breakage == "bad_direction":
        relation["direction"] = "up"
    elif breakage == "dangling_relation":
        relation["to_id"] = "nowhere"
    elif breakage == "no_value":
        del choice["value"]
    else:
        result.append({"id": choice["id"], "from_name": "label", "to_name": "text", "type": "rectangle",
                       "value": {"x": 1, "y": 1, "width": 1, "height": 1}})
    assert push_module._sdk_finds_nothing(pred) is False
    expected = sdk_prediction_problems(pred)
    with_shortcut = [] if push_module._sdk_finds_nothing(pred) else sdk_prediction_problems(pred)
    assert with_shortcut == expected


@pytest.mark.parametrize(("line", "keys"), [
    ('{"data": {"text": "x", "doc_id": "d1"}, "meta": {"task_hash": "abc"}}', ("abc", "d1")),
    ('{"data": {"text": "x"}, "meta": {"task_hash" : "abc"}}', ("abc", None)),
    # Ambiguous or unusual: parse the line instead.
    ('{"data": {"text": "x", "task_hash": "b"}, "meta": {"task_hash": "abc"}}', None),
    ('{"data": {"doc_id": "d1", "x": {"doc_id": "d2"}}, "meta": {"task_hash": "abc"}}', None),
    ('{"data": {"doc_id": "d\\"1"}, "meta": {"task_hash": "abc"}}', None),
    ('{"data": {"text": "x"}, "meta": {"task_hash": null}}', None),
    ('{"data": {"text": "she said \\"task_hash\\": \\"abc\\""}, "meta": {}}', None),
])
def test_a_line_names_its_task_hash_only_when_unambiguous(line, keys):
    assert push_module._Line("f.jsonl", 1, line).quick_keys() == keys


@pytest.mark.studio
def test_repush_skips_tasks_without_parsing_them_and_sends_lines_as_they_are(studio, tmp_path, monkeypatch):
    import json

    tasks = _seed_tasks()
    path = tmp_path / "tasks.jsonl"
    path.write_text("".join(json.dumps(t, ensure_ascii=False) + "\n" for t in tasks), encoding="utf-8")
    sent: list[bytes] = []
    real = push_module.studio.import_task_json

    def keep(client, project_id, bodies):
        sent.extend(bodies)
        return real(client, project_id, bodies)

    monkeypatch.setattr(push_module.studio, "import_task_json", keep)
    first = push(studio.url, studio.token, [str(path)], "Repush without parsing")
    assert first.created == 5
    assert sent == [line.encode("utf-8") for line in path.read_text(encoding="utf-8").splitlines()]
    parsed = []
    task = push_module._Line.task
    monkeypatch.setattr(push_module._Line, "task", lambda self: parsed.append(self.lineno) or task(self))
    again = push(studio.url, studio.token, [str(path)], "Repush without parsing")
    assert (again.created, again.skipped, parsed) == (0, 5, [])


def test_push_hands_the_learned_model_to_the_converter(monkeypatch):
    """`annotate push --model DIR` passes the loaded model on (the CLI did; push refused it)."""
    import annotate.convert

    seen = []

    def fake_iter_tasks(paths, **kwargs):
        seen.append(kwargs.get("model"))
        return iter(())

    monkeypatch.setattr(annotate.convert, "iter_tasks", fake_iter_tasks)
    model = object()
    stats = push("http://127.0.0.1:9", None, [str(SEEDS)], "Model check", dry_run=True, model=model)
    assert seen == [model] and stats.offline
