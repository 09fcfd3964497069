"""Benchmark: can slow clients stall the ML backend? /health and /predict latency under attack.

    .venv/bin/python benchmarks/backend_stall.py [--connections 200] [--duration 20] [--auth]

Starts `annotate backend` in a child process on a free port of 127.0.0.1, then opens
--connections connections to it that each send the headers of a `POST /predict` announcing a
100 kB body and then one body byte every --interval seconds (a "slow body" attack). A
connection the server closes is opened again at once (a persistent attacker), so the attack
keeps its size. Meanwhile one client asks `GET /health` (and every fourth time a one-task
`POST /predict`) on a fresh connection every 0.25 s and records how long the answer takes
(a request without an answer within --timeout counts as a timeout).

With --auth the backend requires basic auth and the attacker sends none (what a stranger on
the network can do); without it the backend is open (the default `annotate backend`).

Bounded: only 127.0.0.1, at most 1,000 connections and 120 s; it stops by itself and closes
everything it opened, the server included.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import selectors
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from backend import start_server as start_backend  # noqa: E402  (benchmarks/backend.py)

from annotate.demo import free_port  # noqa: E402

HOST = "127.0.0.1"
MAX_CONNECTIONS = 1000
MAX_DURATION = 120.0
AUTH = ("ls", "bench-secret-pw")


def start_server(port: int, auth: bool) -> subprocess.Popen:
    """The backend with 4 threads (and basic auth when `auth`); its eviction warnings silenced."""
    return start_backend(port, 4, silence="WARNING", **({"basic_auth": AUTH} if auth else {}))


class SlowBodies:
    """Keep `count` connections sending a request body one byte at a time, from one thread."""

    HEADERS = (b"POST /predict HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n"
               b"Content-Length: 100000\r\n\r\n")

    def __init__(self, port: int, count: int, interval: float):
        self.port, self.count, self.interval = port, count, interval
        self.opened = self.closed_by_server = self.refused = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.socks: dict[socket.socket, float] = {}  # socket -> when it last sent a byte
        self.sel = selectors.DefaultSelector()

    def start(self) -> SlowBodies:
        for _ in range(self.count):
            self._open()
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(10)
        for sock in list(self.socks):
            self._close(sock)
        self.sel.close()

    def _open(self) -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.settimeout(5)
        try:
            sock.connect((HOST, self.port))
            sock.sendall(self.HEADERS % HOST.encode())
        except OSError:
            self.refused += 1
            sock.close()
            return
        sock.setblocking(False)
        self.socks[sock] = time.monotonic()
        self.sel.register(sock, selectors.EVENT_READ)
        self.opened += 1

    def _close(self, sock: socket.socket) -> None:
        self.socks.pop(sock, None)
        try:
            self.sel.unregister(sock)
        except (KeyError, ValueError):
            pass
        sock.close()

    def _run(self) -> None:
        while not self._stop.is_set():
            for key, _ in self.sel.select(timeout=0.1):
                sock = key.fileobj
                try:
                    data = sock.recv(65536)
                except OSError:
                    data = b""
                if not data or b"\r\n\r\n" in data or data.startswith(b"HTTP/"):
                    self.closed_by_server += 1  # answered (an error) or closed: drop it, open another
                    self._close(sock)
            now = time.monotonic()
            for sock, last in list(self.socks.items()):
                if now - last >= self.interval:
                    try:
                        sock.send(b" ")
                        self.socks[sock] = now
                    except OSError:
                        self.closed_by_server += 1
                        self._close(sock)
            while len(self.socks) < self.count and not self._stop.is_set():
                before = len(self.socks)
                self._open()
                if len(self.socks) == before:
                    break


def probe(port: int, path: str, timeout: float, auth: bool) -> float | None:
    """Seconds until the answer to one request on a fresh connection; None on a timeout or error."""
    headers = {"Content-Type": "application/json"}
    if auth:
        headers["Authorization"] = "Basic " + base64.b64encode(":".join(AUTH).encode()).decode()
    body = json.dumps({"tasks": [{"id": 1, "data": {"text": 'He said: "We will win." The end.'}}]}) \
        if path == "/predict" else None
    started = time.perf_counter()
    try:
        conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
        conn.request("POST" if body else "GET", path, body=body, headers=headers)
        response = conn.getresponse()
        response.read()
        conn.close()
        if response.status != 200:
            return None
    except OSError:
        return None
    return time.perf_counter() - started


def summary(name: str, latencies: list[float | None]) -> str:
    ok = sorted(x for x in latencies if x is not None)
    failed = len(latencies) - len(ok)
    if not ok:
        return f"{name:8} {len(latencies)} requests, all failed or timed out"
    return (f"{name:8} {len(latencies):4} requests: p50 {1000 * statistics.median(ok):7.1f} ms, "
            f"max {1000 * ok[-1]:7.1f} ms, failed/timed out {failed}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--connections", type=int, default=200)
    ap.add_argument("--duration", type=float, default=20.0, help="seconds of attack (max 120)")
    ap.add_argument("--interval", type=float, default=3.0, help="seconds between body bytes")
    ap.add_argument("--timeout", type=float, default=5.0, help="seconds a probe waits for its answer")
    ap.add_argument("--auth", action="store_true", help="backend with basic auth; attacker without")
    args = ap.parse_args()
    count = max(1, min(args.connections, MAX_CONNECTIONS))
    duration = max(1.0, min(args.duration, MAX_DURATION))

    port = free_port()
    server = start_server(port, args.auth)
    attack = None
    try:
        quiet = [probe(port, "/health", args.timeout, args.auth) for _ in range(10)]
        attack = SlowBodies(port, count, args.interval).start()
        time.sleep(min(2.0, duration / 4))  # let the attack settle
        health, predict = [], []
        end = time.monotonic() + duration
        i = 0
        while time.monotonic() < end:
            started = time.monotonic()
            if i % 4 == 3:
                predict.append(probe(port, "/predict", args.timeout, args.auth))
            else:
                health.append(probe(port, "/health", args.timeout, args.auth))
            i += 1
            time.sleep(max(0.0, 0.25 - (time.monotonic() - started)))
        held = len(attack.socks)
    finally:
        if attack is not None:
            attack.stop()
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()

    print(f"backend {'with basic auth (attacker has none)' if args.auth else 'open'}; "
          f"{count} slow-body connections (1 byte / {args.interval:g} s) for {duration:g} s")
    print(summary("quiet", quiet))
    print(summary("/health", health))
    print(summary("/predict", predict))
    print(f"attacker: {attack.opened} connections opened, {attack.closed_by_server} closed or answered by "
          f"the server, {attack.refused} refused; {held} open at the end")


if __name__ == "__main__":
    main()
