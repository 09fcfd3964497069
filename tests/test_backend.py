"""The ML backend app on a real waitress server on a free port: protocol and bad requests."""

from __future__ import annotations

import base64
import json
import time

import httpx
import pytest
from click.testing import CliRunner

from annotate.backend import (
    MODEL_CLASS,
    consistent,
    parse_basic_auth,
    predict_task,
    project_id_of,
    start_backend_in_thread,
)
from annotate.cli import cli
from annotate.converters import MODEL_VERSION, annotate_text
from annotate.errors import UsageError
from annotate.validate import check_prediction_task

from .conftest import SEEDS

SEED_TEXTS = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]


@pytest.fixture(scope="module")
def backend():
    """One running backend for the module (small limits so the limit paths are cheap to hit)."""
    running = start_backend_in_thread(port=0, workers=4, max_body=12 * 1024 * 1024, max_text=100_000)
    yield running
    running.stop()


@pytest.fixture(scope="module")
def http(backend):
    with httpx.Client(base_url=backend.url, timeout=60) as client:
        yield client


def assert_up(http):
    r = http.get("/health")
    assert r.status_code == 200
    assert r.json()["status"] == "UP"


def post_raw(http, path: str, body: bytes, **headers):
    return http.post(path, content=body, headers={"Content-Type": "application/json", **headers})


def test_health(http):
    r = http.get("/health")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/json")
    assert r.json() == {"status": "UP", "model_class": MODEL_CLASS, "model_version": MODEL_VERSION}
    assert http.get("/").json()["status"] == "UP"


def test_setup_answers_model_version(http):
    from annotate.labeling import labeling_config

    r = http.post("/setup", json={"project": "7.1732550000", "schema": labeling_config()})
    assert r.status_code == 200
    assert r.json() == {"model_version": MODEL_VERSION}


def test_setup_refuses_a_config_without_our_controls(http):
    schema = '<View><Text name="text" value="$text"/><Choices name="sentiment" toName="text"><Choice value="pos"/></Choices></View>'
    r = http.post("/setup", json={"project": "7.1", "schema": schema})
    assert r.status_code == 400
    assert "missing Labels 'label'" in r.json()["error"]
    assert_up(http)


def test_predict_one_prediction_per_task_in_order(http):
    # tasks as the converter would make them (with its targets): nothing to fit, same prediction
    tasks = [{"id": i, "data": {"text": t, "targets": annotate_text(t)["data"]["targets"]}}
             for i, t in enumerate(SEED_TEXTS)]
    r = http.post("/predict", json={"tasks": tasks, "project": "1.1"})
    assert r.status_code == 200
    results = r.json()["results"]
    assert len(results) == len(tasks)
    for task, prediction in zip(tasks, results, strict=True):
        text = task["data"]["text"]
        expected = annotate_text(text)["predictions"][0]
        assert prediction == expected  # same converter, same text: the very same prediction
        assert prediction["model_version"] == MODEL_VERSION
        assert prediction["result"], "every seed has quotes"
        for item in prediction["result"]:
            if "value" in item:
                assert item["value"]["text"] == text[item["value"]["start"]:item["value"]["end"]]
        assert check_prediction_task({"data": task["data"], "predictions": [prediction]}) == []


def test_predict_keeps_the_text_as_stored(http):
    """No cleaning: boilerplate and \\r\\n stay, offsets index into the stored text."""
    text = "Skip to main content\r\n\r\n\u201cWe are ready,\u201d  said Kremlin spokesman Dmitry Peskov.\r\n"
    r = http.post("/predict", json={"tasks": [{"id": 1, "data": {"text": text}}]})
    result = r.json()["results"][0]["result"]
    quotes = [x for x in result if x["type"] == "labels" and x["value"]["labels"] == ["Quote"]]
    assert quotes
    for item in result:
        if "value" in item:
            assert text[item["value"]["start"]:item["value"]["end"]] == item["value"]["text"]


def test_predict_only_offers_targets_the_task_has():
    text = SEED_TEXTS[2]
    full = predict_task({"data": {"text": text, "targets": annotate_text(text)["data"]["targets"]}})
    stance_targets = {c for r in full["result"] if r.get("from_name") == "target" for c in r["value"]["choices"]}
    assert stance_targets, "the seed has stances with targets"
    keep = sorted(stance_targets)[0]
    narrowed = predict_task({"data": {"text": text, "targets": [{"value": keep}]}})
    left = {c for r in narrowed["result"] if r.get("from_name") == "target" for c in r["value"]["choices"]}
    assert left == {keep}
    # a stance whose target the task does not offer is left out whole (pull would reject it)
    stances = [r for r in narrowed["result"] if r.get("type") == "labels" and r["value"]["labels"] == ["Stance"]]
    assert len(stances) == sum(1 for r in narrowed["result"] if r.get("from_name") == "target")
    assert check_prediction_task({"data": {"text": text, "targets": [{"value": keep}]},
                                  "predictions": [narrowed]}) == []


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        (b"{not json", 400, "not valid JSON"),
        (b"", 400, "empty request body"),
        (b"[1, 2]", 400, "must be a JSON object"),
        (b"\xff\xfe", 400, "not valid JSON"),
        (b'{"task": []}', 400, '"tasks"'),
        (b'{"tasks": {"id": 1}}', 400, '"tasks"'),
    ],
    ids=["malformed", "empty", "array", "not-utf8", "missing-tasks", "tasks-not-list"],
)
def test_bad_predict_requests_get_json_4xx(http, body, status, message):
    r = post_raw(http, "/predict", body)
    assert r.status_code == status
    assert message in r.json()["error"]
    assert_up(http)


def test_tasks_without_usable_text_get_an_empty_result_not_a_failed_batch(http):
    good = {"id": 9, "data": {"text": SEED_TEXTS[0]}}
    tasks = [{"id": 1}, {"id": 2, "data": {}}, {"id": 3, "data": {"text": 42}}, "not a task",
             {"id": 4, "data": {"text": ""}}, good, None]
    r = http.post("/predict", json={"tasks": tasks})
    assert r.status_code == 200
    results = r.json()["results"]
    assert len(results) == len(tasks)
    for i, prediction in enumerate(results):
        assert prediction["model_version"] == MODEL_VERSION
        assert bool(prediction["result"]) == (i == 5)
    assert_up(http)


def test_ten_megabyte_text_gets_an_empty_result(http):
    huge = ("\u201cThis is fine,\u201d he said. " * 400_000)[:10_000_000]
    r = http.post("/predict", json={"tasks": [{"id": 1, "data": {"text": huge}},
                                              {"id": 2, "data": {"text": SEED_TEXTS[1]}}]})
    assert r.status_code == 200
    results = r.json()["results"]
    assert results[0]["result"] == [] and results[1]["result"]
    assert_up(http)


def test_body_over_the_limit_is_413(http):
    body = json.dumps({"tasks": [{"data": {"text": "x" * (13 * 1024 * 1024)}}]}).encode()
    r = post_raw(http, "/predict", body)
    assert r.status_code == 413
    assert "limit" in r.json()["error"]
    assert_up(http)
    # far over the limit: waitress refuses it from the headers alone, without reading the body
    with httpx.Client(base_url=str(http.base_url), timeout=30) as fresh:
        r = fresh.post("/predict", content=b"x" * (30 * 1024 * 1024))
    assert r.status_code == 413
    assert_up(http)


def test_thousand_tasks_in_one_request(http):
    tasks = [{"id": i, "data": {"text": SEED_TEXTS[i % len(SEED_TEXTS)]}} for i in range(1000)]
    r = http.post("/predict", json={"tasks": tasks})
    assert r.status_code == 200
    results = r.json()["results"]
    assert len(results) == 1000
    assert all(p["result"] for p in results)
    assert results[7] == results[2]  # same text, same prediction, order kept
    assert_up(http)


def test_unknown_path_and_wrong_method(http):
    r = http.get("/nope")
    assert r.status_code == 404 and "no such endpoint" in r.json()["error"]
    r = http.get("/predict")
    assert r.status_code == 405
    r = http.post("/health", json={})
    assert r.status_code == 405
    assert_up(http)


def test_webhook_accepts_events_and_ignores_the_rest(http):
    r = http.post("/webhook", json={"action": "ANNOTATION_CREATED", "annotation": {}})
    assert r.status_code == 200 and r.json()["status"] == "ignored"
    # no credentials known for project 99: nothing queued, still a 200
    r = http.post("/webhook", json={"action": "TASKS_CREATED", "project": {"id": 99},
                                     "tasks": [{"id": 1, "project": 99, "data": {"text": "a", "targets": []}}]})
    assert r.status_code == 200 and r.json() == {"status": "ok", "action": "TASKS_CREATED", "queued": 0}
    r = http.post("/webhook", json={"action": "TASKS_CREATED", "tasks": "x"})
    assert r.status_code == 400
    assert_up(http)


def test_basic_auth():
    with start_backend_in_thread(port=0, basic_auth=("ls", "s3cret")) as running, \
            httpx.Client(base_url=running.url, timeout=30) as http:
        task = {"tasks": [{"id": 1, "data": {"text": SEED_TEXTS[0]}}]}
        r = http.post("/predict", json=task)
        assert r.status_code == 401
        assert r.headers["www-authenticate"].startswith("Basic")
        assert http.post("/predict", json=task, auth=("ls", "wrong")).status_code == 401
        bad = {"Authorization": "Basic " + base64.b64encode(b"\xff:\xfe").decode()}
        assert http.post("/predict", json=task, headers=bad).status_code == 401
        assert http.post("/predict", json=task, headers={"Authorization": "Basic !!!"}).status_code == 401
        r = http.post("/predict", json=task, auth=("ls", "s3cret"))
        assert r.status_code == 200 and r.json()["results"][0]["result"]
        assert http.get("/health").status_code == 200  # liveness probes need no credentials


def test_one_log_line_per_request_with_timing(http, caplog):
    caplog.set_level("INFO", logger="annotate.backend")
    http.post("/predict", json={"tasks": [{"id": 1, "data": {"text": SEED_TEXTS[0]}}]})
    post_raw(http, "/predict", b"{")
    lines = [r.getMessage() for r in caplog.records if r.name == "annotate.backend"]
    assert any(line.startswith("POST /predict 200 ") and " ms tasks=1 regions=" in line for line in lines)
    assert any(line.startswith("POST /predict 400 ") and "error=" in line for line in lines)


def test_helpers():
    assert project_id_of("12.1732550000") == 12
    assert project_id_of(5) == 5
    assert project_id_of("x") is None
    assert parse_basic_auth("a:b:c") == ("a", "b:c")
    assert parse_basic_auth(None) is None
    with pytest.raises(UsageError):
        parse_basic_auth("nocolon")
    text = "He said hi."
    assert consistent({"value": {"start": 3, "end": 7, "text": "said"}}, text)
    assert not consistent({"value": {"start": 3, "end": 7, "text": "sai"}}, text)
    assert not consistent({"value": {"start": 3, "end": 99, "text": "said hi."}}, text)
    assert consistent({"type": "relation", "from_id": "a", "to_id": "b"}, text)


def test_cli_help_and_bad_options():
    runner = CliRunner()
    for command in ("backend", "connect"):
        r = runner.invoke(cli, [command, "--help"])
        assert r.exit_code == 0 and "Example:" in r.output
    r = runner.invoke(cli, ["backend", "--basic-auth", "nocolon"])
    assert r.exit_code == 2 and "USER:PASSWORD" in r.output


def test_a_converter_failure_empties_only_that_task(monkeypatch, http):
    import annotate.backend.predict as backend

    real = backend.annotate_text

    def flaky(text, doc_id=None, title=None, **options):
        if "BOOM" in text:
            raise RuntimeError("converter bug")
        return real(text, doc_id=doc_id, title=title, **options)

    monkeypatch.setattr(backend, "annotate_text", flaky)
    r = http.post("/predict", json={"tasks": [{"id": 1, "data": {"text": "BOOM " + SEED_TEXTS[0]}},
                                              {"id": 2, "data": {"text": SEED_TEXTS[0]}}]})
    assert r.status_code == 200
    first, second = r.json()["results"]
    assert first == {"model_version": MODEL_VERSION, "score": 0.0, "result": []}
    assert second["result"]
    assert_up(http)


def test_regions_whose_text_does_not_match_are_left_out_with_their_choices_and_relations(monkeypatch):
    import annotate.backend.predict as backend

    text = "\u201cWe will win,\u201d Peskov said."
    good = annotate_text(text)
    bad = json.loads(json.dumps(good))
    result = bad["predictions"][0]["result"]
    quote_id = next(r["id"] for r in result if r["type"] == "labels" and r["value"]["labels"] == ["Quote"])
    for r in result:
        if r.get("id") == quote_id:
            r["value"]["text"] = "shifted"
    monkeypatch.setattr(backend, "annotate_text", lambda t, doc_id=None, title=None, **options: bad)
    kept = predict_task({"data": {"text": text}})["result"]
    assert kept, "the speaker region stays"
    assert all(r.get("id") != quote_id and r.get("from_id") != quote_id for r in kept)
    assert any(r.get("from_id") == quote_id for r in good["predictions"][0]["result"])  # there was a said_by


def test_time_budget_defers_the_rest_of_a_huge_batch():
    """Tasks left when the budget is used up come back without `result` (Label Studio stores
    nothing for them and asks again), so the request answers before Label Studio gives up."""
    with start_backend_in_thread(port=0, budget=0.3) as running, \
            httpx.Client(base_url=running.url, timeout=60) as http:
        tasks = [{"id": i, "data": {"text": SEED_TEXTS[i % len(SEED_TEXTS)]}} for i in range(2000)]
        started = time.monotonic()
        r = http.post("/predict", json={"tasks": tasks})
        took = time.monotonic() - started
        assert r.status_code == 200
        results = r.json()["results"]
        assert len(results) == 2000
        assert results[0]["result"]
        assert "result" not in results[-1] and results[-1]["model_version"] == MODEL_VERSION
        done = [i for i, p in enumerate(results) if "result" in p]
        assert done == list(range(len(done)))  # predicted in order, then deferred
        assert took < 15


def test_annotate_backend_command_serves_until_stopped(tmp_path):
    import os
    import signal
    import subprocess
    import sys

    from .conftest import free_port

    port = free_port()
    log = tmp_path / "backend.log"
    with open(log, "wb") as fh:
        proc = subprocess.Popen([sys.executable, "-m", "annotate", "backend", "--port", str(port), "--workers", "2"],
                                stdout=fh, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                assert httpx.get(url + "/health", timeout=2).json()["status"] == "UP"
                break
            except httpx.HTTPError:
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.2)
        r = httpx.post(url + "/predict", json={"tasks": [{"id": 1, "data": {"text": SEED_TEXTS[0]}}]}, timeout=30)
        assert r.status_code == 200 and r.json()["results"][0]["result"]
    finally:
        # SIGTERM, not SIGINT: a background job's children inherit SIGINT ignored.
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    out = log.read_text()
    assert proc.returncode == 0 and out.rstrip().endswith("Stopped."), out  # SIGTERM is a clean stop
    assert f"on http://127.0.0.1:{port} with 2 threads" in out
    assert "annotate connect --project NAME --backend" in out
    assert "POST /predict 200" in out  # the per-request log line


def test_a_quote_whose_speaker_is_left_out_is_predicted_unattributed(monkeypatch):
    """The speaker's region does not match its offsets, so it goes; the quote it said stays,
    marked unattributed, and the prediction still passes the one checker."""
    import annotate.backend.predict as backend

    text = "\u201cWe will win,\u201d Peskov said."
    bad = json.loads(json.dumps(annotate_text(text)))
    result = bad["predictions"][0]["result"]
    speaker = next(r for r in result if r["type"] == "labels" and r["value"]["labels"] == ["Speaker"])
    quote = next(r for r in result if r["type"] == "labels" and r["value"]["labels"] == ["Quote"])
    speaker["value"]["text"] = "shifted"
    monkeypatch.setattr(backend, "annotate_text", lambda t, doc_id=None, title=None, **options: bad)
    kept = predict_task({"data": {"text": text, "targets": []}})["result"]
    assert not any(r.get("id") == speaker["id"] or r.get("to_id") == speaker["id"] for r in kept)
    marks = [r for r in kept if r.get("from_name") == "attribution"]
    assert [(m["id"], m["value"]["choices"], m["value"]["text"]) for m in marks] == \
        [(quote["id"], ["unattributed"], text[quote["value"]["start"]:quote["value"]["end"]])]
    assert check_prediction_task({"data": {"text": text, "targets": []}, "predictions": [{"result": kept}]}) == []
