"""Helpers of the import tests: workbooks built from a kind's template, hostile files, and running a
job the way the task does."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import openpyxl
import pytest
import xlsxwriter

from companies.models import Company, Workplace
from core.identifiers import brn_check_digit
from exports.imports.registry import KINDS
from exports.imports.services import import_job_create, import_job_execute
from exports.imports.workbooks import template_write
from exports.models import ImportJob


@pytest.fixture(autouse=True)
def _imports_root(settings, tmp_path):
    settings.IMPORTS_ROOT = tmp_path / "imports"


def brn(n: int) -> str:
    """The n-th valid business registration number of a test series (check digit computed)."""
    nine = f"{301 + n // 10_000:03d}81{n % 10_000:04d}"
    return f"{nine[:3]}-{nine[3:5]}-{nine[5:]}{brn_check_digit(nine)}"


def headers(kind: str) -> list[str]:
    return [c.header for c in KINDS[kind].columns]


def from_template(kind: str, rows: list[list[Any]]) -> bytes:
    """The kind's downloadable template with rows typed into its data sheet (as a clerk would)."""
    buffer = io.BytesIO()
    template_write(KINDS[kind], buffer)
    book = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))
    sheet = book.worksheets[0]
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def xlsx(rows: list[list[Any]]) -> bytes:
    """A plain workbook (XlsxWriter) whose first sheet holds exactly these rows."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    sheet = book.add_worksheet()
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, str):
                sheet.write_string(r, c, value)
            else:
                sheet.write(r, c, value)
    book.close()
    return buffer.getvalue()


def csv_bytes(rows: list[list[Any]]) -> bytes:
    import csv

    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode()


def zip_bytes(parts: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def with_part(data: bytes, name: str, payload: bytes) -> bytes:
    """A copy of a workbook with one part added or replaced."""
    source = zipfile.ZipFile(io.BytesIO(data))
    parts = {info.filename: source.read(info) for info in source.infolist()}
    parts[name] = payload
    return zip_bytes(parts)


def run(user, kind: str, data: bytes, name: str = "upload.xlsx", *, dry_run: bool = False) -> ImportJob:
    """Create the job and run it as the task would; the refreshed job."""
    job = import_job_create(actor=user, kind=kind, filename=name, data=data, dry_run=dry_run, enqueue=False)
    assert import_job_execute(job_id=str(job.pk)) is True
    return ImportJob.objects.get(pk=job.pk)


def company_row(n: int, **overrides: Any) -> list[Any]:
    values = {
        "brn": brn(n),
        "name_ko": f"(주)테스트{n:05d}",
        "name_en": f"Test {n}",
        "representative": f"대표{n}",
        "crn": "",
        "size_class": "소기업",
        "ksic": "29",
        "founded_on": "2012-03-15",
        "employees": 10 + n % 50,
        "revenue_krw": 1_000_000_000 + n,
        "workplace_name": "본사공장",
        "region": "경기도",
        "address": f"경기도 화성시 동탄산단6길 {n}",
        "postal_code": "18487",
        "workplace_ksic": "",
    }
    values.update(overrides)
    return [values[c.key] for c in KINDS["companies"].columns]


def registry_state() -> tuple[int, int]:
    return Company.objects.count(), Workplace.objects.count()
