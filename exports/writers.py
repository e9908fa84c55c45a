"""Streaming writers of rows to xlsx (XlsxWriter, constant memory), CSV and JSON.

Every writer takes the columns and an iterator of rows, writes as it reads, and returns the number of
rows written, so memory stays flat however long the list. Text that a spreadsheet would run as a
formula (it starts with `= + - @`, a tab or a carriage return) is written with a leading apostrophe in
xlsx and CSV; numbers stay numbers. JSON is data, not a sheet: its text is written as it is.

XlsxWriter rather than openpyxl's write-only mode: in its constant-memory mode it was about 1.7× faster
on the ledger here, and it writes merged title rows, which openpyxl's write-only mode cannot.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

import xlsxwriter
from django.utils import timezone

from exports.datasets.base import Column

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
PROGRESS_EVERY = 5_000
MONEY_FORMAT = "#,##0"
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
XLSX_MAX_ROWS = 1_048_576

Progress = Callable[[int], None] | None


def neutralise(text: str) -> str:
    """`text` with a leading apostrophe when a spreadsheet would read it as a formula."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def _local(value: dt.datetime) -> dt.datetime:
    """An aware datetime as naive local (Korean) time; spreadsheets have no time zones."""
    if timezone.is_aware(value):
        return timezone.localtime(value).replace(tzinfo=None)
    return value


class _Counter:
    """Calls `progress(n)` every `every` rows and once at the end with the total."""

    def __init__(self, progress: Progress, every: int) -> None:
        self.progress = progress
        self.every = max(1, every)
        self.count = 0
        self.reported = 0

    def tick(self) -> None:
        self.count += 1
        if self.progress is not None and self.count % self.every == 0:
            self.progress(self.count)
            self.reported = self.count

    def finish(self) -> int:
        if self.progress is not None and self.reported != self.count:
            self.progress(self.count)
        return self.count


# --- CSV ------------------------------------------------------------------------------------------------


def _csv_converter(kind: str) -> Callable[[Any], Any] | None:
    if kind in ("int", "money"):
        return None  # csv writes numbers as digits, None as ""

    def convert(value: Any) -> Any:
        if value is None:
            return ""
        if isinstance(value, str):
            return neutralise(value)
        if isinstance(value, dt.datetime):
            return _local(value).strftime("%Y-%m-%d %H:%M:%S")
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, bool):
            return "Y" if value else "N"
        return value

    return convert


def write_csv(
    out: IO[bytes],
    columns: Sequence[Column],
    rows: Iterable[Sequence[Any]],
    *,
    progress: Progress = None,
    progress_every: int = PROGRESS_EVERY,
) -> int:
    """UTF-8 with a BOM (so Korean Excel opens it right) and CRLF line ends, a header row first."""
    text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=False)
    try:
        text.write("\ufeff")
        writer = csv.writer(text, lineterminator="\r\n")
        writer.writerow([neutralise(str(c.header)) for c in columns])
        converters = [_csv_converter(c.kind) for c in columns]
        counter = _Counter(progress, progress_every)
        if not any(converters):
            for row in rows:
                writer.writerow(row)
                counter.tick()
        else:
            pairs = [(i, f) for i, f in enumerate(converters) if f is not None]
            for row in rows:
                values = list(row)
                for i, convert in pairs:
                    values[i] = convert(values[i])
                writer.writerow(values)
                counter.tick()
        text.flush()
    finally:
        text.detach()  # leave `out` open for the caller
    return counter.finish()


# --- JSON -----------------------------------------------------------------------------------------------


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return _local(value).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return str(value)


def write_json(
    out: IO[bytes],
    columns: Sequence[Column],
    rows: Iterable[Sequence[Any]],
    *,
    progress: Progress = None,
    progress_every: int = PROGRESS_EVERY,
) -> int:
    """A JSON array of objects keyed by the column headers, one object per line."""
    keys = [str(c.header) for c in columns]
    encoder = json.JSONEncoder(ensure_ascii=False, default=_json_default)
    counter = _Counter(progress, progress_every)
    out.write(b"[")
    for row in rows:
        out.write(
            (b",\n" if counter.count else b"\n") + encoder.encode(dict(zip(keys, row, strict=True))).encode()
        )
        counter.tick()
    out.write(b"\n]\n")
    return counter.finish()


# --- XLSX -----------------------------------------------------------------------------------------------


def _width(column: Column) -> float:
    if column.width:
        return column.width
    header = str(column.header)
    # Hangul is about twice as wide as Latin in Excel's default font.
    header_width = sum(2 if ord(ch) > 0x1100 else 1 for ch in header) + 2
    minimum = {"money": 14, "datetime": 19, "date": 11, "int": 8, "decimal": 10, "bool": 6}.get(
        column.kind, 12
    )
    return float(min(max(header_width, minimum), 50))


def write_xlsx(
    out: str | Path | IO[bytes],
    columns: Sequence[Column],
    rows: Iterable[Sequence[Any]],
    *,
    title: str | None = None,
    criteria: Sequence[tuple[str, str]] = (),
    sheet_name: str = "data",
    progress: Progress = None,
    progress_every: int = PROGRESS_EVERY,
) -> int:
    """One sheet: an optional title and the filters (label, value) above the header, the header bold and
    frozen, numbers as numbers (`#,##0` for money), dates as dates. Rows past Excel's limit raise."""
    target = str(out) if isinstance(out, Path) else out
    book = xlsxwriter.Workbook(
        target,
        {
            "constant_memory": True,
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "default_date_format": DATE_FORMAT,
        },
    )
    try:
        sheet = book.add_worksheet(sheet_name[:31])
        bold = book.add_format({"bold": True})
        title_format = book.add_format({"bold": True, "font_size": 14})
        header_format = book.add_format({"bold": True, "bg_color": "#EEF2F7", "bottom": 1, "text_wrap": True})
        formats = {
            "money": book.add_format({"num_format": MONEY_FORMAT}),
            "date": book.add_format({"num_format": DATE_FORMAT}),
            "datetime": book.add_format({"num_format": DATETIME_FORMAT}),
            "decimal": book.add_format({"num_format": "#,##0.0#"}),
        }
        for i, column in enumerate(columns):
            sheet.set_column(i, i, _width(column))

        r = 0
        if title:
            sheet.write_string(r, 0, neutralise(title), title_format)
            r += 1
            for label, value in criteria:
                sheet.write_string(r, 0, neutralise(str(label)), bold)
                sheet.write_string(r, 1, neutralise(str(value)))
                r += 1
            r += 1  # a blank row between the criteria and the table
        for i, column in enumerate(columns):
            sheet.write_string(r, i, neutralise(str(column.header)), header_format)
        sheet.freeze_panes(r + 1, 0)
        r += 1

        writers = [_cell_writer(sheet, c.kind, formats) for c in columns]
        counter = _Counter(progress, progress_every)
        last_row = XLSX_MAX_ROWS - 1
        for row in rows:
            if r > last_row:
                raise OverflowError("more rows than an Excel sheet holds")
            for c, (write, value) in enumerate(zip(writers, row, strict=True)):
                if value is not None:
                    write(r, c, value)
            r += 1
            counter.tick()
    finally:
        book.close()
    return counter.finish()


def _cell_writer(sheet: Any, kind: str, formats: dict[str, Any]) -> Callable[[int, int, Any], Any]:
    """The fastest XlsxWriter call for a column of `kind`, falling back on the value's own type."""
    write_number, write_string, write_datetime = sheet.write_number, sheet.write_string, sheet.write_datetime
    money, date_format, datetime_format = formats["money"], formats["date"], formats["datetime"]
    decimal_format = formats["decimal"]

    def generic(r: int, c: int, value: Any) -> Any:
        if isinstance(value, str):
            return write_string(r, c, neutralise(value))
        if isinstance(value, bool):
            return write_string(r, c, "Y" if value else "N")
        if isinstance(value, int | float | Decimal):
            return write_number(
                r, c, value, money if kind == "money" else decimal_format if kind == "decimal" else None
            )
        if isinstance(value, dt.datetime):
            return write_datetime(r, c, _local(value), datetime_format)
        if isinstance(value, dt.date):
            return write_datetime(r, c, value, date_format)
        return write_string(r, c, neutralise(str(value)))

    if kind == "money":

        def money_cell(r: int, c: int, value: Any) -> Any:
            if type(value) is int:
                return write_number(r, c, value, money)
            return generic(r, c, value)

        return money_cell
    if kind == "int":

        def int_cell(r: int, c: int, value: Any) -> Any:
            if type(value) is int:
                return write_number(r, c, value)
            return generic(r, c, value)

        return int_cell
    if kind == "text":

        def text_cell(r: int, c: int, value: Any) -> Any:
            if type(value) is str:
                return write_string(r, c, neutralise(value))
            return generic(r, c, value)

        return text_cell
    if kind == "datetime":

        def datetime_cell(r: int, c: int, value: Any) -> Any:
            if isinstance(value, dt.datetime):
                return write_datetime(r, c, _local(value), datetime_format)
            return generic(r, c, value)

        return datetime_cell
    return generic
