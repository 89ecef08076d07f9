"""One SQLite writer at a time, queued in the kernel instead of in SQLite's busy handler.

SQLite lets one write transaction run at a time; a second `BEGIN IMMEDIATE` gets SQLITE_BUSY and
its busy handler sleeps 1, 2, 5, 10, 15... ms between retries, so a worker often sleeps several
milliseconds for a lock that is held for half of one. Writers of this server first take an
exclusive `flock` on `<database>-writers.lock` (a thread lock first, as a flock is per process):
a blocked `flock` wakes as soon as the holder lets go. SQLite's own locking stays in force for
anyone else (a second server without the queue, the sqlite3 shell); the queue only makes ours fair
and prompt. Measured in benchmarks/README.md.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine

from fhir_p2p.store.engine import is_sqlite


class WriterQueue:
    """The writers' lock of one SQLite file, shared by the threads and processes that open it."""

    def __init__(self, database: Path):
        self.path = database.with_name(database.name + "-writers.lock")
        self._threads = threading.Lock()
        self._fd: int | None = None
        self._pid = 0

    @contextmanager
    def turn(self) -> Iterator[None]:
        """Wait for this writer's turn (threads of this process, then other processes); hold it in the block."""
        with self._threads:
            fd = self._descriptor()
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)

    def close(self) -> None:
        with self._threads:
            if self._fd is not None and self._pid == os.getpid():
                os.close(self._fd)
            self._fd = None

    def _descriptor(self) -> int:
        # A forked child must open its own descriptor: a flock belongs to the open file, which a
        # child shares with its parent, so a shared descriptor would not keep the two apart.
        if self._fd is None or self._pid != os.getpid():
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            self._pid = os.getpid()
        return self._fd


def writer_queue_for(engine: Engine) -> WriterQueue | None:
    """The queue of a file-backed SQLite engine; None for PostgreSQL and in-memory SQLite."""
    database = engine.url.database
    if not is_sqlite(engine) or not database or database == ":memory:" or database.startswith("file:"):
        return None
    return WriterQueue(Path(database).resolve())
