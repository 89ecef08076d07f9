"""HTTP benchmark: fhir-p2p under gunicorn on SQLite and PostgreSQL against a bare-parse Flask baseline.

One run starts, one after the other, each server as `gunicorn --workers N --worker-class sync` on a
free loopback port and drives it with wrk (same threads, connections and Lua scripts for every
server):

    baseline  POST parse  benchmarks.baseline_app: orjson.loads(body) + a small 201   (create baseline)
    baseline  GET         benchmarks.baseline_app: a constant body                   (read/search baseline)
    sqlite    create      POST /fhir/ClaimResponse                                   vs baseline POST
    sqlite    read        GET /fhir/ClaimResponse/{id}, ids of resources created first vs baseline GET
    sqlite    search      GET /fhir/ClaimResponse?patient=Patient/theodora-vance&_count=20
    postgres  create / read / search, the same

Each scenario: a warm-up wrk run (discarded), then the measured one. A scenario fails (exit 1) when
its server does not start, a probe request gets an unexpected status, or wrk sees any non-2xx/3xx
response or socket error. Missing the create-on-SQLite target (>= 40 % of the baseline POST req/s)
is reported, not a failure. Results: a table on stdout and `benchmarks/results/http-<UTC time>.json`.

    python -m benchmarks [--quick] [--duration S] [--warmup S] [--connections N] [--threads N]
                         [--workers N] [--precreate N] [--body FILE] [--skip-postgres]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = Path(__file__).resolve().parent / "results"
DEFAULT_BODY = ROOT / "examples" / "ClaimResponse-denial-mri-lumbar.json"
FHIR_JSON = "application/fhir+json"
CREATE_PATH = "/fhir/ClaimResponse"
READ_PATH = "/fhir/ClaimResponse/"
SEARCH_PATH = "/fhir/ClaimResponse?patient=Patient/theodora-vance&_count=20"
HEALTH_PATH = "/fhir/metadata"
TARGET_RATIO = 0.40  # create on SQLite vs the bare-parse baseline POST (issue 3)
EXIT_FAILED = 1
EXIT_NO_WRK = 2
INSTALL_WRK = (
    "wrk (https://github.com/wg/wrk) is needed as the load generator and is not on PATH. "
    "Install it: Debian/Ubuntu `apt-get install wrk`, Fedora `dnf install wrk`, macOS `brew install wrk`."
)

# What makes a scenario (or a whole server) fail without stopping the run.
SERVER_ERRORS = (RuntimeError, OSError, ValueError, subprocess.SubprocessError)

BASELINE_POST = "baseline POST parse"
BASELINE_GET = "baseline GET"


# --------------------------------------------------------------------------------------------------
# Options and results


@dataclass(frozen=True)
class Options:
    duration: int
    warmup: int
    connections: int
    threads: int
    workers: int
    precreate: int
    body: Path
    skip_postgres: bool
    wrk_timeout: int


@dataclass
class Result:
    scenario: str
    server: str  # baseline | sqlite | postgres
    kind: str  # create | read | search
    url: str
    ok: bool = False
    error: str | None = None
    requests: int = 0
    seconds: float = 0.0
    rps: float = 0.0
    p50_ms: float = 0.0
    p90_ms: float = 0.0
    p99_ms: float = 0.0
    max_ms: float = 0.0
    mean_ms: float = 0.0
    non_2xx_3xx: int = 0
    socket_errors: dict[str, int] = field(default_factory=dict)
    mb_read: float = 0.0
    baseline: str | None = None
    ratio: float | None = None
    cpu: dict[str, float] = field(default_factory=dict)
    notes: dict[str, Any] = field(default_factory=dict)
    wrk_output: str = ""


def parse_args(
    argv: list[str] | None,
    prog: str = "python -m benchmarks",
    description: str = "fhir-p2p HTTP benchmark (wrk + gunicorn) against a bare-parse Flask baseline.",
    postgres: bool = True,
) -> Options:
    """The options; without `postgres`, no --skip-postgres (and `skip_postgres` is True)."""
    parser = argparse.ArgumentParser(prog=prog, description=description)
    parser.add_argument("--duration", type=int, default=None, help="measured seconds per scenario (10)")
    parser.add_argument("--warmup", type=int, default=None, help="warm-up seconds per scenario (2)")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections (8)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (2)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers per server (2)")
    parser.add_argument("--precreate", type=int, default=200, help="resources created for reads (200)")
    parser.add_argument("--body", type=Path, default=DEFAULT_BODY, help="ClaimResponse JSON to POST")
    parser.add_argument("--quick", action="store_true", help="short runs (3 s + 1 s warm-up), ~1 minute")
    if postgres:
        parser.add_argument("--skip-postgres", action="store_true", help="no PostgreSQL scenarios")
    parser.add_argument("--wrk-timeout", type=int, default=10, help="wrk socket timeout in s (10)")
    args = parser.parse_args(argv)
    duration = args.duration if args.duration is not None else (3 if args.quick else 10)
    warmup = args.warmup if args.warmup is not None else (1 if args.quick else 2)
    if duration < 1 or warmup < 0 or args.threads < 1 or args.connections < args.threads:
        parser.error("need --duration >= 1, --warmup >= 0, --threads >= 1, --connections >= --threads")
    if args.workers < 1 or args.precreate < 1:
        parser.error("need --workers >= 1 and --precreate >= 1")
    body = args.body.resolve()
    if not body.is_file():
        parser.error(f"--body {body}: no such file")
    return Options(
        duration=duration,
        warmup=warmup,
        connections=args.connections,
        threads=args.threads,
        workers=args.workers,
        precreate=args.precreate,
        body=body,
        skip_postgres=args.skip_postgres if postgres else True,
        wrk_timeout=args.wrk_timeout,
    )


# --------------------------------------------------------------------------------------------------
# wrk


# Every script ends with this: wrk's own summary as one JSON line (latencies in microseconds).
LUA_DONE = r"""
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests":%.0f,"duration_us":%.0f,"bytes":%.0f,"status":%.0f,"connect":%.0f,' ..
    '"read":%.0f,"write":%.0f,"timeout":%.0f,"p50_us":%.0f,"p90_us":%.0f,"p99_us":%.0f,' ..
    '"max_us":%.0f,"mean_us":%.1f}\n',
    summary.requests, summary.duration, summary.bytes, e.status, e.connect, e.read, e.write,
    e.timeout, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, summary.requests > 0 and latency.mean or 0))
end
"""


def _lua_string(text: str) -> str:
    level = 0
    while f"]{'=' * level}]" in text:
        level += 1
    return f"[{'=' * level}[{text}]{'=' * level}]"


def post_script(body: Path) -> str:
    return f"""
local f = assert(io.open({_lua_string(str(body))}, "rb"))
wrk.body = f:read("*a")
f:close()
wrk.method = "POST"
wrk.headers["Content-Type"] = "{FHIR_JSON}"
wrk.headers["Accept"] = "{FHIR_JSON}"
{LUA_DONE}"""


def read_script(ids: list[str]) -> str:
    """GETs of READ_PATH + id, cycling through `ids`; each wrk thread starts at another offset."""
    table = ",\n".join(_lua_string(i) for i in ids)
    return f"""
wrk.headers["Accept"] = "{FHIR_JSON}"
local ids = {{
{table}
}}
local threads = 0
function setup(thread)
  thread:set("offset", threads * 37)
  threads = threads + 1
end
local reqs = {{}}
local i = 0
function init(args)
  for k, id in ipairs(ids) do
    reqs[k] = wrk.format("GET", "{READ_PATH}" .. id)
  end
  i = (offset or 0) % #reqs
end
function request()
  i = i % #reqs + 1
  return reqs[i]
end
{LUA_DONE}"""


def get_script() -> str:
    return f"""
wrk.headers["Accept"] = "{FHIR_JSON}"
{LUA_DONE}"""


def run_wrk(url: str, script: Path, seconds: int, opts: Options) -> tuple[dict[str, float], str]:
    """Run wrk once; (its summary, its whole output). Raises RuntimeError when wrk fails."""
    argv = ["wrk", f"-t{opts.threads}", f"-c{opts.connections}", f"-d{seconds}s", "--latency"]
    argv += ["--timeout", f"{opts.wrk_timeout}s", "-s", str(script), url]
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 120, check=False)
    except subprocess.TimeoutExpired as exc:
        raise RuntimeError(f"wrk did not finish within {seconds + 120} s") from exc
    output = proc.stdout + proc.stderr
    stats = None
    for line in proc.stdout.splitlines():
        if line.startswith("WRK_JSON "):
            stats = json.loads(line.removeprefix("WRK_JSON "))
    if proc.returncode != 0 or stats is None:
        raise RuntimeError(f"wrk failed (exit {proc.returncode}):\n{output.strip()}")
    text_output = "\n".join(line for line in output.splitlines() if not line.startswith("WRK_JSON "))
    return stats, text_output


def check_wrk(stats: dict[str, float], what: str) -> None:
    errors = {k: int(stats[k]) for k in ("connect", "read", "write", "timeout") if stats[k]}
    problems = []
    if stats["status"]:
        problems.append(f"{int(stats['status'])} non-2xx/3xx responses")
    if errors:
        problems.append(f"socket errors {errors}")
    if not stats["requests"]:
        problems.append("no request completed")
    if problems:
        raise RuntimeError(f"{what}: " + ", ".join(problems))


# --------------------------------------------------------------------------------------------------
# CPU accounting: how much of the machine did something other than this benchmark during a scenario


CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
NOISY_OTHER_CPU = 0.10  # share of the machine used by foreign processes that makes a scenario suspect


def _proc_table() -> dict[int, tuple[int, float]]:
    """pid -> (ppid, utime + stime in seconds) of every process now, from /proc."""
    table = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        table[int(entry.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / CLOCK_TICKS)
    return table


def _tree_cpu(table: dict[int, tuple[int, float]], roots: set[int]) -> dict[int, float]:
    children: dict[int, list[int]] = {}
    for pid, (ppid, _) in table.items():
        children.setdefault(ppid, []).append(pid)
    found, todo = {}, [r for r in roots if r in table]
    while todo:
        pid = todo.pop()
        if pid not in found:
            found[pid] = table[pid][1]
            todo += children.get(pid, [])
    return found


def _machine_cpu() -> tuple[float, float, float]:
    """(busy, total, steal) CPU seconds of the machine since boot, from /proc/stat (steal counts busy)."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    values += [0] * (8 - len(values))
    idle = values[3] + values[4]  # idle + iowait
    total = sum(values[:8])  # guest time is already inside user
    return (total - idle) / CLOCK_TICKS, total / CLOCK_TICKS, values[7] / CLOCK_TICKS


class CpuWatch:
    """CPU used during a span by the machine, by our process trees (self, wrk, servers), and by others."""

    def __init__(self, roots: set[int]) -> None:
        self.roots = roots | {os.getpid()}
        self.available = Path("/proc/stat").exists()

    def __enter__(self) -> CpuWatch:
        if self.available:
            self._began = time.monotonic()
            self._machine = _machine_cpu()
            self._ours = _tree_cpu(_proc_table(), self.roots)
            self._children = _rusage_children()
        return self

    def __exit__(self, *exc: object) -> None:
        self.result: dict[str, float] = {}
        if not self.available:
            return
        busy, total, steal = _machine_cpu()
        ours_now = _tree_cpu(_proc_table(), self.roots)
        # processes that lived through the span; ones that ended (wrk) come from RUSAGE_CHILDREN
        ours = sum(t - self._ours.get(pid, 0.0) for pid, t in ours_now.items() if pid in self._ours)
        ours += _rusage_children() - self._children
        wall = time.monotonic() - self._began
        machine_busy = busy - self._machine[0]
        capacity = total - self._machine[1]
        self.result = {
            "wall_s": round(wall, 3),
            "machine_busy_cores": round(machine_busy / wall, 3) if wall else 0.0,
            "ours_cores": round(ours / wall, 3) if wall else 0.0,
            "other_cores": round(max(machine_busy - ours, 0.0) / wall, 3) if wall else 0.0,
            "other_share": round(max(machine_busy - ours, 0.0) / capacity, 3) if capacity else 0.0,
            # a VM's vCPUs taken by the hypervisor (inside other_share: the host's neighbours)
            "steal_share": round((steal - self._machine[2]) / capacity, 3) if capacity else 0.0,
        }


def _rusage_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def postgres_pids(url: str) -> set[int]:
    """The postmaster serving `url` (found by its `-p PORT`), so its backends count as ours."""
    port = url.rpartition(":")[2].partition("/")[0]
    pids = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                argv = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if argv and argv[0].endswith(b"postgres") and f"-p {port} ".encode() in b" ".join(argv) + b" ":
                pids.add(int(entry.name))
    return pids


# --------------------------------------------------------------------------------------------------
# servers


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def http(
    method: str, url: str, body: bytes | None = None, timeout: float = 30, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    headers = {"Accept": FHIR_JSON, **(headers or {})}
    if body is not None:
        headers["Content-Type"] = FHIR_JSON
    request = urllib.request.Request(url, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, dict(response.headers.items()), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers.items()), error.read()


class Gunicorn:
    """`gunicorn APP` as a subprocess on a free loopback port; its output goes to `log`."""

    def __init__(self, name: str, app: str, env: dict[str, str], workdir: Path, workers: int) -> None:
        self.name = name
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = workdir / f"gunicorn-{name}.log"
        argv = [sys.executable, "-m", "gunicorn", "--chdir", str(ROOT), "--workers", str(workers)]
        argv += ["--worker-class", "sync", "--bind", f"127.0.0.1:{self.port}", "--log-level", "warning"]
        argv += ["--graceful-timeout", "10", app]
        with self.log.open("wb") as log:
            self.proc = subprocess.Popen(
                argv, env={**os.environ, **env}, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=log, stderr=log
            )

    def wait_ready(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        last = "no answer"
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name}: gunicorn exited with {self.proc.returncode}\n{self.log_tail()}")
            try:
                status, _, _ = http("GET", self.base + HEALTH_PATH, timeout=5)
                if status == 200:
                    return
                last = f"status {status}"
            except OSError as exc:
                last = str(exc)
            time.sleep(0.1)
        raise RuntimeError(f"{self.name}: not ready after {timeout:.0f} s ({last})\n{self.log_tail()}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log.read_text(errors="replace").splitlines()[-lines:]
        except OSError:
            return ""
        return f"--- {self.log} ---\n" + "\n".join(text) if text else ""


@contextlib.contextmanager
def gunicorn(name: str, app: str, env: dict[str, str], workdir: Path, workers: int) -> Iterator[Gunicorn]:
    server = Gunicorn(name, app, env, workdir, workers)
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


def app_env(database_url: str) -> dict[str, str]:
    return {
        "FHIR_P2P_DATABASE_URL": database_url,
        "FHIR_P2P_LOG_LEVEL": "WARNING",
        "FHIR_P2P_AUTO_MIGRATE": "false",  # init_db() ran before; workers start on a ready schema
        "FHIR_P2P_AUTH_REQUIRED": "false",  # these numbers are without auth (dev mode), as before it existed
    }


def init_db(env: dict[str, str]) -> None:
    run_cli(env, "init-db")


def run_cli(env: dict[str, str], *args: str) -> str:
    """Run `fhir-p2p ARGS...` with `env` added to this environment; its stdout. Raises RuntimeError when it fails."""
    argv = [sys.executable, "-c", "from fhir_p2p.cli import main; main()", *args]
    proc = subprocess.run(
        argv, env={**os.environ, **env}, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False
    )
    if proc.returncode != 0:
        raise RuntimeError(f"fhir-p2p {args[0]} failed (exit {proc.returncode}):\n{proc.stdout}{proc.stderr}")
    return proc.stdout


def start_postgres(workdir: Path) -> str:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from tests.postgres import postgres_url_for_tests  # starts a throwaway cluster, stopped at exit

    url: str = postgres_url_for_tests(workdir)
    return url


# --------------------------------------------------------------------------------------------------
# scenarios


class Bench:
    def __init__(self, opts: Options, workdir: Path) -> None:
        self.opts = opts
        self.workdir = workdir
        self.results: list[Result] = []
        self.roots: set[int] = set()  # process trees of the server under test (CPU accounting)
        self.headers: dict[str, str] = {}  # added to the probe, pre-create and count requests (Authorization)
        self.body = opts.body.read_bytes()
        self.post_lua = self._script("post", post_script(opts.body))
        self.get_lua = self._script("get", get_script())

    def _script(self, name: str, text: str) -> Path:
        path = self.workdir / f"{name}.lua"
        path.write_text(text)
        return path

    def say(self, text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    def measure(self, result: Result, script: Path) -> None:
        """Warm up, then measure; fills `result`. Raises RuntimeError on any failure."""
        if self.opts.warmup:
            stats, _ = run_wrk(result.url, script, self.opts.warmup, self.opts)
            check_wrk(stats, "warm-up")
        with CpuWatch(self.roots) as cpu:
            stats, output = run_wrk(result.url, script, self.opts.duration, self.opts)
        result.cpu = cpu.result
        result.wrk_output = output
        result.requests = int(stats["requests"])
        result.seconds = stats["duration_us"] / 1e6
        result.rps = result.requests / result.seconds if result.seconds else 0.0
        result.p50_ms = stats["p50_us"] / 1000
        result.p90_ms = stats["p90_us"] / 1000
        result.p99_ms = stats["p99_us"] / 1000
        result.max_ms = stats["max_us"] / 1000
        result.mean_ms = stats["mean_us"] / 1000
        result.mb_read = stats["bytes"] / 1e6
        result.non_2xx_3xx = int(stats["status"])
        result.socket_errors = {k: int(stats[k]) for k in ("connect", "read", "write", "timeout")}
        check_wrk(stats, "measured run")
        result.ok = True

    def scenario(self, result: Result, script: Path, probe: tuple[str, int] | None = None) -> Result:
        """Run one scenario, recording a failure instead of raising."""
        self.results.append(result)
        self.say(f"  {result.scenario} ...")
        try:
            if probe is not None:
                self.probe(result.url, *probe)
            self.measure(result, script)
        except SERVER_ERRORS as exc:
            result.ok = False
            result.error = str(exc)
            self.say(f"  {result.scenario} FAILED: {exc}")
        else:
            self.say(f"  {result.scenario}: {result.rps:,.0f} req/s, p50 {result.p50_ms:.2f} ms")
        return result

    def probe(self, url: str, method: str, expected: int) -> None:
        status, _, payload = http(method, url, self.body if method == "POST" else None, headers=self.headers)
        if status != expected:
            raise RuntimeError(f"probe {method} {url}: status {status}, expected {expected}: {payload[:500]!r}")

    def failed(self, server: str, kinds: list[str], error: str) -> None:
        for kind in kinds:
            self.results.append(Result(f"{server} {kind}", server, kind, "", error=error))

    # --- the servers

    def run_baseline(self) -> None:
        self.say("baseline: bare Flask, orjson.loads only")
        env = {"BENCH_BODY_FILE": str(self.opts.body)}
        fake_ids = [str(uuid.uuid4()) for _ in range(self.opts.precreate)]
        try:
            with gunicorn("baseline", "benchmarks.baseline_app:app", env, self.workdir, self.opts.workers) as srv:
                self.roots = {srv.proc.pid}
                self.scenario(
                    Result(BASELINE_POST, "baseline", "create", srv.base + CREATE_PATH),
                    self.post_lua,
                    probe=("POST", 201),
                )
                read_lua = self._script("read-baseline", read_script(fake_ids))
                self.scenario(
                    Result(BASELINE_GET, "baseline", "read", srv.base + READ_PATH + fake_ids[0]),
                    read_lua,
                    probe=("GET", 200),
                )
        except SERVER_ERRORS as exc:
            self.say(f"baseline FAILED: {exc}")
            done = {r.scenario for r in self.results}
            for name, kind in ((BASELINE_POST, "create"), (BASELINE_GET, "read")):
                if name not in done:
                    self.results.append(Result(name, "baseline", kind, "", error=str(exc)))

    def run_app(self, server: str, database_url: str | None, error: str | None = None) -> None:
        kinds = ["create", "read", "search"]
        if database_url is None:
            self.failed(server, kinds, error or "no database")
            return
        self.say(f"fhir-p2p on {server}")
        env = app_env(database_url)
        try:
            init_db(env)
            with gunicorn(server, "fhir_p2p:create_app()", env, self.workdir, self.opts.workers) as srv:
                self.roots = {srv.proc.pid} | (postgres_pids(database_url) if server == "postgres" else set())
                ids = self.precreate(srv.base)
                create = self.scenario(
                    Result(f"{server} create", server, "create", srv.base + CREATE_PATH),
                    self.post_lua,
                    probe=("POST", 201),
                )
                create.notes["precreated"] = len(ids)
                read_lua = self._script(f"read-{server}", read_script(ids))
                self.scenario(
                    Result(f"{server} read", server, "read", srv.base + READ_PATH + ids[0]),
                    read_lua,
                    probe=("GET", 200),
                )
                search = Result(f"{server} search", server, "search", srv.base + SEARCH_PATH)
                search.notes["matching"] = self.search_total(srv.base)
                self.scenario(search, self.get_lua, probe=("GET", 200))
        except SERVER_ERRORS as exc:
            self.say(f"{server} FAILED: {exc}")
            done = {r.scenario for r in self.results}
            self.failed(server, [k for k in kinds if f"{server} {k}" not in done], str(exc))

    def precreate(self, base: str) -> list[str]:
        """POST the body `precreate` times; the ids the server assigned."""
        ids = []
        for _ in range(self.opts.precreate):
            status, headers, payload = http("POST", base + CREATE_PATH, self.body, headers=self.headers)
            if status != 201:
                raise RuntimeError(f"pre-create: POST status {status}, expected 201: {payload[:500]!r}")
            resource_id = None
            with contextlib.suppress(ValueError):
                resource_id = json.loads(payload).get("id")
            if not resource_id:  # an empty body (Prefer: return=minimal): take it from Location
                location = headers.get("Location", "")
                parts = location.split("/_history/")[0].rstrip("/").split("/")
                resource_id = parts[-1] if len(parts) > 1 else None
            if not resource_id:
                raise RuntimeError(f"pre-create: no id in the response body nor Location {headers!r}")
            ids.append(str(resource_id))
        return ids

    def search_total(self, base: str) -> int | None:
        """How many resources the benchmark search matches now (its `total`, else None)."""
        status, _, payload = http("GET", base + SEARCH_PATH.replace("_count=20", "_count=1"), headers=self.headers)
        if status != 200:
            return None
        total = json.loads(payload).get("total")
        return int(total) if isinstance(total, int) else None


# --------------------------------------------------------------------------------------------------
# report


def add_ratios(results: list[Result]) -> None:
    by_name = {r.scenario: r for r in results}
    for r in results:
        if r.server == "baseline":
            continue
        r.baseline = BASELINE_POST if r.kind == "create" else BASELINE_GET
        base = by_name.get(r.baseline)
        if r.ok and base is not None and base.ok and base.rps:
            r.ratio = r.rps / base.rps


def table(results: list[Result]) -> str:
    head = f"{'scenario':<22} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8}  {'ratio':>6}  {'vs':<20} "
    head += f"{'other CPU':>9}"
    lines = [head, "-" * len(head)]
    for r in results:
        if not r.ok:
            lines.append(f"{r.scenario:<22} {'FAILED':>9}  {(r.error or '').splitlines()[0][:70]}")
            continue
        ratio = f"{r.ratio:6.0%}" if r.ratio is not None else f"{'-':>6}"
        versus = r.baseline or ""
        other = f"{r.cpu['other_share']:9.0%}" if "other_share" in r.cpu else f"{'?':>9}"
        lines.append(f"{r.scenario:<22} {r.rps:9,.0f} {r.p50_ms:8.2f} {r.p99_ms:8.2f}  {ratio}  {versus:<20} {other}")
    return "\n".join(lines)


def noise_line(results: list[Result]) -> str | None:
    noisy = [r.scenario for r in results if r.cpu.get("other_share", 0.0) > NOISY_OTHER_CPU]
    if not noisy:
        return None
    return (
        f"WARNING: other processes used more than {NOISY_OTHER_CPU:.0%} of the machine's CPU during: "
        f"{', '.join(noisy)}. Those numbers (and ratios to them) are not comparable; rerun on an idle "
        "machine."
    )


def target_line(results: list[Result]) -> str:
    create = next((r for r in results if r.scenario == "sqlite create"), None)
    if create is None or create.ratio is None:
        return f"target (sqlite create >= {TARGET_RATIO:.0%} of {BASELINE_POST}): not measured"
    verdict = "met" if create.ratio >= TARGET_RATIO else "missed"
    return (
        f"target {verdict}: sqlite create at {create.ratio:.1%} of {BASELINE_POST} "
        f"({create.rps:,.0f} / {create.rps / create.ratio:,.0f} req/s; target >= {TARGET_RATIO:.0%})"
    )


def machine() -> dict[str, Any]:
    cpu = platform.processor()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    wrk_version = subprocess.run(["wrk", "--version"], capture_output=True, text=True, check=False)
    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "cpus": affinity,
        "cpu_model": cpu,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "wrk": (wrk_version.stdout + wrk_version.stderr).splitlines()[0] if wrk_version.stdout else "",
        "load_avg_at_start": list(os.getloadavg()),
    }


def body_info(path: Path) -> dict[str, Any]:
    raw = path.read_bytes()
    compact = json.dumps(json.loads(raw), separators=(",", ":"), ensure_ascii=False).encode()
    return {"file": str(path), "bytes": len(raw), "compact_bytes": len(compact)}


# --------------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    opts = parse_args(argv)
    run = start_run(opts, "fhir-p2p HTTP benchmark", f"gunicorn sync x{opts.workers}", "per scenario")
    if run is None:
        return EXIT_NO_WRK
    started, info, host = run
    with work_folder("fhir-p2p-bench-") as workdir:
        bench = Bench(opts, workdir)
        bench.run_baseline()
        bench.run_app("sqlite", f"sqlite:///{workdir / 'bench.sqlite3'}")
        if not opts.skip_postgres:
            try:
                url: str | None = start_postgres(workdir / "postgres")
                error = None
            except (RuntimeError, OSError, ImportError) as exc:
                url, error = None, f"PostgreSQL unavailable: {exc}"
                bench.say(error)
            bench.run_app("postgres", url, error)
    results = bench.results
    add_ratios(results)

    print()
    print(table(results))
    print()
    print(target_line(results))
    noise = noise_line(results)
    if noise:
        print(noise)

    extra = {
        "target": {"scenario": "sqlite create", "versus": BASELINE_POST, "min_ratio": TARGET_RATIO},
        "target_line": target_line(results),
        "noise_line": noise_line(results),
    }
    return finish_run("http", started, host, opts, info, results, extra)


def start_run(
    opts: Options, title: str, servers: str, per: str
) -> tuple[datetime, dict[str, Any], dict[str, Any]] | None:
    """Print the run's banner to stderr (the machine, `servers`, the wrk load, the body); when it started,
    the body's and the machine's facts. None, after saying how to install it, when wrk is missing."""
    if shutil.which("wrk") is None:
        print(INSTALL_WRK, file=sys.stderr)
        return None
    started, info, host = datetime.now(UTC), body_info(opts.body), machine()
    print(
        f"{title}: {host['cpus']} CPUs ({host['cpu_model']}), shared by wrk and gunicorn; {servers}; "
        f"wrk -t{opts.threads} -c{opts.connections}, {opts.warmup} s warm-up + {opts.duration} s {per}; "
        f"body {info['file']} ({info['bytes']} bytes, {info['compact_bytes']} compact)",
        file=sys.stderr,
        flush=True,
    )
    return started, info, host


@contextlib.contextmanager
def work_folder(prefix: str) -> Iterator[Path]:
    """A temporary folder for the run's databases and files, readable by the servers it starts."""
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        folder = Path(tmp)
        os.chmod(folder, 0o755)
        yield folder


def finish_run(
    name: str,
    started: datetime,
    host: dict[str, Any],
    opts: Options,
    info: dict[str, Any],
    results: list[Result],
    extra: dict[str, Any],
) -> int:
    """Write `benchmarks/results/<name>-<start>.json` (what every run records, then `extra`), say where,
    and return the exit status: EXIT_FAILED when a scenario failed, else 0."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    out = RESULTS_DIR / f"{name}-{started.strftime('%Y%m%dT%H%M%SZ')}.json"
    document = {
        "benchmark": name,
        "started": started.isoformat(),
        "finished": datetime.now(UTC).isoformat(),
        "machine": host,
        "options": {**asdict(opts), "body": str(opts.body)},
        "body": info,
        **extra,
        "results": [asdict(r) for r in results],
    }
    out.write_text(json.dumps(document, indent=2) + "\n")
    print(f"results: {out.relative_to(ROOT)}")
    failed = [r.scenario for r in results if not r.ok]
    if failed:
        print(f"FAILED scenarios: {', '.join(failed)}", file=sys.stderr)
        return EXIT_FAILED
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
