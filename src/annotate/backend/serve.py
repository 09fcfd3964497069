"""Serving the app with waitress: in the foreground (`annotate backend`) or in a thread."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable

from ..errors import UsageError
from ..studio import display_url
from .app import BackendApp, make_app
from .guard import CONNECTION_LIMIT, READ_GRACE, GuardedServer
from .predict import model_version

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 9090
DEFAULT_WORKERS = 4


def create_server(app: BackendApp, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT,
                  workers: int = DEFAULT_WORKERS, connection_limit: int = CONNECTION_LIMIT,
                  read_grace: float = READ_GRACE):
    """A waitress server for `app` (not started), guarded against slow clients (see guard.py).

    Port 0 picks a free port. `connection_limit`: open connections before the most stalled
    one is closed for a new one; `read_grace`: seconds a request may take to arrive before
    it must keep up a minimum rate.
    """
    from waitress.adjustments import Adjustments
    from waitress.task import ThreadedTaskDispatcher

    adj = Adjustments(
        host=host, port=port, threads=max(1, workers), ident="annotate-backend",
        # Bodies declared over our limit are refused from their headers (JSON 413, guard.py);
        # waitress's own limit, twice ours, stops chunked bodies that never declare a size.
        max_request_body_size=2 * app.config.max_body, max_request_header_size=64 * 1024,
        channel_timeout=120, clear_untrusted_proxy_headers=True,
        connection_limit=max(2, connection_limit), asyncore_use_poll=True)  # select() stops at fd 1024
    dispatcher = ThreadedTaskDispatcher()
    dispatcher.set_thread_count(adj.threads)
    try:
        return GuardedServer(app, app, {}, dispatcher=dispatcher, adj=adj, read_grace=read_grace)
    except OSError as exc:
        dispatcher.shutdown()
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


def _server_url(server, host: str) -> str:
    shown = "127.0.0.1" if host in ("0.0.0.0", "") else host
    return f"http://{shown}:{server.effective_port}"


def serve(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, workers: int = DEFAULT_WORKERS,
          say: Callable[[str], None] = print, connection_limit: int = CONNECTION_LIMIT,
          read_grace: float = READ_GRACE, **app_options) -> None:
    """Serve the backend until Ctrl-C (blocking). `app_options` go to `make_app`."""
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = make_app(**app_options)
    server = create_server(app, host, port, workers, connection_limit, read_grace)
    url = _server_url(server, host)
    fill = (f"filling empty data.targets via {display_url(app.filler.configured.url)}" if app.filler.configured
            else "filling empty data.targets with the token Label Studio sends to /setup")
    say(f"annotate ML backend ({model_version(app.model)}) on {url} with {max(1, workers)} threads; {fill}")
    if app.learner is not None and app.learner.every is not None:
        say(f"Retraining on the projects' gold every {app.learner.every} new/updated annotations and on "
            f"\"Start training\"; new versions go to {app.learner.store.versions}")
    say(f"Connect it: annotate connect --project NAME --backend {url}")
    # SIGTERM (kill, a service manager, a test) and SIGHUP (the terminal closed) stop it like
    # Ctrl-C: a child of a background job has SIGINT ignored, so SIGINT cannot be relied on.
    previous = {}
    if threading.current_thread() is threading.main_thread():
        previous = {sig: signal.signal(sig, _raise_keyboard_interrupt) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        server.run()  # waitress catches the KeyboardInterrupt itself and returns
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
        app.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    say("Stopped.")


def _raise_keyboard_interrupt(signum, frame):
    raise KeyboardInterrupt


class RunningBackend:
    """A backend served from a daemon thread: `.url`, `.app`, `.stop()`; a context manager."""

    def __init__(self, app: BackendApp, host: str, port: int, workers: int, **server_options):
        self.app = app
        self.server = create_server(app, host, port, workers, **server_options)
        self.url = _server_url(self.server, host)
        self.thread = threading.Thread(target=self._run, name="annotate-backend", daemon=True)
        self._stopping = False

    def _run(self) -> None:
        try:
            self.server.run()
        except (OSError, ValueError):  # sockets closed under the loop by stop()
            if not self._stopping:
                raise

    def start(self) -> RunningBackend:
        self.thread.start()
        return self

    def stop(self, timeout: float = 10) -> None:
        """Stop accepting requests, close open connections, end the server and worker threads."""
        if self._stopping:
            return
        self._stopping = True
        # The loop ends once its socket map is empty. Stop accepting first, let running
        # requests finish (they pull the trigger when done), then close the connections and
        # the trigger (much as webtest stops waitress).
        from waitress import wasyncore

        wasyncore.dispatcher.close(self.server)
        self.server.task_dispatcher.shutdown()
        for channel in list(self.server._map.values()):
            if channel is not self.server.trigger:
                channel.handle_close()
        self.server.trigger.close()
        self.thread.join(timeout)
        self.app.close()

    def __enter__(self) -> RunningBackend:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def start_backend_in_thread(host: str = DEFAULT_HOST, port: int = 0, workers: int = DEFAULT_WORKERS,
                            connection_limit: int = CONNECTION_LIMIT, read_grace: float = READ_GRACE,
                            **app_options) -> RunningBackend:
    """Start the backend in a daemon thread of this process (the demo, tests); returns it running.

    Port 0 picks a free port; the chosen URL is `.url`. Call `.stop()` when done.
    """
    app = make_app(**app_options)
    try:
        return RunningBackend(app, host, port, workers, connection_limit=connection_limit,
                              read_grace=read_grace).start()
    except BaseException:
        app.close()
        raise
