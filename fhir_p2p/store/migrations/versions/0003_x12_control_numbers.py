"""X12 control numbers, and ClaimResponse `identifier` rows for preAuthRef and the PAS reference number.

`x12_control_numbers` keeps the last ISA13 each sender identity used, so that no two interchanges
the server writes share one. The ClaimResponse `identifier` search parameter now also finds a
denial by `preAuthRef` and by the PAS administration reference number (SPEC §3: either identifies
a denial; inbound 278 requests name it in REF*NT), so those rows are added for stored denials.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_ADMINISTRATION_REFERENCE = (
    "http://hl7.org/fhir/us/davinci-pas/StructureDefinition/extension-administrationReferenceNumber"
)


def upgrade() -> None:
    op.create_table(
        "x12_control_numbers",
        sa.Column("sender", sa.String(40), primary_key=True),
        sa.Column("last_number", sa.Integer, nullable=False),
    )
    connection = op.get_bind()
    rows = connection.execute(
        sa.text("SELECT pk, content FROM resources WHERE res_type = 'ClaimResponse' AND deleted = :no"), {"no": False}
    )
    added = [{"pk": pk, "code": code} for pk, content in rows for code in _denial_references(json.loads(content))]
    if added:
        connection.execute(
            sa.text(
                "INSERT INTO idx_token (res_pk, res_type, param, system, code) "
                "VALUES (:pk, 'ClaimResponse', 'identifier', NULL, :code)"
            ),
            added,
        )


def downgrade() -> None:
    op.drop_table("x12_control_numbers")


def _denial_references(claim_response: dict[str, Any]) -> set[str]:
    """preAuthRef and every item's administration reference number (values the old index lacked)."""
    found = {claim_response["preAuthRef"]} if isinstance(claim_response.get("preAuthRef"), str) else set()
    for item in claim_response.get("item") or []:
        for extension in item.get("extension") or []:
            if extension.get("url") == _ADMINISTRATION_REFERENCE and isinstance(extension.get("valueString"), str):
                found.add(extension["valueString"])
    identifiers = {i.get("value") for i in claim_response.get("identifier") or [] if i.get("system") is None}
    return found - identifiers
