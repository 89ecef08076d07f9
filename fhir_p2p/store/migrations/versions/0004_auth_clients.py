"""Registered API clients and the client assertion ids (`jti`) they used (SMART Backend Services).

`auth_clients` holds each client's organization, role, public keys (a JWK Set, inline or by URL)
and the scopes it may be granted; a removed client stays, revoked, so its id is never reused.
`auth_assertion_ids` keeps every assertion's `jti` until the assertion expires, so a replay is
refused whichever worker or host receives it.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "auth_clients",
        sa.Column("client_id", sa.String(128), primary_key=True),
        sa.Column("organization", sa.String(128), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("jwks", sa.Text, nullable=True),
        sa.Column("jwks_url", sa.Text, nullable=True),
        sa.Column("scopes", sa.Text, nullable=False),
        sa.Column("created_at", sa.String(27), nullable=False),
        sa.Column("updated_at", sa.String(27), nullable=False),
        sa.Column("revoked", sa.Boolean(), nullable=False),
    )
    op.create_table(
        "auth_assertion_ids",
        sa.Column("client_id", sa.String(128), primary_key=True),
        sa.Column("jti", sa.String(255), primary_key=True),
        sa.Column("expires_at", sa.String(27), nullable=False),
    )
    op.create_index("ix_auth_assertion_ids_expires_at", "auth_assertion_ids", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_auth_assertion_ids_expires_at", table_name="auth_assertion_ids")
    op.drop_table("auth_assertion_ids")
    op.drop_table("auth_clients")
