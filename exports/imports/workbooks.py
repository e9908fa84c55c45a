"""Files of imports: the downloadable template of a kind, the readers of uploads, and the annotated
workbook of a refused file.

Readers run only after `core.uploads.upload_check` passed (size, type against content, zip limits,
macros, DTDs). XLSX is read with python-calamine (Rust: no XML entity expansion, and about ten times
faster than openpyxl on a 100,000-row sheet); CSV must be UTF-8, with or without BOM.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

import xlsxwriter
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from python_calamine import CalamineError, CalamineWorkbook

from core.uploads import CheckedUpload
from exports.imports.base import Column, ImportKind

DATA_SHEET = "입력 (Data)"
GUIDE_SHEET = "안내 (Guide)"
LISTS_SHEET = "목록 (Lists)"
ANNOTATED_SHEET = "데이터 (Data)"
ERRORS_SHEET = "오류 목록 (Errors)"
ERRORS_HEADER = "오류 (Errors)"
# Rows of the template's data sheet that carry drop-down lists and input hints.
TEMPLATE_ROWS = 100_000
TYPE_HINTS = {
    "text": "텍스트 (text)",
    "int": "정수 (whole number)",
    "money": "원 단위 정수 (whole won)",
    "decimal": "숫자 (number)",
    "date": "날짜 YYYY-MM-DD (date)",
    "raw": "텍스트 또는 숫자 (text or number)",
}


class ReadRefused(Exception):
    """The file passed the upload checks but cannot be read as a sheet of rows."""

    def __init__(self, code: str, message: str | Promise) -> None:
        super().__init__(code)
        self.code = code
        self.message = message


# --- the template ---------------------------------------------------------------------------------------


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def template_write(kind: ImportKind, out: IO[bytes] | str | Path) -> None:
    """Write the kind's template: the data sheet (the header row, frozen, with a drop-down list where a
    column has a fixed set of values and a hint on every column), a guide sheet describing each column,
    and a hidden sheet holding the lists. Rows typed under the header are what an upload reads."""
    book = xlsxwriter.Workbook(
        out, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    header = book.add_format(
        {"bold": True, "bg_color": "#DCE6F2", "border": 1, "text_wrap": True, "valign": "vcenter"}
    )
    required = book.add_format(
        {
            "bold": True,
            "bg_color": "#FBE3D6",
            "border": 1,
            "text_wrap": True,
            "valign": "vcenter",
        }
    )
    formats = {
        "text": book.add_format({"num_format": "@"}),
        "date": book.add_format({"num_format": "yyyy-mm-dd"}),
        "money": book.add_format({"num_format": "#,##0"}),
    }
    data = book.add_worksheet(DATA_SHEET)
    guide = book.add_worksheet(GUIDE_SHEET)
    lists = book.add_worksheet(LISTS_SHEET)
    for index, column in enumerate(kind.columns):
        data.set_column(index, index, column.width, formats.get(column.type))
        data.write_string(0, index, column.header, required if column.required else header)
        values = column.choices() if column.choices is not None else []
        options: dict[str, Any] = {
            "input_title": column.header_ko[:32],
            "input_message": _hint(column)[:255],
            "error_type": "warning",
        }
        if values:
            letter = _column_letter(index)
            for position, value in enumerate(values):
                lists.write_string(position, index, str(value))
            options |= {
                "validate": "list",
                "source": f"='{LISTS_SHEET}'!${letter}$1:${letter}${len(values)}",
                "error_message": _("Choose a value from the list, or type one the guide allows.")[:255],
            }
        elif column.type in ("int", "money"):
            options |= {
                "validate": "integer",
                "criteria": ">=",
                "value": column.minimum or 0,
                "error_message": _("Enter a whole number.")[:255],
            }
        else:
            options |= {"validate": "any"}
        data.data_validation(1, index, TEMPLATE_ROWS, index, options)
    data.set_row(0, 36)
    data.freeze_panes(1, 0)
    _guide_write(book, guide, kind, header)
    lists.hide()
    book.close()


def _hint(column: Column) -> str:
    parts = [_("Required") if column.required else _("Optional"), str(column.help)]
    if column.example:
        parts.append(_("e.g. %(example)s") % {"example": column.example})
    return " · ".join(p for p in parts if p)


def _guide_write(book: Any, sheet: Any, kind: ImportKind, header: Any) -> None:
    title = book.add_format({"bold": True, "font_size": 14})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    sheet.write_string(0, 0, f"{kind.label}", title)
    sheet.write_string(1, 0, str(kind.description), wrap)
    sheet.write_string(
        2,
        0,
        _(
            "Type one row per record under the header of the first sheet. Every row is checked; if any row "
            "has an error nothing is saved, and the errors are listed by row and column."
        ),
        wrap,
    )
    labels = ["열 (Column)", "필수 (Required)", "형식 (Format)", "설명 (Description)", "예 (Example)"]
    for index, label in enumerate(labels):
        sheet.write_string(4, index, label, header)
    for row, column in enumerate(kind.columns, start=5):
        sheet.write_string(row, 0, column.header, wrap)
        sheet.write_string(row, 1, "필수 (required)" if column.required else "선택 (optional)", wrap)
        sheet.write_string(row, 2, TYPE_HINTS[column.type], wrap)
        sheet.write_string(row, 3, str(column.help), wrap)
        sheet.write_string(row, 4, column.example, wrap)
    sheet.set_column(0, 0, 36)
    sheet.set_column(1, 2, 18)
    sheet.set_column(3, 3, 60)
    sheet.set_column(4, 4, 24)


# --- reading --------------------------------------------------------------------------------------------


def read_rows(data: bytes, checked: CheckedUpload, *, max_rows: int) -> list[list[Any]]:
    """The first sheet (or the CSV) as rows of cells from row 1, blank cells as "". Raises ReadRefused
    for a file that cannot be read and for one over `max_rows` data rows."""
    too_many = ReadRefused(
        "file_too_many_rows", _("The file has more than %(n)s rows.") % {"n": f"{max_rows:,}"}
    )
    if checked.file_format == "csv":
        rows: list[list[Any]] = []
        try:
            for cells in csv.reader(io.StringIO(checked.text, newline="")):
                rows.append(cells)
                if len(rows) > max_rows + 1:
                    raise too_many
        except csv.Error as exc:
            raise ReadRefused("file_corrupt", _("The file is not a valid CSV file.")) from exc
        return rows
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        if not book.sheet_names:
            return []
        sheet = book.get_sheet_by_index(0)
        end = sheet.end
        if end is not None and end[0] + 1 > max_rows + 1:
            raise too_many
        return list(sheet.to_python(skip_empty_area=False))
    except ReadRefused:
        raise
    except (CalamineError, ValueError, OSError) as exc:
        raise ReadRefused("file_corrupt", _("The file is not a readable XLSX workbook.")) from exc


# --- the annotated workbook -------------------------------------------------------------------------------


def annotated_write(
    path: Path,
    *,
    rows: Sequence[Sequence[Any]],
    errors: Iterable[tuple[int, int | None, str, str, str]],
) -> None:
    """Write the uploaded rows with an "오류 (Errors)" column after the last one (each bad cell filled),
    and a sheet "오류 목록 (Errors)" listing row, column, code and message.

    `errors` are (sheet row, position of the column in the file or None, column header, code, message),
    in the order to list them; row 0 is an error of the whole file.
    """
    errors = list(errors)
    by_row: dict[int, list[tuple[int | None, str, str]]] = {}
    for number, position, column, _code, message in errors:
        by_row.setdefault(number, []).append((position, column, message))
    width = max((len(cells) for cells in rows), default=0)
    book = xlsxwriter.Workbook(
        str(path), {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    bold = book.add_format({"bold": True})
    date = book.add_format({"num_format": "yyyy-mm-dd"})
    bad = book.add_format({"bg_color": "#FFC7CE"})
    bad_date = book.add_format({"bg_color": "#FFC7CE", "num_format": "yyyy-mm-dd"})
    message_format = book.add_format({"font_color": "#9C0006", "text_wrap": False})
    sheet = book.add_worksheet(ANNOTATED_SHEET)
    for index, cells in enumerate(rows):
        number = index + 1
        problems = by_row.get(number, [])
        marked = {position for position, _column, _message in problems if position is not None}
        for position, value in enumerate(cells):
            is_date = isinstance(value, dt.date)
            cell_format = (
                (bad_date if is_date else bad) if position in marked else (date if is_date else None)
            )
            if number == 1 and cell_format is None:
                cell_format = bold
            _write(sheet, index, position, value, cell_format)
        for position in marked - set(range(len(cells))):
            sheet.write_blank(index, position, None, bad)
        if number == 1:
            sheet.write_string(index, width, ERRORS_HEADER, bold)
        elif problems:
            text = "; ".join(
                f"{column}: {message}" if column else message for _p, column, message in problems
            )
            sheet.write_string(index, width, text, message_format)
    sheet.freeze_panes(1, 0)
    listing = book.add_worksheet(ERRORS_SHEET)
    for position, label in enumerate(["행 (Row)", "열 (Column)", "코드 (Code)", "오류 (Message)"]):
        listing.write_string(0, position, label, bold)
    for index, (number, _position, column, code, message) in enumerate(errors, start=1):
        listing.write_number(index, 0, number)
        listing.write_string(index, 1, column)
        listing.write_string(index, 2, code)
        listing.write_string(index, 3, message)
    listing.set_column(1, 1, 30)
    listing.set_column(3, 3, 80)
    book.close()


def _write(sheet: Any, row: int, col: int, value: Any, cell_format: Any) -> None:
    if value is None or value == "":
        if cell_format is not None:
            sheet.write_blank(row, col, None, cell_format)
        return
    if isinstance(value, bool):
        sheet.write_boolean(row, col, value, cell_format)
    elif isinstance(value, int | float | Decimal):
        sheet.write_number(row, col, float(value), cell_format)
    elif isinstance(value, dt.datetime | dt.date):
        day = value if isinstance(value, dt.datetime) else dt.datetime.combine(value, dt.time())
        sheet.write_datetime(row, col, day.replace(tzinfo=None), cell_format)
    else:
        sheet.write_string(row, col, str(value), cell_format)
