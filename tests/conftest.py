"""Shared fixtures. The `studio` fixture starts ONE real Label Studio per test session.

Servers started here run in their own process group and are stopped by finalizers (SIGTERM
to the group, then SIGKILL), whether the tests pass, fail or pytest is interrupted; SIGTERM
and SIGHUP to pytest become an interruption so those finalizers run then too.

A test that needs chromium, Label Studio or ../shared calls `need(reason)`: a skip on a
developer's machine, a failure under CI=true, where a skip would hide an untested tier.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import pytest

from annotate.demo import LabelStudioServer, Login, free_port, label_studio_bin  # noqa: F401  (free_port: for tests)
from annotate.errors import UsageError

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
SHARED = ROOT.parent / "shared"  # the shared checkout beside the repository (SPEC, corpora, tools)


def need(reason: str) -> NoReturn:
    """Skip the test for want of `reason`, or fail it under CI=true (CI must run every tier)."""
    if under_ci():
        pytest.fail(f"{reason} (required under CI=true)", pytrace=False)
    pytest.skip(reason)


def under_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def missing_module(name: str) -> bool:
    """For `skipif`: True when an optional package (spacy, datasets) is not installed, but
    never under CI=true, where `make test` installs every extra and the test must run (and
    fail on its import if the install is broken)."""
    import importlib.util

    return importlib.util.find_spec(name) is None and not under_ci()


def need_shared(*parts: str) -> Path:
    """A path inside ../shared, or `need` it when it is missing."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        need(f"{path} is missing (the shared checkout beside the repository)")
    return path


@dataclass
class Studio:
    """A running Label Studio: where it is and how to log in."""

    url: str
    token: str
    username: str
    password: str
    data_dir: Path
    log: Path
    pid: int  # the server process, leader of its own process group

    def client(self):
        from label_studio_sdk import LabelStudio

        return LabelStudio(base_url=self.url, api_key=self.token)


@pytest.fixture(scope="session")
def studio(tmp_path_factory, request) -> Studio:
    """Start a real Label Studio on a free port with a temporary data dir; stop it at the end.

    The same server class as `annotate demo` (start, /health polling, stop of its process
    group), with the ML backend protections off so backend tests can register a localhost
    backend. The stop is a finalizer registered before the start: it runs on any outcome.
    """
    try:
        label_studio_bin()
    except UsageError as exc:
        need(str(exc))
    data_dir = tmp_path_factory.mktemp("label-studio")
    login = Login("u@example.com", "annotate-test-pw", secrets.token_hex(20))
    server = LabelStudioServer(data_dir, login, "localhost", free_port())
    request.addfinalizer(server.stop)
    server.start()
    server.wait_healthy()
    return Studio(server.url, login.token, login.email, login.password, data_dir, server.log, server.proc.pid)


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
    """One headless Debian Chromium driven by playwright for the session; without playwright or
    chromium the test is skipped with the reason (failed under CI=true). `make browser`
    installs chromium."""
    try:
        from playwright import sync_api
    except ImportError:
        need("playwright is not installed (pip install playwright)")
    executable = "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else shutil.which("chromium")
    if not executable:
        need("chromium is not installed (make browser, or apt-get install chromium)")
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


# A ceiling on each wait in the browser (ms), for two cores busy with the whole suite; the
# waits end as soon as the state they wait for is there.
UI_TIMEOUT = 120_000

# The labeling view is usable: at least `min` regions drawn, the regions list filled, and no
# loading overlay or spinner left (a click under `.lsf-label-view_loading` is "intercepted").
# Returns "" when ready, else what is missing (for the failure message).
_LABELING_STATE = """(min) => {
    const shown = sel => [...document.querySelectorAll(sel)].filter(e => e.getClientRects().length).length;
    const missing = [];
    if (shown('.htx-highlight') < min) missing.push(`${shown('.htx-highlight')} of ${min} highlights`);
    if (!shown('.lsf-outliner-item')) missing.push('no regions list');
    if (shown('.lsf-label-view_loading, .ant-spin-spinning, .lsf-spinner-ls')) missing.push('still loading');
    return missing.join(', ');
}"""


def wait_until(check, timeout: float = 90, every: float = 0.5):
    """Call `check` until it returns something true or `timeout` seconds pass; its last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(every)


def log_in(page, studio: Studio) -> None:
    """Log in through Label Studio's own login form."""
    page.goto(studio.url + "/user/login")
    page.fill("input[name=email]", studio.username)
    page.fill("input[name=password]", studio.password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/user/login" not in url)


def open_task(browser, studio: Studio, project_id: int, task_id: int, width: int = 1600, height: int = 1200,
              regions: int = 1):
    """Log in to `studio` in a new page and open a task in the labeling UI, waiting until at
    least `regions` regions are drawn and the view has finished loading. The caller closes
    the page."""
    page = browser.new_page(viewport={"width": width, "height": height})
    page.set_default_timeout(UI_TIMEOUT)
    try:
        log_in(page, studio)
        page.goto(f"{studio.url}/projects/{project_id}/data?task={task_id}")
        wait_for_labeling(page, regions)
    except BaseException:
        page.close()
        raise
    return page


def wait_for_labeling(page, regions: int = 1) -> None:
    """Wait until the labeling view is usable (see _LABELING_STATE). A view still not there
    halfway through UI_TIMEOUT is reloaded once: under load an API call of the single-page
    app can time out, and the app does not retry it."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for attempt in (1, 2):
        try:
            page.wait_for_function(f"() => !({_LABELING_STATE})({regions})", timeout=UI_TIMEOUT / 2)
            return
        except PlaywrightTimeout:
            missing = page.evaluate(f"({_LABELING_STATE})({regions})")
            if attempt == 2:
                raise AssertionError(f"the labeling view of {page.url} was not ready within {UI_TIMEOUT / 1000:.0f} s "
                                     f"(then once more after a reload): {missing}") from None
            page.reload()


@pytest.fixture(scope="session")
def _session_cache(tmp_path_factory) -> Path:
    """One cache folder for the session (pytest makes it 0700): the labeling contract is
    read once, as on a user's machine, and never lands in the real ~/.cache."""
    return tmp_path_factory.mktemp("annotate-cache")


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path, monkeypatch, _session_cache):
    """Keep user state (demo data dir, caches) out of the real home directory."""
    monkeypatch.setenv("ANNOTATE_HOME", str(tmp_path / "annotate-home"))
    monkeypatch.setenv("ANNOTATE_CACHE_DIR", str(_session_cache))


_replaced: dict[signal.Signals, object] = {}


def _interrupt(signum, frame):
    # Once: the stop that follows must not be cut short by the next signal (make passes its
    # SIGTERM on to pytest, after the one a group kill already delivered). It is bounded by
    # the servers' SIGKILL timeouts.
    for sig in _replaced:
        signal.signal(sig, signal.SIG_IGN)
    raise KeyboardInterrupt(f"pytest got {signal.Signals(signum).name}")


def pytest_configure(config):
    config.addinivalue_line("markers", "demo: runs `annotate demo`, which starts its own Label Studio (~1 min)")
    # A CI timeout or `kill` sends SIGTERM, a closed terminal SIGHUP: by default either ends
    # pytest on the spot, and the servers in their own sessions would outlive it. As an
    # interruption (like Ctrl-C) pytest runs the finalizers that stop them. A signal the caller
    # chose to ignore (nohup) stays ignored.
    if threading.current_thread() is not threading.main_thread():
        return  # signal handlers belong to the main thread
    for sig in (signal.SIGTERM, signal.SIGHUP):
        if signal.getsignal(sig) is signal.SIG_DFL:
            _replaced[sig] = signal.signal(sig, _interrupt)


def pytest_unconfigure(config):
    while _replaced:
        signal.signal(*_replaced.popitem())


def pytest_collection_modifyitems(items):
    for item in items:
        names = getattr(item, "fixturenames", ())
        if "studio" in names:
            item.add_marker(pytest.mark.studio)
        if "browser" in names:
            item.add_marker(pytest.mark.browser)
