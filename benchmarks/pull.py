"""Benchmark: validate + export N annotated tasks from a Label Studio export file (SPEC 9).

Generates a full-JSON export of N tasks (default 10,000) from the converter's output on the
seed articles — each task a distinct document (a numbered line appended to the text), its
annotation the prediction's attributed quotes with some edits (a moved boundary, a deleted
stance, a changed polarity) — then times `annotate.pull.pull(from_file=...)` and prints the figure (target:
< 30 s of CPU) and the peak memory of the process. `--export FILE` times an export made before
(`--keep DIR` keeps DIR/export.json); `--stages` also times the stages one by one: reading
the file (JSON decoding and the depth guard), checking and building the records
(process_task), writing them (serialising, hashing, splits).

    .venv/bin/python benchmarks/pull.py [-n 10000] [--keep DIR] [--export FILE] [--stages]

`--readers N` compares pull's two ways of reading a project on a real Label Studio (its own,
SQLite, temporary data dir, free port): N real-sized tasks (the seeds with their predictions)
imported with 1-3 annotations each by three annotators (some cancelled, some ground truth).
Label Studio's import stamps annotations with the time of the import, before the predictions
it makes in the same import; annotators work after the push, so the benchmark moves the
annotations' created_at/updated_at a day later in the database, except on 1 task in 20 (task
id % 20 == 7), which the task reader must then also read from the export. Then `annotate pull --via snapshot` and `--via tasks` (ANNOTATE_VIA) each in a
subprocess: wall time, annotate's CPU, Label Studio's CPU (its process's, from /proc) and
peak RSS (VmHWM), and whether the two datasets are byte-identical (manifest but created_at).

    .venv/bin/python benchmarks/pull.py --readers 2500
"""

from __future__ import annotations

import argparse
import hashlib
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from annotate import convert_text  # noqa: E402
from annotate.pull import pull  # noqa: E402

TARGET_SECONDS = 30.0


def attributed_only(result: list) -> list:
    """What an annotator keeps of a prediction: quotes with a speaker, stances inside them."""
    said = {r["from_id"] for r in result if r["type"] == "relation" and r["labels"] == ["said_by"]}
    regions = [r for r in result if r["type"] == "labels"]
    quotes = [r["value"] for r in regions if r["value"]["labels"] == ["Quote"] and r["id"] in said]
    gone = {r["id"] for r in regions if r["value"]["labels"] == ["Quote"] and r["id"] not in said}
    gone |= {r["id"] for r in regions if r["value"]["labels"] == ["Stance"] and not any(
        q["start"] <= r["value"]["start"] and r["value"]["end"] <= q["end"] for q in quotes)}
    return [r for r in result if r.get("id") not in gone and r.get("from_id") not in gone and r.get("to_id") not in gone]


def annotated(task: dict, i: int) -> dict:
    """Task i: a distinct document whose annotation is the prediction with a few edits."""
    task = json.loads(json.dumps(task))  # a deep copy, faster than copy.deepcopy
    text = task["data"]["text"] + f"\n\n[benchmark copy {i}]"
    task["data"]["text"] = text
    task["data"]["doc_id"] = f"bench_{i:06d}"
    task["meta"]["text_sha256"] = hashlib.sha256(text.encode()).hexdigest()
    pred = task["predictions"][0]
    pred["id"] = i
    result = attributed_only(json.loads(json.dumps(pred["result"])))
    stances = [r for r in result if r["type"] == "labels" and r["value"]["labels"] == ["Stance"]]
    if stances and i % 3 == 0:  # delete a stance and its choices
        gone = stances[0]["id"]
        result = [r for r in result if r.get("id") != gone]
    elif stances and i % 3 == 1:  # flip a polarity
        for r in result:
            if r.get("id") == stances[0]["id"] and r.get("from_name") == "polarity":
                r["value"]["choices"] = ["neutral"]
    quotes = [r for r in result if r.get("id", "").startswith("q") and r["type"] == "labels"]
    if quotes and i % 2 == 0:  # pull the first quote's start one character in (moved boundary)
        qid = quotes[0]["id"]
        inner = [r for r in result if r["type"] == "labels" and r["value"]["labels"] == ["Stance"]
                 and r["value"]["start"] == quotes[0]["value"]["start"]]
        if not inner:
            for r in result:
                if r.get("id") == qid:
                    r["value"]["start"] += 1
                    r["value"]["text"] = text[r["value"]["start"]:r["value"]["end"]]
    task["id"] = i
    task["project"] = 1
    task["annotations"] = [{
        "id": i, "completed_by": 1 + i % 4, "result": result, "was_cancelled": False,
        "ground_truth": False, "created_at": "2026-11-25T12:00:00.000000Z",
        "updated_at": "2026-11-25T12:05:00.000000Z", "lead_time": 30.0 + i % 50,
        "parent_prediction": i, "task": i, "project": 1,
    }]
    return task


def write_export(path: Path, n: int) -> None:
    """A JSON-array export of n annotated tasks, written as Label Studio writes it."""
    seeds = sorted((ROOT / "seeds").glob("*.txt"))
    base = [convert_text(p.read_text(encoding="utf-8"), source_file=f"seeds/{p.name}") for p in seeds]
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("[")
        for i in range(n):
            if i:
                fh.write(",")
            json.dump(annotated(base[i % len(base)], i), fh, ensure_ascii=False)
        fh.write("]")


def time_stages(export: Path) -> None:
    """CPU seconds of each stage of a pull, run one after the other (a second pass each)."""
    from annotate.dataset import record_line
    from annotate.exportfile import read_export
    from annotate.labeling import contract
    from annotate.pull import process_task

    c0 = time.process_time()
    contract()  # the SDK's LabelInterface on the config, once a run
    setup = time.process_time() - c0
    read = process = write = 0.0
    n = 0
    c0 = time.process_time()
    for _ in read_export(export):  # reading alone
        n += 1
    read = time.process_time() - c0
    for item in read_export(export):
        c0 = time.process_time()
        outcome = process_task(item.value) if not item.errors else None
        c1 = time.process_time()
        if outcome is not None and outcome.record is not None:
            record_line(outcome.record)
        process += c1 - c0
        write += time.process_time() - c1
    print(f"stages ({n} tasks, CPU s): load the labeling contract {setup:.1f}, read the export "
          f"(decode + depth guard) {read:.1f}, check and build records {process:.1f}, serialise records {write:.1f}")


def reader_annotations(task: dict, i: int, users: list[int]) -> list[dict]:
    """Task i's 1-3 annotations: the prediction accepted, attributed quotes only, half of that
    (which may leave a dangling relation: a reject); every 10th has a ground-truth mark, every
    7th a cancelled one."""
    result = task["predictions"][0]["result"]
    out = []
    for j in range(1 + i % 3):
        r = json.loads(json.dumps(result))
        r = attributed_only(r) if j else r
        r = r[: len(r) // 2] if j == 2 and i % 2 else r
        a = {"result": r, "completed_by": users[j], "lead_time": 10.0 + (i * 7 + j) % 60,
             "ground_truth": i % 10 == 0 and j == 0, "was_cancelled": False}
        if i % 7 == 3 and j == i % 3:
            a.update(result=[], was_cancelled=True, ground_truth=False)
        out.append(a)
    return out


# `annotate pull` in a child that reports its own peak RSS (VmHWM, this process image only).
PEAK = ("import sys\nfrom annotate.cli import main\ntry:\n    main()\nfinally:\n"
        "    hwm = [ln.split()[1] for ln in open('/proc/self/status') if ln.startswith('VmHWM:')]\n"
        "    print('PEAK_KB', hwm[0], file=sys.stderr)\n")


def annotated_after_the_push(database: Path, project_id: int) -> None:
    """Move the project's annotations a day later, but those of tasks with id % 20 == 7."""
    import datetime as dt
    import sqlite3

    db = sqlite3.connect(database, timeout=60)
    try:
        rows = db.execute("SELECT id, created_at, updated_at FROM task_completion WHERE project_id = ? "
                          "AND task_id % 20 != 7", (project_id,)).fetchall()
        later = [(str(dt.datetime.fromisoformat(c) + dt.timedelta(days=1)),
                  str(dt.datetime.fromisoformat(u) + dt.timedelta(days=1)), i) for i, c, u in rows]
        db.executemany("UPDATE task_completion SET created_at = ?, updated_at = ? WHERE id = ?", later)
        db.commit()
    finally:
        db.close()


def compare_readers(n: int, work: Path) -> int:
    """See the module's docstring (--readers)."""
    import os
    import resource
    import subprocess

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from push import synthetic_tasks

    from annotate.demo import LabelStudioServer, Login, free_port
    from annotate.labeling import labeling_config
    from annotate.studio import connect

    def server_cpu(pid: int) -> float:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    login = Login("readers@example.com", "readers-password", "e" * 40)
    server = LabelStudioServer(work / "label-studio", login, "localhost", free_port())
    with server.running():
        client = connect(server.url, login.token)
        users = [client.users.create(username=f"annotator{k}", email=f"annotator{k}@example.com",
                                     password=f"annotator-pw-{k}").id for k in range(3)]
        project = client.projects.create(title="pull readers", label_config=labeling_config())
        t0, s0, chunk = time.perf_counter(), server_cpu(server.proc.pid), []
        for i, task in enumerate(synthetic_tasks(n)):
            task["annotations"] = reader_annotations(task, i, users)
            chunk.append(task)
            if len(chunk) == 500 or i == n - 1:
                client.projects.import_tasks(id=project.id, request=chunk,
                                             request_options={"timeout": 600, "max_retries": 0})
                chunk = []
        print(f"imported {n} annotated tasks in {time.perf_counter() - t0:.0f} s "
              f"(server CPU {server_cpu(server.proc.pid) - s0:.0f} s)", flush=True)
        annotated_after_the_push(work / "label-studio" / "label_studio.sqlite3", project.id)
        env = {"PATH": "/usr/bin:/bin", "LABEL_STUDIO_URL": server.url, "LABEL_STUDIO_API_KEY": login.token,
               "PYTHONPATH": str(ROOT / "src"), "TMPDIR": str(work)}
        for via in ("snapshot", "tasks"):
            s0, c0, t0 = server_cpu(server.proc.pid), resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
            proc = subprocess.run([sys.executable, "-c", PEAK, "pull", "--project", str(project.id), "-o",
                                   str(work / via)], env={**env, "ANNOTATE_VIA": via}, capture_output=True, text=True)
            wall, c1 = time.perf_counter() - t0, resource.getrusage(resource.RUSAGE_CHILDREN)
            ours, theirs = c1.ru_utime + c1.ru_stime - c0.ru_utime - c0.ru_stime, server_cpu(server.proc.pid) - s0
            peak = [ln for ln in proc.stderr.splitlines() if ln.startswith("PEAK_KB")]
            if proc.returncode not in (0, 1) or not peak:
                raise SystemExit(f"pull --via {via} failed ({proc.returncode}): {proc.stderr[-800:]}")
            summary = proc.stdout.splitlines()[0] if proc.stdout else ""
            print(f"pull via {via:8s}: {wall:6.1f} s wall ({1000 * wall / n:.1f} ms a task), Label Studio's CPU "
                  f"{theirs:6.1f} s ({1000 * theirs / n:.1f} ms a task), annotate's CPU {ours:5.1f} s "
                  f"({1000 * ours / n:.1f} ms a task), peak RSS {int(peak[-1].split()[1]) // 1024} MB; {summary}",
                  flush=True)
    same = all((work / "snapshot" / f).read_bytes() == (work / "tasks" / f).read_bytes()
               for f in ("gold.jsonl", "rejects.jsonl", "README.md", "splits/train.jsonl", "splits/dev.jsonl",
                         "splits/test.jsonl"))
    manifests = [json.loads((work / via / "manifest.json").read_text()) for via in ("snapshot", "tasks")]
    for m in manifests:
        m.pop("created_at", None)
    same = same and manifests[0] == manifests[1]
    print(f"datasets: {'byte-identical' if same else 'DIFFERENT'} (manifest.json but created_at)")
    return 0 if same else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=10_000, help="number of tasks")
    parser.add_argument("--keep", metavar="DIR", help="keep the export and dataset in DIR")
    parser.add_argument("--export", metavar="FILE", help="time this export instead of generating one")
    parser.add_argument("--stages", action="store_true", help="also time the stages one by one")
    parser.add_argument("--readers", type=int, metavar="N",
                        help="compare pull --via snapshot and --via tasks on N tasks in a real Label Studio")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(args.keep or tmp)
        work.mkdir(parents=True, exist_ok=True)
        if args.readers:
            return compare_readers(args.readers, work)
        if args.export:
            export = Path(args.export)
        else:
            export = work / "export.json"
            t0 = time.perf_counter()
            write_export(export, args.n)
            made = time.perf_counter() - t0
            size = export.stat().st_size / 1e6
            print(f"generated {args.n} annotated tasks ({size:.1f} MB) in {made:.1f} s")
        t0, c0 = time.perf_counter(), time.process_time()
        summary = pull(None, work / "gold", from_file=export)
        took, cpu = time.perf_counter() - t0, time.process_time() - c0
        c = summary.counts
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"pull --from-file: {c.tasks} tasks -> {c.gold} gold, {c.rejected} rejected "
              f"{dict(c.rejected_by_code)} in {took:.1f} s wall, {cpu:.1f} s CPU ({c.tasks / took:.0f} tasks/s); "
              f"target < {TARGET_SECONDS:.0f} s of CPU: {'OK' if cpu < TARGET_SECONDS else 'MISSED'} "
              "(CPU, not wall: on a shared machine the wall time is mostly the other processes')")
        print(f"peak memory (max RSS of this process, incl. generation): {peak:.0f} MB")
        if args.stages:
            time_stages(export)
        return 0 if cpu < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
