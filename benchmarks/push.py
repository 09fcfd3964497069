"""Push benchmark (SPEC section 9): 10,000 tasks into a local Label Studio in under 60 s.

Starts its own Label Studio (temporary data dir, free port), writes N synthetic tasks (the
converted seeds, varied so every task is distinct and valid) to a JSONL file, then times
`annotate.push.push` on it twice: the first push creates every task, the second skips them all.
Then two pushes of the same file at once into a new title (as from two shells): both import,
and their clean-up must leave each task once in one project. Also times
`annotate.studio.export_tasks` (the full JSON export that `pull` reads) on the first result.

    .venv/bin/python benchmarks/push.py [--tasks 10000] [--batch-size 500]
"""

from __future__ import annotations

import argparse
import copy
import json
import resource
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from annotate.convert import expand_inputs, iter_tasks  # noqa: E402
from annotate.converters.tasks import task_hash  # noqa: E402
from annotate.demo import LabelStudioServer, Login, free_port  # noqa: E402
from annotate.io import sha256_text  # noqa: E402
from annotate.push import push  # noqa: E402
from annotate.studio import connect, export_tasks, iter_task_index  # noqa: E402

TARGET_SECONDS = 60.0


def synthetic_tasks(n: int):
    """n distinct valid tasks: seed texts with a numbered closing line (offsets stay valid)."""
    seeds = list(iter_tasks(expand_inputs([str(ROOT / "seeds")])))
    for i in range(n):
        task = copy.deepcopy(seeds[i % len(seeds)])
        text = task["data"]["text"] + f"\n\n(Synthetic copy {i} for the push benchmark.)"
        task["data"]["text"] = text
        task["data"]["doc_id"] = f"bench_{i:06d}"
        task["meta"]["text_sha256"] = sha256_text(text)
        task["meta"]["task_hash"] = task_hash(text, task["predictions"])
        yield task


def time_concurrent_pushes(url: str, token: str, tasks_file: Path, args) -> bool:
    """Two pushes of the same file into a new title at once; True when each task ends up once."""
    title = "push benchmark (two at once)"
    barrier, stats = threading.Barrier(2), []

    def one():
        barrier.wait()
        stats.append(push(url, token, [str(tasks_file)], title, batch_size=args.batch_size))

    threads = [threading.Thread(target=one) for _ in range(2)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - t0
    client = connect(url, token)
    projects = [p for p in client.projects.list(title=title).items if p.title == title]
    per_hash = Counter(r.task_hash for p in projects for r in iter_task_index(client, p.id))
    ok = (len(projects) == 1 and len(per_hash) == args.tasks and max(per_hash.values()) == 1
          and sum(s.created for s in stats) == args.tasks)
    print(f"{'2 pushes at once (new)':24s} {seconds:6.1f} s  {len(projects)} project(s), "
          f"{sum(per_hash.values())} tasks for {args.tasks}: {'unique' if ok else 'NOT UNIQUE'}")
    for s in stats:
        print(f"{'':33s}{s.summary()}")
    return ok


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--batch-size", type=int, default=500)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="annotate-bench-") as tmp:
        tmp = Path(tmp)
        tasks_file = tmp / "tasks.jsonl"
        with open(tasks_file, "w", encoding="utf-8") as fh:
            for task in synthetic_tasks(args.tasks):
                fh.write(json.dumps(task, ensure_ascii=False) + "\n")
        size_mb = tasks_file.stat().st_size / 1e6
        print(f"{args.tasks} tasks, {size_mb:.1f} MB of JSONL")

        login = Login("bench@example.com", "bench-password", "b" * 40)
        server = LabelStudioServer(tmp / "label-studio", login, "localhost", free_port())
        started = time.monotonic()
        with server.running():
            print(f"Label Studio up in {time.monotonic() - started:.0f} s at {server.url}")
            # Peak memory after pushing a tenth of the file, then after all of it: streaming
            # keeps it flat (only task hashes and doc ids accumulate).
            small = tmp / "small.jsonl"
            with open(tasks_file, encoding="utf-8") as src, open(small, "w", encoding="utf-8") as dst:
                for _, line in zip(range(args.tasks // 10), src, strict=False):
                    dst.write(line)
            push(server.url, login.token, [str(small)], "push benchmark (memory probe)", batch_size=args.batch_size)
            rss_small = peak_rss_mb()
            print(f"peak memory after pushing {args.tasks // 10} tasks: {rss_small:.0f} MB")
            results = []
            for label in ("push (all new)", "re-push (all skipped)"):
                t0 = time.perf_counter()
                stats = push(server.url, login.token, [str(tasks_file)], "push benchmark",
                             batch_size=args.batch_size)
                seconds = time.perf_counter() - t0
                print(f"{label:24s} {seconds:6.1f} s  {args.tasks / seconds:7.0f} tasks/s  {stats.summary()}")
                results.append((label, seconds, stats))
            print(f"peak memory after pushing {args.tasks} tasks: {peak_rss_mb():.0f} MB")
            concurrent_ok = time_concurrent_pushes(server.url, login.token, tasks_file, args)
            # What `pull` starts from: the full JSON export with full prediction objects.
            client = connect(server.url, login.token)
            t0 = time.perf_counter()
            exported = export_tasks(client, results[0][2].project_id)
            seconds = time.perf_counter() - t0
            assert len(exported) == args.tasks and exported[0]["predictions"][0]["model_version"]
            print(f"{'export_tasks (full JSON)':24s} {seconds:6.1f} s  {args.tasks / seconds:7.0f} tasks/s")
        print(f"peak memory after the export too: {peak_rss_mb():.0f} MB (the export is one JSON list)")

    (_, first, first_stats), (_, second, second_stats) = results
    ok = (first < TARGET_SECONDS and first_stats.created == args.tasks
          and second_stats.skipped == args.tasks and second_stats.created == 0 and concurrent_ok)
    print(f"target: {args.tasks} tasks in < {TARGET_SECONDS:.0f} s -> {'OK' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
