"""Helpers of the aggregate-import tests: CSV and XLSX files built in memory, hostile zips, a snapshot."""

from __future__ import annotations

import io
import zipfile
from typing import Any

from openpyxl import Workbook

from factories.models import HistoricalAggregate

HEADER = ["metric", "year", "region", "program_type", "origin", "level", "value", "status", "source"]


def aggregate_state() -> list[dict[str, Any]]:
    return list(HistoricalAggregate.objects.order_by("pk").values())


def csv_bytes(rows: list[list[Any]], header: list[str] = HEADER) -> bytes:
    lines = [",".join(header)] + [
        ",".join(f'"{c}"' if "," in str(c) else str(c) for c in row) for row in rows
    ]
    return ("\n".join(lines) + "\n").encode()


def xlsx_bytes(rows: list[list[Any]], header: list[str] = HEADER) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def zip_bytes(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()


def xlsx_with_part(name: str, data: bytes) -> bytes:
    """A real workbook with one part replaced or added."""
    source = zipfile.ZipFile(
        io.BytesIO(xlsx_bytes([["deployments", 2015, "", "", "", "", 1, "actual", "s"]]))
    )
    entries = {info.filename: source.read(info.filename) for info in source.infolist()}
    entries[name] = data
    return zip_bytes(entries)


NATIONAL = ["deployments", 2019, "", "", "", "", "4,757", "provisional", "https://example.kr/2019"]
