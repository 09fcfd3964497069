"""Shared fixtures. The `studio` fixture starts ONE real Label Studio per test session."""

from __future__ import annotations

import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from annotate.demo import LabelStudioServer, Login, free_port  # noqa: F401  (free_port: for tests)

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


@pytest.fixture(scope="session")
def studio(tmp_path_factory) -> Studio:
    """Start a real Label Studio on a free port with a temporary data dir; stop it at the end.

    The same server class as `annotate demo` (start, /health polling, clean stop), with the
    ML backend protections off so backend tests can register a localhost backend.
    """
    data_dir = tmp_path_factory.mktemp("label-studio")
    login = Login("u@example.com", "annotate-test-pw", secrets.token_hex(20))
    server = LabelStudioServer(data_dir, login, "localhost", free_port())
    with server.running():
        yield Studio(server.url, login.token, login.email, login.password, data_dir, server.log)


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
