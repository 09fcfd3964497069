"""Red team: annotate against a hostile or broken Label Studio (a stdlib HTTP server in a thread).

This does not replace the real Label Studio round trips (tests/conftest.py `studio`): the
fake server here plays a proxy, a login page, a buggy or malicious server, one endpoint at a
time, everything else answering like Label Studio would. Whatever it does, push/pull/agree/
report must end with one line (exit 3 for connection/server trouble), no traceback, no hang
past the documented timeouts, no duplicate import and no token in what is printed.
"""

from __future__ import annotations

import json
import re
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotate.cli import cli
from annotate.labeling import labeling_config

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
TOKEN = "redteam-token-5f0c1d2e3a4b"
HTML = b"<html><head><title>Sign in</title></head><body><h1>Please log in</h1><form></form></body></html>"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _serve(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        self.server.log.append((method, self.path, body))
        path = self.path.split("?")[0]
        for m, pattern, answer in self.server.routes:
            if m == method and re.fullmatch(pattern, path):
                return answer(self, body)
        return self.send_json({"detail": "Not found."}, 404)

    def do_GET(self):
        self._serve("GET")

    def do_POST(self):
        self._serve("POST")

    def do_PATCH(self):
        self._serve("PATCH")

    def do_DELETE(self):
        self._serve("DELETE")

    def send_json(self, obj, status: int = 200, headers: dict | None = None) -> None:
        self.send_raw(json.dumps(obj).encode(), status, "application/json", headers)

    def send_raw(self, data: bytes, status: int = 200, ctype: str = "application/json",
                 headers: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)


def answer(obj, status: int = 200, headers: dict | None = None):
    return lambda h, _body: h.send_json(obj, status, headers)


def raw(data: bytes, status: int = 200, ctype: str = "text/html"):
    return lambda h, _body: h.send_raw(data, status, ctype)


PROJECT = {"id": 7, "title": "Red team", "label_config": labeling_config(), "task_number": 0,
           "total_annotations_number": 0, "description": ""}


def label_studio_routes() -> list:
    """Just enough of Label Studio for a push into an empty project 7."""
    return [
        ("GET", r"/api/current-user/whoami/?", answer({"id": 1, "email": "lead@example.org", "username": "lead"})),
        ("GET", r"/api/projects/?", answer({"count": 1, "results": [PROJECT], "next": None, "previous": None})),
        ("GET", r"/api/projects/7/?", answer(PROJECT)),
        ("GET", r"/api/tasks/?", answer({"tasks": [], "total": 0})),
        ("GET", r"/api/dm/views/?", answer([{"id": 1}])),
    ]


class _QuietServer(ThreadingHTTPServer):
    """Errors of the server's own threads (the client hanging up on a bomb, say) are kept, not
    printed: printed, they landed in the CLI's captured stderr as a second and third line."""

    def handle_error(self, request, client_address):
        self.errors.append(sys.exc_info()[1])


class HostileServer:
    def __init__(self, *override):
        self.httpd = _QuietServer(("127.0.0.1", 0), _Handler)
        self.httpd.errors = []
        self.httpd.daemon_threads = True
        self.httpd.routes = list(override) + label_studio_routes()
        self.httpd.log = []
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    @property
    def log(self) -> list:
        return self.httpd.log

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def hostile():
    servers = []

    def make(*override) -> HostileServer:
        servers.append(HostileServer(*override))
        return servers[-1]

    yield make
    for server in servers:
        server.close()


def run(server: HostileServer, *args):
    """The CLI in-process; an unexpected exception propagates (fails the test with its traceback)."""
    return CliRunner().invoke(cli, [*args, "--url", server.url, "--api-key", TOKEN], catch_exceptions=False)


def assert_one_line(result, code: int = 3, *words: str) -> str:
    assert result.exit_code == code, result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    assert "Traceback" not in result.output and TOKEN not in result.output
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


def push(server):
    return run(server, "push", str(SEEDS), "--project", "7", "-j", "1")


def imports(server) -> int:
    return sum(1 for method, path, _ in server.log if method == "POST" and "/import" in path)


# --- answers that are not Label Studio's JSON ----------------------------------------------------


def test_a_login_page_for_the_project_is_one_line(hostile):
    server = hostile(("GET", r"/api/projects/7/?", raw(HTML)))
    assert_one_line(push(server), 3, "open project 7", "Label Studio URL")


def test_a_list_where_the_project_belongs_is_one_line(hostile):
    server = hostile(("GET", r"/api/projects/7/?", answer([])))
    assert_one_line(push(server), 3, "open project 7")


@pytest.mark.parametrize("page", [
    pytest.param(HTML, id="html"),
    pytest.param(b"[]", id="list"),
    pytest.param(b'{"tasks": [{"id": "1"}], "total": 1}', id="string-id"),
    pytest.param(b'{"tasks": [{"meta": {}}], "total": 1}', id="missing-id"),
    pytest.param(b'{"tasks": {"id": 1}, "total": 1}', id="tasks-not-a-list"),
])
def test_a_task_list_of_the_wrong_shape_is_one_line_and_nothing_is_imported(hostile, page):
    server = hostile(("GET", r"/api/tasks/?", raw(page, ctype="application/json")))
    assert_one_line(push(server), 3, "list the tasks of project 7")
    assert imports(server) == 0


def test_a_task_list_that_ignores_its_filter_neither_loops_nor_counts_twice(hostile):
    # The same full page whatever is asked (a proxy cache, a server ignoring `query`): the
    # index reader would ask for "the page after id 1000" forever.
    page = json.dumps({"tasks": [{"id": i, "meta": {}, "data": {}} for i in range(1, 1001)], "total": 5000}).encode()
    served = []

    def same_page(h, _body):  # after 50 pages, a 500 ends what would otherwise never end
        served.append(1)
        h.send_raw(page if len(served) <= 50 else b'{"detail": "enough"}', 200 if len(served) <= 50 else 500,
                   "application/json")

    server = hostile(("GET", r"/api/tasks/?", same_page))
    assert_one_line(push(server), 3, "list the tasks of project 7")
    assert imports(server) == 0
    assert sum(1 for method, path, _ in server.log if path.startswith("/api/tasks")) < 10


@pytest.mark.parametrize("reply", [
    pytest.param(b"[1, 2, 3, 4, 5]", id="list"),
    pytest.param(b'{"task_ids": ["1", "2", "3", "4", "5"]}', id="string-ids"),
    pytest.param(HTML, id="html"),
])
def test_an_import_answer_of_the_wrong_shape_is_one_line_and_sent_once(hostile, reply):
    server = hostile(("POST", r"/api/projects/7/import/?", raw(reply, 201, "application/json")))
    assert_one_line(push(server), 3, "import tasks into project 7")
    assert imports(server) == 1


# --- slow servers ----------------------------------------------------------------------------


def trickle(seconds: float):
    """A JSON answer that arrives one byte every 0.2 s, for `seconds` (then it ends)."""
    import time

    def serve(h, _body):
        h.send_response(200)
        h.send_header("Content-Type", "application/json")
        h.send_header("Transfer-Encoding", "chunked")
        h.end_headers()
        data = b'{"id": 1, "email": "' + b"x" * 10_000
        end = time.monotonic() + seconds
        try:
            for byte in data:
                if time.monotonic() > end:
                    break
                h.wfile.write(b"1\r\n" + bytes([byte]) + b"\r\n")
                h.wfile.flush()
                time.sleep(0.2)
            h.wfile.write(b'2\r\n"}\r\n0\r\n\r\n')
        except OSError:
            pass  # the client gave up
    return serve


def test_an_answer_trickling_in_byte_by_byte_times_out(hostile, monkeypatch):
    # httpx's read timeout bounds the silence between bytes, not an answer: before, a server
    # sending a byte every 0.2 s held `connect` (and every command) for as long as it liked.
    import time

    from annotate import studio

    monkeypatch.setattr(studio, "CHECK_TIMEOUT", 1.0)  # whole answer: TRICKLE_FACTOR x 1 s
    server = hostile(("GET", r"/api/current-user/whoami/?", trickle(30)))
    started = time.monotonic()
    result = push(server)
    elapsed = time.monotonic() - started
    assert_one_line(result, 3, "did not answer in time", "check the API key")
    assert elapsed < 15, elapsed


def test_a_gzip_bomb_is_refused_before_it_is_decoded(hostile):
    # 20 MB of spaces gzip to ~20 KB; before, httpx decoded the whole answer into memory
    # (300 KB of gzip took the client to 1.1 GB), so a few MB could exhaust the machine.
    import gzip

    bomb = gzip.compress(b'{"id": 1, "email": "' + b" " * (20 << 20) + b'"}', 9)
    server = hostile(("GET", r"/api/current-user/whoami/?",
                      lambda h, _b: h.send_raw(bomb, 200, "application/json", {"Content-Encoding": "gzip"})))
    assert_one_line(push(server), 3, "check the API key")


# --- answers without end ---------------------------------------------------------------------


def test_an_answer_larger_than_the_limit_is_one_line_not_all_memory(hostile, monkeypatch):
    # a server that keeps sending (a broken proxy, a hostile host) filled memory as long as it
    # sent: httpx reads an answer whole. 3 MB against a 1 MB limit stops at the limit.
    monkeypatch.setenv("ANNOTATE_MAX_ANSWER_MB", "1")
    big = b'{"id": 1, "email": "' + b"x" * (3 << 20) + b'"}'
    server = hostile(("GET", r"/api/current-user/whoami/?", raw(big, 200, "application/json")))
    assert_one_line(push(server), 3, "larger than 1 MB", "ANNOTATE_MAX_ANSWER_MB")


def test_a_bad_answer_limit_setting_is_a_usage_error(hostile, monkeypatch):
    monkeypatch.setenv("ANNOTATE_MAX_ANSWER_MB", "lots")
    assert_one_line(push(hostile()), 2, "ANNOTATE_MAX_ANSWER_MB")


def test_an_export_download_is_not_held_to_the_answer_limit(hostile, monkeypatch, tmp_path):
    # download_export streams the snapshot into a file, so a project's export may be larger
    # than any answer read into memory: 3 MB with a 1 MB limit arrive whole
    from annotate import studio

    monkeypatch.setenv("ANNOTATE_MAX_ANSWER_MB", "1")
    export = json.dumps([{"id": 1, "data": {"text": "x" * (3 << 20)}, "annotations": []}]).encode()
    snapshot = {"id": 5, "status": "completed", "title": "t", "created_at": "2026-01-01T00:00:00Z"}
    server = hostile(("POST", r"/api/projects/7/exports/?", answer(snapshot, 201)),
                     ("GET", r"/api/projects/7/exports/5/?", answer(snapshot)),
                     ("GET", r"/api/projects/7/exports/5/download/?", raw(export, 200, "application/json")),
                     ("DELETE", r"/api/projects/7/exports/5/?", answer({}, 204)))
    client = studio.client(server.url, TOKEN)
    with open(tmp_path / "export.json", "wb") as fh:
        size = studio.download_export(client, 7, fh)
    assert size == len(export)
    assert (tmp_path / "export.json").read_bytes() == export
