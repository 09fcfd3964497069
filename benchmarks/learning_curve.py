"""Benchmark: the learned quote stage's learning curve on the PolNeAR tuning corpus (issue 17).

Dev split (fixed, never trained on): the documents of the tuning corpus sorted by name, every
5th one (index 0, 5, 10, ...: 168 of 840). The other 672, in sorted-name order, are the training
pool: a model is trained on the first 25, 50, 100, 200, 400 and all 672 of them (--seed 0, the
same parameters as `annotate train`). Each model converts the dev articles the way `annotate
convert --model` does (cleaning included), and the shared scorer `attribution_eval.py` scores
the tasks against a gold folder holding just the dev articles; the rules-only line is the same
conversion without a model. Prints a table (overlap / exact / attribution F1, direct-quote
recall, train time, model size, convert MB/s on one core), writes it as markdown to
docs/learning_curve.md and plots docs/learning_curve.png when matplotlib is installed.

    .venv/bin/python benchmarks/learning_curve.py [--sizes 25,50,...] [--png FILE] [--md FILE] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from annotate.converters import convert_documents  # noqa: E402
from annotate.learn.data import read_sources  # noqa: E402
from annotate.learn.model import MODEL_FILE, fit, load_model  # noqa: E402

SHARED = ROOT.parent / "shared"
DEFAULT_GOLD = SHARED / "corpora" / "polnear-train"
DEFAULT_SCORER = SHARED / "tools" / "attribution_eval.py"
SIZES = (25, 50, 100, 200, 400, 0)  # 0: the whole training pool
TARGETS = {"overlap": 0.04, "exact": 0.10}


def split(gold: Path) -> tuple[list[str], list[str]]:
    """(dev stems, training pool stems): sorted by name, every 5th document is dev."""
    stems = sorted({p.stem.rsplit("_", 1)[0] for p in (gold / "attributions").glob("*.ann")
                    if (gold / "text" / (p.stem.rsplit("_", 1)[0] + ".txt")).is_file()})
    return stems[::5], [s for i, s in enumerate(stems) if i % 5]


def training_pool(gold: Path) -> tuple[list[str], list]:
    """(dev stems, the training pool's documents in sorted-name order) of a brat corpus (split)."""
    dev, pool = split(gold)
    docs, _ = read_sources([str(gold)])
    by_id = {d.doc_id: d for d in docs}
    return dev, [by_id[s] for s in pool if s in by_id]


def dev_gold(gold: Path, dev: list[str], where: Path) -> Path:
    """A gold folder with only the dev documents (links), for the scorer."""
    (where / "text").mkdir(parents=True)
    (where / "attributions").mkdir()
    keep = set(dev)
    for p in (gold / "text").glob("*.txt"):
        if p.stem in keep:
            os.symlink(p.resolve(), where / "text" / p.name)
    for p in (gold / "attributions").glob("*.ann"):
        if p.stem.rsplit("_", 1)[0] in keep:
            os.symlink(p.resolve(), where / "attributions" / p.name)
    return where


def convert_dev(gold: Path, dev: list[str], out: Path, model=None) -> tuple[float, int]:
    """Write the dev tasks (as `annotate convert [--model]` would); (CPU seconds, text bytes)."""
    raws = [(s, (gold / "text" / f"{s}.txt").read_text(encoding="utf-8")) for s in dev]
    docs = ({"raw": raw, "doc_id": s, "source_file": f"{s}.txt"} for s, raw in raws)
    next(convert_documents([{"raw": raws[0][1], "doc_id": "warm-up", "source_file": ""}], model=model))
    t0 = time.process_time()  # after a warm-up article: lexicons and regexes are loaded
    lines = [json.dumps(t, ensure_ascii=False) for t in convert_documents(docs, model=model)]
    cpu = time.process_time() - t0
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return cpu, sum(len(r.encode("utf-8")) for _, r in raws)


def score(scorer: Path, gold: Path, tasks: Path) -> dict:
    out = subprocess.run([sys.executable, str(scorer), str(gold), str(tasks)], check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out)


def row(name: str, fig: dict, extra: dict) -> dict:
    return {"train_docs": name, "overlap_f1": fig["quote_overlap_prf"][2], "exact_f1": fig["quote_exact_prf"][2],
            "attribution_f1": fig["attribution_prf"][2], "direct_recall": fig["direct_quote_recall"],
            "overlap_p": fig["quote_overlap_prf"][0], "overlap_r": fig["quote_overlap_prf"][1],
            "pred_quotes": fig["pred_quotes"], **extra}


def table(rows: list[dict]) -> str:
    head = (f"{'train docs':>10s} {'overlap F1':>10s} {'(P / R)':>13s} {'exact F1':>9s} {'attrib F1':>9s} "
            f"{'direct R':>8s} {'quotes':>6s} {'train s':>7s} {'model MB':>8s} {'MB/s':>5s}")
    lines = [head]
    for r in rows:
        lines.append(f"{r['train_docs']:>10} {r['overlap_f1']:10.4f} {r['overlap_p']:6.3f}/{r['overlap_r']:.3f} "
                     f"{r['exact_f1']:9.4f} {r['attribution_f1']:9.4f} {r['direct_recall']:8.4f} "
                     f"{r['pred_quotes']:6d} {r.get('train_s', ''):>7} {r.get('model_mb', ''):>8} {r['mb_per_s']:5.2f}")
    return "\n".join(lines)


def markdown(rows: list[dict], dev: int, pool: int) -> str:
    """The table as markdown, with how it was made."""
    lines = [
        "# Learned quote stage: learning curve",
        "",
        f"Made by `benchmarks/learning_curve.py`. Dev split: every 5th PolNeAR tuning article by sorted "
        f"name ({dev} articles), never trained on; each model is trained on the first N of the other "
        f"{pool} (sorted by name, seed 0) and converts the dev articles as `annotate convert --model` does; "
        "the shared scorer `attribution_eval.py` scores the tasks. `rules` is the same conversion without "
        "a model. The model's decision thresholds (`THRESHOLDS` in src/annotate/learn/model.py) and features were "
        "chosen on the training pool alone (4-fold cross-validation inside the 672: the highest overlap F1 "
        "whose direct-quote recall stays at or above 0.98; see THRESHOLDS for merge_direct), and so was the rule that two direct quotes are "
        "never merged when a word leads into the second (`runs_into`); never on the dev split. "
        "MB/s: article text converted per CPU second on one core (cleaning, rules, model, stance, "
        "JSON), on a shared 2-core machine.",
        "",
        "| train articles | overlap F1 (P / R) | exact F1 | attribution F1 | direct recall | quotes | train s | model MB | convert MB/s |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(f"| {r['train_docs']} | {r['overlap_f1']:.4f} ({r['overlap_p']:.3f} / {r['overlap_r']:.3f}) | "
                     f"{r['exact_f1']:.4f} | {r['attribution_f1']:.4f} | {r['direct_recall']:.4f} | "
                     f"{r['pred_quotes']} | {r.get('train_s', '')} | {r.get('model_mb', '')} | {r['mb_per_s']:.2f} |")
    rules, best = rows[0], rows[-1]
    lines += ["", f"All {best['train_docs']} vs rules: overlap F1 {best['overlap_f1'] - rules['overlap_f1']:+.4f} "
              f"(target +{TARGETS['overlap']}), exact F1 {best['exact_f1'] - rules['exact_f1']:+.4f} "
              f"(target +{TARGETS['exact']}), attribution F1 {best['attribution_f1'] - rules['attribution_f1']:+.4f} "
              f"(target >= 0), direct recall {best['direct_recall']:.4f} (target >= 0.98).", "",
              "![learning curve](learning_curve.png)", ""]
    return "\n".join(lines)


def plot(rows: list[dict], path: Path) -> str:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return "matplotlib is not installed: no PNG (pip install matplotlib to get one)"
    rules = rows[0]
    learned = rows[1:]
    xs = [r["n"] for r in learned]
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for key, label, color in (("overlap_f1", "overlap F1", "tab:blue"), ("exact_f1", "exact F1", "tab:orange"),
                              ("attribution_f1", "attribution F1", "tab:green")):
        ax.plot(xs, [r[key] for r in learned], marker="o", color=color, label=f"learned: {label}")
        ax.axhline(rules[key], color=color, linestyle="--", linewidth=1, label=f"rules only: {label}")
    ax.set_xscale("log")
    ax.minorticks_off()
    ax.set_xticks(xs)
    ax.set_xticklabels([str(x) for x in xs])
    ax.set_xlabel("training articles (PolNeAR tuning corpus; dev split: every 5th article, held out)")
    ax.set_ylabel("F1 on the dev split")
    ax.set_title("Learned quote stage (CRFsuite edits of the rule quotes) vs rules only")
    low = min(min(r[k] for r in rows) for k in ("overlap_f1", "exact_f1", "attribution_f1"))
    ax.set_ylim(bottom=max(0.0, low - 0.12))  # room for the legend below the lines
    ax.legend(fontsize=7, loc="lower right", ncol=2)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    return f"plot -> {path}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--gold", type=Path, default=DEFAULT_GOLD)
    ap.add_argument("--scorer", type=Path, default=DEFAULT_SCORER)
    ap.add_argument("--sizes", default=",".join(map(str, SIZES)),
                    help="training set sizes, comma-separated; 0 = the whole pool")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--png", type=Path, default=ROOT / "docs" / "learning_curve.png")
    ap.add_argument("--md", type=Path, default=ROOT / "docs" / "learning_curve.md")
    ap.add_argument("--json", type=Path, help="also write the rows as JSON here")
    args = ap.parse_args()
    if not (args.gold / "text").is_dir() or not args.scorer.is_file():
        print(f"need {args.gold}/text and {args.scorer}", file=sys.stderr)
        return 2
    dev, pool_docs = training_pool(args.gold)
    print(f"dev: {len(dev)} articles (every 5th by sorted name); training pool: {len(pool_docs)}", flush=True)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        gold = dev_gold(args.gold, dev, tmp / "gold")
        cpu, size = convert_dev(args.gold, dev, tmp / "rules.jsonl")
        rows.append(row("rules", score(args.scorer, gold, tmp / "rules.jsonl"),
                        {"n": 0, "mb_per_s": size / 1e6 / cpu}))
        print(table(rows), flush=True)
        for n in [int(x) for x in args.sizes.split(",") if x.strip()]:
            n = n or len(pool_docs)
            mdir = tmp / f"model-{n}"
            mdir.mkdir()
            t0 = time.perf_counter()
            fit(pool_docs[:n], mdir / MODEL_FILE, seed=args.seed)
            train_s = time.perf_counter() - t0
            model = load_model(mdir)
            cpu, size = convert_dev(args.gold, dev, tmp / f"learned-{n}.jsonl", model=model)
            rows.append(row(str(n), score(args.scorer, gold, tmp / f"learned-{n}.jsonl"),
                            {"n": n, "mb_per_s": size / 1e6 / cpu, "train_s": f"{train_s:.0f}",
                             "model_mb": f"{(mdir / MODEL_FILE).stat().st_size / 1e6:.1f}"}))
            print(table(rows[-1:]).splitlines()[-1], flush=True)
    print()
    print(table(rows))
    rules, best = rows[0], rows[-1]
    print(f"\nlast row vs rules: overlap F1 {best['overlap_f1'] - rules['overlap_f1']:+.4f} "
          f"(target +{TARGETS['overlap']}), exact F1 {best['exact_f1'] - rules['exact_f1']:+.4f} "
          f"(target +{TARGETS['exact']}), attribution F1 {best['attribution_f1'] - rules['attribution_f1']:+.4f} "
          f"(target >= 0), direct recall {best['direct_recall']:.4f} (target >= 0.98)")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1) + "\n", encoding="utf-8")
    if len(rows) > 1 and args.md:
        args.md.write_text(markdown(rows, len(dev), len(pool_docs)), encoding="utf-8")
        print(f"table -> {args.md}")
    if len(rows) > 1:
        print(plot(rows, args.png))
    return 0


if __name__ == "__main__":
    sys.exit(main())
