"""The prediction edit report: what the annotators did to the pre-annotations.

For each `model_version` and label, every predicted region ends up as exactly one of:

- `kept`: same label, same offsets, same choices in the final annotation;
- `choice_changed`: same label and offsets, a different quote_type / polarity / target;
- `boundary_moved`: same label, overlapping but different offsets;
- `relabelled`: the same offsets under another label;
- `deleted`: nothing of the kind left.

Final regions no prediction accounts for are `added`. Matching is one-to-one and goes in
that order (exact, then overlapping same label, then same offsets other label), so a Quote and
a Stance over the same words are never confused. The final annotation of a task is the one
`pull` exports: the ground-truth annotation if one is marked, else the most recent
non-cancelled one. Review copies made by `annotate adjudicate --requeue`
(`model_version` "<email> (annotator)", see `is_review_copy`) are not pre-annotations and are
left out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path

from .agreement import CHOICE_FIELDS, Mean, match_spans, table
from .annotations import Problems, clean_tasks, load_tasks, spans_with_text
from .gold import is_review_copy
from .labeling import LABELS
from .redact import printable

OUTCOMES = ("kept", "boundary_moved", "relabelled", "choice_changed", "deleted")
BUCKETS = ("0%", "1-25%", "26-50%", "51-100%")
NO_PREDICTION = "no pre-annotation"
IDS_ONLY = ("this export has prediction ids only (Label Studio's quick export): use --project, "
            "which reads full predictions, or an export made with predictions.only_id = false")


def final_annotation(task: dict) -> dict | None:
    """The annotation `pull` exports (`gold.choose_annotation`): ground truth if one is
    marked, else the most recent non-cancelled one; None when nothing was submitted. In a
    blind-annotation family only the review project's ground truth counts, as in `pull`."""
    from .annotations import without_member_ground_truth
    from .gold import choose_annotation

    return choose_annotation(without_member_ground_truth(task)).annotation


def _choices(span: dict) -> tuple:
    return tuple(span.get(f) for f in CHOICE_FIELDS)


def compare_regions(predicted: list[dict], final: list[dict]) -> tuple[list[tuple], list[dict]]:
    """Classify predicted spans against final spans.

    Returns ([(predicted span, outcome, final span or None), ...], added final spans).
    """
    outcome: dict[int, tuple[str, int | None]] = {}
    used: set[int] = set()

    def free(indices, taken):
        return [i for i in indices if i not in taken]

    # 1. same label and offsets
    for label in {s["label"] for s in predicted} | {s["label"] for s in final}:
        pi = free([i for i, s in enumerate(predicted) if s["label"] == label], outcome)
        fi = free([j for j, s in enumerate(final) if s["label"] == label], used)
        for a, b in match_spans([predicted[i] for i in pi], [final[j] for j in fi], "exact"):
            i, j = pi[a], fi[b]
            same = _choices(predicted[i]) == _choices(final[j])
            outcome[i] = ("kept" if same else "choice_changed", j)
            used.add(j)
    # 2. same label, overlapping
    for label in {s["label"] for s in predicted}:
        pi = free([i for i, s in enumerate(predicted) if s["label"] == label], outcome)
        fi = free([j for j, s in enumerate(final) if s["label"] == label], used)
        for a, b in match_spans([predicted[i] for i in pi], [final[j] for j in fi], "overlap"):
            outcome[pi[a]] = ("boundary_moved", fi[b])
            used.add(fi[b])
    # 3. same offsets, another label
    pi = free(range(len(predicted)), outcome)
    fi = free(range(len(final)), used)
    for a, b in match_spans([predicted[i] for i in pi], [final[j] for j in fi], "exact"):
        outcome[pi[a]] = ("relabelled", fi[b])
        used.add(fi[b])
    rows = []
    for i, s in enumerate(predicted):
        what, j = outcome.get(i, ("deleted", None))
        rows.append((s, what, final[j] if j is not None else None))
    added = [s for j, s in enumerate(final) if j not in used]
    return rows, added


def compare_relations(rows: list[tuple], predicted: list[dict],
                      final: list[dict]) -> tuple[list[dict], list[dict], list[dict]]:
    """(kept, deleted, added) relations; a predicted relation is kept when the final annotation
    links the regions its two ends became (whatever else happened to them) with the same type."""
    became = {p["id"]: f["id"] for p, _, f in rows if f is not None}
    final_keys = {(r["type"], r["from"], r["to"]): r for r in final}
    kept, deleted, matched = [], [], set()
    for r in predicted:
        key = (r["type"], became.get(r["from"]), became.get(r["to"]))
        if key in final_keys and key not in matched:
            matched.add(key)
            kept.append(r)
        else:
            deleted.append(r)
    added = [r for k, r in final_keys.items() if k not in matched]
    return kept, deleted, added


def _bucket(share: float) -> str:
    if share == 0:
        return BUCKETS[0]
    if share <= 0.25:
        return BUCKETS[1]
    if share <= 0.5:
        return BUCKETS[2]
    return BUCKETS[3]


def _ratio(a: int, b: int) -> float | None:
    return round(a / b, 4) if b else None


def compute_edit_report(tasks: Iterable, warn: Callable[[str], None] | Problems | None = None) -> dict:
    """The edit report for exported tasks (with full prediction objects), as a JSON-ready dict.

    Each task is checked first (`annotations.clean_task`; who annotated does not matter here):
    what is broken is left out or ignored, `warn` is told (default: stderr) and the report's
    `problems` counts it.
    """
    problems = warn if isinstance(warn, Problems) else Problems(warn)
    before = problems.count
    try:
        report = _compute_edit_report(clean_tasks(tasks, problems, need_annotator=False))
    finally:
        if not isinstance(warn, Problems):
            problems.close()
    report["problems"] = problems.count - before
    return report


def _region_ids_readable(result):
    """A result without its label items whose id is no string (a list, an object: a hand
    edit), which `spans_with_text` would take as dict keys and fail on; the reading of regions
    skips them anyway, so the report is the same as without them. Most results have none:
    the same list comes back."""
    if not isinstance(result, list):
        return result
    for item in result:
        if isinstance(item, dict) and item.get("type") == "labels" and not isinstance(item.get("id"), str):
            return [i for i in result if not (isinstance(i, dict) and i.get("type") == "labels"
                                              and not isinstance(i.get("id"), str))]
    return result


def _compute_edit_report(tasks: Iterable[dict]) -> dict:
    counts = defaultdict(lambda: defaultdict(lambda: defaultdict(int)))  # model -> label -> key
    rel_counts = defaultdict(lambda: defaultdict(lambda: defaultdict(int)))  # model -> type -> key
    model_tasks = defaultdict(int)
    lead = defaultdict(Mean)  # running means: memory does not grow with the tasks
    n_total = n_compared = n_unannotated = n_ids_only = 0
    for task in tasks:
        n_total += 1
        final = final_annotation(task)
        if final is None:
            n_unannotated += 1
            continue
        preds = task.get("predictions") or []
        if any(not isinstance(p, dict) for p in preds):
            n_ids_only += 1
            continue
        preds = [p for p in preds if not is_review_copy(p)]
        f_spans, f_rels = spans_with_text(_region_ids_readable(final.get("result")))
        lead_time = final.get("lead_time")
        if not preds:
            if lead_time is not None:
                lead[NO_PREDICTION].add(float(lead_time))
            continue
        n_compared += 1
        edited = regions = 0
        for pred in preds:
            model = str(pred.get("model_version") or "unknown")
            model_tasks[model] += 1
            p_spans, p_rels = spans_with_text(_region_ids_readable(pred.get("result")))
            rows, added = compare_regions(p_spans, f_spans)
            for span, what, _ in rows:
                counts[model][span["label"]]["predicted"] += 1
                counts[model][span["label"]][what] += 1
            for span in added:
                counts[model][span["label"]]["added"] += 1
            for span in f_spans:
                counts[model][span["label"]]["final"] += 1
            kept, deleted, added_rels = compare_relations(rows, p_rels, f_rels)
            for key, rels in (("kept", kept), ("deleted", deleted), ("added", added_rels)):
                for r in rels:
                    rel_counts[model][r["type"]][key] += 1
                    if key != "added":
                        rel_counts[model][r["type"]]["predicted"] += 1
            edited += sum(what != "kept" for _, what, _ in rows) + len(added)
            regions += len(rows) + len(added)
        if lead_time is not None:
            lead[_bucket(edited / regions if regions else 0.0)].add(float(lead_time))

    models = {}
    for model in sorted(counts):
        labels = {}
        names = [lb for lb in LABELS if lb in counts[model]] + sorted(set(counts[model]) - set(LABELS))
        for label in names:
            c = counts[model][label]
            exact = c["kept"] + c["choice_changed"]
            overlap = exact + c["boundary_moved"]
            labels[label] = {
                "predicted": c["predicted"], **{o: c[o] for o in OUTCOMES}, "added": c["added"],
                "final": c["final"],
                "precision_exact": _ratio(exact, c["predicted"]), "recall_exact": _ratio(exact, c["final"]),
                "precision_overlap": _ratio(overlap, c["predicted"]),
                "recall_overlap": _ratio(overlap, c["final"]),
            }
        totals = {k: sum(v[k] for v in labels.values())
                  for k in ("predicted", *OUTCOMES, "added", "final")}
        totals["kept_share"] = _ratio(totals["kept"], totals["predicted"])
        models[model] = {
            "tasks": model_tasks[model], "labels": labels, "totals": totals,
            "outcomes": {o: {lb: v[o] for lb, v in labels.items()} for o in (*OUTCOMES, "added")},
            "relations": {t: {k: v[k] for k in ("predicted", "kept", "deleted", "added")}
                          for t, v in sorted(rel_counts[model].items())},
        }
    report = {
        "tasks": {"total": n_total, "compared": n_compared, "not_annotated": n_unannotated,
                  "prediction_ids_only": n_ids_only},
        "models": models,
        "lead_time": [
            {"bucket": b, "tasks": lead[b].n, "mean_lead_time": lead[b].rounded()}
            for b in (*BUCKETS, NO_PREDICTION) if lead[b].n
        ],
    }
    if not models:
        report["message"] = IDS_ONLY if n_ids_only else "no annotated task has pre-annotations"
    return report


def edit_report(project: str | None = None, from_file: str | Path | None = None,
                url: str | None = None, api_key: str | None = None,
                warn: Callable[[str], None] | None = None) -> dict:
    """`annotate report` as a function: load the tasks, return `compute_edit_report`'s dict.
    `warn` receives one line per problem found in the export (default: stderr)."""
    problems = Problems(warn)
    tasks, _ = load_tasks(project, from_file, url, api_key, warn=problems)
    report = compute_edit_report(tasks, warn=problems)
    problems.close()
    return report


def format_edit_report(report: dict) -> str:
    """The edit report as terminal text (model versions and labels come from the export:
    escaped with `redact.printable`)."""
    return printable(_format_edit_report(report))


def _format_edit_report(report: dict) -> str:
    t = report["tasks"]
    head = (f"Annotated tasks with pre-annotations: {t['compared']} of {t['total']} "
            f"({t['not_annotated']} not annotated)")
    if not report["models"]:
        return f"{head}\n{report['message']}"
    parts = [head]
    for model, m in report["models"].items():
        tot = m["totals"]
        parts += ["", f"{model}: {tot['predicted']} predicted regions on {m['tasks']} tasks, "
                      f"{tot['kept']} kept as is ({(tot['kept_share'] or 0):.0%}), {tot['added']} added",
                  table(["label", "predicted", "kept", "moved", "relabelled", "choice", "deleted",
                         "added", "P exact", "R exact", "P overlap", "R overlap"],
                        [[lb, v["predicted"], *[v[o] for o in OUTCOMES], v["added"], v["precision_exact"],
                          v["recall_exact"], v["precision_overlap"], v["recall_overlap"]]
                         for lb, v in m["labels"].items()])]
        if m["relations"]:
            parts += ["", table(["relation", "predicted", "kept", "deleted", "added"],
                                [[k, v["predicted"], v["kept"], v["deleted"], v["added"]]
                                 for k, v in m["relations"].items()])]
    if report["lead_time"]:
        parts += ["", "Lead time by share of regions edited",
                  table(["edited", "tasks", "mean lead s"],
                        [[b["bucket"], b["tasks"], b["mean_lead_time"]] for b in report["lead_time"]])]
    return "\n".join(parts)
