"""The rows behind the per-client rate limit: how many requests each client made in each window.

Used inside one unit of work (`RateLimitRows(uow)`), so the SQL stays in the store. Windows are
named by their start as the store's fixed-width UTC text, so text order is time order.
"""

from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite

from fhir_p2p.store.engine import is_sqlite
from fhir_p2p.store.schema import rate_limit_windows
from fhir_p2p.store.sql import UnitOfWork


class RateLimitRows:
    """Request counts per client and window, inside the transaction of `uow`."""

    def __init__(self, uow: UnitOfWork):
        self._connection = uow.connection
        self._insert = sqlite.insert if is_sqlite(uow.connection.engine) else postgresql.insert

    def add(self, client_id: str, window_start: str, requests: int) -> int:
        """Add `requests` to the client's count of the window; return the new count.

        One statement (insert, or add to the row that is there), so concurrent adds from several
        workers or hosts are never lost (PostgreSQL locks the row until this unit ends).
        """
        table = rate_limit_windows
        row = {"client_id": client_id, "window_start": window_start, "requests": requests}
        statement = (
            self._insert(table)
            .values(row)
            .on_conflict_do_update(
                index_elements=[table.c.client_id, table.c.window_start],
                set_={"requests": table.c.requests + requests},
            )
        )
        total: int = self._connection.execute(statement.returning(table.c.requests)).scalar_one()
        return total

    def forget_before(self, client_id: str, window_start: str) -> None:
        """Delete the client's counts of windows that started before `window_start`."""
        table = rate_limit_windows
        self._connection.execute(
            delete(table).where(table.c.client_id == client_id, table.c.window_start < window_start)
        )
