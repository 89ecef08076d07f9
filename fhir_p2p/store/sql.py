"""The SQL store: create, read, version-checked update, soft delete, history and search, on SQLite or PostgreSQL.

One `UnitOfWork` is one database transaction. Writers lock the resource row (`FOR UPDATE` on
PostgreSQL; SQLite write transactions are `BEGIN IMMEDIATE`) and then bump the version with
`UPDATE ... WHERE version_id = <read version>`, so two concurrent updates never lose a write.

A unit of work acts for a tenant (`fhir_p2p/tenancy.py`) or, with none, for every organization.
For a tenant, every read, search, include and history sees only what its organization may see; a
resource it may not see is "not known" exactly like one that does not exist (same error, same
body), a resource it may only read refuses writes (403), and it cannot create a resource under an
id of its choosing (an update of an unknown id is "not known": ids would otherwise leak). Shared
types are the exception: readable by all, created under any id, changed by their creator.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any

import orjson
from sqlalchemy import ColumnElement, Connection, Engine, case, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError, IntegrityError

from fhir_p2p.audit import Actor, Written, audit_records
from fhir_p2p.errors import BadRequest, Conflict, Gone, Issue, NotFound, PreconditionFailed
from fhir_p2p.search.dates import instant_text
from fhir_p2p.search.extract import extract_index
from fhir_p2p.search.model import Criterion, SearchRequest
from fhir_p2p.store import search_sql
from fhir_p2p.store.base import Clock, HistoryPage, SearchPage, StoredResource, WriteResult, WriteRules
from fhir_p2p.store.engine import WRITE, is_sqlite
from fhir_p2p.store.inserts import CurrentRow, DriverCursor, inserts_for, write_index
from fhir_p2p.store.owners import Owners, visible_in, visible_to
from fhir_p2p.store.schema import resource_versions, resources, x12_control_numbers
from fhir_p2p.store.writers import writer_queue_for
from fhir_p2p.tenancy import SHARED_TYPES, Tenant, check_parties, read_only

_MAX_VERSION = 2**31 - 1  # version_id is a 32-bit INTEGER on PostgreSQL
_LAST_CONTROL_NUMBER = 999_999_999  # ISA13 has nine digits; after this it starts again at 1

# PostgreSQL SQLSTATEs that mean "another transaction got in the way; try again".
_RETRYABLE_PG_STATES = frozenset({"40001", "40P01", "55P03"})


class Store:
    """Entry point to the database: hands out units of work."""

    def __init__(self, engine: Engine, clock: Clock, rules: WriteRules | None = None):
        self.engine = engine
        self.clock = clock
        self.rules = rules
        self._writers = writer_queue_for(engine)

    @contextmanager
    def unit_of_work(
        self, *, write: bool = False, tenant: Tenant | None = None, actor: Actor | None = None
    ) -> Iterator[UnitOfWork]:
        """Open one transaction acting for `tenant` (None: all); commit when the block ends normally.

        With an `actor`, what the unit writes is audited (fhir_p2p/audit.py) in the same transaction.

        Raises:
            Conflict: a concurrent transaction made this one impossible (unique key, deadlock).
        """
        try:
            with self._turn(write), self.engine.connect() as connection:
                if write:
                    connection.execution_options(**{WRITE: True})
                with connection.begin():
                    uow = UnitOfWork(connection, self.clock, tenant, actor, self.rules)
                    try:
                        yield uow
                        uow.finish()
                    finally:
                        uow.close()
        except IntegrityError as error:
            raise Conflict("The write conflicts with a concurrent change; retry the request") from error
        except DBAPIError as error:
            if getattr(error.orig, "sqlstate", None) in _RETRYABLE_PG_STATES:
                raise Conflict("The write conflicts with a concurrent change; retry the request") from error
            raise

    def dispose(self) -> None:
        self.engine.dispose()
        if self._writers is not None:
            self._writers.close()

    def _turn(self, write: bool) -> AbstractContextManager[None]:
        """A SQLite writer waits in the writers' queue (store/writers.py); everyone else goes straight in."""
        return self._writers.turn() if write and self._writers is not None else nullcontext()


class UnitOfWork:
    """The resource operations inside one transaction."""

    def __init__(
        self,
        connection: Connection,
        clock: Clock,
        tenant: Tenant | None = None,
        actor: Actor | None = None,
        rules: WriteRules | None = None,
    ):
        self.connection = connection
        self.clock = clock
        self.tenant = tenant
        self.rules = rules
        self.warnings: list[Issue] = []  # from the rules, for the caller
        self._actor = actor
        self._written: list[Written] = []
        self._sqlite = is_sqlite(connection.engine)
        self._inserts = inserts_for(connection.dialect)
        self._cursor: Any = None
        self._owners = Owners(connection, tenant.organization if tenant else None)

    def finish(self) -> None:
        """Complete the unit's writes before it commits: their audit records, the read access they grant."""
        if self._actor is not None and self._written:
            for record in audit_records(self._actor, self._written, instant_text(self.clock())):
                self._insert_new(record["resourceType"], self.new_id(), record, "POST", audit_record=True)
            self._written = []  # the audit records themselves are not audited
        self._owners.finish(self._driver_cursor())

    @property
    def actor(self) -> Actor | None:
        """Who the unit writes for (None: nobody is audited)."""
        return self._actor

    def close(self) -> None:
        """Release the driver cursor, if one was opened; the transaction is the caller's."""
        if self._cursor is not None:
            self._cursor.close()
            self._cursor = None

    def _driver_cursor(self) -> Any:
        """A cursor of the driver connection, inside this unit's transaction (for the precompiled statements)."""
        if self._cursor is None:
            self._cursor = DriverCursor(self.connection.connection.cursor(), self.connection.dialect)
        return self._cursor

    # --- reads -------------------------------------------------------------------------

    def read(self, resource_type: str, resource_id: str) -> StoredResource:
        """The current version. Raises NotFound (never existed) or Gone (deleted)."""
        row = self._current(resource_type, resource_id, lock=False)
        if row is None:
            raise _unknown(resource_type, resource_id)
        if row.deleted:
            raise Gone(f"{resource_type}/{resource_id} was deleted", headers={"ETag": f'W/"{row.version_id}"'})
        return StoredResource(resource_type, resource_id, row.version_id, row.last_updated, row.content.encode())

    def vread(self, resource_type: str, resource_id: str, version_id: int) -> StoredResource:
        """One version. Raises NotFound (no such version) or Gone (the version is a deletion)."""
        if version_id > _MAX_VERSION:  # more than the column holds: no such version
            raise _unknown(resource_type, f"{resource_id}/_history/{version_id}")
        row = self.connection.execute(
            select(resource_versions).where(
                resource_versions.c.res_type == resource_type,
                resource_versions.c.res_id == resource_id,
                resource_versions.c.version_id == version_id,
                *self._visible(resource_versions),
            )
        ).first()
        if row is None:
            raise _unknown(resource_type, f"{resource_id}/_history/{version_id}")
        if row.deleted:
            raise Gone(f"Version {version_id} of {resource_type}/{resource_id} is a deletion")
        return _version(row)

    def search(self, request: SearchRequest) -> SearchPage:
        return search_sql.run_search(self.connection, request, self._visible)

    def find(self, resource_type: str, criteria: tuple[Criterion, ...], limit: int = 2) -> list[StoredResource]:
        """Current resources matching all criteria (for conditional interactions), at most `limit`."""
        return search_sql.find(self.connection, resource_type, criteria, limit, self._visible)

    def history(
        self, resource_type: str | None, resource_id: str | None, *, since: str | None, count: int, cursor: str | None
    ) -> HistoryPage:
        """Versions, newest first: of one resource, of one type, or of everything; paged by cursor."""
        query = (
            select(resource_versions)
            .where(*self._visible(resource_versions))
            .order_by(resource_versions.c.pk.desc())
            .limit(count + 1)
        )
        if resource_type is not None:
            query = query.where(resource_versions.c.res_type == resource_type)
        if resource_id is not None:
            query = query.where(resource_versions.c.res_id == resource_id)
        if since is not None:
            query = query.where(resource_versions.c.last_updated >= since)
        if cursor is not None:
            query = query.where(resource_versions.c.pk < _decode_history_cursor(cursor))
        rows = self.connection.execute(query).all()
        next_cursor = _encode_history_cursor(rows[count - 1].pk) if len(rows) > count else None
        return HistoryPage([_version(row) for row in rows[:count]], next_cursor)

    def require_known(self, resource_type: str, resource_id: str) -> None:
        """Raise NotFound unless the resource exists or existed (deleted resources keep their history)."""
        row = self.connection.execute(
            select(resources.c.pk).where(
                resources.c.res_type == resource_type, resources.c.res_id == resource_id, *self._visible(resources)
            )
        ).first()
        if row is None:
            raise _unknown(resource_type, resource_id)

    # --- writes ------------------------------------------------------------------------

    def lock_for_conditional_create(self, key: str) -> None:
        """Serialize conditional creates with the same criteria (SQLite writers are serial already)."""
        if not self._sqlite:
            self.connection.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"), {"key": key})

    def new_id(self) -> str:
        return str(uuid.uuid4())

    def next_control_number(self, sender: str) -> int:
        """The next X12 interchange control number of `sender` ("ISA05:ISA06"), 1 after 999999999.

        Taken inside this unit's transaction (row-locked on PostgreSQL), so concurrent interchanges
        never share one; a rolled-back unit gives its number back.
        """
        table = x12_control_numbers
        insert = (sqlite.insert if self._sqlite else postgresql.insert)(table).values(sender=sender, last_number=1)
        bumped = case((table.c.last_number >= _LAST_CONTROL_NUMBER, 1), else_=table.c.last_number + 1)
        statement = insert.on_conflict_do_update(index_elements=[table.c.sender], set_={"last_number": bumped})
        number: int = self.connection.execute(statement.returning(table.c.last_number)).scalar_one()
        return number

    def create(self, resource_type: str, resource: dict[str, Any], resource_id: str | None = None) -> StoredResource:
        """Store a new resource as version 1 under `resource_id` (a fresh UUID when None).

        Raises:
            Forbidden: the tenant's party field names another organization (tenancy-001).
        """
        if self.tenant is not None:
            check_parties(self.tenant, resource_type, resource)
        if self.rules is not None:
            resource = self.rules.creating(self, resource_type, resource)
        return self._told(self._insert_new(resource_type, resource_id or self.new_id(), resource, "POST"), None)

    def update(
        self, resource_type: str, resource_id: str, resource: dict[str, Any], *, if_match: int | None = None
    ) -> WriteResult:
        """Store a new version (or create with the client's id when there is none).

        Raises:
            PreconditionFailed: `if_match` is given and is not the current version.
            NotFound: a tenant updates a resource it cannot see, or creates tenant data by update.
            Forbidden: a tenant updates a resource it may only read, or names another organization.
        """
        current = self._lock_current(resource_type, resource_id)
        if current is None:
            if self.tenant is not None and resource_type not in SHARED_TYPES:
                raise _unknown(resource_type, resource_id)
            if if_match is not None:
                raise _stale(resource_type, resource_id, if_match, None)
            if self.rules is not None:
                resource = self.rules.updating(self, resource_type, None, resource)
            return WriteResult(self._told(self._insert_new(resource_type, resource_id, resource, "PUT"), None), True)
        if if_match is not None and if_match != current.version_id:
            raise _stale(resource_type, resource_id, if_match, current.version_id)
        if self.tenant is not None:
            unchanged = self._check_writable(current, resource_type, resource_id, resource)
            if unchanged is not None:
                return WriteResult(unchanged, created=False)
            check_parties(self.tenant, resource_type, resource)
        previous = None if current.deleted or self.rules is None else orjson.loads(current.content)
        if self.rules is not None:
            resource = self.rules.updating(self, resource_type, previous, resource)
        stored = self._write_version(current, resource_type, resource_id, resource, "PUT")
        return WriteResult(self._told(stored, previous), created=bool(current.deleted))

    def delete(self, resource_type: str, resource_id: str) -> StoredResource | None:
        """Mark the resource deleted (a new version without content). None when it was already deleted.

        Raises:
            NotFound: there never was such a resource (or the tenant cannot see it).
            Forbidden: the tenant may only read it.
        """
        current = self._lock_current(resource_type, resource_id)
        if current is None:
            raise _unknown(resource_type, resource_id)
        if self.tenant is not None:
            self._check_writable(current, resource_type, resource_id, None)
        if current.deleted:
            return None
        return self._write_version(current, resource_type, resource_id, None, "DELETE")

    # --- internals ---------------------------------------------------------------------

    def _told(self, stored: StoredResource, previous: dict[str, Any] | None) -> StoredResource:
        """Tell the rules what was written (they may queue events about it); return it."""
        if self.rules is not None:
            self.rules.written(self, stored, previous)
        return stored

    def _audit(self, resource_type: str, resource_id: str, version_id: int, method: str) -> None:
        if self._actor is not None:  # without an actor nothing is audited: keep nothing
            self._written.append(Written(resource_type, resource_id, version_id, method))

    def _visible(self, table: Any) -> list[ColumnElement[bool]]:
        """The conditions that keep a row of `resources` or `resource_versions` to what the tenant may see."""
        if self.tenant is None:
            return []
        if table is resources or table is resource_versions:
            return [visible_in(self.tenant.organization, table)]
        pk = table.c.res_pk if "res_pk" in table.c else table.c.pk  # resource_versions, or resources (an alias)
        return [visible_to(self.tenant.organization, pk, table.c.res_type)]

    def _lock_current(self, resource_type: str, resource_id: str) -> CurrentRow | None:
        """The current row, locked; None when there is none or the tenant cannot see it."""
        return self._current(resource_type, resource_id, lock=True)

    def _current(self, resource_type: str, resource_id: str, *, lock: bool) -> CurrentRow | None:
        """The current row the tenant may see (precompiled, on the driver cursor: every read and write asks)."""
        inserts = self._inserts
        cursor = self._driver_cursor()
        if self.tenant is None:
            statement = inserts.locked if lock else inserts.current
            cursor.execute(statement.sql, statement.bind({"type": resource_type, "id": resource_id}))
        else:
            statement = inserts.locked_visible if lock else inserts.current_visible
            values = {"type": resource_type, "id": resource_id, "organization": self.tenant.organization}
            cursor.execute(statement.sql, statement.bind(values))
        return CurrentRow.of(cursor.fetchone())

    def _check_writable(
        self, current: Any, resource_type: str, resource_id: str, resource: dict[str, Any] | None
    ) -> StoredResource | None:
        """Refuse a tenant's write to a resource it may only read, unless the write changes nothing.

        Returns the current version when `resource` equals it (a no-op: a shared Practitioner that
        an inbound 278 names again), None when the tenant may write.
        """
        assert self.tenant is not None
        kinds = self._owners.kinds(self._driver_cursor(), current.pk)
        if "creator" in kinds or ("party" in kinds and resource_type not in SHARED_TYPES):
            return None
        if resource is not None and not current.deleted:
            stored = orjson.loads(current.content)
            if _without_meta(stored) == _without_meta(resource):  # the row is locked: it is still current
                content = current.content.encode()
                return StoredResource(resource_type, resource_id, current.version_id, current.last_updated, content)
        raise read_only(resource_type, resource_id)

    def _insert_new(
        self, resource_type: str, resource_id: str, resource: dict[str, Any], method: str, *, audit_record: bool = False
    ) -> StoredResource:
        now = instant_text(self.clock())
        body = with_meta(resource_type, resource, resource_id, 1, now)
        content = orjson.dumps(body)
        text_content = content.decode()
        cursor = self._driver_cursor()
        statement = self._inserts.resource
        cursor.execute(statement.sql, statement.params((resource_type, resource_id, 1, now, False, text_content)))
        pk = cursor.fetchone()[0]
        self._add_version(pk, resource_type, resource_id, 1, now, method, text_content)
        self._write_index(pk, resource_type, body)
        self._owners.wrote(cursor, pk, resource_type, body, new=True, grants=not audit_record)
        self._audit(resource_type, resource_id, 1, method)
        return StoredResource(resource_type, resource_id, 1, now, content, method=method)

    def _write_version(
        self, current: Any, resource_type: str, resource_id: str, resource: dict[str, Any] | None, method: str
    ) -> StoredResource:
        now = instant_text(self.clock())
        version_id = current.version_id + 1
        deleted = resource is None
        if resource is None:
            content, text_content = b"", None
        else:
            body = with_meta(resource_type, resource, resource_id, version_id, now)
            content = orjson.dumps(body)
            text_content = content.decode()
        cursor = self._driver_cursor()
        statement = self._inserts.update_current
        values = {
            "new_version": version_id,
            "last_updated": now,
            "deleted": deleted,
            "content": current.content if text_content is None else text_content,
            "pk": current.pk,
            "version": current.version_id,
        }
        cursor.execute(statement.sql, statement.bind(values))
        if cursor.rowcount != 1:
            raise Conflict(f"{resource_type}/{resource_id} was changed concurrently; retry the request")
        self._add_version(current.pk, resource_type, resource_id, version_id, now, method, text_content)
        for statement in self._inserts.delete_index:
            cursor.execute(statement.sql, statement.bind({"pk": current.pk}))
        if resource is not None:
            self._write_index(current.pk, resource_type, body)
        self._owners.wrote(cursor, current.pk, resource_type, None if resource is None else body, new=False)
        self._audit(resource_type, resource_id, version_id, method)
        return StoredResource(resource_type, resource_id, version_id, now, content, deleted=deleted, method=method)

    def _add_version(
        self, pk: int, resource_type: str, resource_id: str, version_id: int, now: str, method: str, content: str | None
    ) -> None:
        statement = self._inserts.version
        values = (pk, resource_type, resource_id, version_id, now, method, content is None, content)
        self._driver_cursor().execute(statement.sql, statement.params(values))

    def _write_index(self, pk: int, resource_type: str, body: dict[str, Any]) -> None:
        write_index(self._driver_cursor(), self._inserts, pk, resource_type, extract_index(body))


def with_meta(
    resource_type: str, resource: dict[str, Any], resource_id: str, version_id: int, now: str
) -> dict[str, Any]:
    """The caller's resource with the server's `id`, `meta.versionId` and `meta.lastUpdated`; nothing else changes."""
    meta = dict(resource.get("meta") or {})
    meta["versionId"] = str(version_id)
    meta["lastUpdated"] = now
    body: dict[str, Any] = {"resourceType": resource_type, "id": resource_id, "meta": meta}
    for key, value in resource.items():
        if key not in body:
            body[key] = value
    return body


def _version(row: Any) -> StoredResource:
    return StoredResource(
        row.res_type,
        row.res_id,
        row.version_id,
        row.last_updated,
        (row.content or "").encode(),
        deleted=row.deleted,
        method=row.method,
    )


# Rule ids of this module; last id used: store-003.


def _unknown(resource_type: str, resource_id: str) -> NotFound:
    """The one answer for a resource that does not exist and for one the tenant cannot see."""
    message = f"{resource_type}/{resource_id} is not known"
    return NotFound(message, issues=[Issue("error", "not-found", message, rule="store-001")])


def _without_meta(resource: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in resource.items() if key != "meta"}


def _stale(resource_type: str, resource_id: str, expected: int, current: int | None) -> PreconditionFailed:
    now = "does not exist" if current is None else f"is at version {current}"
    message = f"If-Match asked for version {expected} of {resource_type}/{resource_id}, which {now}"
    return PreconditionFailed(message, issues=[Issue("error", "conflict", message, "http.If-Match", "store-002")])


def _encode_history_cursor(pk: int) -> str:
    return base64.urlsafe_b64encode(str(pk).encode()).decode().rstrip("=")


def _decode_history_cursor(cursor: str) -> int:
    try:
        return int(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode())
    except (ValueError, binascii.Error, UnicodeDecodeError) as error:
        message = "The _cursor parameter is not one this server issued"
        raise BadRequest(message, issues=[Issue("error", "value", message, "_cursor", "store-003")]) from error
