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
from pathlib import Path

import httpx
import pytest

from annotate.demo import (
    DEMO_PROJECT,
    LOGIN_FILE,
    LabelStudioServer,
    Login,
    load_or_create_login,
    port_is_free,
)

from .conftest import ROOT, SHARED, free_port, need, need_shared


class Demo:
    """`python -m annotate demo` as a child in its own session, its stdout read line by line in a
    thread, its stderr in a file. Start it through the `demos` fixture, which stops it."""

    def __init__(self, home, port, *extra, sigint_ignored: bool = False):
        env = {k: v for k, v in os.environ.items() if not k.startswith(("LABEL_STUDIO_", "PYTEST_"))}
        env["ANNOTATE_HOME"] = str(home)
        self.err_path = Path(home).with_name(f"{Path(home).name}-demo-{port}-{time.monotonic_ns()}.err")
        # As a non-interactive shell starts a background job: SIGINT ignored, inherited.
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if sigint_ignored else None
        try:
            with open(self.err_path, "w") as err:
                self.proc = subprocess.Popen(
                    [sys.executable, "-m", "annotate", "demo", "--port", str(port), *extra],
                    stdout=subprocess.PIPE, stderr=err, stdin=subprocess.DEVNULL, text=True, env=env,
                    start_new_session=True)
        finally:
            if previous is not None:
                signal.signal(signal.SIGINT, previous)
        self.lines: queue.Queue[str] = queue.Queue()
        self.stdout: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.put(line)

    def stderr(self) -> str:
        return self.err_path.read_text(errors="replace")

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
        raise AssertionError(f"no {text!r} in demo output:\n{''.join(self.stdout)}\n{self.stderr()}")

    def interrupt(self, sig: signal.Signals = signal.SIGTERM, timeout: float = 60) -> tuple[int, str]:
        """Send `sig`, wait for the exit; (exit code, stderr). A timeout is left to stop()."""
        self.proc.send_signal(sig)
        code = self.proc.wait(timeout=timeout)
        return code, self.stderr()

    def stop(self) -> None:
        """SIGTERM (the demo stops its server), SIGKILL to the group if it hangs."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)  # its server gets SIGTERM from the kernel
                self.proc.wait()
        self.proc.stdout.close()


@pytest.fixture
def demos(tmp_path):
    """Start `annotate demo` children: demos(home, port, *extra); all are stopped at teardown."""
    started: list[Demo] = []

    def start(home, port, *extra, **options) -> Demo:
        started.append(Demo(home, port, *extra, **options))
        return started[-1]

    yield start
    for demo in started:
        demo.stop()


def field(output: str, name: str) -> str:
    match = re.search(rf"^{name}:\s+(.+)$", output, re.M)
    assert match, f"no {name} line in:\n{output}"
    return match.group(1).strip()


@pytest.mark.demo
@pytest.mark.studio
def test_demo_starts_pushes_seeds_stops_cleanly_and_keeps_data(tmp_path, demos):
    from label_studio_sdk import LabelStudio

    home, port = tmp_path / "home", free_port()
    # Started the way a script's `annotate demo &` is (SIGINT ignored): Ctrl-C must still work.
    demo = demos(home, port, sigint_ignored=True)
    out = demo.wait_for("Press Ctrl-C")
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
    # Targets are what quotes talk about (not the speaker): Russia, named twice in the quote.
    text = ('"Russia will not win this war, and Russia knows it," Ukrainian President Volodymyr Zelensky '
            'said on Tuesday.')
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
    # No process on the machine shows the demo's password or token on its command line.
    for pid, cmdline in all_cmdlines().items():
        assert password.encode() not in cmdline and token.encode() not in cmdline, (pid, cmdline)

    code, err = demo.interrupt(signal.SIGINT)
    assert code == 0, err
    assert "Label Studio stopped" in err and "Traceback" not in err
    assert port_is_free("localhost", port)

    # Second run: same login, same project, the annotation is still there, nothing re-created.
    again = demos(home, port)
    out2 = again.wait_for("Press Ctrl-C")
    assert field(out2, "Login") == f"{email} / {password}"
    assert field(out2, "Project") == project_url
    assert "created 0" in field(out2, "Pushed") and "skipped 5" in field(out2, "Pushed")
    task = client.tasks.get(first.id)
    assert task.total_annotations == 1
    code, err = again.interrupt(signal.SIGTERM)
    assert code == 0, err
    assert "Label Studio stopped" in err and port_is_free("localhost", port)

    # --no-push: the server only, with the same login. A closed terminal (SIGHUP) stops the
    # server too, though it runs in its own session, out of the terminal's reach.
    bare = demos(home, port, "--no-push")
    out3 = bare.wait_for("Press Ctrl-C")
    assert field(out3, "Login") == f"{email} / {password}"
    assert "Pushed:" not in out3 and "Project:" not in out3
    code, err = bare.interrupt(signal.SIGHUP)
    assert code == 0, err
    assert "Label Studio stopped" in err and port_is_free("localhost", port)


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


def all_cmdlines() -> dict[int, bytes]:
    """{pid: /proc/PID/cmdline} of every live process."""
    return {pid: cmdline for pid, (_, cmdline) in _processes().items()}


def group_cmdlines(pgid: int) -> dict[int, bytes]:
    """{pid: /proc/PID/cmdline} of every live process in process group `pgid`."""
    return {pid: cmdline for pid, (group, cmdline) in _processes().items() if group == pgid}


def alive(pid: int) -> bool:
    """The process exists and is not a zombie."""
    return pid in _processes()


def _processes() -> dict[int, tuple[int, bytes]]:
    """{pid: (process group, cmdline)} read from /proc, zombies left out."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:  # gone meanwhile
            continue
        # After the ")" closing the command name: state, ppid, pgrp, ...
        state, _, pgrp = stat.rsplit(")", 1)[1].split()[:3]
        if state not in "ZX":
            found[int(entry.name)] = int(pgrp), cmdline
    return found


@pytest.mark.studio
def test_label_studio_command_line_holds_no_password_or_token(studio):
    """/proc/PID/cmdline is readable by every local user: the login goes through the
    environment (readable by the owner only) instead."""
    cmdlines = group_cmdlines(studio.pid)
    assert studio.pid in cmdlines, "the server should lead its own process group"
    for pid, cmdline in cmdlines.items():
        assert studio.password.encode() not in cmdline, (pid, cmdline)
        assert studio.token.encode() not in cmdline, (pid, cmdline)
    # The account the server was given still works, with the token and with the password.
    r = httpx.get(studio.url + "/api/current-user/whoami", headers={"Authorization": f"Token {studio.token}"},
                  timeout=30)
    assert r.status_code == 200 and r.json()["email"] == studio.username
    with httpx.Client(base_url=studio.url, timeout=30) as web:
        web.get("/user/login/")
        r = web.post("/user/login/", data={"email": studio.username, "password": studio.password,
                                           "csrfmiddlewaretoken": web.cookies["csrftoken"]},
                     headers={"Referer": studio.url + "/user/login/"})
        assert r.status_code == 302 and "/user/login" not in r.headers["location"], (r.status_code, r.text[:300])
        assert web.get("/api/current-user/whoami").json()["email"] == studio.username


# A stand-in `label-studio` for the process handling, without the minute a real server takes:
# it logs its pid, ignores the signals named in $FAKE_IGNORE, and sleeps.
FAKE_SERVER = """\
import os, signal, time
for name in filter(None, os.environ.get("FAKE_IGNORE", "").split(",")):
    signal.signal(getattr(signal, name), signal.SIG_IGN)
print("fake label-studio", os.getpid(), "ready", flush=True)
time.sleep(300)
"""
FAKE_LOGIN = Login("a@example.com", "fake-password", "f" * 40)


@pytest.fixture
def fake_label_studio(tmp_path, monkeypatch) -> Path:
    script = tmp_path / "fake-label-studio"
    script.write_text(f"#!{sys.executable}\n{FAKE_SERVER}")
    script.chmod(0o755)
    monkeypatch.setattr("annotate.demo.label_studio_bin", lambda: str(script))
    return script


def wait_until(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"{what}: not within {timeout} s"
        time.sleep(0.05)


def started_fake(tmp_path, name: str = "ls") -> LabelStudioServer:
    """A LabelStudioServer on the fake binary, once the fake has set up its signals."""
    server = LabelStudioServer(tmp_path / name, FAKE_LOGIN, port=free_port())
    server.start()
    wait_until(lambda: "ready" in server.log_tail(1), 30, "the fake server's ready line")
    return server


def test_stop_ends_the_server_group_with_sigterm_not_sigint(tmp_path, fake_label_studio, monkeypatch):
    """A child of a background job inherits SIGINT ignored: a stop that tries SIGINT first
    waits for nothing."""
    monkeypatch.setenv("FAKE_IGNORE", "SIGINT")
    server = started_fake(tmp_path)
    try:
        assert group_cmdlines(server.proc.pid), "the server should lead its own process group"
        took = time.monotonic()
        code = server.stop(timeout=30)
        took = time.monotonic() - took
    finally:
        server.stop(timeout=1)
    assert code == -signal.SIGTERM and took < 5, (code, took)
    assert not group_cmdlines(server.proc.pid)


def test_stop_kills_a_server_that_ignores_sigterm(tmp_path, fake_label_studio, monkeypatch):
    monkeypatch.setenv("FAKE_IGNORE", "SIGINT,SIGTERM")
    server = started_fake(tmp_path)
    try:
        code = server.stop(timeout=1)
    finally:
        server.stop(timeout=1)
    assert code == -signal.SIGKILL
    assert not group_cmdlines(server.proc.pid)


def test_server_gets_sigterm_when_its_parent_is_killed(tmp_path, fake_label_studio):
    """In its own session the server would outlive a SIGKILLed `annotate demo` or pytest."""
    code = (f"import time, annotate.demo as demo\n"
            f"demo.label_studio_bin = lambda: {str(fake_label_studio)!r}\n"
            f"server = demo.LabelStudioServer({str(tmp_path / 'ls')!r}, "
            f"demo.Login('a@example.com', 'fake-password', 'f' * 40), port={free_port()})\n"
            "server.start()\n"
            "print(server.proc.pid, flush=True)\n"
            "time.sleep(300)\n")
    parent = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True,
                              start_new_session=True)
    child = None
    try:
        child = int(parent.stdout.readline())
        wait_until(lambda: "ready" in (tmp_path / "ls" / "label-studio.log").read_text(), 30, "the fake's ready line")
        parent.kill()
        parent.wait(timeout=30)
        wait_until(lambda: not alive(child), 30, "the orphaned server's end")
    finally:
        parent.kill()
        parent.stdout.close()
        if child is not None and alive(child):
            os.killpg(child, signal.SIGKILL)


def test_pytest_stopped_with_sigterm_still_stops_the_servers(tmp_path, fake_label_studio, monkeypatch):
    """conftest turns SIGTERM into an interruption, so the finalizers that stop servers run,
    and a second SIGTERM (make passes its own on to pytest) does not cut that stop short."""
    monkeypatch.setenv("FAKE_IGNORE", "SIGTERM")  # the stop takes its SIGKILL timeout
    inner = tmp_path / "inner" / "test_inner.py"
    inner.parent.mkdir()
    inner.write_text(
        "import time, annotate.demo as demo\n\n"
        "def test_holds_a_server(request, tmp_path):\n"
        f"    demo.label_studio_bin = lambda: {str(fake_label_studio)!r}\n"
        "    server = demo.LabelStudioServer(tmp_path, demo.Login('a@example.com', 'fake-password', 'f' * 40))\n"
        "    def stop():\n"
        "        print('stopping', flush=True)\n"
        "        print('stopped with', server.stop(timeout=3), flush=True)\n"
        "    request.addfinalizer(stop)\n"
        "    server.start()\n"
        "    while 'ready' not in server.log_tail(1):\n"
        "        time.sleep(0.05)\n"
        "    print('server', server.proc.pid, flush=True)\n"
        "    time.sleep(300)\n")
    proc = subprocess.Popen(
        [sys.executable, "-m", "pytest", "-q", "-s", "-p", "tests.conftest", "-p", "no:cacheprovider",
         "--rootdir", str(inner.parent), str(inner)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    server, out = None, []
    try:
        for line in proc.stdout:
            out.append(line)
            if line.startswith("server "):
                server = int(line.split()[1])
                proc.terminate()
            elif line.startswith("stopping"):
                proc.terminate()  # again, while the finalizer waits for the server
                break
        assert server, "".join(out)
        out.append(proc.communicate(timeout=60)[0])
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        if server is not None and alive(server):
            os.killpg(server, signal.SIGKILL)
    out = "".join(out)
    assert proc.returncode == pytest.ExitCode.INTERRUPTED, out
    assert f"stopped with {-signal.SIGKILL}" in out, out
    assert not alive(server)


@pytest.mark.parametrize("ci", ["", "false", "true", "1"])
def test_need_skips_locally_and_fails_under_ci(monkeypatch, ci):
    """A missing chromium, Label Studio or ../shared must not pass CI as a quiet skip."""
    monkeypatch.setenv("CI", ci)
    expected = pytest.fail.Exception if ci in ("true", "1") else pytest.skip.Exception
    with pytest.raises(expected, match="chromium is not installed"):
        need("chromium is not installed")


def test_need_shared_finds_the_checkout_beside_the_repository(tmp_path, monkeypatch):
    monkeypatch.setenv("CI", "true")
    assert SHARED == ROOT.parent / "shared"
    with pytest.raises(pytest.fail.Exception, match="no-such-file"):
        need_shared("no-such-file")
