"""The database backend: django-tenants' PostgreSQL backend with two changes.

**search_path only when it changes.** django-tenants forgets the search_path it set every time a
tenant is set, even the same one again, so a tenant request that entered its own schema's context
(the membership check, a service) sent `SET search_path` four times. Here
`search_path_set_schemas` means what the server session has, and is forgotten only when the server
may have dropped it (a rollback, a savepoint rollback, a new connection): a request sends at most
one SET, none when its connection served the same schema before. Content types live in the public
schema only (TENANT_APPS), so set_tenant() no longer empties the ContentType cache either.

**Transaction pooling** (PgBouncer `pool_mode = transaction`; set `DATABASE_POOL_MODE=transaction`).
Each transaction may run on another server connection, so a session-level SET would stay behind
for whichever client gets that connection next (django-tenants #545, #732, #1112: a user of
enterprise A served from B's schema). In this mode the search_path is never set for the session:
a transaction that needs a tenant schema sets it with SET LOCAL as its first statement (again
whenever the schema changes inside it), and a statement run outside a transaction while a tenant
schema is selected gets a transaction of its own (BEGIN; SET LOCAL; the statement; COMMIT). A
public-schema statement outside a transaction needs nothing: the server's default search_path is
public, and nothing in this mode ever changes it for a session.
"""

import select

from django.db import transaction
from django.db.backends.postgresql.base import CursorDebugWrapper as PostgresCursorDebugWrapper
from django.db.backends.utils import CursorWrapper
from django_tenants.postgresql_backend import base
from django_tenants.utils import get_public_schema_name, quote_schema_name
from psycopg.pq import ConnStatus, TransactionStatus

UNKNOWN = ("?",)  # the transaction's search_path cannot be known (after a savepoint rollback)


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, settings_dict, *args, **kwargs):
        self.pooled_transactions = settings_dict.get("POOL_MODE") == "transaction"
        self._local_search_path = None
        super().__init__(settings_dict, *args, **kwargs)

    def set_tenant(self, tenant, include_public=True):
        # An enterprise whose schema the migrator has not reached yet is never entered: new code
        # against old tables would fail in the middle of a request or a task (tenants/upgrades.py).
        if (
            getattr(tenant, "schema_version_id", False) is not False
            and tenant.schema_name != get_public_schema_name()
        ):
            from tenants.upgrades import refuse_if_behind

            refuse_if_behind(tenant)
        self.tenant = tenant
        self.schema_name = tenant.schema_name
        self.include_public_schema = include_public
        self.set_settings_schema(self.schema_name)
        if base.EXTRA_SET_TENANT_METHOD:
            base.EXTRA_SET_TENANT_METHOD(self, tenant)

    def _handle_search_path(self, cursor=None):
        if self._setting_search_path:
            return
        desired = self._get_cursor_search_paths()
        if self.pooled_transactions:
            if not self.get_autocommit():
                self._set_local_search_path(cursor, desired)
            return
        if self.search_path_set_schemas == desired:
            return
        self.search_path_set_schemas = None
        super()._handle_search_path(cursor)

    def is_usable(self):
        """CONN_HEALTH_CHECKS without a round trip: Django asks the server `SELECT 1` before the first
        query of every request. An idle connection has nothing to read; if its socket is readable,
        the server has said something on its own, in practice that it is closing the connection (a
        restart, a terminated backend, a replica shutting down), so a new one is made."""
        if self.connection is None or self.connection.closed:
            return False
        pgconn = self.connection.pgconn
        if pgconn.status != ConnStatus.OK or pgconn.transaction_status == TransactionStatus.UNKNOWN:
            return False
        try:
            poller = select.poll()  # not select.select: it refuses descriptors above 1023
            poller.register(pgconn.socket, select.POLLIN)
            return not poller.poll(0)
        except (OSError, ValueError):
            return False

    # --- transaction pooling ------------------------------------------------------------------------

    def _set_local_search_path(self, cursor, desired=None) -> None:
        """SET LOCAL in the current transaction, unless it already has that path (or needs the
        public one and has not changed it). `cursor` is a raw driver cursor, or None."""
        desired = desired or self._get_cursor_search_paths()
        current = self._local_search_path
        if current == desired or (current is None and desired == [get_public_schema_name()]):
            return
        self._setting_search_path = True
        own = cursor is None
        cursor = self.connection.cursor() if own else cursor
        try:
            with self.wrap_database_errors:
                cursor.execute("SET LOCAL search_path = " + ",".join(quote_schema_name(s) for s in desired))
            self._local_search_path = desired
        finally:
            self._setting_search_path = False
            if own:
                cursor.close()

    def needs_own_transaction(self) -> bool:
        """A statement about to run outside a transaction while a tenant schema is selected."""
        return (
            self.pooled_transactions
            and self.get_autocommit()
            and self._get_cursor_search_paths() != [get_public_schema_name()]
        )

    def commit(self):
        try:
            super().commit()
        finally:
            self._local_search_path = None

    def rollback(self):
        try:
            super().rollback()
        finally:
            self._local_search_path = None

    def savepoint_rollback(self, sid):
        try:
            super().savepoint_rollback(sid)
        finally:
            # What the rollback undid is not known here: set it again before the next statement.
            if self._local_search_path is not None:
                self._local_search_path = UNKNOWN

    def set_autocommit(self, *args, **kwargs):
        super().set_autocommit(*args, **kwargs)
        self._local_search_path = None

    def close(self):
        self._local_search_path = None
        super().close()

    def make_cursor(self, cursor):
        if self.pooled_transactions:
            return PooledCursorWrapper(cursor, self)
        return super().make_cursor(cursor)

    def make_debug_cursor(self, cursor):
        if self.pooled_transactions:
            return PooledCursorDebugWrapper(cursor, self)
        return super().make_debug_cursor(cursor)


class _OwnTransaction:
    """Runs a statement in a transaction of its own when the connection is in autocommit and a
    tenant schema is selected (transaction pooling only)."""

    def _in_own_transaction(self, run, *args):
        if not self.db.needs_own_transaction():
            return run(*args)
        with transaction.atomic(using=self.db.alias):
            self.db._set_local_search_path(self.cursor)
            return run(*args)

    def execute(self, sql, params=None):
        return self._in_own_transaction(super().execute, sql, params)

    def executemany(self, sql, param_list):
        return self._in_own_transaction(super().executemany, sql, param_list)

    def callproc(self, procname, params=None, kparams=None):
        return self._in_own_transaction(super().callproc, procname, params, kparams)


class PooledCursorWrapper(_OwnTransaction, CursorWrapper):
    pass


class PooledCursorDebugWrapper(_OwnTransaction, PostgresCursorDebugWrapper):
    pass
