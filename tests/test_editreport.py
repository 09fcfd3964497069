"""The prediction edit report on an export whose every edit is known (figures by hand)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from annotate.annotations import spans_with_text
from annotate.cli import cli
from annotate.editreport import IDS_ONLY, compare_regions, compute_edit_report, final_annotation

from .test_agreement import T1, T3, annotation, region, rel, render_in_chromium, task

MODEL = "annotate-rules-test"


def prediction(result: list) -> dict:
    return {"model_version": MODEL, "score": 0.5, "result": result}


def t3_result() -> list:
    return (region("z", "Speaker", T3, "Zelensky")
            + region("q", "Quote", T3, '"We will win."', quote_type="direct")
            + region("s", "Stance", T3, "We will win", polarity="favor", target="Ukraine")
            + [rel("q", "z", "said_by")])


def edited_export() -> list[dict]:
    """Task 1: every kind of edit once. Tasks 2 and 5: predictions kept whole (5 also has a
    later annotation, but its ground truth is what counts). Task 3: no prediction. Task 4:
    not annotated. A review copy from `adjudicate --requeue` is ignored."""
    pred1 = (region("p_sp", "Speaker", T1, "Peskov")                                     # kept
             + region("p_q1", "Quote", T1, '"We are open to dialogue with Washington."',
                      quote_type="direct")                                               # moved
             + region("p_st", "Stance", T1, "open to dialogue", polarity="favor",
                      target="United States")                                           # choice
             + region("p_was", "Stance", T1, "talks were possible", polarity="favor",
                      target="United States")                                           # relabelled
             + region("p_wa", "Speaker", T1, "Washington")                              # deleted
             + [rel("p_q1", "p_sp", "said_by")])
    final1 = (region("sp", "Speaker", T1, "Peskov")
              + region("q1", "Quote", T1, "We are open to dialogue with Washington", quote_type="direct")
              + region("st", "Stance", T1, "open to dialogue", polarity="neutral", target="United States")
              + region("q2", "Quote", T1, "talks were possible", quote_type="indirect")
              + region("he", "Speaker", T1, "He")                                        # added
              + [rel("q1", "sp", "said_by"), rel("q2", "he", "said_by"), rel("he", "sp", "refers_to")])
    review = {"model_version": "someone@example.com (annotator)", "result": final1}
    t5_anns = [annotation(11, 1, t3_result(), 20, ground_truth=True), annotation(12, 2, [], 99)]
    return [
        task(1, T1, [annotation(1, 1, final1, 60)], [prediction(pred1), review]),
        task(2, T3, [annotation(2, 1, t3_result(), 10)], [prediction(t3_result())]),
        task(3, T3, [annotation(3, 1, t3_result(), 100)]),
        task(4, T3, [], [prediction(t3_result())]),
        task(5, T3, t5_anns, [prediction(t3_result())]),
    ]


def test_final_annotation_prefers_ground_truth():
    assert final_annotation(edited_export()[4])["id"] == 11
    assert final_annotation(edited_export()[3]) is None


def test_compare_regions_outcomes():
    pred, _ = spans_with_text(edited_export()[0]["predictions"][0]["result"])
    final, _ = spans_with_text(edited_export()[0]["annotations"][0]["result"])
    rows, added = compare_regions(pred, final)
    assert {p["id"]: what for p, what, _ in rows} == {
        "p_sp": "kept", "p_q1": "boundary_moved", "p_st": "choice_changed",
        "p_was": "relabelled", "p_wa": "deleted"}
    assert [s["id"] for s in added] == ["he"]


def test_edit_report_figures_by_hand():
    r = compute_edit_report(edited_export())
    assert r["tasks"] == {"total": 5, "compared": 3, "not_annotated": 1, "prediction_ids_only": 0}
    assert list(r["models"]) == [MODEL]
    m = r["models"][MODEL]
    assert m["tasks"] == 3
    # Tasks 2 and 5 keep Zelensky / the quote / the stance; task 1 keeps Peskov only.
    assert m["labels"]["Speaker"] == {
        "predicted": 4, "kept": 3, "boundary_moved": 0, "relabelled": 0, "choice_changed": 0,
        "deleted": 1, "added": 1, "final": 4, "precision_exact": 0.75, "recall_exact": 0.75,
        "precision_overlap": 0.75, "recall_overlap": 0.75}
    assert m["labels"]["Quote"] == {
        "predicted": 3, "kept": 2, "boundary_moved": 1, "relabelled": 0, "choice_changed": 0,
        "deleted": 0, "added": 0, "final": 4, "precision_exact": 0.6667, "recall_exact": 0.5,
        "precision_overlap": 1.0, "recall_overlap": 0.75}
    assert m["labels"]["Stance"] == {
        "predicted": 4, "kept": 2, "boundary_moved": 0, "relabelled": 1, "choice_changed": 1,
        "deleted": 0, "added": 0, "final": 3, "precision_exact": 0.75, "recall_exact": 1.0,
        "precision_overlap": 0.75, "recall_overlap": 1.0}
    assert m["totals"]["predicted"] == 11 and m["totals"]["kept"] == 7
    assert m["totals"]["kept_share"] == round(7 / 11, 4)
    assert m["outcomes"]["deleted"] == {"Speaker": 1, "Quote": 0, "Stance": 0}
    # The said_by of the moved quote follows it: kept. q2 -> He and He -> Peskov are new.
    assert m["relations"] == {
        "refers_to": {"predicted": 0, "kept": 0, "deleted": 0, "added": 1},
        "said_by": {"predicted": 3, "kept": 3, "deleted": 0, "added": 1}}
    # Task 1: 4 of 5 predicted regions changed + 1 added = 5 of 6 edited; tasks 2 and 5 none.
    assert r["lead_time"] == [
        {"bucket": "0%", "tasks": 2, "mean_lead_time": 15.0},
        {"bucket": "51-100%", "tasks": 1, "mean_lead_time": 60.0},
        {"bucket": "no pre-annotation", "tasks": 1, "mean_lead_time": 100.0}]


def test_report_cli_table_json_html(tmp_path):
    path = tmp_path / "export.json"
    path.write_text(json.dumps(edited_export()), encoding="utf-8")
    out = CliRunner().invoke(cli, ["report", "--from-file", str(path)])
    assert out.exit_code == 0, out.output
    assert f"{MODEL}: 11 predicted regions on 3 tasks, 7 kept as is (64%), 1 added" in out.output
    js = CliRunner().invoke(cli, ["report", "--from-file", str(path), "--json"])
    assert json.loads(js.output)["models"][MODEL]["outcomes"]["relabelled"]["Stance"] == 1
    html = tmp_path / "edits.html"
    res = CliRunner().invoke(cli, ["report", "--from-file", str(path), "-o", str(html)])
    assert res.exit_code == 0, res.output
    page = html.read_text(encoding="utf-8")
    assert "<svg" in page and "boundary_moved" in page and "http" not in page


def test_quick_export_with_prediction_ids_says_so(tmp_path):
    export = edited_export()
    for t in export:
        t["predictions"] = [1]
    path = tmp_path / "quick.json"
    path.write_text(json.dumps(export), encoding="utf-8")
    out = CliRunner().invoke(cli, ["report", "--from-file", str(path)])
    assert out.exit_code == 0
    assert IDS_ONLY in out.output


@pytest.mark.browser
def test_edit_report_html_renders_in_headless_chromium(tmp_path, browser):
    from annotate.htmlreport import edits_html, save_html

    html = tmp_path / "edits.html"
    save_html(html, edits_html(compute_edit_report(edited_export())))
    info = render_in_chromium(browser, html, tmp_path / "edits.png", {
        "segments": ".chart-outcomes svg rect.segment"})
    assert info["segments"] == 7  # non-zero outcomes: Speaker 2, Quote 2, Stance 3
    assert len(info["svg_widths"]) == 3 and min(info["svg_widths"]) > 300  # outcomes, P/R, lead time
    assert MODEL in info["text"] and "51-100%" in info["text"]
    assert info["requests"] == [html.resolve().as_uri()]
