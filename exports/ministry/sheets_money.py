"""The money, workforce and outcome sheets of the ministry workbook: 예산 집행현황, 인력양성 and 성과, from
the snapshot's cells (exports.ministry.book)."""

from __future__ import annotations

from typing import Any

from exports.ministry.book import (
    DASH_NOTE,
    MEASURES,
    MONEY_NOTE,
    PROVIDER_KINDS,
    SOURCES,
    Book,
    annual_and_cumulative_chart,
    million,
    number,
    remark,
    target_marks,
    years_of,
)
from exports.ministry.layout import (
    BLANK,
    Col,
    Line,
    SheetWriter,
    chart_fonts,
)


def build_budget(ctx: Book) -> None:
    f = ctx.figures
    agreed = f.by("agreed_krw", "source")
    paid = f.by("paid_krw", "source")
    recovered = f.by("recovered_krw", "source")
    outstanding = f.by("outstanding_krw", "source")
    rate = f.by("execution_rate", "source")
    keys: list[tuple[Any, str]] = list(SOURCES.items())
    keys += [(k, str(k)) for k in sorted(k for k in agreed if k is not None and k not in SOURCES)]
    lines = [
        Line(
            label,
            [
                million(agreed.get(key)),
                million(paid.get(key)),
                million(recovered.get(key)),
                million(outstanding.get(key)),
                number(rate.get(key)),
                BLANK,
            ],
        )
        for key, label in keys
    ]
    lines.append(
        Line(
            "합계",
            [
                million(f.total("agreed_krw")),
                million(f.total("paid_krw")),
                million(f.total("recovered_krw")),
                million(f.total("outstanding_krw")),
                number(f.total("execution_rate")),
                BLANK,
            ],
            total=True,
        )
    )
    columns = [
        Col("협약액", "krw", "금액(백만원)", width=12),
        Col("집행액", "krw", "금액(백만원)", width=12),
        Col("환수액", "krw", "금액(백만원)", width=12),
        Col("지급 대기액", "krw", "금액(백만원)", width=12),
        Col("집행률(%)", "percent"),
        Col("비고", "text", width=16),
    ]
    sheet = ctx.sheet("예산 집행현황", "재원별 예산 집행현황", "백만원, %", len(columns) + 1)
    pos = sheet.main_table("재원", columns, lines)
    rows = pos.span()
    chart = ctx.chart("column")
    for col, name, color in ((1, "협약액", "#256EF4"), (2, "집행액", "#1D8A5B")):
        chart.add_series(
            {
                "name": name,
                "categories": sheet.ref(rows, 0),
                "values": sheet.ref(rows, col),
                "fill": {"color": color},
            }
        )
    chart_fonts(chart, "재원별 협약액 대비 집행액(백만원)")
    sheet.add_chart(chart)
    _budget_by_year(ctx, sheet)
    ctx.finish(
        sheet,
        [
            "협약액은 기준일까지 체결된 협약의 재원별 금액(변경 승인 반영).",
            "집행액은 지급에서 지급 취소·환수를 뺀 순지급액, "
            "지급 대기액은 요청·승인되었으나 지급되지 않은 금액.",
            "집행률 = 집행액 ÷ 협약액 × 100. "
            "아래 표의 예산·약정은 게시 공고의 정부지원 예산과 선정 과제 약정액.",
            MONEY_NOTE,
        ],
    )


def _budget_by_year(ctx: Book, sheet: SheetWriter) -> None:
    f = ctx.figures
    budget = f.by("budget_krw", "year")
    committed = f.by("committed_krw", "year")
    agreed = f.by("agreed_krw", "year", source="government")
    paid = f.by("paid_krw", "year", source="government")
    rate = f.by("execution_rate", "year", source="government")
    lines = [
        Line(
            str(year),
            [
                million(budget.get(year)),
                million(committed.get(year)),
                million(agreed.get(year)),
                million(paid.get(year)),
                number(rate.get(year)),
            ],
        )
        for year in years_of(budget, committed, agreed, paid)
    ]
    lines.append(
        Line(
            "합계",
            [
                million(f.total("budget_krw")),
                million(f.total("committed_krw")),
                million(f.total("agreed_krw", source="government")),
                million(f.total("paid_krw", source="government")),
                number(f.total("execution_rate", source="government")),
            ],
            total=True,
        )
    )
    columns = [
        Col("예산", "krw", "정부지원금(백만원)"),
        Col("약정", "krw", "정부지원금(백만원)"),
        Col("협약액", "krw", "정부지원금(백만원)"),
        Col("집행액", "krw", "정부지원금(백만원)"),
        Col("집행률(%)", "percent"),
    ]
    sheet.sub_table("회계연도별 정부지원금", "회계연도", columns, lines)


# --- 인력양성 -------------------------------------------------------------------------------------


def build_training(ctx: Book) -> None:
    f = ctx.figures
    annual = f.by("trained_workers", "year")
    provisional = f.provisional("trained_workers", "year")
    by_kind = f.by("trained_workers", "year", "provider_kind")
    years = years_of(annual)
    marks = target_marks(f.targets("trained_workers"), years, "명")
    lines = []
    running = 0
    for year in years:
        value = int(annual.get(year) or 0)
        running += value
        lines.append(
            Line(
                str(year),
                [
                    value,
                    running,
                    *[number(by_kind.get((year, kind))) for kind in PROVIDER_KINDS],
                    number(by_kind.get((year, None))),
                    remark(marks.get(year, ""), "잠정" if year in provisional else ""),
                ],
            )
        )
    kinds_total = f.by("trained_workers", "provider_kind")
    lines.append(
        Line(
            "합계",
            [
                number(f.total("trained_workers")),
                BLANK,
                *[number(kinds_total.get(kind)) for kind in PROVIDER_KINDS],
                number(kinds_total.get(None)),
                BLANK,
            ],
            total=True,
        )
    )
    columns = [
        Col("연간", "persons", "수료 인원(명)"),
        Col("누적", "persons", "수료 인원(명)"),
        *[Col(label, "persons", "교육기관 유형별(명)", width=11) for label in PROVIDER_KINDS.values()],
        Col("구분 없음", "persons", "교육기관 유형별(명)", width=10),
        Col("비고", "text", width=30),
    ]
    sheet = ctx.sheet("인력양성", "연도별 스마트제조 인력양성 실적", "명", len(columns) + 1)
    pos = sheet.main_table("연도", columns, lines)
    annual_and_cumulative_chart(
        ctx,
        sheet,
        pos.span(),
        names=("연간 수료", "누적 수료"),
        colour="#1D8A5B",
        title="연도별 스마트제조 인력양성(연간·누적)",
    )
    ctx.finish(
        sheet,
        [
            "교육 과정 종료연도 기준 수료 인원. "
            "과거 집계가 있는 연도는 과거 집계로 셈(교육기관 유형 구분 없음).",
            "누적은 표의 첫 연도부터 더한 값.",
            DASH_NOTE,
        ],
    )


# --- 성과 -----------------------------------------------------------------------------------------


def build_outcomes(ctx: Book) -> None:
    f = ctx.figures
    median = f.by("outcome_change_median", "measure")
    mean = f.by("outcome_change_mean", "measure")
    by_year = f.by("outcome_change_median", "measure", "year")
    years = sorted({int(y) for _m, y in by_year if y is not None})
    keys = [k for k in MEASURES if k in median or k in mean]
    keys += sorted(k for k in {*median, *mean} if k is not None and k not in MEASURES)
    lines = []
    for key in keys:
        label, unit, kind = MEASURES.get(str(key), (str(key), "", "decimal"))
        lines.append(
            Line(
                f"{label}({unit})" if unit else label,
                [
                    number(median.get(key)),
                    number(mean.get(key)),
                    *[number(by_year.get((key, year))) for year in years],
                    "감소가 개선" if key in ("defect_rate", "cost", "accidents") else BLANK,
                ],
                kinds=[kind, kind, *[kind for _y in years], None],
            )
        )
    columns = [
        Col("중앙값", "percent", "도입 전 대비 변화"),
        Col("평균", "percent", "도입 전 대비 변화"),
        *[Col(f"{year}년", "percent", "준공연도별 중앙값", width=9) for year in years],
        Col("비고", "text", width=14),
    ]
    sheet = ctx.sheet("성과", "스마트공장 도입 성과(도입 전 대비 변화)", "%, 명, 건", len(columns) + 1)
    sheet.main_table("성과 지표", columns, lines, stub_width=18, stub_align="left")
    accepted = number(f.total("outcome_reports_accepted"))
    ctx.finish(
        sheet,
        [
            "기준일까지 확인(승인)된 성과 보고의 도입 전 대비 후 변화"
            f"(보고 {accepted or 0:,}건). 생산성·불량률·원가·납기준수율·매출액은 증감률(%), "
            "고용·산업재해는 공장당 증감 수.",
            "준공연도별 중앙값은 해당 연도에 준공된 공장(코호트)의 중앙값.",
            DASH_NOTE,
        ],
    )
