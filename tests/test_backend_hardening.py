"""The ML backend under hostile or broken clients: slow bodies, unauthenticated bodies, deep JSON.

Only 127.0.0.1, bounded in connections and time (each test well under 30 s).
"""

from __future__ import annotations

import json
import socket
import statistics
import time

import httpx
import pytest

from annotate.backend import start_backend_in_thread

HEAD = "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {length}\r\n{extra}\r\n"


def port_of(backend) -> int:
    return int(backend.url.rsplit(":", 1)[1])


def slow_client(backend, path: str = "/predict", length: int = 100_000, extra: str = "") -> socket.socket:
    """A connection that has sent a request's headers and one body byte, and then nothing."""
    sock = socket.create_connection(("127.0.0.1", port_of(backend)), timeout=5)
    sock.sendall(HEAD.format(path=path, length=length, extra=extra).encode() + b"[")
    return sock


def read_answer(sock: socket.socket, timeout: float) -> tuple[int, dict, str]:
    """(status, JSON body, raw head) of the answer on `sock`, read within `timeout` seconds."""
    sock.settimeout(timeout)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, f"connection closed without an answer: {data!r}"
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = int(next(line.split(b":")[1] for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")))
    while len(body) < length:
        chunk = sock.recv(65536)
        assert chunk
        body += chunk
    return int(head.split()[1]), json.loads(body), head.decode("latin-1")


def health_latencies(url: str, probes: int) -> list[float]:
    """Seconds each `GET /health` on a fresh connection took (inf: no answer within 5 s)."""
    out = []
    for _ in range(probes):
        started = time.perf_counter()
        try:
            ok = httpx.get(url + "/health", timeout=5).status_code == 200
        except httpx.HTTPError:
            ok = False
        out.append(time.perf_counter() - started if ok else float("inf"))
        time.sleep(0.1)
    return out


def test_health_answers_under_120_slow_body_connections():
    """Issue 15 item 5: ~120 connections trickling a body made /health time out (waitress
    stopped accepting at 100 open connections)."""
    with start_backend_in_thread(port=0) as backend:
        attackers = [slow_client(backend) for _ in range(120)]
        try:
            latencies = health_latencies(backend.url, 10)
            r = httpx.post(backend.url + "/predict", json={"tasks": [{"id": 1, "data": {"text": "He said hi."}}]},
                           timeout=5)
            assert r.status_code == 200
        finally:
            for sock in attackers:
                sock.close()
    assert max(latencies) < 2.0, latencies
    assert statistics.median(latencies) < 0.5, latencies


def test_at_the_connection_limit_the_most_stalled_connection_makes_room():
    with start_backend_in_thread(port=0, connection_limit=20) as backend:
        attackers = [slow_client(backend) for _ in range(40)]  # the last 20 wait in the backlog
        try:
            latencies = health_latencies(backend.url, 5)
        finally:
            for sock in attackers:
                sock.close()
        assert backend.server.evicted >= 20
    assert max(latencies) < 2.0, latencies


def test_a_request_arriving_too_slowly_is_answered_408():
    with start_backend_in_thread(port=0, read_grace=1.0) as backend:
        sock = slow_client(backend)
        try:
            started = time.monotonic()
            status, body, head = read_answer(sock, timeout=10)
            assert status == 408 and "not received in time" in body["error"]
            assert time.monotonic() - started < 5
            assert "Connection: close" in head
        finally:
            sock.close()
        assert httpx.get(backend.url + "/health", timeout=5).status_code == 200


def test_without_credentials_the_body_is_not_read():
    """Basic auth is checked as soon as the headers are in: a client without credentials
    cannot hold a connection by trickling a body."""
    with start_backend_in_thread(port=0, basic_auth=("ls", "s3cret-pw")) as backend:
        sock = slow_client(backend, length=10_000_000)
        try:
            status, body, head = read_answer(sock, timeout=3)
        finally:
            sock.close()
        assert status == 401 and body == {"error": "basic auth credentials required"}
        assert 'WWW-Authenticate: Basic realm="annotate backend"' in head
        # with the right credentials the same start reads the body as before
        good = "Authorization: Basic bHM6czNjcmV0LXB3\r\n"
        sock = socket.create_connection(("127.0.0.1", port_of(backend)), timeout=5)
        try:
            sock.sendall(HEAD.format(path="/predict", length=13, extra=good).encode() + b'{"tasks": []')
            time.sleep(0.3)
            sock.sendall(b"}")
            status, body, _ = read_answer(sock, timeout=5)
        finally:
            sock.close()
        assert status == 200 and body["results"] == []


def test_a_declared_body_over_the_limit_is_refused_before_it_is_sent():
    with start_backend_in_thread(port=0, max_body=1024 * 1024) as backend:
        sock = slow_client(backend, length=1024 * 1024 + 1)
        try:
            status, body, _ = read_answer(sock, timeout=3)
        finally:
            sock.close()
        assert status == 413 and "over the 1048576-byte limit" in body["error"]


@pytest.mark.parametrize("body_size", [200_000, 3_000_000])
def test_a_client_sending_its_whole_refused_body_reads_the_answer(body_size):
    """The refusal comes before the body, but a client that sends the body anyway (as most
    HTTP clients do) still reads the 401, not a connection reset."""
    with start_backend_in_thread(port=0, basic_auth=("ls", "s3cret-pw")) as backend, \
            httpx.Client(base_url=backend.url, timeout=10) as http:
        tasks = [{"id": 1, "data": {"text": "x" * body_size}}]
        for _ in range(3):
            r = http.post("/predict", json={"tasks": tasks})
            assert r.status_code == 401 and r.json()["error"] == "basic auth credentials required"
        assert http.get("/health").status_code == 200


@pytest.mark.parametrize("depth", [200_000, 5_000])
def test_deeply_nested_json_is_a_400_not_a_500(depth):
    """Issue 15 item 7: json.loads raised RecursionError, answered 500."""
    with start_backend_in_thread(port=0) as backend, httpx.Client(base_url=backend.url, timeout=30) as http:
        nested = "[" * depth + "]" * depth
        for body in (nested, '{"tasks": ' + nested + "}", '{"tasks": [{"id": 1, "data": ' + nested + "}]}"):
            r = http.post("/predict", content=body.encode(), headers={"Content-Type": "application/json"})
            assert r.status_code == 400, r.text
            assert "nested too deeply" in r.json()["error"]
        r = http.post("/webhook", content=('{"action": "TASKS_CREATED", "tasks": ' + nested + "}").encode())
        assert r.status_code == 400
        assert http.get("/health").status_code == 200
