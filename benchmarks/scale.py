"""Scale benchmark (issue 18): N tasks into Label Studio on PostgreSQL, re-push, pull back.

Starts its own PostgreSQL cluster (annotate.postgres.LocalPostgres) and Label Studio on it,
writes N real-sized tasks (the converted seeds, 2-6 KB of text, about 15-20 regions and
relations each, made distinct by a numbered closing line), and measures, in one run:

1. bare SDK import: the same tasks, in the same batch size, straight through
   `projects.import_tasks` (no validation, no dedupe) - the yardstick;
2. `annotate push FILE` (a subprocess): target <= 1.3 x the bare import;
3. the same push again (every task skipped): target < 3 minutes at 100,000;
4. `annotate pull` of a project whose N tasks carry an accepted annotation each (imported with
   their annotations): target < 5 minutes at 100,000 end to end, with the part of it that is
   Label Studio building the export snapshot (pull waits for it as long as
   studio.export_timeout allows: 10 minutes + 0.05 s a task and an annotation);
and each subprocess's peak RSS (target < 500 MB throughout), its CPU seconds (the client's own
work, which the machine's load does not inflate much: the bare import's in this process) and
the load average around each step.

Peak RSS is the child's own VmHWM, read from /proc/self/status as it exits: `ru_maxrss` (and
`os.wait4`'s) also counts the pages of the parent it was forked from, so a child of a parent
that holds 400 MB reports at least 400 MB.

    .venv/bin/python benchmarks/scale.py [--tasks 100000] [--batch-size 1000]

100,000 tasks take hours on a 2-core machine (several imports of ~2.4 GB of JSON): progress
lines every --every tasks say how far each import is. Each step also prints Label Studio's
CPU seconds (its process's own, from /proc): the import is bound by that one process (Django's
threaded development server, one core at most), so server CPU per task is what projects a
larger run on a quieter machine.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from pull import PEAK  # noqa: E402  (the CLI in a child that reports its own VmHWM)
from push import synthetic_tasks  # noqa: E402

from annotate.demo import LabelStudioServer, Login, free_port  # noqa: E402
from annotate.postgres import LocalPostgres  # noqa: E402
from annotate.studio import connect  # noqa: E402

# The SDK's 60 s default is too short for 1,000 real-sized tasks on a loaded machine; push
# waits LONG_TIMEOUT (600 s) for an import, so the yardstick does too (and is not retried).
SLOW = {"timeout": 600, "max_retries": 0}


def load() -> str:
    """The 1-minute load average (2 cores: above 2 means processes waited for a core)."""
    return f"load {os.getloadavg()[0]:.1f}"


def cpu_seconds(who) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) a process has used so far: Label Studio's own work, which the
    machine's load does not inflate (its wall time is waiting for a core as well)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_cli(*args: str, env: dict) -> tuple[float, int, str, float]:
    """(wall seconds, peak RSS MiB, last stderr line, CPU seconds) of `annotate ARGS` in a subprocess;
    its output lines are kept in OUTPUT."""
    t0, c0 = time.perf_counter(), cpu_seconds(resource.RUSAGE_CHILDREN)
    proc = subprocess.run([sys.executable, "-c", PEAK, *args], capture_output=True, text=True,
                          env=env, stdin=subprocess.DEVNULL)
    seconds, cpu = time.perf_counter() - t0, cpu_seconds(resource.RUSAGE_CHILDREN) - c0
    peak = [ln for ln in proc.stderr.splitlines() if ln.startswith("PEAK_KB")]
    lines = [ln for ln in (proc.stdout + proc.stderr).splitlines() if ln.strip() and not ln.startswith("PEAK_KB")]
    OUTPUT[:] = lines
    if proc.returncode not in (0, 1) or not peak:
        raise SystemExit(f"annotate {args[0]} failed ({proc.returncode}): {proc.stderr[-800:]}")
    # the command's summary ("... created 100000, ... skipped 0"), not a warning printed after it
    summary = next((ln for ln in reversed(lines) if "created" in ln or "gold" in ln), lines[-1] if lines else "")
    return seconds, int(peak[-1].split()[1]) // 1024, summary, cpu


def bare_import(client, title: str, tasks_file: Path, batch: int, with_annotations: bool = False,
                every: int = 0) -> tuple[int, float, float]:
    """(project id, seconds, CPU seconds of this process) of importing the file with the SDK
    alone, `batch` tasks a request; a progress line every `every` tasks."""
    from annotate.labeling import labeling_config

    project = client.projects.create(title=title, label_config=labeling_config())
    t0, c0 = time.perf_counter(), cpu_seconds(resource.RUSAGE_SELF)
    chunk: list[dict] = []
    done = 0
    with open(tasks_file, encoding="utf-8") as fh:
        for line in fh:
            task = json.loads(line)
            if with_annotations:  # the prediction, accepted unchanged
                task["annotations"] = [{"result": task["predictions"][0]["result"], "lead_time": 1.0}]
            chunk.append(task)
            if len(chunk) == batch:
                client.projects.import_tasks(id=project.id, request=chunk, request_options=SLOW)
                done, chunk = done + len(chunk), []
                if every and done % every == 0:
                    elapsed = time.perf_counter() - t0
                    print(f"  {title}: {done} tasks in {elapsed:.0f} s ({done / elapsed:.0f} tasks/s, {load()})",
                          flush=True)
    if chunk:
        client.projects.import_tasks(id=project.id, request=chunk, request_options=SLOW)
    return project.id, time.perf_counter() - t0, cpu_seconds(resource.RUSAGE_SELF) - c0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--every", type=int, default=10_000, help="A progress line every N tasks of a bare import.")
    parser.add_argument("--steps", choices=("all", "push", "pull"), default="all",
                        help="push: the bare import, push and re-push (1-3); pull: the import with "
                             "annotations and pull (4); all: both (100,000 tasks: push about 80 minutes, "
                             "pull about 80 minutes on a quiet 2-core machine).")
    args = parser.parse_args()
    n = args.tasks
    # `kill PID` stops Label Studio and PostgreSQL on the way out, as Ctrl-C does.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    print(f"{time.strftime('%H:%M:%S')} start ({load()}, {os.cpu_count()} cores)", flush=True)

    with tempfile.TemporaryDirectory(prefix="annotate-scale-") as tmp:
        tmp = Path(tmp)
        tasks_file = tmp / "tasks.jsonl"
        with open(tasks_file, "w", encoding="utf-8") as fh:
            for task in synthetic_tasks(n):
                fh.write(json.dumps(task, ensure_ascii=False) + "\n")
        print(f"{n} tasks, {tasks_file.stat().st_size / 1e6:.0f} MB of JSONL", flush=True)

        cluster = LocalPostgres(tmp / "label-studio")
        try:
            with cluster.running() as database:
                run_steps(args, n, tmp, tasks_file, database)
        finally:
            # Run by root, the cluster lives outside the temporary directory (postgres.py).
            if cluster.state is not None and not cluster.cluster.is_relative_to(tmp):
                shutil.rmtree(cluster.cluster, ignore_errors=True)
    return 0 if RESULT["ok"] else 1


RESULT = {"ok": False}
OUTPUT: list[str] = []  # the last run_cli's output lines


def snapshot_seconds(lines: list[str]) -> float | None:
    """The server's export time from pull's "export snapshot of project N built in ..." line."""
    import re

    for line in lines:
        found = re.search(r"export snapshot of project \d+ built in (?:(\d+) h )?(?:(\d+) min )?(\d+) (s|min)$", line)
        if found:
            h, m, last, unit = found.groups()
            if unit == "min":  # "2 h 05 min"
                return int(h or 0) * 3600 + int(last) * 60
            return int(h or 0) * 3600 + int(m or 0) * 60 + int(last)
    return None


def run_steps(args, n: int, tmp: Path, tasks_file: Path, database) -> None:
    """Label Studio on `database`, then the bare import, push, re-push, import with annotations, pull."""
    login = Login("scale@example.com", "scale-password", "c" * 40)
    server = LabelStudioServer(tmp / "label-studio", login, "localhost", free_port(),
                               env=database.label_studio_env())
    started = time.monotonic()
    with server.running():
        print(f"Label Studio on PostgreSQL up in {time.monotonic() - started:.0f} s at {server.url}", flush=True)
        client = connect(server.url, login.token)
        env = {"PATH": "/usr/bin:/bin", "LABEL_STUDIO_URL": server.url, "LABEL_STUDIO_API_KEY": login.token,
               "PYTHONPATH": str(ROOT / "src")}

        server_cpu = [process_cpu(server.proc.pid)]

        def step(name: str, seconds: float, rest: str) -> None:
            used = process_cpu(server.proc.pid) - server_cpu[0]
            server_cpu[0] += used
            print(f"{time.strftime('%H:%M:%S')} {name:24s} {seconds:7.1f} s  {n / seconds:6.0f} tasks/s  "
                  f"{rest}  server CPU {used:.0f} s ({1000 * used / n:.0f} ms a task)  ({load()})", flush=True)

        push_mb = again_mb = pull_mb = 0
        if args.steps in ("all", "push"):
            push_mb, again_mb, bare, push_s = push_steps(args, n, client, tasks_file, env, step)
        if args.steps in ("all", "pull"):
            pull_mb, records = pull_steps(args, n, tmp, client, tasks_file, env, step)
    peak = max(push_mb, again_mb, pull_mb)
    ok = peak < 500
    if args.steps in ("all", "push"):
        ok = ok and push_s <= 1.3 * bare
    if args.steps in ("all", "pull"):
        ok = ok and records == n
    RESULT["ok"] = ok
    print(f"peak RSS of annotate: {peak} MB (target < 500); {'OK' if ok else 'MISSED'}", flush=True)


def push_steps(args, n: int, client, tasks_file: Path, env: dict, step) -> tuple[int, int, float, float]:
    """Steps 1-3: (push's peak MiB, re-push's peak MiB, bare import seconds, push seconds)."""
    _, bare, bare_cpu = bare_import(client, "scale: bare SDK import", tasks_file, args.batch_size,
                                    every=args.every)
    step("bare SDK import", bare, f"client CPU {bare_cpu:.0f} s")
    push_s, push_mb, summary, push_cpu = run_cli(
        "push", str(tasks_file), "--project", "scale: annotate push",
        "--batch-size", str(args.batch_size), env=env)
    step("annotate push", push_s, f"client CPU {push_cpu:.0f} s  peak {push_mb} MB  "
         f"ratio {push_s / bare:.2f} x bare (target <= 1.3)  {summary}")
    again_s, again_mb, summary, again_cpu = run_cli(
        "push", str(tasks_file), "--project", "scale: annotate push",
        "--batch-size", str(args.batch_size), env=env)
    step("re-push (all skipped)", again_s, f"client CPU {again_cpu:.0f} s  peak {again_mb} MB  "
         f"(target < 180 s at 100,000)  {summary}")
    return push_mb, again_mb, bare, push_s


def pull_steps(args, n: int, tmp: Path, client, tasks_file: Path, env: dict, step) -> tuple[int, int]:
    """Step 4: (pull's peak MiB, gold records written)."""
    annotated, seconds, _ = bare_import(client, "scale: annotated", tasks_file, args.batch_size,
                                        with_annotations=True, every=args.every)
    step("import with annotations", seconds, "")
    pull_s, pull_mb, summary, pull_cpu = run_cli("pull", "--project", str(annotated),
                                                 "-o", str(tmp / "gold"), env=env)
    records = sum(1 for _ in open(tmp / "gold" / "gold.jsonl", encoding="utf-8"))
    built = snapshot_seconds(OUTPUT)
    if built is not None:  # of pull's time, the server's snapshot (annotate only waits)
        print(f"  of which Label Studio's export snapshot: {built:.0f} s ({1000 * built / n:.1f} ms a task)",
              flush=True)
    step("annotate pull", pull_s, f"client CPU {pull_cpu:.0f} s  peak {pull_mb} MB  "
         f"{records} gold records (target < 300 s at 100,000)  {summary}")
    return pull_mb, records


if __name__ == "__main__":
    sys.exit(main())
