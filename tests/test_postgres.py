"""Label Studio on PostgreSQL: `annotate demo --postgres` and `--database-url` (issue 18).

The real-server test runs the demo with a PostgreSQL cluster it creates itself, pushes the
seeds, accepts every prediction through the API, pulls the gold back, and checks that the
tasks live in PostgreSQL (not in a SQLite file) and survive a restart. Marked `demo` and
`studio`; under CI=true missing PostgreSQL binaries fail instead of skipping.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess

import pytest
from click.testing import CliRunner

from annotate.cli import cli
from annotate.errors import UsageError
from annotate.postgres import LocalPostgres, find_binary, parse_url

from .conftest import free_port, need
from .test_demo import demos, field  # noqa: F401  (demos is a fixture)


def test_database_url_becomes_label_studio_environment():
    db = parse_url("postgresql://ls:s%40cret@db.example.org:6543/labelstudio")
    assert db.label_studio_env() == {
        "DJANGO_DB": "default", "POSTGRE_HOST": "db.example.org", "POSTGRE_PORT": "6543",
        "POSTGRE_USER": "ls", "POSTGRE_PASSWORD": "s@cret", "POSTGRE_NAME": "labelstudio"}
    assert "s@cret" not in db.shown and "s%40cret" not in db.shown


@pytest.mark.parametrize("url, words", [
    ("mysql://u:p@h/db", "postgresql://"),
    ("postgresql://u:p@h:port/db", "port"),
    ("postgresql://u:p@h:5432/", "database name"),
    ("postgresql:///db", "host"),
])
def test_bad_database_urls_are_usage_errors(url, words):
    with pytest.raises(UsageError, match=words):
        parse_url(url)


def test_missing_server_binaries_name_the_package(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.setattr("annotate.postgres.glob.glob", lambda pattern: [])
    with pytest.raises(UsageError, match="apt-get install -y postgresql"):
        find_binary("initdb")


def test_demo_refuses_postgres_and_database_url_together(tmp_path):
    result = CliRunner().invoke(cli, ["demo", "--port", str(free_port()), "--data-dir", str(tmp_path / "d"),
                                      "--postgres", "--database-url", "postgresql://u:p@h/db"])
    assert result.exit_code == 2
    assert "exclude each other" in result.output
    assert not (tmp_path / "d").exists()


def _postgres_or_need() -> None:
    try:
        for name in ("initdb", "pg_ctl", "psql"):
            find_binary(name)
    except UsageError as exc:
        need(str(exc))


def _count_tasks(cluster: LocalPostgres) -> int:
    db = cluster.database
    out = subprocess.run([find_binary("psql"), "-h", db.host, "-p", str(db.port), "-U", db.user, "-d", db.name,
                          "-tA", "-c", "SELECT count(*) FROM task"],
                         env={**os.environ, "PGPASSWORD": db.password}, capture_output=True, text=True, check=True)
    return int(out.stdout.strip())


@pytest.mark.demo
@pytest.mark.studio
def test_demo_on_postgres_round_trip_and_restart(tmp_path, demos):  # noqa: F811
    from label_studio_sdk import LabelStudio

    _postgres_or_need()
    home, port = tmp_path / "home", free_port()
    data_dir = home / "label-studio"
    cluster = LocalPostgres(data_dir)
    try:
        demo = demos(home, port, "--postgres", "--no-backend")
        out = demo.wait_for("Press Ctrl-C", timeout=600)
        assert "created 5" in field(out, "Pushed")
        assert "database: postgresql://annotate@127.0.0.1" in demo.stderr()
        url = field(out, "Label Studio")
        token = re.search(r"LABEL_STUDIO_API_KEY=(\w+)", out).group(1)

        # The tasks are rows of PostgreSQL, and no SQLite database was made.
        cluster.ensure()
        assert _count_tasks(cluster) == 5
        assert not (data_dir / "label_studio.sqlite3").exists()

        # Every prediction accepted unchanged is a valid gold record: 5 pushed, 5 back.
        client = LabelStudio(base_url=url, api_key=token)
        project_id = int(field(out, "Project").rstrip("/").split("/")[-2])
        tasks = list(client.tasks.list(project=project_id, fields="all"))
        for task in tasks:
            client.annotations.create(id=task.id, result=task.predictions[0].result, lead_time=1.0)
        gold = tmp_path / "gold"
        result = CliRunner().invoke(cli, ["pull", "--project", str(project_id), "-o", str(gold),
                                          "--url", url, "--api-key", token])
        assert result.exit_code == 0, result.output
        records = [json.loads(line) for line in (gold / "gold.jsonl").read_text().splitlines()]
        assert sorted(r["id"] for r in records) == sorted(t.data["doc_id"] for t in tasks)

        code, err = demo.interrupt(signal.SIGTERM)
        assert code == 0, err
        assert not cluster.is_running()  # the demo stops the PostgreSQL it started

        # A second run finds the same database: nothing pushed again, annotations still there.
        again = demos(home, port, "--postgres", "--no-backend")
        out2 = again.wait_for("Press Ctrl-C", timeout=600)
        assert "created 0" in field(out2, "Pushed") and "skipped 5" in field(out2, "Pushed")
        assert client.tasks.get(tasks[0].id).total_annotations == 1
        code, err = again.interrupt(signal.SIGTERM)
        assert code == 0, err
    finally:
        if cluster.state_path.exists():
            cluster.ensure()
            cluster.stop()
            if cluster.owner is not None:  # a cluster made for root lives outside the data dir
                subprocess.run(["rm", "-rf", str(cluster.cluster)], check=False)
