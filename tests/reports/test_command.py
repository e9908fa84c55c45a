"""`manage.py export_workbook --kind ministry|open_data`: the same workbook as the page, logged."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from core.models import AccessLog
from tests.reports.conftest import SHEETS, values, workbook_bytes

pytestmark = pytest.mark.django_db


def test_the_ministry_workbook_of_a_snapshot(official, reports, tmp_path):
    out = tmp_path / "kpi.xlsx"
    call_command(
        "export_workbook",
        "--kind",
        "ministry",
        "--out",
        str(out),
        "--user",
        official.user.username,
        "--snapshot",
        str(reports.past.pk),
    )
    data = out.read_bytes()
    assert tuple(values(data)) == SHEETS
    assert data == workbook_bytes(reports.past)
    log = AccessLog.objects.get(resource="ministry_workbook")
    assert log.object_ref == str(reports.past.pk)
    assert log.actor == official.user


def test_open_data_and_who_may_export_it(official, finance_officer, reports, tmp_path):
    out = tmp_path / "grants.json"
    call_command(
        "export_workbook", "--kind", "open_data", "--out", str(out), "--user", official.user.username
    )
    assert b'"grants"' in out.read_bytes()
    with pytest.raises(CommandError, match="officials and auditors"):
        call_command(
            "export_workbook",
            "--kind",
            "ministry",
            "--out",
            str(tmp_path / "k.xlsx"),
            "--user",
            finance_officer.user.username,
        )
    with pytest.raises(CommandError):
        call_command(
            "export_workbook",
            "--kind",
            "ministry",
            "--out",
            str(tmp_path / "k.xlsx"),
            "--user",
            official.user.username,
            "--as-of",
            "2019-01-01",
        )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["grants.json"]
