"""Registering the backend with a Label Studio project (`annotate connect`), idempotently."""

from __future__ import annotations

import base64
import contextlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit, urlunsplit

from ..errors import AnnotateError, UsageError
from ..redact import redact, remember
from .serve import DEFAULT_HOST, DEFAULT_WORKERS, RunningBackend, start_backend_in_thread

DEFAULT_TITLE = "annotate-rules"


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
    project_created: bool = False  # the project did not exist: created with our labeling config


def _same_url(a: str | None, b: str) -> bool:
    return (a or "").rstrip("/") == b.rstrip("/")


def split_credentials(url: str) -> tuple[str, tuple[str, str] | None]:
    """`http://user:pw@host:9090/` -> ("http://host:9090", ("user", "pw")); no user-info -> (url, None)."""
    url = url.strip().rstrip("/")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise UsageError(f"not a URL: {redact(url)[:200]!r}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"--backend must be an http(s) URL, e.g. http://localhost:9090, not {redact(url)[:200]!r}")
    if "@" not in parts.netloc:
        return url, None
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    clean = urlunsplit((parts.scheme, host + (f":{port}" if port else ""), parts.path, parts.query, ""))
    user, password = unquote(parts.username or ""), unquote(parts.password or "")
    remember(password)
    return clean.rstrip("/"), ((user, password) if user and password else None)


@contextlib.contextmanager
def _redacted_errors(*secrets: str | None) -> Iterator[None]:
    """Expected failures leave with every token, password and `user:password@` masked: their
    messages can quote Label Studio's answers, which may echo what we sent."""
    remember(*secrets)
    try:
        yield
    except AnnotateError as exc:
        exc.args = tuple(redact(a, *secrets) if isinstance(a, str) else a for a in exc.args)
        raise


def _refusal(body) -> str:
    """Label Studio's reason for refusing a backend (its 400 body), as one line with a hint."""
    reason = ""
    if isinstance(body, dict):
        errors = body.get("validation_errors") or {}
        found = [m for msgs in errors.values() for m in (msgs if isinstance(msgs, list) else [msgs])] \
            if isinstance(errors, dict) else []
        reason = str(found[0]) if found else str(body.get("detail") or "")
    reason = " ".join(redact(re.sub(r"<[^>]+>", "", reason)).split())[:400] or "no reason given"
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

    A project title that does not exist yet is created with our labeling config (as `push`
    does); an existing project must have a compatible config. Re-running finds the existing
    registration (same URL) instead of adding a second one.
    A registration with the same title but another URL (the backend moved, e.g. to another
    port) is replaced, with its webhook: Label Studio asks only a project's first backend,
    which must not be a stale one.
    Credentials in the URL (`http://user:password@host`) are registered as basic auth, so the
    password is not part of the URL every project member sees.
    `Connection.webhook` is False when Label Studio did not add the webhook that tells the
    backend about new tasks: predictions then still come when a task is opened, but empty
    targets are not filled.
    The project's `model_version` is pointed at the backend's title, which is what makes
    Label Studio ask it for predictions when a task without them is opened or listed.
    Error messages never show a token or password.
    """
    backend_url, in_url = split_credentials(backend_url)
    if in_url and basic_auth and in_url != tuple(basic_auth):
        raise UsageError("two different backend credentials: give them once, either as --basic-auth USER:PASSWORD "
                         "or as http://USER:PASSWORD@host in --backend")
    basic_auth = basic_auth or in_url
    with _redacted_errors(basic_auth[1] if basic_auth else None):
        return _connect_backend(client, project, backend_url, title, basic_auth)


def _connect_backend(client, project: str | int, backend_url: str, title: str,
                     basic_auth: tuple[str, str] | None) -> Connection:
    from .. import studio

    proj, project_created = studio.ensure_project(client, project)
    try:
        connection = _register(client, proj, backend_url, title, basic_auth)
    except AnnotateError as exc:
        if project_created and exc.args and isinstance(exc.args[0], str):
            exc.args = (f"{exc.args[0]} (project {proj.id} ({proj.title!r}) was created; re-run once the "
                        "backend is reachable)",) + exc.args[1:]
        raise
    connection.project_created = project_created
    return connection


def _register(client, proj, backend_url: str, title: str, basic_auth: tuple[str, str] | None) -> Connection:
    from .. import studio
    from ..errors import ProjectError

    shown = studio.display_url(backend_url)
    with studio.api_errors(client, f"list the ML backends of project {proj.id}"):
        registered = client.ml.list(project=proj.id)
        existing = [m for m in registered if _same_url(m.url, backend_url)]
        stale = [m for m in registered if m.title == title and not _same_url(m.url, backend_url)]
    auth = {}
    if basic_auth:
        auth = {"auth_method": "BASIC_AUTH", "basic_auth_user": basic_auth[0], "basic_auth_pass": basic_auth[1]}
    action = f"connect the ML backend {shown} to project {proj.id}"
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
        except Exception as exc:
            if studio.http_status(exc) not in (400, 403):  # 403: a reserved address (ML_BLOCK_LOCAL_IP)
                raise
            raise ProjectError(f"Label Studio refused the ML backend {shown} for project {proj.id}: "
                               f"{_refusal(exc.body)}") from None
        ml = client.ml.get(id=ml.id)
        webhook = _backend_webhook(client, proj.id, backend_url, basic_auth)
    state = str(ml.state) if ml.state is not None else None
    if state in ("DI", "ER"):  # disconnected / error; CO, TR, PR are usable
        reason = ml.error_message or "it did not answer /health or /setup"
        raise ProjectError(f"Label Studio registered {shown} for project {proj.id} but cannot use it "
                           f"(state {state}): {redact(reason).strip().splitlines()[0][:300]}")
    with studio.api_errors(client, f"remove stale ML backend registrations of project {proj.id}"):
        for old in stale:  # only once the new one works: a mistyped URL keeps the old one
            _drop_registration(client, proj.id, old)
    with studio.api_errors(client, f"set the model version of project {proj.id}"):
        fresh = client.projects.get(proj.id)
        if fresh.model_version != ml.title:
            client.projects.update(proj.id, model_version=ml.title)
    return Connection(proj.id, proj.title, ml.id, shown, created, state, webhook,
                      [studio.display_url(m.url or "") for m in stale])


def connect(url: str, api_key: str | None, project: str | int, backend_url: str,
            title: str = DEFAULT_TITLE, basic_auth: tuple[str, str] | None = None) -> Connection:
    """`annotate connect`: log in to Label Studio at `url` and register the backend (idempotent).

    The token and the backend's password are registered with `annotate.redact`, so no message
    (error, log line) shows them, even one quoting a server's answer that echoes them.
    """
    from .. import studio

    with _redacted_errors(api_key, basic_auth[1] if basic_auth else None):
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
