"""CSV made by PostgreSQL itself (`COPY (SELECT …) TO STDOUT`) for the raw exports.

Reading a million ledger rows into Python objects and writing them out again costs tens of
microseconds a row; PostgreSQL writes the same CSV several times faster and Python only passes the bytes
on. The file is the one `writers.write_csv` makes from the same columns: each column becomes a SQL
expression that renders it as the Python writer would —

- a code with `ChoiceLabels` becomes its label in the active language (a CASE over the codes, the labels
  bound as parameters), an unknown code stays as it is;
- text that a spreadsheet would run as a formula (`= + - @`, tab, carriage return) gets a leading
  apostrophe;
- a moment is written as local (Korean) time `YYYY-MM-DD HH24:MI:SS`, a date as `YYYY-MM-DD`, a flag as
  Y/N, numbers as digits;

— with the UTF-8 BOM and the header row in front, and CRLF line ends (PostgreSQL ends rows with LF; the
stream is rewritten outside quoted fields, so a line break inside a value is kept as it is).

Only columns rendered by `ChoiceLabels` (or not at all) can be made in SQL; `copy_supported` says so,
and `exports.services.export_write` falls back on the Python writer otherwise.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from typing import IO, Any

from django.conf import settings
from django.db import connections
from django.db.models import Case, F, Func, GenericIPAddressField, QuerySet, TextField, Value, When
from django.db.models.expressions import Combinable
from django.db.models.functions import Cast, NullIf

from exports.datasets.base import ChoiceLabels, Column, Dataset
from exports.writers import neutralise

# One character class for the spreadsheet formula prefixes of writers.FORMULA_PREFIXES.
_FORMULA_START = r"^[=+\-@\t\r]"


class Neutralise(Func):
    """`'` + text when the text starts like a formula, else the text (writers.neutralise in SQL). The
    expression is referenced once, so its parameters are bound once."""

    # In the replacement, '' is one apostrophe (SQL quoting) and \& the matched character.
    template = "regexp_replace(%(expressions)s, '" + _FORMULA_START + "', '''\\&')"
    output_field = TextField()


class LocalTimestamp(Func):
    """A timestamptz as local wall-clock text, `YYYY-MM-DD HH24:MI:SS` (the writers' format)."""

    template = "to_char(timezone(%(expressions)s), 'YYYY-MM-DD HH24:MI:SS')"
    output_field = TextField()


def copy_supported(dataset: Dataset) -> bool:
    return all(c.render is None or isinstance(c.render, ChoiceLabels) for c in dataset.columns)


class Host(Func):
    """An inet address as text without its prefix length (`10.0.0.2`, not `10.0.0.2/32`)."""

    function = "host"
    output_field = TextField()


def _as_text(queryset: QuerySet[Any], column: Column) -> Combinable:
    field = queryset.query.resolve_ref(column.source).output_field
    if isinstance(field, GenericIPAddressField):
        return Host(F(column.source))
    return Cast(F(column.source), TextField())


def _expression(queryset: QuerySet[Any], column: Column) -> Combinable:
    source = F(column.source)
    if column.kind in ("int", "money", "decimal", "date"):
        return source  # COPY writes numbers as digits and dates in ISO form, NULL as an empty field
    if column.kind == "datetime":
        return LocalTimestamp(Value(settings.TIME_ZONE), source)
    if column.kind == "bool":
        return Case(
            When(**{column.source: True}, then=Value("Y")), When(**{column.source: False}, then=Value("N"))
        )
    text: Combinable = _as_text(queryset, column)
    if isinstance(column.render, ChoiceLabels):
        whens = [
            When(**{column.source: code}, then=Value(label)) for code, label in column.render.labels().items()
        ]
        if whens:
            text = Case(*whens, default=text, output_field=TextField())
    # COPY writes '' as "" and NULL as nothing; the Python writer writes both as nothing.
    return NullIf(Neutralise(text), Value(""), output_field=TextField())


class _Lines:
    """Rewrites PostgreSQL's LF row ends as CRLF outside quoted fields, and counts the rows."""

    def __init__(self) -> None:
        self.quoted = False  # inside a quoted field at the end of the previous chunk
        self.rows = 0

    def feed(self, chunk: bytes) -> bytes:
        parts = chunk.split(b'"')
        for i in range(len(parts)):
            inside = self.quoted if i % 2 == 0 else not self.quoted
            if not inside and b"\n" in parts[i]:
                self.rows += parts[i].count(b"\n")
                parts[i] = parts[i].replace(b"\n", b"\r\n")
        # An odd number of quotes in the chunk flips the state for the next one.
        if (len(parts) - 1) % 2:
            self.quoted = not self.quoted
        return b'"'.join(parts)


def copy_csv(
    *,
    dataset: Dataset,
    queryset: QuerySet[Any],
    out: IO[bytes],
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write the rows of `queryset` as CSV to `out` with PostgreSQL's COPY; returns the number of rows.

    `progress(n)` is called once, when the COPY has ended: while it runs the connection is busy with it,
    and a progress report writes to the database (exports.services; a write on the same connection
    would wait for the COPY for ever). At a few hundred thousand rows a second the file is ready before
    a progress bar would move."""
    aliases = {f"export_col_{i}": _expression(queryset, c) for i, c in enumerate(dataset.columns)}
    sql, params = queryset.annotate(**aliases).values_list(*aliases).query.sql_with_params()
    header = io.StringIO()
    csv.writer(header, lineterminator="\r\n").writerow([neutralise(str(c.header)) for c in dataset.columns])
    out.write(b"\xef\xbb\xbf" + header.getvalue().encode("utf-8"))
    lines = _Lines()
    connection = connections[queryset.db]
    connection.ensure_connection()
    cursor = connection.connection.cursor()
    with cursor, cursor.copy(f"COPY ({sql}) TO STDOUT (FORMAT csv)", params) as copy:
        for chunk in copy:
            out.write(lines.feed(bytes(chunk)))
    if progress is not None:
        progress(lines.rows)
    return lines.rows


__all__: Sequence[str] = ("copy_csv", "copy_supported")
