"""Self-contained HTML reports: inline CSS and SVG charts, no script, no CDN, no fonts to fetch.

`agreement_html(report)` renders the dict of `agreement.compute_agreement`; `edits_html(report)`
the dict of `editreport.compute_edit_report`. Both open offline from a file or a mail attachment.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from .io import atomic_writer, write_error

CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#222;margin:24px auto;max-width:1100px;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
.sub{color:#666;margin:0 0 16px}
.cards{display:flex;gap:12px;flex-wrap:wrap}
.card{border:1px solid #ddd;border-radius:6px;padding:10px 14px;min-width:140px}
.card b{display:block;font-size:22px}.card span{color:#666;font-size:12px}
table{border-collapse:collapse;margin:6px 0 12px}
th,td{padding:4px 10px;border-bottom:1px solid #eee;text-align:right}
th:first-child,td:first-child{text-align:left}th{background:#f6f6f6}
.charts{display:flex;gap:24px;flex-wrap:wrap;align-items:flex-start}
svg text{font:12px system-ui,sans-serif;fill:#333}
"""

COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#17becf")


def fmt(x) -> str:
    """A number for a table cell: 3 decimals for floats, '-' for missing."""
    if x is None:
        return "-"
    if isinstance(x, float):
        return f"{x:.3f}"
    return escape(str(x))


def html_table(headers: list[str], rows: list[list]) -> str:
    """An HTML table; cells are escaped."""
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{fmt(c)}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _legend(names: list[str], x0: int, y0: int, max_x: int) -> tuple[list[str], int]:
    """Legend swatches wrapped onto as many lines as needed; returns (svg parts, height)."""
    parts, x, y = [], x0, y0
    for k, name in enumerate(names):
        w = 18 + 7 * len(name) + 12
        if x > x0 and x + w > max_x:
            x, y = x0, y + 18
        parts.append(f'<rect x="{x}" y="{y}" width="10" height="10" fill="{COLORS[k % len(COLORS)]}"/>'
                     f'<text x="{x + 14}" y="{y + 9}">{escape(name)}</text>')
        x += w
    return parts, y - y0 + 20


def _num(v, digits: int) -> str:
    if v is None:
        return "-"
    return f"{v:.{digits}f}" if isinstance(v, float) else str(v)


def bar_chart(title: str, groups: list[str], series: dict[str, list], max_value: float | None = None,
              digits: int = 3) -> str:
    """Grouped horizontal bars: one group per row, one bar per series, with a legend."""
    names = list(series)
    top = max_value or max([v or 0 for vals in series.values() for v in vals] + [1])
    bar_h, gap, left, width = 14, 10, 130, 300
    group_h = bar_h * len(names) + gap
    legend, legend_h = _legend(names, 0, 26, left + width + 60)
    y0 = 26 + legend_h
    height = y0 + group_h * len(groups)
    parts = [f'<svg width="{left + width + 70}" height="{height}" role="img" aria-label="{escape(title)}">',
             f'<text x="0" y="16" style="font-weight:600">{escape(title)}</text>', *legend]
    for g, group in enumerate(groups):
        gy = y0 + g * group_h
        parts.append(f'<text x="0" y="{gy + group_h / 2}">{escape(group)}</text>')
        for k, name in enumerate(names):
            v = series[name][g]
            w = 0 if v is None else width * v / top
            y = gy + k * bar_h
            label = _num(v, digits)
            parts.append(f'<rect x="{left}" y="{y}" width="{w:.1f}" height="{bar_h - 2}" '
                         f'fill="{COLORS[k % len(COLORS)]}"><title>{escape(group)} {escape(name)}: {label}</title></rect>'
                         f'<text x="{left + w + 4:.1f}" y="{y + bar_h - 4}">{label}</text>')
    parts.append("</svg>")
    return "".join(parts)


def stacked_chart(title: str, groups: list[str], series: dict[str, list[int]]) -> str:
    """One horizontal bar per group, split into segments (counts) per series, total at the end."""
    names = list(series)
    totals = [sum(series[n][g] or 0 for n in names) for g in range(len(groups))]
    top = max(totals + [1])
    bar_h, left, width = 22, 130, 300
    legend, legend_h = _legend(names, 0, 26, left + width + 60)
    y0 = 26 + legend_h
    parts = [f'<svg width="{left + width + 70}" height="{y0 + (bar_h + 8) * len(groups)}" role="img" '
             f'aria-label="{escape(title)}">',
             f'<text x="0" y="16" style="font-weight:600">{escape(title)}</text>', *legend]
    for g, group in enumerate(groups):
        y = y0 + g * (bar_h + 8)
        parts.append(f'<text x="0" y="{y + bar_h / 2 + 4}">{escape(group)}</text>')
        x = left
        for k, name in enumerate(names):
            v = series[name][g] or 0
            if not v:
                continue
            w = width * v / top
            parts.append(f'<rect class="segment" x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_h}" '
                         f'fill="{COLORS[k % len(COLORS)]}"><title>{escape(group)} {escape(name)}: {v}</title></rect>')
            if w >= 16:
                parts.append(f'<text x="{x + w / 2:.1f}" y="{y + bar_h / 2 + 4}" text-anchor="middle" '
                             f'style="fill:#fff">{v}</text>')
            x += w
        parts.append(f'<text x="{x + 4:.1f}" y="{y + bar_h / 2 + 4}">{totals[g]}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _heat(v: float | None, lo: float) -> str:
    """Red (at `lo`) through yellow to green (1.0); grey when there is no value."""
    if v is None:
        return "#eeeeee"
    t = 1.0 if lo >= 1 else max(0.0, min(1.0, (v - lo) / (1 - lo)))
    # two linear legs: #d7301f -> #fee08b -> #1a9850
    a, b = ((215, 48, 31), (254, 224, 139)) if t < 0.5 else ((254, 224, 139), (26, 152, 80))
    u = t * 2 if t < 0.5 else (t - 0.5) * 2
    r, g, bl = (round(x + (y - x) * u) for x, y in zip(a, b, strict=True))
    return f"#{r:02x}{g:02x}{bl:02x}"


# Approximate advance widths in em of a wide sans-serif (DejaVu Sans, the usual Linux
# fallback for system-ui, is wider than Segoe UI, San Francisco or Helvetica), so a label's
# estimated width is at least what a browser draws and the room left for it is enough.
_NARROW, _THIN, _WIDE = set("iljI.,:;'|!`"), set("frt()[]{}-/ "), set("mwMW@%")
MAX_LABEL = 40  # longer names are shortened in the chart, whole in the tooltip and the tables


def text_width(text: str, size: float = 12) -> float:
    """A generous estimate of the width in pixels of `text` drawn at `size` px."""
    em = 0.0
    for ch in text:
        if ch in _NARROW:
            em += 0.32
        elif ch in _THIN:
            em += 0.45
        elif ch in _WIDE or not ch.isascii():
            em += 1.0
        elif ch.isupper():
            em += 0.78
        else:
            em += 0.66
    return em * size


def short_label(name: str) -> str:
    """A chart label: the name, cut to MAX_LABEL characters with an ellipsis."""
    return name if len(name) <= MAX_LABEL else name[:MAX_LABEL - 1] + "\u2026"


def _label(name: str, label: str) -> str:
    """The escaped label, with the whole name as a tooltip when the label is shortened."""
    return escape(label) if label == name else f"{escape(label)}<title>{escape(name)}</title>"


def heat_map(title: str, names: list[str], value: dict[tuple[str, str], float | None]) -> str:
    """A symmetric annotator x annotator heat map of F1 values (diagonal left blank).

    The colour scale runs from the lowest value shown (rounded down to a tenth) to 1.0, so
    differences between good annotators stay visible. Row labels start at x=0 and the cells
    after the widest of them (a generous width estimate: nothing is cut off on the left);
    column labels are slanted, with room above and to the right for the longest.
    """
    vals = [v for v in value.values() if v is not None]
    lo = min(0.9, int(min(vals) * 10) / 10) if vals else 0.0
    labels = [short_label(n) for n in names]
    widths = [text_width(lb) for lb in labels]
    widest = max(widths, default=0.0)
    slant = 0.7072  # cos 45 degrees: the horizontal and the vertical extent of a slanted label
    cell = 64
    left = max(int(widest) + 12, 40)
    top = 40 + int(widest * slant)
    size = len(names)
    width = max([left + cell * size + 10, int(text_width(title)) + 10]
                + [int(left + j * cell + cell / 2 + w * slant + 12) for j, w in enumerate(widths)])
    parts = [f'<svg width="{width}" height="{top + cell * size + 34}" role="img" aria-label="{escape(title)}">',
             f'<text x="0" y="16" style="font-weight:600">{escape(title)}</text>']
    for j, (name, label) in enumerate(zip(names, labels, strict=True)):
        cx = left + j * cell + cell / 2
        parts.append(f'<text transform="translate({cx:.0f} {top - 6}) rotate(-45)">{_label(name, label)}</text>')
    for i, (a, label) in enumerate(zip(names, labels, strict=True)):
        y = top + i * cell
        parts.append(f'<text x="0" y="{y + cell / 2 + 4}">{_label(a, label)}</text>')
        for j, b in enumerate(names):
            x = left + j * cell
            v = None if a == b else value.get((a, b), value.get((b, a)))
            label = "" if a == b else ("-" if v is None else f"{v:.3f}")
            parts.append(f'<rect x="{x}" y="{y}" width="{cell - 2}" height="{cell - 2}" fill="{_heat(v, lo)}">'
                         f'<title>{escape(a)} / {escape(b)}: {label}</title></rect>'
                         f'<text x="{x + cell / 2 - 1}" y="{y + cell / 2 + 4}" text-anchor="middle">{label}</text>')
    ly = top + cell * size + 12
    for k in range(5):
        v = lo + (1 - lo) * k / 4
        parts.append(f'<rect x="{left + k * 28}" y="{ly}" width="28" height="10" fill="{_heat(v, lo)}"/>')
    parts.append(f'<text x="{left - 6}" y="{ly + 9}" text-anchor="end">{lo:.1f}</text>'
                 f'<text x="{left + 5 * 28 + 4}" y="{ly + 9}">1.0</text>')
    parts.append("</svg>")
    return "".join(parts)


def page(title: str, subtitle: str, body: str) -> str:
    """A complete HTML document with the shared style."""
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<style>{CSS}</style></head><body><h1>{escape(title)}</h1>"
            f'<p class="sub">{escape(subtitle)}</p>{body}</body></html>\n')


def cards(items: list[tuple[str, object]]) -> str:
    return '<div class="cards">' + "".join(
        f'<div class="card"><b>{fmt(v)}</b><span>{escape(k)}</span></div>' for k, v in items) + "</div>"


def agreement_html(report: dict, title: str = "Annotator agreement") -> str:
    """The agreement report as a self-contained HTML page."""
    from .agreement import changed_note

    note = changed_note(report.get("changed_by_others"))
    note_html = f'<p class="sub">{escape(note)}</p>' if note else ""
    if report.get("status") != "ok":
        return page(title, report.get("message", ""), note_html)
    t = report["tasks"]
    labels = list(report["labels"])
    body = [cards([
        ("tasks compared", t["compared"]), ("agreed", t["agreed"]), ("disputed", t["disputed"]),
        ("span F1 (overlap, micro)", report["micro"]["overlap"]["f1"]),
        ("span F1 (exact, micro)", report["micro"]["exact"]["f1"]),
        ("attribution agreement", report["attribution"]["agreement"]),
        ("speaker equivalence", (report.get("speaker_equivalent") or {}).get("agreement")),
        ("alpha quote_type", report["alpha"]["quote_type"]["alpha"]),
        ("alpha polarity", report["alpha"]["polarity"]["alpha"]),
    ])]
    names = sorted({p["a"] for p in report["pairs"]} | {p["b"] for p in report["pairs"]})
    chart = bar_chart("Span agreement per label (pairwise F1)", labels + ["micro"], {
        "exact": [report["labels"][lb]["exact"]["f1"] for lb in labels] + [report["micro"]["exact"]["f1"]],
        "overlap": [report["labels"][lb]["overlap"]["f1"] for lb in labels] + [report["micro"]["overlap"]["f1"]],
    }, max_value=1.0)
    heat = heat_map("Annotator pairs (overlap F1)", names,
                    {(p["a"], p["b"]): p["overlap_f1"] for p in report["pairs"]})
    body.append(f'<h2>Where annotators agree</h2><div class="charts"><div id="chart-labels">{chart}</div>'
                f'<div id="chart-pairs">{heat}</div></div>')
    body.append("<h2>Span agreement</h2>" + html_table(
        ["label", "exact F1", "overlap F1", "spans"],
        [[lb, v["exact"]["f1"], v["overlap"]["f1"], v["overlap"]["spans"]] for lb, v in report["labels"].items()]))
    body.append("<h2>Annotator pairs</h2>" + html_table(
        ["pair", "tasks", "exact F1", "overlap F1"] + labels,
        [[f"{p['a']} / {p['b']}", p["tasks"], p["exact_f1"], p["overlap_f1"]]
         + [p["labels"].get(lb) for lb in labels] for p in report["pairs"]]))
    att = report["attribution"]
    body.append("<h2>Attribution and choices</h2>" + html_table(
        ["measure", "value", "over"],
        [["attribution agreement", att["agreement"], f"{att['matched_quotes']} matched quotes"]]
        + [["speaker equivalence (name forms of one person)", eq["agreement"],
            f"{eq['matched_quotes']} matched quotes"] for eq in [report.get("speaker_equivalent")] if eq]
        + [[f"Krippendorff's alpha ({k})", a["alpha"], f"{a['units']} matched {a['label']} spans"]
           for k, a in report["alpha"].items()]))
    body.append("<h2>Annotators</h2>" + html_table(
        ["annotator", "tasks", "spans", "mean lead time (s)", "exact F1", "overlap F1"],
        [[a["annotator"], a["tasks"], a["spans"], a["mean_lead_time"], a["exact_f1"], a["overlap_f1"]]
         for a in report["annotators"]]))
    if report["disputed"]:
        body.append("<h2>Most disputed tasks</h2>" + html_table(
            ["document", "task", "annotators", "overlap F1", "unmatched spans", "choice diffs", "speaker diffs"],
            [[d["doc"], d["task_id"], ", ".join(d["annotators"]), d["overlap_f1"], d["unmatched_spans"],
              d["choice_disagreements"], d["attribution_disagreements"]] for d in report["disputed"]]))
    sub = f"{t['compared']} of {t['total']} tasks have two or more annotations ({t['annotations']} annotations)"
    return page(title, sub, "".join(body) + note_html)


def edits_html(report: dict, title: str = "What happened to the pre-annotations") -> str:
    """The prediction edit report as a self-contained HTML page."""
    from .editreport import OUTCOMES

    if not report.get("models"):
        return page(title, report.get("message", "no predictions to compare"), "")
    body = []
    for model, m in report["models"].items():
        labels = list(m["labels"])
        series = {o: [m["labels"][lb][o] for lb in labels] for o in OUTCOMES}
        chart = stacked_chart("Predicted regions by outcome", labels, series)
        prf = bar_chart("Pre-annotation vs final annotation", labels, {
            "precision (exact)": [m["labels"][lb]["precision_exact"] for lb in labels],
            "recall (exact)": [m["labels"][lb]["recall_exact"] for lb in labels],
            "precision (overlap)": [m["labels"][lb]["precision_overlap"] for lb in labels],
            "recall (overlap)": [m["labels"][lb]["recall_overlap"] for lb in labels],
        }, max_value=1.0)
        t = m["totals"]
        body.append(f"<h2>{escape(model)}</h2>" + cards([
            ("tasks", m["tasks"]), ("predicted regions", t["predicted"]), ("kept as is", t["kept"]),
            ("kept share", t["kept_share"]), ("added by annotators", t["added"]),
        ]))
        body.append(f'<div class="charts"><div class="chart-outcomes">{chart}</div><div>{prf}</div></div>')
        body.append(html_table(
            ["label", "predicted", *OUTCOMES, "added", "P exact", "R exact", "P overlap", "R overlap"],
            [[lb, v["predicted"], *[v[o] for o in OUTCOMES], v["added"], v["precision_exact"],
              v["recall_exact"], v["precision_overlap"], v["recall_overlap"]] for lb, v in m["labels"].items()]))
    lt = report["lead_time"]
    if lt:
        body.append("<h2>Lead time by how much was edited</h2>" + bar_chart(
            "Mean lead time (s) by share of regions edited", [b["bucket"] for b in lt],
            {"mean lead time": [b["mean_lead_time"] for b in lt]}, digits=1)
            + html_table(["edited", "tasks", "mean lead time (s)"],
                         [[b["bucket"], b["tasks"], b["mean_lead_time"]] for b in lt]))
    sub = f"{report['tasks']['compared']} annotated tasks with pre-annotations"
    return page(title, sub, "".join(body))


def save_html(path: str | Path, html: str) -> None:
    """Write an HTML report atomically; an output that cannot be written (a directory that
    is a file, no permission, disk full) is one UsageError line, and nothing is left behind."""
    try:
        with atomic_writer(path) as fh:
            fh.write(html)
    except OSError as exc:  # atomic_writer names the usual ones itself; any other, likewise
        raise write_error(path, exc) from None
