"""Configuration: every key with its default and meaning, read from `FHIR_P2P_*` env into typed `Settings`.

Order (later wins): `DefaultConfig`, then environment variables `FHIR_P2P_<KEY>` (values parsed as
JSON when they look like it, so `FHIR_P2P_MAX_BODY_BYTES=2000000` is an int), then the mapping
given to `create_app(config)`. Core code receives `Settings`, never `app.config`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


class DefaultConfig:
    # SQLAlchemy URL. Empty: SQLite file `fhir-p2p.sqlite3` in the Flask instance folder.
    # `postgresql://...` or `postgresql+psycopg://...` selects PostgreSQL (psycopg 3).
    DATABASE_URL = ""
    # Largest request body accepted, in bytes; larger bodies get 413.
    MAX_BODY_BYTES = 5 * 1024 * 1024
    # Deepest JSON nesting accepted (objects + arrays); deeper bodies get 400.
    MAX_JSON_DEPTH = 64
    # Search page size when `_count` is absent, and the largest `_count` honoured.
    DEFAULT_COUNT = 20
    MAX_COUNT = 500
    # Largest number of entries in a transaction or batch Bundle.
    MAX_BUNDLE_ENTRIES = 1000
    # Public base URL of the FHIR endpoint (e.g. https://p2p.example.org/fhir) used in links and
    # Location headers. Empty: derived from each request's host.
    BASE_URL = ""
    # Log level and format: "json" (one JSON object a line, for production) or "console".
    LOG_LEVEL = "INFO"
    LOG_FORMAT = "json"
    # Apply Alembic migrations when the app starts (dev convenience; production runs `fhir-p2p init-db`).
    AUTO_MIGRATE = True
    # Folder of the conformance resources (StructureDefinitions, ValueSets, CodeSystems; SPEC §3).
    # Empty: `profiles/` of the source checkout, else `./profiles` (the Docker image sets /app/profiles).
    PROFILES_DIR = ""
    # X12: the server's own interchange sender identity (ISA05 qualifier / ISA06 id, at most 15
    # characters, also GS02), ISA15 usage (P production, T test), the zone X12's zoneless dates and
    # times are read and written in (SPEC §3), and the largest inbound interchange in segments.
    X12_SENDER_QUALIFIER = "ZZ"
    X12_SENDER_ID = "FHIRP2P"
    X12_USAGE = "P"
    X12_TIMEZONE = "America/New_York"
    X12_MAX_SEGMENTS = 200_000
    # Auth (SMART Backend Services; docs/security.md). AUTH_REQUIRED False is dev mode: no tokens,
    # every request acts as the all-access client `dev-no-auth`; `fhir-p2p run --no-auth` sets it
    # and listens on loopback only. Never turn it off on a reachable host.
    AUTH_REQUIRED = True
    # PEM private key (EC P-256/P-384/P-521 or RSA, unencrypted) that signs access tokens
    # (ES256/ES384/ES512/RS256 by key type). Empty: `auth-signing-key.pem` in the instance folder,
    # generated (P-256, permissions 0600) the first time a token is signed or checked. Every
    # worker and host serving one database must use the same key: set this when there are several hosts.
    AUTH_SIGNING_KEY = ""
    # Lifetime of the access tokens /auth/token issues, in seconds (SMART recommends at most 300).
    AUTH_TOKEN_LIFETIME = 300
    # Clock difference tolerated on exp/iat/nbf of client assertions and access tokens, in seconds.
    AUTH_CLOCK_SKEW = 30
    # Clients' JWK Set URLs: request timeout (seconds; connect is at most 3.05) and how long a
    # fetched set is kept (also bounded by the response's Cache-Control max-age; no-store: not kept).
    AUTH_JWKS_TIMEOUT = 5.0
    AUTH_JWKS_CACHE_SECONDS = 300
    # How long a worker trusts what it read of a client (revoked or not) when checking a bearer
    # token; a removed client is refused by every worker within this many seconds. 0: read every time.
    AUTH_CLIENT_CACHE_SECONDS = 5
    # Also accept access tokens of an external OpenID provider: its issuer (`iss`, exactly), its
    # JWK Set URL, and the audience its tokens must name (empty: the FHIR base URL). Its tokens
    # name a registered client in `client_id`, `azp` or `sub`; that client's registration gives the
    # organization, role and the most scope it may have. Empty issuer: not used.
    AUTH_EXTERNAL_ISSUER = ""
    AUTH_EXTERNAL_JWKS_URL = ""
    AUTH_EXTERNAL_AUDIENCE = ""
    # Per-client rate limit (docs/security.md "Rate limits"): requests each authenticated client may
    # make per window of RATE_LIMIT_WINDOW seconds, counted across every worker and host sharing
    # the database; over it, 429 with Retry-After. 0: no limit. The dev client is never limited.
    RATE_LIMIT = 1200
    RATE_LIMIT_WINDOW = 60
    # Strict-Transport-Security max-age in seconds, sent on every response. Set it only when clients
    # reach the server over HTTPS (behind a TLS proxy). 0: no HSTS header.
    HSTS_SECONDS = 0
    # Payer P2P policies (SPEC §6, docs/payer-policies.md), YAML or JSON, validated at start-up.
    # Empty: the file shipped in the package, `fhir_p2p/workflow/payers.yaml` (what `config/payers.yaml`
    # links to in a checkout; installed packages and the Docker image carry it too).
    PAYERS_FILE = ""
    # The deadline sweep (`fhir-p2p sweep`, and every SWEEP_INTERVAL seconds in `fhir-p2p worker`):
    # a denial whose P2P window closes within SWEEP_CLOSING_WITHIN hours, unrequested, is announced.
    SWEEP_INTERVAL = 300
    SWEEP_CLOSING_WITHIN = 24


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str
    max_body_bytes: int
    max_json_depth: int
    default_count: int
    max_count: int
    max_bundle_entries: int
    base_url: str
    log_level: str
    log_format: str
    auto_migrate: bool
    profiles_dir: Path
    x12_sender_qualifier: str
    x12_sender_id: str
    x12_usage: str
    x12_timezone: str
    x12_max_segments: int
    auth_required: bool
    auth_signing_key: Path  # the configured key, or the generated one in the instance folder
    auth_generate_key: bool  # True when AUTH_SIGNING_KEY is unset (the key may be generated)
    auth_token_lifetime: int
    auth_clock_skew: int
    auth_jwks_timeout: float
    auth_jwks_cache_seconds: int
    auth_client_cache_seconds: int
    auth_external_issuer: str
    auth_external_jwks_url: str
    auth_external_audience: str
    rate_limit: int  # requests per window and client; 0 = off
    rate_limit_window: int  # seconds
    hsts_seconds: int  # 0 = no Strict-Transport-Security
    payers_file: Path
    sweep_interval: int  # seconds between sweeps in the worker
    sweep_closing_within: int  # hours

    @classmethod
    def from_mapping(cls, config: Any, instance_path: str) -> Settings:
        """Build typed settings from a Flask config mapping; fill the SQLite default path."""
        _check_x12(config)
        _check_auth(config)
        _check_ranges(config)
        _check_payers(config)
        url = str(config.get("DATABASE_URL") or "")
        if not url:
            url = "sqlite:///" + str(Path(instance_path) / "fhir-p2p.sqlite3")
        return cls(
            database_url=url,
            max_body_bytes=int(config["MAX_BODY_BYTES"]),
            max_json_depth=int(config["MAX_JSON_DEPTH"]),
            default_count=int(config["DEFAULT_COUNT"]),
            max_count=int(config["MAX_COUNT"]),
            max_bundle_entries=int(config["MAX_BUNDLE_ENTRIES"]),
            base_url=str(config.get("BASE_URL") or "").rstrip("/"),
            log_level=str(config["LOG_LEVEL"]).upper(),
            log_format=str(config["LOG_FORMAT"]),
            auto_migrate=bool(config["AUTO_MIGRATE"]),
            profiles_dir=Path(str(config["PROFILES_DIR"])) if config.get("PROFILES_DIR") else default_profiles_dir(),
            x12_sender_qualifier=str(config["X12_SENDER_QUALIFIER"]),
            x12_sender_id=str(config["X12_SENDER_ID"]),
            x12_usage=str(config["X12_USAGE"]),
            x12_timezone=str(config["X12_TIMEZONE"]),
            x12_max_segments=int(config["X12_MAX_SEGMENTS"]),
            auth_required=is_true(config["AUTH_REQUIRED"]),
            auth_signing_key=Path(str(config["AUTH_SIGNING_KEY"]))
            if config.get("AUTH_SIGNING_KEY")
            else Path(instance_path) / "auth-signing-key.pem",
            auth_generate_key=not config.get("AUTH_SIGNING_KEY"),
            auth_token_lifetime=int(config["AUTH_TOKEN_LIFETIME"]),
            auth_clock_skew=int(config["AUTH_CLOCK_SKEW"]),
            auth_jwks_timeout=float(config["AUTH_JWKS_TIMEOUT"]),
            auth_jwks_cache_seconds=int(config["AUTH_JWKS_CACHE_SECONDS"]),
            auth_client_cache_seconds=int(config["AUTH_CLIENT_CACHE_SECONDS"]),
            auth_external_issuer=str(config.get("AUTH_EXTERNAL_ISSUER") or ""),
            auth_external_jwks_url=str(config.get("AUTH_EXTERNAL_JWKS_URL") or ""),
            auth_external_audience=str(config.get("AUTH_EXTERNAL_AUDIENCE") or ""),
            rate_limit=int(config["RATE_LIMIT"]),
            rate_limit_window=int(config["RATE_LIMIT_WINDOW"]),
            hsts_seconds=int(config["HSTS_SECONDS"]),
            payers_file=Path(str(config["PAYERS_FILE"])) if config.get("PAYERS_FILE") else default_payers_file(),
            sweep_interval=int(config["SWEEP_INTERVAL"]),
            sweep_closing_within=int(config["SWEEP_CLOSING_WITHIN"]),
        )


def _check_x12(config: Any) -> None:
    """Refuse X12 settings that would write invalid interchanges, naming the variable."""
    problems = []
    if config["X12_USAGE"] not in ("P", "T"):
        problems.append("FHIR_P2P_X12_USAGE must be P or T")
    sender = str(config["X12_SENDER_ID"])
    if not 1 <= len(sender) <= 15 or not sender.isprintable() or "*" in sender or "~" in sender:
        problems.append("FHIR_P2P_X12_SENDER_ID must be 1 to 15 printable characters without * or ~")
    if len(str(config["X12_SENDER_QUALIFIER"])) != 2:
        problems.append("FHIR_P2P_X12_SENDER_QUALIFIER must be a 2-character ISA05 code, e.g. ZZ")
    try:
        ZoneInfo(str(config["X12_TIMEZONE"]))
    except (ZoneInfoNotFoundError, ValueError):
        problems.append(f"FHIR_P2P_X12_TIMEZONE {config['X12_TIMEZONE']!r} is not an IANA time zone")
    if problems:
        raise ValueError("; ".join(problems))


def _check_auth(config: Any) -> None:
    """Refuse auth settings that cannot work, naming the variable."""
    problems = []
    if not 1 <= int(config["AUTH_TOKEN_LIFETIME"]) <= 3600:
        problems.append("FHIR_P2P_AUTH_TOKEN_LIFETIME must be 1 to 3600 seconds")
    if not 0 <= int(config["AUTH_CLOCK_SKEW"]) <= 300:
        problems.append("FHIR_P2P_AUTH_CLOCK_SKEW must be 0 to 300 seconds")
    if bool(config.get("AUTH_EXTERNAL_ISSUER")) != bool(config.get("AUTH_EXTERNAL_JWKS_URL")):
        problems.append("FHIR_P2P_AUTH_EXTERNAL_ISSUER and FHIR_P2P_AUTH_EXTERNAL_JWKS_URL go together")
    if problems:
        raise ValueError("; ".join(problems))


# Whole-number settings: key -> (lowest, highest) accepted.
_RANGES = {
    "RATE_LIMIT": (0, 10**9),
    "RATE_LIMIT_WINDOW": (1, 86_400),
    "HSTS_SECONDS": (0, 63_072_000),
    "SWEEP_INTERVAL": (1, 86_400),
    "SWEEP_CLOSING_WITHIN": (0, 8_760),
}


def _check_ranges(config: Any) -> None:
    """Refuse whole-number settings that are not whole numbers in range, naming the variable."""
    problems = [
        f"FHIR_P2P_{key} must be a whole number from {low} to {high}, not {config[key]!r}"
        for key, (low, high) in _RANGES.items()
        if (number := _whole(config[key])) is None or not low <= number <= high
    ]
    if problems:
        raise ValueError("; ".join(problems))


def _check_payers(config: Any) -> None:
    """Refuse a payer policy file that does not exist, naming the variable (its content is checked when loaded)."""
    path = config.get("PAYERS_FILE")
    if path and not Path(str(path)).is_file():
        raise ValueError(f"FHIR_P2P_PAYERS_FILE {str(path)!r} is not a file")


def _whole(value: Any) -> int | None:
    """An integer setting: an int, or text of one (`FHIR_P2P_*` values that are not JSON); None for anything else."""
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            return None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def is_true(value: Any) -> bool:
    """A flag from config: booleans as they are; text `0`, `false`, `no`, `off` (any case) and empty are False."""
    if isinstance(value, str):
        return value.strip().lower() not in ("", "0", "false", "no", "off")
    return bool(value)


def default_profiles_dir() -> Path:
    """`profiles/` of the source checkout when there is one, else `./profiles`."""
    checkout = Path(__file__).resolve().parent.parent / "profiles"
    return checkout if checkout.is_dir() else Path.cwd() / "profiles"


def default_payers_file() -> Path:
    """The payer policies shipped in the package (`config/payers.yaml` of a checkout links to it)."""
    return Path(__file__).resolve().parent / "workflow" / "payers.yaml"
