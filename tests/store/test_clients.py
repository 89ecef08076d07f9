"""Registered clients and used assertion ids in the store (both databases)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from fhir_p2p.errors import Conflict
from fhir_p2p.store.clients import ClientRows
from fhir_p2p.store.schema import auth_assertion_ids


def _rows(app, write: bool = True):
    return app.extensions["fhir_p2p.store"].unit_of_work(write=write)


def test_a_client_is_added_read_rotated_and_removed_but_its_id_never_reused(app):
    with _rows(app) as uow:
        added = ClientRows(uow).add(
            "ehr-1",
            organization="Organization/a",
            role="provider",
            jwks='{"keys":[]}',
            jwks_url=None,
            scopes="system/*.rs",
        )
    assert added.created_at == added.updated_at and not added.revoked
    with _rows(app) as uow:
        assert ClientRows(uow).rotate("ehr-1", jwks=None, jwks_url="https://ehr.example/jwks")
        assert not ClientRows(uow).rotate("nobody", jwks=None, jwks_url="https://x.example/jwks")
    with _rows(app, write=False) as uow:
        rotated = ClientRows(uow).get("ehr-1")
    assert rotated is not None and (rotated.jwks, rotated.jwks_url) == (None, "https://ehr.example/jwks")
    assert rotated.updated_at > rotated.created_at
    with _rows(app) as uow:
        assert ClientRows(uow).remove("ehr-1")
        assert not ClientRows(uow).remove("ehr-1")  # already removed
    with _rows(app) as uow, pytest.raises(Conflict):
        ClientRows(uow).add(
            "ehr-1", organization="Organization/b", role="payer", jwks=None, jwks_url="https://b", scopes="x"
        )
    with _rows(app, write=False) as uow:
        assert [(c.client_id, c.revoked) for c in ClientRows(uow).list()] == [("ehr-1", True)]


def test_an_assertion_id_is_accepted_once_and_forgotten_after_it_expires(app, clock):
    with _rows(app) as uow:
        rows = ClientRows(uow)
        assert rows.use_assertion_id("ehr-1", "jti-1", clock.now + timedelta(minutes=5))
        assert not rows.use_assertion_id("ehr-1", "jti-1", clock.now + timedelta(minutes=5))
        assert rows.use_assertion_id("ehr-2", "jti-1", clock.now + timedelta(minutes=5))  # per client
    clock.advance(minutes=6)
    with _rows(app) as uow:
        assert ClientRows(uow).use_assertion_id("ehr-3", "jti-9", clock.now + timedelta(minutes=5))
        left = uow.connection.execute(select(func.count()).select_from(auth_assertion_ids)).scalar_one()
    assert left == 1  # the expired ones were purged
