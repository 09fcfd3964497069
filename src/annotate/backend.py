"""`annotate backend`: a Label Studio ML backend that serves the same converter as `convert`.

Label Studio calls it over HTTP (the ML backend protocol, checked on 1.23.2):

- `GET /health` -> `{"status": "UP", "model_class", "model_version"}`
- `POST /setup` (`{"project": "<id>.<ts>", "schema": <config>, "hostname", "access_token"}`)
  -> `{"model_version"}`; a labeling config that cannot hold our regions is a 400.
- `POST /predict` (`{"tasks": [...]}`) -> `{"results": [one prediction per task, in order]}`.
  Each prediction pre-annotates the task's `data.text` exactly as stored (no cleaning, so the
  offsets index into it). A task without text, with too long a text, or on which the converter
  fails gets an empty result; the rest of the batch is unaffected. Tasks still waiting when
  the request's time budget is used up are answered without a `result` (Label Studio stores
  nothing for them and asks again later).
- `POST /webhook` (`{"action": "TASKS_CREATED", "tasks": [...]}`): tasks with an empty
  `data.targets` get the entities the converter finds, written back through the Label Studio
  API off the request thread, so the annotator's stance target choices appear.

The app is a plain WSGI callable (`make_app`), served by waitress (`serve`,
`start_backend_in_thread`). `connect_backend` registers it with a project, idempotently.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import logging
import queue
import re
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from . import converters
from .converters import annotate_text
from .errors import UsageError

log = logging.getLogger("annotate.backend")

MODEL_CLASS = "AnnotateRules"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 9090
DEFAULT_WORKERS = 4
DEFAULT_MAX_BODY = 16 * 1024 * 1024  # bytes per request (1,000 news articles fit easily)
DEFAULT_MAX_TEXT = 200_000  # characters per task; longer texts get an empty prediction
DEFAULT_BUDGET = 60.0  # seconds of converter time per /predict request (Label Studio waits 100 s)
DEFAULT_TITLE = "annotate-rules"
FILL_QUEUE_SIZE = 100_000


class HTTPError(Exception):
    """A request error answered as `{"error": message}` with this status."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


STATUS_TEXT = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found",
               405: "Method Not Allowed", 413: "Content Too Large", 500: "Internal Server Error"}


# --- predictions ---------------------------------------------------------------------------


def model_version() -> str:
    """The converter's model version, read at call time (it changes with the converter)."""
    return converters.MODEL_VERSION


def empty_prediction() -> dict:
    """The prediction for a task we cannot pre-annotate: no regions, our model version."""
    return {"model_version": model_version(), "score": 0.0, "result": []}


def task_text(task) -> str | None:
    """The task's `data.text` if it is a non-empty string, else None."""
    data = task.get("data") if isinstance(task, dict) else None
    text = data.get("text") if isinstance(data, dict) else None
    return text if isinstance(text, str) and text else None


def target_values(task) -> list[str]:
    """The `data.targets` values of a task ([] when missing, empty or malformed)."""
    data = task.get("data") if isinstance(task, dict) else None
    targets = data.get("targets") if isinstance(data, dict) else None
    if not isinstance(targets, list):
        return []
    return [t["value"] for t in targets if isinstance(t, dict) and isinstance(t.get("value"), str)]


def consistent(result: dict, text: str) -> bool:
    """A region result whose value.text is exactly text[start:end] (relations pass)."""
    value = result.get("value")
    if not isinstance(value, dict) or "start" not in value:
        return True
    start, end = value.get("start"), value.get("end")
    return (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)
            and value.get("text") == text[start:end])


def _drop_inconsistent(result: list[dict], text: str) -> list[dict]:
    """Leave out regions whose text does not match their offsets, with their choices and relations."""
    bad = {r.get("id") for r in result if not consistent(r, text)}
    if not bad:
        return result
    return [r for r in result if r.get("id") not in bad and r.get("from_id") not in bad and r.get("to_id") not in bad]


def _restrict_targets(result: list[dict], allowed: set[str]) -> list[dict]:
    """Drop stance `target` choices the task does not offer (the UI could not show them)."""
    return [r for r in result
            if not (r.get("type") == "choices" and r.get("from_name") == "target"
                    and not set(r["value"].get("choices", [])) <= allowed)]


def predict_task(task, max_text: int = DEFAULT_MAX_TEXT) -> dict:
    """One prediction for one Label Studio task (never raises)."""
    text = task_text(task)
    if text is None or len(text) > max_text:
        return empty_prediction()
    doc_id = task["data"].get("doc_id")
    try:
        prediction = annotate_text(text, doc_id=doc_id if isinstance(doc_id, str) else None)["predictions"][0]
    except Exception:  # one bad text must not fail the batch
        log.exception("converter failed on task %s", task.get("id"))
        return empty_prediction()
    result = _drop_inconsistent(prediction["result"], text)
    if len(result) != len(prediction["result"]):
        log.warning("task %s: left out %d regions whose text does not match their offsets",
                    task.get("id"), len({r.get("id") for r in prediction["result"]} - {r.get("id") for r in result}))
    offered = target_values(task)
    if offered:
        result = _restrict_targets(result, set(offered))
    return {**prediction, "model_version": model_version(), "result": result}


def deferred() -> dict:
    """An answer for a task left for later: Label Studio stores no prediction without `result`,
    so the task is asked for again (when opened, or on "Retrieve predictions")."""
    return {"model_version": model_version(), "score": 0.0, "deferred": "time budget of the request used up"}


def predict_tasks(tasks: Iterable, max_text: int = DEFAULT_MAX_TEXT, budget: float | None = None) -> list[dict]:
    """One prediction per task, in order.

    With a `budget` (seconds), tasks still waiting when it is used up are `deferred()`, so a
    huge batch answers before Label Studio's request timeout (100 s by default) with the
    predictions made so far instead of losing them all.
    """
    deadline = None if budget is None else time.monotonic() + budget
    out = []
    for task in tasks:
        if deadline is not None and time.monotonic() > deadline:
            out.append(deferred())
        else:
            out.append(predict_task(task, max_text))
    return out


def targets_for_text(text: str) -> list[dict]:
    """The converter's entities for `text`, as `data.targets` items (`[{"value": ...}]`)."""
    return annotate_text(text)["data"]["targets"]


def setup_problems(schema) -> list[str]:
    """Why a project's labeling config cannot hold our predictions ([] when it can)."""
    if not isinstance(schema, str) or not schema.strip():
        return []
    from .errors import AnnotateError
    from .labeling import labeling_config
    from .studio import config_problems

    try:
        return config_problems(schema, labeling_config())
    except AnnotateError as exc:
        return [str(exc)]


# --- filling data.targets through the Label Studio API --------------------------------------


def project_id_of(uid) -> int | None:
    """The project id in Label Studio's `"<id>.<timestamp>"` project uid (or a plain id)."""
    head = str(uid).split(".", 1)[0]
    return int(head) if head.isdigit() else None


def needs_targets(task) -> bool:
    """A task (as Label Studio sends it) with an id, a text and an empty `data.targets`."""
    return (isinstance(task, dict) and isinstance(task.get("id"), int) and task_text(task) is not None
            and task["data"].get("targets") in (None, [], ""))


def read_tasks(client, project_id: int, task_ids: list[int]) -> dict[int, dict]:
    """`{id: data}` of these tasks, read through the task list API.

    Not /api/tasks/<id>: opening a task that has no predictions makes Label Studio ask the
    backend for them, which would race with the prediction we are about to request.
    """
    wanted, found = set(task_ids), {}
    pager = client.tasks.list(project=project_id, page_size=min(max(len(wanted), 1), 100),
                              selected_items=json.dumps({"all": False, "included": sorted(wanted)}))
    for task in pager:
        if task.id in wanted:
            found[task.id] = dict(task.data or {})
            if len(found) == len(wanted):
                break
    return found


def fill_targets(client, project_id: int, task_ids: list[int], max_text: int = DEFAULT_MAX_TEXT) -> list[int]:
    """Write the converter's entities into the tasks' `data.targets` where it is empty.

    The tasks are read from the server first (the webhook payload is not trusted to be
    current, or genuine); targets someone already set are never touched. Returns the ids
    of the tasks filled.
    """
    filled = []
    for tid, data in read_tasks(client, project_id, task_ids).items():
        text = data.get("text")
        if not needs_targets({"id": tid, "data": data}) or len(text) > max_text:
            continue
        targets = targets_for_text(text)
        if targets:
            client.tasks.update(id=str(tid), data={**data, "targets": targets})
            filled.append(tid)
    return filled


def retrieve_predictions(client, project_id: int, task_ids: list[int]) -> None:
    """Run the Data Manager's "Retrieve predictions" action on these tasks (asks the backend)."""
    client.actions.create(id="retrieve_tasks_predictions", project=project_id,
                          selected_items={"all": False, "included": task_ids})


@dataclass(frozen=True)
class Credentials:
    url: str
    api_key: str = field(repr=False)


@dataclass
class FillJob:
    creds: list[Credentials]  # tried in order until one works
    project_id: int
    task_ids: list[int]
    then_predict: bool  # new tasks: ask for predictions once their targets are in


class TargetFiller:
    """A background thread that fills empty `data.targets` through the Label Studio API.

    Webhooks must answer quickly (Label Studio's import waits for them), so handlers only
    queue jobs. For new tasks (TASKS_CREATED) the thread then runs "Retrieve predictions" on
    them, so the predictions arrive with target choices that match and show in the task list
    without anyone opening the task first. Credentials: the ones the backend was started
    with, else the ones Label Studio sent to /setup for that project.
    """

    def __init__(self, url: str | None = None, api_key: str | None = None,
                 max_text: int = DEFAULT_MAX_TEXT):
        self.configured = Credentials(url.rstrip("/"), api_key) if url and api_key else None
        self.max_text = max_text
        self.learned: dict[int, Credentials] = {}
        self.filled = 0
        self.failed = 0
        self._clients: dict[Credentials, object] = {}
        self._queue: queue.Queue = queue.Queue(maxsize=FILL_QUEUE_SIZE)
        self._idle = threading.Event()
        self._idle.set()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def learn(self, project_id: int | None, hostname, access_token) -> None:
        """Remember the credentials Label Studio sent to /setup for a project."""
        if project_id is not None and isinstance(hostname, str) and hostname.startswith(("http://", "https://")) \
                and isinstance(access_token, str) and access_token:
            self.learned[project_id] = Credentials(hostname.rstrip("/"), access_token)

    def credentials(self, project_id: int | None) -> list[Credentials]:
        """The configured credentials, then the ones learned from /setup for the project."""
        found = [c for c in (self.configured, self.learned.get(project_id)) if c is not None]
        return found[:1] if len(found) == 2 and found[0] == found[1] else found

    def submit(self, project_id: int | None, task_ids: list[int], then_predict: bool = False) -> int:
        """Queue tasks for filling; returns how many were queued (0 without credentials)."""
        creds = self.credentials(project_id)
        if not creds or project_id is None or not task_ids:
            return 0
        self._start()
        try:
            self._idle.clear()
            self._queue.put_nowait(FillJob(creds, project_id, list(task_ids), then_predict))
        except queue.Full:
            log.warning("target queue full: %d tasks left without targets", len(task_ids))
            return 0
        return len(task_ids)

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Block until every queued job is done (tests, a clean shutdown)."""
        return self._idle.wait(timeout)

    def _start(self) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="annotate-fill-targets", daemon=True)
                self._thread.start()

    def _client(self, creds: Credentials):
        if creds not in self._clients:
            from label_studio_sdk import LabelStudio

            self._clients[creds] = LabelStudio(base_url=creds.url, api_key=creds.api_key, timeout=60.0)
        return self._clients[creds]

    def _run(self) -> None:
        while True:
            job = self._queue.get()
            try:
                self._do(job)
            finally:
                self._queue.task_done()
                if self._queue.unfinished_tasks == 0:
                    self._idle.set()

    def _do(self, job: FillJob) -> None:
        started = time.perf_counter()
        filled: list[int] = []
        for i, creds in enumerate(job.creds):
            try:
                client = self._client(creds)
                filled = fill_targets(client, job.project_id, job.task_ids, self.max_text)
                if job.then_predict and filled:
                    retrieve_predictions(client, job.project_id, filled)
                break
            except Exception as exc:  # the server went away, the token was refused, ...
                last = i == len(job.creds) - 1
                log.warning("project %s: could not fill data.targets via %s (%s: %s)%s", job.project_id,
                            creds.url, type(exc).__name__, str(exc).splitlines()[0][:200] if str(exc) else "",
                            "" if last else "; trying the token Label Studio sent to /setup")
                if last:
                    self.failed += len(job.task_ids)
                    return
        self.filled += len(filled)
        log.info("project %s: filled data.targets of %d/%d tasks%s in %.0f ms", job.project_id, len(filled),
                 len(job.task_ids), " and retrieved their predictions" if job.then_predict and filled else "",
                 1000 * (time.perf_counter() - started))


# --- the WSGI app ---------------------------------------------------------------------------


@dataclass
class BackendConfig:
    """What the app needs to know; every field has a safe default."""

    max_body: int = DEFAULT_MAX_BODY
    max_text: int = DEFAULT_MAX_TEXT
    budget: float | None = DEFAULT_BUDGET
    basic_auth: tuple[str, str] | None = None
    url: str | None = None
    api_key: str | None = None


def parse_basic_auth(value: str | None) -> tuple[str, str] | None:
    """'user:pass' -> ("user", "pass"); None/'' -> None; anything else is a UsageError."""
    if not value:
        return None
    user, sep, password = value.partition(":")
    if not sep or not user or not password:
        raise UsageError("--basic-auth must be USER:PASSWORD (both non-empty)")
    return user, password


class BackendApp:
    """The ML backend as a WSGI application (thread-safe; one instance per server)."""

    def __init__(self, config: BackendConfig | None = None):
        self.config = config or BackendConfig()
        self.filler = TargetFiller(self.config.url, self.config.api_key, self.config.max_text)
        self._warned: set[int | None] = set()  # projects we already said "no API key" about
        self.routes: dict[tuple[str, str], Callable[[dict], tuple[int, dict, str]]] = {
            ("GET", "/"): self.health,
            ("GET", "/health"): self.health,
            ("POST", "/setup"): self.setup,
            ("POST", "/predict"): self.predict,
            ("POST", "/webhook"): self.webhook,
        }

    # handlers: request JSON (or {}) -> (status, body, note for the log line)

    def health(self, _payload) -> tuple[int, dict, str]:
        return 200, {"status": "UP", "model_class": MODEL_CLASS, "model_version": model_version()}, ""

    def setup(self, payload) -> tuple[int, dict, str]:
        project = project_id_of(payload.get("project", ""))
        problems = setup_problems(payload.get("schema"))
        if problems:
            raise HTTPError(400, "this labeling config cannot hold annotate's predictions: " + "; ".join(problems))
        self.filler.learn(project, payload.get("hostname"), payload.get("access_token"))
        return 200, {"model_version": model_version()}, f"project={project}"

    def predict(self, payload) -> tuple[int, dict, str]:
        tasks = payload.get("tasks")
        if not isinstance(tasks, list):
            raise HTTPError(400, 'the request needs "tasks": a list of Label Studio tasks')
        results = predict_tasks(tasks, self.config.max_text, self.config.budget)
        # Tasks imported before the backend was connected never had a TASKS_CREATED webhook:
        # "Retrieve predictions" fills their targets too.
        self._queue_fill(payload.get("project"), tasks)
        regions = sum(1 for p in results for r in p.get("result", ()) if r.get("type") == "labels")
        late = sum(1 for p in results if "result" not in p)
        note = f"tasks={len(tasks)} regions={regions}" + (f" deferred={late}" if late else "")
        return 200, {"results": results, "model_version": model_version()}, note

    def webhook(self, payload) -> tuple[int, dict, str]:
        action = payload.get("action")
        if action != "TASKS_CREATED":
            return 200, {"status": "ignored", "action": action}, f"action={action}"
        tasks = payload.get("tasks")
        if not isinstance(tasks, list):
            raise HTTPError(400, 'a TASKS_CREATED event needs "tasks": a list')
        project = payload.get("project")
        queued = self._queue_fill(project.get("id") if isinstance(project, dict) else project, tasks,
                                  then_predict=True)
        return 200, {"status": "ok", "action": action, "queued": queued}, f"action={action} queued={queued}"

    def _queue_fill(self, project, tasks: list, then_predict: bool = False) -> int:
        todo = [t for t in tasks if needs_targets(t)]
        if not todo:
            return 0
        pid = project_id_of(project) if project is not None else None
        if pid is None:
            pid = next((t["project"] for t in todo if isinstance(t.get("project"), int)), None)
        queued = self.filler.submit(pid, [t["id"] for t in todo], then_predict=then_predict)
        if not queued and pid not in self._warned:
            self._warned.add(pid)
            log.warning("%d new tasks have no targets and no Label Studio API key is known for project %s: "
                        "start the backend with --url/--api-key to fill them", len(todo), pid)
        return queued

    # plumbing

    def _authorized(self, environ) -> bool:
        if self.config.basic_auth is None:
            return True
        header = environ.get("HTTP_AUTHORIZATION", "")
        scheme, _, encoded = header.partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            user, _, password = base64.b64decode(encoded, validate=True).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return False
        want_user, want_password = self.config.basic_auth
        return hmac.compare_digest(user.encode(), want_user.encode()) & hmac.compare_digest(
            password.encode(), want_password.encode())

    def _read_json(self, environ) -> dict:
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            raise HTTPError(400, "bad Content-Length") from None
        if length > self.config.max_body:
            raise HTTPError(413, f"request body of {length} bytes is over the {self.config.max_body}-byte limit")
        body = environ["wsgi.input"].read(length) if length > 0 else b""
        if not body:
            raise HTTPError(400, "empty request body: expected a JSON object")
        try:
            payload = json.loads(body)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise HTTPError(400, f"request body is not valid JSON ({exc})") from None
        if not isinstance(payload, dict):
            raise HTTPError(400, f"request body must be a JSON object, got {type(payload).__name__}")
        return payload

    def handle(self, environ) -> tuple[int, dict, str]:
        method, path = environ.get("REQUEST_METHOD", "GET"), environ.get("PATH_INFO", "/") or "/"
        if path != "/" and path.endswith("/"):
            path = path.rstrip("/")
        handler = self.routes.get((method, path))
        if handler is None:
            if any(p == path for _, p in self.routes):
                raise HTTPError(405, f"{method} is not allowed on {path}")
            raise HTTPError(404, f"no such endpoint: {path}")
        if path not in ("/", "/health") and not self._authorized(environ):
            raise HTTPError(401, "basic auth credentials required")
        return handler(self._read_json(environ) if method == "POST" else {})

    def __call__(self, environ, start_response):
        started = time.perf_counter()
        note = ""
        try:
            status, body, note = self.handle(environ)
        except HTTPError as exc:
            status, body = exc.status, {"error": str(exc)}
        except Exception as exc:  # a bug: answer JSON, keep serving, log the traceback
            log.exception("unexpected error")
            status, body = 500, {"error": f"internal error ({type(exc).__name__})"}
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        headers = [("Content-Type", "application/json; charset=utf-8"), ("Content-Length", str(len(data)))]
        if status == 401:
            headers.append(("WWW-Authenticate", 'Basic realm="annotate backend"'))
        start_response(f"{status} {STATUS_TEXT.get(status, '')}".strip(), headers)
        log.info("%s %s %d %.1f ms%s", environ.get("REQUEST_METHOD"), environ.get("PATH_INFO"), status,
                 1000 * (time.perf_counter() - started), f" {note}" if note else
                 (f" error={body['error'][:120]!r}" if "error" in body else ""))
        return [data]


def make_app(max_body: int = DEFAULT_MAX_BODY, max_text: int = DEFAULT_MAX_TEXT,
             budget: float | None = DEFAULT_BUDGET, basic_auth: tuple[str, str] | None = None,
             url: str | None = None, api_key: str | None = None) -> BackendApp:
    """Build the WSGI app. `url`/`api_key` let it fill `data.targets` through the API."""
    return BackendApp(BackendConfig(max_body=max_body, max_text=max_text, budget=budget,
                                    basic_auth=basic_auth, url=url, api_key=api_key))


# --- serving ---------------------------------------------------------------------------------


def create_server(app: BackendApp, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT,
                  workers: int = DEFAULT_WORKERS):
    """A waitress server for `app` (not started). Port 0 picks a free port."""
    from waitress.server import create_server as waitress_server

    try:
        return waitress_server(
            app, host=host, port=port, threads=max(1, workers), ident="annotate-backend",
            # waitress buffers a body before the app runs and refuses (plain-text 413) bodies
            # over its own limit without reading them; between our limit and twice it, the
            # app answers the 413 with a JSON error.
            max_request_body_size=2 * app.config.max_body, channel_timeout=120,
            clear_untrusted_proxy_headers=True)
    except OSError as exc:
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


def _server_url(server, host: str) -> str:
    shown = "127.0.0.1" if host in ("0.0.0.0", "") else host
    return f"http://{shown}:{server.effective_port}"


def serve(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, workers: int = DEFAULT_WORKERS,
          say: Callable[[str], None] = print, **app_options) -> None:
    """Serve the backend until Ctrl-C (blocking). `app_options` go to `make_app`."""
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = make_app(**app_options)
    server = create_server(app, host, port, workers)
    url = _server_url(server, host)
    fill = (f"filling empty data.targets via {app.filler.configured.url}" if app.filler.configured
            else "filling empty data.targets with the token Label Studio sends to /setup")
    say(f"annotate ML backend ({model_version()}) on {url} with {max(1, workers)} threads; {fill}")
    say(f"Connect it: annotate connect --project NAME --backend {url}")
    try:
        server.run()
    except KeyboardInterrupt:
        say("Stopped.")
    finally:
        server.close()


class RunningBackend:
    """A backend served from a daemon thread: `.url`, `.app`, `.stop()`; a context manager."""

    def __init__(self, app: BackendApp, host: str, port: int, workers: int):
        self.app = app
        self.server = create_server(app, host, port, workers)
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

    def __enter__(self) -> RunningBackend:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def start_backend_in_thread(host: str = DEFAULT_HOST, port: int = 0, workers: int = DEFAULT_WORKERS,
                            **app_options) -> RunningBackend:
    """Start the backend in a daemon thread of this process (the demo, tests); returns it running.

    Port 0 picks a free port; the chosen URL is `.url`. Call `.stop()` when done.
    """
    return RunningBackend(make_app(**app_options), host, port, workers).start()


# --- registering with a project ----------------------------------------------------------------


@dataclass
class Connection:
    """The outcome of `connect_backend`."""

    project_id: int
    project_title: str
    backend_id: int
    url: str
    created: bool
    state: str | None
    webhook: bool  # Label Studio notifies the backend of new tasks (fills their targets)
    replaced: list[str] = field(default_factory=list)  # URLs of stale registrations removed


def _same_url(a: str | None, b: str) -> bool:
    return (a or "").rstrip("/") == b.rstrip("/")


def _refusal(body) -> str:
    """Label Studio's reason for refusing a backend (its 400 body), as one line with a hint."""
    reason = ""
    if isinstance(body, dict):
        errors = body.get("validation_errors") or {}
        found = [m for msgs in errors.values() for m in (msgs if isinstance(msgs, list) else [msgs])] \
            if isinstance(errors, dict) else []
        reason = str(found[0]) if found else str(body.get("detail") or "")
    reason = " ".join(re.sub(r"<[^>]+>", "", reason).split())[:400] or "no reason given"
    return (f"{reason} (is `annotate backend` running and reachable from the Label Studio server? "
            "A backend on this machine or network needs Label Studio started with "
            "ML_BLOCK_LOCAL_IP=false and SSRF_PROTECTION_ENABLED=false.)")


def _backend_webhook(client, project_id: int, backend_url: str, basic_auth: tuple[str, str] | None) -> bool:
    """Whether the project has the webhook Label Studio adds with an ML backend; gives it the
    backend's basic-auth header (Label Studio adds it without credentials).

    Label Studio skips that webhook, silently, when its URL validation fails.
    """
    hooks = [h for h in client.webhooks.list(project=str(project_id)) if _same_url(h.url, backend_url + "/webhook")]
    if basic_auth:
        token = base64.b64encode(f"{basic_auth[0]}:{basic_auth[1]}".encode()).decode()
        for hook in hooks:
            client.webhooks.update(id=hook.id, url=hook.url, headers={"Authorization": f"Basic {token}"})
    return bool(hooks)


def _drop_registration(client, project_id: int, ml) -> None:
    """Delete an ML backend registration and the webhook Label Studio added with it."""
    for hook in client.webhooks.list(project=str(project_id)):
        if _same_url(hook.url, (ml.url or "").rstrip("/") + "/webhook"):
            client.webhooks.delete(id=hook.id)
    client.ml.delete(id=ml.id)


def connect_backend(client, project: str | int, backend_url: str, title: str = DEFAULT_TITLE,
                    basic_auth: tuple[str, str] | None = None) -> Connection:
    """Register the backend at `backend_url` with a project, once.

    Re-running finds the existing registration (same URL) instead of adding a second one.
    A registration with the same title but another URL (the backend moved, e.g. to another
    port) is replaced, with its webhook: Label Studio asks only a project's first backend,
    which must not be a stale one.
    `Connection.webhook` is False when Label Studio did not add the webhook that tells the
    backend about new tasks: predictions then still come when a task is opened, but empty
    targets are not filled.
    The project's `model_version` is pointed at the backend's title, which is what makes
    Label Studio ask it for predictions when a task without them is opened or listed.
    """
    from . import studio
    from .errors import ProjectError

    backend_url = backend_url.rstrip("/")
    proj = studio.find_project(client, project)
    with studio.api_errors(client, f"list the ML backends of project {proj.id}"):
        registered = client.ml.list(project=proj.id)
        existing = [m for m in registered if _same_url(m.url, backend_url)]
        stale = [m for m in registered if m.title == title and not _same_url(m.url, backend_url)]
    auth = {}
    if basic_auth:
        auth = {"auth_method": "BASIC_AUTH", "basic_auth_user": basic_auth[0], "basic_auth_pass": basic_auth[1]}
    from label_studio_sdk.core.api_error import ApiError

    action = f"connect the ML backend {backend_url} to project {proj.id}"
    with studio.api_errors(client, action):
        try:
            if existing:
                ml, created = existing[0], False
                if basic_auth:
                    ml = client.ml.update(id=ml.id, **auth)
            else:
                ml = client.ml.create(url=backend_url, project=proj.id, title=title, is_interactive=False,
                                      request_options=studio.NO_RETRY, **auth)
                created = True
        except ApiError as exc:
            if exc.status_code not in (400, 403):  # 403: a reserved address (ML_BLOCK_LOCAL_IP)
                raise
            raise ProjectError(f"Label Studio refused the ML backend {backend_url} for project {proj.id}: "
                               f"{_refusal(exc.body)}") from None
        ml = client.ml.get(id=ml.id)
        webhook = _backend_webhook(client, proj.id, backend_url, basic_auth)
    state = str(ml.state) if ml.state is not None else None
    if state in ("DI", "ER"):  # disconnected / error; CO, TR, PR are usable
        reason = ml.error_message or "it did not answer /health or /setup"
        raise ProjectError(f"Label Studio registered {backend_url} for project {proj.id} but cannot use it "
                           f"(state {state}): {reason.strip().splitlines()[0][:300]}")
    with studio.api_errors(client, f"remove stale ML backend registrations of project {proj.id}"):
        for old in stale:  # only once the new one works: a mistyped URL keeps the old one
            _drop_registration(client, proj.id, old)
    with studio.api_errors(client, f"set the model version of project {proj.id}"):
        fresh = client.projects.get(proj.id)
        if fresh.model_version != ml.title:
            client.projects.update(proj.id, model_version=ml.title)
    return Connection(proj.id, proj.title, ml.id, backend_url, created, state, webhook,
                      [m.url for m in stale])


def connect(url: str, api_key: str | None, project: str | int, backend_url: str,
            title: str = DEFAULT_TITLE, basic_auth: tuple[str, str] | None = None) -> Connection:
    """`annotate connect`: log in to Label Studio at `url` and register the backend (idempotent)."""
    from . import studio

    return connect_backend(studio.connect(url, api_key), project, backend_url, title, basic_auth)


def start_and_connect(client, project: str | int, host: str = DEFAULT_HOST, port: int = 0,
                      workers: int = DEFAULT_WORKERS, **app_options) -> tuple[RunningBackend, Connection]:
    """Start a backend in a thread of this process and connect it to `project` (for `annotate demo`).

    Label Studio must run on this machine with ML_BLOCK_LOCAL_IP=false and
    SSRF_PROTECTION_ENABLED=false. Call `.stop()` on the returned backend when done.
    """
    backend = start_backend_in_thread(host, port, workers, **app_options)
    try:
        return backend, connect_backend(client, project, backend.url)
    except BaseException:
        backend.stop()
        raise
