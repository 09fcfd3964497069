"""A local PostgreSQL cluster for Label Studio, or an existing server given by URL.

SQLite is the embedded default; Label Studio's own guidance is PostgreSQL above tens of
thousands of tasks or a handful of concurrent annotators. `LocalPostgres` creates a cluster
with Debian's server binaries (initdb, pg_ctl from the `postgresql` package), listening on
localhost only with a generated password, and `label_studio_env` turns it - or any
`postgresql://` URL - into the environment Label Studio reads (POSTGRE_* and DJANGO_DB).

PostgreSQL refuses to run as root. Run by root, the cluster belongs to the `postgres` system
user and lives where that user can reach it (/var/lib/annotate-postgres/<hash of the data
dir>), since a data dir under /root or a 0700 temporary directory is closed to it; the data
dir records where (`postgres.json`).
"""

from __future__ import annotations

import contextlib
import glob
import hashlib
import json
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import time
import urllib.parse
from dataclasses import asdict, dataclass
from pathlib import Path

from .errors import ConnectionFailed, UsageError
from .redact import remember

PACKAGE_HINT = "install Debian's postgresql package (apt-get install -y postgresql)"
ROOT_CLUSTERS = Path("/var/lib/annotate-postgres")
STATE_FILE = "postgres.json"
DATABASE = "labelstudio"
USER = "annotate"


def find_binary(name: str) -> str:
    """A PostgreSQL server binary: on PATH, else the newest /usr/lib/postgresql/<version>/bin."""
    found = shutil.which(name)
    if found:
        return found
    candidates = glob.glob(f"/usr/lib/postgresql/*/bin/{name}")

    def version(path: str) -> tuple[int, ...]:
        part = Path(path).parts[-3]
        return tuple(int(x) for x in part.split(".") if x.isdigit())

    if candidates:
        return max(candidates, key=version)
    raise UsageError(f"PostgreSQL server program '{name}' not found: {PACKAGE_HINT}, "
                     "or pass --database-url postgresql://... for an existing server")


@dataclass
class Database:
    """Where Label Studio's database is: what the POSTGRE_* variables say."""

    host: str
    port: int
    user: str
    password: str
    name: str

    def label_studio_env(self) -> dict[str, str]:
        """The environment Label Studio 1.23 reads for a PostgreSQL database."""
        return {"DJANGO_DB": "default", "POSTGRE_HOST": self.host, "POSTGRE_PORT": str(self.port),
                "POSTGRE_USER": self.user, "POSTGRE_PASSWORD": self.password, "POSTGRE_NAME": self.name}

    @property
    def shown(self) -> str:
        """The database for messages, without its password."""
        return f"postgresql://{self.user}@{self.host}:{self.port}/{self.name}"


def parse_url(url: str) -> Database:
    """postgresql://USER:PASSWORD@HOST:PORT/NAME -> Database (a UsageError naming what is wrong)."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("postgresql", "postgres"):
        raise UsageError(f"--database-url must start with postgresql://, not {parts.scheme or 'nothing'}://")
    try:
        port = parts.port or 5432
    except ValueError:
        raise UsageError("--database-url has a port that is not a number") from None
    name = parts.path.lstrip("/")
    if not parts.hostname or not name or "/" in name:
        raise UsageError("--database-url needs a host and a database name: postgresql://USER:PASSWORD@HOST:5432/NAME")
    password = urllib.parse.unquote(parts.password or "")
    remember(password)
    return Database(parts.hostname, port, urllib.parse.unquote(parts.username or "postgres"), password, name)


@dataclass
class _State:
    """What a data dir remembers of its cluster (0600: it holds the password)."""

    cluster: str
    port: int
    password: str


class LocalPostgres:
    """A PostgreSQL cluster for one data dir: created on first use, started and stopped by us."""

    def __init__(self, data_dir: str | Path, port: int | None = None):
        self.data_dir = Path(data_dir).resolve()
        self.state_path = self.data_dir / STATE_FILE
        self.owner = _run_as()
        self._port = port
        self.state: _State | None = None

    # -- where things are -------------------------------------------------------------------
    def _default_cluster(self) -> Path:
        if self.owner is None:
            return self.data_dir / "postgres"
        digest = hashlib.sha256(str(self.data_dir).encode()).hexdigest()[:16]
        return ROOT_CLUSTERS / digest

    @property
    def cluster(self) -> Path:
        assert self.state is not None
        return Path(self.state.cluster)

    @property
    def log(self) -> Path:
        """The server's log, inside the cluster (the one place its owner can always write)."""
        return self.cluster / "annotate-server.log"

    @property
    def database(self) -> Database:
        assert self.state is not None
        return Database("127.0.0.1", self.state.port, USER, self.state.password, DATABASE)

    # -- life cycle --------------------------------------------------------------------------
    def ensure(self) -> bool:
        """Create the cluster and its database if this data dir has none; True if created."""
        self.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        if self.state_path.exists():
            try:
                self.state = _State(**json.loads(self.state_path.read_text(encoding="utf-8")))
            except (OSError, ValueError, TypeError) as exc:
                raise UsageError(f"cannot read {self.state_path}: {exc}") from None
            remember(self.state.password)
            if not (self.cluster / "PG_VERSION").exists():
                raise UsageError(f"{self.state_path} names the PostgreSQL cluster {self.cluster}, which is gone: "
                                 "delete the data dir to start over")
            if self._port:
                self.state.port = self._port
            return False
        initdb = find_binary("initdb")
        self.state = _State(str(self._default_cluster()), self._port or _free_port(), secrets.token_urlsafe(18))
        remember(self.state.password)
        cluster = self.cluster
        # Marks a cluster being made (until postgres.json is written): a run interrupted there
        # (Ctrl-C in initdb, a kill) leaves a cluster whose password is lost; the next run
        # removes it and starts again. A non-empty dir without the mark is not ours to delete.
        making = cluster.parent / f".{cluster.name}.initialising"
        if cluster.exists() and any(cluster.iterdir()):
            if not making.exists():
                raise UsageError(f"{cluster} exists and is not empty; remove it or pass another --data-dir")
            self.stop()  # a half-made cluster may have been started (CREATE DATABASE interrupted)
            shutil.rmtree(cluster)
        cluster.parent.mkdir(parents=True, exist_ok=True)
        making.touch()
        cluster.mkdir(parents=True, exist_ok=True, mode=0o700)
        pwfile = cluster.parent / f".{cluster.name}.pw"
        fd = os.open(pwfile, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(self.state.password + "\n")
        try:
            if self.owner:
                for path in (cluster, pwfile):
                    os.chown(path, self.owner.pw_uid, self.owner.pw_gid)
            self._run([initdb, "-D", str(cluster), "-U", USER, f"--pwfile={pwfile}", "--auth=scram-sha-256",
                       "--encoding=UTF8", "--locale=C.UTF-8"], "initdb")
        finally:
            with contextlib.suppress(OSError):
                pwfile.unlink()
        self.start()
        try:
            self._psql(f"CREATE DATABASE {DATABASE}")
        finally:
            self.stop()
        self._save_state()
        with contextlib.suppress(OSError):
            making.unlink()
        return True

    def _save_state(self) -> None:
        tmp = self.state_path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(asdict(self.state), fh, indent=2)
        os.replace(tmp, self.state_path)

    def is_running(self) -> bool:
        """Whether the cluster's server runs (e.g. left running by a demo that was killed)."""
        try:
            self._run([find_binary("pg_ctl"), "-D", str(self.cluster), "status"], "pg_ctl status")
        except ConnectionFailed:
            return False
        return True

    def start(self, timeout: float = 60) -> None:
        """Start the cluster on localhost (waits until it accepts connections); one left
        running by an earlier run that was killed is taken over as it is."""
        pg_ctl = find_binary("pg_ctl")
        if self.is_running():
            return
        if not _port_is_free(self.state.port):
            # The port was free when the cluster was made; another program has it now.
            if self._port:
                raise UsageError(f"port {self.state.port} for PostgreSQL is in use on 127.0.0.1: pick another")
            self.state.port = _free_port()
            if self.state_path.exists():
                self._save_state()
        options = f"-c listen_addresses=127.0.0.1 -p {self.state.port} -k ''"
        self._run([pg_ctl, "-D", str(self.cluster), "-l", str(self.log), "-o", options,
                   "-w", "-t", str(int(timeout)), "start"], "pg_ctl start")

    def stop(self) -> None:
        """Stop the cluster (fast shutdown); a cluster that is not running is fine."""
        if self.state is None:
            return
        with contextlib.suppress(UsageError, ConnectionFailed):
            self._run([find_binary("pg_ctl"), "-D", str(self.cluster), "-m", "fast", "-w", "stop"], "pg_ctl stop")

    @contextlib.contextmanager
    def running(self):
        """Create if needed, start, yield the Database, and always stop."""
        self.ensure()
        self.start()
        try:
            yield self.database
        finally:
            self.stop()

    # -- helpers -----------------------------------------------------------------------------
    def _run(self, cmd: list[str], what: str) -> None:
        kwargs = {}
        if self.owner:
            kwargs = {"user": self.owner.pw_uid, "group": self.owner.pw_gid, "extra_groups": []}
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, stdin=subprocess.DEVNULL,
                                  cwd="/", timeout=300, **kwargs)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise ConnectionFailed(f"{what} failed: {exc}") from None
        if proc.returncode != 0:
            last = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or [""]
            raise ConnectionFailed(f"{what} failed (code {proc.returncode}): {last[0][:300]}"
                                   + (f"; see {self.log}" if "start" in what else ""))

    def _psql(self, sql: str) -> None:
        """Run one statement as the cluster's superuser over localhost."""
        psql = find_binary("psql")
        env = {**os.environ, "PGPASSWORD": self.state.password}
        deadline = time.monotonic() + 30
        while True:
            proc = subprocess.run([psql, "-h", "127.0.0.1", "-p", str(self.state.port), "-U", USER, "-d", "postgres",
                                   "-v", "ON_ERROR_STOP=1", "-q", "-c", sql],
                                  capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL)
            if proc.returncode == 0:
                return
            if time.monotonic() > deadline:
                raise ConnectionFailed(f"psql failed: {proc.stderr.strip()[:300]}")
            time.sleep(0.5)


def _free_port() -> int:
    """A TCP port free on localhost now (the demo sits above this module, so not demo.free_port)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _port_is_free(port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _run_as() -> pwd.struct_passwd | None:
    """None for an ordinary user; for root, the `postgres` system user the server must run as."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam("postgres")
    except KeyError:
        raise UsageError("PostgreSQL does not run as root and there is no 'postgres' user to run it as: "
                         f"{PACKAGE_HINT} (it creates the user), or run annotate as an ordinary user") from None
