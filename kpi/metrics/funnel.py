"""KPI metrics: the application funnel — applications by the furthest stage they reached, the selection
and completion rates, and lead times between stages (registered on import).

Everything here is read from the status history (`ApplicationStatusChange`, never edited), so a
snapshot as of a past date sees each application exactly as it stood at the end of that day (Korean
time): only history rows with `at` before the end of `as_of` count.

The stages, in order; an application's stage is the furthest one its history reached:
- `submitted`: submitted (a change to *submitted*); drafts never submitted are not in the funnel;
- `screened`: passed the eligibility screening (a change to *evaluation*);
- `evaluated`: the evaluation ended in a decision (a change from *evaluation* or *waitlisted* to
  *selected*, *rejected* or *waitlisted*) — applications failing screening never reach it;
- `selected`: selected (a change to *selected*);
- `agreed`: its agreement was signed (a change to *agreed*);
- `completed`: the project was completed (a change to *completed*), whatever happened after it.
Withdrawal, termination and later steps do not move an application back: it stays at the furthest
stage reached.

Dimensions: `year` and `program_type` of the call, the application's `region` (slug), `size` (the
firm-size class code fixed at submission) and `industry` (the workplace's KSIC division code).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from kpi.metrics.money import day_end, fetch_rows, shared
from kpi.registry import Cell, Metric, register

STAGES = ("submitted", "screened", "evaluated", "selected", "agreed", "completed")
STAGE_RANK = {stage: rank for rank, stage in enumerate(STAGES, start=1)}

_STAGES_SQL = """
WITH reached AS (
    SELECT h.application_id,
           MAX(CASE
                 WHEN h.to_status = 'completed' THEN 6
                 WHEN h.to_status = 'agreed' THEN 5
                 WHEN h.to_status = 'selected' THEN 4
                 WHEN h.to_status IN ('rejected', 'waitlisted')
                      AND h.from_status IN ('evaluation', 'waitlisted') THEN 3
                 WHEN h.to_status = 'evaluation' THEN 2
                 WHEN h.to_status = 'submitted' THEN 1
               END) AS stage
      FROM applications_applicationstatuschange h
     WHERE h.at < %(end)s
       AND h.to_status IN ('submitted', 'evaluation', 'rejected', 'waitlisted', 'selected', 'agreed',
                           'completed')
     GROUP BY h.application_id
), counts AS (
    SELECT reached.stage, a.call_id, a.region_id, a.size_class_id, w.ksic_id, COUNT(*) AS n
      FROM reached
      JOIN applications_application a ON a.id = reached.application_id
      JOIN companies_workplace w ON w.id = a.workplace_id
     WHERE reached.stage IS NOT NULL
     GROUP BY 1, 2, 3, 4, 5
)
SELECT n.stage, c.fiscal_year, c.program_type, r.slug, s.code, k.code, SUM(n.n)::bigint
  FROM counts n
  JOIN programs_call c ON c.id = n.call_id
  JOIN core_region r ON r.id = n.region_id
  JOIN core_ksicdivision k ON k.id = n.ksic_id
  LEFT JOIN core_firmsizeclass s ON s.id = n.size_class_id
 GROUP BY 1, 2, 3, 4, 5, 6
"""


def stage_rows(as_of: dt.date) -> list[tuple[Any, ...]]:
    """(stage rank, year, program_type, region, size, industry, count) per group."""
    return shared("funnel_stages", as_of, lambda: fetch_rows(_STAGES_SQL, {"end": day_end(as_of)}))


def _dims(row: tuple[Any, ...]) -> dict[str, Any]:
    _rank, year, program_type, region, size, industry = row[:6]
    return {"year": year, "program_type": program_type, "region": region, "size": size, "industry": industry}


def applications_cells(as_of: dt.date) -> Iterator[Cell]:
    for row in stage_rows(as_of):
        yield Cell({"stage": STAGES[row[0] - 1], **_dims(row)}, int(row[6]))


def _reached_cells(stage: str, as_of: dt.date) -> Iterator[Cell]:
    """Applications that reached `stage` or a later one, by the same dimensions (without the stage)."""
    totals: dict[tuple[Any, ...], int] = {}
    for row in stage_rows(as_of):
        if row[0] >= STAGE_RANK[stage]:
            key = tuple(row[1:6])
            totals[key] = totals.get(key, 0) + int(row[6])
    for key, count in totals.items():
        yield Cell(_dims((0, *key)), count)


def selected_cells(as_of: dt.date) -> Iterator[Cell]:
    return _reached_cells("selected", as_of)


def agreed_cells(as_of: dt.date) -> Iterator[Cell]:
    return _reached_cells("agreed", as_of)


def completed_cells(as_of: dt.date) -> Iterator[Cell]:
    return _reached_cells("completed", as_of)


# --- lead times -----------------------------------------------------------------------------------

# stage pair → (statuses starting it, statuses ending it): the first change to any of them.
LEAD_TIME_PAIRS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "submit_to_decision": (("submitted",), ("selected", "rejected", "waitlisted")),
    "decision_to_agreement": (("selected",), ("agreed",)),
    "agreement_to_completion": (("agreed",), ("completed",)),
}

# All three pairs in one pass over the history: the first time of each stage per application, then the
# spans of every pair, their median and mean in total, by year and by program type.
_LEAD_TIME_SQL = """
WITH firsts AS (
    SELECT h.application_id,
           MIN(h.at) FILTER (WHERE h.to_status = 'submitted') AS submitted,
           MIN(h.at) FILTER (WHERE h.to_status IN ('selected', 'rejected', 'waitlisted')) AS decided,
           MIN(h.at) FILTER (WHERE h.to_status = 'selected') AS selected,
           MIN(h.at) FILTER (WHERE h.to_status = 'agreed') AS agreed,
           MIN(h.at) FILTER (WHERE h.to_status = 'completed') AS completed
      FROM applications_applicationstatuschange h
     WHERE h.at < %(end)s
       AND h.to_status IN ('submitted', 'selected', 'rejected', 'waitlisted', 'agreed', 'completed')
     GROUP BY h.application_id
), spans AS (
    SELECT p.pair, EXTRACT(EPOCH FROM p.stopped - p.started) AS seconds, c.fiscal_year, c.program_type
      FROM firsts f
      JOIN applications_application a ON a.id = f.application_id
      JOIN programs_call c ON c.id = a.call_id
     CROSS JOIN LATERAL (
           VALUES ('submit_to_decision', f.submitted, f.decided),
                  ('decision_to_agreement', f.selected, f.agreed),
                  ('agreement_to_completion', f.agreed, f.completed)
          ) AS p(pair, started, stopped)
     WHERE p.started IS NOT NULL AND p.stopped IS NOT NULL
)
SELECT pair, GROUPING(fiscal_year), GROUPING(program_type), fiscal_year, program_type,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY seconds::float8), AVG(seconds)
  FROM spans
 GROUP BY GROUPING SETS ((pair), (pair, fiscal_year), (pair, program_type))
"""

DAY_SECONDS = Decimal(86_400)
QUANTUM = Decimal("0.01")


def seconds_to_days(seconds: Decimal | float) -> Decimal:
    """Seconds as days, rounded half up to 0.01 day (how lead times are stored)."""
    value = seconds if isinstance(seconds, Decimal) else Decimal(seconds)
    return (value / DAY_SECONDS).quantize(QUANTUM, rounding=ROUND_HALF_UP)


def lead_time_rows(as_of: dt.date) -> list[tuple[str, dict[str, Any], Decimal, Decimal]]:
    """(pair, dims, median days, mean days) for every pair, in total, by year and by program type."""
    return shared("funnel_lead_times", as_of, lambda: _lead_time_rows(as_of))


def _lead_time_rows(as_of: dt.date) -> list[tuple[str, dict[str, Any], Decimal, Decimal]]:
    out = []
    for pair, no_year, no_type, year, program_type, median, mean in fetch_rows(
        _LEAD_TIME_SQL, {"end": day_end(as_of)}
    ):
        dims: dict[str, Any] = {"stage": pair}
        if not no_year:
            dims["year"] = year
        if not no_type:
            dims["program_type"] = program_type
        out.append((pair, dims, seconds_to_days(median), seconds_to_days(mean)))
    return out


def lead_time_median_cells(as_of: dt.date) -> Iterator[Cell]:
    for _pair, dims, median, _mean in lead_time_rows(as_of):
        yield Cell(dims, median)


def lead_time_mean_cells(as_of: dt.date) -> Iterator[Cell]:
    for _pair, dims, _median, mean in lead_time_rows(as_of):
        yield Cell(dims, mean)


# --- registration ---------------------------------------------------------------------------------

_DIMS = ("year", "program_type", "region", "size", "industry")
_STAGE_WORDS_EN = (
    "Stages: submitted; screened (passed the eligibility screening); evaluated (the evaluation ended in"
    " selection, rejection or waitlisting); selected; agreed (agreement signed); completed. Read from the"
    " status history up to the end of the date, by the call's fiscal year and program type, the"
    " application's region, firm size and the workplace's industry."
)
_STAGE_WORDS_KO = (
    "단계: 접수, 요건검토 통과, 평가 완료(선정·탈락·예비 결정), 선정, 협약, 완료."
    " 기준일 끝까지의 상태 이력으로"
    " 판단하며 공고 회계연도·사업유형, 신청 지역, 기업 규모, 사업장 업종별로 집계한다."
)
_LEAD_WORDS_EN = (
    " Pairs: submit_to_decision (submission to the first selection, rejection or waitlisting),"
    " decision_to_agreement (selection to the agreement), agreement_to_completion (agreement to"
    " completion); each from the first change to the first stage to the first change to the second, both"
    " on or before the date, in days (0.01), in total, by the call's fiscal year and by program type."
)
_LEAD_WORDS_KO = (
    " 구간: 접수→첫 결정(선정·탈락·예비), 선정→협약, 협약→완료."
    " 각 구간의 첫 상태 변경 시각 사이의 일수(0.01일)로,"
    " 기준일까지 두 시각이 모두 있는 신청만 포함하며 전체, 공고 회계연도별, 사업유형별로 산출한다."
)

register(
    Metric(
        code="applications",
        name_ko="신청 현황(도달 단계별)",
        name_en="Applications by furthest stage",
        unit="count",
        definition_ko="접수된 신청 수를 각 신청이 도달한 가장 먼 단계별로 센다(신청마다 한 번). "
        + _STAGE_WORDS_KO,
        definition_en=(
            "Submitted applications, each counted once at the furthest stage it reached. " + _STAGE_WORDS_EN
        ),
        breakdowns=("stage", *_DIMS),
        compute=applications_cells,
        group="funnel",
    )
)
for _stage, _ko, _en, _compute in (
    ("selected", "선정", "Selected", selected_cells),
    ("agreed", "협약", "Agreed", agreed_cells),
    ("completed", "완료", "Completed", completed_cells),
):
    register(
        Metric(
            code=f"applications_{_stage}",
            name_ko=f"{_ko} 단계 도달 신청",
            name_en=f"Applications reaching {_en.lower()}",
            unit="count",
            definition_ko=f"'{_ko}' 단계 또는 그 이후 단계에 도달한 신청 수. " + _STAGE_WORDS_KO,
            definition_en=(
                f"Applications that reached the {_stage} stage or a later one. " + _STAGE_WORDS_EN
            ),
            breakdowns=_DIMS,
            compute=_compute,
            group="funnel",
        )
    )
register(
    Metric(
        code="selection_rate",
        name_ko="선정률",
        name_en="Selection rate",
        unit="percent",
        definition_ko="선정 단계 이상에 도달한 신청 ÷ 접수된 신청 × 100.",
        definition_en="Applications reaching selection ÷ submitted applications × 100.",
        breakdowns=_DIMS,
        aggregation="ratio",
        ratio_of=("applications_selected", "applications"),
        group="funnel",
    )
)
register(
    Metric(
        code="completion_rate",
        name_ko="완료율",
        name_en="Completion rate",
        unit="percent",
        definition_ko="완료 단계에 도달한 신청 ÷ 협약 단계 이상에 도달한 신청 × 100.",
        definition_en="Applications reaching completion ÷ applications reaching the agreement × 100.",
        breakdowns=_DIMS,
        aggregation="ratio",
        ratio_of=("applications_completed", "applications_agreed"),
        group="funnel",
    )
)
_LEAD_BREAKDOWNS = (("stage",), ("stage", "year"), ("stage", "program_type"))
register(
    Metric(
        code="lead_time_median_days",
        name_ko="단계 간 소요일(중앙값)",
        name_en="Lead time between stages (median)",
        unit="days",
        definition_ko="단계 구간별 소요일의 중앙값." + _LEAD_WORDS_KO,
        definition_en="Median days between two stages of the applications." + _LEAD_WORDS_EN,
        breakdowns=("stage", "year", "program_type"),
        aggregation="exact",
        exact_breakdowns=_LEAD_BREAKDOWNS,
        compute=lead_time_median_cells,
        group="funnel",
    )
)
register(
    Metric(
        code="lead_time_mean_days",
        name_ko="단계 간 소요일(평균)",
        name_en="Lead time between stages (mean)",
        unit="days",
        definition_ko="단계 구간별 소요일의 평균." + _LEAD_WORDS_KO,
        definition_en="Mean days between two stages of the applications." + _LEAD_WORDS_EN,
        breakdowns=("stage", "year", "program_type"),
        aggregation="exact",
        exact_breakdowns=_LEAD_BREAKDOWNS,
        compute=lead_time_mean_cells,
        group="funnel",
    )
)
