"""Benchmark: pre-annotation quality on the PolNeAR tuning corpus (SPEC section 10).

Converts GOLD/text/ with `annotate convert` (the real CLI, cleaning included), scores the
tasks with the shared scorer `attribution_eval.py`, and prints its JSON figures beside the
targets. The scorer aligns cleaned text back to the gold text with difflib where cleaning changed it
(a handful of documents); a run takes about ten seconds. Keep the tasks with --keep and
`benchmarks/quality_errors.py` lists the errors behind the figures, by class with examples.

    .venv/bin/python benchmarks/quality.py [--gold DIR] [--scorer FILE] [--keep TASKS.jsonl]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
DEFAULT_GOLD = SHARED / "corpora" / "polnear-train"
DEFAULT_SCORER = SHARED / "tools" / "attribution_eval.py"

# (figure, index into a [P, R, F1] triple or None, target, higher is better)
TARGETS = [
    ("direct_quote_recall", None, 0.97),
    ("quote_overlap_prf", 2, 0.75),
    ("attribution_prf", 2, 0.65),
]


def run(gold: Path, scorer: Path, tasks: Path) -> dict:
    """Convert gold/text into `tasks` with the CLI, score it, return the scorer's figures."""
    annotate = Path(sys.executable).with_name("annotate")
    cmd = [str(annotate), "convert", str(gold / "text"), "-o", str(tasks)]
    t0 = time.perf_counter()
    done = subprocess.run(cmd, check=True, capture_output=True, text=True)
    convert_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, str(scorer), str(gold), str(tasks)],
                         check=True, capture_output=True, text=True).stdout
    figures = json.loads(out)
    figures["_convert_seconds"] = round(convert_s, 1)
    figures["_convert_summary"] = (done.stdout + done.stderr).strip().splitlines()[-1:]
    figures["_score_seconds"] = round(time.perf_counter() - t0, 1)
    return figures


def report(figures: dict) -> str:
    """The figures as a small table, each target beside its figure."""
    lines = [*figures["_convert_summary"], json.dumps({k: v for k, v in figures.items() if not k.startswith("_")})]
    lines.append(f"{'figure':28s} {'value':>8s} {'target':>8s}  met")
    for name, idx, target in TARGETS:
        value = figures[name] if idx is None else figures[name][idx]
        lines.append(f"{name + ('' if idx is None else ' F1'):28s} {value:8.4f} {target:8.2f}  {'yes' if value >= target else 'NO'}")
    for name in ("quote_exact_prf", "quote_char_prf"):
        p, r, f = figures[name]
        lines.append(f"{name:28s} P {p:.4f} R {r:.4f} F1 {f:.4f}")
    for name in ("quote_overlap_prf", "attribution_prf"):
        p, r, f = figures[name]
        lines.append(f"{name:28s} P {p:.4f} R {r:.4f} F1 {f:.4f}")
    missing = figures.get("docs_missing", 0)
    lines.append(f"docs {figures['docs']}, missing/crashed {missing} (target 0); "
                 f"convert {figures['_convert_seconds']} s, score {figures['_score_seconds']} s")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--gold", type=Path, default=DEFAULT_GOLD)
    ap.add_argument("--scorer", type=Path, default=DEFAULT_SCORER)
    ap.add_argument("--keep", type=Path, help="write the tasks here instead of a temporary file")
    args = ap.parse_args()
    if not (args.gold / "text").is_dir() or not args.scorer.is_file():
        print(f"need {args.gold}/text and {args.scorer}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        tasks = args.keep or Path(tmp) / "tasks.jsonl"
        figures = run(args.gold, args.scorer, tasks)
    print(report(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
