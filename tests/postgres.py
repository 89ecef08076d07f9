"""A throwaway PostgreSQL server for the test suite.

`postgres_url_for_tests(workdir)` returns a SQLAlchemy URL (`postgresql+psycopg://...`) of an empty
database `fhir_p2p_test` and registers its cleanup:

- `FHIR_P2P_TEST_POSTGRES_URL` set: that server is used (`postgresql://` and `postgres://` are
  rewritten to `postgresql+psycopg://`) once a connection to it succeeded. Nothing is started or
  stopped. Without xdist the URL's database is used as it is; in an xdist worker `gwN` the database
  `<name>_gwN` beside it (created when missing: the URL's user needs CREATEDB), so that workers
  that empty their database between tests never empty each other's. Either way it may hold rows
  from an earlier run: tests empty it themselves.
- otherwise: `initdb` + `pg_ctl` (found on PATH, then in `/usr/lib/postgresql/*/bin` and
  `/usr/pgsql-*/bin`, newest version first) create a cluster with trust authentication and superuser
  `fhir_p2p`, start it on a free loopback port with durability off (`fsync`, `synchronous_commit`,
  `full_page_writes`), create `fhir_p2p_test`, and stop it (`pg_ctl stop -m immediate`) and delete
  its files at exit. A watchdog process does the same if the test process dies without running
  `atexit` (SIGKILL, SIGTERM, a crashed xdist worker), so no server outlives its test run.

One server per process: a second call in the same process returns the first URL. Under
pytest-xdist each worker process starts its own server (about a second each, ~40 MB of files).

PostgreSQL refuses to run as root, so under root (CI) `initdb` and `pg_ctl` run as user `postgres`
(else `nobody`) through `runuser`, in a fresh directory under the system temp dir (pytest's own
temp dirs sit under a 0700 `/tmp/pytest-of-root`, which that user cannot enter); `workdir` then only
gets a `CLUSTER.txt` naming that directory.
"""

from __future__ import annotations

import atexit
import glob
import json
import logging
import os
import pwd
import re
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from psycopg import sql

ENV_URL = "FHIR_P2P_TEST_POSTGRES_URL"
DB_NAME = "fhir_p2p_test"
SUPERUSER = "fhir_p2p"
RUN_AS_CANDIDATES = ("postgres", "nobody")
BIN_GLOBS = ("/usr/lib/postgresql/*/bin", "/usr/pgsql-*/bin")
SOCKET_PATH_MAX = 100  # sun_path is 108 bytes; the socket file name adds 17 (/.s.PGSQL.NNNNN.lock)
START_ATTEMPTS = 5

HOW_TO_FIX = (
    "Install PostgreSQL server binaries (Debian/Ubuntu: `apt-get install postgresql`; they land in "
    "/usr/lib/postgresql/<version>/bin, which is searched) or point the tests at a server you run: "
    f"`export {ENV_URL}=postgresql://USER:PASSWORD@HOST:PORT/DBNAME`."
)

log = logging.getLogger(__name__)

_url_of_this_process: str | None = None


def postgres_url_for_tests(workdir: Path | str) -> str:
    """URL of a PostgreSQL database for tests: `FHIR_P2P_TEST_POSTGRES_URL`, or a throwaway server."""
    global _url_of_this_process
    external = os.environ.get(ENV_URL, "").strip()
    if external:
        url = sqlalchemy_url(external)
        check_connects(url, f"{ENV_URL}={_mask(url)}")
        worker = os.environ.get("PYTEST_XDIST_WORKER", "")
        return _database_of_worker(url, worker) if worker else url
    if _url_of_this_process is None:
        _url_of_this_process = ThrowawayPostgres.start(Path(workdir)).url
    return _url_of_this_process


def sqlalchemy_url(url: str) -> str:
    """`postgres://` / `postgresql://` / `postgresql+psycopg://` -> `postgresql+psycopg://`."""
    scheme, sep, rest = url.partition("://")
    if not sep or scheme not in ("postgres", "postgresql", "postgresql+psycopg"):
        raise RuntimeError(f"{ENV_URL} must be a postgresql:// or postgresql+psycopg:// URL, got {_mask(url)!r}")
    return "postgresql+psycopg://" + rest


def libpq_url(url: str) -> str:
    """The same URL in the form libpq and `psycopg.connect()` accept (`postgresql://`)."""
    return "postgresql://" + sqlalchemy_url(url).partition("://")[2]


def check_connects(url: str, what: str) -> None:
    try:
        with psycopg.connect(libpq_url(url), connect_timeout=10) as conn:
            conn.execute("select 1")
    except psycopg.Error as exc:
        raise RuntimeError(f"cannot connect to PostgreSQL ({what}): {exc}") from exc


def _database_of_worker(url: str, worker: str) -> str:
    """`.../NAME` -> `.../NAME_<worker>` on the same server, created if it does not exist."""
    parts = urllib.parse.urlsplit(url)
    name = urllib.parse.unquote(parts.path.lstrip("/")) or DB_NAME
    worker_db = f"{name}_{re.sub(r'[^A-Za-z0-9_]', '_', worker)}"
    try:
        with psycopg.connect(libpq_url(url), autocommit=True, connect_timeout=10) as conn:
            exists = conn.execute("select 1 from pg_database where datname = %s", [worker_db]).fetchone()
            if not exists:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(worker_db)))
    except psycopg.Error as exc:
        raise RuntimeError(
            f"{ENV_URL} under pytest-xdist: cannot create database {worker_db!r} for worker {worker} "
            f"({exc}). Grant the user CREATEDB, create the databases yourself, or run the tests "
            "without xdist (`make test PYTEST_WORKERS=0`)."
        ) from exc
    return urllib.parse.urlunsplit(parts._replace(path="/" + urllib.parse.quote(worker_db)))


def find_pg_bin() -> tuple[Path, Path] | None:
    """(initdb, pg_ctl) of one installation: PATH first, then the newest versioned directory."""
    on_path = shutil.which("initdb")
    if on_path:
        real_dir = Path(os.path.realpath(on_path)).parent
        pg_ctl = real_dir / "pg_ctl"
        if _is_exe(pg_ctl):
            return Path(on_path), pg_ctl
        pg_ctl_on_path = shutil.which("pg_ctl")
        if pg_ctl_on_path:
            return Path(on_path), Path(pg_ctl_on_path)
    dirs = [Path(d) for pattern in BIN_GLOBS for d in glob.glob(pattern)]
    for bindir in sorted(dirs, key=_version_key, reverse=True):
        if _is_exe(bindir / "initdb") and _is_exe(bindir / "pg_ctl"):
            return bindir / "initdb", bindir / "pg_ctl"
    return None


@dataclass
class ThrowawayPostgres:
    initdb: Path
    pg_ctl: Path
    home: Path  # owned by the server user: data/, server.log and the socket
    run_as: str | None  # None: the current user
    remove_at_exit: Path  # home itself, or the temp dir that holds it
    port: int = 0
    timings: dict[str, float] = field(default_factory=dict)
    _watchdog: subprocess.Popen[bytes] | None = None
    _stopped: bool = False

    @property
    def data(self) -> Path:
        return self.home / "data"

    @property
    def logfile(self) -> Path:
        return self.home / "server.log"

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{self.port}/{DB_NAME}"

    @classmethod
    def start(cls, workdir: Path) -> ThrowawayPostgres:
        began = time.monotonic()
        binaries = find_pg_bin()
        if binaries is None:
            raise RuntimeError(f"no PostgreSQL server binaries (initdb, pg_ctl) found. {HOW_TO_FIX}")
        run_as = _run_as_user()
        workdir.mkdir(parents=True, exist_ok=True)
        home, remove_at_exit = _make_home(workdir, run_as)
        server = cls(binaries[0], binaries[1], home, run_as, remove_at_exit)
        atexit.register(server.stop)
        server._start_watchdog()
        try:
            server._initdb()
            server._start_on_free_port()
            server._create_database()
        except BaseException:
            server.stop()
            raise
        server.timings["total"] = time.monotonic() - began
        log.info(
            "throwaway PostgreSQL on 127.0.0.1:%d (%s, run as %s) up in %.2f s %s",
            server.port,
            server.home,
            server.run_as or "current user",
            server.timings["total"],
            {k: round(v, 2) for k, v in server.timings.items()},
        )
        return server

    def stop(self) -> None:
        """Stop the server (immediate: nothing to keep) and delete its files. Safe to call twice."""
        if self._stopped:
            return
        self._stopped = True
        if (self.data / "postmaster.pid").exists():
            _run(self._stop_argv(), self.run_as, cwd=self.home, timeout=60, check=False)
        shutil.rmtree(self.remove_at_exit, ignore_errors=True)
        if self._watchdog is not None:
            assert self._watchdog.stdin is not None
            try:
                self._watchdog.stdin.write(b"done")
                self._watchdog.stdin.close()
                self._watchdog.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                self._watchdog.kill()
                self._watchdog.wait()

    def _stop_argv(self) -> list[str]:
        return [str(self.pg_ctl), "stop", "-D", str(self.data), "-m", "immediate", "-w", "-t", "30"]

    def _start_watchdog(self) -> None:
        """A child that waits for EOF on its stdin (our death) and then stops the server itself."""
        stop = _as_user_argv(self._stop_argv(), self.run_as)
        spec = json.dumps({"stop": stop, "cwd": "/", "remove": str(self.remove_at_exit)})
        self._watchdog = subprocess.Popen(
            [sys.executable, "-c", _WATCHDOG, spec],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # no Ctrl-C from the terminal: it must outlive us
        )

    def _initdb(self) -> None:
        began = time.monotonic()
        argv = [
            str(self.initdb),
            "-D",
            str(self.data),
            "--auth=trust",
            "-U",
            SUPERUSER,
            "--encoding=UTF8",
            "--locale=C",
            "--no-sync",  # a throwaway cluster: skip the final fsync of ~40 MB
        ]
        result = _run(argv, self.run_as, cwd=self.home, timeout=180, check=False)
        if result.returncode != 0:
            raise RuntimeError(
                f"initdb failed (exit {result.returncode}, run as {self.run_as or 'current user'}):\n"
                f"{result.stdout}{result.stderr}"
            )
        self.timings["initdb"] = time.monotonic() - began

    def _start_on_free_port(self) -> None:
        began = time.monotonic()
        for attempt in range(1, START_ATTEMPTS + 1):
            self.port = _free_port()
            options = " ".join(
                [
                    "-F",
                    f"-p {self.port}",
                    f"-k {shlex.quote(str(self.home))}",
                    "-c listen_addresses=127.0.0.1",
                    "-c fsync=off",
                    "-c synchronous_commit=off",
                    "-c full_page_writes=off",
                    "-c max_connections=100",
                ]
            )
            argv = [str(self.pg_ctl), "start", "-D", str(self.data), "-l", str(self.logfile)]
            argv += ["-w", "-t", "60", "-o", options]
            result = _run(argv, self.run_as, cwd=self.home, timeout=90, check=False)
            if result.returncode == 0:
                self.timings["start"] = time.monotonic() - began
                return
            server_log = self._log_tail()
            port_taken = "could not bind" in server_log or "already in use" in server_log
            if not port_taken or attempt == START_ATTEMPTS:
                raise RuntimeError(
                    f"pg_ctl start failed (exit {result.returncode}, port {self.port}):\n"
                    f"{result.stdout}{result.stderr}\n--- {self.logfile} ---\n{server_log}"
                )
            log.info("port %d was taken meanwhile, trying another one", self.port)

    def _create_database(self) -> None:
        began = time.monotonic()
        admin = f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/postgres"
        with psycopg.connect(admin, autocommit=True, connect_timeout=10) as conn:
            conn.execute(f"CREATE DATABASE {DB_NAME}")
        self.timings["createdb"] = time.monotonic() - began

    def _log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.logfile.read_text(errors="replace").splitlines()[-lines:])
        except OSError as exc:
            return f"(no server log: {exc})"


# Runs in its own process (see _start_watchdog). Reads until EOF: b"done" means the test process
# cleaned up itself; anything else (plain EOF) means it died, so stop the server and delete its files.
_WATCHDOG = """
import json, shutil, subprocess, sys
spec = json.loads(sys.argv[1])
if sys.stdin.buffer.read() != b"done":
    subprocess.run(spec["stop"], cwd=spec["cwd"], stdin=subprocess.DEVNULL,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)
    shutil.rmtree(spec["remove"], ignore_errors=True)
"""


def _run_as_user() -> str | None:
    """None when not root; else the first existing user of RUN_AS_CANDIDATES."""
    if os.geteuid() != 0:
        return None
    for name in RUN_AS_CANDIDATES:
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return name
    raise RuntimeError(
        "running as root, and PostgreSQL refuses to: neither user 'postgres' nor 'nobody' exists to "
        "run it as. Create one (`useradd --system postgres`), run the tests as another user, "
        f"or set {ENV_URL}."
    )


def _make_home(workdir: Path, run_as: str | None) -> tuple[Path, Path]:
    """The server's directory and what to delete at exit.

    Not root: `workdir` itself if the socket path fits (only data/ is deleted at exit). Root:
    `<tmp>/fhir-p2p-pg-XXXX/pg`, the parent 0755 (root), `pg` 0700 owned by the server user, in the
    first temp dir that user can write to.
    """
    if run_as is None:
        if len(str(workdir)) <= SOCKET_PATH_MAX:
            return workdir, workdir / "data"  # keep server.log for a post-mortem
        base = Path(tempfile.mkdtemp(prefix="fhir-p2p-pg-"))
        return base, base
    user = pwd.getpwnam(run_as)
    tried = []
    for tmp in dict.fromkeys([tempfile.gettempdir(), "/tmp", "/var/tmp", "/dev/shm"]):
        if not os.path.isdir(tmp):
            continue
        base = Path(tempfile.mkdtemp(prefix="fhir-p2p-pg-", dir=tmp))
        base.chmod(0o755)
        home = base / "pg"
        home.mkdir(mode=0o700)
        os.chown(home, user.pw_uid, user.pw_gid)
        reachable = _run(["test", "-w", str(home)], run_as, cwd="/", timeout=30, check=False)
        if reachable.returncode == 0 and len(str(home)) <= SOCKET_PATH_MAX:
            (workdir / "CLUSTER.txt").write_text(f"PostgreSQL cluster (run as {run_as}): {home}\n")
            return home, base
        tried.append(tmp)
        shutil.rmtree(base, ignore_errors=True)
    raise RuntimeError(
        f"running as root: user {run_as!r} cannot write to a directory created in any of {tried} "
        "(a parent directory not searchable by others?). Set TMPDIR to a world-searchable place "
        f"or {ENV_URL}."
    )


def _as_user_argv(argv: list[str], run_as: str | None) -> list[str]:
    if run_as is None:
        return argv
    runuser = shutil.which("runuser") or next(
        (p for p in ("/usr/sbin/runuser", "/sbin/runuser") if _is_exe(Path(p))), None
    )
    if runuser:
        return [runuser, "-u", run_as, "--", *argv]
    # No runuser (not util-linux): switch user in the child the way `python -c` would have to.
    return [
        sys.executable,
        "-c",
        "import os, pwd, sys; u = pwd.getpwnam(sys.argv[1]); os.setgroups([]); os.setgid(u.pw_gid); "
        "os.setuid(u.pw_uid); os.execv(sys.argv[2], sys.argv[2:])",
        run_as,
        *argv,
    ]


def _run(
    argv: list[str], run_as: str | None, *, cwd: Path | str, timeout: float, check: bool
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        _as_user_argv(argv, run_as),
        cwd=cwd,  # never inherit a cwd the server user cannot enter (e.g. /root)
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=check,
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _version_key(bindir: Path) -> tuple[int, ...]:
    """`/usr/lib/postgresql/15/bin` -> (15,); `/usr/pgsql-9.6/bin` -> (9, 6)."""
    return tuple(int(n) for n in re.findall(r"\d+", bindir.parent.name))


def _is_exe(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)


def _mask(url: str) -> str:
    return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", url)
