"""Filling empty `data.targets` of tasks through the Label Studio API, off the request thread."""

from __future__ import annotations

import json
import logging
import queue
import threading
import time
from dataclasses import dataclass, field

from .predict import DEFAULT_MAX_TEXT, targets_for_text, task_text

log = logging.getLogger("annotate.backend")

FILL_QUEUE_SIZE = 100_000


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
