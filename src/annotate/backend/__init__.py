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
  API off the request thread, so the annotator's stance target choices appear; then every
  new task with a text and no prediction (imported with or without targets) has its
  predictions retrieved, so the task list shows them before anyone opens the task.

With `--model DIR` a learned quote model (annotate.learn) makes the predictions and names
them; with `--train-every N` too, ANNOTATION_CREATED/UPDATED webhooks (every N) and
START_TRAINING (the webhook, or `POST /train`) retrain it in a child process on the projects'
gold, pulled as `annotate pull` does, and later predictions use the new version (`training`).

Slow or hostile clients cannot stall it: a request is judged on its headers first (route,
basic auth, declared size) and refused without reading its body, must arrive in 10 s or at
8 KiB/s, and at the connection limit the most stalled connection makes room (`guard`).
Log lines and error messages never show a token or password (`annotate.redact`).

Modules: `predict` (converter -> one prediction per task, region checks), `targets` (filling
`data.targets` and retrieving predictions through the API, off the request thread), `app`
(the WSGI app: routes, limits, basic auth, log lines), `guard` (the waitress channel and
server that bound slow clients), `serve` (waitress, foreground or in a thread), `connect`
(registering with a project, creating it if needed, idempotently), `training` (the learned
model served, its versions and the retraining runs).
"""

from .app import DEFAULT_MAX_BODY, BackendApp, BackendConfig, HTTPError, make_app, parse_basic_auth
from .connect import DEFAULT_TITLE, Connection, connect, connect_backend, start_and_connect
from .predict import (
    DEFAULT_BUDGET,
    DEFAULT_MAX_TEXT,
    MODEL_CLASS,
    consistent,
    deferred,
    empty_prediction,
    model_version,
    predict_task,
    predict_tasks,
    targets_for_text,
)
from .serve import (
    DEFAULT_HOST,
    DEFAULT_PORT,
    DEFAULT_WORKERS,
    RunningBackend,
    create_server,
    serve,
    start_backend_in_thread,
)
from .targets import TargetFiller, fill_targets, project_id_of, read_tasks, retrieve_predictions
from .training import Learner, ModelStore

__all__ = [
    "DEFAULT_BUDGET", "DEFAULT_HOST", "DEFAULT_MAX_BODY", "DEFAULT_MAX_TEXT", "DEFAULT_PORT", "DEFAULT_TITLE",
    "DEFAULT_WORKERS", "MODEL_CLASS", "BackendApp", "BackendConfig", "Connection", "HTTPError", "Learner",
    "ModelStore", "RunningBackend",
    "TargetFiller", "connect", "connect_backend", "consistent", "create_server", "deferred", "empty_prediction",
    "fill_targets", "make_app", "model_version", "parse_basic_auth", "predict_task", "predict_tasks",
    "project_id_of", "read_tasks", "retrieve_predictions", "serve", "start_and_connect",
    "start_backend_in_thread", "targets_for_text",
]
