"""deploy/: the compose recipe names only variables its services read (no container runtime here).

Label Studio's names are checked against the installed Label Studio's own source (its
`get_env`/`get_bool_env` calls, which also accept a LABEL_STUDIO_ prefix); annotate's names
and options against the click command the backend service runs.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml  # Label Studio depends on PyYAML

from annotate.cli import cli

from .conftest import ROOT

DEPLOY = ROOT / "deploy"
# The official postgres image reads these (documented on its image page; not checkable here).
POSTGRES_IMAGE_ENV = {"POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB"}


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def label_studio_env_names() -> set[str]:
    """Every environment name the installed Label Studio reads, with and without its prefix."""
    import label_studio

    names: set[str] = set()
    call = re.compile(r"get_(?:bool_|int_|float_)?env(?:_list)?\(\s*['\"]([A-Z0-9_]+)['\"]")
    environ = re.compile(r"os\.environ(?:\.get)?[\(\[]\s*['\"]([A-Z0-9_]+)['\"]")
    for path in Path(label_studio.__file__).parent.rglob("*.py"):
        source = path.read_text(errors="replace")
        for name in call.findall(source):
            names |= {name, "LABEL_STUDIO_" + name}
        names |= set(environ.findall(source))
    return names


def test_label_studio_reads_every_variable_it_is_given(compose):
    known = label_studio_env_names()
    given = set(compose["services"]["label-studio"]["environment"])
    assert given - known == set()
    # The database settings Label Studio needs for PostgreSQL are all there.
    assert {"DJANGO_DB", "POSTGRE_NAME", "POSTGRE_USER", "POSTGRE_PASSWORD", "POSTGRE_HOST", "POSTGRE_PORT"} <= given


def test_label_studio_and_postgres_agree_on_the_database(compose):
    services = compose["services"]
    ls, db = services["label-studio"]["environment"], services["db"]["environment"]
    assert set(db) <= POSTGRES_IMAGE_ENV
    assert ls["POSTGRE_USER"] == db["POSTGRES_USER"]
    assert ls["POSTGRE_NAME"] == db["POSTGRES_DB"]
    assert ls["POSTGRE_PASSWORD"] == db["POSTGRES_PASSWORD"]  # the same ${...} of .env
    assert ls["POSTGRE_HOST"] in services


def test_backend_service_runs_a_real_annotate_command_with_names_it_reads(compose):
    service = compose["services"]["annotate-backend"]
    command = service["command"]
    assert command[:2] == ["annotate", "backend"]
    backend = cli.commands["backend"]
    options = {opt for p in backend.params for opt in p.opts}
    assert {arg for arg in command[2:] if arg.startswith("-")} <= options
    envvars = {p.envvar for p in backend.params if p.envvar}
    assert set(service["environment"]) <= envvars
    # It reaches Label Studio by its service name, on the port Label Studio listens on.
    url = service["environment"]["LABEL_STUDIO_URL"]
    host, port = re.fullmatch(r"http://([\w-]+):(\d+)", url).groups()
    assert host in compose["services"]
    assert any(p.split(":")[-1] == port for p in compose["services"][host]["ports"])
    # The backend and Label Studio share one token: the admin's legacy token.
    ls_env = compose["services"]["label-studio"]["environment"]
    assert service["environment"]["LABEL_STUDIO_API_KEY"] == ls_env["LABEL_STUDIO_USER_TOKEN"]


def test_env_example_sets_every_required_variable(compose):
    text = (DEPLOY / "compose.yaml").read_text()
    required = set(re.findall(r"\$\{([A-Z0-9_]+)(?::[?-][^}]*)?\}", text))
    example = {line.split("=", 1)[0] for line in (DEPLOY / "env.example").read_text().splitlines()
               if line and not line.startswith("#")}
    assert required <= example


def test_dockerfile_copies_what_exists():
    for line in (DEPLOY / "Dockerfile").read_text().splitlines():
        if line.startswith("COPY "):
            for source in line.split()[1:-1]:
                assert (ROOT / source).exists(), source
