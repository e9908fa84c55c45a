"""`manage.py reconcile [--call ID] [--agreement ID]`: reconcile the money layer (정산 대사).

Prints the totals per source and every mismatch; exits with status 1 when anything does not reconcile
(so a scheduled job or CI can alert), 2 for an unknown call or agreement, 0 when everything reconciles.
"""

from __future__ import annotations

import time
import unicodedata
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.errors import NotFound
from funding.reconciliation import Check, Reconciliation, reconcile

SOURCE_NAMES = {
    "government": "정부지원금 Government",
    "partner": "주관기관 Partner",
    "local": "지방비 Local",
    "sme": "기업부담금 SME",
    "total": "합계 Total",
}
CHECK_NAMES = {
    Check.PAID: "지급액≠원장 paid ≠ ledger",
    Check.RECOVERED: "환수액≠원장 recovered ≠ ledger",
    Check.OUTSTANDING: "요청·승인액≠미지급 요청 outstanding ≠ open requests",
    Check.CALL_COMMITTED: "공고 약정액 call committed",
    Check.WINWIN_COMMITTED: "상생협약 약정액 win-win committed",
}
COLUMNS = [
    ("재원 Source", "source"),
    ("협약 Agreed", "agreed_krw"),
    ("요청 Requested", "requested_krw"),
    ("승인 Approved", "approved_krw"),
    ("지급 Payments", "payments_krw"),
    ("취소 Reversed", "reversed_krw"),
    ("환수 Recovered", "recovered_krw"),
    ("순지급 Net paid", "net_paid_krw"),
    ("잔액 Remaining", "remaining_krw"),
]


def _width(text: str) -> int:
    """Columns a string takes in a terminal (Hangul is two wide)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int, *, right: bool) -> str:
    space = " " * max(width - _width(text), 0)
    return space + text if right else text + space


def _table(result: Reconciliation) -> list[str]:
    rows: list[list[str]] = [[heading for heading, _attr in COLUMNS]]
    for line in [*result.by_source, result.total]:
        cells = [SOURCE_NAMES.get(line.source, line.source)]
        cells += [f"{getattr(line, attr):,}" for _heading, attr in COLUMNS[1:]]
        rows.append(cells)
    widths = [max(_width(row[i]) for row in rows) for i in range(len(COLUMNS))]
    out = []
    for n, row in enumerate(rows):
        out.append("  ".join(_pad(cell, widths[i], right=i > 0) for i, cell in enumerate(row)))
        if n == 0 or n == len(rows) - 2:
            out.append("  ".join("-" * w for w in widths))
    return out


class Command(BaseCommand):
    help = "Reconcile agreements, requests, the ledger and commitments; exit 1 on any mismatch."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--call", type=int, help="Only this call (id).")
        parser.add_argument("--agreement", type=int, help="Only this agreement (id).")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        try:
            result = reconcile(call_id=options.get("call"), agreement_id=options.get("agreement"))
        except NotFound as exc:
            raise CommandError("알 수 없는 공고 또는 협약 / no such call or agreement", returncode=2) from exc
        seconds = time.monotonic() - started
        scope = "전체 all"
        if result.agreement_id is not None:
            scope = f"협약 agreement {result.agreement_id}"
        elif result.call_id is not None:
            scope = f"공고 call {result.call_id}"
        self.stdout.write(
            f"정산 대사 Reconciliation · {scope} · {result.as_of:%Y-%m-%d %H:%M:%S} ({seconds:.2f}s)"
        )
        self.stdout.write("(단위: 원 / KRW)")
        for line in _table(result):
            self.stdout.write(line)
        self.stdout.write(
            f"점검 Checked: 협약 agreements {result.agreements_checked:,}"
            f" · 공고 calls {result.calls_checked:,} · 상생협약 win-win agreements {result.winwin_checked:,}"
        )
        if result.clean:
            self.stdout.write(self.style.SUCCESS("불일치 없음 / no mismatch"))
            return
        self.stdout.write(self.style.ERROR(f"불일치 Mismatches: {len(result.mismatches):,}"))
        for m in result.mismatches:
            source = f" {SOURCE_NAMES.get(m.source, m.source)}" if m.source else ""
            self.stdout.write(
                f"- {CHECK_NAMES.get(m.check, m.check)} · {m.object_kind} {m.object_id}"
                f" ({m.reference}){source}:"
                f" 기대 expected {m.expected_krw:,} · 보유 held {m.actual_krw:,}"
                f" · 차이 difference {m.difference_krw:+,}"
            )
        raise CommandError(
            f"{len(result.mismatches)} mismatch(es) / 불일치 {len(result.mismatches)}건", returncode=1
        )
