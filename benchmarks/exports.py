"""Benchmark: export N gold records (default 10,000) to spaCy + Hugging Face + BIO (target < 60 s).

A child process builds the dataset first, as `annotate pull` would write it: the converter's
predictions on the seed articles taken as submitted annotations, each record a distinct
document (a numbered line appended to the text), turned into gold records by
annotate.gold.build_record and written by annotate.dataset.DatasetWriter (train/dev/test).
This process then times `export_dataset(DIR, "spacy,hf,bio", OUT)` — validation included —
and prints the figure and its own peak memory (the dataset building is not in it).

    .venv/bin/python benchmarks/exports.py [-n 10000] [--formats spacy,hf,bio] [--keep DIR]
"""

from __future__ import annotations

import argparse
import copy
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from annotate import convert_text  # noqa: E402
from annotate.dataset import DatasetWriter  # noqa: E402
from annotate.gold import build_record, sha256_text  # noqa: E402

TARGET_SECONDS = 60.0


def seed_tasks() -> list[dict]:
    """The seed articles as annotated Label Studio tasks (the predictions submitted as is)."""
    tasks = []
    for n, path in enumerate(sorted((ROOT / "seeds").glob("*.txt")), 1):
        task = convert_text(path.read_text(encoding="utf-8"), doc_id=path.stem)
        result = task["predictions"][0]["result"]
        said = {r["from_id"] for r in result if r["type"] == "relation" and "said_by" in r["labels"]}
        result = result + [{"id": r["id"], "from_name": "attribution", "to_name": "text", "type": "choices",
                            "value": {"choices": ["unattributed"]}}
                           for r in result if r["type"] == "labels" and r["value"]["labels"] == ["Quote"]
                           and r["id"] not in said]
        annotation = {"id": n, "result": result, "completed_by": {"id": 1, "email": "bench@example.com"},
                      "created_at": "2026-11-25T10:00:00Z", "updated_at": "2026-11-25T10:01:00Z",
                      "lead_time": 30.0}
        tasks.append({**task, "id": n, "project": 1, "annotations": [annotation]})
    return tasks


def build_dataset(n: int, out: Path) -> None:
    """n distinct gold records in a dataset directory."""
    base = [build_record(t, t["annotations"][0]) for t in seed_tasks()]
    with DatasetWriter(out) as writer:
        for i in range(n):
            record = copy.deepcopy(base[i % len(base)])
            record["text"] += f"\n\n[benchmark copy {i}]"
            record["text_sha256"] = sha256_text(record["text"])
            record["id"] = f"bench_{i:06d}"
            writer.add_gold(record)
        writer.commit({"file": "benchmark"}, created_at="2026-11-25T00:00:00+00:00")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=10_000, help="gold records (default 10,000)")
    parser.add_argument("--formats", default="spacy,hf,bio", help="formats to time (default spacy,hf,bio)")
    parser.add_argument("--keep", type=Path, help="keep the dataset and exports in this directory")
    parser.add_argument("--build-only", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build_only:
        build_dataset(args.n, args.build_only)
        return 0

    from annotate.exports import export_dataset

    work = args.keep or Path(tempfile.mkdtemp(prefix="annotate-bench-exports-"))
    dataset, out = work / "dataset", work / "exports"
    print(f"building {args.n:,} gold records in {dataset} ...", file=sys.stderr)
    subprocess.run([sys.executable, __file__, "-n", str(args.n), "--build-only", str(dataset)], check=True)
    size = sum(p.stat().st_size for p in (dataset / "splits").iterdir())

    started, cpu_started = time.perf_counter(), time.process_time()
    report = export_dataset(dataset, args.formats, out)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print(report.table())
    verdict = "ok" if elapsed < TARGET_SECONDS else "TOO SLOW"
    print(f"export {args.formats}: {sum(report.splits.values()):,} records ({size / 1e6:.1f} MB of JSONL, "
          f"splits {report.splits}) in {elapsed:.1f} s = {sum(report.splits.values()) / elapsed:,.0f} records/s "
          f"(target < {TARGET_SECONDS:.0f} s: {verdict}); CPU {cpu:.1f} s; peak memory {peak_mb:,.0f} MB")
    if cpu < 0.8 * elapsed:
        print(f"note: the process had the CPU {cpu / elapsed:.0%} of the time (a busy machine): "
              "the CPU figure is what it costs", file=sys.stderr)
    if not args.keep:
        import shutil

        shutil.rmtree(work, ignore_errors=True)
    return 0 if elapsed < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
