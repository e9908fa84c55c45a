"""Bulk writes with PostgreSQL COPY (psycopg 3), the only way to load national scale in minutes.

Rows are tuples in the order of the named model fields (attribute names such as `company_id`). Ids are
given explicitly where other rows refer to them, so nothing has to be read back; the identity sequences
are moved past them afterwards with `sync_sequences`. While the big tables load, their foreign keys are
set aside and added back afterwards (`foreign_keys_set_aside`), as PostgreSQL's "Populating a Database"
advises: one validating join per key instead of a trigger per row and key; so are their secondary indexes
(`indexes_set_aside`: one sort per index instead of a B-tree descent per row and index). The audit
triggers of django-pghistory are set aside too (`triggers_set_aside`): the bulk rows are the seed's
starting point, not changes anyone made.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import cast

import pghistory.trigger
import pgtrigger
from django.db import connection, models
from psycopg import sql


def copy_rows(model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
    """COPY rows into the model's table; returns how many were written."""
    meta = model._meta
    columns = [cast(models.Field, meta.get_field(name)).column for name in fields]
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(meta.db_table), sql.SQL(", ").join([sql.Identifier(str(c)) for c in columns])
    )
    count = 0
    with connection.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def next_id(model: type[models.Model]) -> int:
    """The first free id of a table (rows made through services come before the bulk rows)."""
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")  # noqa: S608 - quoted table name
        return int(cursor.fetchone()[0])


def sync_sequences(models_: Iterable[type[models.Model]]) -> None:
    """Move each identity sequence past the highest id, so later inserts through the ORM do not collide."""
    with connection.cursor() as cursor:
        for model in models_:
            table = model._meta.db_table
            quoted = connection.ops.quote_name(table)
            query = f"SELECT setval(pg_get_serial_sequence(%s, 'id'), COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM {quoted}"  # noqa: E501, S608 - quoted table name
            cursor.execute(query, [table])


def analyze(models_: Iterable[type[models.Model]]) -> None:
    """Refresh planner statistics after a bulk load, so the first pages do not plan for empty tables."""
    with connection.cursor() as cursor:
        for model in models_:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


@contextmanager
def indexes_set_aside(models_: Iterable[type[models.Model]]) -> Iterator[None]:
    """Drop the secondary indexes and unique constraints of these tables, run the body, then build them
    again (same names, same definitions). Building an index once over a loaded table is a sort; keeping it
    up to date row by row is a random B-tree descent per row and index, which costs most of a bulk load
    (and on a server with little shared memory, the evictions that go with it). Primary keys stay: their
    ids come in ascending order and other tables' foreign keys need them. A duplicate still fails the seed
    when its unique index is built again; being DDL inside the seed's transaction, all of it rolls back on
    any error.
    """
    tables = [model._meta.db_table for model in models_]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            "SELECT t.relname, i.relname, pg_get_indexdef(x.indexrelid), c.conname, "
            "pg_get_constraintdef(c.oid) "
            "FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid "
            "JOIN pg_namespace n ON n.oid = t.relnamespace "
            "LEFT JOIN pg_constraint c ON c.conindid = x.indexrelid AND c.conrelid = x.indrelid "
            "AND c.contype IN ('u', 'x') "
            "WHERE n.nspname = current_schema() AND t.relname = ANY(%s) AND NOT x.indisprimary "
            "ORDER BY t.relname, i.relname",
            [tables],
        )
        indexes = cursor.fetchall()
        for table, index, _definition, constraint, _constraint_definition in indexes:
            if constraint:
                cursor.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(constraint)}")
            else:
                cursor.execute(f"DROP INDEX {quote(index)}")
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for table, _index, definition, constraint, constraint_definition in indexes:
            if constraint:
                cursor.execute(
                    f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(constraint)} {constraint_definition}"
                )
            else:
                cursor.execute(definition)


@contextmanager
def foreign_keys_set_aside(models_: Iterable[type[models.Model]]) -> Iterator[None]:
    """Drop the foreign keys of these tables, run the body, then add the same constraints back (same
    names, same definitions: the schema is as before). Adding a key back checks every row in one join, so
    a bad reference still fails the seed, and being DDL inside the seed's transaction, all of it rolls
    back with the transaction on any error.

    Pending deferred checks of earlier rows are run first: PostgreSQL refuses to alter a table that has
    pending trigger events.
    """
    tables = [model._meta.db_table for model in models_]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            "SELECT t.relname, c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c "
            "JOIN pg_class t ON t.oid = c.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace "
            "WHERE c.contype = 'f' AND n.nspname = current_schema() AND t.relname = ANY(%s) "
            "ORDER BY t.relname, c.conname",
            [tables],
        )
        keys = cursor.fetchall()
        for table, name, _definition in keys:
            cursor.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for table, name, definition in keys:
            cursor.execute(f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {definition}")


def history_triggers(models_: Iterable[type[models.Model]]) -> list[str]:
    """The URIs ("app.Model:name") of the django-pghistory triggers that track these models."""
    wanted = set(models_)
    return sorted(
        f"{model._meta.label}:{trigger.name}"
        for model, trigger in pgtrigger.registered()
        if model in wanted and isinstance(trigger, pghistory.trigger.Event)
    )


@contextmanager
def triggers_set_aside(uris: Sequence[str]) -> Iterator[None]:
    """Run the body with these triggers (pgtrigger URIs, "app.Model:name") disabled, then enable them again.

    `pgtrigger.ignore`, which pghistory documents for pausing its tracking, keeps the trigger firing and
    has it look up the ignore list, in a PL/pgSQL block with an exception handler, i.e. a subtransaction
    per row: measured on the seed's disbursement requests, 14 s per million rows against 3 s with the
    trigger disabled (45 s with tracking on). `ALTER TABLE … DISABLE TRIGGER` is DDL inside the seed's
    transaction: it holds the table's exclusive lock until commit, so no other session writes past the
    trigger meanwhile, and it rolls back with everything else on any error.
    """
    registered = {
        f"{model._meta.label}:{trigger.name}": (model, trigger) for model, trigger in pgtrigger.registered()
    }
    unknown = sorted(set(uris) - set(registered))
    if unknown:
        raise ValueError(f"unknown triggers: {', '.join(unknown)}")
    quote = connection.ops.quote_name
    names = [
        (quote(model._meta.db_table), quote(trigger.get_pgid(model)))
        for model, trigger in (registered[u] for u in uris)
    ]
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for table, name in names:
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {name}")
    yield
    with connection.cursor() as cursor:
        for table, name in names:
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {name}")
