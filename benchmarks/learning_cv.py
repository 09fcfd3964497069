"""Benchmark: choose the learned stage's decision thresholds by cross-validation (issue 17).

The training pool of benchmarks/learning_curve.py (the PolNeAR tuning articles that are not in
its dev split: 672 of 840) is cut into 4 folds (sorted by name, article i in fold i % 4). Each
fold's articles are refined by a model trained on the other three (`fit`, seed 0), so every
pool article is scored by a model that never saw it; the dev split is never read. For each
setting of THRESHOLDS the 672 articles' tasks (as `annotate convert --model` writes them, stance
left out: the scorer reads quotes and speakers only) are scored at once by the shared scorer
`attribution_eval.py`. The settings are searched one threshold at a time from the current ones
(each threshold over its grid while the others stay, the best kept, two rounds), by the rule
THRESHOLDS records: the highest overlap F1 among the settings that keep the issue's two floors,
direct-quote recall at or above 0.98 and attribution F1 not below the rules'.

    .venv/bin/python benchmarks/learning_cv.py [--gold DIR] [--rounds 2] [--only add,merge] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from learning_curve import DEFAULT_GOLD, DEFAULT_SCORER, dev_gold, score, training_pool  # noqa: E402

from annotate.converters import CONVERTER_VERSION, MODEL_VERSION, clean  # noqa: E402
from annotate.converters.letters import fold_letters  # noqa: E402
from annotate.converters.quotes import find_quotes  # noqa: E402
from annotate.converters.tasks import build_task  # noqa: E402
from annotate.learn.model import MODEL_FILE, THRESHOLDS, fit, load_model  # noqa: E402

FOLDS = 4
GRID = {
    "merge": (0.4, 0.5, 0.6, 0.7, 0.8),
    "merge_direct": (0.6, 0.7, 0.75, 0.8, 0.85, 0.9),
    "add": (0.4, 0.5, 0.6, 0.7, 0.8),
    "add_marked": (0.3, 0.4, 0.5, 0.6, 1.01),
    "add_topic": (0.3, 0.4, 0.5, 0.6, 0.7, 1.01),
}
MIN_DIRECT_RECALL = 0.98


def key(fig: dict, rules: dict) -> tuple:
    """The selection rule: the issue's two floors first (direct recall >= 0.98, attribution F1
    not below the rules'), then the highest overlap F1."""
    return (fig["direct_recall"] >= MIN_DIRECT_RECALL and fig["attribution_f1"] >= rules["attribution_f1"],
            fig["overlap_f1"])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--gold", type=Path, default=DEFAULT_GOLD)
    ap.add_argument("--scorer", type=Path, default=DEFAULT_SCORER)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--only", help="search only these thresholds (comma-separated names)")
    ap.add_argument("--json", type=Path, help="also write every setting's figures here")
    args = ap.parse_args()
    if not (args.gold / "text").is_dir() or not args.scorer.is_file():
        print(f"need {args.gold}/text and {args.scorer}", file=sys.stderr)
        return 2
    _dev, pool_docs = training_pool(args.gold)
    by_id = {d.doc_id: d for d in pool_docs}
    pool = [d.doc_id for d in pool_docs]
    fold_of = {s: i % FOLDS for i, s in enumerate(pool)}
    raws = [{"raw": (args.gold / "text" / f"{s}.txt").read_text(encoding="utf-8"), "doc_id": s,
             "source_file": f"{s}.txt"} for s in pool]
    cleaned = list(clean(raws))
    for doc in cleaned:
        doc["_work"] = fold_letters(doc["text"])
        doc["_rules"] = find_quotes(doc["_work"])
    print(f"training pool: {len(pool)} articles in {FOLDS} folds; dev split not read", flush=True)
    tried: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        gold = dev_gold(args.gold, pool, tmp / "gold")  # a gold folder of the pool articles only
        models = []
        for k in range(FOLDS):
            mdir = tmp / f"fold-{k}"
            mdir.mkdir()
            t0 = time.perf_counter()
            fit([by_id[s] for s in pool if fold_of[s] != k], mdir / MODEL_FILE, seed=args.seed)
            models.append(load_model(mdir))
            print(f"fold {k}: trained in {time.perf_counter() - t0:.0f} s", flush=True)

        def run(th: dict | None) -> dict:
            name = "rules" if th is None else json.dumps(th, sort_keys=True)
            if name in tried:
                return tried[name]
            out = tmp / "tasks.jsonl"
            with out.open("w", encoding="utf-8") as fh:
                for doc in cleaned:
                    quotes = [dict(q) for q in doc["_rules"]]
                    if th is not None:
                        model = models[fold_of[doc["doc_id"]]]
                        model.thresholds = dict(th)
                        quotes = model.refine(doc["_work"], quotes)
                    base = {k: v for k, v in doc.items() if not k.startswith("_")}
                    task = build_task({**base, "quotes": quotes, "stances": [], "targets": []},
                                      MODEL_VERSION, CONVERTER_VERSION)
                    fh.write(json.dumps(task, ensure_ascii=False) + "\n")
            fig = score(args.scorer, gold, out)
            tried[name] = r = {"overlap_f1": fig["quote_overlap_prf"][2], "exact_f1": fig["quote_exact_prf"][2],
                               "attribution_f1": fig["attribution_prf"][2],
                               "direct_recall": fig["direct_quote_recall"], "pred_quotes": fig["pred_quotes"]}
            print(f"  {name:>70s}  overlap {r['overlap_f1']:.4f}  exact {r['exact_f1']:.4f}  "
                  f"attribution {r['attribution_f1']:.4f}  direct recall {r['direct_recall']:.4f}", flush=True)
            return r

        rules = run(None)
        best = dict(THRESHOLDS)
        run(best)
        for _ in range(args.rounds):
            for name, values in GRID.items():
                if args.only and name not in args.only.split(","):
                    continue
                for v in values:
                    th = dict(best, **{name: v})
                    if key(run(th), rules) > key(run(best), rules):
                        best = th
        print(f"chosen: {json.dumps(best, sort_keys=True)} -> {run(best)}")
        print(f"current THRESHOLDS: {json.dumps(THRESHOLDS, sort_keys=True)} -> {run(dict(THRESHOLDS))}")
    if args.json:
        args.json.write_text(json.dumps(tried, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
