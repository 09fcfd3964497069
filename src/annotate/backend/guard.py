"""Slow or hostile clients must not stall the backend: a waitress channel and server that bound them.

waitress reads every request, body included, on its one event-loop thread before a worker
runs the app, and by default stops accepting connections once 100 are open. A client that
sends headers and then one body byte every few seconds therefore holds a connection for
as long as it likes, and about a hundred of them leave `/health` and `/predict` unanswered
(measured: every probe timed out under 200 such connections). Here:

- **Screening before the body:** once a request's headers are in, the app's own checks that
  need no body (route, method, basic auth, declared size) run at once; a refused request is
  answered (401, 404, 405, 413 as JSON) without reading its body.
- **A read deadline:** a request must be fully received within `read_grace` seconds of its
  first byte, or keep arriving at `min_rate` bytes a second on average after that; a slower
  one is answered 408 and its connection closed.
- **Eviction instead of refusal:** at `connection_limit` open connections, the connections
  stalled the longest (idle, or still sending its request; never one whose request is being
  served) are closed (a batch at a time) to make room, so a new client is always accepted.
- **Lingering close:** a refused connection stops sending, then reads and drops what the client
  still sends for up to `LINGER` seconds before closing, so the client reads the answer
  instead of a connection reset.
- `select` is limited to 1024 file descriptors: the loop uses `poll`.
"""

from __future__ import annotations

import heapq
import json
import logging
import socket
import time

from waitress.channel import HTTPChannel
from waitress.server import TcpWSGIServer

from .app import STATUS_TEXT, BackendApp, HTTPError

log = logging.getLogger("annotate.backend")

READ_GRACE = 10.0  # seconds a request may take to arrive, whatever its size
MIN_RATE = 8 * 1024  # bytes per second a request must average once the grace is used up
CONNECTION_LIMIT = 300  # open connections before the most stalled one is closed for a new one
LINGER = 5.0  # seconds a refused connection keeps reading (and dropping) what the client sends
GUARD_INTERVAL = 0.5  # seconds between deadline checks
ACCEPT_BATCH = 32  # connections accepted, or evicted at the limit, per loop turn


def canned_response(status: int, message: str) -> bytes:
    """A complete HTTP/1.1 answer `{"error": message}` that closes the connection."""
    body = json.dumps({"error": message}, ensure_ascii=False).encode("utf-8")
    head = [f"HTTP/1.1 {status} {STATUS_TEXT.get(status, '')}".strip(),
            "Content-Type: application/json; charset=utf-8", f"Content-Length: {len(body)}",
            "Connection: close"]
    if status == 401:
        head.append('WWW-Authenticate: Basic realm="annotate backend"')
    return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body


class GuardedChannel(HTTPChannel):
    """An HTTP connection that screens requests after their headers and times their arrival."""

    request_started: float | None = None  # monotonic time of the current request's first byte
    request_bytes = 0  # bytes of the current request received so far
    idle_since = 0.0  # monotonic time the connection last finished receiving a request
    closing_at: float | None = None  # refused: drop input until then, then close
    write_shut = False

    def __init__(self, server, sock, addr, adj, map=None):
        super().__init__(server, sock, addr, adj, map=map)
        self.idle_since = time.monotonic()

    # --- receiving --------------------------------------------------------------------

    def received(self, data):
        if self.closing_at is not None:
            return False
        now = time.monotonic()
        before = self.request
        if before is None:
            self.request_started, self.request_bytes = now, 0
        self.request_bytes += len(data)
        result = super().received(data)
        current = self.request
        if current is None:
            self.request_started, self.idle_since = None, now
        elif current is not before and before is not None:  # one request ended, the next began
            self.request_started, self.request_bytes = now, 0
        if current is not None and current.headers_finished and not current.completed \
                and not getattr(current, "screened", False) and not self.requests:
            current.screened = True
            refusal = self.server.screen(current)
            if refusal is not None:
                self.refuse(refusal.status, str(refusal), current)
        return result

    def refuse(self, status: int, message: str, request=None) -> None:
        """Answer `status` now, drop the request being received, stop reading requests."""
        data = canned_response(status, message)
        with self.outbuf_lock:
            self.outbufs[-1].append(data)
            self.current_outbuf_count += len(data)
            self.total_outbufs_len += len(data)
        if self.request is not None:
            self.request.close()
            self.request = None
        self.request_started = None
        self.closing_at = time.monotonic() + LINGER
        method, path = (request.command, request.path) if request is not None else ("-", "-")
        log.info("%s %s %d (before the body) error=%r", method, path, status, message[:120])

    # --- lingering close --------------------------------------------------------------

    def readable(self):
        if self.closing_at is not None:
            return not self.will_close  # keep draining what the client still sends
        return super().readable()

    def handle_read(self):
        if self.closing_at is None:
            return super().handle_read()
        try:
            data = self.recv(65536)
        except OSError:
            data = b""
        if not data:
            self.will_close = True

    def handle_write(self):
        super().handle_write()
        if self.closing_at is not None and not self.total_outbufs_len and not self.write_shut \
                and not self.will_close:
            self.write_shut = True
            try:
                self.socket.shutdown(socket.SHUT_WR)  # the answer is out: say so, keep reading
            except OSError:
                self.will_close = True

    # --- what the server's guard asks ---------------------------------------------------

    def busy(self) -> bool:
        """A request of this connection is being served or answered: never evict it."""
        return bool(self.requests) or (bool(self.total_outbufs_len) and self.closing_at is None)

    def stalled_since(self) -> float:
        """Since when this connection has done nothing useful (for choosing whom to evict)."""
        if self.closing_at is not None:
            return float("-inf")  # already refused: the first to go
        return self.request_started if self.request_started is not None else self.idle_since

    def too_slow(self, now: float, grace: float, min_rate: float) -> bool:
        if self.request_started is None or self.requests:
            return False
        elapsed = now - self.request_started
        return elapsed > grace and self.request_bytes < min_rate * elapsed


class GuardedServer(TcpWSGIServer):
    """waitress's TCP server with the guard: screening, read deadlines, eviction at the limit."""

    channel_class = GuardedChannel

    def __init__(self, backend: BackendApp, *args, read_grace: float = READ_GRACE, min_rate: float = MIN_RATE,
                 **kw):
        self.backend = backend
        self.read_grace = read_grace
        self.min_rate = min_rate
        self.evicted = 0
        self.timed_out = 0
        self._next_guard = 0.0
        self._evicting: list[GuardedChannel] = []
        self._last_eviction_log = 0.0
        super().__init__(*args, **kw)

    def screen(self, request) -> HTTPError | None:
        """The app's refusal of a request judged from its headers alone (None: read the body)."""
        headers = request.headers
        try:
            length = int(headers.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        return self.backend.refusal(request.command, request.path, headers.get("AUTHORIZATION"), length)

    def readable(self):
        now = time.monotonic()
        if now >= self._next_guard:
            self._next_guard = now + GUARD_INTERVAL
            self.guard(now)
        if self.accepting and len(self._map) >= self.adj.connection_limit:
            self.evict(now)
        return super().readable()

    def channels(self) -> list[GuardedChannel]:
        return [c for c in list(self.active_channels.values()) if isinstance(c, GuardedChannel)]

    def guard(self, now: float) -> None:
        """Refuse requests arriving too slowly; close refused connections whose lingering is over."""
        for channel in self.channels():
            if channel.will_close:
                continue
            if channel.closing_at is not None:
                if now >= channel.closing_at:
                    channel.will_close = True
            elif channel.too_slow(now, self.read_grace, self.min_rate):
                self.timed_out += 1
                channel.refuse(408, f"request not received in time ({channel.request_bytes} bytes in "
                                    f"{now - channel.request_started:.0f} s)")

    def handle_accept(self):
        # waitress accepts one connection per loop turn; under a flood of connections that
        # leaves a newcomer waiting behind the whole backlog, so take a batch while there is room.
        for _ in range(ACCEPT_BATCH):
            before = len(self._map)
            super().handle_accept()
            if len(self._map) == before or len(self._map) >= self.adj.connection_limit:
                break

    def evict(self, now: float) -> None:
        """At the connection limit: close the most stalled connections, a batch at a time."""
        if any(c.connected and c._fileno in self._map for c in self._evicting):
            return  # the last batch is still closing
        candidates = [c for c in self.channels() if not c.will_close and not c.busy()]
        batch = max(1, min(ACCEPT_BATCH, self.adj.connection_limit // 10))
        self._evicting = heapq.nsmallest(batch, candidates, key=GuardedChannel.stalled_since)
        for victim in self._evicting:
            victim.will_close = True
        self.evicted += len(self._evicting)
        if self._evicting and now - self._last_eviction_log > 10:
            self._last_eviction_log = now
            log.warning("%d connections open (the limit): closing the most stalled ones to accept new ones "
                        "(%d so far)", len(self._map), self.evicted)
