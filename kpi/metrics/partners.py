"""KPI metrics: win-win partners — pledges and commitments, mentees, co-funded completions and mentoring
hours (registered on import).

Dimensions: `partner` is the partner firm's organisation id (the consortium's partner); `year` is the
fiscal year of the win-win agreement (for completions: the factory's completion year); `stage` of a
mentee is its match status.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

from kpi.metrics.money import day_end, fetch_rows
from kpi.registry import Cell, Metric, register
from partners.models import LIVE_MATCH_STATES

_AGREEMENTS_SQL = """
SELECT co.partner_id, w.fiscal_year, SUM(w.{column})::bigint
  FROM partners_winwinagreement w
  JOIN partners_consortium co ON co.id = w.consortium_id
 WHERE w.status <> 'draft' AND w.signed_on <= %(as_of)s
 GROUP BY 1, 2
"""


def _agreement_cells(column: str, as_of: dt.date) -> Iterator[Cell]:
    for partner, year, total in fetch_rows(_AGREEMENTS_SQL.format(column=column), {"as_of": as_of}):
        yield Cell({"partner": partner, "year": year}, int(total))


def pledged_cells(as_of: dt.date) -> Iterator[Cell]:
    return _agreement_cells("pledged_krw", as_of)


def committed_cells(as_of: dt.date) -> Iterator[Cell]:
    return _agreement_cells("committed_krw", as_of)


# A match's status at the end of the day: the `from_status` of its first change after then, or its
# current status when it has not changed since.
_MENTEES_SQL = """
WITH later AS (
    SELECT DISTINCT ON (h.match_id) h.match_id, h.from_status
      FROM partners_matchstatuschange h
     WHERE h.at >= %(end)s
     ORDER BY h.match_id, h.at, h.id
), matches AS (
    SELECT co.partner_id, w.fiscal_year, COALESCE(later.from_status, m.status) AS stage
      FROM partners_match m
      JOIN partners_winwinagreement w ON w.id = m.agreement_id
      JOIN partners_consortium co ON co.id = w.consortium_id
      LEFT JOIN later ON later.match_id = m.id
     WHERE m.created_at < %(end)s
)
SELECT partner_id, fiscal_year, stage, COUNT(*)
  FROM matches
 WHERE stage = ANY(%(live)s)
 GROUP BY 1, 2, 3
"""


def mentees_cells(as_of: dt.date) -> Iterator[Cell]:
    params = {"end": day_end(as_of), "live": sorted(str(s) for s in LIVE_MATCH_STATES)}
    for partner, year, stage, count in fetch_rows(_MENTEES_SQL, params):
        yield Cell({"partner": partner, "year": year, "stage": stage}, int(count))


_COMPLETIONS_SQL = """
SELECT f.partner_id, f.completion_year, COUNT(*)
  FROM factories_factory f
 WHERE f.counted AND f.origin = 'supported' AND f.partner_id IS NOT NULL AND f.completed_on <= %(as_of)s
 GROUP BY 1, 2
"""


def completions_cells(as_of: dt.date) -> Iterator[Cell]:
    for partner, year, count in fetch_rows(_COMPLETIONS_SQL, {"as_of": as_of}):
        yield Cell({"partner": partner, "year": year}, int(count))


_HOURS_SQL = """
SELECT co.partner_id, w.fiscal_year, SUM(a.hours)
  FROM partners_mentoringactivity a
  JOIN partners_match m ON m.id = a.match_id
  JOIN partners_winwinagreement w ON w.id = m.agreement_id
  JOIN partners_consortium co ON co.id = w.consortium_id
 WHERE a.date <= %(as_of)s
 GROUP BY 1, 2
"""


def hours_cells(as_of: dt.date) -> Iterator[Cell]:
    for partner, year, hours in fetch_rows(_HOURS_SQL, {"as_of": as_of}):
        yield Cell({"partner": partner, "year": year}, Decimal(hours))


# --- registration ---------------------------------------------------------------------------------

register(
    Metric(
        code="partner_pledged_krw",
        name_ko="주관기관 출연 약정액",
        name_en="Partner pledges",
        unit="krw",
        definition_ko="기준일까지 체결된(작성중 제외) 상생협약의 출연 약정액 합계(주관기관·협약 회계연도별).",
        definition_en=(
            "Contributions pledged in win-win agreements signed on or before the date (drafts excluded), by"
            " partner firm and the agreement's fiscal year."
        ),
        breakdowns=("partner", "year"),
        compute=pledged_cells,
        group="partners",
    )
)
register(
    Metric(
        code="partner_committed_krw",
        name_ko="주관기관 부담금 확정액",
        name_en="Partner contributions committed",
        unit="krw",
        definition_ko=(
            "상생협약 출연금 중 신청 과제에 확정된 주관기관 부담금 합계"
            "(협약의 현재 확정액, 주관기관·협약 회계연도별)."
        ),
        definition_en=(
            "Partner shares confirmed on applications against the win-win agreements signed on or before the"
            " date (the agreement's current commitment), by partner firm and the agreement's fiscal year."
        ),
        breakdowns=("partner", "year"),
        compute=committed_cells,
        group="partners",
    )
)
register(
    Metric(
        code="mentees",
        name_ko="멘티 기업",
        name_en="Mentees",
        unit="count",
        definition_ko=(
            "기준일 끝에 제안·수락·진행·완료 상태인 매칭 수"
            "(종료된 매칭 제외, 주관기관·협약 회계연도·매칭 상태별)."
        ),
        definition_en=(
            "Matches proposed, accepted, active or completed at the end of the date (ended ones excluded;"
            " the status then is read from the match's status history), by partner firm, the agreement's"
            " fiscal year and the match status."
        ),
        breakdowns=("partner", "year", "stage"),
        compute=mentees_cells,
        group="partners",
    )
)
register(
    Metric(
        code="partner_cofunded_completions",
        name_ko="주관기관 공동지원 구축 완료",
        name_en="Partner co-funded completions",
        unit="count",
        definition_ko=(
            "주관기관이 공동 부담한 정부지원 구축 스마트공장 중 보급 실적에 산입되는 것"
            "(기준일까지 완료, 주관기관·완료연도별)."
        ),
        definition_en=(
            "Smart factories built with support and co-funded by a partner firm that count toward the"
            " deployment target, completed on or before the date, by partner firm and completion year."
        ),
        breakdowns=("partner", "year"),
        compute=completions_cells,
        group="partners",
    )
)
register(
    Metric(
        code="mentoring_hours",
        name_ko="멘토링 시간",
        name_en="Mentoring hours",
        unit="count",
        definition_ko="기준일까지 기록된 멘토링 활동 시간 합계(매칭의 주관기관·상생협약 회계연도별).",
        definition_en=(
            "Hours of mentoring sessions held on or before the date, by the match's partner firm and its"
            " win-win agreement's fiscal year."
        ),
        breakdowns=("partner", "year"),
        compute=hours_cells,
        group="partners",
        extra={"unit_label": "hours"},  # the registry has no hours unit: an additive amount of hours
    )
)
