"""Equivalence check of the quote stage: every field of every quote, before and after a change.

Runs `find_quotes` on a fixed set of texts and writes (--write) or compares (--check) the sha256
of each text's quotes (JSON, sort_keys). The texts: the polnear-train articles and the seeds
(cleaned as `annotate convert` cleans them), stance-dev's texts when that folder has any, the
adversarial generators at a few sizes and seeds (raw and cleaned), and slices of the corpus
joined into one long line (one paragraph: the window-cutting paths).

    .venv/bin/python benchmarks/quote_equivalence.py --write /tmp/quotes_baseline.json
    .venv/bin/python benchmarks/quote_equivalence.py --check /tmp/quotes_baseline.json

--check exits 1 and names the texts whose quotes differ; with --dump, --write also keeps the
quotes themselves next to the baseline (BASELINE.full.json) so that --check can show the first
differing quote. Add --time to print find_quotes' CPU seconds (median of --runs) on the corpus.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from annotate.converters.adversarial import GENERATORS  # noqa: E402
from annotate.converters.clean import clean_text  # noqa: E402
from annotate.converters.quotes import find_quotes  # noqa: E402

CORPORA = ROOT.parent / "shared" / "corpora"
ADVERSARIAL_SIZES = (2_000, 20_000, 120_000)
ADVERSARIAL_SEEDS = (7, 11)


def _clean(raw: str) -> str:
    return clean_text(raw)["text"]


def corpus_texts() -> dict[str, str]:
    """The 840 tuning articles, cleaned (the CPU timing runs over these)."""
    return {f"polnear/{f.name}": _clean(f.read_text(encoding="utf-8"))
            for f in sorted((CORPORA / "polnear-train" / "text").glob("*.txt"))}


def texts() -> dict[str, str]:
    out = corpus_texts()
    for f in sorted((ROOT / "seeds").glob("*.txt")):
        out[f"seeds/{f.name}"] = _clean(f.read_text(encoding="utf-8"))
    for f in sorted((CORPORA / "stance-dev" / "text").glob("*.txt")):
        out[f"stance-dev/{f.name}"] = _clean(f.read_text(encoding="utf-8"))
    for kind, make in sorted(GENERATORS.items()):
        for size in ADVERSARIAL_SIZES:
            for seed in ADVERSARIAL_SEEDS:
                raw = make(size, seed=seed)
                out[f"adversarial/{kind}/{size}/{seed}/raw"] = raw
                out[f"adversarial/{kind}/{size}/{seed}/clean"] = _clean(raw)
    corpus = [t for k, t in out.items() if k.startswith("polnear/")]
    for n in (50, 200):  # one paragraph of many articles: the sentence and window cutting paths
        out[f"one-line/{n}"] = " ".join(t.replace("\n", " ") for t in corpus[:n])
    return out


def _json(quotes: list[dict]) -> str:
    return json.dumps(quotes, sort_keys=True, ensure_ascii=False)


def run(all_texts: dict[str, str]) -> dict[str, str]:
    return {k: _json(find_quotes(t)) for k, t in all_texts.items()}


def cpu_seconds(corpus: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.process_time()
        for t in corpus:
            find_quotes(t)
        times.append(time.process_time() - t0)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    mode = ap.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", metavar="BASELINE", type=Path)
    mode.add_argument("--check", metavar="BASELINE", type=Path)
    ap.add_argument("--dump", action="store_true", help="with --write: keep the quotes themselves too")
    ap.add_argument("--time", action="store_true", help="print find_quotes CPU MB/s on the corpus")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args(argv)
    all_texts = texts()
    found = run(all_texts)
    hashes = {k: hashlib.sha256(v.encode()).hexdigest() for k, v in found.items()}
    full = Path(str(args.write or args.check) + ".full.json")
    status = 0
    if args.write:
        args.write.write_text(json.dumps(hashes, indent=0, sort_keys=True))
        if args.dump:
            full.write_text(json.dumps(found))
        print(f"wrote {len(hashes)} hashes to {args.write}")
    else:
        base = json.loads(args.check.read_text())
        differ = sorted(k for k in base.keys() | hashes.keys() if base.get(k) != hashes.get(k))
        saved = json.loads(full.read_text()) if full.exists() else {}
        for k in differ[:20]:
            print(f"DIFFERENT: {k}")
            if k in saved and k in found:
                old, new = json.loads(saved[k]), json.loads(found[k])
                for i, (a, b) in enumerate(zip(old, new, strict=False)):  # lengths may differ
                    if a != b:
                        print(f"  quote {i}: before {a}\n            after  {b}")
                        break
                else:
                    print(f"  {len(old)} quotes before, {len(new)} after")
        print(f"{len(differ)} differences on {len(hashes)} texts")
        status = 1 if differ else 0
    if args.time:
        corpus = [t for k, t in all_texts.items() if k.startswith("polnear/")]
        mb = sum(len(t.encode()) for t in corpus) / 1e6
        s = cpu_seconds(corpus, args.runs)
        print(f"find_quotes: {mb:.2f} MB in {s:.2f} s CPU (median of {args.runs}): {mb / s:.2f} MB/s")
    return status


if __name__ == "__main__":
    sys.exit(main())
