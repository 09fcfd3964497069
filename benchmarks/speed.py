"""Benchmark: convert throughput on one core and peak memory as the input grows (SPEC 9).

1. Throughput: cleans and pre-annotates every GOLD/text/*.txt in this process (one core) and
   serialises each task to JSON, as `annotate convert` does; prints MB of article text per
   second of CPU time and of wall time (target: >= 1 MB/s), the median of three passes.
2. Memory: runs `annotate convert` in a fresh subprocess on the corpus (1x) and on a
   temporary directory holding every file ten times (10x), and prints each run's peak
   resident memory (ru_maxrss). Streaming means the 10x figure stays close to the 1x one.
3. Parallel convert: `annotate convert --jobs 1` against `--jobs N` (default: every core) on a
   directory of at least 20 MB of articles (the corpus copied as often as needed): wall seconds
   and the speed-up (target: >= 1.7x on 2 cores), and that both outputs are byte-identical.
4. One long line (issue 17, item 6): the corpus joined with spaces into a single line of 4 MB (no
   line breaks: one paragraph) converts at the same MB/s as the paragraphed corpus, within 1.5x;
   prints both MB/s (CPU) and the ratio of seconds per MB.
5. Adversarial texts (annotate.converters.adversarial: one line of cue words without
   punctuation, runs of quote marks, thousands of commas or names, ...): CPU seconds and MB/s
   at sizes n, 2n, 4n (default 0.1, 0.2, 0.4 MB) and the ratio t(4n)/t(n), which must stay near
   4 (at most 6): convert is linear in the length of any text (issue 15).

    .venv/bin/python benchmarks/speed.py [--text DIR] [--copies 10] [--runs 3]
                                         [--adversarial MB,MB,MB | --adversarial none] [--only-adversarial]
                                         [--jobs N] [--jobs-mb 20] [--single-line 4]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from annotate.convert import document_lines  # noqa: E402
from annotate.converters import convert_text  # noqa: E402
from annotate.converters.adversarial import GENERATORS  # noqa: E402
from annotate.io import dumps  # noqa: E402

sys.path.insert(0, str(ROOT / "benchmarks"))
from pull import PEAK  # noqa: E402  (the child's own VmHWM, not ru_maxrss: that counts the forking parent)

DEFAULT_TEXT = ROOT.parent / "shared" / "corpora" / "polnear-train" / "text"
TARGET_MB_S = 1.0
# Runs the CLI in a child and reports the child's own peak RSS (KiB on Linux) on stderr.


def throughput(files: list[Path]) -> dict:
    """Convert the files in-process; MB/s over CPU and wall time."""
    docs = [{"raw": f.read_text(encoding="utf-8"), "doc_id": f.stem, "source_file": str(f)} for f in files]
    nbytes = sum(len(d["raw"].encode("utf-8")) for d in docs)
    cpu0, wall0 = time.process_time(), time.perf_counter()
    out = 0
    for parts, _counts in document_lines(docs):  # the lines `annotate convert` writes
        out += sum(len(p) for p in parts or ())
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    return {"docs": len(docs), "mb": nbytes / 1e6, "cpu_s": cpu, "wall_s": wall,
            "mb_s_cpu": nbytes / 1e6 / cpu, "mb_s_wall": nbytes / 1e6 / wall}


def peak_memory(inputs: list[str], out: Path, jobs: int = 1) -> tuple[int, float]:
    """Peak RSS (MiB) of the parent and wall seconds of one `annotate convert INPUTS -o OUT
    --jobs JOBS` in a subprocess."""
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", PEAK, "convert", *inputs, "-o", str(out), "--jobs", str(jobs)],
                          capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    peak = [ln for ln in proc.stderr.splitlines() if ln.startswith("PEAK_KB")]
    if proc.returncode != 0 or not peak:
        raise SystemExit(f"convert failed ({proc.returncode}): {proc.stderr[-500:]}")
    return int(peak[-1].split()[1]) // 1024, seconds


def parallel(files: list[Path], jobs: int, min_mb: float) -> str:
    """`convert --jobs 1` against `--jobs JOBS` on >= min_mb MB of articles: seconds, speed-up, same bytes."""
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        corpus.mkdir()
        size, copy = 0, 0
        while size < min_mb * 1e6:
            for f in files:
                shutil.copyfile(f, corpus / f"{f.stem}__{copy}.txt")
                size += f.stat().st_size
            copy += 1
        _, one = peak_memory([str(corpus)], Path(tmp) / "one.jsonl", jobs=1)
        _, many = peak_memory([str(corpus)], Path(tmp) / "many.jsonl", jobs=jobs)
        same = (Path(tmp) / "one.jsonl").read_bytes() == (Path(tmp) / "many.jsonl").read_bytes()
    return (f"parallel convert: {size / 1e6:.1f} MB, --jobs 1 {one:.1f} s, --jobs {jobs} {many:.1f} s"
            f" -> speed-up {one / many:.2f}x (target >= 1.7x on 2 cores), output {'identical' if same else 'DIFFERENT'}")


def single_line(files: list[Path], mb: float, paragraphed_mb_s: float) -> str:
    """Convert the corpus joined into one line of `mb` MB (repeated if shorter) and compare its
    MB/s (CPU) with the paragraphed corpus's: the ratio of seconds per MB must stay <= 1.5."""
    joined = " ".join(" ".join(f.read_text(encoding="utf-8").split()) for f in files)
    line = joined
    while len(line.encode("utf-8")) < mb * 1e6:
        line += " " + joined
    line = line.encode("utf-8")[: int(mb * 1e6)].decode("utf-8", "ignore").rsplit(" ", 1)[0]
    nbytes = len(line.encode("utf-8"))
    t0 = time.process_time()
    dumps(convert_text(line))
    cpu = time.process_time() - t0
    mb_s = nbytes / 1e6 / cpu
    ratio = paragraphed_mb_s / mb_s
    return (f"single line: {nbytes / 1e6:.2f} MB in one line, {cpu:.2f} s CPU -> {mb_s:.2f} MB/s; paragraphed"
            f" {paragraphed_mb_s:.2f} MB/s -> ratio {ratio:.2f} (target <= 1.5) {'met' if ratio <= 1.5 else 'NOT met'}")


def adversarial(sizes_mb: list[float]) -> list[str]:
    """One line per adversarial text: CPU seconds and MB/s at each size, and t(last)/t(first)."""
    lines = [f"{'adversarial text':14s} " + " ".join(f"{mb:>5g} MB: s / MB/s " for mb in sizes_mb)
             + f" t({sizes_mb[-1]:g})/t({sizes_mb[0]:g})"]
    for kind, make in GENERATORS.items():
        cells, secs = [], []
        for mb in sizes_mb:
            text = make(int(mb * 1e6), seed=7)
            t0 = time.process_time()
            convert_text(text)
            cpu = time.process_time() - t0
            secs.append(cpu)
            cells.append(f"{cpu:7.2f} / {len(text.encode('utf-8')) / 1e6 / max(cpu, 1e-9):6.2f}")
        lines.append(f"{kind:14s} " + " ".join(f"{c:>21s}" for c in cells) + f"  {secs[-1] / max(secs[0], 1e-9):6.2f}")
    return lines


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--text", type=Path, default=DEFAULT_TEXT, help="a directory of .txt articles")
    ap.add_argument("--copies", type=int, default=10)
    ap.add_argument("--runs", type=int, default=3, help="passes over the corpus; the median is reported")
    ap.add_argument("--adversarial", default="0.1,0.2,0.4",
                    help="sizes in MB for the adversarial texts, comma-separated, or 'none'")
    ap.add_argument("--only-adversarial", action="store_true", help="skip the corpus throughput and memory runs")
    ap.add_argument("--jobs", type=int, default=None, help="processes for the parallel run [default: every core]")
    ap.add_argument("--jobs-mb", type=float, default=20.0, help="MB of articles for the parallel run (0: skip it)")
    ap.add_argument("--single-line", type=float, default=4.0,
                    help="MB of the corpus joined into one line, against the paragraphed corpus (0: skip it)")
    args = ap.parse_args()
    sizes = [] if args.adversarial == "none" else [float(x) for x in args.adversarial.split(",")]
    if args.only_adversarial:
        print("\n".join(adversarial(sizes or [0.1, 0.2, 0.4])))
        return 0
    files = sorted(args.text.glob("*.txt"))
    if not files:
        print(f"no .txt files in {args.text}", file=sys.stderr)
        return 2
    # A shared machine is noisy: the median of several passes is the figure, min-max beside it.
    runs = sorted((throughput(files) for _ in range(max(1, args.runs))), key=lambda r: r["cpu_s"])
    t = runs[len(runs) // 2]
    spread = f"{runs[-1]['mb_s_cpu']:.2f}-{runs[0]['mb_s_cpu']:.2f}"
    print(f"throughput (median of {len(runs)}): {t['docs']} docs, {t['mb']:.2f} MB in {t['cpu_s']:.2f} s CPU /"
          f" {t['wall_s']:.2f} s wall -> {t['mb_s_cpu']:.2f} MB/s CPU (runs {spread}), {t['mb_s_wall']:.2f} MB/s wall"
          f" (target >= {TARGET_MB_S} MB/s) {'met' if t['mb_s_cpu'] >= TARGET_MB_S else 'NOT met'}")
    if args.single_line > 0:
        print(single_line(files, args.single_line, t["mb_s_cpu"]))
    with tempfile.TemporaryDirectory() as tmp:
        big = Path(tmp) / "x10"
        big.mkdir()
        for i in range(args.copies):
            for f in files:
                shutil.copyfile(f, big / f"{f.stem}__{i}.txt")
        rss1, s1 = peak_memory([str(args.text)], Path(tmp) / "x1.jsonl")
        rssn, sn = peak_memory([str(big)], Path(tmp) / "xn.jsonl")
    print(f"peak memory: 1x {rss1} MiB ({s1:.1f} s), {args.copies}x {rssn} MiB ({sn:.1f} s)"
          f" -> ratio {rssn / rss1:.2f} (flat if close to 1)")
    if args.jobs_mb > 0:
        from annotate.convert import default_jobs

        print(parallel(files, args.jobs or default_jobs(), args.jobs_mb))
    if sizes:
        print("\n".join(adversarial(sizes)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
