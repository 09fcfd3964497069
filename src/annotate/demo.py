"""`annotate demo`: a local Label Studio with the five seed articles pre-annotated, in one command.

The server keeps its data under the user's data directory ($ANNOTATE_HOME, else
platformdirs' user_data_dir("annotate")), in `label-studio/`, so re-running reuses the same
projects and annotations. The first run creates a user and a legacy API token and stores them
(mode 0600) in `demo-login.json` beside the data for every later run.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from .errors import AnnotateError, ConnectionFailed, UsageError
from .io import env_seconds
from .redact import redact, remember

DEMO_PROJECT = "Quote attribution (demo)"
DEMO_EMAIL = "demo@example.com"
LOGIN_FILE = "demo-login.json"
# Held (flock) by the running demo: a second demo on the same data dir is refused. The kernel
# drops the lock when its holder dies, even by SIGKILL, so a leftover file never blocks a run.
LOCK_FILE = "demo.lock"
# Variables of another Label Studio set up on this machine (its database, its public host, its
# media dirs) that must not leak into the demo server: the demo sets what it needs itself.
FOREIGN_ENV_PREFIXES = ("LABEL_STUDIO_", "POSTGRE_", "MYSQL_")
FOREIGN_ENV_NAMES = ("DJANGO_DB", "DATABASE_URL", "DJANGO_SETTINGS_MODULE")
# No crash reports or usage analytics leave a local demo or test server.
QUIET_ENV = {"SENTRY_DSN": "", "FRONTEND_SENTRY_DSN": "", "COLLECT_ANALYTICS": "false"}
START_TIMEOUT = 300.0  # the first start runs database migrations: ~30 s on a laptop, more on CI


def start_timeout() -> float:
    """Seconds to wait for Label Studio's first answer: $ANNOTATE_START_TIMEOUT, else START_TIMEOUT."""
    return env_seconds("ANNOTATE_START_TIMEOUT", START_TIMEOUT)


def annotate_home() -> Path:
    """Where annotate keeps user state: $ANNOTATE_HOME, else the platform's user data dir."""
    home = os.environ.get("ANNOTATE_HOME")
    if home:
        return Path(home).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("annotate"))


def default_data_dir() -> Path:
    return annotate_home() / "label-studio"


def find_seeds() -> Path | None:
    """The seed articles: the source checkout's seeds/, else ./seeds."""
    for candidate in (Path(__file__).resolve().parents[2] / "seeds", Path.cwd() / "seeds"):
        if candidate.is_dir() and any(candidate.glob("*.txt")):
            return candidate
    return None


@dataclass
class Login:
    """The demo user and its legacy API token."""

    email: str
    password: str
    token: str


def load_or_create_login(data_dir: Path) -> tuple[Login, bool]:
    """(login, created): read demo-login.json, or create a new user/password/token and store it 0600."""
    path = data_dir / LOGIN_FILE
    if path.exists():
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            return Login(raw["email"], raw["password"], raw["token"]), False
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise AnnotateError(f"cannot read the demo login {path}: {exc}; delete it with the data dir to start over") from None
    login = Login(DEMO_EMAIL, secrets.token_urlsafe(12), secrets.token_hex(20))
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)  # the database holds the login too
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(asdict(login), fh, indent=2)
    os.replace(tmp, path)
    return login, True


def label_studio_bin() -> str:
    """The `label-studio` console script of this environment (else on PATH)."""
    local = Path(sys.executable).parent / "label-studio"
    if local.exists():
        return str(local)
    found = shutil.which("label-studio")
    if not found:
        raise UsageError("Label Studio is not installed in this environment: pip install 'annotate[server]'")
    return found


def port_is_free(host: str, port: int) -> bool:
    """Whether `port` can be listened on at `host`; a host that is no name or no address of
    this machine is a UsageError saying so (not a "busy port")."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (socket.gaierror, UnicodeError) as exc:
        raise UsageError(f"--host {host}: not a host name or address this machine knows ({exc})") from None
    for family, socktype, proto, _, address in infos:
        with socket.socket(family, socktype, proto) as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                s.bind(address)
            except OSError as exc:
                if exc.errno == errno.EADDRINUSE:
                    return False
                if exc.errno == errno.EACCES:
                    raise UsageError(f"port {port} needs privileges on {host}: pass --port above 1023, "
                                     f"e.g. --port {free_port()}") from None
                if family == socket.AF_INET6 and len(infos) > 1:
                    continue  # no IPv6 here: the IPv4 address decides
                raise UsageError(f"--host {host}: cannot listen there ({exc.strerror}); "
                                 "use localhost, 127.0.0.1 or an address of this machine") from None
    return True


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def _die_with_parent() -> Callable[[], None] | None:
    """A preexec_fn asking Linux to SIGTERM the child when its parent dies (PR_SET_PDEATHSIG).

    A server in its own session survives its parent otherwise: when `annotate demo` or pytest
    is killed outright (SIGKILL, an OOM kill), Label Studio would keep the port and its data.
    The kernel counts the parent *thread*, so start servers from a thread that outlives them.
    None where prctl is not available.
    """
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl  # resolved here, not in the forked child
    except (OSError, AttributeError):
        return None
    parent, pr_set_pdeathsig = os.getpid(), 1

    def preexec() -> None:
        prctl(pr_set_pdeathsig, int(signal.SIGTERM))
        if os.getppid() != parent:  # the parent died before prctl: nobody would tell us
            os.kill(os.getpid(), signal.SIGTERM)

    return preexec


LOCAL_NAMES = ("localhost", "127.0.0.1")
_NO_PROXY_HTTP = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # /health is local


def _no_proxy_value(host: str, current: str | None = None) -> str:
    """no_proxy with the demo's local names (and its host) added to what the user has."""
    names = [n.strip() for n in (current or "").split(",") if n.strip()]
    for name in (*LOCAL_NAMES, host.strip("[]")):
        if name and name not in names:
            names.append(name)
    return ",".join(names)


@contextlib.contextmanager
def local_no_proxy(host: str) -> Iterator[None]:
    """Within: http(s)_proxy in the environment is not used for the demo's local servers.

    A proxy exported without localhost in no_proxy sent the push (httpx) and Label Studio's
    calls to the ML backend (requests) to the proxy. Put back as it was on exit."""
    saved = {name: os.environ.get(name) for name in ("no_proxy", "NO_PROXY")}
    value = _no_proxy_value(host, saved["no_proxy"] or saved["NO_PROXY"])
    os.environ["no_proxy"] = os.environ["NO_PROXY"] = value
    try:
        yield
    finally:
        for name, old in saved.items():
            if old is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = old


def _bind_address(host: str) -> str:
    """The host as Django's runserver takes it: an IPv6 address in brackets."""
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


# Stops a PostgreSQL cluster when the demo dies without stopping it (SIGKILL, OOM): the
# kernel sends it SIGTERM then (PDEATHSIG), and it runs `pg_ctl stop`. pg_ctl's server is in a
# session of its own, out of reach of the demo's death otherwise.
_WATCHDOG = """\
import json, signal, subprocess, sys, time
cmd, ids = json.loads(sys.argv[1]), json.loads(sys.argv[2])
def stop(*_):
    kw = {"user": ids[0], "group": ids[1], "extra_groups": []} if ids else {}
    subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   cwd="/", timeout=120, **kw)
    sys.exit(0)
signal.signal(signal.SIGTERM, stop)
signal.signal(signal.SIGINT, signal.SIG_IGN)
signal.signal(signal.SIGHUP, signal.SIG_IGN)
print("watching", flush=True)
while True:
    time.sleep(3600)
"""


def _postgres_watchdog(cluster) -> subprocess.Popen:
    """A small process that stops `cluster` (a postgres.LocalPostgres) if we die; kill it
    after stopping the cluster ourselves."""
    from .postgres import find_binary

    cmd = [find_binary("pg_ctl"), "-D", str(cluster.cluster), "-m", "fast", "-w", "stop"]
    ids = [cluster.owner.pw_uid, cluster.owner.pw_gid] if cluster.owner else []
    proc = subprocess.Popen([sys.executable, "-c", _WATCHDOG, json.dumps(cmd), json.dumps(ids)],
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, start_new_session=True,
                            preexec_fn=_die_with_parent())
    proc.stdout.readline()  # its SIGTERM handler is in place
    return proc


class LabelStudioServer:
    """A `label-studio start` child process with its own data dir, in its own process group;
    stop() ends the group (SIGTERM, then SIGKILL).

    On a new data dir, `login` becomes the first user (with its legacy token); on an existing
    one the same login is harmless and the data is reused. The login reaches the server through
    its environment, never its command line.
    """

    def __init__(self, data_dir: Path, login: Login, host: str = "localhost", port: int = 8080,
                 env: dict[str, str] | None = None):
        self.data_dir, self.login, self.host, self.port = Path(data_dir), login, host, port
        self.extra_env = dict(env or {})  # e.g. the POSTGRE_* variables of postgres.Database
        self.url = f"http://{_bind_address(host)}:{port}"
        self.log = self.data_dir / "label-studio.log"
        self.proc: subprocess.Popen | None = None
        remember(login.password, login.token)  # kept out of messages quoting the server's log

    def environment(self) -> dict[str, str]:
        """The server's environment: ours, without another Label Studio's settings
        (LABEL_STUDIO_*, POSTGRE_*, DJANGO_DB...) that the user may have exported."""
        inherited = {name: value for name, value in os.environ.items()
                     if not name.startswith(FOREIGN_ENV_PREFIXES) and name not in FOREIGN_ENV_NAMES}
        return {
            **inherited,
            "LABEL_STUDIO_BASE_DATA_DIR": str(self.data_dir),
            "LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN": "true",
            "DEBUG": "false",
            # Label Studio refuses ML backends on this machine otherwise; the demo connects
            # `annotate backend` on localhost so hand-imported tasks get predictions too.
            "ML_BLOCK_LOCAL_IP": "false",
            "SSRF_PROTECTION_ENABLED": "false",
            # The first user, read by `label-studio start` when no --username/--password/
            # --user-token is given. Not on the command line: /proc/PID/cmdline is readable by
            # every local user, /proc/PID/environ by the owner only.
            "LABEL_STUDIO_USERNAME": self.login.email,
            "LABEL_STUDIO_PASSWORD": self.login.password,
            "LABEL_STUDIO_USER_TOKEN": self.login.token,
            **QUIET_ENV,
            # Label Studio reaching the ML backend on 127.0.0.1 must not go through a proxy.
            "no_proxy": _no_proxy_value(self.host, os.environ.get("no_proxy") or os.environ.get("NO_PROXY")),
            "NO_PROXY": _no_proxy_value(self.host, os.environ.get("no_proxy") or os.environ.get("NO_PROXY")),
            **self.extra_env,
        }

    def start(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        env = self.environment()
        # --host only names the server in the URLs it makes; --internal-host is the interface it
        # listens on (0.0.0.0, every interface, unless given).
        cmd = [label_studio_bin(), "start", "--no-browser", "--host", self.host, "--internal-host", _bind_address(self.host),
               "--port", str(self.port), "--enable-legacy-api-token", "--data-dir", str(self.data_dir)]
        with open(self.log, "ab") as fh:
            self._log_start = fh.tell()  # this run's lines start here (the log is appended to)
            # Own session: a Ctrl-C in the terminal reaches us only, and stop() ends the whole
            # server tree. Should we die without stopping it, the kernel sends it SIGTERM.
            self.proc = subprocess.Popen(cmd, env=env, stdout=fh, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, start_new_session=True,
                                         preexec_fn=_die_with_parent())

    def wait_healthy(self, timeout: float | None = None, tick: Callable[[float], None] | None = None) -> float:
        """Poll /health until it answers UP; returns the seconds it took. `tick(elapsed)` about once a second.
        `timeout`: else $ANNOTATE_START_TIMEOUT, else START_TIMEOUT."""
        timeout = start_timeout() if timeout is None else timeout
        started = time.monotonic()
        while True:
            elapsed = time.monotonic() - started
            if self.proc is not None and self.proc.poll() is not None:
                last = redact(self.log_tail(1).strip())[:200]
                raise ConnectionFailed(f"Label Studio exited with code {self.proc.returncode} while starting"
                                       + (f" ({last})" if last else "") + f"; full log: {self.log}")
            if f"Port {self.port} is in use" in self._this_run_log():
                # Label Studio moves to the next port by itself when ours was taken after our
                # check: /health would never answer here.
                raise UsageError(f"port {self.port} is in use: another program took it while Label Studio started; "
                                 f"pass --port, e.g. --port {free_port()}")
            try:
                with _NO_PROXY_HTTP.open(self.url + "/health", timeout=2) as r:
                    if b"UP" in r.read():
                        return elapsed
            except OSError:
                pass
            if elapsed > timeout:
                raise ConnectionFailed(f"Label Studio did not answer on {self.url}/health within {timeout:.0f} s "
                                       "(a first start on a busy machine can take longer: set "
                                       f"ANNOTATE_START_TIMEOUT=600); see {self.log}")
            if tick:
                tick(elapsed)
            time.sleep(1)

    def _this_run_log(self, limit: int = 1 << 20) -> str:
        """What the server has logged since start() (its first MiB: the start-up lines)."""
        with contextlib.suppress(OSError), open(self.log, "rb") as fh:
            fh.seek(getattr(self, "_log_start", 0))
            return fh.read(limit).decode("utf-8", "replace")
        return ""

    def log_tail(self, lines: int = 15) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        return ""

    def stop(self, timeout: float = 30) -> int | None:
        """SIGTERM to the server's process group, SIGKILL after `timeout` s; returns its exit code.

        Never SIGINT: a child of a background job inherits SIGINT ignored.
        """
        proc = self.proc
        if proc is None:
            return None
        for sig, wait in ((signal.SIGTERM, timeout), (signal.SIGKILL, 10)):
            if proc.poll() is not None:
                break
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, sig)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=wait)
        return proc.returncode

    @contextlib.contextmanager
    def running(self, tick: Callable[[float], None] | None = None) -> Iterator[LabelStudioServer]:
        """Start, wait for /health, yield, and always stop."""
        self.start()
        try:
            self.wait_healthy(tick=tick)
            yield self
        finally:
            self.stop()


@dataclass
class DemoInfo:
    """What the demo prints once the server is up."""

    url: str
    email: str
    password: str
    token: str
    data_dir: Path
    project_url: str | None
    push_summary: str | None
    first_run: bool
    backend_url: str | None = None


def _raise_keyboard_interrupt(signum, frame):
    raise KeyboardInterrupt


def run_demo(host: str = "localhost", port: int = 8080, data_dir: str | Path | None = None,
             push_seeds: bool = True, backend: bool = True, say: Callable[[str], None] = print,
             ready: Callable[[DemoInfo], None] | None = None,
             tick: Callable[[float], None] | None = None,
             postgres: bool = False, database_url: str | None = None) -> int | None:
    """Start the demo server, push the seeds, call `ready(info)`, then block until Ctrl-C/SIGTERM/SIGHUP.

    With `backend`, the ML backend (`annotate backend`) runs in a thread of this process and
    is connected to the demo project, so tasks imported by hand in the UI get predictions.
    Returns Label Studio's exit code after a clean stop. A port in use is a UsageError naming
    a free one; a server that dies is a ConnectionFailed with the end of its log.

    The database is SQLite in the data dir unless `postgres` (a PostgreSQL cluster created
    and started under the data dir, stopped with the demo) or `database_url` (an existing
    PostgreSQL server) is given.
    """
    data_dir = Path(data_dir).expanduser() if data_dir else default_data_dir()
    if not port_is_free(host, port):
        raise UsageError(f"port {port} on {host} is already in use (another Label Studio?): "
                         f"pass --port, e.g. --port {free_port()}")
    if (data_dir / "label_studio.sqlite3").exists() and not (data_dir / LOGIN_FILE).exists():
        raise UsageError(f"{data_dir} holds a Label Studio database but no {LOGIN_FILE}, so the demo "
                         "cannot log in to it: pass another --data-dir (or delete this one to start over)")
    if postgres and database_url:
        raise UsageError("--postgres and --database-url exclude each other: --postgres runs a local "
                         "PostgreSQL, --database-url names an existing one"
                         + ("; ANNOTATE_DATABASE_URL is set in your environment (unset it for --postgres)"
                            if os.environ.get("ANNOTATE_DATABASE_URL") == database_url else ""))
    database = cluster = None
    if database_url:
        from .postgres import parse_url

        database = parse_url(database_url)
    elif postgres:
        from .postgres import LocalPostgres, find_binary

        find_binary("initdb"), find_binary("pg_ctl"), find_binary("psql")  # a missing package is said before anything is made
        cluster = LocalPostgres(data_dir)
    if (database or cluster) and (data_dir / "label_studio.sqlite3").exists():
        say(f"Note: {data_dir} also holds a SQLite database; its projects are not in PostgreSQL.")
    label_studio_bin()  # not installed: said before a login or a cluster is made for nothing
    start_timeout()  # likewise a bad ANNOTATE_START_TIMEOUT
    lock = _lock_data_dir(data_dir)
    try:
        with local_no_proxy(host):
            return _run_locked(data_dir, host, port, push_seeds, backend, say, ready, tick, database, cluster)
    finally:
        lock.close()


def _lock_data_dir(data_dir: Path):
    """Take the data dir's demo lock (an open file; closing it releases the lock), or a
    UsageError naming the demo that holds it."""
    try:
        data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        fh = open(data_dir / LOCK_FILE, "a+", encoding="utf-8")  # noqa: SIM115 - held for the run
    except OSError as exc:
        raise UsageError(f"cannot use the data dir {data_dir}: {exc.strerror or exc}; pass another --data-dir") from None
    try:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        fh.seek(0)
        holder = fh.read().strip()[:100]
        fh.close()
        raise UsageError(f"another annotate demo{f' ({holder})' if holder else ''} is running on {data_dir}: "
                         "stop it (Ctrl-C in its terminal) or pass another --data-dir") from None
    fh.seek(0)
    fh.truncate()
    fh.write(f"pid {os.getpid()}\n")
    fh.flush()
    return fh


def _run_locked(data_dir, host, port, push_seeds, backend, say, ready, tick, database, cluster) -> int | None:
    login, created = load_or_create_login(data_dir)
    # Ctrl-C, SIGTERM and SIGHUP (the terminal closed) all become KeyboardInterrupt, so the
    # server - in its own session, out of reach of the terminal's signals - is stopped too.
    # SIGINT gets its handler even where the shell started us with it ignored (background jobs).
    stop_signals = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    previous = {sig: signal.signal(sig, _raise_keyboard_interrupt) for sig in stop_signals}
    watchdog = None
    try:
        if cluster is not None:
            say("Setting up PostgreSQL (first run)" if not cluster.state_path.exists() else "Starting PostgreSQL")
            cluster.ensure()
            cluster.start()
            watchdog = _postgres_watchdog(cluster)
            database = cluster.database
        env = database.label_studio_env() if database else {}
        server = LabelStudioServer(data_dir, login, host, port, env=env)
        say(f"Starting Label Studio on {server.url} (data: {data_dir}; log: {server.log}"
            + (f"; database: {database.shown}" if database else "") + ")"
            + (" - first run, setting up the database" if created else ""))
        return _serve(server, login, data_dir, created, push_seeds, backend, say, ready, tick)
    except KeyboardInterrupt:
        return None
    finally:
        if cluster is not None:
            cluster.stop()
        if watchdog is not None:
            watchdog.kill()
            watchdog.wait()
            watchdog.stdout.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _serve(server: LabelStudioServer, login: Login, data_dir: Path, created: bool, push_seeds: bool,
           backend: bool, say: Callable[[str], None], ready: Callable[[DemoInfo], None] | None,
           tick: Callable[[float], None] | None) -> int | None:
    """Run the demo server until a stop signal (a KeyboardInterrupt here): push, connect, wait."""
    running_backend = None
    try:
        server.start()
        took = server.wait_healthy(tick=tick)
        say(f"Label Studio is up after {took:.0f} s.")
        project_url = summary = None
        if push_seeds:
            seeds = find_seeds()
            if seeds is None:
                say("No seeds/ directory found next to the package or in the current directory: nothing pushed.")
            else:
                from .push import push

                stats = push(server.url, login.token, [str(seeds)], DEMO_PROJECT)
                summary = stats.summary()
                project_url = f"{server.url}/projects/{stats.project_id}/data"
                if backend:
                    from . import studio
                    from .backend import start_and_connect

                    running_backend, _ = start_and_connect(studio.connect(server.url, login.token),
                                                           stats.project_id)
        if ready:
            ready(DemoInfo(server.url, login.email, login.password, login.token, data_dir,
                           project_url, summary, created,
                           running_backend.url if running_backend else None))
        while server.proc.poll() is None:
            time.sleep(0.5)
        raise ConnectionFailed(f"Label Studio stopped by itself (code {server.proc.returncode}); see {server.log}")
    except KeyboardInterrupt:
        say("Stopping Label Studio...")
        code = server.stop()
        say(f"Label Studio stopped. Data kept in {data_dir}")
        return code
    finally:
        if running_backend is not None:
            running_backend.stop()
        server.stop()
