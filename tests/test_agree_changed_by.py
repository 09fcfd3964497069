"""`agree` says when someone changed another annotator's annotation (Label Studio opens a task
on its latest annotation, and Update changes that one): two people worked, one version is left."""

from __future__ import annotations

import json

from click.testing import CliRunner

from annotate.agreement import compute_agreement
from annotate.cli import cli
from annotate.gold import changed_by

from .test_agreement import T3, annotation, region, rel, task

RESULT = (region("z", "Speaker", T3, "Zelensky") + region("q", "Quote", T3, '"We will win."', quote_type="direct")
          + [rel("q", "z", "said_by")])


def changed(aid: int, maker: int, updater, made: str, updated: str, **kw) -> dict:
    ann = annotation(aid, maker, RESULT, 5, **kw)
    ann.update(updated_by=updater, created_at=made, updated_at=updated)
    return ann


def export() -> list[dict]:
    return [
        # two people, each with an annotation of their own: nothing to say
        task(1, T3, [annotation(1, 1, RESULT, 5), annotation(2, 2, RESULT, 5)]),
        # user 2 pressed Update on user 1's annotation five minutes later: counted
        task(2, T3, [changed(3, 1, 2, "2026-11-01T10:00:00Z", "2026-11-01T10:05:00Z")]),
        # made through the API for user 1 by user 9 (both times equal): not a change
        task(3, T3, [changed(4, 1, 9, "2026-11-01T10:00:00.100Z", "2026-11-01T10:00:00.200Z")]),
        # user 1 submitted again: their own change
        task(4, T3, [changed(5, 1, 1, "2026-11-01T10:00:00Z", "2026-11-01T11:00:00Z")]),
        # a skipped annotation changed by another is not a version anyway
        task(5, T3, [changed(6, 1, 2, "2026-11-01T10:00:00Z", "2026-11-01T10:05:00Z", cancelled=True)]),
        # a user object in updated_by, as some exports give
        task(6, T3, [changed(7, 3, {"id": 4, "email": "d@example.org"}, "2026-11-01T10:00:00Z",
                             "2026-11-01T10:00:02Z")]),
    ]


def test_changed_by_names_only_someone_elses_later_change():
    tasks = export()
    found = {t["id"]: [changed_by(a) for a in t["annotations"]] for t in tasks}
    assert found == {1: [None, None], 2: [2], 3: [None], 4: [None], 5: [2], 6: [4]}


def test_agree_counts_them_even_when_no_task_has_two_versions():
    report = compute_agreement(export(), warn=lambda _m: None)
    # tasks 2 and 6 (task 5's annotation is a skip; tasks 3 and 4 were not changed by another)
    assert report["changed_by_others"] == {"annotations": 2, "tasks": 2, "task_ids": [2, 6]}
    assert report["status"] == "ok"  # task 1 has two versions


def test_the_terminal_report_says_why_one_version_is_left(tmp_path):
    path = tmp_path / "export.json"
    path.write_text(json.dumps(export()[1:2]), encoding="utf-8")  # only task 2: one version
    out = CliRunner().invoke(cli, ["agree", "--from-file", str(path)])
    assert out.exit_code == 0, out.output
    assert "agreement needs two annotators" in out.output
    assert "1 annotation(s) on 1 task(s) (task 2) were changed by someone other than their annotator" in out.output
    assert "--annotators" in out.output
    as_json = json.loads(CliRunner().invoke(cli, ["agree", "--from-file", str(path), "--json"]).output)
    assert as_json["changed_by_others"]["task_ids"] == [2]


def test_no_note_when_nobody_changed_anyone_elses_work(tmp_path):
    path = tmp_path / "export.json"
    path.write_text(json.dumps(export()[:1]), encoding="utf-8")
    out = CliRunner().invoke(cli, ["agree", "--from-file", str(path)])
    assert out.exit_code == 0 and "changed by someone" not in out.output


def test_the_html_report_says_it_too(tmp_path):
    path, html = tmp_path / "export.json", tmp_path / "agree.html"
    path.write_text(json.dumps(export()), encoding="utf-8")
    out = CliRunner().invoke(cli, ["agree", "--from-file", str(path), "-o", str(html)])
    assert out.exit_code == 0, out.output
    assert "2 annotation(s) on 2 task(s) (task 2, 6) were changed by someone other" in html.read_text(encoding="utf-8")


def test_broken_updated_by_or_times_count_nothing_and_lose_nothing(tmp_path):
    # hand-broken exports: updated_by not a user, times that are no times
    broken = [
        task(1, T3, [changed(1, 1, "bob", "2026-11-01T10:00:00Z", "2026-11-01T10:05:00Z"),
                     annotation(2, 2, RESULT, 5)]),
        task(2, T3, [changed(3, 1, True, "2026-11-01T10:00:00Z", "2026-11-01T10:05:00Z"),
                     changed(4, 2, [2], "2026-11-01T10:00:00Z", "2026-11-01T10:05:00Z")]),
        task(3, T3, [changed(5, 1, 2, "yesterday", "2026-11-01T10:05:00Z"),
                     changed(6, 2, 1, "2026-11-01T10:00:00Z", 17)]),
    ]
    report = compute_agreement(broken, warn=lambda _m: None)
    assert report["changed_by_others"] == {"annotations": 0, "tasks": 0, "task_ids": []}
    assert report["tasks"]["compared"] == 3  # every task still compared: nothing left out for it
    path = tmp_path / "export.json"
    path.write_text(json.dumps(broken), encoding="utf-8")
    out = CliRunner().invoke(cli, ["agree", "--from-file", str(path)])
    assert out.exit_code == 0 and "Traceback" not in out.output and "changed by someone" not in out.output
