"""Per-client rate-limit counts, shared by every worker and host (docs/security.md "Rate limits").

`rate_limit_windows` holds how many requests each API client made in each fixed window of
`RATE_LIMIT_WINDOW` seconds (the window's start as UTC instant text); workers add their local
counts to it in batches and read the total back.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rate_limit_windows",
        sa.Column("client_id", sa.String(128), primary_key=True),
        sa.Column("window_start", sa.String(27), primary_key=True),
        sa.Column("requests", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("rate_limit_windows")
