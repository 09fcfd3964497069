"""The one seam that talks to Label Studio (label-studio-sdk 2.x).

Public API (other modules rely on these signatures):

- `connect(url, api_key, timeout=None) -> LabelStudio` — a checked client (one cheap
  `users.whoami` call). Legacy tokens and personal access tokens (JWT refresh tokens, which the
  SDK exchanges for access tokens) both work.
- `find_project(client, name_or_id) -> project` — by numeric id or exact title;
  `projects_titled(client, text)` — every project whose title contains `text` (one listing
  that also finds a blind-annotation family, see family.py).
- `ensure_project(client, name_or_id, config=None) -> (project, created)` — find, or create
  with our labeling config; an existing project's config must be compatible.
- `download_export(client, project_id, fh, progress=None) -> int` — Label Studio's full JSON
  export (annotations, relations, per-region choices) with full prediction objects, streamed
  into a file; its snapshot is waited for `export_timeout(tasks, annotations)` seconds (grows
  with the project; ANNOTATE_EXPORT_TIMEOUT overrides it). `export_tasks(...)` reads it into memory.
- `existing_task_hashes(client, project_id) -> set[str]` and `iter_task_index(...)` — what
  is already in a project, for idempotent pushes.
- `import_tasks(client, project_id, tasks) -> list[int]` — one non-retrying import POST
  (`import_task_json` for tasks already serialised).
- `replace_task`, `annotated_tasks`, `delete_unannotated_tasks`, `count_tasks`, `delete_project` — the writes a push
  needs to update a document in place and to remove a concurrent push's duplicates;
  `replace_tasks(client, project_id, [(task_id, task), ...])` updates many tasks in place with
  the same result in few requests (one PATCH a task plus a handful a batch).

Every failure is an `errors.ConnectionFailed` / `errors.ProjectError` with one line that
names the server but never the token. The SDK is imported lazily so `--help` and offline
commands never pay for it.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import math
import os
import re
import secrets
import tempfile
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from . import redact
from .errors import ConnectionFailed, ProjectError, UsageError
from .io import env_seconds

CHECK_TIMEOUT = 15.0  # seconds for the connectivity check
LONG_TIMEOUT = 600.0  # seconds of silence allowed in one import, index page or export download
# Waiting for an export snapshot (see export_timeout): Label Studio 1.23 builds one at about
# 20-30 ms a real-sized task (task, prediction and annotation) on one `label-studio start`
# process, inside the request that creates it: 35-50 minutes for 100,000 tasks.
EXPORT_WAIT_FLOOR = 600.0  # seconds, whatever the project's size
EXPORT_SECONDS_PER_ITEM = 0.05  # for each task and each annotation: ~4x the measured rate
EXPORT_TIMEOUT_ENV = "ANNOTATE_EXPORT_TIMEOUT"
INDEX_PAGE_SIZE = 1000
NO_RETRY = {"max_retries": 0}
# The task list is a GET, so task ids and id filters travel in its query string, and a proxy
# refuses a long request line (nginx, in front of Label Studio in its Docker image: 414 past
# 8 KB). A selected id costs up to ~12 characters there, an id-range filter ~170: these keep
# a request under ~4 KB.
IDS_PER_QUERY = 250
RANGES_PER_QUERY = 20
# Tasks deleted by one request: Label Studio deletes a task with its predictions and updates the
# project's counters in that request, a few ms a task, so 100,000 duplicates (two pushes of a
# 100,000-task file at once) in one request outlast a proxy (nginx: 300 s) and uwsgi's limit.
DELETE_CHUNK = 2000


def display_url(url: str) -> str:
    """The URL as safe to print: without any user:password@ part, query or fragment."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<invalid URL>"
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path.rstrip("/"), "", ""))


def display_client_url(client) -> str:
    """The client's server URL as safe to print (see `display_url`)."""
    return _base_url(client)


def _base_url(client) -> str:
    try:
        return display_url(client._client_wrapper.get_base_url())
    except AttributeError:
        return "Label Studio"


def _detail(body) -> str:
    """A short human reason from an API error body, with every secret masked (`redact`): a
    server's error text may echo the request's headers, the token with them."""
    return redact.redact(_reason(body))


def _reason(body) -> str:
    """The body cut to a readable length; secrets are masked first, so a token that straddles
    the cut cannot leak in part."""
    if isinstance(body, str):
        body = redact.redact(body)
    elif isinstance(body, (dict, list)):
        try:
            body = json.loads(redact.redact(json.dumps(body, ensure_ascii=False)))
        except ValueError:
            pass
    if isinstance(body, dict):
        if body.get("validation_errors"):
            errors = json.dumps(body["validation_errors"], ensure_ascii=False)[:300]
            return f"{body.get('detail') or 'validation error'}: {errors}"
        for key in ("detail", "message", "error", "validation_errors"):
            if body.get(key):
                text = body[key]
                return text if isinstance(text, str) else json.dumps(text, ensure_ascii=False)
        return json.dumps(body, ensure_ascii=False)[:300]
    if isinstance(body, str):
        # HTML error pages: keep the first readable line only.
        text = re.sub(r"<[^>]+>", " ", body)
        return " ".join(text.split())[:200]
    return "" if body is None else str(body)[:200]


def _translate(exc: BaseException, where: str, action: str, secret: str | None = None) -> ConnectionFailed:
    """Map an httpx / SDK exception to one ConnectionFailed line."""
    import httpx
    from label_studio_sdk.core.api_error import ApiError

    if isinstance(exc, httpx.ConnectError):
        reason = str(exc) or "connection failed"
        if "Name or service not known" in reason or "nodename nor servname" in reason or "Temporary failure in name resolution" in reason:
            reason = "host name not found"
        elif "Connection refused" in reason:
            reason = "connection refused (is Label Studio running?)"
        msg = f"cannot reach Label Studio at {where}: {reason}"
    elif isinstance(exc, httpx.TimeoutException):
        msg = f"Label Studio at {where} did not answer in time while trying to {action}"
    elif isinstance(exc, httpx.HTTPError):
        msg = f"connection to Label Studio at {where} failed while trying to {action}: {type(exc).__name__}"
        if isinstance(exc, httpx.DecodingError) and str(exc):  # ours: too large, or compressed
            msg += f" ({exc})"
    elif isinstance(exc, ApiError):
        status = exc.status_code
        if status in (401, 403):
            msg = (f"Label Studio at {where} refused the API key (HTTP {status}): check --api-key / "
                   "LABEL_STUDIO_API_KEY (a personal access token or a legacy token)")
            reason = _detail(exc.body)
            if "expired" in reason:
                msg += "; the token has expired"
        elif 200 <= status < 300:  # the SDK could not parse a success answer: not Label Studio's JSON
            msg = (f"unexpected answer from {where} while trying to {action} (HTTP {status}, not JSON: "
                   f"{_detail(exc.body)[:80]}): is this a Label Studio URL (and not a proxy or login page)?")
        elif status == 404:
            msg = f"{where} has no such Label Studio API endpoint (HTTP 404) while trying to {action}: is this a Label Studio URL?"
        else:
            msg = f"Label Studio at {where} answered HTTP {status} while trying to {action}: {_detail(exc.body)}"
    else:
        msg = f"unexpected answer from {where} while trying to {action}: {type(exc).__name__}"
    return ConnectionFailed(redact.redact(msg, secret))


def http_status(exc: BaseException) -> int | None:
    """The HTTP status of an SDK API error (None for anything else): for callers that treat
    some refusals specially without importing the SDK."""
    from label_studio_sdk.core.api_error import ApiError

    return exc.status_code if isinstance(exc, ApiError) else None


TRICKLE_FACTOR = 4  # an answer may take this many times its read timeout in all (see _sdk_client)
MAX_ANSWER_MB = 1024  # the largest answer read into memory (ANNOTATE_MAX_ANSWER_MB); exports stream to a file
# An export download (streamed to a file) also gets a second per this many bytes received: a
# 4.4 GB export of 100,000 annotated tasks needs over an hour at 1 MB/s, while a server
# trickling a few bytes a second still runs into the deadline.
MIN_DOWNLOAD_RATE = 64 << 10  # bytes a second


def max_answer_bytes() -> int:
    """The size limit of one answer read into memory: ANNOTATE_MAX_ANSWER_MB, else MAX_ANSWER_MB."""
    value = os.environ.get("ANNOTATE_MAX_ANSWER_MB", "").strip()
    if not value:
        return MAX_ANSWER_MB << 20
    if not value.isdigit() or int(value) < 1:
        raise UsageError(f"ANNOTATE_MAX_ANSWER_MB must be a whole number of megabytes, at least 1 (not {value!r})")
    return int(value) << 20


def _streams_to_file(path: str) -> bool:
    """An export snapshot's download, which download_export writes to a file as it arrives."""
    return path.rstrip("/").endswith("/download") and "/exports/" in path


def _sdk_client(url: str, api_key: str, timeout: float):
    """The SDK client, on an httpx client whose answers have a deadline as a whole.

    httpx's read timeout bounds the silence between two bytes, not an answer: a server (or
    proxy) sending one byte every few seconds would hold every command forever. Here an
    answer whose body is still arriving TRICKLE_FACTOR read timeouts after the request was
    sent fails as a timeout (a 60 s request: 4 minutes; an export's 600 s: 40 minutes).
    An export's download, streamed to a file, may take one more second for every
    MIN_DOWNLOAD_RATE bytes it has received (a 4.4 GB export over a 1 MB/s link is over an
    hour; a trickle of a few bytes a second still ends at the deadline).
    Answers are asked for uncompressed and a compressed one is refused (no gzip bomb), and an
    answer read into memory stops at max_answer_bytes() (an export's download, streamed to a
    file, has no limit): a server sending without end cannot fill the machine's memory.
    Redirects are followed as the SDK does (httpx drops the Authorization header on a
    redirect to another host).
    """
    import httpx
    from label_studio_sdk import LabelStudio

    limit = max_answer_bytes()

    class Deadline(httpx.SyncByteStream):
        def __init__(self, stream, request, deadline: float, limit: int | None, per_byte: float = 0.0):
            self.stream, self.request, self.deadline, self.limit = stream, request, deadline, limit
            self.per_byte = per_byte  # seconds of extra time each byte received earns

        def __iter__(self):
            size = 0
            for chunk in self.stream:
                if time.monotonic() > self.deadline + size * self.per_byte:
                    raise httpx.ReadTimeout("the answer kept arriving too slowly", request=self.request)
                size += len(chunk)
                if self.limit is not None and size > self.limit:
                    raise httpx.DecodingError(
                        f"an answer larger than {self.limit >> 20} MB; ANNOTATE_MAX_ANSWER_MB raises the limit",
                        request=self.request)
                yield chunk

        def close(self):
            self.stream.close()

    class Transport(httpx.HTTPTransport):
        def handle_request(self, request):
            started = time.monotonic()
            request.headers["Accept-Encoding"] = "identity"
            response = super().handle_request(request)
            if response.headers.get("Content-Encoding", "identity").strip().lower() not in ("", "identity"):
                # Not asked for: a gzip bomb of a few MB would decode into gigabytes in memory.
                response.close()
                raise httpx.DecodingError("a compressed answer although none was asked for", request=request)
            read = (request.extensions.get("timeout") or {}).get("read") or timeout
            to_file = _streams_to_file(request.url.path)
            response.stream = Deadline(response.stream, request, started + TRICKLE_FACTOR * read,
                                       None if to_file else limit, 1 / MIN_DOWNLOAD_RATE if to_file else 0.0)
            return response

    http = httpx.Client(timeout=timeout, follow_redirects=True, transport=Transport())
    return LabelStudio(base_url=url, api_key=api_key, timeout=timeout, httpx_client=http)


def client(url: str, api_key: str, timeout: float = 60.0):
    """A Label Studio client without the connectivity check of `connect` (for a background
    worker that checks each call itself); the token is registered with `redact`."""
    redact.remember(api_key)
    return _sdk_client(url, api_key, timeout)


@contextlib.contextmanager
def api_errors(client, action: str, not_found: str | None = None) -> Iterator[None]:
    """Turn SDK/httpx errors inside the block into one-line ConnectionFailed/ProjectError."""
    import httpx
    from label_studio_sdk.core.api_error import ApiError

    try:
        yield
    except ApiError as exc:
        if exc.status_code == 404 and not_found:
            raise ProjectError(not_found) from None
        raise _translate(exc, _base_url(client), action) from None
    except httpx.HTTPError as exc:
        raise _translate(exc, _base_url(client), action) from None
    except (ValueError, TypeError) as exc:
        # The SDK parsing an answer that is not Label Studio's JSON: an HTML page served with
        # 200, a list where an object belongs (JSONDecodeError, pydantic errors, TypeError).
        raise _unexpected(client, action, exc) from None


def _unexpected(client, action: str, what) -> ConnectionFailed:
    """One line for an answer that is not the JSON Label Studio sends (exit 3)."""
    what = what if isinstance(what, str) else type(what).__name__
    return ConnectionFailed(redact.redact(
        f"unexpected answer from {_base_url(client)} while trying to {action} ({what}): "
        "is this a Label Studio URL (and not a proxy or login page)?"))


def _json(client, response, action: str, kind: type = dict):
    """The JSON body of a raw answer, which must be a `kind` (dict or list); else ConnectionFailed."""
    try:
        body = response.json()
    except ValueError:
        raise _unexpected(client, action, f"HTTP {response.status_code}, not JSON: {_detail(response.text)[:80]}") from None
    if not isinstance(body, kind):
        raise _unexpected(client, action, f"a JSON {type(body).__name__} where a {kind.__name__} belongs")
    return body


def _ids(client, values, action: str) -> list[int]:
    """Task ids from an answer: integers only (not strings, floats or booleans)."""
    if not isinstance(values, list) or not all(type(v) is int for v in values):
        raise _unexpected(client, action, "task ids that are not integers")
    return values


def _task_list(client, body: dict, action: str) -> list[dict]:
    """The `tasks` of a task-list page: objects with an integer `id` each."""
    tasks = body.get("tasks") or []
    if not isinstance(tasks, list) or not all(isinstance(t, dict) for t in tasks):
        raise _unexpected(client, action, "a task list that is not a list of objects")
    _ids(client, [t.get("id") for t in tasks], action)
    return tasks


def connect(url: str, api_key: str | None, timeout: float | None = None):
    """A LabelStudio client for `url`, checked with one `users.whoami` call.

    `api_key` is a personal access token (JWT refresh token; the SDK exchanges it) or a
    legacy token. `timeout` (seconds) is the client's default per request (60 s; imports and
    exports use longer ones). Raises ConnectionFailed (never showing the token) when the URL
    is malformed, the server is unreachable or times out, or the token is refused.
    """
    where = display_url(url or "")
    redact.remember(api_key)  # every later message built from server text masks it
    if not api_key:
        raise ConnectionFailed(
            "no Label Studio API key: pass --api-key or set LABEL_STUDIO_API_KEY "
            "(Account & Settings -> Personal Access Token, or a legacy token)")
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        shown = re.sub(r"[^@/]*@", "", url or "")[:100]  # never echo a user:password@ part
        raise ConnectionFailed(redact.redact(f"not a Label Studio URL: {shown!r} (expected http://host:port)"))

    import httpx
    from label_studio_sdk.core.api_error import ApiError

    max_answer_bytes()  # a bad ANNOTATE_MAX_ANSWER_MB is the user's to fix (exit 2), not the server's
    export_timeout()  # the same for ANNOTATE_EXPORT_TIMEOUT, before anything is asked of the server
    try:
        client = _sdk_client(url.rstrip("/"), api_key, timeout or 60.0)
        check_timeout = min(CHECK_TIMEOUT, timeout) if timeout else CHECK_TIMEOUT
        client.users.whoami(request_options={"max_retries": 0, "timeout": check_timeout})
    except (ApiError, httpx.HTTPError) as exc:
        raise _translate(exc, where, "check the API key", secret=api_key) from None
    except Exception as exc:  # a non-Label-Studio server answering with HTML, a broken JWT, ...
        raise ConnectionFailed(
            f"unexpected answer from {where} while checking the API key ({type(exc).__name__}): "
            "is this a Label Studio URL?") from None
    return client


def find_project(client, name_or_id: str | int):
    """The project with this numeric id or exact title; ProjectError if there is none.

    A value made only of digits is an id. Several projects with the same title are an error
    that lists their ids.
    """
    key = str(name_or_id).strip()
    where = _base_url(client)
    if key.isdigit():
        with api_errors(client, f"open project {key}", not_found=f"no project with id {key} on {where}"):
            return client.projects.get(int(key))
    matches = [p for p in projects_titled(client, key) if p.title == key]
    if not matches:
        raise ProjectError(f"no project titled {key!r} on {where} (use its title or numeric id)")
    if len(matches) > 1:
        ids = ", ".join(str(i) for i in sorted(p.id for p in matches))
        raise ProjectError(f"{len(matches)} projects are titled {key!r} on {where} (ids {ids}): pass the id")
    with api_errors(client, f"open project {matches[0].id}"):
        return client.projects.get(matches[0].id)


def projects_titled(client, title: str) -> list:
    """Projects whose title contains `title`, paged by hand (the SDK pager asks for one page too
    many). One listing also finds a blind-annotation family ("T" and "T · <email>", see family.py)."""
    found, page, size = [], 1, 100
    while True:
        with api_errors(client, "list projects"):
            items = client.projects.list(title=title, page=page, page_size=size).items or []
        found.extend(items)
        if len(items) < size:
            return found
        page += 1


# --- labeling config compatibility -------------------------------------------------------


def config_signature(config: str) -> dict[str, tuple]:
    """What push and pull rely on in a labeling config: tag, toName, value and option values per name.

    Relations have no name: they are keyed "<Relations>".
    """
    try:
        root = ET.fromstring(config)
    except ET.ParseError as exc:
        raise ProjectError(f"the project's labeling config is not valid XML ({exc})") from None
    sig: dict[str, tuple] = {}
    for el in root.iter():
        if el.tag == "Relations":
            sig["<Relations>"] = ("Relations", "", "", frozenset(c.get("value", "") for c in el))
        elif el.get("name"):
            options = frozenset(c.get("value", "") for c in el if c.tag in ("Label", "Choice"))
            sig[el.get("name")] = (el.tag, el.get("toName", ""), el.get("value", ""), options)
    return sig


def config_problems(theirs: str, ours: str) -> list[str]:
    """Why a project's config cannot hold our tasks ([] when compatible).

    Every control/object of ours must exist with the same tag, toName and value, offering at
    least our labels/choices/relations. Extra controls or options in theirs are fine.
    """
    mine, other = config_signature(ours), config_signature(theirs)
    problems = []
    for name, (tag, to_name, value, options) in mine.items():
        if name not in other:
            problems.append(f"missing {tag} {name!r}" if name != "<Relations>" else "missing <Relations>")
            continue
        t_tag, t_to, t_value, t_options = other[name]
        if t_tag != tag:
            problems.append(f"{name!r} is a {t_tag}, expected {tag}")
        if t_to != to_name:
            problems.append(f"{name!r} has toName={t_to!r}, expected {to_name!r}")
        if t_value != value:
            problems.append(f"{name!r} has value={t_value!r}, expected {value!r}")
        missing = sorted(options - t_options)
        if missing:
            problems.append(f"{name!r} lacks {', '.join(missing)}")
    return problems


CREATED_BY_PUSH = "Created by annotate push."  # marks a project a push made (see ensure_project)


def _titled_exactly(client, title: str) -> list:
    """The projects with exactly this title, oldest (smallest id) first."""
    return sorted((p for p in projects_titled(client, title) if p.title == title), key=lambda p: p.id)


def _is_empty(client, project_id: int) -> bool | None:
    """Whether the project has no tasks (and so no annotations); None when it is gone."""
    try:
        with api_errors(client, f"open project {project_id}", not_found="gone"):
            project = client.projects.get(project_id)
    except ProjectError:
        return None
    return not (project.task_number or 0) and not (project.total_annotations_number or 0)


def delete_project(client, project_id: int) -> None:
    """Delete a project; one that is already gone is fine (a concurrent push deleted it)."""
    with contextlib.suppress(ProjectError), api_errors(client, f"delete project {project_id}", not_found="gone"):
        client.projects.delete(project_id, request_options=NO_RETRY)


def _oldest_titled(client, title: str):
    """The project with this title, or None. Several: the oldest, when every younger one is an
    empty project made by a push (a concurrent push's twin, about to be deleted by its
    creator, or one left by an interrupted push; deleted here); otherwise a ProjectError."""
    matches = _titled_exactly(client, title)
    if not matches:
        return None
    younger = matches[1:]
    if any(p.description != CREATED_BY_PUSH or _is_empty(client, p.id) is False for p in younger):
        ids = ", ".join(str(p.id) for p in matches)
        raise ProjectError(f"{len(matches)} projects are titled {title!r} on {_base_url(client)} (ids {ids}): pass the id")
    for p in younger:
        delete_project(client, p.id)
    with api_errors(client, f"open project {matches[0].id}", not_found=f"project {matches[0].id} disappeared"):
        return client.projects.get(matches[0].id)


def _settle_created(client, title: str, mine):
    """After creating `mine`: the project every concurrent pusher of this title will use.

    The oldest project with the title wins (every pusher reads the same ids, so they agree
    without talking to each other). Every younger one made by a push (ours, a concurrent
    push's, or an orphan: on SQLite Label Studio re-runs a request that hit "database is
    locked", even one that had already created its project) is deleted while still empty.
    """
    matches = _titled_exactly(client, title)
    winner = matches[0] if matches and matches[0].id < mine.id else mine
    for p in matches:
        if p.id == winner.id or (p.id != mine.id and p.description != CREATED_BY_PUSH):
            continue  # a project someone made by hand is not ours to judge
        if _is_empty(client, p.id) is False:
            if p.id == mine.id:  # someone already pushed into it: do not guess
                ids = ", ".join(str(m.id) for m in matches)
                raise ProjectError(f"{len(matches)} projects titled {title!r} were created at the same time on "
                                   f"{_base_url(client)} (ids {ids}): pass the id")
            continue
        delete_project(client, p.id)
    if winner.id == mine.id:
        return mine
    with api_errors(client, f"open project {winner.id}", not_found=f"project {winner.id} disappeared"):
        return client.projects.get(winner.id)


def ensure_project(client, name_or_id: str | int, config: str | None = None):
    """(project, created): find the project, or create it with our labeling config; `created`
    says the project did not exist when we looked.

    A numeric value must be an existing project id. A title that does not exist yet is
    created with `config` (default: annotate.labeling.labeling_config()). An existing project
    must have a compatible config; one with an empty config and no tasks gets ours.

    Safe against a concurrent push creating the same title (Label Studio has no unique
    title): after creating, the projects with this title are listed again and the oldest
    (smallest id) wins; a younger one we created is deleted while still empty and the winner
    is used, so every pusher settles on the same project. An empty younger twin that an
    interrupted push left behind (marked `CREATED_BY_PUSH`) is deleted on the next push.
    """
    from .labeling import labeling_config

    config = config or labeling_config()
    key = str(name_or_id).strip()
    created = False  # True: the project did not exist when we looked (even if a twin won)
    if key.isdigit():
        project = find_project(client, key)
    else:
        project = _oldest_titled(client, key)
        if project is None:
            if len(key) < 3:
                raise UsageError(f"project title {key!r} is too short: Label Studio needs at least 3 characters")
            with api_errors(client, f"create project {key!r}"):
                mine = client.projects.create(title=key, label_config=config, description=CREATED_BY_PUSH,
                                              request_options=NO_RETRY)
            project, created = _settle_created(client, key, mine), True
            if project.id == mine.id:
                ensure_task_view(client, project.id)
                return project, created

    where = _base_url(client)
    theirs = project.label_config or ""
    if not config_signature(theirs) or not [k for k in config_signature(theirs) if k != "<Relations>"]:
        if (project.task_number or 0) == 0:
            with api_errors(client, f"set the labeling config of project {project.id}"):
                client.projects.update(project.id, label_config=config)
                project = client.projects.get(project.id)
            return project, created
    problems = config_problems(theirs, config)
    if problems:
        raise ProjectError(
            f"project {project.id} ({project.title!r}) on {where} has an incompatible labeling config: "
            + "; ".join(problems))
    return project, created


# --- reading what is in a project ----------------------------------------------------------


@dataclass(frozen=True)
class TaskRef:
    """What push needs to know about a task already in the project."""

    id: int
    doc_id: str | None
    task_hash: str | None
    text_sha256: str | None
    annotations: int  # not counting cancelled (skipped) ones
    cancelled: int = 0


# Reading the index (push). Label Studio's task list decodes every task's predictions on the
# server whatever fields are asked for (it prefetches them for the data manager): about 2 ms of
# its CPU a real-sized task, 60% of it in that JSON decoding, the same for `include=id` as for
# id/meta/data. So the client cannot make a page cheaper; it can only stop paying twice:
# - pages are id ranges ("id > a and id <= b", the task list's own filter), not page numbers:
#   the server counts and skips only inside the range (offset pages count the whole project on
#   every page and skip further and further), and a task deleted or added meanwhile cannot
#   shift another one off a page;
# - `resolve_uri=false`: no storage-URL resolution of every data field (~7% of the server's work);
# - INDEX_WORKERS ranges are read at once: our decoding, PostgreSQL and the server overlap, and
#   a server with several worker processes (the Docker image's uwsgi) reads them in parallel.
INDEX_WORKERS = 2
INDEX_FIELDS = "id,meta,data,total_annotations,cancelled_annotations"


def iter_task_index(client, project_id: int, workers: int | None = None,
                    page_size: int | None = None) -> Iterator[TaskRef]:
    """Every task of the project as a TaskRef, in id order (only id/meta/data and the counters).

    Two requests find the smallest and largest task id and the task count; the ids between
    are cut into ranges expected to hold `page_size` tasks each (INDEX_PAGE_SIZE), read by
    `workers` threads (INDEX_WORKERS) and yielded in order. A range that holds more than a page
    is read on from its last id. What this sees under concurrent writes is what a single
    read that raced with them would see: every task present from start to end exactly once.
    """
    size = page_size or INDEX_PAGE_SIZE
    ranges = _id_ranges(client, project_id, size)
    yield from _in_order(ranges, lambda r: _read_range(client, project_id, r[0], r[1], size),
                         workers or INDEX_WORKERS)


def _id_ranges(client, project_id: int, size: int) -> list[tuple[int, int]]:
    """The project's task ids cut into ranges (after, upto] expected to hold `size` tasks each,
    from two requests (the smallest and the largest id, and the count); [] for no tasks."""
    first = _index_request(client, project_id, 1, ordering="tasks:id", fields="id")
    last = _index_request(client, project_id, 1, ordering="-tasks:id", fields="id")
    if not first["tasks"] or not last["tasks"]:
        return []
    lo, hi = first["tasks"][0]["id"], last["tasks"][0]["id"]
    total = max(int(first.get("total") or 1), 1)
    span = max(size, -(-(hi - lo + 1) * size // total))  # ids a range covers: sparse ids, wider ranges
    return [(a, min(a + span, hi)) for a in range(lo - 1, hi, span)]


def _in_order(items: list, fetch: Callable, workers: int) -> Iterator[TaskRef]:
    """fetch(item) for every item, at most `workers` at once and `workers` ahead of the
    consumer; the results' TaskRefs yielded in the items' order. An error is raised when its
    item's turn comes; the rest are cancelled."""
    if workers <= 1 or len(items) <= 1:
        for item in items:
            yield from fetch(item)
        return
    from collections import deque
    from concurrent.futures import ThreadPoolExecutor

    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="annotate-index")
    pending: deque = deque()
    try:
        for item in items:
            pending.append(pool.submit(fetch, item))
            if len(pending) > workers:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()
    finally:
        for future in pending:
            future.cancel()
        pool.shutdown(wait=True)


def _read_range(client, project_id: int, after: int, upto: int, size: int, fields: str = INDEX_FIELDS,
                shape: Callable[[dict], object] | None = None, all_fields: bool = False) -> list:
    """The TaskRefs (or `shape(task)` of each task) of the project's tasks with after < id <= upto,
    `size` a request, with the `fields` asked for (`all_fields`: annotations and predictions too)."""
    shape = shape or _task_ref
    refs: list = []
    while True:
        tasks = _index_request(client, project_id, size, after=after, upto=upto, fields=fields,
                               all_fields=all_fields)["tasks"]
        ids = [t["id"] for t in tasks]
        if any(not after < i <= upto for i in ids) or ids != sorted(set(ids)):
            # A server (or proxy) that ignores the id filter repeats pages forever: never loop
            # on it, never count a task twice.
            raise _unexpected(client, f"list the tasks of project {project_id}",
                              f"tasks outside the id range {after + 1}..{upto} asked for, or out of order")
        refs.extend(shape(t) for t in tasks)
        if len(tasks) < size:
            return refs
        after = ids[-1]


def _index_request(client, project_id: int, size: int, ordering: str = "tasks:id",
                   after: int | None = None, upto: int | None = None, fields: str = INDEX_FIELDS,
                   all_fields: bool = False) -> dict:
    """One page of the task list (`tasks` and `total`), ids in (after, upto] when given, with the
    `fields` asked for (`all_fields`: annotations and predictions among them)."""
    items = []
    if after is not None:
        items.append({"filter": "filter:tasks:id", "operator": "greater", "type": "Number", "value": after})
    if upto is not None:
        items.append({"filter": "filter:tasks:id", "operator": "less_or_equal", "type": "Number", "value": upto})
    query: dict = {"ordering": [ordering]}
    if items:
        query["filters"] = {"conjunction": "and", "items": items}
    action = f"list the tasks of project {project_id}"
    with api_errors(client, action):
        response = client._client_wrapper.httpx_client.request(
            "api/tasks", method="GET", request_options={"timeout": LONG_TIMEOUT},
            params={"project": project_id, "page": 1, "page_size": size, "resolve_uri": "false",
                    "include": fields, **({"fields": "all"} if all_fields else {}), "query": json.dumps(query)})
    if response.status_code == 404:
        return {"tasks": [], "total": 0}  # Label Studio answers an empty first page with 404
    if response.status_code != 200:
        _raise_http(client, response, action)
    body = _json(client, response, action)
    total = body.get("total") or 0
    return {"tasks": _task_list(client, body, action), "total": total if type(total) is int else 0}


def _task_ref(t: dict) -> TaskRef:
    meta = t.get("meta") or {}
    data = t.get("data") or {}
    return TaskRef(
        id=t["id"],
        doc_id=data.get("doc_id"),
        task_hash=meta.get("task_hash"),
        text_sha256=meta.get("text_sha256"),
        annotations=t.get("total_annotations") or 0,
        cancelled=t.get("cancelled_annotations") or 0,
    )


def count_tasks(client, project_id: int, id_ranges: list[tuple[int, int]] | None = None) -> int:
    """How many tasks the project holds (only those with an id in one of `id_ranges`, both ends
    included, when given): cheap requests, the server counts (RANGES_PER_QUERY ranges each,
    so the query string stays short; the ranges must not overlap)."""
    if id_ranges is None:
        return _count_request(client, project_id, None)
    return sum(_count_request(client, project_id, id_ranges[i:i + RANGES_PER_QUERY])
               for i in range(0, len(id_ranges), RANGES_PER_QUERY))


def _count_request(client, project_id: int, id_ranges: list[tuple[int, int]] | None) -> int:
    params: dict = {"project": project_id, "page_size": 1, "include": "id"}
    if id_ranges is not None:
        items = [{"filter": "filter:tasks:id", "operator": "in", "type": "Number", "value": {"min": lo, "max": hi}}
                 for lo, hi in id_ranges]
        params["query"] = json.dumps({"filters": {"conjunction": "or", "items": items}}, separators=(",", ":"))
    action = f"count the tasks of project {project_id}"
    with api_errors(client, action):
        response = client._client_wrapper.httpx_client.request("api/tasks", method="GET", params=params)
    if response.status_code == 404:
        return 0  # Label Studio answers an empty first page with 404
    if response.status_code != 200:
        _raise_http(client, response, action)
    total = _json(client, response, action).get("total") or 0
    if type(total) is not int:
        raise _unexpected(client, action, "a task count that is not an integer")
    return total


def _raise_http(client, response, action: str):
    from label_studio_sdk.core.api_error import ApiError

    try:
        body = response.json()
    except ValueError:
        body = response.text
    raise _translate(ApiError(status_code=response.status_code, body=body), _base_url(client), action)


def existing_task_hashes(client, project_id: int) -> set[str]:
    """The meta.task_hash of every task in the project (tasks without one are ignored)."""
    return {t.task_hash for t in iter_task_index(client, project_id) if t.task_hash}


def import_tasks(client, project_id: int, tasks: list[dict]) -> list[int]:
    """Import one batch with a single POST (no SDK retry: a retried POST could duplicate tasks).

    Returns the new task ids, in input order. The body is serialised with `json.dumps` and
    sent through the SDK's HTTP client (same auth, JWT refresh and base URL): the SDK's own
    encoder walks every nested value and costs ~1 ms a task, a tenth of the whole budget.
    """
    return import_task_json(client, project_id,
                            [json.dumps(t, ensure_ascii=False, separators=(",", ":")).encode("utf-8") for t in tasks])


def import_task_json(client, project_id: int, tasks: list[bytes]) -> list[int]:
    """`import_tasks` of tasks already serialised (one JSON object each, UTF-8): push sends the
    lines of a tasks file as they are instead of parsing and re-encoding them, and a batch
    waiting or in flight is held as bytes, a fraction of its size as Python objects."""
    action = f"import tasks into project {project_id}"
    body = b"[" + b",".join(tasks) + b"]"
    with api_errors(client, action):
        response = client._client_wrapper.httpx_client.request(
            f"api/projects/{project_id}/import", method="POST", params={"return_task_ids": "true"},
            content=body, headers={"Content-Type": "application/json"},
            request_options={"max_retries": 0, "timeout": LONG_TIMEOUT},
        )
    if response.status_code == 404:
        raise ProjectError(f"project {project_id} disappeared during the import")
    if response.status_code not in (200, 201):
        _raise_http(client, response, action)
    ids = _ids(client, _json(client, response, action).get("task_ids") or [], action)
    if len(ids) != len(tasks):
        raise ConnectionFailed(
            f"Label Studio at {_base_url(client)} imported {len(ids)} of {len(tasks)} tasks; "
            "re-run the push (tasks already imported are skipped)")
    return ids


def model_family(model_version: str | None) -> str:
    """A model version without its version number: "annotate-rules-0.2.0" -> "annotate-rules"."""
    return re.sub(r"(?:[-_ ]v?|v)\d[\w.+-]*$", "", model_version or "")


def replace_task(client, task_id: int, task: dict) -> None:
    """Update a task in place: new data and meta, and new predictions replacing the old ones of
    the same model family (other models' predictions, e.g. from an ML backend, stay).

    Annotations on the task are kept. The data and meta (with the new task_hash) are written
    last: a push stopped half-way leaves the old hash, so the next push redoes the update.
    """
    action = f"update task {task_id}"
    families = {model_family(p.get("model_version")) for p in task.get("predictions") or []}
    with api_errors(client, action, not_found=f"task {task_id} disappeared during the push"):
        for old in client.predictions.list(task=task_id):
            if model_family(old.model_version) in families:
                client.predictions.delete(id=old.id)
        for pred in task.get("predictions") or []:
            client.predictions.create(
                task=task_id, result=pred.get("result") or [], score=pred.get("score"),
                model_version=pred.get("model_version"), request_options=NO_RETRY)
        client.tasks.update(id=str(task_id), data=task["data"], meta=task.get("meta") or {})


def annotated_tasks(client, project_id: int, task_ids: list[int]) -> set[int]:
    """Which of these tasks have at least one annotation (cancelled ones too).

    Reads the annotations themselves: the task's stored counters (`total_annotations`) were
    seen at 0 on a task holding an annotation (Label Studio 1.23.2), so they cannot decide
    what may be deleted.
    """
    found: set[int] = set()
    for t in _tasks_by_id(client, project_id, task_ids, "id,annotations,total_annotations,cancelled_annotations",
                          f"read the annotations of tasks in project {project_id}"):
        if t.get("annotations") or t.get("total_annotations") or t.get("cancelled_annotations"):
            found.add(t["id"])
    return found


def _tasks_by_id(client, project_id: int, task_ids: list[int], include: str, action: str) -> Iterator[dict]:
    """The tasks of the project with these ids (those still there), with the `include` fields:
    one task-list request per IDS_PER_QUERY ids, since the ids travel in the query string."""
    for i in range(0, len(task_ids), IDS_PER_QUERY):
        chunk = list(task_ids[i:i + IDS_PER_QUERY])
        query = json.dumps({"selectedItems": {"all": False, "included": chunk}}, separators=(",", ":"))
        with api_errors(client, action):
            response = client._client_wrapper.httpx_client.request(
                "api/tasks", method="GET", request_options={"timeout": LONG_TIMEOUT},
                params={"project": project_id, "page_size": len(chunk), "query": query, "fields": "all",
                        "resolve_uri": "false", "include": include})
        if response.status_code == 404:
            continue  # none of them is left
        if response.status_code != 200:
            _raise_http(client, response, action)
        yield from _task_list(client, _json(client, response, action), action)


def delete_unannotated_tasks(client, project_id: int, task_ids: list[int]) -> int:
    """Delete these tasks of the project, except any that has an annotation (cancelled ones
    too) by the time the server runs the delete; returns how many were deleted.

    Check with `annotated_tasks` first: this is a data-manager `delete_tasks` action (one per
    DELETE_CHUNK tasks) whose filter on the task's annotation counters the server applies in
    the same query, a second guard for an annotation made after that check. Ids that are
    already gone are ignored.
    """
    task_ids = list(task_ids)
    return sum(_delete_unannotated(client, project_id, task_ids[i:i + DELETE_CHUNK])
               for i in range(0, len(task_ids), DELETE_CHUNK))


def _delete_unannotated(client, project_id: int, task_ids: list[int]) -> int:
    if not task_ids:
        return 0
    no_annotations = [{"filter": f"filter:tasks:{field}", "operator": "equal", "type": "Number", "value": 0}
                      for field in ("total_annotations", "cancelled_annotations")]
    body = {"selectedItems": {"all": False, "included": task_ids},
            "filters": {"conjunction": "and", "items": no_annotations}}
    return _dm_action(client, project_id, "delete_tasks", body, f"delete duplicate tasks in project {project_id}")


def _dm_action(client, project_id: int, action_id: str, body: dict, action: str) -> int:
    """Run a data-manager action (no retry: it deletes) on the tasks `body` selects; returns the
    server's count of processed items (0 when it gives none)."""
    with api_errors(client, action, not_found=f"project {project_id} disappeared during the push"):
        response = client._client_wrapper.httpx_client.request(
            "api/dm/actions", method="POST", params={"id": action_id, "project": project_id},
            json=body, request_options={"max_retries": 0, "timeout": LONG_TIMEOUT})
    if response.status_code != 200:
        _raise_http(client, response, action)
    processed = _json(client, response, action).get("processed_items") or 0
    return processed if type(processed) is int else 0


# --- full export ---------------------------------------------------------------------------


def export_tasks(client, project_id: int, progress: Callable[[str], None] | None = None) -> list[dict]:
    """Every task of the project in Label Studio's full JSON export shape, in memory.

    See `download_export`; for large projects prefer it and stream the file
    (`annotate.annotations.read_export`), as `pull` does.
    """
    with tempfile.TemporaryFile() as fh:
        download_export(client, project_id, fh, progress)
        fh.seek(0)
        tasks = json.load(fh)
    if not isinstance(tasks, list):
        raise ConnectionFailed(f"export of project {project_id} is not a JSON list of tasks")
    if progress:
        progress(f"exported {len(tasks)} tasks")
    return tasks


def export_timeout(tasks: int = 0, annotations: int = 0) -> float:
    """How many seconds to wait for an export snapshot of a project with this many tasks and
    annotations: ANNOTATE_EXPORT_TIMEOUT when set (a UsageError when it is not a number of
    seconds above 0), else EXPORT_WAIT_FLOOR plus EXPORT_SECONDS_PER_ITEM for every task and
    every annotation (100,000 tasks with one annotation each: 10 minutes + 10,000 s, about
    3 hours, four times what Label Studio 1.23 needs on one loaded 2-core machine)."""
    return env_seconds(EXPORT_TIMEOUT_ENV,
                       EXPORT_WAIT_FLOOR + EXPORT_SECONDS_PER_ITEM * (max(tasks, 0) + max(annotations, 0)))


def duration(seconds: float) -> str:
    """Seconds as people read them: "45 s", "3 min 05 s", "2 h 47 min"."""
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"


def download_export(client, project_id: int, fh, progress: Callable[[str], None] | None = None,
                    via: str | None = None) -> int:
    """Write the project's full JSON export into the binary file `fh`; returns its size.

    `via` (else `read_via()`: the innermost `reading_via(...)`, else ANNOTATE_VIA, else
    "snapshot") says how: "snapshot" has Label Studio build an export snapshot
    (`download_snapshot`), "tasks" reads the task list a page at a time (`download_tasks`).
    Both give `pull` the same dataset.
    """
    if (via or read_via()) == "tasks":
        return download_tasks(client, project_id, fh, progress)
    return download_snapshot(client, project_id, fh, progress)


def download_snapshot(client, project_id: int, fh, progress: Callable[[str], None] | None = None) -> int:
    """Write the project's full JSON export into the binary file `fh`; returns its size.

    Uses an export snapshot with `predictions.only_id = False`, so each prediction is a full
    object with `model_version`, `score` and `result`; annotations keep relations and
    per-region choices, and skipped/cancelled and ground-truth annotations are included.
    The snapshot is waited for as long as the project's size asks (`export_timeout`, from its
    task and annotation counts; ANNOTATE_EXPORT_TIMEOUT overrides it), with a progress line
    giving the time so far. The download is streamed to the file (memory stays flat however
    large the project). `progress`, if given, receives short status lines. The snapshot is
    deleted afterwards.
    """
    say = progress or (lambda _msg: None)
    configured = os.environ.get(EXPORT_TIMEOUT_ENV, "").strip()
    bound = export_timeout() if configured else None  # a bad setting is a usage error before any request
    where = f"export project {project_id}"
    with api_errors(client, where, not_found=f"no project with id {project_id} on {_base_url(client)}"):
        project = client.projects.get(project_id)
        tasks, annotations = _count(project.task_number), _count(project.total_annotations_number)
        if bound is None:
            bound = export_timeout(tasks, annotations)
        snapshot = _build_snapshot(client, project_id, tasks, bound, say)
        try:
            size = _download_snapshot_file(client, project_id, snapshot.id, fh, say)
        finally:
            with contextlib.suppress(Exception):
                client.projects.exports.delete(id=project_id, export_pk=snapshot.id)
    return size


DOWNLOAD_RETRIES = 3  # a download answered 429/503 is asked again this many times
RETRY_AFTER_MAX = 60.0  # seconds: a longer Retry-After is waited this long


def _download_snapshot_file(client, project_id: int, export_id: int, fh, say: Callable[[str], None]) -> int:
    """Stream the snapshot's JSON into `fh`; returns its size. A 429 or 503 before the first byte
    is waited out (its Retry-After, at most RETRY_AFTER_MAX s) and asked again, DOWNLOAD_RETRIES
    times; an answer that is empty, or an HTML page (a login or proxy page), is the server's
    trouble (ConnectionFailed), not a file to read; a connection lost mid-way says how much came."""
    import httpx
    from label_studio_sdk.core.api_error import ApiError

    for attempt in range(DOWNLOAD_RETRIES + 1):
        size, head = 0, b""
        try:
            for chunk in client.projects.exports.download(
                    id=project_id, export_pk=export_id, export_type="JSON",
                    request_options={"timeout": LONG_TIMEOUT, "chunk_size": 1 << 20}):
                fh.write(chunk)
                size += len(chunk)
                if len(head) < 1 << 16:
                    head += chunk[:(1 << 16) - len(head)]
                say(f"downloaded {size / 1e6:.1f} MB")
            fh.flush()
            break
        except ApiError as exc:
            if size or exc.status_code not in (429, 503) or attempt == DOWNLOAD_RETRIES:
                raise
            wait = _retry_after(exc.headers)
            say(f"Label Studio answered {exc.status_code} to the download: asking again in {wait:.0f} s")
            time.sleep(wait)
        except (httpx.RemoteProtocolError, httpx.ReadError) as exc:
            raise ConnectionFailed(
                f"the connection to {_base_url(client)} closed during the download of project {project_id}'s "
                f"export after {size / 1e6:.1f} MB ({type(exc).__name__}); nothing was written: run the "
                "command again") from None
    start = head.lstrip()
    if not start:
        raise ConnectionFailed(f"Label Studio at {_base_url(client)} sent an empty export of project {project_id}")
    if start[:1] == b"<":
        from .exportfile import html_page

        raise ConnectionFailed(f"Label Studio at {_base_url(client)} sent "
                               f"{html_page(head.decode('utf-8', 'replace'))}")
    return size


def _retry_after(headers) -> float:
    """Seconds a Retry-After header asks for (a number; a date or nothing: 5 s), within RETRY_AFTER_MAX."""
    value = next((v for k, v in (headers or {}).items() if k.lower() == "retry-after"), "")
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        seconds = 5.0
    return min(max(seconds, 0.0), RETRY_AFTER_MAX) if math.isfinite(seconds) else 5.0


def _count(value) -> int:
    return value if type(value) is int and value > 0 else 0


def _build_snapshot(client, project_id: int, tasks: int, bound: float, say: Callable[[str], None]):
    """The completed export snapshot of the project, waited for at most `bound` seconds.

    Open-source Label Studio (no Redis) builds the snapshot inside the POST that creates it,
    so that request is sent from a thread while this one reports the time so far; a server
    that builds it in the background answers "in_progress" at once and is polled. A proxy that
    gives up on the long request (a 502/504, or the connection closed) does not stop the
    server: the snapshot is then looked for by its title and polled. Past the bound: one line
    naming ANNOTATE_EXPORT_TIMEOUT (the request is left to end on its own; Label Studio then
    keeps the snapshot, which it cannot be asked to stop building).
    """
    import httpx

    started = time.monotonic()
    title = f"annotate pull {time.strftime('%Y-%m-%dT%H:%M:%S')} {secrets.token_hex(4)}"
    done: dict = {}

    def create() -> None:
        try:
            done["snapshot"] = client.projects.exports.create(
                id=project_id, title=title,
                serialization_options={"predictions": {"only_id": False}},
                annotation_filter_options={"usual": True, "ground_truth": True, "skipped": True},
                # a little longer than the bound: the waiting thread is the one that gives up
                request_options={"timeout": bound + 10, **NO_RETRY})
        except BaseException as exc:  # noqa: BLE001  (handed to the waiting thread)
            done["error"] = exc

    def give_up(status: str) -> ConnectionFailed:
        return ConnectionFailed(
            f"export of project {project_id} did not finish in {duration(bound)} (Label Studio's snapshot of "
            f"{tasks:,} tasks still {status}): set {EXPORT_TIMEOUT_ENV}=SECONDS to wait longer")

    def waiting(status: str) -> float:
        elapsed = time.monotonic() - started
        say(f"waiting for export snapshot of project {project_id} ({status}): {duration(elapsed)} "
            f"of at most {duration(bound)}")
        return min(15.0, max(1.0, elapsed / 10))  # a line a second at first, every 15 s later

    say(f"creating export snapshot of project {project_id} ({tasks:,} tasks)")
    worker = threading.Thread(target=create, name="annotate-export", daemon=True)
    worker.start()
    pause = 1.0
    while True:
        worker.join(min(pause, max(0.0, started + bound - time.monotonic())))
        if not worker.is_alive():
            break
        if time.monotonic() - started >= bound:
            raise give_up("being built")
        pause = waiting("building")
    snapshot, error = done.get("snapshot"), done.get("error")
    if isinstance(error, httpx.TimeoutException) and time.monotonic() - started >= bound:
        raise give_up("being built")
    if error is not None:
        if not _answer_lost(error):
            raise error
        snapshot = _find_snapshot(client, project_id, title)
        if snapshot is None:
            raise error
        say(f"the request for export snapshot {snapshot.id} was cut off (a proxy's time limit?) while Label "
            "Studio builds it: polling it; if the server's worker was stopped too, it never completes")
    while snapshot.status not in ("completed", "failed"):
        if time.monotonic() - started >= bound:
            raise give_up(repr(snapshot.status))
        time.sleep(min(waiting(str(snapshot.status)), max(0.0, started + bound - time.monotonic())))
        snapshot = client.projects.exports.get(id=project_id, export_pk=snapshot.id)
    if snapshot.status == "failed":
        raise ConnectionFailed(f"Label Studio could not export project {project_id} (snapshot {snapshot.id} failed)")
    say(f"export snapshot of project {project_id} built in {duration(time.monotonic() - started)}")
    return snapshot


def _answer_lost(exc: BaseException) -> bool:
    """An error that says nothing about the snapshot request itself: a proxy that gave up
    waiting (502, 503, 504) or a connection closed before the answer."""
    import httpx

    if isinstance(exc, httpx.RemoteProtocolError):
        return True
    return http_status(exc) in (502, 503, 504)


def _find_snapshot(client, project_id: int, title: str):
    """The project's export snapshot with this title, or None."""
    for snapshot in client.projects.exports.list(id=project_id):
        if snapshot.title == title:
            return snapshot
    return None


# --- the project through its task list (pull --via tasks) -----------------------------------

# An export snapshot costs Label Studio 1.23 about 20 ms of its CPU a real-sized task, built
# inside one request (35-50 minutes for 100,000 tasks), then downloaded. The task list gives
# the same task, annotation and prediction objects a page at a time: measured on SQLite with
# 10,000 tasks of 1-3 annotations, 15 ms of the server's CPU a task (it decodes every task's
# predictions and computes its own columns whatever is asked for) against 18-20 for a
# snapshot, about the same wall time on a loaded 2-core machine (303 s against 253-610 s), for
# 1.7x our CPU and 1.4x our peak memory. So it is not the default (`--via tasks`): no request
# runs for minutes, which a proxy or uwsgi's harakiri would cut. The differences a reader of
# the export can see:
# - an annotation's `prediction` (a copy of the project's prediction as it was when the
#   annotation was made, which gold._prediction_for uses when `parent_prediction` is not set)
#   is left out of the list. It can only matter when the prediction the task holds now may
#   not be that one (see `_needs_export`); for those tasks alone it is read from Label
#   Studio's export of the tasks by id and put in;
# - the list carries columns of its own (annotators, agreement, pretty results) that the
#   export does not, and the export has a few the list does not (annotations' unique_id,
#   result_count, drafts' ids): neither kind is read by annotate.
# A project that has Label Studio ask its ML backend for predictions whenever tasks are listed
# (evaluate_predictions_automatically) is read through a snapshot: listing would have the
# backend predict every task without a prediction.
VIA_ENV = "ANNOTATE_VIA"
VIAS = ("tasks", "snapshot")
_VIA: contextvars.ContextVar[str | None] = contextvars.ContextVar("annotate_via", default=None)
TASK_PAGE_SIZE = 100  # tasks (with their annotations and predictions) a task-list request: ~5 MB
TASK_WORKERS = 2
# The fields asked for (`include`, which Label Studio applies to the task and to the annotations
# and predictions inside it alike): what annotate reads, and not the list's computed columns
# (pretty-printed results, a "created 3 minutes ago" per prediction), which cost the server
# about a third of the list. Every one that annotate needs must come back (`_check_listed`): a
# server that leaves one out is read through a snapshot.
TASK_FIELDS = ("id", "data", "meta", "project", "annotations", "predictions", "created_at", "updated_at")
ANNOTATION_FIELDS = ("id", "result", "was_cancelled", "ground_truth", "completed_by", "updated_by", "lead_time",
                     "created_at", "updated_at", "parent_prediction", "parent_annotation", "task", "project", "draft_created_at",
                     "last_action", "import_id", "bulk_created")
PREDICTION_FIELDS_READ = ("id", "result", "model_version", "score", "created_at", "updated_at", "task", "project")
_LISTED = ",".join(dict.fromkeys(TASK_FIELDS + ANNOTATION_FIELDS + PREDICTION_FIELDS_READ))
_NEEDED = {"task": ("id", "data", "meta", "project", "annotations", "predictions"),
           "annotation": ("id", "result", "was_cancelled", "ground_truth", "completed_by", "lead_time", "created_at",
                          "updated_at", "parent_prediction", "task", "project"),
           "prediction": ("id", "result", "model_version", "score", "created_at", "updated_at")}


class _NotLikeExport(Exception):
    """The task list left out a field annotate reads: the project is read through a snapshot."""


def check_via(via: str) -> str:
    """`via` when it is a reader's name ("tasks" or "snapshot"), else a UsageError."""
    if via not in VIAS:
        raise UsageError(f"--via must be tasks or snapshot, not {str(via)[:40]!r}")
    return via


def read_via() -> str:
    """How projects are read now: the innermost `reading_via`, else ANNOTATE_VIA, else "snapshot"."""
    via = _VIA.get()
    if via:
        return via
    value = os.environ.get(VIA_ENV, "").strip().lower()
    if not value:
        return "snapshot"
    if value not in VIAS:
        raise UsageError(f"{VIA_ENV} must be tasks or snapshot (not {value[:40]!r})")
    return value


@contextlib.contextmanager
def reading_via(via: str | None) -> Iterator[None]:
    """Inside the block every `download_export` reads projects `via` ("tasks" or "snapshot");
    None leaves the choice as it was."""
    if via is None:
        yield
        return
    token = _VIA.set(check_via(via))
    try:
        yield
    finally:
        _VIA.reset(token)


def download_tasks(client, project_id: int, fh, progress: Callable[[str], None] | None = None) -> int:
    """Write the project's tasks into the binary file `fh` as a JSON array in the shape of its full
    JSON export (annotations with relations, per-region choices, cancelled and ground-truth ones;
    full prediction objects; no drafts), read from the task list a page at a time, in id order;
    returns the file's size. Memory stays flat however large the project.

    A project whose listing would make its ML backend predict (evaluate_predictions_automatically)
    is read through an export snapshot instead (`download_snapshot`), with a progress line saying so.
    """
    say = progress or (lambda _msg: None)
    started = time.monotonic()
    action = f"read the tasks of project {project_id}"
    with api_errors(client, action, not_found=f"no project with id {project_id} on {_base_url(client)}"):
        project = client.projects.get(project_id)
    if getattr(project, "evaluate_predictions_automatically", False) is True:
        say(f"project {project_id} asks its ML backend for predictions whenever tasks are listed: "
            "reading it through an export snapshot")
        return download_snapshot(client, project_id, fh, progress)
    total = _count(project.task_number)
    say(f"reading the tasks of project {project_id} ({total:,} tasks)")
    start = fh.tell()
    try:
        return _write_tasks(client, project_id, fh, total, say, started)
    except _NotLikeExport as exc:
        say(f"the task list of project {project_id} {exc}: reading it through an export snapshot")
        fh.seek(start)
        fh.truncate()
        return download_snapshot(client, project_id, fh, progress)


def _write_tasks(client, project_id: int, fh, total: int, say: Callable[[str], None], started: float) -> int:
    size = read = checked = 0
    page: list[dict] = []

    def flush() -> None:
        nonlocal size, read, checked
        unsure = [t for t in page if _needs_export(t)]
        if unsure:
            _add_seen_predictions(client, project_id, unsure)
            checked += len(unsure)
        for task in page:
            data = (b"," if read else b"[") + json.dumps(task, ensure_ascii=False).encode("utf-8")
            fh.write(data)
            size += len(data)
            read += 1
        page.clear()
        say(f"read {read:,} of {max(total, read):,} tasks")

    for task in _listed_tasks(client, project_id):
        page.append(task)
        if len(page) == TASK_PAGE_SIZE:
            flush()
    flush()
    fh.write(b"]" if read else b"[]")
    fh.flush()
    also = f"; {checked:,} of them also from their export (see annotate.studio)" if checked else ""
    say(f"{read:,} tasks of project {project_id} read in {duration(time.monotonic() - started)}{also}")
    return size + (1 if read else 2)


def _listed_tasks(client, project_id: int) -> Iterator[dict]:
    """Every task of the project from the task list with all its fields, in id order: id
    ranges read TASK_WORKERS at a time (as `iter_task_index`)."""
    size = TASK_PAGE_SIZE
    ranges = _id_ranges(client, project_id, size)
    yield from _in_order(ranges, lambda r: _read_range(client, project_id, r[0], r[1], size, fields=_LISTED,
                                                       shape=_export_shape, all_fields=True),
                         TASK_WORKERS)


def _check_listed(task: dict) -> None:
    """_NotLikeExport when a task, annotation or prediction lacks a field annotate reads."""
    parts = [("task", task)]
    for kind in ("annotation", "prediction"):
        items = task.get(kind + "s")
        parts += [(kind, item) for item in items if isinstance(item, dict)] if isinstance(items, list) else []
    for kind, item in parts:
        missing = [k for k in _NEEDED[kind] if k not in item]
        if missing:
            raise _NotLikeExport(f"gives {kind}s without {', '.join(missing)}")


def _export_shape(task: dict) -> dict:
    """A task-list task as the full JSON export has it (the fields annotate reads, same values)."""
    _check_listed(task)
    out = {k: task[k] for k in TASK_FIELDS if k in task}
    return out


def _moment(stamp) -> float | None:
    """An ISO time as a POSIX timestamp (None when it is not one)."""
    import datetime as dt

    if not isinstance(stamp, str):
        return None
    try:
        moment = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)).timestamp()


def _needs_export(task: dict) -> bool:
    """Whether the export may give one of the task's submitted annotations another prediction
    to start from than the task list can (the `prediction` copied into it when it was made).

    Not when each one names its prediction (`parent_prediction`) and the task still holds it,
    or names none and the task holds at most one prediction that is not a review copy, made and
    last changed before the annotation (the copy is then of it, or empty; a task with only
    review copies is checked). A prediction deleted after the annotation, from a task that still
    holds another made before it, cannot be seen here.
    """
    from .gold import is_review_copy

    predictions = task.get("predictions") if isinstance(task.get("predictions"), list) else []
    if not all(isinstance(p, dict) for p in predictions):
        return True
    ids = {p.get("id") for p in predictions}
    own = [p for p in predictions if not is_review_copy(p)]
    for a in task.get("annotations") or ():
        if not isinstance(a, dict):
            return True
        if a.get("was_cancelled") is True:
            continue
        parent = a.get("parent_prediction")
        if parent is not None:
            if parent not in ids:
                return True
            continue
        if len(own) > 1 or (not own and predictions):
            return True
        if own:
            made = _moment(a.get("created_at"))
            times = [_moment(own[0].get("created_at")), _moment(own[0].get("updated_at"))]
            if made is None or any(t is None or t > made for t in times):
                return True
    return False


def _add_seen_predictions(client, project_id: int, tasks: list[dict]) -> None:
    """Put each annotation's `prediction` (what it started from) into these tasks, from Label
    Studio's export of the tasks by id (IDS_PER_QUERY a request)."""
    action = f"export tasks of project {project_id}"
    seen: dict = {}
    for i in range(0, len(tasks), IDS_PER_QUERY):
        chunk = [t["id"] for t in tasks[i:i + IDS_PER_QUERY]]
        with api_errors(client, action):
            response = client._client_wrapper.httpx_client.request(
                f"api/projects/{project_id}/export", method="GET", request_options={"timeout": LONG_TIMEOUT},
                params={"exportType": "JSON", "download_all_tasks": "true", "download_resources": "false",
                        "ids[]": chunk})
        if response.status_code != 200:
            _raise_http(client, response, action)
        for exported in _json(client, response, action, kind=list):
            if not isinstance(exported, dict) or exported.get("id") not in chunk:
                raise _unexpected(client, action, "a task that was not asked for")
            for a in exported.get("annotations") or ():
                if isinstance(a, dict) and "prediction" in a:
                    seen[(exported["id"], a.get("id"))] = a["prediction"]
    for task in tasks:
        for a in task.get("annotations") or ():
            if isinstance(a, dict) and (task["id"], a.get("id")) in seen:
                a["prediction"] = seen[(task["id"], a.get("id"))]


# --- the data manager's task list ----------------------------------------------------------

# Columns the project's first data-manager view hides besides Label Studio's own defaults:
# the raw `targets` list (JSON) in both modes (data.targets_text is its readable twin), and in
# the narrow list beside the labeling screen everything but the title and the counts.
TASK_VIEW_TITLE = "Articles"
TASK_VIEW_HIDDEN = {
    "explore": ["tasks:data.targets"],
    "labeling": ["tasks:data.targets", "tasks:data.targets_text", "tasks:data.text", "tasks:data.doc_id",
                 "tasks:data.source", "tasks:data.published"],
}


def ensure_task_view(client, project_id: int) -> bool:
    """Give a project that has no data-manager view yet (nobody opened its task list) one that
    hides the raw `targets` JSON; True when it was created. A project with views is left as it
    is: they are its users' choices. Label Studio's own hidden defaults (from /api/dm/columns)
    are kept, else the view would show every internal column. (The SDK's views.create has no
    hiddenColumns, hence plain HTTP.)"""
    action = f"set up the task list of project {project_id}"
    http = client._client_wrapper.httpx_client
    with api_errors(client, action):
        response = http.request("api/dm/views/", method="GET", params={"project": project_id})
    if response.status_code != 200:
        _raise_http(client, response, action)
    if _json(client, response, action, list):
        return False
    with api_errors(client, action):
        response = http.request("api/dm/columns/", method="GET", params={"project": project_id})
    if response.status_code != 200:
        _raise_http(client, response, action)
    hidden = {mode: list(extra) for mode, extra in TASK_VIEW_HIDDEN.items()}
    for column in _json(client, response, action).get("columns") or []:
        if not isinstance(column, dict) or "id" not in column:
            continue
        defaults = column.get("visibility_defaults") or {}
        key = f"tasks:{column['parent'] + '.' if column.get('parent') else ''}{column['id']}"
        for mode in hidden:
            if defaults.get(mode) is False and key not in hidden[mode]:
                hidden[mode].append(key)
    body = {"project": project_id, "data": {"title": TASK_VIEW_TITLE, "type": "list", "target": "tasks",
                                            "hiddenColumns": hidden}}
    with api_errors(client, action):
        response = http.request("api/dm/views/", method="POST", json=body, request_options=NO_RETRY)
    if response.status_code not in (200, 201):
        _raise_http(client, response, action)
    return True


# --- updating many tasks at once (push of a re-converted input) ------------------------------

# A re-push after a converter upgrade updates every task. Per task that was a list of its
# predictions, a DELETE per old one, a POST of the new one and the PATCH of data+meta (about
# 4 requests). `replace_tasks` does the prediction part for a whole batch in a few requests:
# one task-list read of the batch's prediction model versions (per IDS_PER_QUERY tasks), one
# data-manager `delete_tasks_predictions` action, one `import/predictions` POST, and then one
# PATCH per task (Label Studio 1.23 has no bulk task update), and a check read afterwards.
# The action deletes ALL predictions of the tasks it is given, so it is only given tasks whose
# predictions are all of the new predictions' model families; any other task is updated the
# old way, one by one (`replace_task`), which deletes predictions by id.
PREDICTION_FIELDS = "id,meta,total_predictions,predictions_model_versions"
PREDICTIONS_PER_IMPORT = 500  # tasks' predictions in one import/predictions POST
PATCH_WORKERS = 2  # PATCHes in flight at once (the server does the work; two overlap its latency)
# The task list computes `predictions_model_versions` (a join over the predictions, per task)
# only for a column the query's view shows (Label Studio 1.23's get_fields_for_evaluation:
# every column not hidden in both modes); without a view it answers "". So the query names a
# view that hides every computed column but that one (the others each cost a join or more).
_COMPUTED_COLUMNS = ("avg_lead_time", "completed_at", "annotations_results", "predictions_results",
                     "predictions_score", "annotators", "annotations_ids", "file_upload", "draft_exists",
                     "storage_filename", "state", "reviewed", "reviewers", "comments", "agreement")
_HIDDEN = [f"tasks:{c}" for c in _COMPUTED_COLUMNS]
_ONLY_VERSIONS = {"explore": _HIDDEN, "labeling": _HIDDEN}


@dataclass(frozen=True)
class TaskPredictions:
    """What a task holds, as replace_tasks needs it."""

    id: int
    task_hash: str | None
    model_versions: tuple[str, ...] | None  # None: not readable as a plain list (odd versions)
    count: int


def task_predictions(client, project_id: int, task_ids: list[int]) -> dict[int, TaskPredictions]:
    """The model versions (distinct) and prediction count of each of these tasks, task hash too;
    tasks that are gone are absent. One task-list request per IDS_PER_QUERY ids."""
    found: dict[int, TaskPredictions] = {}
    action = f"read the predictions of tasks in project {project_id}"
    for i in range(0, len(task_ids), IDS_PER_QUERY):
        chunk = list(task_ids[i:i + IDS_PER_QUERY])
        query = json.dumps({"selectedItems": {"all": False, "included": chunk}, "hiddenColumns": _ONLY_VERSIONS},
                           separators=(",", ":"))
        with api_errors(client, action):
            response = client._client_wrapper.httpx_client.request(
                "api/tasks", method="GET", request_options={"timeout": LONG_TIMEOUT},
                params={"project": project_id, "page_size": len(chunk), "query": query, "resolve_uri": "false",
                        "include": PREDICTION_FIELDS})
        if response.status_code == 404:
            continue  # none of them is left
        if response.status_code != 200:
            _raise_http(client, response, action)
        for t in _task_list(client, _json(client, response, action), action):
            found[t["id"]] = _task_predictions(t)
    return found


def _task_predictions(t: dict) -> TaskPredictions:
    meta = t.get("meta") if isinstance(t.get("meta"), dict) else {}
    count = t.get("total_predictions")
    raw = t.get("predictions_model_versions")
    # The data manager joins the distinct versions with "," and cuts the text at 500 characters
    # (quotes removed): a version holding a comma or quote, or a cut list, cannot be told apart
    # from several versions, so such a task is not trusted with the bulk delete.
    if not isinstance(raw, str) or len(raw) >= 500 or (raw and any(not v.strip() for v in raw.split(","))):
        versions = None  # an empty piece: a prediction without a model version, not ours to delete
    else:
        versions = tuple(v.strip() for v in raw.split(",") if v.strip())
    return TaskPredictions(t["id"], meta.get("task_hash"), versions, count if type(count) is int else -1)


def delete_task_predictions(client, project_id: int, task_ids: list[int], unless_version: list[str] = ()) -> int:
    """Delete every prediction of these tasks (data-manager action `delete_tasks_predictions`,
    one per DELETE_CHUNK tasks); returns how many predictions were deleted. With
    `unless_version`, a task that by then holds a prediction whose model version contains one of
    these strings is left alone (the server applies the filter in the same query): a concurrent
    push's new prediction is not deleted."""
    total = 0
    action = f"delete the predictions of tasks in project {project_id}"
    for i in range(0, len(task_ids), DELETE_CHUNK):
        chunk = list(task_ids[i:i + DELETE_CHUNK])
        body: dict = {"selectedItems": {"all": False, "included": chunk}}
        if unless_version:
            body["filters"] = {"conjunction": "and", "items": [
                {"filter": "filter:tasks:predictions_model_versions", "operator": "not_contains",
                 "type": "List", "value": list(unless_version)}]}
        total += _dm_action(client, project_id, "delete_tasks_predictions", body, action)
    return total


def import_predictions(client, project_id: int, predictions: list[dict]) -> int:
    """Create these predictions (each with its `task` id) with one POST per
    PREDICTIONS_PER_IMPORT (`import/predictions`, no retry); returns how many were created."""
    created = 0
    action = f"import predictions into project {project_id}"
    for i in range(0, len(predictions), PREDICTIONS_PER_IMPORT):
        body = json.dumps(predictions[i:i + PREDICTIONS_PER_IMPORT], ensure_ascii=False,
                          separators=(",", ":")).encode("utf-8")
        with api_errors(client, action):
            response = client._client_wrapper.httpx_client.request(
                f"api/projects/{project_id}/import/predictions", method="POST", content=body,
                headers={"Content-Type": "application/json"},
                request_options={"max_retries": 0, "timeout": LONG_TIMEOUT})
        if response.status_code == 404:
            raise ProjectError(f"project {project_id} disappeared during the push")
        if response.status_code not in (200, 201):
            _raise_http(client, response, action)
        count = _json(client, response, action).get("created") or 0
        created += count if type(count) is int else 0
    return created


def update_task_fields(client, task_id: int, task: dict) -> None:
    """PATCH a task's data and meta (one request; the body serialised once with json.dumps)."""
    action = f"update task {task_id}"
    body = json.dumps({"data": task["data"], "meta": task.get("meta") or {}}, ensure_ascii=False,
                      separators=(",", ":")).encode("utf-8")
    with api_errors(client, action, not_found=f"task {task_id} disappeared during the push"):
        response = client._client_wrapper.httpx_client.request(
            f"api/tasks/{task_id}", method="PATCH", content=body, headers={"Content-Type": "application/json"},
            request_options={"timeout": LONG_TIMEOUT})
    if response.status_code == 404:
        raise ProjectError(f"task {task_id} disappeared during the push")
    if response.status_code != 200:
        _raise_http(client, response, action)


def _families(task: dict) -> set[str]:
    return {model_family(p.get("model_version")) for p in task.get("predictions") or []}


def _versions(task: dict) -> list[str]:
    return sorted({str(p.get("model_version")) for p in task.get("predictions") or [] if p.get("model_version")})


def replace_tasks(client, project_id: int, items: list[tuple[int, dict]],
                  done: Callable[[int], None] | None = None) -> None:
    """`replace_task` for many tasks, with the same result and guarantees, in few requests.

    For the tasks whose predictions are all of the new predictions' model families (read fresh,
    one request per IDS_PER_QUERY tasks): one `delete_tasks_predictions` action, one
    `import/predictions` POST for all their new predictions, then one PATCH of data+meta per
    task, the new task_hash written last. A task holding a prediction of another model (an ML
    backend's) or versions that cannot be read safely goes through `replace_task` (its
    predictions deleted one by one by id). `done(task_id)` is called once a task's meta is written.

    A crash part-way leaves every unfinished task with its old task_hash (so the next push
    updates it again) and with either its old predictions, none of ours (deleted, new ones not
    yet imported), or the new ones: never the new hash without the new predictions. Concurrent
    pushes: the delete spares a task that already holds one of the new model versions (another
    push got there first), and a check read after the PATCHes finds any task holding more
    predictions than it should (two pushes imported at once, or a prediction of another model
    arrived meanwhile) and clears it with `dedupe_predictions`.
    """
    if not items:
        return
    tasks = dict(items)
    seen = task_predictions(client, project_id, list(tasks))
    bulk: list[int] = []
    slow: list[int] = []
    for task_id, task in items:
        ref = seen.get(task_id)
        if ref is None:
            raise ProjectError(f"task {task_id} disappeared during the push")
        families = _families(task)
        if ref.model_versions is not None and all(model_family(v) in families for v in ref.model_versions) \
                and not (ref.count > 0 and not ref.model_versions):
            bulk.append(task_id)
        else:
            slow.append(task_id)
    for task_id in slow:
        replace_task(client, task_id, tasks[task_id])
        if done:
            done(task_id)
    if not bulk:
        return
    # Two groups for the delete: a task that already holds one of the new versions (the same
    # version with other results, or a half-done earlier push) loses all its predictions; the
    # others are spared if one of the new versions appears on them before the delete runs.
    by_filter: dict[tuple[str, ...], list[int]] = {}
    for task_id in bulk:
        new = tuple(_versions(tasks[task_id]))
        held = set(seen[task_id].model_versions or ())
        key = () if (not new or held & set(new)) else new
        by_filter.setdefault(key, []).append(task_id)
    for key, ids in by_filter.items():
        held = [i for i in ids if seen[i].model_versions or seen[i].count != 0]  # the counter alone can lag
        if held:
            delete_task_predictions(client, project_id, held, list(key))
    predictions = [{"task": task_id, "result": p.get("result") or [], "score": p.get("score"),
                    "model_version": p.get("model_version")}
                   for task_id in bulk for p in tasks[task_id].get("predictions") or []]
    if predictions:
        import_predictions(client, project_id, predictions)
    _patch_all(client, [(task_id, tasks[task_id]) for task_id in bulk], done)
    # The check: the task's prediction counter (total_predictions) is no witness, two imports
    # at once each count only their own; the predictions themselves are read.
    after = prediction_versions(client, project_id, bulk)
    for task_id in bulk:
        task = tasks[task_id]
        families = _families(task)
        ours = sorted(v for v in after.get(task_id, ()) if model_family(v) in families)
        if task_id in after and ours != sorted(str(p.get("model_version")) for p in task.get("predictions") or []):
            dedupe_predictions(client, task_id, task)


def prediction_versions(client, project_id: int, task_ids: list[int]) -> dict[int, list[str]]:
    """The model version of every prediction of these tasks (one entry per prediction; gone
    tasks absent): one task-list request per IDS_PER_QUERY ids, carrying the predictions."""
    found: dict[int, list[str]] = {}
    for t in _tasks_by_id(client, project_id, task_ids, "id,predictions",
                          f"read the predictions of tasks in project {project_id}"):
        preds = t.get("predictions") if isinstance(t.get("predictions"), list) else []
        found[t["id"]] = [str(p.get("model_version")) for p in preds if isinstance(p, dict)]
    return found


def _patch_all(client, items: list[tuple[int, dict]], done: Callable[[int], None] | None) -> None:
    """update_task_fields for each, PATCH_WORKERS at a time; `done` called in order, from this
    thread. An error (or Ctrl-C) stops the PATCHes not yet started."""
    from concurrent.futures import ThreadPoolExecutor

    workers = max(1, PATCH_WORKERS)
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="annotate-update")
    try:
        futures = [(task_id, pool.submit(update_task_fields, client, task_id, task)) for task_id, task in items]
        for task_id, future in futures:
            future.result()
            if done:
                done(task_id)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def dedupe_predictions(client, task_id: int, task: dict) -> int:
    """Leave the task one prediction of each new model version of `task`'s model families: the
    oldest (smallest id) of each; others of those families are deleted, other models' stay.
    A missing new prediction (a concurrent push deleted it) is created. Returns how many
    predictions were deleted. Two pushers of the same input doing this at once agree."""
    action = f"update task {task_id}"
    families, versions = _families(task), _versions(task)
    deleted = 0
    with api_errors(client, action, not_found=f"task {task_id} disappeared during the push"):
        keep: dict[str, int] = {}
        ours = sorted((p for p in client.predictions.list(task=task_id) if model_family(p.model_version) in families),
                      key=lambda p: p.id)
        for p in ours:
            if p.model_version in versions and p.model_version not in keep:
                keep[p.model_version] = p.id
                continue
            with contextlib.suppress(ProjectError), api_errors(client, action, not_found="gone"):
                client.predictions.delete(id=p.id)
                deleted += 1
        for pred in task.get("predictions") or []:
            if str(pred.get("model_version")) not in keep:
                client.predictions.create(
                    task=task_id, result=pred.get("result") or [], score=pred.get("score"),
                    model_version=pred.get("model_version"), request_options=NO_RETRY)
    return deleted
