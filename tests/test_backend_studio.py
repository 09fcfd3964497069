"""The ML backend against the real Label Studio: connect, import by hand, predictions + targets appear."""

from __future__ import annotations

import re
import secrets

import pytest
from click.testing import CliRunner

from annotate import converters
from annotate.backend import (
    connect_backend,
    retrieve_predictions,
    start_and_connect,
    start_backend_in_thread,
    targets_for_text,
)
from annotate.cli import cli
from annotate.converters import annotate_text
from annotate.labeling import labeling_config
from annotate.validate import validate_annotation

from .conftest import SEEDS, open_task, wait_until

# Raw seed text, as a person would paste it (the backend must not clean it).
ARTICLE = (SEEDS / "002_935d5d5bef1305a7.txt").read_text(encoding="utf-8")


@pytest.fixture
def backends():
    """Start backends in this process on free ports; all stopped after the test."""
    running = []

    def start(**options):
        backend = start_backend_in_thread(host="127.0.0.1", port=0, **options)
        running.append(backend)
        return backend

    yield start
    for backend in running:
        backend.stop()


def new_project(client) -> int:
    return client.projects.create(title=f"backend {secrets.token_hex(4)}", label_config=labeling_config()).id


def run(*args):
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def listed_tasks(client, pid: int) -> dict[int, object]:
    """Tasks through the list API (which, unlike opening a task, does not ask the backend)."""
    return {t.id: t for t in client.tasks.list(project=pid, fields="all")}


def target_choices(result: list[dict]) -> set[str]:
    return {c for r in result if r.get("from_name") == "target" for c in r["value"]["choices"]}


def assert_consistent(text: str, result: list[dict], targets: list[dict]) -> None:
    for item in result:
        if "value" in item:
            v = item["value"]
            assert 0 <= v["start"] < v["end"] <= len(text)
            assert v["text"] == text[v["start"]:v["end"]]
    assert validate_annotation({"data": {"text": text, "targets": targets}}, {"result": result}) == []


def test_hand_imported_task_gets_predictions_and_targets(studio_env, backends):
    """Zero configuration: the backend fills targets with the token Label Studio gives /setup."""
    client = studio_env.client()
    backend = backends()  # no --api-key
    pid = new_project(client)

    code, out = run("connect", "--project", str(pid), "--backend", backend.url)
    assert code == 0, out
    assert out.startswith("Connected ML backend") and "warning" not in out
    code, out = run("connect", "--project", str(pid), "--backend", backend.url + "/")
    assert code == 0, out
    assert out.startswith("Already connected:")
    assert len(client.ml.list(project=pid)) == 1

    # What a person imports through the UI: JSON with "targets", no predictions.
    imported = client.projects.import_tasks(id=pid, request=[{"text": ARTICLE, "targets": []}],
                                            return_task_ids=True)
    assert imported.prediction_count == 0
    (tid,) = imported.task_ids

    def ready():
        task = listed_tasks(client, pid)[tid]
        return task if task.predictions and task.data.get("targets") else None

    task = wait_until(ready)
    assert task, f"no predictions/targets after 90 s: {listed_tasks(client, pid)[tid]}"
    assert len(task.predictions) == 1
    prediction = task.predictions[0]
    assert prediction.model_version == converters.MODEL_VERSION
    text = task.data["text"]
    assert text == ARTICLE  # stored verbatim, offsets index into it
    assert task.data["targets"] == targets_for_text(ARTICLE)
    assert_consistent(text, prediction.result, task.data["targets"])
    assert prediction.result == annotate_text(ARTICLE)["predictions"][0]["result"]
    used = target_choices(prediction.result)
    assert used, "the article has stances with targets"
    assert used <= {t["value"] for t in task.data["targets"]}


def test_retrieve_predictions_and_a_new_converter_version(studio, backends, monkeypatch):
    """Backend started with an API key; "Retrieve predictions" re-predicts after a converter change."""
    client = studio.client()
    backend = backends(url=studio.url, api_key=studio.token)
    pid = new_project(client)
    connection = connect_backend(client, pid, backend.url)
    assert connection.created and connection.state == "CO" and connection.webhook
    assert not connect_backend(client, pid, backend.url).created

    given = [{"value": "Russia"}]
    imported = client.projects.import_tasks(
        id=pid, request=[{"text": ARTICLE, "targets": []}, {"text": ARTICLE, "targets": given}],
        return_task_ids=True)
    filled_id, given_id = imported.task_ids
    assert wait_until(lambda: listed_tasks(client, pid)[filled_id].predictions)
    assert backend.app.filler.wait_idle(60)  # both new tasks got their predictions in the background

    retrieve_predictions(client, pid, [filled_id, given_id])  # the Data Manager action
    tasks = listed_tasks(client, pid)
    assert len(tasks[filled_id].predictions) == 1  # already had this model version: not asked again
    (kept,) = tasks[given_id].predictions
    assert tasks[given_id].data["targets"] == given  # never overwritten
    assert target_choices(kept.result) <= {"Russia"}  # only choices the task offers
    assert_consistent(ARTICLE, kept.result, given)

    current = converters.MODEL_VERSION
    monkeypatch.setattr(converters, "MODEL_VERSION", "annotate-rules-99.0.0")  # "the converter improved"
    retrieve_predictions(client, pid, [filled_id, given_id])
    for task in listed_tasks(client, pid).values():
        assert sorted(p.model_version for p in task.predictions) == sorted([current, "annotate-rules-99.0.0"])
    assert backend.app.filler.failed == 0


def test_connect_errors_are_one_line(studio_env, backends):
    client = studio_env.client()
    pid = new_project(client)
    code, out = run("connect", "--project", "987654", "--backend", "http://127.0.0.1:9")
    assert code == 3 and "no project with id 987654" in out
    code, out = run("connect", "--project", str(pid), "--backend", "http://127.0.0.1:9")
    assert code == 3
    assert "health check failed" in out and "ML_BLOCK_LOCAL_IP" in out
    assert "Traceback" not in out
    assert client.ml.list(project=pid) == []


def test_basic_auth_and_a_refused_api_key(studio, backends):
    """Label Studio sends the credentials to the backend and its webhook; a wrong --api-key
    falls back to the token Label Studio gave /setup."""
    from annotate.errors import ProjectError

    client = studio.client()
    backend = backends(basic_auth=("ls", "s3cret-pw"), url=studio.url, api_key="0" * 40)
    pid = new_project(client)
    with pytest.raises(ProjectError, match="401"):
        connect_backend(client, pid, backend.url)
    connection = connect_backend(client, pid, backend.url, basic_auth=("ls", "s3cret-pw"))
    assert connection.state == "CO" and connection.webhook
    (tid,) = client.projects.import_tasks(id=pid, request=[{"text": ARTICLE, "targets": []}],
                                          return_task_ids=True).task_ids
    task = wait_until(lambda: (t := listed_tasks(client, pid)[tid]).predictions and t.data.get("targets") and t)
    assert task, "the webhook (with basic auth) should have filled targets and retrieved predictions"
    assert task.predictions[0].result
    assert backend.app.filler.filled == 1 and backend.app.filler.failed == 0


@pytest.mark.browser
def test_predicted_regions_show_in_the_labeling_ui(studio_env, tmp_path, request, browser):
    """A task imported by hand, opened in headless Chromium, shows the backend's regions."""
    client = studio_env.client()
    pid = new_project(client)
    backend, connection = start_and_connect(client, pid)  # what `annotate demo` does
    request.addfinalizer(backend.stop)
    assert connection.webhook
    (tid,) = client.projects.import_tasks(id=pid, request=[{"text": ARTICLE, "targets": []}],
                                          return_task_ids=True).task_ids
    task = wait_until(lambda: (t := listed_tasks(client, pid)[tid]).predictions and t.data.get("targets") and t)
    assert task
    spans = [r for r in task.predictions[0].result if r["type"] == "labels"]
    page = open_task(browser, studio_env, pid, tid, width=1400, height=900)
    try:
        page.screenshot(path=str(tmp_path / "backend-task.png"))
        highlighted = page.eval_on_selector_all(".htx-highlight", "els => els.map(e => e.textContent)")
        body = page.inner_text("body")
    finally:
        page.close()
    shown = "".join(highlighted)
    for span in spans:
        assert span["value"]["text"].split()[0] in shown, f"{span['value']['text']!r}; see {tmp_path}"
    # the prediction's tab is labelled with its model version, shortened in the middle to a fixed
    # width ("annotat...-0.3.9", "annotate...0.3.10"): its start and its version number show
    version = converters.MODEL_VERSION.rsplit("-", 1)[1]
    assert re.search(r"annotat[^\n]*" + re.escape(version) + r"(?![\d.])", body), body


def test_tasks_deferred_by_the_time_budget_are_predicted_later(studio, backends):
    client = studio.client()
    backend = backends(budget=0.0)  # every task is over budget: answered without `result`
    pid = new_project(client)
    connect_backend(client, pid, backend.url)
    (tid,) = client.projects.import_tasks(id=pid, request=[{"text": ARTICLE, "targets": [{"value": "Russia"}]}],
                                          return_task_ids=True).task_ids
    retrieve_predictions(client, pid, [tid])
    assert listed_tasks(client, pid)[tid].predictions == []  # nothing stored, nothing broken
    backend.app.config.budget = None
    retrieve_predictions(client, pid, [tid])
    (prediction,) = listed_tasks(client, pid)[tid].predictions
    assert prediction.model_version == converters.MODEL_VERSION and prediction.result


def test_reconnecting_a_moved_backend_replaces_the_stale_registration(studio_env, backends):
    client = studio_env.client()
    pid = new_project(client)
    first, second = backends(), backends()
    connect_backend(client, pid, first.url)
    code, out = run("connect", "--project", str(pid), "--backend", "http://127.0.0.1:9")
    assert code == 3  # a wrong URL keeps the working registration
    assert [m.url for m in client.ml.list(project=pid)] == [first.url]
    code, out = run("connect", "--project", str(pid), "--backend", second.url)
    assert code == 0, out
    assert f"Removed the earlier registration of 'annotate-rules' at {first.url}" in out
    assert [m.url for m in client.ml.list(project=pid)] == [second.url]
    hooks = [h.url for h in client.webhooks.list(project=str(pid))]
    assert hooks == [second.url + "/webhook"]
    assert client.projects.get(pid).model_version == "annotate-rules"


def test_tasks_imported_with_targets_get_predictions_without_being_opened(studio, backends):
    """Issue 15 item 18: only tasks whose empty targets the backend filled had their
    predictions retrieved; a task imported by hand *with* targets showed none in the task
    list until someone opened it."""
    client = studio.client()
    backend = backends()
    pid = new_project(client)
    connect_backend(client, pid, backend.url)
    given = [{"value": "Russia"}, {"value": "United States"}]
    pushed = annotate_text(ARTICLE)  # what `annotate push` imports: with its prediction
    imported = client.projects.import_tasks(
        id=pid, request=[{"text": ARTICLE, "targets": given}, {"data": {"text": "No quotes here.", "targets": []}},
                         {"data": pushed["data"], "predictions": pushed["predictions"]}],
        return_task_ids=True)
    with_targets, no_entities, with_prediction = imported.task_ids

    def predicted():
        tasks = listed_tasks(client, pid)
        return tasks if tasks[with_targets].predictions and tasks[no_entities].predictions else None

    tasks = wait_until(predicted, timeout=60)
    assert tasks, "tasks imported with targets got no predictions without being opened"
    (prediction,) = tasks[with_targets].predictions
    assert prediction.model_version == converters.MODEL_VERSION
    assert tasks[with_targets].data["targets"] == given  # never overwritten
    assert_consistent(ARTICLE, prediction.result, given)
    assert target_choices(prediction.result) and target_choices(prediction.result) <= {"Russia", "United States"}
    assert tasks[no_entities].predictions[0].result == []  # asked, nothing to find
    assert backend.app.filler.wait_idle(30)
    assert len(listed_tasks(client, pid)[with_prediction].predictions) == 1  # already had one: not asked again
    assert backend.app.filler.failed == 0


def test_connect_creates_a_project_that_does_not_exist(studio_env, backends):
    """Issue 15 item 19: `connect --project TITLE` on a new title failed; it is created with
    our labeling config, as `push` does."""
    from annotate.studio import config_problems

    client = studio_env.client()
    backend = backends()
    title = f"connect new {secrets.token_hex(4)}"
    code, out = run("connect", "--project", title, "--backend", backend.url)
    assert code == 0, out
    (project,) = [p for p in client.projects.list(title=title) if p.title == title]
    assert out.splitlines()[0] == f"Created project {project.id} ({title!r}) with the annotate labeling config"
    assert f"Connected ML backend {backend.url} (id " in out
    assert config_problems(client.projects.get(project.id).label_config, labeling_config()) == []
    assert [m.url for m in client.ml.list(project=project.id)] == [backend.url]
    code, out = run("connect", "--project", title, "--backend", backend.url)
    assert code == 0 and out.startswith("Already connected:") and "Created" not in out

    other = f"connect unreachable {secrets.token_hex(4)}"
    code, out = run("connect", "--project", other, "--backend", "http://127.0.0.1:9")
    assert code == 3 and "health check failed" in out and "was created; re-run once the backend is reachable" in out


def test_credentials_in_the_backend_url_become_basic_auth_and_are_never_printed(studio_env, backends):
    """Issue 15 item 13: `--backend http://u:pw@host` repeated `u:pw` in the output (and left
    the password in the URL every project member sees)."""
    client = studio_env.client()
    password = "url-pw-" + secrets.token_hex(4)
    backend = backends(basic_auth=("ls", password))
    pid = new_project(client)
    with_credentials = backend.url.replace("http://", f"http://ls:{password}@")
    code, out = run("connect", "--project", str(pid), "--backend", with_credentials)
    assert code == 0, out
    assert password not in out and "ls:" not in out
    assert f"Connected ML backend {backend.url} (id " in out
    (ml,) = client.ml.list(project=pid)
    assert ml.url == backend.url and str(ml.auth_method) == "BASIC_AUTH" and str(ml.state) == "CO"

    fresh = new_project(client)
    code, out = run("connect", "--project", str(fresh), "--backend", with_credentials.replace(password, "wrong-pw-42"))
    assert code == 3 and "401" in out
    assert "wrong-pw-42" not in out and password not in out
    code, out = run("connect", "--project", str(pid), "--backend", with_credentials, "--basic-auth", "ls:other-pw-7")
    assert code == 2 and "other-pw-7" not in out and password not in out
