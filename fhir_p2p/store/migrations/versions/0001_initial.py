"""Initial schema: resources, resource_versions and the search index tables.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

PK = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "resources",
        sa.Column("pk", PK, primary_key=True, autoincrement=True),
        sa.Column("res_type", sa.String(64), nullable=False),
        sa.Column("res_id", sa.String(64), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("last_updated", sa.String(27), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.UniqueConstraint("res_type", "res_id", name="uq_resources_type_id"),
    )
    op.create_index("ix_resources_type_updated", "resources", ["res_type", "last_updated"])
    op.create_table(
        "resource_versions",
        sa.Column("pk", PK, primary_key=True, autoincrement=True),
        sa.Column("res_pk", PK, sa.ForeignKey("resources.pk", ondelete="CASCADE"), nullable=False),
        sa.Column("res_type", sa.String(64), nullable=False),
        sa.Column("res_id", sa.String(64), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("last_updated", sa.String(27), nullable=False),
        sa.Column("method", sa.String(8), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("content", sa.Text(), nullable=True),
        sa.UniqueConstraint("res_type", "res_id", "version_id", name="uq_versions_type_id_version"),
    )
    op.create_index("ix_versions_type_pk", "resource_versions", ["res_type", "pk"])
    index_tables: dict[str, tuple[list[sa.Column[object]], list[tuple[str, ...]]]] = {
        "idx_token": (
            [sa.Column("system", sa.Text(), nullable=True), sa.Column("code", sa.Text(), nullable=True)],
            [("res_type", "param", "code")],
        ),
        "idx_string": ([sa.Column("value", sa.Text(), nullable=False)], [("res_type", "param", "value")]),
        "idx_reference": (
            [
                sa.Column("target_type", sa.String(64), nullable=True),
                sa.Column("target_id", sa.String(64), nullable=True),
                sa.Column("url", sa.Text(), nullable=False),
            ],
            [("res_type", "param", "target_id"), ("target_type", "target_id")],
        ),
        "idx_date": (
            [sa.Column("low", sa.String(27), nullable=False), sa.Column("high", sa.String(27), nullable=False)],
            [("res_type", "param", "low")],
        ),
        "idx_uri": ([sa.Column("value", sa.Text(), nullable=False)], [("res_type", "param", "value")]),
    }
    for name, (columns, indexes) in index_tables.items():
        op.create_table(
            name,
            sa.Column("res_pk", PK, sa.ForeignKey("resources.pk", ondelete="CASCADE"), nullable=False),
            sa.Column("res_type", sa.String(64), nullable=False),
            sa.Column("param", sa.String(64), nullable=False),
            *columns,
        )
        op.create_index(f"ix_{name}_res_pk", name, ["res_pk"])
        for cols in indexes:
            op.create_index(f"ix_{name}_{'_'.join(cols)}", name, list(cols))


def downgrade() -> None:
    for name in ("idx_uri", "idx_date", "idx_reference", "idx_string", "idx_token", "resource_versions", "resources"):
        op.drop_table(name)
