"""Progress against the national targets, with run rates and a linear projection, read from a snapshot.

For each active `programs.NationalTarget`, the KPI measured against it (the registered metric whose
`target_metric` is the target's metric) is read from the snapshot by year, over the years from the
target's `counts_from` to its `deadline`:

- current: the sum of those years (for a ratio target, numerator ÷ denominator × 100 over them);
- recent monthly run rate: how much the value grew over the last 12 months, ÷ 12. Cells are by year,
  so the last 12 months are the as-of year to date plus the previous year prorated by the part of it
  that lies in the window (1 − day of the year ÷ days in the year); for a ratio, the change of the
  ratio against the ratio without that window, in percentage points per month;
- months remaining: days from the as-of date to the deadline ÷ (365.2425 ÷ 12);
- monthly run rate needed: (target − current) ÷ months remaining (0 when reached, None once the
  deadline has passed and it was not);
- projection: current + run rate × months remaining, and the date the target is reached at the run
  rate (the as-of date when already reached; None when the run rate is zero or negative).

Pure arithmetic over the snapshot's cells: a few indexed reads of `kpi_value`, never raw rows.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from kpi.models import Snapshot
from kpi.registry import Metric, metrics
from kpi.selectors import breakdown
from programs.models import NationalTarget

DAYS_PER_MONTH = Decimal("365.2425") / 12
TWO = Decimal("0.01")


@dataclass(frozen=True)
class TargetProgress:
    code: str
    target_metric: str
    metric: str | None  # the KPI code (None when no registered metric measures it)
    label_ko: str
    label_en: str
    unit: str
    target_value: Decimal
    counts_from: dt.date
    deadline: dt.date
    as_of: dt.date
    current: Decimal | None
    percent: Decimal | None  # of the target, not capped
    provisional: bool
    achieved: bool
    run_rate_monthly: Decimal | None
    months_remaining: Decimal
    needed_monthly: Decimal | None
    projected_at_deadline: Decimal | None
    projected_date: dt.date | None
    on_track: bool | None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: decimals as strings, dates in ISO format."""
        out: dict[str, Any] = {}
        for key, value in asdict(self).items():
            if isinstance(value, Decimal):
                out[key] = str(value)
            elif isinstance(value, dt.date):
                out[key] = value.isoformat()
            else:
                out[key] = value
        return out


def _metric_for(target_metric: str) -> Metric | None:
    return next((m for m in metrics() if m.target_metric == target_metric), None)


def _by_year(snapshot: Snapshot, code: str) -> tuple[dict[int, Decimal], bool]:
    rows = breakdown(snapshot, code, group_by=("year",))
    values = {int(r.dims["year"]): r.value or Decimal(0) for r in rows if r.dims.get("year") is not None}
    return values, any(r.provisional for r in rows)


def window_share(as_of: dt.date) -> Decimal:
    """The part of the previous year inside the 12 months up to `as_of`."""
    year_days = (dt.date(as_of.year, 12, 31) - dt.date(as_of.year, 1, 1)).days + 1
    return 1 - Decimal(as_of.timetuple().tm_yday) / Decimal(year_days)


def period_sums(
    by_year: dict[int, Decimal], first: int, last: int, as_of: dt.date
) -> tuple[Decimal, Decimal]:
    """(the sum of the years first..last, the part of it from the last 12 months)."""
    total = sum((v for y, v in by_year.items() if first <= y <= last), Decimal(0))
    window = Decimal(0)
    if first <= as_of.year <= last:
        window += by_year.get(as_of.year, Decimal(0))
    if first <= as_of.year - 1 <= last:
        window += by_year.get(as_of.year - 1, Decimal(0)) * window_share(as_of)
    return total, window


def months_between(start: dt.date, end: dt.date) -> Decimal:
    return max(Decimal((end - start).days), Decimal(0)) / DAYS_PER_MONTH


MAX_PROJECTION_DAYS = 100 * 366


def project(
    *, current: Decimal, before_window: Decimal, target: Decimal, as_of: dt.date, deadline: dt.date
) -> dict[str, Any]:
    """The run rate, need and projection from the value now and the value 12 months ago."""
    run_rate = (current - before_window) / 12
    remaining = months_between(as_of, deadline)
    achieved = current >= target
    if achieved:
        needed: Decimal | None = Decimal(0)
    elif remaining > 0:
        needed = (target - current) / remaining
    else:
        needed = None
    projected = current + run_rate * remaining
    if achieved:
        projected_date: dt.date | None = as_of
    elif run_rate > 0:
        days = (target - current) / run_rate * DAYS_PER_MONTH
        # Beyond a century the projection says nothing useful (and would overflow the calendar).
        projected_date = as_of + dt.timedelta(days=math.ceil(days)) if days <= MAX_PROJECTION_DAYS else None
    else:
        projected_date = None
    return {
        "achieved": achieved,
        "run_rate_monthly": run_rate.quantize(TWO),
        "months_remaining": remaining.quantize(TWO),
        "needed_monthly": None if needed is None else needed.quantize(TWO),
        "projected_at_deadline": projected.quantize(TWO),
        "projected_date": projected_date,
        "on_track": achieved or (projected >= target and remaining > 0),
    }


def _progress(snapshot: Snapshot, target: NationalTarget) -> TargetProgress:
    m = _metric_for(target.metric)
    first, last = target.counts_from.year, target.deadline.year
    as_of = snapshot.as_of
    base: dict[str, Any] = {
        "code": target.code,
        "target_metric": target.metric,
        "metric": m.code if m else None,
        "label_ko": target.label_ko,
        "label_en": target.label_en,
        "unit": target.unit,
        "target_value": target.target_value,
        "counts_from": target.counts_from,
        "deadline": target.deadline,
        "as_of": as_of,
    }
    empty: dict[str, Any] = {
        "current": None,
        "percent": None,
        "provisional": False,
        "achieved": False,
        "run_rate_monthly": None,
        "months_remaining": months_between(as_of, target.deadline).quantize(TWO),
        "needed_monthly": None,
        "projected_at_deadline": None,
        "projected_date": None,
        "on_track": None,
    }
    if m is None:
        return TargetProgress(**base, **empty)
    if m.aggregation == "ratio" and m.ratio_of:
        num_years, num_prov = _by_year(snapshot, m.ratio_of[0])
        den_years, den_prov = _by_year(snapshot, m.ratio_of[1])
        num, num_window = period_sums(num_years, first, last, as_of)
        den, den_window = period_sums(den_years, first, last, as_of)
        if not den:
            return TargetProgress(**base, **{**empty, "provisional": num_prov or den_prov})
        current = num * 100 / den
        before = (num - num_window) * 100 / (den - den_window) if den - den_window else current
        provisional = num_prov or den_prov
    else:
        years, provisional = _by_year(snapshot, m.code)
        current, window = period_sums(years, first, last, as_of)
        before = current - window
    figures = project(
        current=current,
        before_window=before,
        target=target.target_value,
        as_of=as_of,
        deadline=target.deadline,
    )
    return TargetProgress(
        **base,
        current=current.quantize(TWO),
        percent=(current * 100 / target.target_value).quantize(TWO),
        provisional=provisional,
        **figures,
    )


def target_progress(snapshot: Snapshot) -> list[TargetProgress]:
    """Progress toward every active national target, as of the snapshot, in deadline order."""
    targets = NationalTarget.objects.filter(is_active=True).order_by("deadline", "metric", "code")
    return [_progress(snapshot, t) for t in targets]
