"""Configuration: every key with its default and meaning, read from `FHIR_P2P_*` env into typed `Settings`.

Order (later wins): `DefaultConfig`, then environment variables `FHIR_P2P_<KEY>` (values parsed as
JSON when they look like it, so `FHIR_P2P_MAX_BODY_BYTES=2000000` is an int), then the mapping
given to `create_app(config)`. Core code receives `Settings`, never `app.config`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any


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

    @classmethod
    def from_mapping(cls, config: Any, instance_path: str) -> Settings:
        """Build typed settings from a Flask config mapping; fill the SQLite default path."""
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
        )


def default_profiles_dir() -> Path:
    """`profiles/` of the source checkout when there is one, else `./profiles`."""
    checkout = Path(__file__).resolve().parent.parent / "profiles"
    return checkout if checkout.is_dir() else Path.cwd() / "profiles"
