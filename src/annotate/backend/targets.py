"""Filling empty `data.targets` of tasks through the Label Studio API, off the request thread."""

from __future__ import annotations

import json
import logging
import queue
import threading
import time
from dataclasses import dataclass, field

from ..redact import redact, remember
from ..studio import display_url
from .predict import DEFAULT_MAX_TEXT, targets_for_text, task_text

log = logging.getLogger("annotate.backend")

FILL_QUEUE_SIZE = 100_000
COMMIT_WAIT = 10.0  # seconds to wait for tasks of a TASKS_CREATED webhook to become readable


def project_id_of(uid) -> int | None:
    """The project id in Label Studio's `"<id>.<timestamp>"` project uid (or a plain id)."""
    head = str(uid).split(".", 1)[0]
    return int(head) if head.isdigit() else None


def needs_targets(task) -> bool:
    """A task (as Label Studio sends it) with an id, a text and an empty `data.targets`."""
    return (isinstance(task, dict) and isinstance(task.get("id"), int) and task_text(task) is not None
            and task["data"].get("targets") in (None, [], ""))


READ_CHUNK = 100  # task ids per list request (they travel in the query string)


@dataclass
class TaskState:
    """What the backend needs to know about a task in Label Studio."""

    data: dict
    predictions: int  # how many predictions it has


def read_task_states(client, project_id: int, task_ids: list[int], wait: float = 0.0) -> dict[int, TaskState]:
    """`{id: TaskState}` of these tasks, read through the task list API.

    Not /api/tasks/<id>: opening a task that has no predictions makes Label Studio ask the
    backend for them, which would race with the prediction we are about to request.
    Label Studio sends TASKS_CREATED from inside the import's database transaction, so the
    tasks may not be readable yet: missing ones are asked again for up to `wait` seconds.
    """
    found: dict[int, TaskState] = {}
    missing = sorted(set(task_ids))
    deadline = time.monotonic() + wait
    pause = 0.2
    while True:
        for start in range(0, len(missing), READ_CHUNK):
            chunk = missing[start:start + READ_CHUNK]
            wanted = set(chunk)
            pager = client.tasks.list(project=project_id, page_size=len(chunk),
                                      selected_items=json.dumps({"all": False, "included": chunk}))
            for task in pager:
                if task.id in wanted:
                    count = getattr(task, "total_predictions", None)
                    if count is None:
                        count = len(getattr(task, "predictions", None) or [])
                    found[task.id] = TaskState(dict(task.data or {}), count)
                    wanted.discard(task.id)
                    if not wanted:
                        break
        missing = [t for t in missing if t not in found]
        if not missing or time.monotonic() + pause > deadline:
            return found
        time.sleep(pause)
        pause = min(2 * pause, 2.0)


def read_tasks(client, project_id: int, task_ids: list[int]) -> dict[int, dict]:
    """`{id: data}` of these tasks, read through the task list API (see `read_task_states`)."""
    return {tid: state.data for tid, state in read_task_states(client, project_id, task_ids).items()}


def fill_targets(client, project_id: int, task_ids: list[int], max_text: int = DEFAULT_MAX_TEXT,
                 states: dict[int, TaskState] | None = None, model=None) -> list[int]:
    """Write the converter's entities into the tasks' `data.targets` where it is empty.

    The tasks are read from the server first (the webhook payload is not trusted to be
    current, or genuine) unless `states` holds them already; targets someone already set are
    never touched. Returns the ids of the tasks filled (their `states` data is updated).
    """
    if states is None:
        states = read_task_states(client, project_id, task_ids)
    filled = []
    for tid in task_ids:
        state = states.get(tid)
        if state is None:
            continue
        text = state.data.get("text")
        if not needs_targets({"id": tid, "data": state.data}) or len(text) > max_text:
            continue
        targets = targets_for_text(text, model)
        if targets:
            state.data = {**state.data, "targets": targets}
            client.tasks.update(id=str(tid), data=state.data)
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
    every one that has a text and no prediction yet (imported with or without targets), so
    the predictions arrive with target choices that match and show in the task list without
    anyone opening the task first. Credentials: the ones the backend was started
    with, else the ones Label Studio sent to /setup for that project.
    """

    def __init__(self, url: str | None = None, api_key: str | None = None,
                 max_text: int = DEFAULT_MAX_TEXT, model=None):
        self.configured = Credentials(url.rstrip("/"), api_key) if url and api_key else None
        remember(api_key)
        self.max_text = max_text
        self.model = model or (lambda: None)  # () -> the learned model predictions use now, or None
        self.learned: dict[int, Credentials] = {}
        self.filled = 0
        self.failed = 0
        self.predicted = 0  # new tasks whose predictions were retrieved
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
            remember(access_token)
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
            from ..studio import client

            self._clients[creds] = client(creds.url, creds.api_key, timeout=60.0)
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
        asked: list[int] = []
        for i, creds in enumerate(job.creds):
            try:
                client = self._client(creds)
                states = read_task_states(client, job.project_id, job.task_ids,
                                          wait=COMMIT_WAIT if job.then_predict else 0.0)
                filled = fill_targets(client, job.project_id, job.task_ids, self.max_text, states,
                                      model=self.model())
                if job.then_predict:
                    # every new task with a text and no prediction yet, whether its targets
                    # were just filled or came with it, so the task list shows predictions
                    asked = [tid for tid in job.task_ids if tid in states and states[tid].predictions == 0
                             and isinstance(states[tid].data.get("text"), str) and states[tid].data["text"]]
                    for start in range(0, len(asked), READ_CHUNK):
                        retrieve_predictions(client, job.project_id, asked[start:start + READ_CHUNK])
                break
            except Exception as exc:  # the server went away, the token was refused, ...
                last = i == len(job.creds) - 1
                reason = redact(str(exc), creds.api_key)  # before cutting: a cut secret is not found
                reason = reason.splitlines()[0][:200] if reason else ""
                log.warning("project %s: could not fill data.targets%s via %s (%s: %s)%s", job.project_id,
                            " or retrieve predictions" if job.then_predict else "", display_url(creds.url),
                            type(exc).__name__, reason,
                            "" if last else "; trying the token Label Studio sent to /setup")
                if last:
                    self.failed += len(job.task_ids)
                    return
        self.filled += len(filled)
        self.predicted += len(asked)
        log.info("project %s: filled data.targets of %d/%d tasks%s in %.0f ms", job.project_id, len(filled),
                 len(job.task_ids), f" and retrieved predictions for {len(asked)}" if asked else "",
                 1000 * (time.perf_counter() - started))
