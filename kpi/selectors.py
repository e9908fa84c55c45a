"""Reads of KPI snapshots: any metric by any breakdown it supports, from the cells of a snapshot.

`breakdown(snapshot, code, group_by=(...), filters={...})` is the one query every dashboard, API and
export uses: one indexed GROUP BY over the snapshot's cells of that metric, never over raw rows.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from core.errors import NotFound, ValidationFailed
from kpi.models import Snapshot, SnapshotKind
from kpi.registry import Metric, is_registered, metric


@dataclass(frozen=True)
class Row:
    dims: dict[str, Any]
    value: Decimal | None  # None: a ratio whose denominator is zero
    provisional: bool = False


def current_snapshot() -> Snapshot | None:
    """The live snapshot dashboards read (None before the first refresh)."""
    return Snapshot.objects.filter(kind=SnapshotKind.LIVE, is_current=True).first()


def official_snapshots() -> QuerySet[Snapshot]:
    return Snapshot.objects.filter(kind=SnapshotKind.OFFICIAL).order_by("-as_of", "-taken_at")


def snapshot_get(snapshot_id: object) -> Snapshot:
    try:
        return Snapshot.objects.get(pk=int(str(snapshot_id)))
    except (ValueError, Snapshot.DoesNotExist) as exc:
        raise NotFound() from exc


def _metric_or_404(code: str) -> Metric:
    if not is_registered(code):
        raise NotFound()
    return metric(code)


def _check_dims(m: Metric, group_by: Sequence[str], filters: Mapping[str, Any]) -> None:
    unknown = [d for d in [*group_by, *filters] if d not in m.breakdowns]
    if unknown:
        raise ValidationFailed(
            fields={
                "group_by": [
                    _("%(metric)s has no breakdown by %(dims)s.")
                    % {"metric": m.code, "dims": ", ".join(sorted(set(unknown)))}
                ]
            },
            code="unknown_breakdown",
        )


_SUM_SQL = """
SELECT {select} SUM(v.value), bool_or(v.status = 'provisional')
  FROM kpi_value v
 WHERE v.snapshot_id = %s AND v.metric = %s AND v.dims @> %s::jsonb
 {group}
"""


def _sum_rows(snapshot_id: int, code: str, group_by: Sequence[str], filters: Mapping[str, Any]) -> list[Row]:
    select = "v.dims -> %s, " * len(group_by)
    group = ""
    if group_by:
        positions = ", ".join(str(i + 1) for i in range(len(group_by)))
        group = f"GROUP BY {positions} ORDER BY {positions}"
    sql = _SUM_SQL.format(select=select, group=group)
    params: list[Any] = [*group_by, snapshot_id, code, json.dumps(dict(filters))]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    out = []
    for row in rows:
        *raw_keys, total, provisional = row
        # A raw cursor returns jsonb as text (Django turns psycopg's JSON parsing off).
        keys = [json.loads(k) if isinstance(k, str) else k for k in raw_keys]
        if total is None and not group_by:
            total = Decimal(0)
        out.append(Row(dict(zip(group_by, keys, strict=True)), total, bool(provisional)))
    return out


def _exact_rows(
    snapshot_id: int, code: str, group_by: Sequence[str], filters: Mapping[str, Any]
) -> list[Row]:
    """The ready-made cells whose dims are exactly the group-by dimensions plus the filters."""
    keys = sorted({*group_by, *filters})
    sql = """
    SELECT v.dims, v.value, v.status = 'provisional'
      FROM kpi_value v
     WHERE v.snapshot_id = %s AND v.metric = %s AND v.dims @> %s::jsonb
       AND (SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(v.dims) k) IS NOT DISTINCT FROM %s::text[]
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [snapshot_id, code, json.dumps(dict(filters)), keys or None])
        rows = cursor.fetchall()
    # A raw cursor returns jsonb as text (Django turns psycopg's JSON parsing off).
    parsed = [
        (json.loads(dims) if isinstance(dims, str) else dims, value, prov) for dims, value, prov in rows
    ]
    out = [Row({d: dims.get(d) for d in group_by}, value, bool(prov)) for dims, value, prov in parsed]
    return sorted(out, key=lambda r: tuple(str(r.dims[d]) for d in group_by))


def breakdown(
    snapshot: Snapshot,
    code: str,
    *,
    group_by: Sequence[str] = (),
    filters: Mapping[str, Any] | None = None,
) -> list[Row]:
    """The metric's value for each combination of `group_by` dimensions, within `filters`
    (dimension → value). NotFound for an unknown metric; ValidationFailed for a breakdown the metric
    does not support. A ratio metric's rows are percentages (numerator ÷ denominator × 100) with None
    where the denominator is zero."""
    m = _metric_or_404(code)
    filters = dict(filters or {})
    _check_dims(m, group_by, filters)
    if m.aggregation == "sum":
        return _sum_rows(snapshot.pk, code, group_by, filters)
    if m.aggregation == "exact":
        # Medians and means are stored only for the combinations the metric lists; never combined.
        if not any(set(b) == {*group_by, *filters} for b in m.exact_breakdowns):
            raise ValidationFailed(
                fields={"group_by": [_("This metric is not stored for that combination of breakdowns.")]},
                code="breakdown_not_stored",
            )
        return _exact_rows(snapshot.pk, code, group_by, filters)
    numerator_code, denominator_code = m.ratio_of or ("", "")
    numerator = {
        tuple(r.dims.items()): r
        for r in breakdown(snapshot, numerator_code, group_by=group_by, filters=filters)
    }
    out = []
    for den in breakdown(snapshot, denominator_code, group_by=group_by, filters=filters):
        num = numerator.get(tuple(den.dims.items()))
        num_value = num.value if num is not None and num.value is not None else Decimal(0)
        value = None if not den.value else (num_value * 100 / den.value).quantize(Decimal("0.01"))
        out.append(Row(den.dims, value, den.provisional or bool(num and num.provisional)))
    return out


def total(snapshot: Snapshot, code: str, *, filters: Mapping[str, Any] | None = None) -> Decimal | None:
    rows = breakdown(snapshot, code, filters=filters)
    return rows[0].value if rows else None
