"""Agreement figures on a small export whose every number is worked out by hand below."""

from __future__ import annotations

import json

import krippendorff
import numpy as np
import pytest
from click.testing import CliRunner

from annotate.agreement import (
    canonical,
    compute_agreement,
    format_agreement,
    krippendorff_alpha,
    match_spans,
)
from annotate.annotations import load_export, spans_with_text, versions_of
from annotate.cli import cli

# ----------------------------------------------------------------------------- builders


def region(rid: str, label: str, text: str, part: str, nth: int = 0, **choices) -> list[dict]:
    """Label Studio results for one region of `text` covering the nth occurrence of `part`."""
    start = -1
    for _ in range(nth + 1):
        start = text.index(part, start + 1)
    value = {"start": start, "end": start + len(part), "text": part}
    out = [{"id": rid, "from_name": "label", "to_name": "text", "type": "labels",
            "value": {**value, "labels": [label]}}]
    for name, choice in choices.items():
        out.append({"id": rid, "from_name": name, "to_name": "text", "type": "choices",
                    "value": {**value, "choices": [choice]}})
    return out


def rel(src: str, dst: str, kind: str) -> dict:
    return {"from_id": src, "to_id": dst, "type": "relation", "direction": "right", "labels": [kind]}


def annotation(aid: int, user: int, result: list, lead: float, cancelled: bool = False,
               ground_truth: bool = False) -> dict:
    return {"id": aid, "completed_by": user, "result": result, "was_cancelled": cancelled,
            "ground_truth": ground_truth, "lead_time": lead,
            "created_at": f"2026-11-01T00:00:{aid:02d}Z", "updated_at": f"2026-11-01T00:00:{aid:02d}Z"}


def task(tid: int, text: str, annotations: list, predictions: list | None = None) -> dict:
    targets = [{"value": "United States"}, {"value": "Ukraine"}]
    return {"id": tid, "data": {"text": text, "doc_id": f"doc{tid}", "targets": targets},
            "annotations": annotations, "predictions": predictions or []}


T1 = 'Peskov said "We are open to dialogue with Washington." He added that talks were possible.'
T2 = 'Blinken and Lavrov met. "Talks failed," he said.'
T3 = 'Zelensky said "We will win."'
A, B, C = 1, 2, 3


def sample_export() -> list[dict]:
    """Five tasks: three compared (A, B, C on 1; A, B on 2 and 3), one single, one cancelled.

    Task 1: B moves the Quote boundary inside the marks, says `neutral` where A and C say
    `favor`, calls the second quote `mixed` (A: `indirect`) and attributes it straight to
    Peskov (A: via "He" refers_to Peskov); C has no second quote and attributes the first one
    to "He" (refers_to Peskov). Task 2: A resolves "he" to Blinken, B to Lavrov. Task 3: A and
    B agree on everything.
    """
    sp = region("sp", "Speaker", T1, "Peskov")
    q1 = region("q1", "Quote", T1, '"We are open to dialogue with Washington."', quote_type="direct")
    q1in = region("q1", "Quote", T1, "We are open to dialogue with Washington", quote_type="direct")
    st_f = region("st", "Stance", T1, "open to dialogue", polarity="favor", target="United States")
    st_n = region("st", "Stance", T1, "open to dialogue", polarity="neutral", target="United States")
    he = region("he", "Speaker", T1, "He")
    q2_i = region("q2", "Quote", T1, "talks were possible", quote_type="indirect")
    q2_m = region("q2", "Quote", T1, "talks were possible", quote_type="mixed")
    t1 = task(1, T1, [
        annotation(1, A, sp + q1 + st_f + he + q2_i
                   + [rel("q1", "sp", "said_by"), rel("q2", "he", "said_by"), rel("he", "sp", "refers_to")], 10),
        annotation(2, B, sp + q1in + st_n + q2_m + [rel("q1", "sp", "said_by"), rel("q2", "sp", "said_by")], 5),
        annotation(3, C, sp + q1 + st_f + he + [rel("q1", "he", "said_by"), rel("he", "sp", "refers_to")], 40),
    ])
    t2_common = (region("bl", "Speaker", T2, "Blinken") + region("la", "Speaker", T2, "Lavrov")
                 + region("q", "Quote", T2, '"Talks failed,"', quote_type="direct")
                 + region("he", "Speaker", T2, "he") + [rel("q", "he", "said_by")])
    t2 = task(2, T2, [
        annotation(4, A, t2_common + [rel("he", "bl", "refers_to")], 20),
        annotation(5, B, t2_common + [rel("he", "la", "refers_to")], 5),
    ])
    t3_result = (region("z", "Speaker", T3, "Zelensky")
                 + region("q", "Quote", T3, '"We will win."', quote_type="direct")
                 + region("s", "Stance", T3, "We will win", polarity="favor", target="Ukraine")
                 + [rel("q", "z", "said_by")])
    t3 = task(3, T3, [annotation(6, A, t3_result, 30), annotation(7, B, t3_result, 20)])
    t4 = task(4, T3, [annotation(8, A, t3_result, 9)])
    t5 = task(5, T3, [annotation(9, A, t3_result, 9), annotation(10, B, [], 1, cancelled=True)])
    return [t1, t2, t3, t4, t5]


# ----------------------------------------------------------------------------- unit


def test_parse_result_merges_choices_and_relations():
    result = (region("q", "Quote", T3, '"We will win."', quote_type="direct")
              + region("z", "Speaker", T3, "Zelensky") + [rel("q", "z", "said_by")]
              + [{**rel("z", "q", "said_by"), "direction": "left"}])
    spans, relations = spans_with_text(result, T3)
    assert spans == [
        {"id": "z", "label": "Speaker", "start": 0, "end": 8, "text": "Zelensky"},
        {"id": "q", "label": "Quote", "start": 14, "end": 28, "text": '"We will win."', "quote_type": "direct"},
    ]
    # a relation drawn right-to-left in the UI means the same as its reverse
    assert relations == [{"from": "q", "to": "z", "type": "said_by"}] * 2


def test_match_spans_is_one_to_one_and_prefers_best_overlap():
    a = [{"start": 0, "end": 10}, {"start": 20, "end": 30}]
    b = [{"start": 2, "end": 10}, {"start": 0, "end": 9}, {"start": 20, "end": 30}]
    assert match_spans(a, b, "exact") == [(1, 2)]
    # (0,10) overlaps both (2,10) IoU .8 and (0,9) IoU .9: it takes (0,9), (2,10) stays unmatched.
    assert sorted(match_spans(a, b, "overlap")) == [(0, 1), (1, 2)]


def test_canonical_ignores_region_ids_but_not_relations():
    t = sample_export()
    v3 = versions_of(t[2])
    assert canonical(v3[0]) == canonical(v3[1])
    v2 = versions_of(t[1])
    assert canonical(v2[0]) != canonical(v2[1])  # he -> Blinken vs he -> Lavrov


def test_krippendorff_package_matches_hand_computation():
    # Units {a,a} {a,b} {b,b}: coincidences o_aa=2, o_ab=o_ba=1, o_bb=2; n_a=n_b=3, n=6.
    # D_o = 2/6, D_e = 2*3*3/(6*5) = 0.6, alpha = 1 - (1/3)/0.6 = 4/9.
    data = np.array([[0, 0, 1], [0, 1, 1]], dtype=float)  # 2 coders x 3 units
    assert krippendorff.alpha(reliability_data=data, level_of_measurement="nominal") == pytest.approx(4 / 9)
    assert krippendorff_alpha([{"a": 2}, {"a": 1, "b": 1}, {"b": 2}]) == pytest.approx(0.4444)
    assert krippendorff_alpha([{"a": 2}, {"a": 2}]) is None  # no variation: alpha undefined


def test_agreement_figures_by_hand():
    r = compute_agreement(sample_export())
    assert r["tasks"] == {"total": 5, "annotations": 9, "compared": 3, "disputed": 2, "agreed": 1}
    # Speaker: t1 A-B (1 of 3), A-C (2 of 4), B-C (1 of 3); t2 (3 of 6); t3 (1 of 2) -> 8/18.
    assert r["labels"]["Speaker"]["exact"] == {"f1": round(16 / 18, 4), "matched": 8, "spans": 18}
    assert r["labels"]["Speaker"]["overlap"]["f1"] == round(16 / 18, 4)
    # Quote: exact t1 A-B q2 only, A-C q1, B-C none; t2 1; t3 1 -> 4 of 14.
    # Overlap adds q1~q1in for A-B and B-C -> 6 of 14.
    assert r["labels"]["Quote"]["exact"] == {"f1": round(8 / 14, 4), "matched": 4, "spans": 14}
    assert r["labels"]["Quote"]["overlap"] == {"f1": round(12 / 14, 4), "matched": 6, "spans": 14}
    assert r["labels"]["Stance"]["exact"] == {"f1": 1.0, "matched": 4, "spans": 8}
    assert r["micro"]["exact"] == {"f1": 0.8, "matched": 16, "spans": 40}
    assert r["micro"]["overlap"] == {"f1": 0.9, "matched": 18, "spans": 40}
    pairs = {(p["a"], p["b"]): p for p in r["pairs"]}
    assert pairs[("user 1", "user 2")]["exact_f1"] == round(20 / 23, 4)
    assert pairs[("user 1", "user 2")]["overlap_f1"] == round(22 / 23, 4)
    assert pairs[("user 1", "user 2")]["tasks"] == 3
    assert pairs[("user 1", "user 3")]["exact_f1"] == round(8 / 9, 4)
    assert pairs[("user 2", "user 3")]["exact_f1"] == 0.5
    assert pairs[("user 2", "user 3")]["overlap_f1"] == 0.75
    assert pairs[("user 2", "user 3")]["labels"] == {"Speaker": 0.6667, "Quote": 0.6667, "Stance": 1.0}
    # Attribution: t1 four matched quotes all resolve to Peskov; t2 Blinken vs Lavrov; t3 same.
    assert r["attribution"] == {"matched_quotes": 6, "agreed": 5, "agreement": round(5 / 6, 4)}
    # quote_type units {direct:3} {indirect:1, mixed:1} {direct:2} {direct:2}: n_d=7, n_i=n_m=1,
    # n=9; D_o = 2/9, D_e = 2*(7+7+1)/(9*8) = 30/72 -> alpha = 1 - (2/9)/(30/72) = 7/15.
    assert r["alpha"]["quote_type"] == {"label": "Quote", "alpha": round(7 / 15, 4), "units": 4, "values": 9}
    # polarity units {favor:2, neutral:1} {favor:2}: D_o = 2/5, D_e = 2*4*1/(5*4) = 2/5 -> 0.
    assert r["alpha"]["polarity"]["alpha"] == 0.0
    annotators = {a["annotator"]: a for a in r["annotators"]}
    assert annotators["user 1"] == {"annotator": "user 1", "tasks": 3, "spans": 12,
                                    "mean_lead_time": 20.0, "exact_f1": round(28 / 32, 4),
                                    "overlap_f1": round(30 / 32, 4)}
    assert annotators["user 2"]["mean_lead_time"] == 10.0
    assert annotators["user 3"]["tasks"] == 1 and annotators["user 3"]["spans"] == 4
    assert [d["task_id"] for d in r["disputed"]] == [1, 2]
    assert r["disputed"][1] == {"task_id": 2, "doc": "doc2", "annotators": ["user 1", "user 2"],
                                "overlap_f1": 1.0, "unmatched_spans": 0, "choice_disagreements": 0,
                                "attribution_disagreements": 1}


def test_names_map_replaces_user_ids():
    r = compute_agreement(sample_export(), names={1: "ann@x.org", 2: "bob@x.org", 3: "cy@x.org"})
    assert [a["annotator"] for a in r["annotators"]] == ["ann@x.org", "bob@x.org", "cy@x.org"]
    assert "ann@x.org / bob@x.org" in format_agreement(r)


def test_single_annotator_is_a_message_not_a_crash(tmp_path):
    path = tmp_path / "one.json"
    path.write_text(json.dumps(sample_export()[3:]), encoding="utf-8")
    result = CliRunner().invoke(cli, ["agree", "--from-file", str(path)])
    assert result.exit_code == 0, result.output
    assert "agreement needs two annotators" in result.output
    as_json = CliRunner().invoke(cli, ["agree", "--from-file", str(path), "--json"])
    assert json.loads(as_json.output)["status"] == "needs_two_annotators"


def test_agree_cli_table_json_and_html(tmp_path):
    path = tmp_path / "export.json"
    path.write_text(json.dumps(sample_export()), encoding="utf-8")
    out = CliRunner().invoke(cli, ["agree", "--from-file", str(path)])
    assert out.exit_code == 0, out.output
    assert "Krippendorff's alpha quote_type: 0.467" in out.output
    assert "micro" in out.output and "Most disputed tasks" in out.output
    js = CliRunner().invoke(cli, ["agree", "--from-file", str(path), "--json"])
    assert json.loads(js.output)["micro"]["overlap"]["f1"] == 0.9
    html = tmp_path / "report.html"
    res = CliRunner().invoke(cli, ["agree", "--from-file", str(path), "-o", str(html)])
    assert res.exit_code == 0, res.output
    page = html.read_text(encoding="utf-8")
    assert "<svg" in page and "http://" not in page and "https://" not in page


def test_bad_export_file_is_a_usage_error(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text("{not json", encoding="utf-8")
    result = CliRunner().invoke(cli, ["agree", "--from-file", str(path)])
    assert result.exit_code == 2
    assert "not a Label Studio JSON export" in result.output


def test_truncated_export_keeps_the_tasks_before_the_cut(tmp_path):
    """A download cut short: the three whole tasks are compared, one warning says the rest is lost."""
    path = tmp_path / "cut.json"
    path.write_text(json.dumps(sample_export()[:3])[:-1] + ', {"id": 4, "data": {"te', encoding="utf-8")
    result = CliRunner().invoke(cli, ["agree", "--from-file", str(path), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["tasks"]["compared"] == 3
    assert result.stderr.startswith(f"warning: {path}: item 4: ")
    assert result.stderr.rstrip().endswith("the rest of the file is left out")


def test_empty_export_is_a_usage_error(tmp_path):
    path = tmp_path / "empty.json"
    path.write_text("", encoding="utf-8")
    result = CliRunner().invoke(cli, ["agree", "--from-file", str(path)])
    assert result.exit_code == 2 and result.stderr == f"Error: {path} is empty\n"


def test_load_export_accepts_jsonl(tmp_path):
    path = tmp_path / "export.jsonl"
    path.write_text("\n".join(json.dumps(t) for t in sample_export()), encoding="utf-8")
    assert len(load_export(path)) == 5


# ----------------------------------------------------------------------------- browser

def render_in_chromium(browser, html_path, png_path, counts: dict[str, str] | None = None) -> dict:
    """Open a report in headless Chromium, screenshot it, and return what the page shows:
    title, body text, URLs requested, rendered svg widths and `counts` (name -> selector)."""
    from pathlib import Path

    requests = []
    page = browser.new_page(viewport={"width": 1150, "height": 900})
    try:
        page.on("request", lambda r: requests.append(r.url))
        page.goto(Path(html_path).resolve().as_uri())
        info = {
            "title": page.title(),
            "text": page.inner_text("body"),
            "requests": requests,
            "svg_widths": page.eval_on_selector_all(
                "svg", "els => els.map(e => e.getBoundingClientRect().width)"),
            **{name: page.locator(sel).count() for name, sel in (counts or {}).items()},
        }
        page.screenshot(path=str(png_path), full_page=True)
    finally:
        page.close()
    return info


@pytest.mark.browser
def test_agreement_html_renders_in_headless_chromium(tmp_path, browser):
    from annotate.htmlreport import agreement_html, save_html

    report = compute_agreement(sample_export(), names={1: "ann@x.org", 2: "bob@x.org", 3: "cy@x.org"})
    html = tmp_path / "agreement.html"
    save_html(html, agreement_html(report))
    info = render_in_chromium(browser, html, tmp_path / "agreement.png", {
        "label_bars": "#chart-labels svg rect[height='12']",
        "heat_cells": "#chart-pairs svg rect[width='62']"})
    assert info["title"] == "Annotator agreement"
    assert info["label_bars"] == 8  # Speaker, Quote, Stance, micro x exact, overlap
    assert info["heat_cells"] == 9  # 3 x 3 annotators
    assert len(info["svg_widths"]) == 2 and min(info["svg_widths"]) > 200
    assert "bob@x.org / cy@x.org" in info["text"] and "0.467" in info["text"]
    assert info["requests"] == [html.resolve().as_uri()]  # nothing fetched but the file itself
    assert (tmp_path / "agreement.png").stat().st_size > 10_000


WIDE_NAMES = {1: "ann1@example.com", 2: "mmmmmmmmmmmmm@WWWWWWW.com",
              3: "\u00e9l\u00e9onore.dupont-\u5c0f\u6797@example.org"}


def test_heat_map_labels_are_whole_and_start_inside_the_svg():
    """Row labels used to be right-aligned at an x guessed from 7 px a character: a wider name
    ran off the left edge ("nn1@example.com")."""
    import xml.etree.ElementTree as ET

    from annotate.htmlreport import heat_map

    names = sorted(WIDE_NAMES.values())
    svg = ET.fromstring(heat_map("pairs", names, {(names[0], names[1]): 0.5}))
    texts = [t for t in svg.iter("{http://www.w3.org/2000/svg}text") if t.text in names] or \
            [t for t in svg.iter("text") if t.text in names]
    rows = [t for t in texts if "transform" not in t.attrib]
    assert sorted(t.text for t in rows) == names  # every name whole, once as a row label
    for t in rows:
        assert float(t.get("x")) >= 0 and t.get("text-anchor", "start") == "start"


def test_heat_map_shortens_a_very_long_name_and_keeps_it_in_the_tooltip():
    from annotate.htmlreport import heat_map

    long = "x" * 200 + "@example.com"
    svg = heat_map("pairs", [long, "b@example.com"], {(long, "b@example.com"): 0.5})
    assert f">{long[:39]}\u2026<title>{long}</title></text>" in svg
    assert int(svg.split('width="', 1)[1].split('"', 1)[0]) < 800


@pytest.mark.browser
def test_heat_map_labels_are_drawn_inside_the_svg_in_chromium(tmp_path, browser):
    """Every text of the heat map lies inside the drawing (nothing clipped) and row labels end
    before the first column of cells, with a wide name in Chromium's own font."""
    from annotate.htmlreport import agreement_html, save_html

    report = compute_agreement(sample_export(), names=WIDE_NAMES)
    html = tmp_path / "agreement.html"
    save_html(html, agreement_html(report))
    page = browser.new_page(viewport={"width": 1150, "height": 900})
    try:
        page.goto(html.resolve().as_uri())
        boxes = page.eval_on_selector("#chart-pairs svg", """svg => {
            const s = svg.getBoundingClientRect();
            const box = e => { const r = e.getBoundingClientRect();
                return {text: e.textContent, left: r.left - s.left, top: r.top - s.top,
                        right: r.right - s.left, bottom: r.bottom - s.top}; };
            return {width: s.width, height: s.height,
                    texts: [...svg.querySelectorAll('text')].filter(t => t.textContent).map(box),
                    cells: [...svg.querySelectorAll('rect[width="62"]')].map(box)}; }""")
        page.locator("#chart-pairs svg").screenshot(path=str(tmp_path / "heat.png"))
    finally:
        page.close()
    for t in boxes["texts"]:
        assert t["left"] >= 0 and t["top"] >= 0, t
        assert t["right"] <= boxes["width"] + 0.5 and t["bottom"] <= boxes["height"] + 0.5, t
    first_column = min(c["left"] for c in boxes["cells"])
    rows = [t for t in boxes["texts"] if t["text"] in WIDE_NAMES.values() and t["bottom"] - t["top"] < 20]
    assert len(rows) == 3 and all(t["right"] <= first_column for t in rows), rows


# ----------------------------------------------------------------------------- adjudication plan


def test_plan_adjudication_sorts_tasks_and_checks_existing_review_copies():
    from annotate.adjudicate import plan_adjudication

    export = sample_export()
    plan = plan_adjudication(export)
    assert [t["task_id"] for t in plan.agreed] == [3]
    assert plan.agreed[0]["annotation_id"] == 7  # the latest of the agreeing annotations
    assert [t["task_id"] for t in plan.disputed] == [1, 2]
    assert [r["need"] for r in plan.disputed[0]["review"]] == ["create"] * 3
    # Review copies already on task 1: A's unchanged, B's stale; task 3 already settled.
    a_result, b_result = export[0]["annotations"][0]["result"], export[0]["annotations"][1]["result"]
    export[0]["predictions"] = [
        {"id": 50, "model_version": "user 1 (annotator)", "result": a_result},
        {"id": 51, "model_version": "user 2 (annotator)", "result": b_result[:2]},
    ]
    export[2]["annotations"][0]["ground_truth"] = True
    plan = plan_adjudication(export)
    assert plan.agreed == [] and [t["task_id"] for t in plan.resolved] == [3]
    review = {r["annotator"]: (r["need"], r["prediction_id"]) for r in plan.disputed[0]["review"]}
    assert review == {"user 1": ("present", 50), "user 2": ("update", 51), "user 3": ("create", None)}


@pytest.mark.parametrize("args", [[], ["--project", "x", "--from-file", "y.json"]])
def test_agree_needs_exactly_one_source(args):
    result = CliRunner().invoke(cli, ["agree", *args])
    assert result.exit_code == 2
    assert "either --project NAME|ID or --from-file" in result.output


def test_excluded_annotator_is_left_out(tmp_path):
    """--exclude drops one annotator's annotations (e.g. the lead's adjudications)."""
    path = tmp_path / "export.json"
    path.write_text(json.dumps(sample_export()), encoding="utf-8")
    full = json.loads(CliRunner().invoke(cli, ["agree", "--from-file", str(path), "--json"]).output)
    res = CliRunner().invoke(cli, ["agree", "--from-file", str(path), "--json", "--exclude", "3"])
    assert res.exit_code == 0, res.output
    without = json.loads(res.output)
    assert {a["annotator"] for a in full["annotators"]} == {"user 1", "user 2", "user 3"}
    assert {a["annotator"] for a in without["annotators"]} == {"user 1", "user 2"}
    # Only A and B remain: the pair figures for (A, B) are unchanged, the others are gone.
    assert len(without["pairs"]) == 1


# ----------------------------------------------------------------------------- hand-broken exports


def good_export() -> list[dict]:
    """sample_export with a pre-annotation on task 3 (so `report` has something to compare)."""
    export = sample_export()
    export[2]["predictions"] = [{"id": 70, "model_version": "rules-1", "score": 0.5,
                                 "result": export[2]["annotations"][0]["result"]}]
    return export


def _set(path: tuple, value):
    """A breakage: set export[path...] = value (the last key may be new)."""
    def apply(export):
        where = export
        for key in path[:-1]:
            where = where[key]
        where[path[-1]] = value
    return apply


def _all_none(export):
    ann = export[0]["annotations"][0]
    for key in list(ann):
        ann[key] = None


# (breakage, a word the warning must name, or None when nothing is wrong enough to warn about)
BROKEN = {
    "lead_time_text": (_set((0, "annotations", 0, "lead_time"), "abc"), "lead_time"),
    "lead_time_list": (_set((0, "annotations", 1, "lead_time"), [5]), "lead_time"),
    "lead_time_bool": (_set((0, "annotations", 1, "lead_time"), True), "lead_time"),
    "lead_time_none": (_set((0, "annotations", 1, "lead_time"), None), None),
    "completed_by_list": (_set((0, "annotations", 0, "completed_by"), ["x"]), "completed_by"),
    "completed_by_empty_object": (_set((0, "annotations", 0, "completed_by"), {}), "completed_by"),
    "completed_by_object_bad_id": (_set((0, "annotations", 0, "completed_by"), {"id": [1]}), "completed_by"),
    "completed_by_float": (_set((0, "annotations", 0, "completed_by"), 1.5), "completed_by"),
    "completed_by_none": (_set((0, "annotations", 0, "completed_by"), None), "completed_by"),
    "annotation_text": (_set((0, "annotations", 0), "abc"), "annotation"),
    "annotation_none": (_set((0, "annotations", 0), None), "annotation"),
    "annotation_list": (_set((1, "annotations", 0), [1, 2]), "annotation"),
    "annotations_text": (_set((0, "annotations"), "abc"), "annotations"),
    "annotations_object": (_set((0, "annotations"), {"id": 1}), "annotations"),
    "annotations_none": (_set((0, "annotations"), None), None),
    "result_text": (_set((0, "annotations", 0, "result"), "abc"), "result"),
    "result_object": (_set((0, "annotations", 0, "result"), {"id": "x"}), "result"),
    "result_none": (_set((0, "annotations", 0, "result"), None), "result"),
    "result_items_garbage": (_set((0, "annotations", 0, "result"), [1, "x", None, {"type": "labels", "value": 5}]),
                             None),
    "region_value_garbage": (_set((2, "annotations", 0, "result", 0, "value"), {"start": "0", "end": None}), None),
    "created_at_garbage": (_set((0, "annotations", 0, "created_at"), "yesterday"), "created_at"),
    "updated_at_number": (_set((0, "annotations", 0, "updated_at"), 12345), "updated_at"),
    "updated_at_object": (_set((1, "annotations", 1, "updated_at"), {"when": "now"}), "updated_at"),
    "annotation_id_mixed": (_set((0, "annotations", 0, "id"), "abc"), None),
    "annotation_id_list": (_set((0, "annotations", 0, "id"), [1]), "id"),
    "was_cancelled_text": (_set((0, "annotations", 0, "was_cancelled"), "no"), "was_cancelled"),
    "ground_truth_text": (_set((2, "annotations", 0, "ground_truth"), "yes"), "ground_truth"),
    "annotation_all_none": (_all_none, "result is missing"),
    "task_text": (_set((0,), "abc"), "task"),
    "task_none": (_set((1,), None), "task"),
    "task_id_list": (_set((0, "id"), [1]), None),
    "data_text": (_set((0, "data"), "abc"), "data"),
    "data_none": (_set((0, "data"), None), None),
    "text_number": (_set((0, "data", "text"), 5), None),
    "doc_id_object": (_set((0, "data", "doc_id"), {"x": 1}), None),
    "predictions_text": (_set((2, "predictions"), "abc"), "predictions"),
    "predictions_number": (_set((2, "predictions"), 5), "predictions"),
    "prediction_result_text": (_set((2, "predictions", 0, "result"), "abc"), "result"),
    "prediction_model_version_list": (_set((2, "predictions", 0, "model_version"), [1]), None),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
@pytest.mark.parametrize("command", ["agree", "report"])
def test_hand_broken_export_is_a_warning_not_a_crash(tmp_path, case, command):
    """One field broken in a good export: no traceback, exit 0, the rest is still processed,
    and a wrong-typed field is named in a warning on stderr."""
    breakage, word = BROKEN[case]
    if command == "report" and case == "completed_by_none":
        word = None  # who annotated does not matter to the edit report
    export = good_export()
    breakage(export)
    path = tmp_path / "export.json"
    path.write_text(json.dumps(export), encoding="utf-8")
    result = CliRunner().invoke(cli, [command, "--from-file", str(path), "-o", str(tmp_path / "r.html")])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    if word is None:
        assert warnings == []
    else:
        assert warnings and all(len(w) < 300 for w in warnings)
        assert any(word in w for w in warnings), warnings
    assert (tmp_path / "r.html").is_file()
    # what is not broken is still processed: task 3 has two annotators and a prediction
    figures = json.loads(CliRunner().invoke(cli, [command, "--from-file", str(path), "--json"]).stdout)
    assert figures["problems"] == (0 if word is None else len(warnings))
    if command == "agree":
        assert figures["tasks"]["compared"] >= 1
    elif not case.startswith("predictions") and case != "prediction_result_text":
        assert figures["tasks"]["compared"] >= 1


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_hand_broken_export_plans_adjudication(case):
    from annotate.adjudicate import format_adjudication, plan_adjudication

    breakage, word = BROKEN[case]
    export = good_export()
    breakage(export)
    seen = []
    plan = plan_adjudication(export, warn=seen.append)
    out = plan.as_dict()
    out["project"] = {"id": 1, "title": "x"}
    assert format_adjudication(out)
    assert plan.compared >= 1  # task 3 at least
    if word is None:
        assert seen == []
    else:
        assert any(word in w for w in seen), seen


def test_a_broken_annotation_is_left_out_and_the_rest_compared():
    """Task 1's first annotation has a result that is not a list: A is left out of task 1 only;
    B and C are still compared there, and tasks 2 and 3 are unchanged."""
    export = sample_export()
    export[0]["annotations"][0]["result"] = "abc"
    seen = []
    r = compute_agreement(export, warn=seen.append)
    assert r["tasks"]["compared"] == 3 and r["tasks"]["annotations"] == 8
    pairs = {(p["a"], p["b"]): p["tasks"] for p in r["pairs"]}
    assert pairs == {("user 1", "user 2"): 2, ("user 2", "user 3"): 1}
    assert r["problems"] == 1
    assert seen == ["task 1 (doc1), annotation 1: result is a string, not a list; annotation left out"]


def test_bad_lead_time_is_ignored_not_averaged():
    export = sample_export()
    export[0]["annotations"][0]["lead_time"] = "abc"  # A's 10 s on task 1
    seen = []
    r = compute_agreement(export, warn=seen.append)
    annotators = {a["annotator"]: a for a in r["annotators"]}
    assert annotators["user 1"]["mean_lead_time"] == 25.0  # (20 + 30) / 2, task 1 ignored
    assert annotators["user 1"]["tasks"] == 3  # the annotation itself still counts
    assert len(seen) == 1 and "lead_time" in seen[0] and "ignored" in seen[0]


def test_many_problems_are_summed_up_not_flooded(tmp_path):
    export = [task(10 + n, T3, [annotation(1, A, [], "abc"), annotation(2, B, [], 5)]) for n in range(50)]
    path = tmp_path / "export.json"
    path.write_text(json.dumps(export), encoding="utf-8")
    result = CliRunner().invoke(cli, ["agree", "--from-file", str(path)])
    assert result.exit_code == 0
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 11
    assert warnings[-1] == "warning: ... and 40 more problems like these (50 in all)"


# ----------------------------------------------------------------------------- terminal safety

EVIL = "evil\x1b[2J\x1b]0;pwned\x07@example.com\u202e"


def test_control_characters_from_the_export_never_reach_the_terminal(tmp_path):
    """An annotator email, a doc_id and a model_version with escape sequences and a bidi
    override are shown escaped in text output and warnings."""
    export = good_export()
    for t in export:
        t["data"]["doc_id"] = "doc\x1b[31m" + str(t["id"])
        for a in t["annotations"]:
            if a["completed_by"] == A:
                a["completed_by"] = {"id": A, "email": EVIL}
    export[2]["predictions"][0]["model_version"] = "rules\x1b[2J\u202e"
    export[0]["annotations"][1]["lead_time"] = "\x1b[2Jabc"
    path = tmp_path / "export.json"
    path.write_text(json.dumps(export), encoding="utf-8")
    for args in (["agree"], ["report"]):
        result = CliRunner().invoke(cli, [*args, "--from-file", str(path)])
        assert result.exit_code == 0, result.output
        assert "\x1b" not in result.output and "\u202e" not in result.output and "\x07" not in result.output
    agree = CliRunner().invoke(cli, ["agree", "--from-file", str(path)])
    assert "evil\\x1b[2J\\x1b]0;pwned\\x07@example.com\\u202e" in agree.stdout
    assert "doc\\x1b[31m1" in agree.stdout
    assert "lead_time" in agree.stderr and "\\u001b[2Jabc" in agree.stderr
    report = CliRunner().invoke(cli, ["report", "--from-file", str(path)])
    assert "rules\\x1b[2J\\u202e" in report.stdout


def test_adjudication_text_escapes_control_characters():
    from annotate.adjudicate import format_adjudication, plan_adjudication

    export = sample_export()
    for t in export:
        t["data"]["doc_id"] = "doc\x1b[31m" + str(t["id"])
        for a in t["annotations"]:
            if a["completed_by"] == A:
                a["completed_by"] = {"id": A, "email": EVIL}
    out = plan_adjudication(export).as_dict()
    text = format_adjudication(out)
    assert "\x1b" not in text and "\u202e" not in text
    assert "evil\\x1b[2J" in text and "doc\\x1b[31m1" in text


# ----------------------------------------------------------------------------- output not writable


@pytest.mark.parametrize("command", ["agree", "report"])
def test_html_output_under_a_file_is_one_line(tmp_path, command):
    path = tmp_path / "export.json"
    path.write_text(json.dumps(good_export()), encoding="utf-8")
    (tmp_path / "somefile").write_text("x", encoding="utf-8")
    target = tmp_path / "somefile" / "report.html"
    result = CliRunner().invoke(cli, [command, "--from-file", str(path), "-o", str(target)])
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"Error: cannot write {target}: "), result.stderr


@pytest.mark.parametrize("command", ["agree", "report"])
def test_disk_full_while_writing_html_is_one_line(tmp_path, monkeypatch, command):
    import errno
    import os

    path = tmp_path / "export.json"
    path.write_text(json.dumps(good_export()), encoding="utf-8")
    target = tmp_path / "out" / "report.html"

    def full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    result = CliRunner().invoke(cli, [command, "--from-file", str(path), "-o", str(target)])
    assert result.exit_code == 2, result.output
    assert result.stderr.strip() == f"Error: cannot write {target}: No space left on device"
    assert not target.exists() and list((tmp_path / "out").iterdir()) == []  # no temp file left behind


# ----------------------------------------------------------------------------- speaker equivalence


def two_annotators(text: str, result_a: list, result_b: list) -> list[dict]:
    return [task(1, text, [annotation(1, A, result_a, 10), annotation(2, B, result_b, 10)])]


FLYNN = 'Retired Lt. Gen. Michael Flynn spoke on Monday. Flynn said "The deal is dead." He added that talks had failed.'


def flynn_export() -> list[dict]:
    """A links both quotes to the short form "Flynn" (the second via "He"); B links both to
    the full name, the first via "Flynn" refers_to the full name."""
    spans = (region("long", "Speaker", FLYNN, "Retired Lt. Gen. Michael Flynn")
             + region("short", "Speaker", FLYNN, "Flynn", nth=1)
             + region("he", "Speaker", FLYNN, "He")
             + region("q1", "Quote", FLYNN, '"The deal is dead."', quote_type="direct")
             + region("q2", "Quote", FLYNN, "talks had failed", quote_type="indirect"))
    a = spans + [rel("q1", "short", "said_by"), rel("q2", "he", "said_by"), rel("he", "short", "refers_to")]
    b = spans + [rel("q1", "short", "said_by"), rel("short", "long", "refers_to"),
                 rel("q2", "he", "said_by"), rel("he", "long", "refers_to")]
    return two_annotators(FLYNN, a, b)


def test_name_forms_of_one_speaker_are_equivalent_not_exact():
    r = compute_agreement(flynn_export())
    # q1: A resolves to "Flynn" (chars 48-53), B to "Retired Lt. Gen. Michael Flynn" (0-30):
    # different spans, different text -> not the same speaker; q2 likewise via "He".
    assert r["attribution"] == {"matched_quotes": 2, "agreed": 0, "agreement": 0.0}
    # "Flynn" is the surname of the full name and no other speaker mention has "Flynn" in it.
    assert r["speaker_equivalent"] == {"matched_quotes": 2, "agreed": 2, "agreement": 1.0}
    # the per-task dispute count stays the exact one
    assert r["disputed"][0]["attribution_disagreements"] == 2


def test_speaker_equivalence_equals_exact_when_names_differ():
    # sample_export: every disagreement is Blinken vs Lavrov (different surnames)
    r = compute_agreement(sample_export())
    assert r["speaker_equivalent"] == {"matched_quotes": 6, "agreed": 5, "agreement": round(5 / 6, 4)}


TRUMP = 'Donald Trump Jr. spoke first. Trump said "We will win."'
BIDEN = 'Joe Biden and Jill Biden spoke. Biden said "Hope is back."'


@pytest.mark.parametrize("text, short, long, extra, agreed", [
    # the son is not the short form: the last words differ ("jr" vs "trump")
    (TRUMP, ("Trump", 1), ("Donald Trump Jr.", 0), [], 0),
    # two people share the surname in the document's speaker mentions: ambiguous
    (BIDEN, ("Biden", 2), ("Joe Biden", 0), [("Jill Biden", 0)], 0),
    # ... and without the second Biden among the mentions the short form is Joe Biden
    (BIDEN, ("Biden", 2), ("Joe Biden", 0), [], 1),
])
def test_speaker_equivalence_rule(text, short, long, extra, agreed):
    q = region("q", "Quote", text, text[text.index('"'):], quote_type="direct")
    others = [x for k, (part, nth) in enumerate(extra) for x in region(f"x{k}", "Speaker", text, part, nth)]
    a = q + region("s", "Speaker", text, short[0], short[1]) + others + [rel("q", "s", "said_by")]
    b = q + region("s", "Speaker", text, long[0], long[1]) + [rel("q", "s", "said_by")]
    r = compute_agreement(two_annotators(text, a, b))
    assert r["attribution"]["agreed"] == 0
    assert r["speaker_equivalent"]["agreed"] == agreed


def test_equivalent_names_unit():
    from annotate.agreement import equivalent_names, name_tokens

    assert name_tokens("Retired Lt. Gen. Michael Flynn") == ("michael", "flynn")
    assert name_tokens("Flynn's") == ("flynn",)
    assert name_tokens("Donald Trump Jr.") == ("donald", "trump", "jr")
    none: frozenset = frozenset()
    assert equivalent_names("Gen. Flynn", "Michael Flynn", none)  # titles aside
    assert equivalent_names("flynn", "FLYNN", none)
    assert not equivalent_names("Michael Flynn", "Mike Flynn", none)  # neither within the other
    assert not equivalent_names("Flynn", "Michael Flynn Jr.", none)
    assert not equivalent_names("He", "Michael Flynn", none)
    assert not equivalent_names("", "Flynn", none)
    mentions = frozenset({("michael", "flynn"), ("flynn",), ("michael", "flynn", "jr")})
    assert not equivalent_names("Flynn", "Michael Flynn", mentions)  # the son speaks too


def test_agree_prints_speaker_equivalence(tmp_path):
    path = tmp_path / "export.json"
    path.write_text(json.dumps(flynn_export()), encoding="utf-8")
    out = CliRunner().invoke(cli, ["agree", "--from-file", str(path)])
    assert out.exit_code == 0, out.output
    assert "Attribution: 0 of 2 matched quotes said by the same speaker (0.000)" in out.output
    assert "Speaker equivalence: 2 of 2 matched quotes said by the same person" in out.output
    js = json.loads(CliRunner().invoke(cli, ["agree", "--from-file", str(path), "--json"]).output)
    assert js["speaker_equivalent"]["agreement"] == 1.0
    html = tmp_path / "r.html"
    assert CliRunner().invoke(cli, ["agree", "--from-file", str(path), "-o", str(html)]).exit_code == 0
    assert "speaker equivalence" in html.read_text(encoding="utf-8")


# ----------------------------------------------------------------------------- bounded memory


def test_alpha_from_tallied_units_is_the_packages_alpha():
    """compute_agreement keeps alpha units as a Counter of value counts (memory flat in the
    number of tasks); the figure is what the krippendorff package gives on every unit listed."""
    import random
    from collections import Counter

    from annotate.agreement import unit_key

    rng = random.Random(3)
    for _ in range(20):
        units = []
        for _ in range(rng.randint(1, 300)):
            unit = Counter(rng.choice("abc" if rng.random() < 0.2 else "a") for _ in range(rng.randint(2, 4)))
            units.append(dict(unit))
        values = sorted({v for u in units for v in u})
        expected = None if len(values) < 2 else round(float(krippendorff.alpha(
            value_counts=np.array([[u.get(v, 0) for v in values] for u in units], dtype=float),
            level_of_measurement="nominal")), 4)
        assert krippendorff_alpha(units) == expected
        assert krippendorff_alpha(Counter(unit_key(u) for u in units)) == expected


@pytest.mark.parametrize("top", [0, 1, 3, 10, 50, -2])
def test_most_disputed_keeps_what_sorting_everything_gave(top):
    import random

    from annotate.agreement import MostDisputed

    rng = random.Random(top)
    tasks = [{"task_id": rng.randint(1, 40), "overlap_f1": rng.choice([None, 0.5, 0.75, 1.0]),
              "unmatched_spans": rng.randint(0, 2), "choice_disagreements": rng.randint(0, 1),
              "attribution_disagreements": 0, "n": n} for n in range(500)]  # ties included
    kept = MostDisputed(top)
    for t in tasks:
        kept.add(t)
    assert kept.items() == sorted(tasks, key=MostDisputed.score)[:top]
