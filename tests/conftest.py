"""Shared fixtures. The `studio` fixture starts ONE real Label Studio per test session."""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"


@dataclass
class Studio:
    """A running Label Studio: where it is and how to log in."""

    url: str
    token: str
    username: str
    password: str
    data_dir: Path
    log: Path

    def client(self):
        from label_studio_sdk import LabelStudio

        return LabelStudio(base_url=self.url, api_key=self.token)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _label_studio_bin() -> str:
    local = Path(sys.executable).parent / "label-studio"
    return str(local) if local.exists() else (shutil.which("label-studio") or "label-studio")


def wait_healthy(url: str, proc: subprocess.Popen, log: Path, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"Label Studio exited ({proc.returncode}):\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url + "/health", timeout=2) as r:
                if b"UP" in r.read():
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"Label Studio did not come up in {timeout}s:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="session")
def studio(tmp_path_factory) -> Studio:
    """Start a real Label Studio on a free port with a temporary data dir; stop it at the end."""
    data_dir = tmp_path_factory.mktemp("label-studio")
    port = free_port()
    token = secrets.token_hex(20)
    username, password = "u@example.com", "annotate-test-pw"
    env = {
        **os.environ,
        "LABEL_STUDIO_BASE_DATA_DIR": str(data_dir),
        "ML_BLOCK_LOCAL_IP": "false",
        "SSRF_PROTECTION_ENABLED": "false",
        "LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN": "true",
        "DEBUG": "false",
        # No crash reports or analytics from test servers (Label Studio sends them by default).
        "SENTRY_DSN": "",
        "FRONTEND_SENTRY_DSN": "",
        "COLLECT_ANALYTICS": "false",
    }
    log = data_dir / "server.log"
    cmd = [
        _label_studio_bin(), "start", "--no-browser", "--host", "localhost", "--port", str(port),
        "--username", username, "--password", password, "--user-token", token,
        "--enable-legacy-api-token", "--data-dir", str(data_dir),
    ]
    with open(log, "wb") as fh:
        proc = subprocess.Popen(cmd, env=env, stdout=fh, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://localhost:{port}"
    try:
        wait_healthy(url, proc, log)
        yield Studio(url, token, username, password, data_dir, log)
    finally:
        with __import__("contextlib").suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@pytest.fixture
def studio_env(studio, monkeypatch) -> Studio:
    """The studio's URL and token in LABEL_STUDIO_URL / LABEL_STUDIO_API_KEY for CLI tests."""
    monkeypatch.setenv("LABEL_STUDIO_URL", studio.url)
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", studio.token)
    return studio


CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="session")
def browser():
    """One headless Debian Chromium driven by playwright for the session; skipped with the reason
    when playwright or chromium is missing (`make browser` installs chromium)."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install playwright)")
    executable = "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else shutil.which("chromium")
    if not executable:
        pytest.skip("chromium is not installed (make browser, or apt-get install chromium)")
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def open_task(browser, studio: Studio, project_id: int, task_id: int, width: int = 1600, height: int = 1200):
    """Log in to `studio` in a new page and open a task in the labeling UI, waiting for its
    regions to be drawn. The caller closes the page."""
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(studio.url + "/user/login")
    page.fill("input[name=email]", studio.username)
    page.fill("input[name=password]", studio.password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/user/login" not in url, timeout=60_000)
    page.goto(f"{studio.url}/projects/{project_id}/data?task={task_id}")
    page.wait_for_selector(".htx-highlight", timeout=90_000)
    return page


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path, monkeypatch):
    """Keep user state (demo data dir, caches) out of the real home directory."""
    monkeypatch.setenv("ANNOTATE_HOME", str(tmp_path / "annotate-home"))


def pytest_configure(config):
    config.addinivalue_line("markers", "demo: runs `annotate demo`, which starts its own Label Studio (~1 min)")


def pytest_collection_modifyitems(items):
    for item in items:
        names = getattr(item, "fixturenames", ())
        if "studio" in names:
            item.add_marker(pytest.mark.studio)
        if "browser" in names:
            item.add_marker(pytest.mark.browser)
