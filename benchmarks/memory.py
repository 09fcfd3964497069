"""Benchmark: peak memory of `agree`, `report`, `adjudicate` (plan) and `export` as the
number of tasks grows (SPEC section 9: under 300 MB at 10,000 tasks x 3 annotators, and flat
beyond).

Writes a synthetic Label Studio full-JSON export of N real-sized tasks (~5 KB of news-like
text, ~22 regions and ~12 relations each, one prediction, 3 annotators who each move a
boundary, change a choice or drop a stance now and then, seeded), one task at a time; makes
the gold dataset of N records from it with `annotate pull`; then runs each command in its own
subprocess and reports its wall time and peak resident memory (the child's own VmHWM from
/proc/self/status as it exits; `ru_maxrss` would also count the pages of the parent it was
forked from):

    agree       annotate agree --from-file EXPORT --json (and -o agree.html)
    report      annotate report --from-file EXPORT --json (and -o report.html)
    adjudicate  `annotate adjudicate --json` (adjudicate.adjudicate with spool=True, its JSON
                written by iter_adjudication_json) with the export read from the file (the
                command itself has no --from-file: it needs a server for --apply)
    export      annotate export GOLD -f FORMATS -o DIR --json
    pull        annotate pull --from-file EXPORT -o GOLD (it makes the gold dataset anyway)
    family      `annotate adjudicate --json` on a blind-annotation family: the same tasks as
                one project export per annotator (`T · <email>`, each with its own task and
                prediction ids, the annotator's own annotation), joined by family.merge_exports
                as `--project T` joins the downloaded exports, then planned and written as
                above (T itself does not exist yet: every article is to import)

    .venv/bin/python benchmarks/memory.py --tasks 10000 [--tasks 100000] [--commands agree,report]
        [--formats bio,brat,hf,spacy] [--keep DIR] [--src OTHER_CHECKOUT/src]

`--keep DIR` keeps the inputs and every output under DIR/<N>/ (to diff two versions of the
code: run once with `--src` pointing at the other checkout's src/). An existing export and
gold dataset in DIR/<N>/ are reused, and the export is only written when a command reads it
(`--commands export` with a gold dataset in place needs none).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

LIMIT_MB = 300
ANNOTATORS = 3
COMMANDS = ("pull", "agree", "report", "adjudicate", "export", "family")
FORMATS = ("bio", "brat", "hf", "spacy")

PEOPLE = [("Dmitry", "Peskov", "Kremlin spokesperson"), ("Antony", "Blinken", "Secretary of State"),
          ("Kamala", "Harris", "Vice President"), ("Olaf", "Scholz", "German Chancellor"),
          ("Ursula", "Leyen", "Commission President"), ("Michael", "Flynn", "retired general"),
          ("Jens", "Stoltenberg", "NATO chief"), ("Emmanuel", "Macron", "French President")]
QUOTES = [("We are open to dialogue with Washington, and we mean it", "open to dialogue", "United States"),
          ("This is a dangerous escalation by Moscow, nothing less", "a dangerous escalation", "Russia"),
          ("The talks with Kyiv will continue next week as planned", "talks with Kyiv will continue", "Ukraine"),
          ("Nobody wants a new arms race with Beijing, not even us", "a new arms race", "China")]
CLAIMS = ["sanctions had failed to change anything", "the talks were still possible this year",
          "relations would improve once the winter was over", "the deal had been dead for months"]
FILLER = [
    "The meeting came after weeks of tension along the border, where both sides have moved troops.",
    "Officials in several capitals declined to comment on the record about the next steps.",
    "Markets reacted calmly, with the main index closing slightly higher on the day.",
    "Analysts said the statement was carefully worded and left room for both interpretations.",
    "The ministry published a short summary of the call late in the evening.",
    "Diplomats familiar with the matter described the atmosphere as businesslike but cool.",
    "A spokesperson for the opposition said the government had been caught off guard again.",
    "The previous round of negotiations ended without a joint declaration in early spring.",
    "Independent observers were not allowed into the conference hall during the session.",
    "Reporters waited outside for more than three hours before the delegations emerged.",
]
TARGETS = ["United States", "Russia", "Ukraine", "China"]
BLOCKS = 4  # each ~1,250 characters: a ~5 KB article


def _region(rid, label, start, end, text, score=None, **choices):
    value = {"start": start, "end": end, "text": text[start:end]}
    item = {"id": rid, "from_name": "label", "to_name": "text", "type": "labels",
            "value": {**value, "labels": [label]}}
    if score is not None:
        item["score"] = score
    return [item] + [{"id": rid, "from_name": k, "to_name": "text", "type": "choices",
                      "value": {**value, "choices": [v]}} for k, v in choices.items()]


def _rel(a, b, kind):
    return {"from_id": a, "to_id": b, "type": "relation", "direction": "right", "labels": [kind]}


def make_task(rng: random.Random, tid: int, annotators: int = ANNOTATORS) -> dict:
    """One ~5 KB article of BLOCKS paragraphs; each: a full name (Speaker), a direct quote said
    by the surname (Speaker), a Stance inside every other quote, "He" refers_to the full name
    and an indirect quote said by "He". The prediction is that truth; each annotator departs
    from it at random (a quote boundary, a quote_type, a polarity, a stance left out)."""
    text, truth, rels = "", [], []
    for k in range(BLOCKS):
        first, last, role = rng.choice(PEOPLE)
        quote, stance, target = rng.choice(QUOTES)
        claim = rng.choice(CLAIMS)
        pad = " ".join(rng.sample(FILLER, 5))
        para = (f"{role} {first} {last} spoke to reporters on Monday. \u201c{quote},\u201d {last} said. "
                f"{pad} He added that {claim}. {' '.join(rng.sample(FILLER, 5))}\n\n")
        base = len(text)
        text += para

        def at(part, after=0, base=base, para=para):
            i = para.index(part, after)
            return base + i, base + i + len(part)

        full, sur, he = f"f{k}", f"s{k}", f"h{k}"
        truth.append(("Speaker", full, *at(f"{first} {last}"), {}))
        qs, qe = at(quote)
        truth.append(("Quote", f"q{k}", qs, qe, {"quote_type": "direct"}))
        if k % 2 == 0:
            truth.append(("Stance", f"t{k}", *at(stance), {"polarity": "favor", "target": target}))
        truth.append(("Speaker", sur, *at(last, qe - base), {}))
        he_at = at("He added")[0]
        truth.append(("Speaker", he, he_at, he_at + 2, {}))
        truth.append(("Quote", f"i{k}", *at(claim), {"quote_type": "indirect"}))
        rels += [(f"q{k}", sur, "said_by"), (f"i{k}", he, "said_by"), (he, full, "refers_to")]
    targets = sorted({t[4]["target"] for t in truth if "target" in t[4]})
    pred = []
    for label, rid, s, e, ch in truth:
        pred += _region(rid, label, s, e, text, score=0.9, **ch)
    pred += [_rel(x, y, kind) for x, y, kind in rels]
    anns = []
    for a in range(annotators):
        result = []
        for label, rid, s, e, ch in truth:
            roll = rng.random()
            if label == "Stance" and roll < 0.05:
                continue  # left out
            if label == "Quote" and roll < 0.08:
                s += 3  # boundary moved ("We " dropped; every stance starts later)
            if roll < 0.12 and "polarity" in ch:
                ch = {**ch, "polarity": rng.choice(["against", "neutral"])}
            if roll < 0.12 and ch.get("quote_type") == "indirect":
                ch = {**ch, "quote_type": "mixed"}
            result += _region(rid, label, s, e, text, **ch)
        result += [_rel(x, y, kind) for x, y, kind in rels]
        anns.append({"id": tid * 10 + a, "completed_by": a + 1, "result": result, "was_cancelled": False,
                     "ground_truth": False, "lead_time": round(rng.uniform(20, 200), 1),
                     "created_at": "2026-11-01T00:00:00Z", "updated_at": f"2026-11-01T00:{a:02d}:00Z",
                     "task": tid})
    return {"id": tid, "data": {"text": text, "doc_id": f"doc{tid:06d}", "title": f"Article {tid}",
                                "targets": [{"value": t} for t in targets]},
            "annotations": anns,
            "predictions": [{"id": tid, "model_version": "annotate-rules-0.3.0", "score": 0.9,
                             "result": pred, "task": tid}]}


def write_export(path: Path, n: int, seed: int = 7) -> None:
    """The export as a JSON array, one task at a time (renamed into place when complete)."""
    rng = random.Random(seed)
    part = path.with_name(path.name + ".part")
    with part.open("w", encoding="utf-8") as fh:
        fh.write("[")
        for i in range(n):
            fh.write(("," if i else "") + json.dumps(make_task(rng, i + 1), ensure_ascii=False))
        fh.write("]")
    part.rename(path)


def write_family_exports(work: Path, n: int, seed: int = 7) -> list[Path]:
    """The tasks of `write_export` (same seed, same articles and versions) as a blind family:
    one JSON-array export per annotator, as `push --annotators` leaves the projects."""
    rng = random.Random(seed)
    paths = [work / f"family-{a + 1}.json" for a in range(ANNOTATORS)]
    parts = [p.with_name(p.name + ".part") for p in paths]
    handles = [p.open("w", encoding="utf-8") for p in parts]
    try:
        for fh in handles:
            fh.write("[")
        for i in range(n):
            task = make_task(rng, i + 1)
            for a, fh in enumerate(handles):
                project, tid = 101 + a, (a + 1) * 10_000_000 + task["id"]
                pred = {**task["predictions"][0], "id": tid, "task": tid}
                ann = {**task["annotations"][a], "task": tid, "project": project, "parent_prediction": tid}
                own = {"id": tid, "project": project, "data": task["data"], "annotations": [ann],
                       "predictions": [pred]}
                fh.write(("," if i else "") + json.dumps(own, ensure_ascii=False))
        for fh in handles:
            fh.write("]")
    finally:
        for fh in handles:
            fh.close()
    for part, path in zip(parts, paths, strict=True):
        part.rename(path)
    return paths


# The child's own peak: VmHWM of this process image (ru_maxrss also counts the forking parent).
PEAK = """
import runpy, sys
def peak():
    hwm = [ln.split()[1] for ln in open("/proc/self/status") if ln.startswith("VmHWM:")]
    print("PEAK_KB", hwm[0], file=sys.stderr)
"""
CLI = PEAK + """
sys.argv = ["annotate"] + sys.argv[1:]
try:
    runpy.run_module("annotate", run_name="__main__", alter_sys=True)
finally:
    peak()
"""
PLAN = PEAK + """
import contextlib, json, sys, types
import annotate.adjudicate as adj
from annotate.annotations import iter_export
if hasattr(adj, "iter_adjudication_json"):
    # `annotate adjudicate --json` itself, its export read from the file instead of a server
    @contextlib.contextmanager
    def source(project, url=None, api_key=None, progress=None):
        yield types.SimpleNamespace(client=None, project=types.SimpleNamespace(id=1, title="memory"),
                                    family=None, users={}, path=sys.argv[1])
    adj.open_source = source
    out = adj.adjudicate("memory", url="http://localhost:8080", warn=lambda _m: None, spool=True)
    with open(sys.argv[2], "w", encoding="utf-8") as fh:
        for piece in adj.iter_adjudication_json(out):
            fh.write(piece)
        fh.write("\\n")
else:  # an older checkout (--src): the plan it makes, dumped at once
    try:
        adj.plan_adjudication([], keep_payload=False)
        kw = {"keep_payload": False}
    except TypeError:  # older still: it always kept the payloads
        kw = {}
    out = adj.plan_adjudication(iter_export(sys.argv[1]), **kw).as_dict()
    for task in out["agreed"] + out["resolved"] + out["disputed"]:
        for r in [task, *task.get("review", ())]:
            for key in [k for k in r if k.startswith("_")]:  # what --json leaves out
                del r[key]
    with open(sys.argv[2], "w", encoding="utf-8") as fh:
        json.dump(out, fh, sort_keys=True)
print(json.dumps(out["counts"]))
peak()
"""


FAMILY = PEAK + """
import contextlib, os, sys, tempfile, types
from pathlib import Path
import annotate.adjudicate as adj
from annotate.family import Source, merge_exports, member_title
parts = [Path(p) for p in sys.argv[3:]]
projects = [types.SimpleNamespace(id=101 + a, title=member_title("memory", f"a{a + 1}@example.org"))
            for a in range(len(parts))]
family = types.SimpleNamespace(title="memory", projects=projects, head=None)
@contextlib.contextmanager
def source(project, url=None, api_key=None, progress=None):
    # what open_source does for `--project memory` once the members' exports are downloaded
    fd, merged = tempfile.mkstemp(prefix="annotate-family-", suffix=".json")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            merge_exports([Source(p.title, p.id, path) for p, path in zip(projects, parts)], out)
        yield types.SimpleNamespace(client=None, project=None, family=family, users={}, path=merged)
    finally:
        os.unlink(merged)
adj.open_source = source
out = adj.adjudicate("memory", url="http://localhost:8080", warn=lambda _m: None, spool=True)
with open(sys.argv[2], "w", encoding="utf-8") as fh:
    for piece in adj.iter_adjudication_json(out):
        fh.write(piece)
    fh.write("\\n")
peak()
"""


def run(argv: list[str], stdout: Path | None, env: dict) -> tuple[float, float, int]:
    """(seconds, peak RSS in MB of this child, exit code)."""
    t0 = time.perf_counter()
    with open(stdout or os.devnull, "wb") as out:
        proc = subprocess.run(argv, stdout=out, stderr=subprocess.PIPE, env=env)
    peak = [ln for ln in proc.stderr.decode("utf-8", "replace").splitlines() if ln.startswith("PEAK_KB")]
    mb = int(peak[-1].split()[1]) / 1024 if peak else float("nan")
    return time.perf_counter() - t0, mb, proc.returncode


def bench(n: int, work: Path, commands: list[str], formats: list[str], env: dict) -> list[tuple]:
    work.mkdir(parents=True, exist_ok=True)
    export, gold = work / "export.json", work / "gold"
    need_gold = "export" in commands and not (gold / "gold.jsonl").exists()
    need_export = need_gold or bool({"pull", "agree", "report", "adjudicate"} & set(commands))
    if need_export and not export.exists():
        t0 = time.perf_counter()
        write_export(export, n)
        print(f"  export: {n} tasks x {ANNOTATORS} annotators, {export.stat().st_size / 1e6:.0f} MB "
              f"(written in {time.perf_counter() - t0:.0f} s)", flush=True)
    members = [work / f"family-{a + 1}.json" for a in range(ANNOTATORS)]
    if "family" in commands and not all(p.exists() for p in members):
        t0 = time.perf_counter()
        write_family_exports(work, n)
        print(f"  family: {n} tasks in {ANNOTATORS} projects, {sum(p.stat().st_size for p in members) / 1e6:.0f} MB "
              f"(written in {time.perf_counter() - t0:.0f} s)", flush=True)
    py = [sys.executable, "-c", CLI]
    rows = []
    steps = {
        "pull": (py + ["pull", "--from-file", str(export), "-o", str(gold)], work / "pull.txt"),
        "agree": (py + ["agree", "--from-file", str(export), "--json", "-o", str(work / "agree.html")],
                  work / "agree.json"),
        "report": (py + ["report", "--from-file", str(export), "--json", "-o", str(work / "report.html")],
                   work / "report.json"),
        "adjudicate": ([sys.executable, "-c", PLAN, str(export), str(work / "adjudicate.json")],
                       work / "adjudicate.txt"),
        "export": (py + ["export", str(gold), "-f", ",".join(formats), "-o", str(work / "exports"), "--json"],
                   work / "export.txt"),
        "family": ([sys.executable, "-c", FAMILY, "", str(work / "family-adjudicate.json"), *map(str, members)],
                   work / "family.txt"),
    }
    for name in COMMANDS:
        if name not in commands and not (name == "pull" and need_gold):
            continue
        argv, out = steps[name]
        seconds, mb, code = run(argv, out, env)
        rows.append((name, n, seconds, mb, code))
        print(f"  {name:<10} {n:>7} tasks  {seconds:7.1f} s  peak {mb:6.0f} MB  exit {code}", flush=True)
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tasks", type=int, action="append", help="N (repeatable; default 10000).")
    ap.add_argument("--commands", default=",".join(COMMANDS),
                    help=f"Comma-separated, from {', '.join(COMMANDS)} (pull runs anyway when export needs gold).")
    ap.add_argument("--formats", default=",".join(FORMATS), help="Export formats.")
    ap.add_argument("--keep", help="Keep inputs and outputs under this directory (DIR/<N>/).")
    ap.add_argument("--src", help="Run the commands from this src/ directory (another checkout).")
    args = ap.parse_args(argv)
    commands = [c.strip() for c in args.commands.split(",") if c.strip()]
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    env = dict(os.environ)
    if args.src:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(Path(args.src).resolve()), env.get("PYTHONPATH")]))
    root = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="annotate-memory-"))
    rows = []
    try:
        for n in args.tasks or [10_000]:
            print(f"N = {n}", flush=True)
            rows += bench(n, root / str(n), commands, formats, env)
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    print("\ncommand      tasks     time s   peak MB")
    for name, n, seconds, mb, code in rows:
        flag = "" if code in (0, 1) else f"  (exit {code})"
        print(f"{name:<10} {n:>7}  {seconds:9.1f}  {mb:8.0f}{flag}")
    ok = all(mb < LIMIT_MB for name, _, _, mb, _ in rows if name != "pull")
    print(f"{'PASS' if ok else 'FAIL'}: every measured command under {LIMIT_MB} MB" if rows else "nothing run")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
