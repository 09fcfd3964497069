"""Scale benchmark (issue 18): N tasks into Label Studio on PostgreSQL, re-push, pull back.

Starts its own PostgreSQL cluster (annotate.postgres.LocalPostgres) and Label Studio on it,
writes N real-sized tasks (the converted seeds, 2-6 KB of text, about 15-20 regions and
relations each, made distinct by a numbered closing line), and measures, in one run:

1. bare SDK import: the same tasks, in the same batch size, straight through
   `projects.import_tasks` (no validation, no dedupe) - the yardstick;
2. `annotate push FILE` (a subprocess): target <= 1.3 x the bare import;
3. the same push again (every task skipped): target < 3 minutes at 100,000;
4. `annotate pull` of a project whose N tasks carry an accepted annotation each (imported with
   their annotations): target < 5 minutes at 100,000 end to end;
and each subprocess's peak RSS (target < 500 MB throughout).

    .venv/bin/python benchmarks/scale.py [--tasks 100000] [--batch-size 1000]

100,000 tasks take a long while on a 2-core machine (several imports of ~0.5 GB of JSON).
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
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from push import synthetic_tasks  # noqa: E402
from speed import _PEAK  # noqa: E402  (the CLI in a child that reports its own peak RSS)

from annotate.demo import LabelStudioServer, Login, free_port  # noqa: E402
from annotate.postgres import LocalPostgres  # noqa: E402
from annotate.studio import connect  # noqa: E402


def run_cli(*args: str, env: dict) -> tuple[float, int, str]:
    """(wall seconds, peak RSS MiB, last stderr line) of `annotate ARGS` in a subprocess."""
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", _PEAK, *args], capture_output=True, text=True,
                          env=env, stdin=subprocess.DEVNULL)
    seconds = time.perf_counter() - t0
    peak = [ln for ln in proc.stderr.splitlines() if ln.startswith("PEAK_KB")]
    lines = [ln for ln in (proc.stdout + proc.stderr).splitlines() if ln.strip() and not ln.startswith("PEAK_KB")]
    if proc.returncode not in (0, 1) or not peak:
        raise SystemExit(f"annotate {args[0]} failed ({proc.returncode}): {proc.stderr[-800:]}")
    return seconds, int(peak[-1].split()[1]) // 1024, (lines[-1] if lines else "")


def bare_import(client, title: str, tasks_file: Path, batch: int, with_annotations: bool = False) -> tuple[int, float]:
    """(project id, seconds) of importing the file with the SDK alone, `batch` tasks a request."""
    from annotate.labeling import labeling_config

    project = client.projects.create(title=title, label_config=labeling_config())
    t0 = time.perf_counter()
    chunk: list[dict] = []
    with open(tasks_file, encoding="utf-8") as fh:
        for line in fh:
            task = json.loads(line)
            if with_annotations:  # the prediction, accepted unchanged
                task["annotations"] = [{"result": task["predictions"][0]["result"], "lead_time": 1.0}]
            chunk.append(task)
            if len(chunk) == batch:
                client.projects.import_tasks(id=project.id, request=chunk)
                chunk = []
    if chunk:
        client.projects.import_tasks(id=project.id, request=chunk)
    return project.id, time.perf_counter() - t0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--batch-size", type=int, default=1000)
    args = parser.parse_args()
    n = args.tasks

    with tempfile.TemporaryDirectory(prefix="annotate-scale-") as tmp:
        tmp = Path(tmp)
        tasks_file = tmp / "tasks.jsonl"
        with open(tasks_file, "w", encoding="utf-8") as fh:
            for task in synthetic_tasks(n):
                fh.write(json.dumps(task, ensure_ascii=False) + "\n")
        print(f"{n} tasks, {tasks_file.stat().st_size / 1e6:.0f} MB of JSONL")

        cluster = LocalPostgres(tmp / "label-studio")
        with cluster.running() as database:
            login = Login("scale@example.com", "scale-password", "c" * 40)
            server = LabelStudioServer(tmp / "label-studio", login, "localhost", free_port(),
                                       env=database.label_studio_env())
            started = time.monotonic()
            with server.running():
                print(f"Label Studio on PostgreSQL up in {time.monotonic() - started:.0f} s at {server.url}")
                client = connect(server.url, login.token)
                env = {"PATH": "/usr/bin:/bin", "LABEL_STUDIO_URL": server.url, "LABEL_STUDIO_API_KEY": login.token,
                       "PYTHONPATH": str(ROOT / "src")}

                _, bare = bare_import(client, "scale: bare SDK import", tasks_file, args.batch_size)
                print(f"{'bare SDK import':24s} {bare:7.1f} s  {n / bare:6.0f} tasks/s")
                push_s, push_mb, summary = run_cli("push", str(tasks_file), "--project", "scale: annotate push",
                                                   "--batch-size", str(args.batch_size), env=env)
                print(f"{'annotate push':24s} {push_s:7.1f} s  {n / push_s:6.0f} tasks/s  peak {push_mb} MB  "
                      f"ratio {push_s / bare:.2f} x bare (target <= 1.3)  {summary}")
                again_s, again_mb, summary = run_cli("push", str(tasks_file), "--project", "scale: annotate push",
                                                     "--batch-size", str(args.batch_size), env=env)
                print(f"{'re-push (all skipped)':24s} {again_s:7.1f} s  peak {again_mb} MB  "
                      f"(target < 180 s at 100,000)  {summary}")

                annotated, seconds = bare_import(client, "scale: annotated", tasks_file, args.batch_size,
                                                 with_annotations=True)
                print(f"{'import with annotations':24s} {seconds:7.1f} s")
                pull_s, pull_mb, summary = run_cli("pull", "--project", str(annotated), "-o", str(tmp / "gold"),
                                                   env=env)
                records = sum(1 for _ in open(tmp / "gold" / "gold.jsonl", encoding="utf-8"))
                print(f"{'annotate pull':24s} {pull_s:7.1f} s  {n / pull_s:6.0f} tasks/s  peak {pull_mb} MB  "
                      f"{records} gold records (target < 300 s at 100,000)  {summary}")
        peak = max(push_mb, again_mb, pull_mb)
        ok = push_s <= 1.3 * bare and peak < 500 and records == n
        print(f"peak RSS of annotate: {peak} MB (target < 500); {'OK' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
