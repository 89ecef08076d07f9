"""Token-verification overhead: the same requests to fhir-p2p in dev mode and with auth on, in one run.

Two servers, each `gunicorn --workers N --worker-class sync` on its own loopback port and SQLite file
(`benchmarks/http.py` starts them and drives wrk):

    dev   FHIR_P2P_AUTH_REQUIRED=false: no token is checked (every request is the dev client)
    auth  auth on: a generated signing key (FHIR_P2P_AUTH_SIGNING_KEY), a client registered with
          `fhir-p2p clients add` (Organization/cedar-valley-medical-center, provider,
          system/*.cruds), and an access token from `fhir-p2p token` (the client-credentials grant
          at POST /auth/token), fetched again for each scenario

Both get the same data (the example denial POSTed `--precreate` times; its requestor is the client's
organization) and the same wrk scripts, which send `Authorization: Bearer <token>` to both (dev mode
ignores it), so the requests are byte for byte the same. Each scenario runs on dev, then on auth:

    read    GET /fhir/ClaimResponse/{id}, cycling over the pre-created ids
    search  GET /fhir/ClaimResponse?_id={id} (one match, whatever the run creates)
    create  POST /fhir/ClaimResponse, the example body (last, so reads and searches see the same data)

The ratio is auth req/s over dev req/s; the target (issue: token verification costs under 10 %) is a
ratio of at least 0.90 for every scenario. The ratio covers all that auth on changes (the token check,
and tenancy: every query filtered to what the client's organization may see, owners recorded on
writes), so the run also times the token check alone, in this process against the auth server's
database: the before-request hooks with auth on and in dev mode (the difference is the check of a
token the worker has seen before, what nearly every request pays), and the signature check a token
costs the first time a worker sees it. A scenario fails (exit 1) when a server does not start,
a probe gets an unexpected status, or wrk sees a non-2xx answer or a socket error; a missed target
is printed ("target missed"), not a failure. Results: a table on stdout and
`benchmarks/results/auth-<UTC time>.json`.

    python -m benchmarks.auth [--quick] [--duration S] [--warmup S] [--connections N] [--threads N]
                              [--workers N] [--precreate N] [--body FILE] [--wrk-timeout S]
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Final

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from benchmarks.http import (
    CREATE_PATH,
    EXIT_NO_WRK,
    READ_PATH,
    SERVER_ERRORS,
    Bench,
    Gunicorn,
    Options,
    Result,
    app_env,
    finish_run,
    get_script,
    gunicorn,
    init_db,
    noise_line,
    parse_args,
    post_script,
    read_script,
    run_cli,
    start_run,
    table,
    work_folder,
)

TARGET_RATIO: Final = 0.90  # auth req/s over dev req/s: token verification costs under 10 %
CLIENT_ID: Final = "bench-ehr"
ORGANIZATION: Final = "Organization/cedar-valley-medical-center"
SCOPE: Final = "system/*.cruds"
SEARCH_PATH: Final = "/fhir/ClaimResponse?_id="
KINDS: Final = ("read", "search", "create")
SERVERS: Final = ("dev", "auth")


class AuthBench(Bench):
    """The scenarios of benchmarks/http.py, run on a dev-mode and an auth-on server, with a bearer token."""

    def __init__(self, opts: Options, workdir: Path) -> None:
        super().__init__(opts, workdir)
        self.auth_env = self._auth_setup()
        self.token = ""
        self.in_process: dict[str, float] = {}

    def _auth_setup(self) -> dict[str, str]:
        """A server signing key and a client key; their files' settings for the auth server and the CLI."""
        server_key = self.workdir / "server-key.pem"
        server_key.write_bytes(_pem(ec.generate_private_key(ec.SECP256R1())))
        server_key.chmod(0o600)
        client_key = self.workdir / "client-key.pem"
        client_key.write_bytes(_pem(ec.generate_private_key(ec.SECP384R1())))
        client_key.chmod(0o600)
        return {
            "FHIR_P2P_AUTH_REQUIRED": "true",
            "FHIR_P2P_AUTH_SIGNING_KEY": str(server_key),
            "FHIR_P2P_AUTH_TOKEN_LIFETIME": "3600",
        }

    def env(self, server: str) -> dict[str, str]:
        env = app_env(f"sqlite:///{self.workdir / f'{server}.sqlite3'}")
        env["FHIR_P2P_RATE_LIMIT"] = "0"  # no per-client counter in the database: measure the token check
        return {**env, **self.auth_env} if server == "auth" else env

    def register_client(self) -> None:
        env = self.env("auth")
        jwks = self.workdir / "client-jwks.json"
        jwks.write_text(run_cli(env, "clients", "jwks", str(self.workdir / "client-key.pem")))
        run_cli(
            env, "clients", "add", "--id", CLIENT_ID, "--org", ORGANIZATION, "--role", "provider",
            "--jwks", str(jwks), "--scopes", SCOPE,
        )  # fmt: skip

    def fetch_token(self, auth: Gunicorn) -> None:
        """A fresh access token by the client-credentials grant (`fhir-p2p token`), for both servers' requests."""
        output = run_cli(
            self.env("auth"), "token", "--client", CLIENT_ID, "--key", str(self.workdir / "client-key.pem"),
            "--scope", SCOPE, "--url", auth.base,
        )  # fmt: skip
        self.token = output.strip().splitlines()[-1]
        self.headers = {"Authorization": f"Bearer {self.token}"}

    def authorized(self, name: str, script: str) -> Path:
        """A wrk script that sends the current token (set before the script's own headers and requests)."""
        line = f'wrk.headers["Authorization"] = "Bearer {self.token}"\n'
        return self._script(name, line + script)

    def run(self) -> None:
        try:
            for server in SERVERS:
                init_db(self.env(server))
            self.register_client()
            with (
                gunicorn("dev", "fhir_p2p:create_app()", self.env("dev"), self.workdir, self.opts.workers) as dev,
                gunicorn("auth", "fhir_p2p:create_app()", self.env("auth"), self.workdir, self.opts.workers) as auth,
            ):
                self.fetch_token(auth)
                servers = {"dev": dev, "auth": auth}
                ids = {name: self.precreate(srv.base) for name, srv in servers.items()}
                for kind in KINDS:
                    self.fetch_token(auth)
                    for name, srv in servers.items():
                        self.roots = {srv.proc.pid}
                        self.run_scenario(name, kind, srv.base, ids[name])
                self.in_process = token_check_cost(self, auth.base, ids["auth"][0])
        except SERVER_ERRORS as exc:
            self.say(f"FAILED: {exc}")
            done = {r.scenario for r in self.results}
            for kind in KINDS:
                for name in SERVERS:
                    if f"{name} {kind}" not in done:
                        self.results.append(Result(f"{name} {kind}", name, kind, "", error=str(exc)))

    def run_scenario(self, server: str, kind: str, base: str, ids: list[str]) -> None:
        name = f"{server} {kind}"
        if kind == "read":
            script = self.authorized(f"read-{server}", read_script(ids))
            self.scenario(Result(name, server, kind, base + READ_PATH + ids[0]), script, probe=("GET", 200))
        elif kind == "search":
            script = self.authorized(f"search-{server}", get_script())
            self.scenario(Result(name, server, kind, base + SEARCH_PATH + ids[0]), script, probe=("GET", 200))
        else:
            script = self.authorized(f"create-{server}", post_script(self.opts.body))
            self.scenario(Result(name, server, kind, base + CREATE_PATH), script, probe=("POST", 201))


@contextlib.contextmanager
def _environment(env: dict[str, str]) -> Iterator[None]:
    saved = dict(os.environ)
    os.environ.update(env)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def token_check_cost(bench: AuthBench, base: str, resource_id: str, loops: int = 5000) -> dict[str, float]:
    """µs of the before-request hooks of a read in dev mode and with auth on (the bench's current token,
    remembered after the first call), and of verifying the token's signature (its first use on a worker)."""
    from fhir_p2p.app import create_app
    from fhir_p2p.auth import Endpoints
    from fhir_p2p.auth.tokens import verify_access_token

    hooks = {}
    for server in SERVERS:
        with _environment(bench.env(server)):
            app = create_app()
        try:
            headers = dict(bench.headers)
            with app.test_request_context(READ_PATH + resource_id, base_url=base, headers=headers):
                app.preprocess_request()
                began = time.perf_counter()
                for _ in range(loops):
                    app.preprocess_request()
                hooks[server] = (time.perf_counter() - began) / loops * 1e6
            if server == "auth":
                authority = app.extensions["fhir_p2p.auth"]
                where = Endpoints.for_base(base + "/fhir")
                now = app.extensions["fhir_p2p.store"].clock()
                skew = timedelta(seconds=app.extensions["fhir_p2p.settings"].auth_clock_skew)
                began = time.perf_counter()
                for _ in range(loops // 10):
                    verify_access_token(
                        bench.token, authority.key(), issuer=where.issuer, audience=where.audience, now=now, skew=skew
                    )
                signature = (time.perf_counter() - began) / (loops // 10) * 1e6
        finally:
            app.extensions["fhir_p2p.store"].dispose()
    return {
        "hooks_dev_us": round(hooks["dev"], 1),
        "hooks_auth_us": round(hooks["auth"], 1),
        "token_check_us": round(hooks["auth"] - hooks["dev"], 1),
        "first_use_signature_us": round(signature, 1),
    }


def in_process_line(costs: dict[str, float]) -> str:
    if not costs:
        return "token check in this process: not measured"
    return (
        f"token check in this process: before-request hooks {costs['hooks_auth_us']:.0f} µs with auth, "
        f"{costs['hooks_dev_us']:.0f} µs in dev mode: {costs['token_check_us']:.0f} µs a request; "
        f"a token's first use on a worker adds its signature check, {costs['first_use_signature_us']:.0f} µs"
    )


def _pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def add_ratios(results: list[Result]) -> None:
    """Each auth scenario's ratio to the dev scenario of its kind."""
    by_name = {r.scenario: r for r in results}
    for r in results:
        if r.server != "auth":
            continue
        r.baseline = f"dev {r.kind}"
        dev = by_name.get(r.baseline)
        if r.ok and dev is not None and dev.ok and dev.rps:
            r.ratio = r.rps / dev.rps


def target_lines(results: list[Result]) -> list[str]:
    lines = []
    for r in results:
        if r.server != "auth":
            continue
        if r.ratio is None:
            lines.append(f"target (auth {r.kind} >= {TARGET_RATIO:.0%} of dev): not measured")
            continue
        verdict = "met" if r.ratio >= TARGET_RATIO else "missed"
        lines.append(
            f"target {verdict}: auth {r.kind} at {r.ratio:.1%} of dev ({r.rps:,.0f} / {r.rps / r.ratio:,.0f} req/s; "
            f"overhead {1 - r.ratio:.1%}, target < {1 - TARGET_RATIO:.0%})"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    opts = parse_args(
        argv,
        prog="python -m benchmarks.auth",
        description="fhir-p2p token-verification overhead: the same requests in dev mode and with auth on (wrk).",
        postgres=False,
    )
    servers = f"gunicorn sync x{opts.workers} per server, SQLite"
    run = start_run(opts, "fhir-p2p auth benchmark", servers, "per scenario and server")
    if run is None:
        return EXIT_NO_WRK
    started, info, host = run
    with work_folder("fhir-p2p-bench-auth-") as workdir:
        bench = AuthBench(opts, workdir)
        bench.run()
    results = bench.results
    add_ratios(results)

    print()
    print(table(results))
    print()
    targets = target_lines(results)
    print("\n".join(targets))
    print(in_process_line(bench.in_process))
    noise = noise_line(results)
    if noise:
        print(noise)

    extra = {
        "target": {"versus": "dev", "min_ratio": TARGET_RATIO},
        "target_lines": targets,
        "token_check_in_process": bench.in_process,
        "noise_line": noise,
    }
    return finish_run("auth", started, host, opts, info, results, extra)


if __name__ == "__main__":
    raise SystemExit(main())
