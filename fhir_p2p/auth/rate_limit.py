"""The per-client rate limit: at most `RATE_LIMIT` requests per client in each window of
`RATE_LIMIT_WINDOW` seconds, counted across every worker and host through the database.

Windows are fixed and aligned to the epoch. Each process counts a client's requests locally and
adds them to the shared row of the window (`store.rate_limits`) at the client's first request of a
window, after `limit / 20` requests, or at the first request 250 ms after the last addition; the
total read back decides. A client the process knows to be over the limit is refused without a
database round trip until the window ends. The precision this gives is in docs/security.md.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from fhir_p2p.search.dates import instant_text
from fhir_p2p.store.rate_limits import RateLimitRows
from fhir_p2p.store.sql import Store

SYNC_SECONDS: Final = 0.25  # pending requests reach the table at the first request this long after the last addition
SYNC_FRACTION: Final = 20  # ... or once a process holds limit / SYNC_FRACTION of them


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why a request is refused: the limit, its window, and whole seconds until the window ends (at least 1)."""

    limit: int
    window: int
    retry_after: int


@dataclass(slots=True)
class _Count:
    """This process's view of one client's window."""

    start: int  # the window's start, epoch seconds
    known: int = 0  # the shared count as last read, plus what this process added since
    pending: int = 0  # admitted here, not yet added to the shared count
    synced_at: float = -math.inf  # epoch seconds of the last addition


class RateLimiter:
    """Admits or refuses each request of a client (one per app; thread-safe)."""

    def __init__(self, store: Store, *, limit: int, window: int):
        self._store = store
        self._limit = limit
        self._window = window
        self._batch = max(1, limit // SYNC_FRACTION)
        self._counts: dict[str, _Count] = {}  # one per client seen: registered clients only, a bounded set
        self._lock = threading.Lock()

    def admit(self, client_id: str) -> Refusal | None:
        """Count one request of `client_id`.

        Returns:
            None when the request may go on; a `Refusal` when the client has used up its limit
            (a request refused without a database round trip is not counted).
        """
        now = self._store.clock().timestamp()
        start = int(now // self._window) * self._window
        with self._lock:
            count = self._counts.get(client_id)
            if count is None or count.start != start:
                count = self._counts[client_id] = _Count(start)
            if count.known + count.pending >= self._limit:
                return self._refusal(start, now)
            count.pending += 1
            if count.pending < self._batch and now - count.synced_at < SYNC_SECONDS:
                return None
            first = count.known == 0  # this process's first addition to the window
            added, count.pending, count.synced_at = count.pending, 0, now
            count.known += added
        total = self._add(client_id, start, added, forget_older=first)
        with self._lock:
            count.known = max(count.known, total)
        return self._refusal(start, now) if total > self._limit else None

    def _add(self, client_id: str, start: int, requests: int, *, forget_older: bool) -> int:
        """Add to the shared count in one short transaction; at this process's first addition to a window,
        also drop the client's rows older than the previous window (kept for hosts whose clocks lag a
        little). The add comes first: the window's row lock then orders concurrent deletes."""
        with self._store.unit_of_work(write=True) as uow:
            rows = RateLimitRows(uow)
            total = rows.add(client_id, _window_text(start), requests)
            if forget_older:
                rows.forget_before(client_id, _window_text(start - self._window))
        return total

    def _refusal(self, start: int, now: float) -> Refusal:
        return Refusal(self._limit, self._window, max(1, math.ceil(start + self._window - now)))


def _window_text(start: int) -> str:
    return instant_text(datetime.fromtimestamp(start, UTC))
