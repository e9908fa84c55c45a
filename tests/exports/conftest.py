"""Fixtures of the raw-export tests: ledger entries moved with the real money services, and a private
EXPORTS_ROOT per test."""

from __future__ import annotations

import pytest

import exports.datasets.ledger  # noqa: F401  (registers the ledger until exports.datasets imports it)
from funding import services as fs
from funding.models import LedgerEntry
from tests.funding.conftest import agreement, approved, other_finance, paid  # noqa: F401  (fixtures reused)

FORMULA = '=HYPERLINK("http://evil.example","click")'


@pytest.fixture(autouse=True)
def _exports_root(settings, tmp_path):
    settings.EXPORTS_ROOT = tmp_path / "exports"
    return settings.EXPORTS_ROOT


@pytest.fixture
def ledger_entries(agreement, finance_officer, other_finance) -> list[LedgerEntry]:  # noqa: F811
    """Three payments on SME A's agreement; the second one's note would run as a formula in Excel."""
    first = paid(agreement, finance_officer.user, other_finance, 1_000_000, tranche="advance")
    made = approved(agreement, finance_officer.user, other_finance, 2_500_000, tranche="advance")
    second = fs.disbursement_pay(request=made, actor=other_finance, note=FORMULA)
    third = paid(agreement, finance_officer.user, other_finance, 3_000_000, tranche="advance")
    return [first, second, third]
