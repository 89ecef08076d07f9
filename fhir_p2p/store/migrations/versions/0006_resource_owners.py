"""Tenancy: `resource_owners`, the organizations that own each resource or were granted read access.

Resources stored before this revision get their rows from their content, as a write by the CLI
would give them (`fhir_p2p/store/owners.py`): party rows from the party fields, read access for the
owners of every resource that refers to them. They have no creator row: no client created them.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

from fhir_p2p.store.owners import Owners

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

PrimaryKey = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "resource_owners",
        sa.Column("res_pk", PrimaryKey, sa.ForeignKey("resources.pk", ondelete="CASCADE"), nullable=False),
        sa.Column("organization", sa.String(128), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("via_pk", PrimaryKey, nullable=True),
    )
    op.create_index("ix_resource_owners_organization_res_pk", "resource_owners", ["organization", "res_pk"])
    op.create_index("ix_resource_owners_res_pk", "resource_owners", ["res_pk"])
    op.create_index("ix_resource_owners_via_pk", "resource_owners", ["via_pk"])
    connection = op.get_bind()
    owners = Owners(connection, writer=None)
    rows = connection.execute(sa.text("SELECT pk, res_type, deleted, content FROM resources ORDER BY pk")).all()
    cursor = connection.connection.cursor()
    try:
        for pk, resource_type, deleted, content in rows:
            owners.wrote(cursor, pk, resource_type, json.loads(content), new=True)
            if deleted:
                owners.wrote(cursor, pk, resource_type, None, new=False)  # a deleted resource grants nothing
        owners.finish(cursor)
    finally:
        cursor.close()


def downgrade() -> None:
    op.drop_table("resource_owners")
