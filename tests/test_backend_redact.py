"""The backend and `annotate connect` never show a token or password, even one a server echoes.

The "Label Studio" here is a tiny local HTTP server on 127.0.0.1 that answers `whoami` and
then answers everything else with a 500 whose body and headers echo the request's header
values (as a misconfigured proxy or a debug page can).
"""

from __future__ import annotations

import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from click.testing import CliRunner

from annotate.backend import start_backend_in_thread
from annotate.cli import cli
from annotate.redact import forget_all

TOKEN = "f00dcafe" * 5  # a legacy-style token: the SDK sends "Authorization: Token <it>"
PASSWORD = "pw-in-url-987"


class EchoHandler(BaseHTTPRequestHandler):
    def log_message(self, *args):  # keep the test output quiet
        pass

    def _answer(self):
        if self.path.startswith("/api/current-user/whoami"):
            status, body = 200, {"id": 1, "email": "u@example.com", "username": "u"}
        else:
            seen = " | ".join(self.headers.values())  # values only: no "Authorization:" to spot
            status, body = 500, {"detail": f"server error; your request carried {seen}"}
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        if status == 500:
            self.send_header("X-Echo", self.headers.get("Authorization", ""))  # first in the SDK's error text
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _answer


@pytest.fixture
def echo_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), EchoHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def _fresh_secrets():
    forget_all()  # each test proves its own code registers the secrets
    yield
    forget_all()


def test_connect_never_shows_the_token_or_the_backend_password(echo_server):
    r = CliRunner().invoke(cli, ["connect", "--url", echo_server, "--api-key", TOKEN, "--project", "5",
                                 "--backend", f"http://ls:{PASSWORD}@127.0.0.1:9"])
    assert r.exit_code == 3, r.output
    assert "HTTP 500" in r.output and "your request carried" in r.output  # the server's text is shown...
    assert TOKEN[:12] not in r.output  # ...without the token it echoed
    assert PASSWORD not in r.output and "ls:" not in r.output


def test_connect_error_from_the_library_is_redacted_too(echo_server):
    from annotate.backend import connect
    from annotate.errors import ConnectionFailed

    with pytest.raises(ConnectionFailed) as caught:
        connect(echo_server, TOKEN, "Quotes", "http://127.0.0.1:9", basic_auth=("ls", PASSWORD))
    assert "your request carried" in str(caught.value)
    assert TOKEN[:12] not in str(caught.value) and PASSWORD not in str(caught.value)


def test_backend_log_never_shows_the_token_a_server_echoes(echo_server, caplog):
    caplog.set_level("INFO", logger="annotate.backend")
    with start_backend_in_thread(port=0, url=echo_server, api_key=TOKEN) as backend:
        r = httpx.post(backend.url + "/webhook", timeout=10, json={
            "action": "TASKS_CREATED", "project": {"id": 3},
            "tasks": [{"id": 1, "project": 3, "data": {"text": 'He said: "We will win."', "targets": []}}]})
        assert r.json()["queued"] == 1
        assert backend.app.filler.wait_idle(60)
        assert backend.app.filler.failed == 1
    messages = [r.getMessage() for r in caplog.records if r.name == "annotate.backend"]
    failures = [m for m in messages if "could not fill" in m]
    assert failures and "ApiError" in failures[0]
    assert all(TOKEN[:12] not in m for m in messages), failures  # not even a cut-off piece of it


def test_backend_log_lines_and_tracebacks_are_redacted(caplog):
    import annotate.backend.app  # noqa: F401  (installs the filter)
    from annotate.redact import remember

    remember(TOKEN)
    log = logging.getLogger("annotate.backend")
    caplog.set_level("INFO", logger="annotate.backend")
    log.warning("posting to %s failed", f"http://ls:{PASSWORD}@example.org/x")
    try:
        raise RuntimeError(f"server said: Token {TOKEN}")
    except RuntimeError:
        log.exception("unexpected error")
    text = caplog.text
    assert "posting to http://***@example.org/x failed" in text
    assert "RuntimeError: server said: Token ***" in text
    assert PASSWORD not in text and TOKEN not in text


def test_backend_basic_auth_password_is_registered(caplog):
    from annotate.redact import redact

    with start_backend_in_thread(port=0, basic_auth=("ls", PASSWORD)):
        assert PASSWORD not in redact(f"a message quoting {PASSWORD}")
