"""`manage.py import_workbook`: the template, a dry run, a commit, and a refusal with its errors by row
and column and the annotated workbook, saving nothing."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from python_calamine import CalamineWorkbook

from companies.models import Company
from tests.imports.conftest import company_row, headers, xlsx


def test_template_dry_run_then_commit(official, tmp_path, capsys):
    template = tmp_path / "template.xlsx"
    call_command("import_workbook", "--kind", "companies", "--template", str(template))
    assert CalamineWorkbook.from_path(str(template)).get_sheet_by_index(0).to_python()[0] == headers(
        "companies"
    )
    data = tmp_path / "companies.xlsx"
    data.write_bytes(xlsx([headers("companies"), company_row(0), company_row(1)]))
    call_command("import_workbook", str(data), "--kind", "companies", "--user", "official", "--dry-run")
    assert "2 rows, 0 saved, 0 errors" in capsys.readouterr().out
    assert not Company.objects.exists()
    call_command("import_workbook", str(data), "--kind", "companies", "--user", "official")
    assert "2 rows, 2 saved" in capsys.readouterr().out
    assert Company.objects.count() == 2


def test_an_invalid_row_saves_nothing_and_names_row_and_column(official, tmp_path, capsys):
    data = tmp_path / "companies.xlsx"
    data.write_bytes(xlsx([headers("companies"), company_row(0), company_row(1, region="아틀란티스")]))
    annotated = tmp_path / "errors.xlsx"
    with pytest.raises(CommandError, match="Nothing was saved"):
        call_command(
            "import_workbook",
            str(data),
            "--kind",
            "companies",
            "--user",
            "official",
            "--errors-out",
            str(annotated),
        )
    out = capsys.readouterr().out
    assert "row 3," in out
    assert "unknown_region" in out
    assert not Company.objects.exists()
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(annotated.read_bytes())).get_sheet_by_index(0)
    assert sheet.to_python()[0][-1] == "오류 (Errors)"


def test_refused_files_and_users(official, sme_owner, tmp_path):
    before = Company.objects.count()  # SME A's own
    exe = tmp_path / "companies.xlsx"
    exe.write_bytes(b"MZ" + b"\x00" * 300)
    with pytest.raises(CommandError, match="file_type"):
        call_command("import_workbook", str(exe), "--kind", "companies", "--user", "official")
    good = tmp_path / "good.xlsx"
    good.write_bytes(xlsx([headers("companies"), company_row(0)]))
    with pytest.raises(CommandError, match="permission"):
        call_command("import_workbook", str(good), "--kind", "companies", "--user", sme_owner.user.username)
    with pytest.raises(CommandError, match="No such"):
        call_command(
            "import_workbook", str(tmp_path / "missing.xlsx"), "--kind", "companies", "--user", "official"
        )
    assert Company.objects.count() == before
