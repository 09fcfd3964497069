"""The Label Studio seam (annotate.studio) against a real server, plus its offline error paths."""

from __future__ import annotations

import uuid

import pytest

from annotate import studio as ls
from annotate.convert import expand_inputs, iter_tasks
from annotate.errors import ConnectionFailed, ProjectError
from annotate.labeling import labeling_config

from .conftest import SEEDS, free_port

SPEAKER_ONLY = ('<View><Text name="text" value="$text"/><Labels name="label" toName="text">'
                '<Label value="Speaker"/></Labels></View>')


def test_server_answers_with_token(studio):
    client = studio.client()
    me = client.users.whoami()
    assert me.email == studio.username


def test_connect_checks_the_token(studio):
    client = ls.connect(studio.url, studio.token)
    assert client.users.whoami().email == studio.username
    with pytest.raises(ConnectionFailed, match="refused the API key") as err:
        ls.connect(studio.url, "0" * 40)
    assert "0" * 40 not in str(err.value)


@pytest.mark.parametrize("url, key, expected", [
    ("http://localhost:{port}", "k" * 40, "connection refused"),
    ("http://no-such-host.invalid:8080", "k" * 40, "host name not found"),
    ("localhost:8080", "k" * 40, "not a Label Studio URL: 'localhost:8080'"),
    ("admin:hunter2@localhost:8080", "k" * 40, "not a Label Studio URL: 'localhost:8080'"),
    ("http://localhost:8080", "", "no Label Studio API key"),
])
def test_connect_failures_are_one_line_without_the_token(url, key, expected):
    with pytest.raises(ConnectionFailed, match=expected) as err:
        ls.connect(url.format(port=free_port()), key)
    message = str(err.value)
    assert "\n" not in message
    assert not key or key not in message
    assert "hunter2" not in message


def test_connect_times_out_on_a_silent_server():
    import socket

    with socket.socket() as silent:  # accepts connections (backlog) but never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        port = silent.getsockname()[1]
        with pytest.raises(ConnectionFailed, match="did not answer in time"):
            ls.connect(f"http://127.0.0.1:{port}", "k" * 40, timeout=1)


def test_display_url_hides_credentials():
    assert ls.display_url("http://user:secret@host:8080/ls/?token=abc") == "http://host:8080/ls"


def test_find_and_ensure_project(studio):
    client = ls.connect(studio.url, studio.token)
    title = f"seam {uuid.uuid4().hex[:8]}"
    project, created = ls.ensure_project(client, title)
    assert created
    assert ls.find_project(client, title).id == project.id
    assert ls.find_project(client, project.id).title == title
    assert ls.ensure_project(client, str(project.id))[1] is False
    with pytest.raises(ProjectError, match="no project with id 987654"):
        ls.find_project(client, 987654)
    with pytest.raises(ProjectError, match="no project titled"):
        ls.find_project(client, title + " missing")

    twin = client.projects.create(title=title, label_config=labeling_config())
    with pytest.raises(ProjectError, match=f"ids {project.id}, {twin.id}"):
        ls.find_project(client, title)


def test_ensure_project_refuses_an_incompatible_config_and_adopts_an_empty_one(studio):
    client = ls.connect(studio.url, studio.token)
    bad = client.projects.create(title=f"bad {uuid.uuid4().hex[:8]}", label_config=SPEAKER_ONLY)
    with pytest.raises(ProjectError, match="incompatible labeling config: 'label' lacks Quote, Stance"):
        ls.ensure_project(client, bad.id)
    empty = client.projects.create(title=f"empty {uuid.uuid4().hex[:8]}")
    project, created = ls.ensure_project(client, empty.id)
    assert not created and ls.config_problems(project.label_config, labeling_config()) == []


def test_config_problems_accepts_extras_only():
    ours = labeling_config()
    assert ls.config_problems(ours, ours) == []
    extra = ours.replace('<Label value="Stance"', '<Label value="Source"/><Label value="Stance"')
    assert ls.config_problems(extra, ours) == []
    renamed = ours.replace('name="polarity"', 'name="sentiment"')
    assert ls.config_problems(renamed, ours) == ["missing Choices 'polarity'"]
    dynamic = ours.replace('value="$targets"', 'value="$entities"')
    assert ls.config_problems(dynamic, ours) == ["'target' has value='$entities', expected '$targets'"]


def test_export_tasks_keeps_full_predictions_and_annotations(studio):
    client = ls.connect(studio.url, studio.token)
    project, _ = ls.ensure_project(client, f"export {uuid.uuid4().hex[:8]}")
    tasks = list(iter_tasks(expand_inputs([str(SEEDS)])))[:2]
    ids = ls.import_tasks(client, project.id, tasks)
    span = next(r for r in tasks[0]["predictions"][0]["result"] if r["type"] == "labels")
    client.annotations.create(id=ids[0], result=[span], lead_time=2.0)

    lines = []
    exported = ls.export_tasks(client, project.id, progress=lines.append)
    assert lines and lines[-1] == "exported 2 tasks"
    by_id = {t["id"]: t for t in exported}
    assert set(by_id) == set(ids)
    pred = by_id[ids[0]]["predictions"][0]
    assert pred["model_version"] == tasks[0]["predictions"][0]["model_version"]
    assert pred["result"] == tasks[0]["predictions"][0]["result"]
    [ann] = by_id[ids[0]]["annotations"]
    assert ann["result"][0]["value"] == span["value"] and ann["lead_time"] == 2.0
    assert by_id[ids[0]]["meta"]["task_hash"] == tasks[0]["meta"]["task_hash"]
    assert ls.existing_task_hashes(client, project.id) == {t["meta"]["task_hash"] for t in tasks}
    assert not list(client.projects.exports.list(id=project.id))  # the snapshot was cleaned up


def test_personal_access_token_works_and_a_revoked_one_is_refused(studio):
    legacy = ls.connect(studio.url, studio.token)
    pat = legacy.tokens.create().token  # a JWT refresh token, exchanged by the SDK
    assert pat.count(".") == 2
    assert ls.connect(studio.url, pat).users.whoami().email == studio.username

    legacy.tokens.blacklist(refresh=pat)
    with pytest.raises(ConnectionFailed, match="refused the API key") as err:
        ls.connect(studio.url, pat)
    assert pat not in str(err.value)
