"""Historical aggregates (과거 집계) through `factories.aggregates.aggregate_import_rows`.

The aggregate import owns its rules (metrics, years from 2000, MOIS region codes valid in the year,
levels, one figure per cell, no mixed breakdowns, a figure already loaded is refused); this kind hands
it the rows under its own column names and turns its errors into errors by row and column. Validation
is the aggregate import's dry run; the commit runs it again for real in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext_lazy as _

from exports.imports.base import AnyUser, Column, ImportKind, Row, RunContext
from factories.aggregates import ImportConflict, ImportRefused, aggregate_import_rows
from factories.models import AggregateMetric, AggregateStatus, FactoryOrigin
from factories.permissions import can_import_aggregates
from programs.models import ProgramType


def _values(choices: list[tuple[str, Any]]) -> list[str]:
    return [value for value, _label in choices]


class AggregatesKind(ImportKind):
    key = "aggregates"
    label = _("Historical aggregates")
    description = _(
        "Counts from before the system's records, by metric and year (optionally by region, program type, "
        "origin or level), with their source."
    )
    columns = (
        Column(
            "metric",
            "지표",
            "Metric",
            type="raw",
            required=True,
            help=_("deployments or trained_workers."),
            choices=lambda: _values(AggregateMetric.choices),
        ),
        Column("year", "연도", "Year", type="raw", required=True, width=8),
        Column(
            "region",
            "시도 코드",
            "Region code",
            type="raw",
            help=_("The MOIS code valid in that year (e.g. 41), or blank for the whole country."),
            width=10,
        ),
        Column(
            "program_type",
            "사업유형",
            "Program type",
            type="raw",
            choices=lambda: _values(ProgramType.choices),
        ),
        Column("origin", "보급구분", "Origin", type="raw", choices=lambda: _values(FactoryOrigin.choices)),
        Column("level", "수준", "Level", type="raw", help=_("L1 to L5, or blank."), width=8),
        Column("value", "값", "Value", type="raw", required=True, width=10),
        Column(
            "status",
            "상태",
            "Status",
            type="raw",
            required=True,
            help=_("확정 (actual) or 잠정 (provisional)."),
            choices=lambda: ["확정", "잠정", *_values(AggregateStatus.choices)],
        ),
        Column("source", "출처", "Source", type="raw", required=True, width=30),
    )

    def can_import(self, user: AnyUser) -> bool:
        return can_import_aggregates(user)

    def _rows(self, rows: list[Row]) -> Iterator[tuple[int, list[Any]]]:
        """The rows as the aggregate import reads a file: a header of its column names first."""
        keys = [c.key for c in self.columns]
        yield 1, keys
        for row in rows:
            yield row.number, [row.values.get(k) for k in keys]

    def _run(self, rows: list[Row], ctx: RunContext, *, dry_run: bool) -> int:
        try:
            result = aggregate_import_rows(actor=ctx.actor, rows=self._rows(rows), dry_run=dry_run)
        except (ImportRefused, ImportConflict) as exc:
            for error in exc.errors:
                key = error.column if error.column in self._by_key else ""
                ctx.error(error.row, key, error.code, error.message)
            return 0
        return len(result.cells)

    def validate(self, rows: list[Row], ctx: RunContext) -> list[Row]:
        self._run(rows, ctx, dry_run=True)
        return rows

    def commit(self, prepared: list[Row], ctx: RunContext) -> int:
        return self._run(prepared, ctx, dry_run=False)
