"""Drop idx_reference (target_type, target_id): no query uses it, and every create paid for it.

`_revinclude` and reference searches go through (res_type, param, target_id); `_include` through
res_pk. One index fewer is about four fewer pages written per create (benchmarks/README.md).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_idx_reference_target_type_target_id", table_name="idx_reference")


def downgrade() -> None:
    op.create_index("ix_idx_reference_target_type_target_id", "idx_reference", ["target_type", "target_id"])
