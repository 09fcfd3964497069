"""`annotate backend --model DIR [--train-every N]`: predictions made with a learned model, and a
backend that retrains on the project's gold (unit tier, then a real Label Studio)."""

from __future__ import annotations

import http.client
import json
import os
import secrets
import shutil
import statistics
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotate import converters
from annotate.backend import make_app, start_backend_in_thread
from annotate.backend.training import LATEST, RETRAIN_FILE, VERSIONS, Learner, ModelStore
from annotate.cli import cli
from annotate.labeling import labeling_config
from annotate.learn import load_model, train_model

from .conftest import SEEDS, wait_until
from .test_learn import _article as article  # a short news-like text and its Quote spans


def train_small_model(root: Path, docs: range = range(10), iterations: int = 10) -> Path:
    """A quick model (well under a second) trained on `docs` synthetic articles, as gold.jsonl."""
    root.mkdir(parents=True, exist_ok=True)
    gold = root / "seed-gold.jsonl"
    with gold.open("w", encoding="utf-8") as fh:
        for k in docs:
            text, spans = article(k)
            fh.write(json.dumps({"id": f"seed{k}", "text": text, "spans": [
                {"id": f"q{s}-{e}", "label": "Quote", "start": s, "end": e, "text": text[s:e]} for s, e in spans]}) + "\n")
    train_model([str(gold)], root / "model", seed=0, dev_fraction=0.0, params={"max_iterations": iterations})
    return root / "model"


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory) -> Path:
    return train_small_model(tmp_path_factory.mktemp("backend-learn"))


def run(*args):
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def post(app, path: str, payload: dict) -> tuple[int, dict]:
    body = json.dumps(payload).encode()
    import io

    environ = {"REQUEST_METHOD": "POST", "PATH_INFO": path, "CONTENT_LENGTH": str(len(body)),
               "wsgi.input": io.BytesIO(body)}
    status, answer, _ = app.handle(environ)
    return status, answer


# --- unit tier ---------------------------------------------------------------------------------


def test_predictions_are_made_with_the_model_and_name_it(model_dir):
    model = load_model(model_dir)
    app = make_app(model_dir=str(model_dir))
    text = (SEEDS / "002_935d5d5bef1305a7.txt").read_text(encoding="utf-8")
    made = converters.annotate_text(text, model=model)  # what `convert --model` predicts for the text
    task = {"id": 1, "data": {"text": text, "targets": made["data"]["targets"]}}
    status, body = post(app, "/predict", {"tasks": [task]})
    assert status == 200
    (prediction,) = body["results"]
    assert prediction["model_version"] == model.version == body["model_version"]
    assert prediction["model_version"].startswith("annotate-learned-")
    assert prediction["model_version"] != converters.MODEL_VERSION
    # The task score is the least certain quote's: the lowest Quote region score.
    quote_scores = [r["score"] for r in prediction["result"]
                    if r["type"] == "labels" and r["value"]["labels"] == ["Quote"]]
    assert quote_scores, "the seed article has quotes"
    assert prediction["score"] == min(quote_scores)
    assert all(0 <= s <= 1 for s in quote_scores)
    assert prediction["result"] == made["predictions"][0]["result"]
    status, health = app.handle({"REQUEST_METHOD": "GET", "PATH_INFO": "/health"})[:2]
    assert health["model_version"] == model.version


def test_concurrent_predictions_with_the_model_equal_sequential_ones(model_dir):
    """The server's threads share one model: each prediction is the one made alone."""
    app = make_app(model_dir=str(model_dir))
    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    tasks = [{"id": i, "data": {"text": t, "targets": []}} for i, t in enumerate(texts)]
    alone = [post(app, "/predict", {"tasks": [t]})[1]["results"][0] for t in tasks]
    wrong: list[object] = []

    def work(k: int) -> None:
        try:
            for i in range(4):
                j = (k + i) % len(tasks)
                if post(app, "/predict", {"tasks": [tasks[j]]})[1]["results"][0] != alone[j]:
                    wrong.append(j)
        except Exception as exc:  # noqa: BLE001  (reported below)
            wrong.append(exc)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert wrong == []


def test_backend_cli_model_errors_are_one_line_exit_2(tmp_path, model_dir):
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "model.crfsuite").write_bytes(b"not a model")
    cases = {
        "missing": (["--model", str(tmp_path / "nope")], "does not exist"),
        "empty": (["--model", str(tmp_path)], "no model.crfsuite"),
        "corrupt": (["--model", str(broken)], "is not a CRFsuite model"),
        "train without model": (["--train-every", "3"], "--train-every needs --model"),
    }
    for name, (args, says) in cases.items():
        code, out = run("backend", "--port", "0", *args)
        assert code == 2, (name, out)
        assert says in out, (name, out)
        assert "Traceback" not in out and len(out.strip().splitlines()) <= 2, (name, out)


def test_without_the_learn_extra_backend_and_push_name_the_install(tmp_path, model_dir, monkeypatch):
    import sys

    copy = tmp_path / "model"
    shutil.copytree(model_dir, copy)  # a path load_model has not cached
    monkeypatch.setitem(sys.modules, "pycrfsuite", None)  # what `import pycrfsuite` sees without the extra
    for args in (["backend", "--port", "0", "--model", str(copy)],
                 ["push", str(SEEDS), "--project", "x", "--model", str(copy), "--url", "http://127.0.0.1:9"]):
        code, out = run(*args)
        assert code == 2, out
        assert "pip install 'annotate[learn]'" in out
        assert len(out.strip().splitlines()) == 1, out


class _Scripted(Learner):
    """A Learner whose training child is replaced by a function (the concurrency logic alone)."""

    def __init__(self, *args, child, **kw):
        super().__init__(*args, **kw)
        self.script = child

    def _child(self, job, work):
        return self.script(job, work)


def test_events_during_a_run_coalesce_into_one_more_run(tmp_path, model_dir):
    release = threading.Event()
    calls = []

    def child(job, work):
        calls.append(job["projects"][0]["project"])
        release.wait(10)
        return {"status": "no-gold", "reason": "test", "projects": []}

    learner = _Scripted(shutil.copytree(model_dir, tmp_path / "m"), every=2, child=child,
                        credentials=lambda pid: [type("C", (), {"url": "http://x", "api_key": "k"})()])
    try:
        assert learner.note_annotations(7) == "counted 1/2"
        assert learner.note_annotations(7) == "started"
        assert learner.training
        for _ in range(5):  # five more triggers while the first run is busy
            assert learner.request(7, "Start training") == "queued"
        release.set()
        assert learner.wait_idle(20)
        assert learner.runs == 2 and calls == [7, 7]
        assert not learner.training
    finally:
        learner.close()


def test_a_failed_run_keeps_the_old_model_and_leaves_nothing_behind(tmp_path, model_dir):
    """Training that cannot pull (a dead server) fails in the child; nothing is published."""
    root = shutil.copytree(model_dir, tmp_path / "m")
    served = load_model(root).version
    learner = Learner(root, every=1, credentials=lambda pid: [type("C", (), {"url": "http://127.0.0.1:9",
                                                                            "api_key": "k" * 40})()])
    try:
        assert learner.note_annotations(3) == "started"
        assert learner.wait_idle(120)
        assert learner.last["status"] == "failed"
        assert learner.model.version == served
        assert not (root / LATEST).exists()
        assert [p.name for p in (root / VERSIONS).iterdir()] == []  # the run's work directory is gone
    finally:
        learner.close()


def test_a_killed_run_and_a_broken_latest_leave_the_last_good_model_served(tmp_path, model_dir):
    root = shutil.copytree(model_dir, tmp_path / "m")
    base = load_model(root).version
    # A run killed mid-training leaves its work directory; a half-written version never got a name.
    work = root / VERSIONS / ".work-999999-1" / "model"
    work.mkdir(parents=True)
    (work / "model.crfsuite").write_bytes(b"half")
    # A good retrained version served through `latest`.
    good = train_small_model(tmp_path / "other", docs=range(3, 12))
    version = root / VERSIONS / "20260101T000000000000Z-good"
    shutil.copytree(good, version)
    (version / RETRAIN_FILE).write_text(json.dumps({"base_model_version": base}), encoding="utf-8")
    os.symlink(Path(VERSIONS) / version.name, root / LATEST)
    learner = Learner(root, every=1)
    assert learner.model.version == load_model(good).version != base
    assert not (root / VERSIONS / ".work-999999-1").exists()
    learner.close()
    # `latest` naming something that does not load: the base is served, with a warning.
    (version / "model.crfsuite").write_bytes(b"garbage")
    os.utime(version / "model.crfsuite", ns=(1, 1))
    assert ModelStore(root).load_serving().version == base
    # A version retrained from another base model is not served over this base.
    shutil.copytree(good, version, dirs_exist_ok=True)
    (version / RETRAIN_FILE).write_text(json.dumps({"base_model_version": "annotate-learned-other"}))
    assert ModelStore(root).load_serving().version == base


# --- studio tier: a backend that learns from a real Label Studio -------------------------------


def _health_latency(url: str, stop: threading.Event, out: list[float]) -> None:
    host, port = url.removeprefix("http://").split(":")
    while not stop.is_set():
        conn = http.client.HTTPConnection(host, int(port), timeout=10)
        started = time.perf_counter()
        conn.request("GET", "/health")
        assert conn.getresponse().status == 200
        out.append(time.perf_counter() - started)
        conn.close()
        time.sleep(0.02)


def test_backend_retrains_on_annotations_and_serves_the_new_model(studio, tmp_path, model_dir):
    """Annotate tasks through the API: the backend pulls the gold (rejects left out), retrains in a
    child process while /health stays fast, and later predictions carry the new model_version."""
    import httpx

    from annotate.backend import connect_backend, retrieve_predictions

    test_started = time.perf_counter()
    client = studio.client()
    root = shutil.copytree(model_dir, tmp_path / "model")
    first = load_model(root).version
    backend = start_backend_in_thread(host="127.0.0.1", port=0, model_dir=str(root), train_every=1,
                                      train_iterations=10)
    stop_probe = threading.Event()
    latencies: list[float] = []
    try:
        pid = client.projects.create(title=f"learn {secrets.token_hex(4)}", label_config=labeling_config()).id
        connection = connect_backend(client, pid, backend.url)
        texts = [article(k)[0] for k in range(30, 34)]
        imported = client.projects.import_tasks(id=pid, request=[{"text": t, "targets": []} for t in texts],
                                                return_task_ids=True)
        ids = imported.task_ids

        def predicted():
            tasks = {t.id: t for t in client.tasks.list(project=pid, fields="all")}
            return tasks if all(tasks[i].predictions for i in ids) else None

        tasks = wait_until(predicted)
        assert tasks, "the backend's predictions did not arrive"
        assert {p.model_version for t in tasks.values() for p in t.predictions} == {first}

        probe = threading.Thread(target=_health_latency, args=(backend.url, stop_probe, latencies), daemon=True)
        probe.start()
        started = time.perf_counter()
        # Two annotators accept the prediction of two tasks; a third annotation is broken (its
        # Quote's text does not match its offsets): pull rejects it, so it never trains.
        for tid in ids[:2]:
            client.annotations.create(id=tid, result=tasks[tid].predictions[0].result)
        client.annotations.create(id=ids[2], result=[{
            "id": "bad1", "from_name": "label", "to_name": "text", "type": "labels",
            "value": {"start": 0, "end": 6, "text": "nonsense", "labels": ["Quote"]}}])
        assert wait_until(lambda: backend.app.learner.runs >= 1 and not backend.app.learner.training, timeout=90)
        learner = backend.app.learner
        retrain_seconds = time.perf_counter() - started
        stop_probe.set()
        probe.join(15)

        # The first run trained on the first annotations; one more (coalesced) run may have
        # followed for the later ones, giving the same model again ("unchanged") or a newer one.
        assert learner.trained >= 1 and learner.last["status"] in ("trained", "unchanged"), learner.last
        new = learner.model.version
        assert new != first and new.startswith("annotate-learned-")
        info = json.loads((root / LATEST / RETRAIN_FILE).read_text())
        assert info["base_model_version"] == first
        (pulled,) = info["projects"]
        assert pulled["project"] == pid and pulled["rejected"] == 1 and pulled["gold"] == 2
        assert load_model(root / LATEST).version == new  # `convert --model DIR/latest` serves the same

        # Later predictions use it: a new task, and "Retrieve predictions" on an old one.
        (late,) = client.projects.import_tasks(id=pid, request=[{"text": article(40)[0], "targets": []}],
                                               return_task_ids=True).task_ids
        retrieve_predictions(client, pid, [ids[3]])

        def renewed():
            tasks = {t.id: t for t in client.tasks.list(project=pid, fields="all")}
            versions = {i: {p.model_version for p in tasks[i].predictions} for i in (late, ids[3])}
            return versions if all(new in v for v in versions.values()) else None

        assert wait_until(renewed), {t.id: [p.model_version for p in t.predictions]
                                for t in client.tasks.list(project=pid, fields="all")}

        # Least certain first: with the project's prediction selector on the model's version
        # (connect points it at the backend's title, which leaves "Prediction score" empty), the
        # Data Manager orders tasks by the score of that version's prediction.
        client.projects.update(pid, model_version=new)
        scored = {t.id: p.score for t in client.tasks.list(project=pid, fields="all")
                  for p in t.predictions if p.model_version == new}
        answer = httpx.get(f"{studio.url}/api/tasks/", headers={"Authorization": f"Token {studio.token}"},
                           params={"project": pid, "query": json.dumps({"ordering": ["tasks:predictions_score"]})},
                           timeout=30).json()["tasks"]
        ordered = [t["id"] for t in answer if t["predictions_score"] is not None]
        assert sorted(ordered) == sorted(scored)
        assert [scored[i] for i in ordered] == sorted(scored.values())

        # Label Studio's "Start training" (POST /api/ml/<id>/train -> a START_TRAINING webhook).
        runs = learner.runs
        client.ml.train(id=connection.backend_id)
        assert wait_until(lambda: learner.runs > runs and not learner.training, timeout=90)
        assert learner.last["status"] in ("trained", "unchanged"), learner.last
        p95 = statistics.quantiles(latencies, n=20)[-1] if len(latencies) >= 20 else max(latencies)
        print(f"\ntest body {time.perf_counter() - test_started:.1f} s; retrain {retrain_seconds:.1f} s (from the first annotation); /health during training: "
              f"{len(latencies)} probes, p95 {1000 * p95:.1f} ms, max {1000 * max(latencies):.1f} ms")
        assert max(latencies) < 1.0, "a /health answer took over a second during training"
    finally:
        stop_probe.set()
        backend.stop()  # stops the server and kills a training child still running
    assert backend.app.learner._proc is None or backend.app.learner._proc.poll() is not None
