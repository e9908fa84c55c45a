"""Historical aggregates (과거 집계): counts from before the system's records, imported from CSV or XLSX.

The import reads a whole file, validates every row and reports every error by row and column; it writes
all rows or none. A cell (metric × year × region × program type × origin × level) that already exists is
replaced only with `replace=True`; otherwise it is a conflict. Limits are checked before any parsing:
the file's size, that its extension matches its first bytes, and for XLSX the zip's entry count, total
unpacked size and compression ratio, and that no XML part declares a DTD (billion laughs, XXE).

Counting rule: a year with any aggregate of a metric is counted from the aggregates alone (see
`factories.models`). A year's total is its total cell (no breakdown) when there is one, otherwise the
sum of its cells; the import keeps that sum meaningful by refusing a year whose breakdown cells mix
different dimensions (e.g. some by region, others by level).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import uuid
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from core.audit import audited
from core.errors import Conflict, PermissionDenied, ValidationFailed
from core.models import Level, Region, RegionCode, User
from core.roles import Role
from core.selectors import user_access
from core.uploads import UploadLimits, UploadRefused, upload_check, upload_check_size, upload_check_xlsx
from factories.models import AggregateMetric, AggregateStatus, FactoryOrigin, HistoricalAggregate
from factories.permissions import can_import_aggregates
from programs.models import ProgramType

AnyUser = User | AnonymousUser

# Limits (reliability-and-ecosystem.md, ASVS 5.2.1–5.2.3). Aggregates are small: a national history by
# year × region × level is a few thousand rows at most.
MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_ZIP_ENTRIES = 1_000
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
MAX_ROWS = 10_000
MAX_VALUE = 10_000_000
MAX_ERRORS = 500

COLUMNS = ("metric", "year", "region", "program_type", "origin", "level", "value", "status", "source")
REQUIRED_COLUMNS = ("metric", "year", "value", "status", "source")
# Korean headers are accepted too (the ministry's own sheets).
HEADER_ALIASES = {
    "지표": "metric",
    "연도": "year",
    "년도": "year",
    "지역": "region",
    "시도": "region",
    "사업유형": "program_type",
    "사업 유형": "program_type",
    "구분": "origin",
    "보급구분": "origin",
    "수준": "level",
    "값": "value",
    "수량": "value",
    "상태": "status",
    "출처": "source",
}
STATUS_ALIASES = {"확정": AggregateStatus.ACTUAL, "잠정": AggregateStatus.PROVISIONAL}
DIMENSIONS = ("region", "program_type", "origin", "level")


# --- errors ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    """One problem of the file: `row` is the line (CSV) or sheet row (XLSX), 0 for the whole file."""

    row: int
    column: str
    message: str | Promise
    code: str = "invalid"

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": str(self.message), "code": self.code}


class ImportRefused(ValidationFailed):
    """The file or some of its rows cannot be imported; nothing was written."""

    default_code = "import_invalid"
    default_message = _("The file was not imported: correct the rows listed and upload it again.")

    def __init__(self, errors: list[RowError], *, code: str | None = None) -> None:
        self.errors = errors
        fields: dict[str, list[str | Promise]] = defaultdict(list)
        for error in errors:
            fields[_field_key(error)].append(error.message)
        super().__init__(code=code, fields=dict(fields))


class ImportConflict(Conflict):
    """Every row is valid, but some cells are already loaded and `replace` was not asked for."""

    default_code = "aggregate_exists"
    default_message = _(
        "Some of these figures are already loaded. Import with 'replace existing figures' to replace them."
    )

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = errors
        super().__init__(fields={_field_key(e): [e.message] for e in errors})


def _field_key(error: RowError) -> str:
    return f"row {error.row}: {error.column}" if error.row else error.column


# --- reading files ---------------------------------------------------------------------------------------


def _refuse_file(message: str | Promise, code: str) -> ImportRefused:
    return ImportRefused([RowError(0, "file", message, code)], code=code)


def _limits() -> UploadLimits:
    # Read at call time, so the module's limits stay the single place to change (and to patch in tests).
    return UploadLimits(
        max_bytes=MAX_FILE_BYTES,
        max_entries=MAX_ZIP_ENTRIES,
        max_unpacked_bytes=MAX_UNPACKED_BYTES,
        max_ratio=MAX_COMPRESSION_RATIO,
    )


def check_xlsx_container(data: bytes) -> None:
    """Zip limits before openpyxl sees the file (core.uploads): entry count, unpacked size, compression
    ratio, a real workbook without macros, and no DTD in any XML part."""
    try:
        upload_check_xlsx(data, _limits())
    except UploadRefused as exc:
        raise _refuse_file(exc.message, exc.code) from exc


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, list[Any]]]:
    from openpyxl import load_workbook  # imported lazily: only imports need it

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken workbook
        raise _refuse_file(_("The file is not a readable XLSX workbook."), "file_corrupt") from exc
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            raise _refuse_file(_("The workbook has no sheet."), "file_empty")
        try:
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                yield number, list(values)
        except Exception as exc:  # a damaged sheet part fails only when it is read
            raise _refuse_file(_("The file is not a readable XLSX workbook."), "file_corrupt") from exc
    finally:
        workbook.close()


def _csv_rows(text: str) -> Iterator[tuple[int, list[Any]]]:
    try:
        yield from enumerate(csv.reader(io.StringIO(text, newline="")), start=1)
    except csv.Error as exc:
        raise _refuse_file(_("The file is not a valid CSV file."), "file_type") from exc


def check_file_size(size: int) -> None:
    """Refuse a file over the size limit before it is read."""
    try:
        upload_check_size(size, _limits())
    except UploadRefused as exc:
        raise _refuse_file(exc.message, exc.code) from exc


def read_rows(data: bytes, filename: str) -> Iterator[tuple[int, list[Any]]]:
    """The rows of an uploaded file as (row number, cells), after core.uploads' checks (size, extension
    against content, zip limits, macros, DTDs). CSV may be UTF-8 or CP949 (Korean Excel's default)."""
    try:
        checked = upload_check(data, filename, limits=_limits(), csv_encodings=("utf-8-sig", "cp949"))
    except UploadRefused as exc:
        raise _refuse_file(exc.message, exc.code) from exc
    if checked.file_format == "xlsx":
        return _xlsx_rows(data)
    return _csv_rows(checked.text)


# --- validating rows ---------------------------------------------------------------------------------------


@dataclass
class Cell:
    """A validated row, ready to be written."""

    row: int
    metric: str
    year: int
    region: Region | None
    program_type: str
    origin: str
    level: Level | None
    value: int
    status: str
    source: str

    @property
    def key(self) -> tuple[str, int, int | None, str, str, int | None]:
        return (
            self.metric,
            self.year,
            self.region.pk if self.region else None,
            self.program_type,
            self.origin,
            self.level.pk if self.level else None,
        )

    @property
    def dimensions(self) -> tuple[str, ...]:
        return tuple(d for d in DIMENSIONS if getattr(self, d))


@dataclass
class ImportResult:
    batch: uuid.UUID
    cells: list[Cell]
    created: int = 0
    replaced: int = 0
    dry_run: bool = False
    totals: dict[tuple[str, int], int] = field(default_factory=dict)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    text = _text(value).replace(",", "")
    return int(text) if re.fullmatch(r"\d{1,9}", text) else None


class _Reference:
    """Regions, their MOIS codes and levels, read once per import."""

    def __init__(self) -> None:
        self.regions = {r.slug: r for r in Region.objects.all()}
        by_id = {r.pk: r for r in self.regions.values()}
        self.codes = [
            (c.mois_code, c.valid_from, c.valid_to, by_id[c.region_id]) for c in RegionCode.objects.all()
        ]
        self.levels = {lv.code.upper(): lv for lv in Level.objects.all()}

    def region(self, text: str, year: int | None) -> Region | None:
        if text.lower() in self.regions:
            return self.regions[text.lower()]
        # A MOIS code valid at some time in the year (Gangwon's 42 until 2023-06-10, 51 after).
        start = dt.date(year, 1, 1) if year else dt.date.min
        end = dt.date(year, 12, 31) if year else dt.date.max
        for code, valid_from, valid_to, region in self.codes:
            if code == text and valid_from <= end and (valid_to is None or valid_to >= start):
                return region
        return None


def _header(cells: list[Any]) -> tuple[dict[str, int], list[RowError]]:
    names = [_text(c).lower().replace(" ", "_") for c in cells]
    index: dict[str, int] = {}
    errors: list[RowError] = []
    for position, raw in enumerate(names):
        name = HEADER_ALIASES.get(_text(cells[position]), raw)
        if not name:
            continue
        if name not in COLUMNS:
            errors.append(RowError(1, raw, _("Unknown column '%(name)s'.") % {"name": raw}, "unknown_column"))
        elif name in index:
            errors.append(RowError(1, name, _("The column appears twice."), "duplicate_column"))
        else:
            index[name] = position
    for name in REQUIRED_COLUMNS:
        if name not in index:
            errors.append(RowError(1, name, _("The column is missing."), "missing_column"))
    return index, errors


def _validate_row(
    number: int, get: Any, ref: _Reference, this_year: int
) -> tuple[Cell | None, list[RowError]]:
    errors: list[RowError] = []

    def err(column: str, message: str | Promise, code: str = "invalid") -> None:
        errors.append(RowError(number, column, message, code))

    metric = _text(get("metric"))
    if metric not in AggregateMetric.values:
        err("metric", _("Enter deployments or trained_workers."))
    year = _int(get("year"))
    if year is None or not 2000 <= year <= this_year:
        err("year", _("Enter a year from 2000 to %(year)s.") % {"year": this_year})
        year = None
    region_text = _text(get("region"))
    region = ref.region(region_text, year) if region_text else None
    if region_text and region is None:
        err(
            "region",
            _("Unknown region '%(code)s': use a MOIS code valid in that year or a region key.")
            % {"code": region_text},
        )
    program_type = _text(get("program_type"))
    if program_type and program_type not in ProgramType.values:
        err("program_type", _("Unknown program type."))
    origin = _text(get("origin"))
    if origin and origin not in FactoryOrigin.values:
        err("origin", _("Enter supported or self_built, or leave it blank."))
    level_text = _text(get("level")).upper()
    level = ref.levels.get(level_text) if level_text else None
    if level_text and level is None:
        err("level", _("Enter a level from L1 to L5, or leave it blank."))
    if metric == AggregateMetric.TRAINED_WORKERS:
        for column, given in (("program_type", program_type), ("origin", origin), ("level", level_text)):
            if given:
                err(column, _("Trained workers are not broken down by this."), "not_applicable")
    value = _int(get("value"))
    if value is None or value > MAX_VALUE:
        err("value", _("Enter a whole number from 0 to 10,000,000."))
    status = _text(get("status"))
    status = STATUS_ALIASES.get(status, status.lower())
    if status not in AggregateStatus.values:
        err("status", _("Enter actual or provisional."))
    source = _text(get("source"))
    if not source:
        err("source", _("Give the source of the figure (a publication or its address)."))
    elif len(source) > 500:
        err("source", _("Keep the source to 500 characters."))
    if errors or year is None or value is None:
        return None, errors
    return Cell(number, metric, year, region, program_type, origin, level, value, status, source), []


def validate_rows(rows: Iterator[tuple[int, list[Any]]]) -> list[Cell]:
    """Every row checked; raises ImportRefused with all errors (up to MAX_ERRORS) when any row fails."""
    ref = _Reference()
    this_year = timezone.localdate().year
    errors: list[RowError] = []
    cells: list[Cell] = []
    index: dict[str, int] | None = None
    seen: dict[tuple[Any, ...], int] = {}
    data_rows = 0
    for number, raw in rows:
        if not any(_text(c) for c in raw):
            continue
        if index is None:
            index, header_errors = _header(raw)
            if header_errors:
                raise ImportRefused(header_errors, code="import_header_invalid")
            continue
        data_rows += 1
        if data_rows > MAX_ROWS:
            raise _refuse_file(
                _("The file has more than %(n)s rows.") % {"n": MAX_ROWS}, "file_too_many_rows"
            )
        columns = index

        def get(name: str, raw: list[Any] = raw, columns: dict[str, int] = columns) -> Any:
            position = columns.get(name)
            return raw[position] if position is not None and position < len(raw) else None

        cell, row_errors = _validate_row(number, get, ref, this_year)
        errors += row_errors
        if cell is not None:
            if cell.key in seen:
                errors.append(
                    RowError(
                        number,
                        "year",
                        _("The same figure is already given in row %(row)s.") % {"row": seen[cell.key]},
                        "duplicate_row",
                    )
                )
            else:
                seen[cell.key] = number
                cells.append(cell)
        if len(errors) >= MAX_ERRORS:
            break
    if index is None:
        raise _refuse_file(_("The file is empty."), "file_empty")
    if errors:
        raise ImportRefused(errors)
    if not cells:
        raise _refuse_file(_("The file has a header but no figures."), "file_empty")
    return cells


def _check_dimensions(cells: list[Cell], existing: list[HistoricalAggregate], replaced: set[int]) -> None:
    """Within one metric and year, breakdown cells must all use the same dimensions (the year's total is
    their sum when it has no total cell)."""
    by_year: dict[tuple[str, int], dict[tuple[str, ...], int]] = defaultdict(dict)
    for agg in existing:
        if agg.pk in replaced:
            continue
        dims = tuple(d for d in DIMENSIONS if getattr(agg, f"{d}_id" if d in ("region", "level") else d))
        if dims:
            by_year[(agg.metric, agg.year)].setdefault(dims, 0)
    errors = []
    for cell in cells:
        if not cell.dimensions:
            continue
        known = by_year[(cell.metric, cell.year)]
        if known and cell.dimensions not in known:
            other = ", ".join(next(iter(known))) or "-"
            errors.append(
                RowError(
                    cell.row,
                    cell.dimensions[0],
                    _("The figures of %(year)s are broken down by %(other)s; this row by %(this)s.")
                    % {"year": cell.year, "other": other, "this": ", ".join(cell.dimensions)},
                    "mixed_breakdown",
                )
            )
        else:
            known.setdefault(cell.dimensions, cell.row)
    if errors:
        raise ImportRefused(errors)


# --- the import service -------------------------------------------------------------------------------


@audited
@transaction.atomic
def aggregate_import(
    *, actor: User, data: bytes, filename: str, replace: bool = False, dry_run: bool = False
) -> ImportResult:
    """Import historical aggregates from a CSV or XLSX file: all rows or none.

    Refusals: 403 for anyone but an official; 400 (`ImportRefused`, with `.errors` by row and column)
    for an unreadable, oversized or unsafe file and for any invalid row; 409 (`ImportConflict`) when a
    cell is already loaded and `replace` is false. With `dry_run` everything is checked and nothing is
    written. Every written row carries the same new batch id.
    """
    if not can_import_aggregates(actor):
        raise PermissionDenied()
    return aggregate_import_rows(
        actor=actor, rows=read_rows(data, filename), replace=replace, dry_run=dry_run
    )


@audited
@transaction.atomic
def aggregate_import_rows(
    *, actor: User, rows: Iterator[tuple[int, list[Any]]], replace: bool = False, dry_run: bool = False
) -> ImportResult:
    """`aggregate_import` of rows already read from a checked file (the workbook import framework reads
    the upload itself): the header row first, then the figures, as (row number, cells)."""
    if not can_import_aggregates(actor):
        raise PermissionDenied()
    cells = validate_rows(rows)
    existing = list(
        HistoricalAggregate.objects.select_for_update().filter(
            metric__in={c.metric for c in cells}, year__in={c.year for c in cells}
        )
    )
    existing_by_key = {
        (a.metric, a.year, a.region_id, a.program_type, a.origin, a.level_id): a for a in existing
    }
    clashes = [c for c in cells if c.key in existing_by_key]
    if clashes and not replace:
        raise ImportConflict(
            [
                RowError(
                    c.row,
                    "value",
                    _("This figure is already loaded (%(value)s, batch %(batch)s).")
                    % {"value": f"{existing_by_key[c.key].value:,}", "batch": existing_by_key[c.key].batch},
                    "aggregate_exists",
                )
                for c in clashes
            ]
        )
    replaced_ids = {existing_by_key[c.key].pk for c in clashes}
    _check_dimensions(cells, existing, replaced_ids)
    result = ImportResult(batch=uuid.uuid4(), cells=cells, replaced=len(clashes), dry_run=dry_run)
    result.created = len(cells) - len(clashes)
    if dry_run:
        return result
    HistoricalAggregate.objects.filter(pk__in=replaced_ids).delete()
    HistoricalAggregate.objects.bulk_create(
        HistoricalAggregate(
            metric=c.metric,
            year=c.year,
            region=c.region,
            program_type=c.program_type,
            origin=c.origin,
            level=c.level,
            value=c.value,
            status=c.status,
            source=c.source,
            imported_by=actor,
            batch=result.batch,
        )
        for c in cells
    )
    return result


# --- reads -------------------------------------------------------------------------------------------------


def can_view_aggregates(user: AnyUser) -> bool:
    return user_access(user).has(Role.OFFICIAL, Role.AUDITOR)


def aggregate_list_for_user(user: AnyUser) -> QuerySet[HistoricalAggregate]:
    """Every imported aggregate for officials and auditors; refused (403) for anyone else."""
    if not can_view_aggregates(user):
        raise PermissionDenied()
    return HistoricalAggregate.objects.select_related("region", "level", "imported_by").order_by(
        "metric", "year", "region__sort_order", "program_type", "origin", "level__rank", "id"
    )


@dataclass(frozen=True)
class YearFigure:
    """One year of a metric as the aggregates give it."""

    year: int
    value: int
    provisional: bool
    cells: int
    by_region: dict[int | None, int]  # region id → count; None: not broken down by region
    sources: tuple[str, ...]


def aggregate_year_figures(metric: str) -> dict[int, YearFigure]:
    """The aggregates of a metric per year (one query): the year's total cell when there is one,
    otherwise the sum of its cells; provisional when any of its cells is."""
    grouped: dict[int, list[HistoricalAggregate]] = defaultdict(list)
    for agg in HistoricalAggregate.objects.filter(metric=metric).order_by("year", "id"):
        grouped[agg.year].append(agg)
    out: dict[int, YearFigure] = {}
    for year, aggs in grouped.items():
        totals = [a for a in aggs if not (a.region_id or a.program_type or a.origin or a.level_id)]
        value = totals[0].value if totals else sum(a.value for a in aggs)
        by_region: dict[int | None, int] = defaultdict(int)
        region_only = [a for a in aggs if a.region_id and not (a.program_type or a.origin or a.level_id)]
        for agg in region_only:
            by_region[agg.region_id] += agg.value
        rest = value - sum(by_region.values())
        if rest > 0 or not by_region:
            by_region[None] += max(rest, 0)
        out[year] = YearFigure(
            year=year,
            value=value,
            provisional=any(a.status == AggregateStatus.PROVISIONAL for a in aggs),
            cells=len(aggs),
            by_region=dict(by_region),
            sources=tuple(dict.fromkeys(a.source for a in aggs)),
        )
    return out


def aggregate_years(metric: str) -> set[int]:
    """Years counted from the aggregates alone for this metric."""
    return set(HistoricalAggregate.objects.filter(metric=metric).values_list("year", flat=True).distinct())
