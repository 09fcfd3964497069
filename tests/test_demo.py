"""`annotate demo`: starts its own Label Studio (about a minute), so it is marked `demo` and `studio`.

Deselect with `-m "not demo"`; CI runs it.
"""

from __future__ import annotations

import json
import os
import queue
import re
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
import urllib.request

import pytest

from annotate.demo import DEMO_PROJECT, LOGIN_FILE, load_or_create_login, port_is_free

from .conftest import free_port


class Demo:
    """`python -m annotate demo` as a child process, its stdout read line by line in a thread."""

    def __init__(self, home, port, *extra):
        env = {k: v for k, v in os.environ.items() if not k.startswith(("LABEL_STUDIO_", "PYTEST_"))}
        env["ANNOTATE_HOME"] = str(home)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "annotate", "demo", "--port", str(port), *extra],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        self.lines: queue.Queue[str] = queue.Queue()
        self.stdout: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.put(line)

    def wait_for(self, text: str, timeout: float = 300) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=1)
            except queue.Empty:
                if self.proc.poll() is not None:
                    break
                continue
            self.stdout.append(line)
            if text in line:
                return "".join(self.stdout)
        self.proc.kill()
        raise AssertionError(f"no {text!r} in demo output:\n{''.join(self.stdout)}\n{self.proc.stderr.read()}")

    def interrupt(self, timeout: float = 60) -> tuple[int, str]:
        self.proc.send_signal(signal.SIGINT)
        try:
            code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise
        return code, self.proc.stderr.read()


def field(output: str, name: str) -> str:
    match = re.search(rf"^{name}:\s+(.+)$", output, re.M)
    assert match, f"no {name} line in:\n{output}"
    return match.group(1).strip()


@pytest.mark.demo
@pytest.mark.studio
def test_demo_starts_pushes_seeds_stops_cleanly_and_keeps_data(tmp_path):
    from label_studio_sdk import LabelStudio

    home, port = tmp_path / "home", free_port()
    demo = Demo(home, port)
    try:
        out = demo.wait_for("Press Ctrl-C")
    finally:
        if demo.proc.poll() is not None:
            print(demo.proc.stderr.read())
    url = field(out, "Label Studio")
    assert url == f"http://localhost:{port}"
    email, password = field(out, "Login").split(" / ")
    assert email and len(password) >= 12
    assert "created 5" in field(out, "Pushed")
    project_url = field(out, "Project")
    token = re.search(r"LABEL_STUDIO_API_KEY=(\w+)", out).group(1)

    client = LabelStudio(base_url=url, api_key=token)
    [project] = [p for p in client.projects.list(title=DEMO_PROJECT, page_size=10).items if p.title == DEMO_PROJECT]
    assert project_url == f"{url}/projects/{project.id}/data"
    tasks = list(client.tasks.list(project=project.id, fields="all"))
    assert len(tasks) == 5
    assert all(t.predictions and t.predictions[0].result for t in tasks)
    first = tasks[0]
    client.annotations.create(id=first.id, result=first.predictions[0].result[:1], lead_time=1.0)

    # The ML backend runs beside it: a task imported by hand gets predictions and targets.
    backend_url = field(out, "ML backend").split()[0]
    with urllib.request.urlopen(backend_url + "/health", timeout=5) as r:
        assert json.loads(r.read())["status"] == "UP"
    text = '"We will not accept these terms," Ukrainian President Volodymyr Zelensky said of Russia.'
    [hand] = client.projects.import_tasks(id=project.id, request=[{"text": text, "targets": []}],
                                          return_task_ids=True).task_ids
    for _ in range(60):
        got = client.tasks.get(hand)
        if got.predictions and got.data.get("targets"):
            break
        time.sleep(0.5)
    assert got.predictions and got.predictions[0].model_version.startswith("annotate-rules-")
    assert any(t["value"] == "Russia" for t in got.data["targets"])

    login_file = home / "label-studio" / LOGIN_FILE
    assert stat.S_IMODE(login_file.stat().st_mode) == 0o600

    code, err = demo.interrupt()
    assert code == 0, err
    assert "Label Studio stopped" in err and "Traceback" not in err
    assert port_is_free("localhost", port)

    # Second run: same login, same project, the annotation is still there, nothing re-created.
    again = Demo(home, port)
    try:
        out2 = again.wait_for("Press Ctrl-C")
        assert field(out2, "Login") == f"{email} / {password}"
        assert field(out2, "Project") == project_url
        assert "created 0" in field(out2, "Pushed") and "skipped 5" in field(out2, "Pushed")
        task = client.tasks.get(first.id)
        assert task.total_annotations == 1
    finally:
        code, err = again.interrupt()
    assert code == 0, err

    # --no-push: the server only, with the same login.
    bare = Demo(home, port, "--no-push")
    try:
        out3 = bare.wait_for("Press Ctrl-C")
        assert field(out3, "Login") == f"{email} / {password}"
        assert "Pushed:" not in out3 and "Project:" not in out3
    finally:
        code, err = bare.interrupt()
    assert code == 0, err


def test_demo_refuses_a_busy_port(tmp_path):
    with socket.socket() as s:
        s.bind(("localhost", 0))
        s.listen()
        port = s.getsockname()[1]
        env = {**os.environ, "ANNOTATE_HOME": str(tmp_path)}
        env.pop("PYTEST_CURRENT_TEST", None)
        proc = subprocess.run([sys.executable, "-m", "annotate", "demo", "--port", str(port)],
                              capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 2
    assert f"port {port} on localhost is already in use" in proc.stderr and "--port" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_login_is_created_once_with_mode_0600(tmp_path):
    login, created = load_or_create_login(tmp_path)
    assert created and len(login.token) == 40
    again, created_again = load_or_create_login(tmp_path)
    assert again == login and not created_again
    assert stat.S_IMODE((tmp_path / LOGIN_FILE).stat().st_mode) == 0o600


def test_demo_refuses_a_foreign_label_studio_data_dir(tmp_path):
    (tmp_path / "label_studio.sqlite3").write_bytes(b"")
    env = {**os.environ, "ANNOTATE_HOME": str(tmp_path / "home")}
    env.pop("PYTEST_CURRENT_TEST", None)
    proc = subprocess.run([sys.executable, "-m", "annotate", "demo", "--port", str(free_port()),
                           "--data-dir", str(tmp_path)], capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 2
    assert f"no {LOGIN_FILE}" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / LOGIN_FILE).exists()
