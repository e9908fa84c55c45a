"""The deployment sheets of the ministry workbook: 요약, 연도별 보급실적, 지역별, 사업유형별, 수준별 and
상생형 주관기관별, from the snapshot's cells (exports.ministry.book)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from core.models import Organisation, Region
from exports.ministry.book import (
    CARD_LABELS,
    DASH_NOTE,
    LEVEL_LABELS,
    LEVELS,
    MONEY_NOTE,
    PROGRAM_TYPES,
    REPORT_TITLE,
    UNIT_WORDS,
    Book,
    annual_and_cumulative_chart,
    korean_date,
    million,
    number,
    parse_date,
    remark,
    target_marks,
    years_of,
)
from exports.ministry.layout import (
    BLANK,
    Col,
    Line,
    SheetWriter,
    TablePos,
    chart_fonts,
)
from kpi.registry import is_registered, metric

# --- 요약 -----------------------------------------------------------------------------------------


def _card_line(card: Mapping[str, Any]) -> Line | None:
    code = card.get("id") or card.get("metric")
    unit = card.get("unit")
    if code is None:
        return None
    label, word = CARD_LABELS.get(
        str(code),
        (metric(str(card["metric"])).name_ko if is_registered(str(card.get("metric"))) else str(code), ""),
    )
    word = word or UNIT_WORDS.get(str(unit), "")
    value = card.get("value")
    shown = million(value) if unit == "krw" else number(value)
    kind = "krw" if unit == "krw" else ("percent" if unit == "percent" else "count")
    return Line(label, [word, shown, None, None, None, BLANK], kinds=[None, kind, kind, None, None, None])


def _target_line(record: Mapping[str, Any], as_of: dt.date) -> Line:
    unit = str(record.get("unit") or "count")
    kind = "percent" if unit == "percent" else "count"
    start, deadline = parse_date(record.get("counts_from")), parse_date(record.get("deadline"))
    if record.get("achieved"):
        state = "달성"
    elif deadline is not None and deadline < as_of:
        state = "기한 경과(미달성)"
    elif record.get("on_track"):
        state = "현 추세로 기한 내 달성 전망"
    elif record.get("current") is None:
        state = "실적 없음"
    else:
        state = "현 추세로는 기한 내 미달 전망"
    period = f"{start.year}~{deadline.year}년 누적" if start and deadline else ""
    percent = record.get("percent")
    return Line(
        str(record.get("label_ko") or record.get("code")),
        [
            UNIT_WORDS.get(unit, unit),
            number(record.get("current")),
            number(record.get("target_value")),
            number(percent),
            korean_date(deadline) if deadline else None,
            remark(period, state, "잠정 포함" if record.get("provisional") else ""),
        ],
        kinds=[None, kind, kind, None, None, None],
    )


def build_summary(ctx: Book) -> None:
    columns = [
        Col("단위", "text", width=8, align="center"),
        Col("실적", "count", "실적 및 목표", width=13),
        Col("목표", "count", "실적 및 목표", width=13),
        Col("달성률(%)", "percent", "실적 및 목표", width=11),
        Col("목표 기한", "text", "실적 및 목표", width=13, align="center"),
        Col("비고", "text", width=34),
    ]
    lines = [Line("주요 지표", section=True)]
    for card in ctx.figures.summary.get("cards", []):
        line = _card_line(card)
        if line is not None:
            lines.append(line)
    lines.append(Line("국정 목표 달성 현황", section=True))
    lines += [_target_line(r, ctx.snapshot.as_of) for r in ctx.figures.targets()]
    sheet = ctx.sheet("요약", REPORT_TITLE + " 요약", "개, 명, 건, 백만원, %", len(columns) + 1)
    sheet.main_table("구분", columns, lines, stub_width=40, stub_align="left")
    ctx.finish(
        sheet,
        [
            "주요 지표는 기준일 현재 전체 연도 누적(금액은 기준일까지 게시된 공고·체결된 협약 기준).",
            "국정 목표의 실적은 목표의 집계 기간(시작연도~기한연도) 안의 실적이며, 달성률은 목표 대비 실적.",
            "전망은 최근 12개월 실적 추세를 기한까지 연장한 선형 추정.",
            MONEY_NOTE,
        ],
    )


# --- 연도별 보급실적 ---------------------------------------------------------------------------------


def build_annual(ctx: Book) -> None:
    f = ctx.figures
    annual = f.by("deployments", "year")
    provisional = f.provisional("deployments", "year")
    origin = f.by("deployments", "year", "origin")
    advanced = f.by("advanced_deployments", "year")
    with_level = f.by("deployments_with_level", "year")
    ratio = f.by("advancement_ratio", "year")
    years = years_of(annual)
    targets = f.targets("deployments")
    marks = target_marks(targets, years, "개")
    lines: list[Line] = []
    running = 0
    previous: int | None = None
    for year in years:
        value = int(annual.get(year) or 0)
        running += value
        change = None if previous is None else value - previous
        lines.append(
            Line(
                str(year),
                [
                    value,
                    running,
                    change,
                    number(origin.get((year, "supported"))),
                    number(origin.get((year, "self_built"))),
                    number(advanced.get(year)),
                    number(with_level.get(year)),
                    number(ratio.get(year)),
                    remark(marks.get(year, ""), "잠정" if year in provisional else ""),
                ],
            )
        )
        previous = value
    by_origin = f.by("deployments", "origin")
    lines.append(
        Line(
            "합계",
            [
                number(f.total("deployments")),
                BLANK,
                BLANK,
                number(by_origin.get("supported")),
                number(by_origin.get("self_built")),
                number(f.total("advanced_deployments")),
                number(f.total("deployments_with_level")),
                number(f.total("advancement_ratio")),
                BLANK,
            ],
            total=True,
        )
    )
    columns = [
        Col("연간", "count", "보급 실적(개)"),
        Col("누적", "count", "보급 실적(개)"),
        Col("전년 대비 증감", "count", "보급 실적(개)"),
        Col("정부지원", "count", "구축 유형(개)"),
        Col("자체구축", "count", "구축 유형(개)"),
        Col("레벨3 이상", "count", "수준(개)"),
        Col("수준 확인", "count", "수준(개)"),
        Col("고도화율(%)", "percent"),
        Col("비고", "text", width=30),
    ]
    sheet = ctx.sheet("연도별 보급실적", "연도별 스마트공장 보급 실적", "개, %", len(columns) + 1)
    pos = sheet.main_table("준공연도", columns, lines)
    _annual_chart(ctx, sheet, pos)
    notes = [
        "준공연도 기준, 보급 실적으로 집계되는 스마트공장(사업장·준공연도당 1회) 수. "
        "과거 집계가 있는 연도는 과거 집계로 셈(구축 유형·수준이 구분되지 않은 집계는 해당 열에서 빠짐).",
        "누적은 표의 첫 연도부터 더한 값이며, 전년 대비 증감은 앞 행(직전 연도) 대비.",
        "고도화율 = 레벨3 이상 ÷ 수준 확인 × 100(수준이 확인된 공장 기준).",
        "목표 대비 누적 실적은 아래 표와 그림 참조.",
        DASH_NOTE,
    ]
    sheet.notes(notes, ctx.source())
    for record in targets:
        _deployment_target(ctx, sheet, annual, record)
    sheet.place_charts()


def _annual_chart(ctx: Book, sheet: SheetWriter, pos: TablePos) -> None:
    annual_and_cumulative_chart(
        ctx,
        sheet,
        pos.span(),
        names=("연간 보급", "누적 보급"),
        colour="#256EF4",
        title="연도별 스마트공장 보급(연간·누적)",
    )


def _deployment_target(
    ctx: Book, sheet: SheetWriter, annual: Mapping[Any, Decimal | None], record: Mapping[str, Any]
) -> None:
    """The progress of one deployments target: its years so far, their running total and the target."""
    start, deadline = parse_date(record.get("counts_from")), parse_date(record.get("deadline"))
    if start is None or deadline is None:
        return
    last = min(deadline.year, ctx.snapshot.as_of.year)
    if last < start.year:
        return  # not started as of the snapshot
    target = number(record.get("target_value"))
    lines: list[Line] = []
    running = 0
    for year in range(start.year, last + 1):
        value = int(annual.get(year) or 0)
        running += value
        share = float(Decimal(running * 100) / Decimal(str(target))) if target else None
        lines.append(Line(str(year), [value, running, target, None if share is None else round(share, 2)]))
    columns = [
        Col("연간", "count", "보급 실적(개)"),
        Col("기간 누적", "count", "보급 실적(개)"),
        Col("목표(개)", "count"),
        Col("달성률(%)", "percent"),
    ]
    label = str(record.get("label_ko") or record.get("code"))
    pos = sheet.sub_table(f"목표 대비 누적 실적: {label}", "연도", columns, lines)
    rows = pos.span()
    chart = ctx.chart("line")
    chart.add_series(
        {
            "name": "기간 누적 실적",
            "categories": sheet.ref(rows, 0),
            "values": sheet.ref(rows, 2),
            "line": {"color": "#256EF4", "width": 2.25},
            "marker": {"type": "circle"},
        }
    )
    chart.add_series(
        {
            "name": "목표",
            "categories": sheet.ref(rows, 0),
            "values": sheet.ref(rows, 3),
            "line": {"color": "#E0533D", "dash_type": "dash"},
        }
    )
    chart_fonts(chart, f"목표 대비 누적: {label}")
    sheet.add_chart(chart)


# --- 지역별 ---------------------------------------------------------------------------------------


def build_regions(ctx: Book) -> None:
    f = ctx.figures
    by_level = f.by("deployments", "region", "level")
    deployed = f.by("deployments", "region")
    active = f.by("active_factories", "region")
    agreed = f.by("agreed_krw", "region", source="government")
    paid = f.by("paid_krw", "region", source="government")
    regions = list(Region.objects.order_by("sort_order", "slug").values_list("slug", "name_ko"))
    known = {slug for slug, _name in regions}
    seen = {k for m in (deployed, active, agreed, paid) for k in m}
    keys: list[tuple[Any, str]] = list(regions)
    keys += [(slug, str(slug)) for slug in sorted(s for s in seen if s is not None and s not in known)]
    if None in seen:
        keys.append((None, "지역 미상"))
    lines = []
    for slug, name in keys:
        levels = [number(by_level.get((slug, code))) for code in LEVELS]
        lines.append(
            Line(
                name,
                [
                    number(deployed.get(slug)),
                    *levels,
                    number(by_level.get((slug, None))),
                    number(active.get(slug)),
                    million(agreed.get(slug)),
                    million(paid.get(slug)),
                    BLANK,
                ],
            )
        )
    level_totals = f.by("deployments", "level")
    lines.append(
        Line(
            "합계",
            [
                number(f.total("deployments")),
                *[number(level_totals.get(code)) for code in LEVELS],
                number(level_totals.get(None)),
                number(f.total("active_factories")),
                million(f.total("agreed_krw", source="government")),
                million(f.total("paid_krw", source="government")),
                BLANK,
            ],
            total=True,
        )
    )
    columns = [
        Col("계", "count", "보급 실적(개)"),
        *[Col(LEVEL_LABELS[code], "count", "보급 실적(개)", width=8) for code in LEVELS],
        Col("미확인", "count", "보급 실적(개)", width=8),
        Col("운영 중(개)", "count"),
        Col("협약액", "krw", "정부지원금(백만원)"),
        Col("집행액", "krw", "정부지원금(백만원)"),
        Col("비고", "text", width=16),
    ]
    sheet = ctx.sheet("지역별", "시도별 스마트공장 보급 및 정부지원금 집행", "개, 백만원", len(columns) + 1)
    sheet.main_table("시도", columns, lines)
    ctx.finish(
        sheet,
        [
            "보급 실적은 준공된 공장의 소재 시도 기준 전체 연도 누적, 수준은 구축 당시 도달 수준.",
            "운영 중은 기준일 현재 폐업·이탈하지 않은 공장.",
            "정부지원금은 신청 과제의 시도 기준이며, 집행액은 지급 취소·환수를 뺀 순지급액.",
            MONEY_NOTE,
        ],
    )


# --- 사업유형별 -------------------------------------------------------------------------------------


def build_program_types(ctx: Book) -> None:
    f = ctx.figures
    deployed = f.by("deployments", "program_type")
    advanced = f.by("advanced_deployments", "program_type")
    budget = f.by("budget_krw", "program_type")
    committed = f.by("committed_krw", "program_type")
    agreed = f.by("agreed_krw", "program_type", source="government")
    paid = f.by("paid_krw", "program_type", source="government")
    rate = f.by("execution_rate", "program_type", source="government")
    seen = {k for m in (deployed, budget, agreed) for k in m}
    keys: list[tuple[Any, str]] = list(PROGRAM_TYPES.items())
    keys += [(k, str(k)) for k in sorted(s for s in seen if s is not None and s not in PROGRAM_TYPES)]
    if None in seen:
        keys.append((None, "민간 자체구축"))
    lines = [
        Line(
            label,
            [
                number(deployed.get(key)),
                number(advanced.get(key)),
                million(budget.get(key)),
                million(committed.get(key)),
                million(agreed.get(key)),
                million(paid.get(key)),
                number(rate.get(key)),
                "사업유형 없음" if key is None else BLANK,
            ],
        )
        for key, label in keys
    ]
    lines.append(
        Line(
            "합계",
            [
                number(f.total("deployments")),
                number(f.total("advanced_deployments")),
                million(f.total("budget_krw")),
                million(f.total("committed_krw")),
                million(f.total("agreed_krw", source="government")),
                million(f.total("paid_krw", source="government")),
                number(f.total("execution_rate", source="government")),
                BLANK,
            ],
            total=True,
        )
    )
    columns = [
        Col("계", "count", "보급 실적(개)"),
        Col("레벨3 이상", "count", "보급 실적(개)"),
        Col("예산", "krw", "정부지원금(백만원)", width=12),
        Col("약정", "krw", "정부지원금(백만원)", width=12),
        Col("협약액", "krw", "정부지원금(백만원)", width=12),
        Col("집행액", "krw", "정부지원금(백만원)", width=12),
        Col("집행률(%)", "percent", "정부지원금(백만원)"),
        Col("비고", "text", width=16),
    ]
    sheet = ctx.sheet("사업유형별", "사업유형별 보급 실적 및 정부지원금", "개, 백만원, %", len(columns) + 1)
    sheet.main_table("사업유형", columns, lines, stub_width=22, stub_align="left")
    ctx.finish(
        sheet,
        [
            "사업유형은 공고의 사업유형이며, 민간 자체구축(수준확인) 공장은 사업유형이 없음.",
            "예산·약정은 기준일까지 접수를 시작한 게시 공고의 정부지원 예산과 선정 과제 약정액.",
            "협약액·집행액은 정부지원금 재원, 집행률 = 집행액 ÷ 협약액 × 100.",
            MONEY_NOTE,
        ],
    )


# --- 수준별 ---------------------------------------------------------------------------------------


def build_levels(ctx: Book) -> None:
    f = ctx.figures
    by_level = f.by("deployments", "year", "level")
    annual = f.by("deployments", "year")
    ratio = f.by("advancement_ratio", "year")
    years = years_of(annual, ratio)
    records = f.targets("advancement_ratio")
    marks = target_marks(records, years, "%")

    def target_in(year: int) -> int | float | None:
        for record in records:
            start, deadline = parse_date(record.get("counts_from")), parse_date(record.get("deadline"))
            if start and deadline and start.year <= year <= deadline.year:
                return number(record.get("target_value"))
        return None

    lines = [
        Line(
            str(year),
            [
                *[number(by_level.get((year, code))) for code in LEVELS],
                number(by_level.get((year, None))),
                number(annual.get(year)),
                number(ratio.get(year)),
                target_in(year),
                remark(marks.get(year, "")),
            ],
        )
        for year in years
    ]
    level_totals = f.by("deployments", "level")
    lines.append(
        Line(
            "합계",
            [
                *[number(level_totals.get(code)) for code in LEVELS],
                number(level_totals.get(None)),
                number(f.total("deployments")),
                number(f.total("advancement_ratio")),
                BLANK,
                BLANK,
            ],
            total=True,
        )
    )
    columns = [
        *[Col(LEVEL_LABELS[code], "count", "도달 수준별 보급(개)", width=8) for code in LEVELS],
        Col("미확인", "count", "도달 수준별 보급(개)", width=8),
        Col("계", "count", "도달 수준별 보급(개)"),
        Col("실적", "percent", "고도화율(%)"),
        Col("목표", "percent", "고도화율(%)"),
        Col("비고", "text", width=26),
    ]
    sheet = ctx.sheet("수준별", "준공연도·도달 수준별 보급 및 고도화율", "개, %", len(columns) + 1)
    pos = sheet.main_table("준공연도", columns, lines)
    rows = pos.span()
    chart = ctx.chart("line")
    chart.add_series(
        {
            "name": "고도화율",
            "categories": sheet.ref(rows, 0),
            "values": sheet.ref(rows, 8),
            "line": {"color": "#256EF4", "width": 2.25},
            "marker": {"type": "circle"},
        }
    )
    chart.add_series(
        {
            "name": "목표",
            "categories": sheet.ref(rows, 0),
            "values": sheet.ref(rows, 9),
            "line": {"color": "#E0533D", "dash_type": "dash"},
        }
    )
    chart_fonts(chart, "연도별 고도화율(레벨3 이상 비율)과 목표", y_format="0.0")
    sheet.add_chart(chart)
    ctx.finish(
        sheet,
        [
            "도달 수준은 KS X 9001 레벨1(점검)~레벨5(자율운영), 미확인은 수준이 구분되지 않은 과거 집계.",
            "고도화율 = 레벨3 이상 ÷ 수준이 확인된 공장 × 100(해당 준공연도 코호트, 합계는 누적).",
            "목표는 그해가 목표의 집계 기간에 드는 경우의 목표 고도화율.",
            DASH_NOTE,
        ],
    )


# --- 상생형 주관기관별 ------------------------------------------------------------------------------


def build_partners(ctx: Book) -> None:
    f = ctx.figures
    pledged = f.by("partner_pledged_krw", "partner")
    committed = f.by("partner_committed_krw", "partner")
    completions = f.by("partner_cofunded_completions", "partner")
    mentees = f.by("mentees", "partner")
    hours = f.by("mentoring_hours", "partner")
    keys = {k for m in (pledged, committed, completions, mentees, hours) for k in m if k is not None}
    names = dict(Organisation.objects.filter(pk__in=keys).values_list("pk", "name_ko"))
    ordered = sorted(keys, key=lambda k: (names.get(k, ""), k))
    lines = [
        Line(
            names.get(key, f"주관기관 #{key}"),
            [
                million(pledged.get(key)),
                million(committed.get(key)),
                number(completions.get(key)),
                number(mentees.get(key)),
                number(hours.get(key)),
                BLANK,
            ],
        )
        for key in ordered
    ]
    lines.append(
        Line(
            "합계",
            [
                million(f.total("partner_pledged_krw")),
                million(f.total("partner_committed_krw")),
                number(f.total("partner_cofunded_completions")),
                number(f.total("mentees")),
                number(f.total("mentoring_hours")),
                BLANK,
            ],
            total=True,
        )
    )
    columns = [
        Col("출연 약정액", "krw", "출연금(백만원)", width=12),
        Col("부담금 확정액", "krw", "출연금(백만원)", width=12),
        Col("공동지원 구축 완료(개)", "count", "지원 실적", width=12),
        Col("멘티 기업(개)", "count", "지원 실적"),
        Col("멘토링(시간)", "hours", "지원 실적"),
        Col("비고", "text", width=16),
    ]
    sheet = ctx.sheet(
        "상생형 주관기관별", "상생형 스마트공장 주관기관별 실적", "백만원, 개, 시간", len(columns) + 1
    )
    sheet.main_table("주관기관", columns, lines, stub_width=24, stub_align="left")
    ctx.finish(
        sheet,
        [
            "출연 약정액은 기준일까지 체결된 상생협약의 출연 약정, "
            "부담금 확정액은 신청 과제에 확정된 주관기관 부담금.",
            "공동지원 구축 완료는 주관기관이 공동 부담한 정부지원 구축 공장 중 보급 실적에 산입되는 것.",
            "멘티 기업은 기준일 끝에 제안·수락·진행·완료 상태인 매칭 수(종료 제외).",
            MONEY_NOTE,
        ],
    )


# --- 예산 집행현황 ----------------------------------------------------------------------------------
