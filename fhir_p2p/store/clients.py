"""The rows behind `fhir_p2p.auth`: registered API clients, and the client assertion ids (`jti`) already used.

Read and written inside one unit of work (`ClientRows(uow)`), so the SQL stays in the store. No
meaning is checked here (`fhir_p2p.auth.registry` validates what is registered); times are the
store's fixed-width UTC text, stamped with the unit's clock.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from fhir_p2p.errors import Conflict, Issue
from fhir_p2p.search.dates import instant_text
from fhir_p2p.store.engine import is_sqlite
from fhir_p2p.store.schema import auth_assertion_ids, auth_clients
from fhir_p2p.store.sql import UnitOfWork

# Rule ids of this module; last id used: store-client-001.


@dataclass(frozen=True, slots=True)
class ClientRecord:
    """One registered client as stored."""

    client_id: str
    organization: str  # "Organization/<id>"
    role: str  # provider | payer
    jwks: str | None  # the JWK Set as JSON text (None when the keys are at jwks_url)
    jwks_url: str | None
    scopes: str  # space-separated: the most this client may be granted
    created_at: str
    updated_at: str
    revoked: bool = False


class ClientRows:
    """Client and assertion-id rows, inside the transaction of `uow`."""

    def __init__(self, uow: UnitOfWork):
        self._connection = uow.connection
        self._clock = uow.clock
        self._insert = sqlite.insert if is_sqlite(uow.connection.engine) else postgresql.insert

    def add(
        self, client_id: str, *, organization: str, role: str, jwks: str | None, jwks_url: str | None, scopes: str
    ) -> ClientRecord:
        """Register a client.

        Raises:
            Conflict: the id is taken, also by a removed (revoked) client: ids are never reused.
        """
        now = instant_text(self._clock())
        record = ClientRecord(client_id, organization, role, jwks, jwks_url, scopes, now, now)
        statement = self._insert(auth_clients).values(asdict(record)).on_conflict_do_nothing()
        if self._connection.execute(statement.returning(auth_clients.c.client_id)).first() is None:
            message = f"Client id {client_id} is already registered (removed clients keep their id)"
            raise Conflict(message, issues=[Issue("error", "duplicate", message, rule="store-client-001")])
        return record

    def get(self, client_id: str) -> ClientRecord | None:
        row = self._connection.execute(select(auth_clients).where(auth_clients.c.client_id == client_id)).first()
        return ClientRecord(**row._mapping) if row is not None else None

    def list(self) -> list[ClientRecord]:
        rows = self._connection.execute(select(auth_clients).order_by(auth_clients.c.client_id))
        return [ClientRecord(**row._mapping) for row in rows]

    def remove(self, client_id: str) -> bool:
        """Revoke the client (the row stays). False when there is no such active client."""
        return self._change(client_id, revoked=True)

    def rotate(self, client_id: str, *, jwks: str | None, jwks_url: str | None) -> bool:
        """Replace the client's keys. False when there is no such active client."""
        return self._change(client_id, jwks=jwks, jwks_url=jwks_url)

    def use_assertion_id(self, client_id: str, jti: str, expires_at: datetime) -> bool:
        """Record that `client_id` used `jti` until `expires_at`; False when it was used before (a replay).

        Ids whose assertion has expired are forgotten first. Concurrent uses of one id from several
        workers or hosts: exactly one of them gets True (the primary key decides).
        """
        now = instant_text(self._clock())
        self._connection.execute(delete(auth_assertion_ids).where(auth_assertion_ids.c.expires_at < now))
        row = {"client_id": client_id, "jti": jti, "expires_at": instant_text(expires_at)}
        statement = self._insert(auth_assertion_ids).values(row).on_conflict_do_nothing()
        return self._connection.execute(statement.returning(auth_assertion_ids.c.jti)).first() is not None

    def _change(self, client_id: str, **values: object) -> bool:
        statement = (
            update(auth_clients)
            .where(auth_clients.c.client_id == client_id, auth_clients.c.revoked.is_(False))
            .values(updated_at=instant_text(self._clock()), **values)
        )
        return self._connection.execute(statement).rowcount == 1
