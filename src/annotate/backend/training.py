"""The backend that learns: the learned quote model it serves, retrained in the background.

`annotate backend --model DIR [--train-every N]` serves the model in DIR (from `annotate train`);
every N new or updated annotations (ANNOTATION_CREATED/UPDATED webhooks), and on Label Studio's
"Start training" (a START_TRAINING webhook, or POST /train), it retrains on the gold of the
projects that sent those events, and later predictions use the new model.

Layout of DIR:

    DIR/model.crfsuite, DIR/model.json    the base model, as `annotate train` wrote it (never changed here)
    DIR/versions/<UTC time>-<hash12>/     one complete model per retraining: model.crfsuite, model.json
                                          (its card) and retrain.json (base model, projects, gold counts)
    DIR/latest -> versions/<name>         the version served (a symbolic link replaced atomically;
                                          `annotate convert --model DIR/latest` uses the same model)
    DIR/versions/.work-<pid>-<n>/         a run in progress (gone when it ends; a killed run's is
                                          removed at the next start)

A run: a child process (`python -m annotate.backend.training`, at a lower CPU priority, so the
backend's threads keep answering /health and /predict) pulls each project's gold through the
same path as `annotate pull` (export -> validate -> only accepted records; rejects never train),
then trains `annotate.learn.train_model` on that gold followed by the base model's own training
sources (those still readable; a document in both trains once, as its gold). Its model lands in
the run's work directory. The backend then renames that directory into `versions/` (one
rename), loads it (a model that does not load is never served), points `latest` at it, and only
then serves it. A crash at any step leaves `latest` naming a complete version (or absent: the
base model is served).

At start the backend serves `latest` when it loads and was retrained from this base model
(retrain.json says so); otherwise the base (e.g. after `annotate train -o DIR` again).
One run at a time: events during a run coalesce into one more run after it.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

from ..errors import UsageError
from ..redact import printable, redact

log = logging.getLogger("annotate.backend")

VERSIONS = "versions"
LATEST = "latest"
RETRAIN_FILE = "retrain.json"
WORK_PREFIX = ".work-"
KEEP_VERSIONS = 5  # retrained versions kept on disk (the one served always among them)
NICE = 10  # the training child's CPU priority, below the backend's
RUN_TIMEOUT = 6 * 3600  # seconds a run may take (a hung export, say) before it is killed


def _load(path: Path):
    from ..learn import load_model

    return load_model(path)


class ModelStore:
    """The base model directory, its retrained versions and the `latest` pointer."""

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)
        self.versions = self.root / VERSIONS
        self.latest = self.root / LATEST

    def load_base(self):
        """The base model (a one-line UsageError when DIR is missing or holds no usable model)."""
        if not self.root.is_dir():
            raise UsageError(f"model directory {printable(str(self.root))} does not exist "
                             "(train one with `annotate train SOURCE... -o DIR`)")
        return _load(self.root)

    def load_serving(self):
        """The model to serve at start: `latest` if it loads and comes from this base, else the base."""
        base = self.load_base()
        if not self.latest.is_symlink() and not self.latest.exists():
            return base
        try:
            info = json.loads((self.latest / RETRAIN_FILE).read_text(encoding="utf-8"))
            if info.get("base_model_version") != base.version:
                log.warning("%s was retrained from another base model: serving the base %s", self.latest,
                            base.version)
                return base
            return _load(self.latest)
        except (OSError, ValueError, UsageError) as exc:
            log.warning("cannot serve %s (%s): serving the base model %s", self.latest,
                        printable(str(exc))[:200], base.version)
            return base

    def base_sources(self, base) -> list[str]:
        """The base model's training sources (from its card) that can still be read."""
        found = []
        for source in base.card.get("sources") or ():
            path = source.get("path") if isinstance(source, dict) else None
            if isinstance(path, str) and Path(path).exists():
                found.append(str(Path(path).resolve()))
            elif path:
                log.info("the base model's source %s is gone: retraining without it", printable(path))
        return found

    def clean_work(self) -> None:
        """Remove work directories of runs that were killed."""
        if not self.versions.is_dir():
            return
        for entry in self.versions.iterdir():
            if entry.name.startswith(WORK_PREFIX):
                pid = entry.name[len(WORK_PREFIX):].split("-", 1)[0]
                if not (pid.isdigit() and int(pid) == os.getpid()):
                    shutil.rmtree(entry, ignore_errors=True)

    def new_work(self, n: int) -> Path:
        self.versions.mkdir(parents=True, exist_ok=True)
        work = self.versions / f"{WORK_PREFIX}{os.getpid()}-{n}"
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir()
        return work

    def publish(self, trained: Path, retrain: dict):
        """Make the model in `trained` a version and point `latest` at it; returns it loaded."""
        (trained / RETRAIN_FILE).write_text(json.dumps(retrain, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        model = _load(trained)  # one that does not load is never published
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
        final = self.versions / f"{stamp}-{model.sha256[:12]}"
        os.replace(trained, final)  # a directory rename: atomic on one filesystem
        model = _load(final)
        link = self.root / f".{LATEST}.{os.getpid()}.tmp"
        with contextlib.suppress(FileNotFoundError):
            link.unlink()
        os.symlink(Path(VERSIONS) / final.name, link)
        os.replace(link, self.latest)  # readers see the old version or the new one, never neither
        self.prune(keep=final.name)
        return model

    def prune(self, keep: str) -> None:
        """Remove the oldest retrained versions beyond KEEP_VERSIONS (never `keep`)."""
        done = sorted(p for p in self.versions.iterdir() if p.is_dir() and not p.name.startswith("."))
        for old in done[:-KEEP_VERSIONS]:
            if old.name != keep:
                shutil.rmtree(old, ignore_errors=True)


class Learner:
    """The learned model a backend serves (`.model`), and its retraining in the background.

    `every`: retrain after this many new or updated annotations (None: only on request).
    `credentials(project_id)` gives the [(url, api_key)] to pull a project's gold with.
    `iterations` caps the CRF's training iterations (None: annotate.learn's default).
    Thread-safe; `close()` stops a run in progress (its work directory is removed).
    """

    def __init__(self, model_dir: str | os.PathLike, every: int | None = None,
                 credentials: Callable[[int], list] | None = None, iterations: int | None = None,
                 seed: int = 0, dev_fraction: float = 0.1):
        if every is not None and every < 1:
            raise UsageError("--train-every must be at least 1")
        self.store = ModelStore(model_dir)
        self.base = self.store.load_base()
        self.model = self.store.load_serving()  # one CRFsuite tagger a thread: /predict runs in parallel
        self.every = every
        self.credentials = credentials or (lambda _pid: [])
        self.iterations = iterations
        self.seed = seed
        self.dev_fraction = dev_fraction
        self.projects: set[int] = set()
        self.pending = 0  # annotations counted since the last run was asked for
        self.runs = 0  # runs finished (trained or not)
        self.trained = 0  # runs that published a new version
        self.last: dict | None = None  # what the last run did
        self._again = False
        self._closing = False
        self._thread: threading.Thread | None = None
        self._proc: subprocess.Popen | None = None
        self._lock = threading.Lock()
        self._idle = threading.Event()
        self._idle.set()
        if every is not None:
            self.store.clean_work()

    @property
    def version(self) -> str:
        return self.model.version

    @property
    def training(self) -> bool:
        return self._thread is not None

    def status(self) -> dict:
        """For /health: the version served and what training is doing."""
        out = {"training": self.training, "runs": self.runs, "trained": self.trained}
        if self.every is not None:
            out["train_every"] = self.every
            out["annotations_since_training"] = self.pending
        if self.last:
            out["last"] = self.last
        return out

    def note_annotations(self, project_id: int | None, count: int = 1) -> str:
        """Count new/updated annotations of a project; asks for a run every `every` of them."""
        if self.every is None:
            return "not training (no --train-every)"
        with self._lock:
            if project_id is not None:
                self.projects.add(project_id)
            self.pending += count
            if self.pending < self.every:
                return f"counted {self.pending}/{self.every}"
            self.pending = 0
        return self.request(project_id, "annotations")

    def request(self, project_id: int | None, reason: str) -> str:
        """Ask for a run: 'started', 'queued' (one more run after the current one), or why not."""
        with self._lock:
            if self._closing:
                return "closing"
            if project_id is not None:
                self.projects.add(project_id)
            if not self.projects:
                return "no project known yet"
            if self._thread is not None:
                self._again = True
                return "queued"
            self._idle.clear()
            self._thread = threading.Thread(target=self._loop, args=(reason,), name="annotate-train", daemon=True)
            self._thread.start()
            return "started"

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Block until no run is in progress or queued (tests, a clean shutdown)."""
        return self._idle.wait(timeout)

    def close(self, timeout: float = 10) -> None:
        """Stop: a run in progress is killed and its work directory removed."""
        with self._lock:
            self._closing = True
            self._again = False
            proc, thread = self._proc, self._thread
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if thread is not None:
            thread.join(timeout)

    def _loop(self, reason: str) -> None:
        while True:
            try:
                self._run(reason)
            except Exception:  # a bug: log it, keep serving the model we have
                log.exception("retraining failed")
            with self._lock:
                self.runs += 1
                if not self._again or self._closing:
                    self._thread = None
                    self._idle.set()
                    return
                self._again = False
                reason = "events during the last run"

    def _run(self, reason: str) -> None:
        with self._lock:
            projects = sorted(self.projects)
        jobs = []
        for pid in projects:
            creds = [{"url": c.url, "api_key": c.api_key} for c in self.credentials(pid)]
            if creds:
                jobs.append({"project": pid, "credentials": creds})
            else:
                log.warning("project %s: no Label Studio API key to pull its gold with (start the backend with "
                            "--url/--api-key, or let Label Studio call /setup)", pid)
        if not jobs:
            self.last = {"status": "skipped", "reason": "no credentials for any project"}
            return
        started = time.perf_counter()
        work = self.store.new_work(self.runs + 1)
        try:
            job = {"projects": jobs, "work": str(work), "sources": self.store.base_sources(self.base),
                   "seed": self.seed, "dev_fraction": self.dev_fraction, "iterations": self.iterations}
            log.info("retraining (%s) on the gold of project(s) %s", reason, ", ".join(str(j["project"]) for j in jobs))
            result = self._child(job, work)
            seconds = round(time.perf_counter() - started, 1)
            if result.get("status") != "trained":
                self.last = {**result, "seconds": seconds}
                log.info("retraining: %s", result.get("reason") or result.get("status"))
                return
            before = self.model.version
            if result.get("model_version") == before:  # the same gold gives the same model (a fixed seed)
                self.last = {"status": "unchanged", "model_version": before, "seconds": seconds,
                             "gold": sum(p["gold"] for p in result["projects"])}
                log.info("retrained in %.1f s: the same model as the one served (%s)", seconds, before)
                return
            retrain = {"base_model_version": self.base.version, "previous_model_version": before,
                       "reason": reason, "projects": result["projects"], "sources": job["sources"],
                       "trained_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                       "seconds": seconds}
            with self._lock:
                if self._closing:
                    return
            model = self.store.publish(work / "model", retrain)
            self.model = model  # one assignment: a request sees the old model or the new one
            self.trained += 1
            self.last = {"status": "trained", "model_version": model.version, "previous": before,
                         "gold": sum(p["gold"] for p in result["projects"]), "seconds": seconds}
            log.info("retrained in %.1f s on %d gold records: now serving %s (was %s)", seconds,
                     self.last["gold"], model.version, before)
        finally:
            shutil.rmtree(work, ignore_errors=True)

    def _child(self, job: dict, work: Path) -> dict:
        """Run one training in a child process; its result (status 'trained', 'no-gold' or 'failed')."""
        env = dict(os.environ)
        src = str(Path(__file__).resolve().parents[2])  # the annotate package, wherever it is installed
        env["PYTHONPATH"] = src + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
        with open(work / "train.log", "wb") as errors:
            proc = subprocess.Popen([sys.executable, "-m", "annotate.backend.training"], stdin=subprocess.PIPE,
                                    stdout=subprocess.DEVNULL, stderr=errors, env=env, start_new_session=True)
            with self._lock:
                self._proc = proc
                closing = self._closing
            if closing:
                proc.kill()
            try:
                proc.communicate(json.dumps(job).encode("utf-8"), timeout=RUN_TIMEOUT)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.communicate()
                log.warning("retraining took over %d s: stopped", RUN_TIMEOUT)
            finally:
                with self._lock:
                    self._proc = None
        result_file = work / "result.json"
        if proc.returncode == 0 and result_file.is_file():
            return json.loads(result_file.read_text(encoding="utf-8"))
        tail = (work / "train.log").read_text(encoding="utf-8", errors="replace").strip().splitlines()
        reason = redact(tail[-1])[:300] if tail else f"exit code {proc.returncode}"
        log.warning("retraining failed: %s", reason)
        return {"status": "failed", "reason": reason}


# --- the child process -----------------------------------------------------------------------


def pull_gold(project_id: int, credentials: list[dict], out: Path) -> dict:
    """Pull a project's gold into `out` as `annotate pull` does; {"project", "gold", "rejected"}."""
    from ..errors import AnnotateError
    from ..pull import pull

    last: Exception | None = None
    for creds in credentials:
        try:
            summary = pull(project_id, out, url=creds["url"], api_key=creds["api_key"])
        except AnnotateError as exc:
            last = exc
            continue
        c = summary.counts
        return {"project": project_id, "gold": c.gold, "rejected": c.rejected, "tasks": c.tasks}
    raise last or UsageError(f"project {project_id}: no credentials")


def train_child(job: dict) -> dict:
    """One run: pull each project's gold, train on it and the base sources into work/model."""
    from ..learn import train_model
    from ..redact import remember

    work = Path(job["work"])
    parent = os.getppid()

    def progress(_stage, _done, _total):
        if os.getppid() != parent:  # the backend is gone: stop at once
            os._exit(1)

    projects, gold_dirs = [], []
    for entry in job["projects"]:
        remember(*(c["api_key"] for c in entry["credentials"]))
        out = work / f"gold-{entry['project']}"
        got = pull_gold(entry["project"], entry["credentials"], out)
        projects.append(got)
        if got["gold"]:
            gold_dirs.append(str(out))
    if not gold_dirs:
        return {"status": "no-gold", "reason": "no accepted gold records yet", "projects": projects}
    params = {"max_iterations": int(job["iterations"])} if job.get("iterations") else None
    card = train_model(gold_dirs + list(job.get("sources") or ()), work / "model", seed=job.get("seed", 0),
                       dev_fraction=job.get("dev_fraction", 0.1), params=params, progress=progress)
    return {"status": "trained", "model_version": card["model_version"], "projects": projects,
            "train_docs": card["train_docs"]}


def main() -> None:
    """`python -m annotate.backend.training`: the job as JSON on stdin (it holds tokens: never argv)."""
    with contextlib.suppress(OSError):
        os.nice(NICE)
    job = json.loads(sys.stdin.read())
    result = train_child(job)
    tmp = Path(job["work"]) / "result.json.tmp"
    tmp.write_text(json.dumps(result), encoding="utf-8")
    os.replace(tmp, Path(job["work"]) / "result.json")


if __name__ == "__main__":
    try:
        main()
    except Exception as exc:  # one line for the backend's log (it shows the last line)
        from ..redact import redact as _redact

        print(f"{type(exc).__name__}: {_redact(str(exc))}", file=sys.stderr)
        sys.exit(1)
