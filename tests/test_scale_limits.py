"""Fixed bounds that break a big project (issue 18): waiting for the export snapshot, the
export's download, and the other limits on the push / pull paths at 100,000 tasks.

Label Studio 1.23 (open source, no Redis) builds an export snapshot inside the POST that
creates it, at about 20-25 ms a real-sized task on one `label-studio start` process: a
100,000-task project keeps that request open for 35-40 minutes. These tests play such a
server with the fake of tests/test_redteam_server.py, the bounds shortened so each takes
seconds.
"""

from __future__ import annotations

import json
import re
import threading
import time

import pytest

from annotate import studio
from annotate.errors import ConnectionFailed, UsageError

from . import test_redteam_server as _redteam_server
from .test_redteam_server import TOKEN, answer, assert_one_line, raw, run

EXPORT = json.dumps([{"id": 1, "data": {"text": "Hello."}, "annotations": [], "predictions": []}]).encode()


def project(tasks: int, annotations: int = 0) -> dict:
    """Project 7 as Label Studio describes it, holding `tasks` tasks."""
    from .test_redteam_server import PROJECT

    return {**PROJECT, "task_number": tasks, "total_annotations_number": annotations}


def snapshot(status: str) -> dict:
    return {"id": 5, "status": status, "title": "t", "created_at": "2026-01-01T00:00:00Z"}


def slow(seconds: float, reply):
    """An answer that comes after `seconds` of silence (a snapshot built inside the request)."""
    def handle(h, body):
        time.sleep(seconds)
        reply(h, body)
    return handle


def export_routes(create, status=None, tasks: int = 3000) -> list:
    """A project of `tasks` tasks whose export snapshot is made by `create` and then reads `status`."""
    return [("POST", r"/api/projects/7/exports/?", create),
            ("GET", r"/api/projects/7/exports/5/?", status or answer(snapshot("completed"))),
            ("GET", r"/api/projects/7/exports/5/download/?", raw(EXPORT, 200, "application/json")),
            ("DELETE", r"/api/projects/7/exports/5/?", answer({}, 204)),
            ("GET", r"/api/projects/7/?", answer(project(tasks)))]


def download(server, tmp_path, said: list | None = None) -> int:
    client = studio.client(server.url, TOKEN)
    with open(tmp_path / "export.json", "wb") as fh:
        return studio.download_export(client, 7, fh, (said if said is not None else []).append)


hostile = _redteam_server.hostile  # hostile(*routes): a fake Label Studio, closed after the test


@pytest.fixture
def short_bounds(monkeypatch):
    """The old fixed bound (LONG_TIMEOUT) at 1 s, and a wait of 1 s + 1 ms a task."""
    monkeypatch.delenv("ANNOTATE_EXPORT_TIMEOUT", raising=False)
    monkeypatch.setattr(studio, "LONG_TIMEOUT", 1.0)
    monkeypatch.setattr(studio, "EXPORT_WAIT_FLOOR", 1.0, raising=False)
    monkeypatch.setattr(studio, "EXPORT_SECONDS_PER_ITEM", 0.001, raising=False)


# --- waiting for the snapshot ------------------------------------------------------------------


def test_a_snapshot_built_inside_its_request_is_waited_for_as_the_project_size_asks(hostile, short_bounds, tmp_path):
    # 3,000 tasks: 1 s + 3 s. The server answers the POST after 2.5 s, past the old fixed 1 s
    # (which failed as "did not answer in time") and within the project's bound.
    server = hostile(*export_routes(slow(2.5, answer(snapshot("completed"), 201))))
    said: list[str] = []
    assert download(server, tmp_path, said) == len(EXPORT)
    assert (tmp_path / "export.json").read_bytes() == EXPORT
    # alive: the wait is shown with the time so far, and the time it took at the end
    waiting = [m for m in said if m.startswith("waiting for export snapshot")]
    assert waiting and re.search(r"\b[12] s\b", waiting[-1]), said
    assert any(re.fullmatch(r"export snapshot of project 7 built in \d+ s", m) for m in said), said


def test_a_snapshot_in_progress_past_the_old_bound_is_polled_until_it_completes(hostile, short_bounds, tmp_path):
    # A server that builds in the background (Label Studio with Redis) answers "in_progress"
    # at once; it completes after 2.5 s, past the old fixed 1 s.
    started = time.monotonic()

    def status(h, _body):
        h.send_json(snapshot("completed" if time.monotonic() - started > 2.5 else "in_progress"))

    server = hostile(*export_routes(answer(snapshot("in_progress"), 201), status))
    assert download(server, tmp_path) == len(EXPORT)


def test_a_snapshot_that_never_finishes_ends_in_one_line_naming_the_setting(hostile, monkeypatch, tmp_path):
    monkeypatch.setenv("ANNOTATE_EXPORT_TIMEOUT", "2")
    server = hostile(*export_routes(answer(snapshot("in_progress"), 201), answer(snapshot("in_progress"))))
    started = time.monotonic()
    with pytest.raises(ConnectionFailed) as caught:
        download(server, tmp_path)
    assert time.monotonic() - started < 10
    message = str(caught.value)
    assert "\n" not in message
    assert "did not finish in 2 s" in message and "ANNOTATE_EXPORT_TIMEOUT" in message, message


def test_a_silent_snapshot_request_ends_at_the_bound(hostile, monkeypatch, tmp_path):
    # The POST never answers within the bound (a server still building, or hung): the same line.
    monkeypatch.setenv("ANNOTATE_EXPORT_TIMEOUT", "1.5")
    server = hostile(*export_routes(slow(8, answer(snapshot("completed"), 201))))
    started = time.monotonic()
    with pytest.raises(ConnectionFailed) as caught:
        download(server, tmp_path)
    assert time.monotonic() - started < 5
    assert "did not finish in 2 s" in str(caught.value) and "ANNOTATE_EXPORT_TIMEOUT" in str(caught.value)


def test_the_wait_grows_with_the_project_and_the_setting_overrides_it(monkeypatch):
    monkeypatch.delenv("ANNOTATE_EXPORT_TIMEOUT", raising=False)
    floor, per = studio.EXPORT_WAIT_FLOOR, studio.EXPORT_SECONDS_PER_ITEM
    assert studio.export_timeout(0) == floor
    # 100,000 tasks with one annotation each: 200,000 items
    assert studio.export_timeout(100_000, 100_000) == floor + per * 200_000
    # at least four times Label Studio's ~25 ms a task (task + annotation), and never below 10 minutes
    assert per * 2 >= 4 * 0.025 and floor >= 600
    monkeypatch.setenv("ANNOTATE_EXPORT_TIMEOUT", "7200")
    assert studio.export_timeout(100_000, 100_000) == 7200


@pytest.mark.parametrize("value", ["soon", "-5", "0", "nan", "inf", "1e400"])
def test_a_bad_export_timeout_is_a_usage_error(monkeypatch, value):
    monkeypatch.setenv("ANNOTATE_EXPORT_TIMEOUT", value)
    with pytest.raises(UsageError, match="ANNOTATE_EXPORT_TIMEOUT"):
        studio.export_timeout(10)


def test_a_bad_export_timeout_stops_pull_with_exit_2_before_any_request(hostile, monkeypatch, tmp_path):
    monkeypatch.setenv("ANNOTATE_EXPORT_TIMEOUT", "an hour")
    # checked with ANNOTATE_MAX_ANSWER_MB when connecting: before anything is asked of the server
    server = hostile(*export_routes(answer(snapshot("completed"), 201)))
    assert_one_line(run(server, "pull", "--project", "7", "-o", str(tmp_path / "gold")), 2, "ANNOTATE_EXPORT_TIMEOUT")
    assert not server.log


def test_a_proxy_that_gives_up_on_the_snapshot_request_is_not_the_end(hostile, short_bounds, tmp_path):
    # nginx in front of Label Studio (its Docker image: proxy_read_timeout 300 s) answers 504
    # while the server goes on building; the snapshot is then found by its title and polled.
    made: dict = {}
    started = time.monotonic()

    def create(h, body):
        made["title"] = json.loads(body)["title"]
        h.send_raw(b"<html><body>504 Gateway Time-out</body></html>", 504, "text/html")

    def listing(h, _body):
        done = time.monotonic() - started > 1.5
        h.send_json([{**snapshot("completed" if done else "in_progress"), "id": 4, "title": "someone else's"},
                     {**snapshot("completed" if done else "in_progress"), "title": made["title"]}])

    def status(h, _body):
        h.send_json({**snapshot("completed" if time.monotonic() - started > 1.5 else "in_progress"),
                     "title": made["title"]})

    server = hostile(*export_routes(create, status), ("GET", r"/api/projects/7/exports/?", listing))
    assert download(server, tmp_path) == len(EXPORT)
    assert (tmp_path / "export.json").read_bytes() == EXPORT


def test_a_gateway_error_without_a_snapshot_is_one_line(hostile, short_bounds, tmp_path):
    server = hostile(*export_routes(raw(b"<html>502 Bad Gateway</html>", 502)),
                     ("GET", r"/api/projects/7/exports/?", answer([])))
    with pytest.raises(ConnectionFailed, match="HTTP 502"):
        download(server, tmp_path)


# --- the download --------------------------------------------------------------------------------


def steady(data: bytes, seconds: float, pieces: int = 30):
    """Send `data` in `pieces` parts spread over `seconds` (a big export over a modest link)."""
    def handle(h, _body):
        h.send_response(200)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        step = -(-len(data) // pieces)
        for i in range(0, len(data), step):
            h.wfile.write(data[i:i + step])
            h.wfile.flush()
            time.sleep(seconds / pieces)
    return handle


def test_a_big_export_arriving_steadily_is_not_cut_at_a_fixed_deadline(hostile, monkeypatch, tmp_path):
    # The download's whole-answer deadline was TRICKLE_FACTOR x its read timeout (40 minutes
    # for 600 s): 2.4 GB (100,000 real-sized tasks) at 1 MB/s did not fit. Here: a 0.25 s read
    # timeout (deadline 1 s) and 3 MB over 3 s.
    monkeypatch.setattr(studio, "LONG_TIMEOUT", 0.25)
    monkeypatch.setenv("ANNOTATE_EXPORT_TIMEOUT", "5")
    export = json.dumps([{"id": 1, "data": {"text": "x" * (3 << 20)}, "annotations": []}]).encode()
    server = hostile(("GET", r"/api/projects/7/exports/5/download/?", steady(export, 3.0)),
                     *export_routes(answer(snapshot("completed"), 201)))
    client = studio.client(server.url, TOKEN)
    with open(tmp_path / "export.json", "wb") as fh:
        assert studio.download_export(client, 7, fh) == len(export)


def test_an_export_download_trickling_in_still_times_out(hostile, monkeypatch, tmp_path):
    # ... while a server sending a few bytes a second is still cut off.
    monkeypatch.setattr(studio, "LONG_TIMEOUT", 0.25)
    monkeypatch.setenv("ANNOTATE_EXPORT_TIMEOUT", "5")
    server = hostile(("GET", r"/api/projects/7/exports/5/download/?", steady(b"[" + b" " * 400 + b"]", 30, 400)),
                     *export_routes(answer(snapshot("completed"), 201)))
    started = time.monotonic()
    with pytest.raises(ConnectionFailed, match="did not answer in time"):
        download(server, tmp_path)
    assert time.monotonic() - started < 10


def test_waiting_leaves_no_thread_behind_a_finished_export(hostile, short_bounds, tmp_path):
    server = hostile(*export_routes(slow(0.2, answer(snapshot("completed"), 201))))
    download(server, tmp_path)
    assert not [t for t in threading.enumerate() if t.name == "annotate-export"]


# --- request lines -------------------------------------------------------------------------------

NGINX_LINE = 8192  # nginx's default large_client_header_buffers (Label Studio's Docker image keeps it)


def nginx_task_list(log: list):
    """The task list behind nginx: a request line over 8 KB is refused with 414; else every
    selected id is a task with one annotation, and a count is 3 a range asked for."""
    from urllib.parse import parse_qs, urlsplit

    def handle(h, _body):
        if len(f"GET {h.path} HTTP/1.1") > NGINX_LINE:
            return h.send_raw(b"<html><center><h1>414 Request-URI Too Large</h1></center></html>", 414, "text/html")
        params = {k: v[0] for k, v in parse_qs(urlsplit(h.path).query).items()}
        query = json.loads(params.get("query") or "{}")
        log.append(query)
        if "selectedItems" in query:
            ids = query["selectedItems"]["included"]
            return h.send_json({"tasks": [{"id": i, "total_annotations": 1} for i in ids], "total": len(ids)})
        items = (query.get("filters") or {}).get("items") or []
        return h.send_json({"tasks": [], "total": 3 * len(items)})
    return handle


def test_annotations_of_many_tasks_are_read_in_requests_nginx_accepts(hostile):
    # remove_duplicates asks which of the duplicates have annotations: 1,000 six-digit ids in
    # one query string were a 10 KB request line, refused with 414 behind nginx.
    log: list = []
    server = hostile(("GET", r"/api/tasks/?", nginx_task_list(log)))
    ids = list(range(100_000, 101_000))
    assert studio.annotated_tasks(studio.client(server.url, TOKEN), 7, ids) == set(ids)
    assert sum(len(q["selectedItems"]["included"]) for q in log) == 1000


def test_counting_many_id_ranges_stays_within_a_request_line_nginx_accepts(hostile):
    # push's check for other writers counts up to 50 id ranges at once: 8.5 KB of query.
    log: list = []
    server = hostile(("GET", r"/api/tasks/?", nginx_task_list(log)))
    ranges = [(1_000_000 + 1000 * i, 1_000_000 + 1000 * i + 499) for i in range(50)]
    assert studio.count_tasks(studio.client(server.url, TOKEN), 7, ranges) == 3 * 50


def test_many_duplicates_are_deleted_in_requests_a_proxy_waits_for(hostile):
    # Two pushes of one 100,000-task file at once leave up to 100,000 duplicates; deleting them
    # in one request outlasts a proxy. Here the proxy gives up (504) on more than 2,000 at once.
    sizes: list[int] = []

    def delete(h, body):
        ids = json.loads(body)["selectedItems"]["included"]
        sizes.append(len(ids))
        if len(ids) > 2000:
            return h.send_raw(b"<html>504 Gateway Time-out</html>", 504, "text/html")
        h.send_json({"processed_items": len(ids)})

    server = hostile(("POST", r"/api/dm/actions/?", delete))
    ids = list(range(200_001, 205_001))
    assert studio.delete_unannotated_tasks(studio.client(server.url, TOKEN), 7, ids) == 5000
    assert sum(sizes) == 5000


# --- the real server -----------------------------------------------------------------------------


@pytest.mark.studio
def test_a_real_snapshot_is_waited_for_with_the_project_size_and_said_when_built(studio, tmp_path, monkeypatch):
    # `studio` here is the session's Label Studio (tests/conftest.py); the module is `api`.
    from annotate import studio as api
    from annotate.push import push

    from .conftest import SEEDS

    monkeypatch.delenv("ANNOTATE_EXPORT_TIMEOUT", raising=False)
    stats = push(studio.url, studio.token, [str(SEEDS)], "Export wait check")
    said: list[str] = []
    with open(tmp_path / "export.json", "wb") as fh:
        size = api.download_export(api.connect(studio.url, studio.token), stats.project_id, fh, said.append)
    tasks = json.loads((tmp_path / "export.json").read_bytes())
    assert size > 0 and len(tasks) == 5
    # the project's 5 seed tasks, and the snapshot's time at the end
    assert said[0] == f"creating export snapshot of project {stats.project_id} (5 tasks)", said
    assert any(re.fullmatch(rf"export snapshot of project {stats.project_id} built in \d+ s", m) for m in said), said
