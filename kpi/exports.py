"""The numbers table of a dashboard chart, as the page shows it and as an Excel download.

`chart_table(chart, labels)` turns a chart of the payload (kpi.dashboards) into rows of display values:
won in 백만원 with one decimal (half-up, as government tables round), percentages and days with their
decimals, counts as whole numbers. The page's <table> and the .xlsx both come from it, so the two
always agree. `xlsx_response` writes the workbook in the usual layout of a Korean government table:
title, 기준일 (as of) and the unit above the header row, thousands separators.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.http import FileResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

from core.money import Unit

# Decimals shown per unit, and the Excel number format of each.
_DECIMALS = {"krw": 1, "percent": 2, "days": 1, "ratio": 2, "count": 0, "persons": 0}
_FORMATS = {0: "#,##0", 1: "#,##0.0", 2: "#,##0.00"}


def unit_label(unit: str) -> str:
    return {
        "krw": _("KRW million"),
        "percent": "%",
        "days": _("days"),
        "count": _("count"),
        "persons": _("persons"),
        "ratio": _("ratio"),
    }.get(unit, unit)


def display_number(value: Any, unit: str) -> Decimal | None:
    """The number as the table shows it (won → 백만원), rounded half-up to the unit's decimals."""
    if value is None:
        return None
    number = Decimal(str(value))
    if unit == "krw":
        number = number / Unit.MILLION.divisor
    places = _DECIMALS.get(unit, 2)
    # Whole counts stay whole; a fractional count (e.g. hours) keeps one decimal.
    if places == 0 and number != number.to_integral_value():
        places = 1
    return number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def format_number(value: Decimal | None) -> str:
    if value is None:
        return "-"
    places = max(-value.as_tuple().exponent, 0)  # type: ignore[operator]
    return f"{value:,.{places}f}"


@dataclass
class Column:
    key: str
    label: str
    unit: str


@dataclass
class TableRow:
    key: Any
    label: str
    values: list[Decimal | None]

    @property
    def cells(self) -> list[str]:
        return [format_number(v) for v in self.values]


@dataclass
class ChartTable:
    id: str
    title: str
    dim: str
    dim_label: str
    columns: list[Column]
    rows: list[TableRow]

    @property
    def script_id(self) -> str:
        """The id of the json_script element holding the chart's data."""
        return f"chart-{self.id}-data"

    @property
    def units(self) -> str:
        seen: list[str] = []
        for c in self.columns:
            label = unit_label(c.unit)
            if label not in seen:
                seen.append(label)
        return ", ".join(seen)


def chart_table(
    chart: Mapping[str, Any],
    *,
    title: str,
    dim_label: str,
    series_label: Callable[[Mapping[str, Any]], str],
    key_label: Callable[[str, Any], str],
) -> ChartTable:
    columns = [Column(s["key"], series_label(s), s["unit"]) for s in chart["series"]]
    rows = [
        TableRow(
            row["key"],
            key_label(chart["dim"], row["key"]),
            [display_number(v, c.unit) for v, c in zip(row["values"], columns, strict=False)],
        )
        for row in chart["rows"]
    ]
    return ChartTable(chart["id"], title, chart["dim"], dim_label, columns, rows)


_THIN = Side(style="thin", color="808080")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def xlsx_bytes(table: ChartTable, *, as_of: str, source: str) -> bytes:
    """The table as a workbook: title, 기준일 and unit lines, header, rows, source note."""
    wb = Workbook()
    ws = wb.worksheets[0]  # a new workbook has one sheet
    ws.title = table.id[:31]
    width = len(table.columns) + 1
    ws.cell(row=1, column=1, value=table.title).font = Font(bold=True, size=14)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.cell(row=2, column=1, value=f"{_('As of')}: {as_of}")
    unit_cell = ws.cell(row=2, column=width, value=f"({_('Unit')}: {table.units})")
    unit_cell.alignment = Alignment(horizontal="right")
    header_fill = PatternFill("solid", fgColor="D9E1F2")
    for col, text in enumerate([table.dim_label, *(c.label for c in table.columns)], start=1):
        cell = ws.cell(row=4, column=col, value=text)
        cell.font = Font(bold=True)
        cell.fill = header_fill
        cell.border = _BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for r, row in enumerate(table.rows, start=5):
        label = ws.cell(row=r, column=1, value=row.label)
        label.border = _BORDER
        for c, value in enumerate(row.values, start=2):
            cell = ws.cell(row=r, column=c, value=value if value is not None else "-")
            cell.border = _BORDER
            cell.alignment = Alignment(horizontal="right")
            if value is not None:
                places = max(-value.as_tuple().exponent, 0)  # type: ignore[operator]
                cell.number_format = _FORMATS.get(places, "#,##0.00")
    note_row = len(table.rows) + 6
    ws.cell(row=note_row, column=1, value=f"{_('Source')}: {source}")
    ws.column_dimensions["A"].width = 28
    for col in range(2, width + 1):
        ws.column_dimensions[ws.cell(row=4, column=col).column_letter].width = 18
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def xlsx_response(table: ChartTable, *, as_of: str, source: str) -> FileResponse:
    """The workbook streamed as a download named after the chart and the date."""
    data = xlsx_bytes(table, as_of=as_of, source=source)
    return FileResponse(
        io.BytesIO(data),
        as_attachment=True,
        filename=f"kpi-{table.id}-{as_of}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
