"""A project's own stance targets: `convert --targets FILE` and tasks that bring their own list."""

import json

from click.testing import CliRunner

from annotate.backend.predict import predict_task
from annotate.cli import cli
from annotate.convert import read_targets_file

ARTICLE = ("Senate vote on the Green Deal\n\n"
           "\u201cThe Green Deal is a disaster for our farmers,\u201d Senator Ann Lee said on Tuesday.\n")


def test_targets_file_lines_comments_and_duplicates(tmp_path):
    path = tmp_path / "targets.txt"
    path.write_text("# our project's targets\nthe Green Deal\n\n  European   Union \nthe Green Deal\n")
    assert read_targets_file(path) == ["the Green Deal", "European Union"]


def test_convert_lists_fixed_targets_first_in_every_task(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text(ARTICLE)
    (tmp_path / "in" / "b.txt").write_text("Weather\n\nIt rained all day in the valley.\n")
    (tmp_path / "targets.txt").write_text("European Union\nthe Green Deal\n")
    out = tmp_path / "tasks.jsonl"
    result = CliRunner().invoke(cli, ["convert", str(tmp_path / "in"), "--targets", str(tmp_path / "targets.txt"),
                                      "--jobs", "1", "-o", str(out)])
    assert result.exit_code == 0, result.output
    tasks = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(tasks) == 2
    for task in tasks:  # an article that names neither still offers both, in the file's order
        values = [t["value"] for t in task["data"]["targets"]]
        assert values[:2] == ["European Union", "the Green Deal"]
        assert task["data"]["targets_text"].startswith("European Union; the Green Deal")


def test_convert_targets_file_problems_are_usage_errors(tmp_path):
    (tmp_path / "a.txt").write_text(ARTICLE)
    (tmp_path / "empty.txt").write_text("# nothing\n\n")
    for path, words in ((tmp_path / "missing.txt", "cannot read the targets file"),
                        (tmp_path / "empty.txt", "lists no targets")):
        result = CliRunner().invoke(cli, ["convert", str(tmp_path / "a.txt"), "--targets", str(path),
                                          "-o", str(tmp_path / "t.jsonl")])
        assert result.exit_code == 2 and words in result.output
        assert not (tmp_path / "t.jsonl").exists()


def test_backend_stances_use_only_the_targets_a_task_offers():
    """A task imported with its own list: every predicted stance target is one of them."""
    offered = ["the Green Deal", "farmers"]
    task = {"id": 1, "data": {"text": ARTICLE.replace("Senate vote on the Green Deal\n\n", ""),
                              "targets": [{"value": t} for t in offered]}}
    prediction = predict_task(task)
    targets = [c for r in prediction["result"] if r.get("from_name") == "target" for c in r["value"]["choices"]]
    assert set(targets) <= set(offered)


def test_offered_targets_change_the_task_only_when_the_converters_own_are_not_among_them():
    from annotate.converters import annotate_text

    text = ARTICLE
    own = [t["value"] for t in annotate_text(text)["data"]["targets"]]
    assert "Green Deal" in own  # what the senator calls a disaster
    # every own target offered (and one more): the same task as with no list at all
    assert annotate_text(text, offered_targets=[*own, "Mars"]) == annotate_text(text)
    # a list that lacks one: the stances are proposed toward the offered list, as fixed targets
    offered = ["European Union", "the Green Deal"]
    assert annotate_text(text, offered_targets=offered) == annotate_text(text, fixed_targets=offered)
    assert annotate_text(text, offered_targets=offered) != annotate_text(text)


def test_the_backend_finds_the_quotes_once_for_a_task_with_its_own_targets(monkeypatch):
    import annotate.converters as converters

    calls = []
    real = converters.find_quotes
    monkeypatch.setattr(converters, "find_quotes", lambda text: calls.append(1) or real(text))
    task = {"id": 1, "data": {"text": ARTICLE, "targets": [{"value": "European Union"}]}}
    prediction = predict_task(task)
    assert len(calls) == 1  # the stances are proposed again toward the task's list, the quotes not
    targets = {r["value"]["choices"][0] for r in prediction["result"] if r.get("from_name") == "target"}
    assert targets <= {"European Union"}
