"""The accept-unchanged invariant on every article we have: seeds + the 840 tuning articles.

Converts each text with the real converter (as `annotate convert` does), builds the export
Label Studio would give if an annotator submitted every prediction unchanged
(`annotate.accept.accepted_export`), and runs it through pull's own code path
(`annotate.pull.build_dataset`, dry run). Every task must come out gold: prints the counts,
the reject codes (none expected) and how long it took.

    .venv/bin/python benchmarks/invariant.py [--corpus DIR ...] [--model MODEL_DIR]

With --model the predictions are the learned stage's (`annotate convert --model`): the
invariant binds every code that makes predictions.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from annotate.accept import accepted_export  # noqa: E402
from annotate.convert import expand_inputs, iter_tasks  # noqa: E402
from annotate.pull import build_dataset, export_items  # noqa: E402
from annotate.validate import check_prediction_task  # noqa: E402

DEFAULT = [ROOT / "seeds", ROOT.parent / "shared" / "corpora" / "polnear-train" / "text"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", nargs="*", type=Path, default=DEFAULT)
    parser.add_argument("--model", type=Path, help="a model directory from `annotate train`")
    args = parser.parse_args()
    missing = [c for c in args.corpus if not c.exists()]
    if missing:
        print(f"missing: {', '.join(map(str, missing))}", file=sys.stderr)
        return 2
    model = None
    if args.model:
        from annotate.learn import load_model

        model = load_model(args.model)
        print(f"model {model.version}")
    t0 = time.perf_counter()
    tasks = list(iter_tasks(expand_inputs([str(c) for c in args.corpus]), warn=lambda _m: None, model=model))
    convert_s = time.perf_counter() - t0
    flagged = sum(1 for t in tasks if check_prediction_task(t))
    t0 = time.perf_counter()
    summary = build_dataset(export_items(accepted_export(tasks)), None, source={}, dry_run=True)
    pull_s = time.perf_counter() - t0
    c = summary.counts
    print(f"articles {len(tasks)}: gold {c.gold}, rejected {c.rejected} "
          f"(reject codes: {dict(c.rejected_by_code) or 'none'}); predictions the checker flags: {flagged}")
    print(f"quotes: {dict(c.quotes)}; convert {convert_s:.1f} s, accept + pull {pull_s:.1f} s")
    return 0 if c.rejected == 0 and flagged == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
