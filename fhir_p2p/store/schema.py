"""The database schema (SQLAlchemy Core): current resources, every version, the search index tables,
the owners of each resource (tenancy), X12 control numbers, and the registered API clients with the
assertion ids they used.

Times are stored as fixed-width UTC text (`YYYY-MM-DDTHH:MM:SS.ffffffZ`) so that text order is time
order on SQLite and PostgreSQL alike. Alembic migrations in `migrations/` create exactly this schema
(a test compares them).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

metadata = MetaData()

# BIGINT on PostgreSQL, INTEGER (the rowid alias, so it autoincrements) on SQLite.
PrimaryKey = BigInteger().with_variant(Integer(), "sqlite")

resources = Table(
    "resources",
    metadata,
    Column("pk", PrimaryKey, primary_key=True, autoincrement=True),
    Column("res_type", String(64), nullable=False),
    Column("res_id", String(64), nullable=False),
    Column("version_id", Integer, nullable=False),
    Column("last_updated", String(27), nullable=False),
    Column("deleted", Boolean, nullable=False, default=False),
    Column("content", Text, nullable=False),  # the current version's JSON (the last one, when deleted)
    UniqueConstraint("res_type", "res_id", name="uq_resources_type_id"),
    Index("ix_resources_type_updated", "res_type", "last_updated"),
)

resource_versions = Table(
    "resource_versions",
    metadata,
    Column("pk", PrimaryKey, primary_key=True, autoincrement=True),
    Column("res_pk", PrimaryKey, ForeignKey("resources.pk", ondelete="CASCADE"), nullable=False),
    Column("res_type", String(64), nullable=False),
    Column("res_id", String(64), nullable=False),
    Column("version_id", Integer, nullable=False),
    Column("last_updated", String(27), nullable=False),
    Column("method", String(8), nullable=False),  # POST, PUT or DELETE
    Column("deleted", Boolean, nullable=False, default=False),
    Column("content", Text, nullable=True),  # NULL for a delete
    UniqueConstraint("res_type", "res_id", "version_id", name="uq_versions_type_id_version"),
    Index("ix_versions_type_pk", "res_type", "pk"),
)


def _index_table(name: str, *columns: Column[object], indexes: tuple[tuple[str, ...], ...]) -> Table:
    """An index table: one row per value a current resource has for a search parameter."""
    return Table(
        name,
        metadata,
        Column("res_pk", PrimaryKey, ForeignKey("resources.pk", ondelete="CASCADE"), nullable=False),
        Column("res_type", String(64), nullable=False),
        Column("param", String(64), nullable=False),
        *columns,
        Index(f"ix_{name}_res_pk", "res_pk"),
        *(Index(f"ix_{name}_{'_'.join(cols)}", *cols) for cols in indexes),
    )


idx_token = _index_table(
    "idx_token",
    Column("system", Text, nullable=True),
    Column("code", Text, nullable=True),
    indexes=(("res_type", "param", "code"),),
)
idx_string = _index_table(
    "idx_string",
    Column("value", Text, nullable=False),
    indexes=(("res_type", "param", "value"),),
)
idx_reference = _index_table(
    "idx_reference",
    Column("target_type", String(64), nullable=True),
    Column("target_id", String(64), nullable=True),
    Column("url", Text, nullable=False),
    indexes=(("res_type", "param", "target_id"),),
)
idx_date = _index_table(
    "idx_date",
    Column("low", String(27), nullable=False),
    Column("high", String(27), nullable=False),
    indexes=(("res_type", "param", "low"),),
)
idx_uri = _index_table(
    "idx_uri",
    Column("value", Text, nullable=False),
    indexes=(("res_type", "param", "value"),),
)

INDEX_TABLES: tuple[Table, ...] = (idx_token, idx_string, idx_reference, idx_date, idx_uri)

# Who owns each resource, and who may read it (fhir_p2p/tenancy.py): one row per organization and
# why. `creator` and `party` rows are owners; a `via` row is read access granted by the resource
# `via_pk`, which refers to this one. Rows outlive a soft delete, so owners keep the history.
# Every query finds rows by res_pk (and organization), and a rewrite drops its grants by via_pk:
# two indexes, the second only over the `via` rows (migration 0008 says what that saves).
_GRANTED = text("via_pk IS NOT NULL")
resource_owners = Table(
    "resource_owners",
    metadata,
    Column("res_pk", PrimaryKey, ForeignKey("resources.pk", ondelete="CASCADE"), nullable=False),
    Column("organization", String(128), nullable=False),  # "Organization/<id>"
    Column("kind", String(8), nullable=False),  # creator | party | via
    Column("via_pk", PrimaryKey, nullable=True),  # the granting resource's pk, for `via` rows
    Index("ix_resource_owners_res_pk_organization", "res_pk", "organization"),
    Index("ix_resource_owners_via_pk_granted", "via_pk", sqlite_where=_GRANTED, postgresql_where=_GRANTED),
)

# The last interchange control number (ISA13 / GS06) each X12 sender identity used.
x12_control_numbers = Table(
    "x12_control_numbers",
    metadata,
    Column("sender", String(40), primary_key=True),  # "ISA05:ISA06", e.g. "ZZ:FHIRP2P"
    Column("last_number", Integer, nullable=False),
)

# API clients registered with `fhir-p2p clients add` (SMART Backend Services, fhir_p2p/auth).
auth_clients = Table(
    "auth_clients",
    metadata,
    Column("client_id", String(128), primary_key=True),
    Column("organization", String(128), nullable=False),  # "Organization/<id>"
    Column("role", String(16), nullable=False),  # provider | payer
    Column("jwks", Text, nullable=True),  # the JWK Set as JSON text, or NULL when jwks_url is set
    Column("jwks_url", Text, nullable=True),
    Column("scopes", Text, nullable=False),  # the most it may be granted, space-separated
    Column("created_at", String(27), nullable=False),
    Column("updated_at", String(27), nullable=False),  # registration, rotation or removal
    Column("revoked", Boolean, nullable=False, default=False),  # removed clients stay, revoked
)

# Client assertion ids (`jti`) seen at /auth/token, kept until the assertion expires: a replay is refused.
auth_assertion_ids = Table(
    "auth_assertion_ids",
    metadata,
    Column("client_id", String(128), primary_key=True),
    Column("jti", String(255), primary_key=True),
    Column("expires_at", String(27), nullable=False),
    Index("ix_auth_assertion_ids_expires_at", "expires_at"),
)

# Requests each API client made in each rate-limit window (fhir_p2p/auth/rate_limit.py), added up by
# every worker and host; a client's rows older than its previous window are deleted as it goes on.
rate_limit_windows = Table(
    "rate_limit_windows",
    metadata,
    Column("client_id", String(128), primary_key=True),
    Column("window_start", String(27), primary_key=True),
    Column("requests", Integer, nullable=False),
)

# Events waiting to be delivered (SPEC §6 "Queuing is an outbox row in the same transaction"): written by the
# workflow in the transaction of the change they report, sent later by the worker (store/outbox.py).
outbox = Table(
    "outbox",
    metadata,
    Column("pk", PrimaryKey, primary_key=True, autoincrement=True),
    Column("event_id", String(36), nullable=False, unique=True),  # also the Idempotency-Key when sent
    Column("event", String(40), nullable=False),  # deadline-missed, window-closing, ...
    Column("res_type", String(64), nullable=False),
    Column("res_id", String(64), nullable=False),
    Column("detail", Text, nullable=False),  # JSON object
    Column("state", String(12), nullable=False),  # pending | sent | dead
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", String(27), nullable=False),
    Column("last_error", Text, nullable=True),
    Column("created_at", String(27), nullable=False),
    Index("ix_outbox_state_next_attempt_at", "state", "next_attempt_at"),
    Index("ix_outbox_res_type_res_id_event", "res_type", "res_id", "event"),
)
