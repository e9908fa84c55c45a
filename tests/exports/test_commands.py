"""`manage.py export_workbook` for a list: the user's scope and filters, the reason rule, an access-log
row, and nothing left behind on a refusal."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import CommandError, call_command

from core.models import AccessLog
from tests.exports.conftest import FORMULA


def test_the_ledger_to_csv_with_a_filter_and_a_log_row(finance_officer, ledger_entries, tmp_path):
    out = tmp_path / "ledger.csv"
    call_command(
        "export_workbook",
        "--kind",
        "ledger",
        "--out",
        str(out),
        "--user",
        finance_officer.user.username,
        "--reason",
        "월간 점검",
        "--filter",
        "kind=payment",
    )
    lines = list(csv.reader(io.StringIO(out.read_bytes().decode("utf-8-sig"), newline="")))
    assert len(lines) == 4
    assert any(line[12] == "'" + FORMULA for line in lines[1:])
    log = AccessLog.objects.get()
    assert (log.action, log.resource, log.reason) == ("download", "ledger", "월간 점검")
    assert log.actor == finance_officer.user
    assert log.personal_data
    assert log.detail["rows"] == 3
    assert log.detail["filters"] == {"kind": "payment"}
    assert [p.name for p in tmp_path.iterdir()] == ["ledger.csv"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--reason", ""], "reason"),
        (["--reason", "x", "--filter", "source=bitcoin"], "source"),
        (["--reason", "x", "--filter", "nonsense"], "NAME=VALUE"),
        (["--reason", "x", "--filter", "bogus=1"], "bogus"),
    ],
)
def test_refusals_write_nothing(finance_officer, ledger_entries, tmp_path, args, message):
    out = tmp_path / "ledger.xlsx"
    with pytest.raises(CommandError, match=message):
        call_command(
            "export_workbook",
            "--kind",
            "ledger",
            "--out",
            str(out),
            "--user",
            finance_officer.user.username,
            *args,
        )
    assert list(tmp_path.iterdir()) == []
    assert not AccessLog.objects.exists()


def test_a_user_outside_the_list_is_refused(sme_owner, ledger_entries, tmp_path):
    with pytest.raises(CommandError):
        call_command(
            "export_workbook",
            "--kind",
            "ledger",
            "--out",
            str(tmp_path / "l.csv"),
            "--user",
            sme_owner.user.username,
            "--reason",
            "x",
        )
    assert list(tmp_path.iterdir()) == []


def test_unknown_user_kind_or_extension(finance_officer, tmp_path):
    base = ["--out", str(tmp_path / "x.csv"), "--reason", "x"]
    with pytest.raises(CommandError, match="No such"):
        call_command("export_workbook", "--kind", "ledger", "--user", "nobody", *base)
    with pytest.raises(CommandError):
        call_command("export_workbook", "--kind", "nope", "--user", finance_officer.user.username, *base)
    with pytest.raises(CommandError, match=r"\.xlsx, \.csv or \.json"):
        call_command(
            "export_workbook",
            "--kind",
            "ledger",
            "--user",
            finance_officer.user.username,
            "--out",
            str(tmp_path / "x.pdf"),
        )
