"""The ML backend as a WSGI application: routing, limits, basic auth, one log line per request."""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import logging
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

from ..errors import UsageError
from ..redact import redact, remember
from .predict import (
    DEFAULT_BUDGET,
    DEFAULT_MAX_TEXT,
    MODEL_CLASS,
    model_version,
    predict_tasks,
    setup_problems,
    task_text,
)
from .targets import TargetFiller, needs_targets, project_id_of

log = logging.getLogger("annotate.backend")


class RedactingFilter(logging.Filter):
    """Masks tokens, passwords and `user:password@` in every backend log record, its
    traceback included: log lines quote Label Studio's answers, which may echo them."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


log.addFilter(RedactingFilter())

# Webhook actions that change a project's gold: counted towards --train-every.
ANNOTATION_ACTIONS = ("ANNOTATION_CREATED", "ANNOTATIONS_CREATED", "ANNOTATION_UPDATED")

DEFAULT_MAX_BODY = 16 * 1024 * 1024  # bytes per request (1,000 news articles fit easily)


class HTTPError(Exception):
    """A request error answered as `{"error": message}` with this status."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


STATUS_TEXT = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found",
               405: "Method Not Allowed", 413: "Content Too Large", 500: "Internal Server Error"}


@dataclass
class BackendConfig:
    """What the app needs to know; every field has a safe default."""

    max_body: int = DEFAULT_MAX_BODY
    max_text: int = DEFAULT_MAX_TEXT
    budget: float | None = DEFAULT_BUDGET
    basic_auth: tuple[str, str] | None = None
    url: str | None = None
    api_key: str | None = None
    model_dir: str | None = None  # a learned model (annotate train): predictions are made with it
    train_every: int | None = None  # with model_dir: retrain after this many new/updated annotations
    train_iterations: int | None = None  # cap on the CRF's iterations when retraining (None: default)


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
        if self.config.basic_auth:
            remember(self.config.basic_auth[1])
        self.learner = None
        if self.config.model_dir is not None:
            from .training import Learner

            self.learner = Learner(self.config.model_dir, every=self.config.train_every,
                                   iterations=self.config.train_iterations,
                                   credentials=lambda pid: self.filler.credentials(pid))
        elif self.config.train_every is not None:
            raise UsageError("--train-every needs --model DIR (a model from `annotate train` to start from)")
        self.filler = TargetFiller(self.config.url, self.config.api_key, self.config.max_text,
                                   model=lambda: self.model)
        self._warned: set[int | None] = set()  # projects we already said "no API key" about
        self.routes: dict[tuple[str, str], Callable[[dict], tuple[int, dict, str]]] = {
            ("GET", "/"): self.health,
            ("GET", "/health"): self.health,
            ("POST", "/setup"): self.setup,
            ("POST", "/predict"): self.predict,
            ("POST", "/webhook"): self.webhook,
            ("POST", "/train"): self.train,
        }

    @property
    def model(self):
        """The learned model predictions are made with now (None: the rules alone)."""
        return self.learner.model if self.learner is not None else None

    def close(self) -> None:
        """Stop background work that outlives requests (a retraining run)."""
        if self.learner is not None:
            self.learner.close()

    # handlers: request JSON (or {}) -> (status, body, note for the log line)

    def health(self, _payload) -> tuple[int, dict, str]:
        body = {"status": "UP", "model_class": MODEL_CLASS, "model_version": model_version(self.model)}
        if self.learner is not None:
            body["learning"] = self.learner.status()
        return 200, body, ""

    def setup(self, payload) -> tuple[int, dict, str]:
        project = project_id_of(payload.get("project", ""))
        problems = setup_problems(payload.get("schema"))
        if problems:
            raise HTTPError(400, "this labeling config cannot hold annotate's predictions: " + "; ".join(problems))
        self.filler.learn(project, payload.get("hostname"), payload.get("access_token"))
        return 200, {"model_version": model_version(self.model)}, f"project={project}"

    def predict(self, payload) -> tuple[int, dict, str]:
        tasks = payload.get("tasks")
        if not isinstance(tasks, list):
            raise HTTPError(400, 'the request needs "tasks": a list of Label Studio tasks')
        model = self.model  # one model for the whole request, even if a retraining lands meanwhile
        results = predict_tasks(tasks, self.config.max_text, self.config.budget, model)
        # Tasks imported before the backend was connected never had a TASKS_CREATED webhook:
        # "Retrieve predictions" fills their targets too.
        self._queue_fill(payload.get("project"), tasks)
        regions = sum(1 for p in results for r in p.get("result", ()) if r.get("type") == "labels")
        late = sum(1 for p in results if "result" not in p)
        note = f"tasks={len(tasks)} regions={regions}" + (f" deferred={late}" if late else "")
        return 200, {"results": results, "model_version": model_version(model)}, note

    def train(self, payload) -> tuple[int, dict, str]:
        """POST /train (Label Studio's "Start training" without its webhook flag): a retraining run."""
        return self._start_training(payload.get("project"), "START_TRAINING")

    def _start_training(self, project, action: str) -> tuple[int, dict, str]:
        if self.learner is None or self.learner.every is None:
            return 200, {"status": "ignored", "action": action,
                         "reason": "start the backend with --model DIR --train-every N to train"}, f"action={action}"
        pid = project.get("id") if isinstance(project, dict) else project
        pid = project_id_of(pid) if pid is not None else None
        outcome = self.learner.request(pid, "Start training")
        return 200, {"status": outcome, "action": action, "model_version": model_version(self.model)}, \
            f"action={action} project={pid} training={outcome}"

    def webhook(self, payload) -> tuple[int, dict, str]:
        action = payload.get("action")
        if action == "START_TRAINING":
            return self._start_training(payload.get("project"), action)
        if action in ANNOTATION_ACTIONS:
            if self.learner is None or self.learner.every is None:
                return 200, {"status": "ignored", "action": action}, f"action={action}"
            project = payload.get("project")
            pid = project.get("id") if isinstance(project, dict) else project
            pid = project_id_of(pid) if pid is not None else None
            changed = payload.get("annotation")
            count = len(changed) if isinstance(changed, list) else 1
            outcome = self.learner.note_annotations(pid, count)
            return 200, {"status": outcome, "action": action}, f"action={action} project={pid} training={outcome}"
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
        """Queue tasks for the background thread: those with empty targets, or (new tasks,
        `then_predict`) every task with a text, to retrieve its predictions."""
        if then_predict:
            todo = [t for t in tasks if isinstance(t, dict) and isinstance(t.get("id"), int) and task_text(t)]
        else:
            todo = [t for t in tasks if needs_targets(t)]
        if not todo:
            return 0
        pid = project_id_of(project) if project is not None else None
        if pid is None:
            pid = next((t["project"] for t in todo if isinstance(t.get("project"), int)), None)
        queued = self.filler.submit(pid, [t["id"] for t in todo], then_predict=then_predict)
        if not queued and pid not in self._warned:
            self._warned.add(pid)
            log.warning("%d tasks need targets or predictions and no Label Studio API key is known for project "
                        "%s: start the backend with --url/--api-key", len(todo), pid)
        return queued

    # plumbing

    def authorized(self, header: str | None) -> bool:
        """Whether an Authorization header value satisfies the basic auth (always, without one)."""
        if self.config.basic_auth is None:
            return True
        scheme, _, encoded = (header or "").partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            user, _, password = base64.b64decode(encoded, validate=True).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return False
        want_user, want_password = self.config.basic_auth
        return hmac.compare_digest(user.encode(), want_user.encode()) & hmac.compare_digest(
            password.encode(), want_password.encode())

    def refusal(self, method: str, path: str, authorization: str | None, length: int = 0) -> HTTPError | None:
        """Why a request is refused whatever its body says (None: go on and read the body).

        The server asks this as soon as a request's headers are in, so a refused request is
        answered without reading its body (see guard.py); `handle` asks it again.
        """
        path = path or "/"
        if path != "/" and path.endswith("/"):
            path = path.rstrip("/") or "/"
        if (method, path) not in self.routes:
            if any(p == path for _, p in self.routes):
                return HTTPError(405, f"{method} is not allowed on {path}")
            return HTTPError(404, f"no such endpoint: {path}")
        if path not in ("/", "/health") and not self.authorized(authorization):
            return HTTPError(401, "basic auth credentials required")
        if length > self.config.max_body:
            return HTTPError(413, f"request body of {length} bytes is over the {self.config.max_body}-byte limit")
        return None

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
        except RecursionError:  # json.loads recurses per nesting level
            raise HTTPError(400, "request body is nested too deeply to be a Label Studio request") from None
        except ValueError:  # an integer of more digits than Python converts (4300 by default)
            raise HTTPError(400, "request body has a number with too many digits "
                                 f"(at most {sys.get_int_max_str_digits()})") from None
        if not isinstance(payload, dict):
            raise HTTPError(400, f"request body must be a JSON object, got {type(payload).__name__}")
        return payload

    def handle(self, environ) -> tuple[int, dict, str]:
        method, path = environ.get("REQUEST_METHOD", "GET"), environ.get("PATH_INFO", "/") or "/"
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            raise HTTPError(400, "bad Content-Length") from None
        refused = self.refusal(method, path, environ.get("HTTP_AUTHORIZATION"), length)
        if refused is not None:
            raise refused
        if path != "/" and path.endswith("/"):
            path = path.rstrip("/")
        return self.routes[(method, path)](self._read_json(environ) if method == "POST" else {})

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
             url: str | None = None, api_key: str | None = None, model_dir: str | None = None,
             train_every: int | None = None, train_iterations: int | None = None) -> BackendApp:
    """Build the WSGI app. `url`/`api_key` let it fill `data.targets` through the API;
    `model_dir` serves a learned model, retrained every `train_every` annotations (training.py)."""
    return BackendApp(BackendConfig(max_body=max_body, max_text=max_text, budget=budget,
                                    basic_auth=basic_auth, url=url, api_key=api_key, model_dir=model_dir,
                                    train_every=train_every, train_iterations=train_iterations))
