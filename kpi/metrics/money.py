"""KPI metrics: money — call budgets and commitments, agreed / paid / recovered / outstanding amounts by
funding source, the execution rate (집행률) and payments by quarter (registered on import).

Dimensions used here:
- `year`: the fiscal year of the call the money belongs to (for `disbursed_by_month`: the calendar year
  of the ledger entry, Korean time);
- `program_type`: the call's program type; `region`: the application's region slug;
- `source`: the funding source (government / partner / local / sme);
- `partner`: the co-funding partner firm's organisation id (the consortium partner of the win-win
  agreement named on the application), None when the project has no partner.

As of a date: a live snapshot (as of today or later) reads the running totals the database keeps on each
agreement source (`AgreementFunding`: fast at national scale); a snapshot as of a past date rebuilds
paid, recovered and outstanding from the append-only ledger and the disbursement requests up to the
end of that day (Korean time), so both paths give the same figures for today.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any, TypeVar, cast

from django.db import connection, transaction
from django.utils import timezone

from kpi.registry import Cell, Metric, register

T = TypeVar("T")


def day_end(as_of: dt.date) -> dt.datetime:
    """The first instant after `as_of` in the project's time zone: 'on or before as_of' is `< day_end`."""
    return timezone.make_aware(dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time.min))


# Aggregations over a million rows hash far more groups than the default work_mem holds (sorts then
# spill to disk), and JIT compilation of these one-off queries costs more than it saves.
ANALYTIC_WORK_MEM = "64MB"


def fetch_rows(sql: str, params: dict[str, Any] | list[Any]) -> list[tuple[Any, ...]]:
    """Run one aggregate query with analytic settings (local to the query: restored afterwards)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('work_mem'), current_setting('jit')")
        previous = cursor.fetchone()
        cursor.execute(
            "SELECT set_config('work_mem', %s, true), set_config('jit', 'off', true)", [ANALYTIC_WORK_MEM]
        )
        cursor.execute(sql, params)
        rows = cursor.fetchall()
        # Not in a `finally`: after an error the savepoint's rollback restores the settings itself.
        cursor.execute("SELECT set_config('work_mem', %s, true), set_config('jit', %s, true)", previous)
    return rows


_SHARED: dict[str, tuple[tuple[Any, ...], Any]] = {}


def _data_version() -> tuple[Any, ...] | None:
    """What identifies the raw data visible now, when it cannot change under us: inside a REPEATABLE
    READ transaction (how kpi.snapshots reads every metric) the transaction's snapshot. None otherwise
    (autocommit or READ COMMITTED, e.g. a test's transaction that writes between two reads)."""
    if not connection.in_atomic_block:
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('transaction_isolation'), pg_current_snapshot()::text, pg_backend_pid()"
        )
        isolation, snapshot, pid = cursor.fetchone()
    if isolation not in ("repeatable read", "serializable"):
        return None
    return (snapshot, pid, connection.alias)


def shared(name: str, as_of: dt.date, compute: Callable[[], T]) -> T:
    """`compute()`, read once for all the metrics that share it within one snapshot's transaction (the
    rows behind the four agreement-source metrics, the funnel stages, the lead times). Metrics never
    write raw data, so within a REPEATABLE READ transaction the result cannot go stale; anywhere else
    it is recomputed every time."""
    version = _data_version()
    if version is None:
        return compute()
    key = (as_of, *version)
    hit = _SHARED.get(name)
    if hit is not None and hit[0] == key:
        return cast(T, hit[1])
    value = compute()
    _SHARED[name] = (key, value)
    return value


# --- calls: budget and committed ------------------------------------------------------------------

_CALLS_SQL = """
SELECT c.fiscal_year, c.program_type, SUM(c.{column})::bigint
  FROM programs_call c
 WHERE c.status = 'published' AND c.opens_at < %(end)s
 GROUP BY 1, 2
"""


def _call_cells(column: str, as_of: dt.date) -> Iterator[Cell]:
    for year, program_type, total in fetch_rows(_CALLS_SQL.format(column=column), {"end": day_end(as_of)}):
        yield Cell({"year": year, "program_type": program_type}, int(total))


def budget_cells(as_of: dt.date) -> Iterator[Cell]:
    return _call_cells("budget_krw", as_of)


def committed_cells(as_of: dt.date) -> Iterator[Cell]:
    return _call_cells("committed_krw", as_of)


# --- agreements by source -------------------------------------------------------------------------

# The dimensions of an agreement source: its call's year and type, the application's region and the
# partner firm co-funding it. The sums are taken by ids first (cheap integer groups), then named.
_FUNDING_CURRENT_SQL = """
WITH sums AS (
    SELECT f.source, a.call_id, a.region_id, a.partner_agreement_id,
           SUM(f.agreed_krw) AS agreed, SUM(f.paid_krw) AS paid, SUM(f.recovered_krw) AS recovered,
           SUM(f.outstanding_krw) AS outstanding
      FROM applications_agreementfunding f
      JOIN applications_projectagreement pa ON pa.id = f.agreement_id
      JOIN applications_application a ON a.id = pa.application_id
     WHERE pa.signed_on <= %(as_of)s
     GROUP BY 1, 2, 3, 4
)
SELECT s.source, c.fiscal_year, c.program_type, r.slug, co.partner_id,
       SUM(s.agreed)::bigint, SUM(s.paid)::bigint, SUM(s.recovered)::bigint, SUM(s.outstanding)::bigint
  FROM sums s
  JOIN programs_call c ON c.id = s.call_id
  JOIN core_region r ON r.id = s.region_id
  LEFT JOIN partners_winwinagreement w ON w.id = s.partner_agreement_id
  LEFT JOIN partners_consortium co ON co.id = w.consortium_id
 GROUP BY 1, 2, 3, 4, 5
"""

# A past date: paid (net of reversals and recoveries) and recovered from the ledger, outstanding from
# the requests made by then and neither paid nor rejected by then.
_FUNDING_PAST_SQL = """
WITH ledger AS (
    SELECT l.agreement_id, l.source, SUM(l.amount_krw) AS paid,
           COALESCE(-SUM(l.amount_krw) FILTER (WHERE l.kind = 'recovery'), 0) AS recovered
      FROM funding_ledgerentry l
     WHERE l.created_at < %(end)s
     GROUP BY 1, 2
), requests AS (
    SELECT d.agreement_id, d.source, SUM(d.amount_krw) AS outstanding
      FROM funding_disbursementrequest d
     WHERE d.requested_at < %(end)s
       AND (d.paid_at IS NULL OR d.paid_at >= %(end)s)
       AND (d.rejected_at IS NULL OR d.rejected_at >= %(end)s)
     GROUP BY 1, 2
), sums AS (
    SELECT f.source, a.call_id, a.region_id, a.partner_agreement_id,
           SUM(f.agreed_krw) AS agreed, COALESCE(SUM(l.paid), 0) AS paid,
           COALESCE(SUM(l.recovered), 0) AS recovered, COALESCE(SUM(q.outstanding), 0) AS outstanding
      FROM applications_agreementfunding f
      JOIN applications_projectagreement pa ON pa.id = f.agreement_id
      JOIN applications_application a ON a.id = pa.application_id
      LEFT JOIN ledger l ON l.agreement_id = f.agreement_id AND l.source = f.source
      LEFT JOIN requests q ON q.agreement_id = f.agreement_id AND q.source = f.source
     WHERE pa.signed_on <= %(as_of)s
     GROUP BY 1, 2, 3, 4
)
SELECT s.source, c.fiscal_year, c.program_type, r.slug, co.partner_id,
       SUM(s.agreed)::bigint, SUM(s.paid)::bigint, SUM(s.recovered)::bigint, SUM(s.outstanding)::bigint
  FROM sums s
  JOIN programs_call c ON c.id = s.call_id
  JOIN core_region r ON r.id = s.region_id
  LEFT JOIN partners_winwinagreement w ON w.id = s.partner_agreement_id
  LEFT JOIN partners_consortium co ON co.id = w.consortium_id
 GROUP BY 1, 2, 3, 4, 5
"""

_FUNDING_COLUMNS = {"agreed": 0, "paid": 1, "recovered": 2, "outstanding": 3}


def funding_rows(as_of: dt.date, *, from_ledger: bool | None = None) -> list[tuple[Any, ...]]:
    """(source, year, program_type, region, partner, agreed, paid, recovered, outstanding) per group.
    From the ledger for a past date (or when `from_ledger` says so), else from the running totals."""
    if from_ledger is None:
        from_ledger = as_of < timezone.localdate()
    sql = _FUNDING_PAST_SQL if from_ledger else _FUNDING_CURRENT_SQL
    return fetch_rows(sql, {"as_of": as_of, "end": day_end(as_of)})


def _funding_cells(column: str, as_of: dt.date) -> Iterator[Cell]:
    index = 5 + _FUNDING_COLUMNS[column]
    for row in shared("funding", as_of, lambda: funding_rows(as_of)):
        source, year, program_type, region, partner = row[:5]
        dims = {
            "source": source,
            "year": year,
            "program_type": program_type,
            "region": region,
            "partner": partner,
        }
        yield Cell(dims, int(row[index]))


def agreed_cells(as_of: dt.date) -> Iterator[Cell]:
    return _funding_cells("agreed", as_of)


def paid_cells(as_of: dt.date) -> Iterator[Cell]:
    return _funding_cells("paid", as_of)


def recovered_cells(as_of: dt.date) -> Iterator[Cell]:
    return _funding_cells("recovered", as_of)


def outstanding_cells(as_of: dt.date) -> Iterator[Cell]:
    return _funding_cells("outstanding", as_of)


# --- the ledger by quarter ------------------------------------------------------------------------

# Quarters are told apart by comparing each entry's time with the quarter boundaries (a binary search per
# row), far cheaper over a million rows than converting every timestamp to a local date.
_DISBURSED_SQL = """
SELECT width_bucket(l.created_at, %(bounds)s::timestamptz[]), l.source, SUM(l.amount_krw)::bigint
  FROM funding_ledgerentry l
 WHERE l.created_at < %(end)s AND l.created_at >= %(start)s
 GROUP BY 1, 2
"""


def quarter_starts(first_year: int, as_of: dt.date) -> list[tuple[int, int, dt.datetime]]:
    """(year, quarter, first instant) of every quarter from `first_year` to the one after `as_of`."""
    out = []
    for year in range(first_year, as_of.year + 2):
        for quarter in range(1, 5):
            start = dt.datetime(year, 3 * quarter - 2, 1, tzinfo=timezone.get_current_timezone())
            out.append((year, quarter, start))
    return out


def disbursed_cells(as_of: dt.date) -> Iterator[Cell]:
    end = day_end(as_of)
    first = fetch_rows("SELECT MIN(created_at) FROM funding_ledgerentry WHERE created_at < %s", [end])[0][0]
    if first is None:
        return
    quarters = quarter_starts(timezone.localtime(first).year, as_of)
    params = {"bounds": [q[2] for q in quarters], "start": quarters[0][2], "end": end}
    for bucket, source, total in fetch_rows(_DISBURSED_SQL, params):
        year, quarter, _start = quarters[bucket - 1]
        yield Cell({"year": year, "quarter": quarter, "source": source}, int(total))


# --- registration ---------------------------------------------------------------------------------

_FUNDING_BREAKDOWNS = ("source", "year", "program_type", "region", "partner")
_FUNDING_WORDS_EN = (
    " Per funding source of every agreement signed on or before the date, by the fiscal year and program"
    " type of the call, the application's region and the co-funding partner firm (if any)."
)
_FUNDING_WORDS_KO = (
    " 기준일까지 체결된 모든 협약의 재원별 금액을 공고 회계연도·사업유형, 신청 지역,"
    " 공동 부담 주관기관(있는 경우)별로"
    " 집계한다."
)

register(
    Metric(
        code="budget_krw",
        name_ko="정부 예산",
        name_en="Government budget",
        unit="krw",
        definition_ko=(
            "게시된 공고의 정부지원 예산 합계(공고 회계연도·사업유형별)."
            " 기준일까지 접수를 시작한 공고만 포함."
        ),
        definition_en=(
            "Sum of the government budget of published calls, by the call's fiscal year and program type;"
            " calls opened for applications on or before the date."
        ),
        breakdowns=("year", "program_type"),
        compute=budget_cells,
        group="money",
    )
)
register(
    Metric(
        code="committed_krw",
        name_ko="정부지원금 약정",
        name_en="Government support committed",
        unit="krw",
        definition_ko=(
            "게시된 공고에서 선정된 과제에 약정된 정부지원금 합계"
            "(공고 회계연도·사업유형별, 공고의 현재 약정액)."
            " 기준일까지 접수를 시작한 공고만 포함."
        ),
        definition_en=(
            "Sum of the government support committed to selected projects of published calls (the call's"
            " current commitment), by the call's fiscal year and program type; calls opened on or before the"
            " date."
        ),
        breakdowns=("year", "program_type"),
        compute=committed_cells,
        group="money",
    )
)
register(
    Metric(
        code="agreed_krw",
        name_ko="협약액",
        name_en="Agreed",
        unit="krw",
        definition_ko="협약서에 정한 재원별 금액(변경 승인 반영)." + _FUNDING_WORDS_KO,
        definition_en="Amount agreed per source (as changed by approved change requests)."
        + _FUNDING_WORDS_EN,
        breakdowns=_FUNDING_BREAKDOWNS,
        compute=agreed_cells,
        group="money",
    )
)
register(
    Metric(
        code="paid_krw",
        name_ko="집행액",
        name_en="Paid",
        unit="krw",
        definition_ko="기준일까지 지급된 금액에서 지급 취소와 환수를 뺀 순지급액." + _FUNDING_WORDS_KO,
        definition_en=(
            "Paid by the end of the date, net of reversals and recoveries (the ledger's net)."
            + _FUNDING_WORDS_EN
        ),
        breakdowns=_FUNDING_BREAKDOWNS,
        compute=paid_cells,
        group="money",
    )
)
register(
    Metric(
        code="recovered_krw",
        name_ko="환수액",
        name_en="Recovered",
        unit="krw",
        definition_ko="기준일까지 기업으로부터 환수한 금액." + _FUNDING_WORDS_KO,
        definition_en="Recovered from the SME by the end of the date." + _FUNDING_WORDS_EN,
        breakdowns=_FUNDING_BREAKDOWNS,
        compute=recovered_cells,
        group="money",
    )
)
register(
    Metric(
        code="outstanding_krw",
        name_ko="지급 대기액",
        name_en="Requested, not yet paid",
        unit="krw",
        definition_ko="기준일까지 요청되었으나 그날까지 지급되거나 반려되지 않은 지급요청 금액."
        + _FUNDING_WORDS_KO,
        definition_en=(
            "Disbursement requests made by the date and neither paid nor rejected by then (requested or"
            " approved)." + _FUNDING_WORDS_EN
        ),
        breakdowns=_FUNDING_BREAKDOWNS,
        compute=outstanding_cells,
        group="money",
    )
)
register(
    Metric(
        code="execution_rate",
        name_ko="집행률",
        name_en="Execution rate",
        unit="percent",
        definition_ko="집행액(순지급액) ÷ 협약액 × 100, 같은 재원·연도·사업유형·지역·주관기관 범위에서.",
        definition_en=(
            "Paid (net) ÷ agreed × 100 over the same source, year, program type, region and partner."
        ),
        breakdowns=_FUNDING_BREAKDOWNS,
        aggregation="ratio",
        ratio_of=("paid_krw", "agreed_krw"),
        group="money",
    )
)
register(
    Metric(
        code="disbursed_by_month",
        name_ko="분기별 집행액",
        name_en="Paid by quarter",
        unit="krw",
        definition_ko=(
            "원장에 기록된 지급에서 지급 취소와 환수를 뺀 순액을"
            " 기록 시점(한국 시간)의 연도·분기·재원별로 집계."
            " 모든 분기의 합은 집행액과 같다."
        ),
        definition_en=(
            "Net of the ledger (payments less reversals and recoveries) by the calendar year and quarter in"
            " which each entry was recorded (Korean time) and by source; all quarters add up to the paid"
            " amount."
        ),
        breakdowns=("year", "quarter", "source"),
        compute=disbursed_cells,
        group="money",
    )
)
