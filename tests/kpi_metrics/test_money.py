"""Money metrics against a direct recomputation from raw rows (agreements, ledger, requests, calls)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db.models import F
from hypothesis import given
from hypothesis import strategies as st

from applications.models import AgreementFunding, FundingSource, ProjectAgreement
from funding.models import DisbursementRequest, LedgerEntry
from kpi.metrics import money
from programs.models import Call, CallStatus, ProgramType
from tests import factories as f
from tests.kpi_metrics.helpers import (
    SETTINGS,
    assert_snapshot_matches,
    assert_sum_metric,
    at,
    day_end,
    today,
)

pytestmark = pytest.mark.django_db

REGIONS = ("gyeonggi", "busan", "seoul")
SOURCES = [s.value for s in FundingSource]

movement = st.tuples(
    st.sampled_from(["paid", "requested", "rejected", "recovered"]),
    st.integers(1, 5),  # amount in millions
    st.integers(0, 300),  # days ago
)
project = st.fixed_dictionaries(
    {
        "program_type": st.sampled_from([ProgramType.GOVERNMENT_ONLY, ProgramType.WINWIN_TYPE1]),
        "year": st.sampled_from([2024, 2025]),
        "region": st.sampled_from(REGIONS),
        "partner": st.booleans(),
        "signed_days_ago": st.integers(0, 300),
        "sources": st.lists(st.sampled_from(SOURCES), min_size=1, max_size=4, unique=True),
        "movements": st.lists(st.tuples(st.sampled_from(SOURCES), movement), max_size=5),
    }
)


def build(spec: dict[str, Any], users: tuple[Any, Any]) -> None:
    """An agreement with its sources, and payments, recoveries and requests as the services would
    record them (ledger rows move paid/recovered by trigger; open requests are outstanding)."""
    maker, checker = users
    call = f.CallFactory(program_type=spec["program_type"], fiscal_year=spec["year"], rules=False)
    winwin = f.AgreementFactory(fiscal_year=spec["year"]) if spec["partner"] else None
    app = f.ApplicationFactory(
        call=call,
        workplace=f.WorkplaceFactory(region=f.region(spec["region"])),
        status="agreed",
        submitted_at=at(400),
        partner_agreement=winwin,
    )
    signed = today() - dt.timedelta(days=spec["signed_days_ago"])
    agreement = ProjectAgreement.objects.create(
        application=app,
        starts_on=signed,
        ends_on=signed + dt.timedelta(days=365),
        supplier=app.supplier,
        scope="MES",
        account_bank="기업은행",
        account_number="123-456789-01",
        account_holder="(주)에이",
        signed_on=signed,
        signed_by=checker,
    )
    for source in spec["sources"]:
        AgreementFunding.objects.create(agreement=agreement, source=source, agreed_krw=100_000_000)
    for source, (kind, millions, days_ago) in spec["movements"]:
        if source not in spec["sources"]:
            continue
        amount = millions * 1_000_000
        when = at(days_ago, seconds=millions * 97)
        common = {"agreement": agreement, "source": source, "tranche": "interim", "amount_krw": amount}
        if kind == "paid":
            request = DisbursementRequest.objects.create(
                **common,
                status="paid",
                requested_by=maker,
                requested_at=when - dt.timedelta(days=3),
                approved_by=checker,
                approved_at=when - dt.timedelta(days=1),
                paid_by=checker,
                paid_at=when,
            )
            LedgerEntry.objects.create(
                agreement=agreement,
                source=source,
                kind="payment",
                amount_krw=amount,
                disbursement=request,
                created_by=checker,
                created_at=when,
            )
        elif kind == "recovered":
            paid = AgreementFunding.objects.get(agreement=agreement, source=source).paid_krw
            if paid >= amount:
                LedgerEntry.objects.create(
                    agreement=agreement,
                    source=source,
                    kind="recovery",
                    amount_krw=-amount,
                    created_by=checker,
                    created_at=when,
                )
        elif kind == "requested":
            DisbursementRequest.objects.create(
                **common, status="requested", requested_by=maker, requested_at=when
            )
            AgreementFunding.objects.filter(agreement=agreement, source=source).update(
                outstanding_krw=F("outstanding_krw") + amount
            )
        else:
            DisbursementRequest.objects.create(
                **common,
                status="rejected",
                requested_by=maker,
                requested_at=when - dt.timedelta(days=5),
                rejected_by=checker,
                rejected_at=when,
                rejection_reason="서류 미비",
            )


# --- the independent recomputation ----------------------------------------------------------------


def expected_funding(as_of: dt.date) -> dict[str, list[tuple[dict[str, Any], int]]]:
    """agreed / paid / recovered / outstanding per agreement source, as of the end of `as_of`, from the
    ledger and requests (paid = ledger net; recovered = −recoveries; outstanding = requests made and
    neither paid nor rejected by then)."""
    end = day_end(as_of)
    ledger = list(LedgerEntry.objects.values("agreement_id", "source", "kind", "amount_krw", "created_at"))
    requests = list(
        DisbursementRequest.objects.values(
            "agreement_id", "source", "amount_krw", "requested_at", "paid_at", "rejected_at"
        )
    )
    out: dict[str, list[tuple[dict[str, Any], int]]] = {
        k: [] for k in ("agreed", "paid", "recovered", "outstanding")
    }
    for row in AgreementFunding.objects.values(
        "agreement_id",
        "source",
        "agreed_krw",
        "agreement__signed_on",
        "agreement__application__call__fiscal_year",
        "agreement__application__call__program_type",
        "agreement__application__region__slug",
        "agreement__application__partner_agreement__consortium__partner_id",
    ):
        if row["agreement__signed_on"] > as_of:
            continue
        dims = {
            "source": row["source"],
            "year": row["agreement__application__call__fiscal_year"],
            "program_type": row["agreement__application__call__program_type"],
            "region": row["agreement__application__region__slug"],
            "partner": row["agreement__application__partner_agreement__consortium__partner_id"],
        }
        mine = [
            e
            for e in ledger
            if (e["agreement_id"], e["source"]) == (row["agreement_id"], row["source"])
            and e["created_at"] < end
        ]
        open_requests = [
            r
            for r in requests
            if (r["agreement_id"], r["source"]) == (row["agreement_id"], row["source"])
            and r["requested_at"] < end
            and (r["paid_at"] is None or r["paid_at"] >= end)
            and (r["rejected_at"] is None or r["rejected_at"] >= end)
        ]
        out["agreed"].append((dims, row["agreed_krw"]))
        out["paid"].append((dims, sum(e["amount_krw"] for e in mine)))
        out["recovered"].append((dims, -sum(e["amount_krw"] for e in mine if e["kind"] == "recovery")))
        out["outstanding"].append((dims, sum(r["amount_krw"] for r in open_requests)))
    return out


def expected_calls(column: str, as_of: dt.date) -> list[tuple[dict[str, Any], int]]:
    end = day_end(as_of)
    return [
        ({"year": c["fiscal_year"], "program_type": c["program_type"]}, c[column])
        for c in Call.objects.values("fiscal_year", "program_type", "status", "opens_at", column)
        if c["status"] == CallStatus.PUBLISHED and c["opens_at"] < end
    ]


def expected_disbursed(as_of: dt.date) -> list[tuple[dict[str, Any], int]]:
    from django.utils import timezone

    end = day_end(as_of)
    out = []
    for e in LedgerEntry.objects.values("source", "amount_krw", "created_at"):
        if e["created_at"] < end:
            local = timezone.localtime(e["created_at"])
            out.append(
                (
                    {"year": local.year, "quarter": (local.month - 1) // 3 + 1, "source": e["source"]},
                    e["amount_krw"],
                )
            )
    return out


# --- the tests --------------------------------------------------------------------------------------


@pytest.fixture
def users():
    return f.UserFactory(), f.UserFactory()


@SETTINGS
@given(projects=st.lists(project, min_size=1, max_size=4), days_back=st.sampled_from([0, 30, 120]))
def test_money_metrics_equal_a_direct_recomputation(users, projects, days_back):
    for spec in projects:
        build(spec, users)
    as_of = today() - dt.timedelta(days=days_back)
    funding = expected_funding(as_of)
    for name in ("agreed", "paid", "recovered", "outstanding"):
        assert_sum_metric(f"{name}_krw", as_of, funding[name])
    assert_sum_metric("budget_krw", as_of, expected_calls("budget_krw", as_of))
    assert_sum_metric("committed_krw", as_of, expected_calls("committed_krw", as_of))
    assert_sum_metric("disbursed_by_month", as_of, expected_disbursed(as_of))


@SETTINGS
@given(projects=st.lists(project, min_size=1, max_size=3))
def test_the_ledger_path_equals_the_running_totals_today(users, projects):
    for spec in projects:
        build(spec, users)
    assert sorted(money.funding_rows(today(), from_ledger=True), key=str) == sorted(
        money.funding_rows(today(), from_ledger=False), key=str
    )


def test_quarters_add_up_to_the_paid_amount(users):
    for days in (0, 95, 200):
        build(
            {
                "program_type": ProgramType.GOVERNMENT_ONLY,
                "year": 2025,
                "region": "seoul",
                "partner": False,
                "signed_days_ago": 250,
                "sources": ["government"],
                "movements": [("government", ("paid", 3, days)), ("government", ("recovered", 1, 0))],
            },
            users,
        )
    paid = sum(c.value for c in money.paid_cells(today()))
    assert paid == 6_000_000  # three payments of 3 million, each less a recovery of 1 million
    assert sum(c.value for c in money.disbursed_cells(today())) == paid


def test_nothing_yields_no_cells(db):
    assert list(money.disbursed_cells(today())) == []
    assert list(money.agreed_cells(today())) == []


def test_execution_rate_is_paid_over_agreed_in_the_snapshot(users):
    from kpi.selectors import breakdown
    from kpi.snapshots import snapshot_refresh

    spec = {
        "program_type": ProgramType.GOVERNMENT_ONLY,
        "year": 2025,
        "region": "busan",
        "partner": True,
        "signed_days_ago": 100,
        "sources": ["government", "sme"],
        "movements": [("government", ("paid", 5, 10)), ("government", ("requested", 2, 1))],
    }
    build(spec, users)
    snapshot = snapshot_refresh()
    rows = {r.dims["source"]: r.value for r in breakdown(snapshot, "execution_rate", group_by=("source",))}
    assert rows["government"] == Decimal("5.00")  # 5 of 100 million
    assert rows["sme"] == Decimal("0.00")  # nothing paid: zero numerator
    # A zero denominator (nothing agreed in that region): no figure rather than a division by zero.
    rows = breakdown(snapshot, "execution_rate", filters={"region": "jeju"})
    assert [r.value for r in rows] in ([], [None])
    for name, expected in expected_funding(today()).items():
        assert_snapshot_matches(snapshot, f"{name}_krw", expected)
    assert_snapshot_matches(snapshot, "disbursed_by_month", expected_disbursed(today()))
