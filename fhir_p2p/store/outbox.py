"""The outbox (table `outbox`): events queued inside the unit of work whose change they report, so an event
exists exactly when its change was committed (SPEC §6). Used as `Outbox(uow)`, like the other row stores."""

from __future__ import annotations

import uuid
from typing import Any

import orjson
from sqlalchemy import insert, select

from fhir_p2p.search.dates import instant_text
from fhir_p2p.store.schema import outbox
from fhir_p2p.store.sql import UnitOfWork


class Outbox:
    """Queue and look up events inside the transaction of `uow`."""

    def __init__(self, uow: UnitOfWork):
        self._uow = uow

    def queue(self, event: str, resource_type: str, resource_id: str, detail: dict[str, Any]) -> str:
        """Queue `event` about `resource_type/resource_id`, due now; its id (the delivery's idempotency key)."""
        event_id = str(uuid.uuid4())
        now = instant_text(self._uow.clock())
        row = {
            "event_id": event_id,
            "event": event,
            "res_type": resource_type,
            "res_id": resource_id,
            "detail": orjson.dumps(detail).decode(),
            "state": "pending",
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        }
        self._uow.connection.execute(insert(outbox), row)
        return event_id

    def has(self, event: str, resource_type: str, resource_id: str) -> bool:
        """Whether `event` about the resource was ever queued."""
        query = select(outbox.c.pk).where(
            outbox.c.res_type == resource_type, outbox.c.res_id == resource_id, outbox.c.event == event
        )
        return self._uow.connection.execute(query.limit(1)).first() is not None

    def events(self, resource_type: str, resource_id: str) -> list[dict[str, Any]]:
        """The events queued about one resource, oldest first."""
        query = (
            select(outbox.c.event, outbox.c.state, outbox.c.detail)
            .where(outbox.c.res_type == resource_type, outbox.c.res_id == resource_id)
            .order_by(outbox.c.pk)
        )
        return [
            {"event": row.event, "state": row.state, "detail": orjson.loads(row.detail)}
            for row in self._uow.connection.execute(query)
        ]
