"""The Korean government table layout of the ministry workbook (DESIGN.md §6), on XlsxWriter.

One sheet is one statistics table laid out as ministry tables are:

- row 1: the title, bold, merged across the table;
- row 2: "기준일: YYYY. MM. DD." on the left and "(단위: …)" right-aligned over the last column;
- rows 4–5: the header, two rows — a group cell merged over its columns above their sub-headers, a
  column without a group merged over both rows, the stub (A4:A5) too;
- the data rows, then a bold 합계 row; numbers as numbers in `#,##0;"△"#,##0;"-"` (△ for negatives,
  "-" for zero), and the text "-" where there is nothing to show;
- footnotes starting "주)" and the source line "자료:" naming the snapshot;
- panes frozen at B6, rows 4–5 printed on every page, A4 landscape, one page wide.

Further tables (a target's progress, say) and native Excel charts follow below the footnotes.

The text of the workbook is Korean whatever the request's language: it is the ministry's report format
(sheet names, headers and footnotes are what the ministry's template says), not an interface string.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from xlsxwriter.chart import Chart
from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

COUNT_FORMAT = '#,##0;"△"#,##0;"-"'
# Excel number formats by the kind of figure: positive; negative (△); zero ("-").
NUMBER_FORMATS: dict[str, str] = {
    "count": COUNT_FORMAT,
    "persons": COUNT_FORMAT,
    "krw": COUNT_FORMAT,  # whole 백만원
    "percent": '#,##0.00;"△"#,##0.00;"-"',
    "decimal": '#,##0.0;"△"#,##0.0;"-"',
    "hours": '#,##0.0;"△"#,##0.0;"-"',
}
FONT = "맑은 고딕"
HEADER_FILL = "#F2F2F2"
TOTAL_FILL = "#EDEDED"
SECTION_FILL = "#FAFAFA"
FIRST_ROW = 5  # zero-based: the first data row (row 6)
CHART_WIDTH, CHART_HEIGHT = 520, 300
CHART_ROWS = 16  # rows a chart takes at the default row height (20 px), plus a gap


class _Blank:
    """An empty cell (a border, no value): a figure that does not apply to a total row, for one."""

    def __repr__(self) -> str:
        return "BLANK"


BLANK: Any = _Blank()


@dataclass(frozen=True)
class Col:
    """A column after the stub: its sub-header, the group it sits under (None: a column of its own,
    its header merged over both header rows), the kind of figure (a NUMBER_FORMATS key, or "text")."""

    header: str
    kind: str = "count"
    group: str | None = None
    width: float = 11.0
    align: str | None = None  # None: numbers right, text left


@dataclass
class Line:
    """A row of a table: its label (the stub) and one value per column. A value is a number, a text,
    None (shown "-") or BLANK. `kinds` overrides the columns' kinds for this row (the summary sheet
    mixes units in one column); a `section` line is a bold caption merged across the table."""

    label: str
    values: list[Any] = field(default_factory=list)
    total: bool = False
    section: bool = False
    kinds: Sequence[str | None] | None = None


@dataclass(frozen=True)
class TablePos:
    """Where a table's rows landed (zero-based rows): for the charts that read them."""

    first: int  # first data row
    last: int  # last data row (first - 1 when there is none)
    total: int | None  # the 합계 row

    def span(self) -> tuple[int, int]:
        """The rows a chart reads: the data rows, or the 합계 row of an empty table."""
        if self.last >= self.first:
            return self.first, self.last
        row = self.total if self.total is not None else self.first
        return row, row


class Styles:
    """The workbook's cell formats, created once each (XlsxWriter formats belong to the workbook)."""

    def __init__(self, book: Workbook) -> None:
        self.book = book
        self._cache: dict[tuple[Any, ...], Format] = {}

    def get(self, **props: Any) -> Format:
        key = tuple(sorted(props.items()))
        found = self._cache.get(key)
        if found is None:
            found = self.book.add_format({"font_name": FONT, "font_size": 10, "valign": "vcenter", **props})
            self._cache[key] = found
        return found

    def cell(self, kind: str, *, total: bool = False, align: str | None = None) -> Format:
        props: dict[str, Any] = {"border": 1}
        if kind == "text":
            props["align"] = align or "left"
            props["text_wrap"] = True
        else:
            props["align"] = align or "right"
            props["num_format"] = NUMBER_FORMATS.get(kind, COUNT_FORMAT)
        if total:
            props.update(bold=True, bg_color=TOTAL_FILL)
        return self.get(**props)

    def stub(self, *, total: bool = False, align: str = "center") -> Format:
        props: dict[str, Any] = {"border": 1, "align": "center" if total else align}
        if total:
            props.update(bold=True, bg_color=TOTAL_FILL)
        return self.get(**props)

    def header(self) -> Format:
        return self.get(bold=True, border=1, align="center", text_wrap=True, bg_color=HEADER_FILL)

    def section(self) -> Format:
        return self.get(bold=True, border=1, align="left", bg_color=SECTION_FILL)


class SheetWriter:
    """Writes one sheet top to bottom: the title block, the main table, further tables, the footnotes
    and the charts. `self.row` is the next free row (zero-based)."""

    def __init__(
        self,
        book: Workbook,
        styles: Styles,
        *,
        name: str,
        title: str,
        as_of_line: str,
        unit: str,
        width: int,
    ) -> None:
        self.book = book
        self.styles = styles
        self.name = name
        self.width = width  # columns of the main table, the stub included
        self.ws: Worksheet = book.add_worksheet(name)
        self.charts: list[Chart] = []
        ws = self.ws
        ws.set_row(0, 30)
        ws.merge_range(0, 0, 0, width - 1, title, styles.get(bold=True, font_size=14, align="center"))
        ws.write_string(1, 0, as_of_line, styles.get(align="left"))
        ws.write_string(1, width - 1, unit, styles.get(align="right"))
        ws.set_landscape()
        ws.set_paper(9)  # A4
        ws.fit_to_pages(1, 0)  # one page wide, as many pages tall as it takes
        ws.repeat_rows(3, 4)
        ws.center_horizontally()
        ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
        ws.set_footer("&C&P / &N")
        self.row = 3

    # --- tables -----------------------------------------------------------------------------------

    def main_table(
        self,
        stub: str,
        columns: Sequence[Col],
        lines: Sequence[Line],
        *,
        stub_width: float = 16,
        stub_align: str = "center",
    ) -> TablePos:
        """The sheet's table in rows 4–5 (header) and from row 6 on; panes frozen at B6."""
        if len(columns) + 1 != self.width:
            raise ValueError("the title spans the main table: give the sheet the table's width")
        ws = self.ws
        ws.set_column(0, 0, stub_width)
        for c, col in enumerate(columns, start=1):
            ws.set_column(c, c, col.width)
        self._two_row_header(3, stub, columns)
        ws.freeze_panes(FIRST_ROW, 1)
        self.row = FIRST_ROW
        return self._lines(columns, lines, stub_align)

    def sub_table(self, title: str, stub: str, columns: Sequence[Col], lines: Sequence[Line]) -> TablePos:
        """A further table below: a bold caption, a two-row header and its rows."""
        self.row += 1
        self.ws.write_string(self.row, 0, title, self.styles.get(bold=True, align="left"))
        self.row += 1
        self._two_row_header(self.row, stub, columns)
        self.row += 2
        return self._lines(columns, lines)

    def _two_row_header(self, top: int, stub: str, columns: Sequence[Col]) -> None:
        ws, fmt = self.ws, self.styles.header()
        ws.merge_range(top, 0, top + 1, 0, stub, fmt)
        c = 1
        while c <= len(columns):
            col = columns[c - 1]
            if col.group is None:
                ws.merge_range(top, c, top + 1, c, col.header, fmt)
                c += 1
                continue
            end = c
            while end < len(columns) and columns[end].group == col.group:
                end += 1
            if end > c:
                ws.merge_range(top, c, top, end, col.group, fmt)
            else:
                ws.write_string(top, c, col.group, fmt)
            for i in range(c, end + 1):
                ws.write_string(top + 1, i, columns[i - 1].header, fmt)
            c = end + 1

    def _lines(self, columns: Sequence[Col], lines: Sequence[Line], stub_align: str = "center") -> TablePos:
        ws, styles = self.ws, self.styles
        first = self.row
        last = first - 1
        total_row: int | None = None
        for line in lines:
            r = self.row
            if line.section:
                ws.merge_range(r, 0, r, len(columns), line.label, styles.section())
                self.row += 1
                continue
            ws.write_string(r, 0, line.label, styles.stub(total=line.total, align=stub_align))
            for c, col in enumerate(columns, start=1):
                value = line.values[c - 1] if c - 1 < len(line.values) else BLANK
                kind = col.kind
                if line.kinds is not None and line.kinds[c - 1] is not None:
                    kind = str(line.kinds[c - 1])
                self.value(r, c, value, kind, total=line.total, align=col.align)
            if line.total:
                total_row = r
            else:
                last = r
            self.row += 1
        return TablePos(first, last, total_row)

    def value(
        self, r: int, c: int, value: Any, kind: str, *, total: bool = False, align: str | None = None
    ) -> None:
        """One cell: a number in the kind's format, a text, "-" for None, or an empty bordered cell."""
        ws = self.ws
        fmt = self.styles.cell(kind, total=total, align=align)
        if value is BLANK:
            ws.write_blank(r, c, None, fmt)
        elif value is None:
            ws.write_string(r, c, "-", fmt)
        elif isinstance(value, str):
            ws.write_string(r, c, value, fmt)
        else:
            ws.write_number(r, c, value, fmt)

    # --- footnotes and charts ---------------------------------------------------------------------

    def notes(self, notes: Sequence[str], source: str) -> None:
        """ "주) 1. …", "    2. …" and the source line "자료: …" below the table."""
        fmt = self.styles.get(align="left", font_size=9)
        self.row += 1
        for i, note in enumerate(notes, start=1):
            prefix = "주) " if i == 1 else "    "
            number = f"{i}. " if len(notes) > 1 else ""
            self.ws.write_string(self.row, 0, f"{prefix}{number}{note}", fmt)
            self.row += 1
        self.ws.write_string(self.row, 0, f"자료: {source}", fmt)
        self.row += 1

    def add_chart(self, chart: Chart) -> None:
        self.charts.append(chart)

    def place_charts(self) -> None:
        """The charts below everything else, two side by side, from a new printed page."""
        if not self.charts:
            return
        top = self.row + 1
        # LibreOffice starts the charts on a new page; Excel's fit-to-width printing ignores the break.
        self.ws.set_h_pagebreaks([top])
        for i, chart in enumerate(self.charts):
            chart.set_size({"width": CHART_WIDTH, "height": CHART_HEIGHT})
            self.ws.insert_chart(
                top + CHART_ROWS * (i // 2),
                0,
                chart,
                {"x_offset": (CHART_WIDTH + 20) * (i % 2), "y_offset": 0, "object_position": 1},
            )

    def ref(self, rows: tuple[int, int], col: int) -> list[Any]:
        """A chart reference to rows[0]..rows[1] of column `col` of this sheet."""
        return [self.name, rows[0], col, rows[1], col]


def chart_fonts(chart: Chart, title: str, *, y_format: str = "#,##0", y2_format: str | None = None) -> None:
    """Title, axes and legend in the workbook's font; the legend at the bottom."""
    font = {"name": FONT, "size": 9}
    chart.set_title({"name": title, "name_font": {"name": FONT, "size": 11, "bold": True}})
    chart.set_x_axis({"num_font": font})
    chart.set_y_axis(
        {"num_font": font, "num_format": y_format, "min": 0, "major_gridlines": {"visible": True}}
    )
    if y2_format is not None:
        chart.set_y2_axis({"num_font": font, "num_format": y2_format})
    chart.set_legend({"position": "bottom", "font": font})
