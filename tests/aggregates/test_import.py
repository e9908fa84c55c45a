"""The aggregate import: all rows or none, every error by row and column, conflicts unless `replace`,
limits and hostile files refused before parsing, the management command and the demo history file."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from core.errors import PermissionDenied
from factories import aggregates as ag
from factories.aggregates import ImportConflict, ImportRefused, aggregate_import, aggregate_year_figures
from factories.models import HistoricalAggregate
from tests import factories as f
from tests.aggregates.conftest import (
    HEADER,
    NATIONAL,
    aggregate_state,
    csv_bytes,
    xlsx_bytes,
    xlsx_with_part,
    zip_bytes,
)

DEMO = Path(__file__).resolve().parents[2] / "demo" / "data" / "historical_deployments.csv"


def run(user, data: bytes, name: str = "figures.csv", **kwargs):
    return aggregate_import(actor=user, data=data, filename=name, **kwargs)


def refused(user, data: bytes, name: str = "figures.csv", exc=ImportRefused, **kwargs):
    before = aggregate_state()
    with pytest.raises(exc) as info:
        run(user, data, name, **kwargs)
    assert aggregate_state() == before
    return {(e.row, e.column, e.code) for e in info.value.errors}, info.value


def test_a_csv_is_imported_in_one_batch(official):
    rows = [
        NATIONAL,
        ["deployments", 2020, "41", "winwin_type1", "supported", "L3", "1,200", "actual", "src"],
        [
            "deployments",
            2020,
            "42",
            "winwin_type1",
            "supported",
            "L3",
            30,
            "actual",
            "src",
        ],  # Gangwon's old code
        ["deployments", 2020, "busan", "winwin_type1", "supported", "L3", 40, "확정", "src"],
        ["trained_workers", 2018, "", "", "", "", 10_000, "provisional", "src"],
    ]
    result = run(official.user, csv_bytes(rows))
    assert (result.created, result.replaced, result.dry_run) == (5, 0, False)
    saved = HistoricalAggregate.objects.order_by("id")
    assert {a.batch for a in saved} == {result.batch}
    assert [a.region.slug if a.region else None for a in saved] == [
        None,
        "gyeonggi",
        "gangwon",
        "busan",
        None,
    ]
    assert [a.value for a in saved] == [4_757, 1_200, 30, 40, 10_000]
    assert saved[3].status == "actual"
    assert saved[1].level.code == "L3"
    assert saved[0].imported_by == official.user
    assert aggregate_year_figures("deployments")[2020].value == 1_270


def test_korean_headers_and_a_bom_are_accepted(official):
    header = ["지표", "연도", "지역", "사업유형", "구분", "수준", "값", "상태", "출처"]
    data = "\ufeff".encode() + csv_bytes([NATIONAL], header=header)
    assert run(official.user, data).created == 1


def test_an_xlsx_is_imported(official):
    rows = [["deployments", 2021, None, None, None, None, 5240, "provisional", "src"], [None] * 9]
    result = run(official.user, xlsx_bytes(rows), "history.xlsx")
    assert result.created == 1
    assert HistoricalAggregate.objects.get().value == 5_240


def test_all_or_nothing_with_every_error_by_row_and_column(official):
    rows = [
        NATIONAL,
        ["deployments", 1999, "", "", "", "", 10, "actual", "src"],
        ["factories", 2019, "99", "mystery", "bought", "L9", "-3", "final", ""],
        ["trained_workers", 2019, "", "government_only", "", "L2", 5, "actual", "src"],
        NATIONAL,
    ]
    errors, exc = refused(official.user, csv_bytes(rows))
    assert errors == {
        (3, "year", "invalid"),
        (4, "metric", "invalid"),
        (4, "region", "invalid"),
        (4, "program_type", "invalid"),
        (4, "origin", "invalid"),
        (4, "level", "invalid"),
        (4, "value", "invalid"),
        (4, "status", "invalid"),
        (4, "source", "invalid"),
        (5, "program_type", "not_applicable"),
        (5, "level", "not_applicable"),
        (6, "year", "duplicate_row"),
    }
    assert "row 3: year" in exc.fields
    assert exc.status_code == 400


@pytest.mark.parametrize(
    ("index", "value", "column"),
    [
        (1, "2019.5", "year"),
        (1, "9999", "year"),
        (2, "42", "region"),  # Gangwon's old code is not valid in 2024
        (6, "1.5", "value"),
        (6, "10000001", "value"),
        (8, "x" * 501, "source"),
    ],
)
def test_each_column_is_checked(official, index, value, column):
    row = ["deployments", 2024, "", "", "", "", 1, "actual", "src"]
    row[index] = value
    errors, _exc = refused(official.user, csv_bytes([row]))
    assert (2, column, "invalid") in errors


def test_header_problems(official):
    errors, _exc = refused(
        official.user, csv_bytes([NATIONAL], header=[*HEADER[:6], "count", "status", "status"])
    )
    assert errors == {
        (1, "count", "unknown_column"),
        (1, "status", "duplicate_column"),
        (1, "value", "missing_column"),
        (1, "source", "missing_column"),
    }


def test_an_existing_figure_is_a_conflict_unless_replaced(official):
    first = run(official.user, csv_bytes([NATIONAL]))
    changed = [*NATIONAL[:6], "4,800", "actual", "corrected"]
    errors, exc = refused(official.user, csv_bytes([changed]), exc=ImportConflict)
    assert errors == {(2, "value", "aggregate_exists")}
    assert exc.status_code == 409
    result = run(official.user, csv_bytes([changed]), replace=True)
    assert (result.created, result.replaced) == (0, 1)
    saved = HistoricalAggregate.objects.get()
    assert (saved.value, saved.status, saved.batch) == (4_800, "actual", result.batch)
    assert result.batch != first.batch


def test_a_year_keeps_one_breakdown(official):
    run(official.user, csv_bytes([["deployments", 2020, "seoul", "", "", "", 10, "actual", "s"]]))
    errors, _exc = refused(
        official.user, csv_bytes([["deployments", 2020, "", "", "", "L2", 5, "actual", "s"]])
    )
    assert errors == {(2, "level", "mixed_breakdown")}
    # A total cell beside the breakdown is fine.
    assert (
        run(official.user, csv_bytes([["deployments", 2020, "", "", "", "", 15, "actual", "s"]])).created == 1
    )


def test_a_dry_run_writes_nothing(official):
    result = run(official.user, csv_bytes([NATIONAL]), dry_run=True)
    assert (result.dry_run, result.created) == (True, 1)
    assert not HistoricalAggregate.objects.exists()


@pytest.mark.parametrize("persona", ["auditor", "finance_officer", "regional_officer", "sme_owner"])
def test_only_officials_import(db, request, persona):
    user = request.getfixturevalue(persona).user
    with pytest.raises(PermissionDenied):
        run(user, csv_bytes([NATIONAL]))
    assert not HistoricalAggregate.objects.exists()


# --- broken and hostile files ----------------------------------------------------------------------


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.mark.parametrize(
    ("data", "name", "code"),
    [
        (PNG, "figures.csv", "file_type"),  # not a CSV
        ("지표".encode("utf-16"), "figures.csv", "file_type"),
        (b"metric,year\n", "figures.txt", "file_type"),
        (b"metric,year\n", "figures.xlsx", "file_type"),  # named .xlsx, text inside
        (zip_bytes({"a.txt": b"x"}), "figures.csv", "file_type"),  # named .csv, a zip inside
        (b"PK\x03\x04" + b"\x00" * 200, "figures.xlsx", "file_corrupt"),
        (zip_bytes({"a.txt": b"hello"}), "figures.xlsx", "file_corrupt"),  # a zip, not a workbook
        (b"", "figures.csv", "file_empty"),
        (b"\n\n", "figures.csv", "file_empty"),
        (csv_bytes([]), "figures.csv", "file_empty"),
    ],
)
def test_broken_files_are_refused(official, data, name, code):
    errors, _exc = refused(official.user, data, name)
    assert errors == {(0, "file", code)}


def test_a_truncated_workbook_is_refused(official):
    data = xlsx_bytes([NATIONAL])
    errors, _exc = refused(official.user, data[: len(data) // 2], "figures.xlsx")
    assert errors == {(0, "file", "file_corrupt")}


def test_an_oversized_file_is_refused_before_reading(official, monkeypatch):
    monkeypatch.setattr(ag, "_csv_rows", lambda data: pytest.fail("parsed"))
    errors, _exc = refused(official.user, b"a" * (ag.MAX_FILE_BYTES + 1))
    assert errors == {(0, "file", "file_too_large")}


@pytest.fixture
def no_openpyxl(monkeypatch):
    """A hostile workbook must be refused before openpyxl opens it."""
    import openpyxl

    monkeypatch.setattr(openpyxl, "load_workbook", lambda *a, **k: pytest.fail("openpyxl opened it"))


def test_a_zip_bomb_is_refused_before_parsing(official, no_openpyxl):
    bomb = xlsx_with_part("xl/worksheets/sheet2.xml", b"\x00" * (20 * 1024 * 1024))
    assert len(bomb) < ag.MAX_FILE_BYTES
    errors, _exc = refused(official.user, bomb, "bomb.xlsx")
    assert errors == {(0, "file", "file_too_complex")}


def test_too_many_zip_entries_are_refused(official, no_openpyxl):
    many = zip_bytes({f"xl/part{n}.xml": b"<a/>" for n in range(ag.MAX_ZIP_ENTRIES + 1)})
    errors, _exc = refused(official.user, many, "many.xlsx")
    assert errors == {(0, "file", "file_too_complex")}


def test_a_large_unpacked_size_is_refused(official, no_openpyxl, monkeypatch):
    monkeypatch.setattr(ag, "MAX_UNPACKED_BYTES", 1_000)
    errors, _exc = refused(official.user, xlsx_bytes([NATIONAL]), "big.xlsx")
    assert errors == {(0, "file", "file_too_large")}


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&lol2;</t></si></sst>"""
XXE = b"""<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><sst>&e;</sst>"""


@pytest.mark.parametrize("payload", [BILLION_LAUGHS, XXE])
def test_xml_entities_are_refused(official, no_openpyxl, payload):
    errors, _exc = refused(official.user, xlsx_with_part("xl/sharedStrings.xml", payload), "evil.xlsx")
    assert errors == {(0, "file", "file_unsafe")}


def test_too_many_rows_are_refused(official, monkeypatch):
    monkeypatch.setattr(ag, "MAX_ROWS", 2)
    rows = [["deployments", 2000 + n, "", "", "", "", 1, "actual", "s"] for n in range(3)]
    errors, _exc = refused(official.user, csv_bytes(rows))
    assert errors == {(0, "file", "file_too_many_rows")}


# --- the command and the demo history ---------------------------------------------------------------


def test_the_demo_history_imports_and_adds_up_to_the_published_cumulative(official):
    call_command("import_aggregates", str(DEMO), "--user", official.user.username, stdout=io.StringIO())
    figures = aggregate_year_figures("deployments")
    # Every year from the program's start to 2021, so no year is counted from the system's records too.
    assert sorted(figures) == list(range(2014, 2022))
    assert sum(fig.value for fig in figures.values()) == 25_039  # the 2021 cumulative figure
    assert sum(figures[year].value for year in range(2014, 2019)) == 7_903  # the 2018 cumulative figure
    assert figures[2014].value == 227
    assert not figures[2020].provisional
    assert figures[2019].provisional
    assert all("http" in fig.sources[0] for fig in figures.values())


def test_the_command_reports_errors_and_writes_nothing(official, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_bytes([["deployments", 1990, "", "", "", "", 1, "actual", "s"]]))
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_aggregates", str(path), "--user", official.user.username, stderr=err)
    assert "row 2, year" in err.getvalue()
    assert not HistoricalAggregate.objects.exists()
    out = io.StringIO()
    path.write_bytes(csv_bytes([NATIONAL]))
    call_command("import_aggregates", str(path), "--user", official.user.username, "--dry-run", stdout=out)
    assert "dry run" in out.getvalue()
    assert not HistoricalAggregate.objects.exists()
    with pytest.raises(CommandError):
        call_command("import_aggregates", str(path), "--user", f.UserFactory().username)
