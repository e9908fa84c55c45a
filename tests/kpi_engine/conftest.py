"""Fixtures of the KPI engine tests.

The property-based tests build a small random data set per example inside a savepoint that is rolled
back at the end of the example (`example_savepoint`), compute the metrics into a snapshot
(`snapshot_of`) and compare `kpi.selectors.breakdown` with a recomputation written here in plain
Python over `.values()` rows — deliberately not the SQL of the metrics.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, settings

from applications.models import AgreementFunding, Application, FundingSource, ProjectAgreement
from companies.models import Workplace
from core.models import Organisation, User
from kpi.models import Snapshot, SnapshotKind
from kpi.selectors import breakdown
from kpi.snapshots import write_values
from programs.models import ProgramType
from tests import factories as f

REGIONS = ("seoul", "gyeonggi", "busan")
LEVELS = ("L1", "L2", "L3", "L4", "L5")
KSICS = ("10", "29")
SIZES = ("small", "medium")

# Derandomized (the same examples every run) and few of them: each builds a data set and a snapshot.
PROPERTY = settings(
    max_examples=12,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


class _Rollback(Exception):
    pass


@contextmanager
def example_savepoint() -> Iterator[None]:
    """Everything written inside is rolled back at the end (each hypothesis example starts clean)."""
    try:
        with transaction.atomic():
            yield
            raise _Rollback
    except _Rollback:
        pass


def snapshot_of(codes: Iterable[str], as_of: dt.date) -> Snapshot:
    """A live (not current) snapshot holding only the named metrics, computed as of `as_of`."""
    snapshot = Snapshot.objects.create(kind=SnapshotKind.LIVE, as_of=as_of, taken_at=timezone.now())
    write_values(snapshot, as_of, frozen=False, codes=set(codes))
    return snapshot


def grouped(rows: Iterable[tuple[Mapping[str, Any], Any]], group_by: Sequence[str]) -> dict[tuple, Decimal]:
    """Plain-Python SUM of (dims, value) records by the group-by dimensions (a missing one is None),
    without zero groups."""
    out: dict[tuple, Decimal] = defaultdict(Decimal)
    for dims, value in rows:
        out[tuple(dims.get(d) for d in group_by)] += Decimal(value)
    return {k: v for k, v in out.items() if v}


def read(
    snapshot: Snapshot, code: str, group_by: Sequence[str], filters: Mapping[str, Any] | None = None
) -> dict:
    """The snapshot's breakdown as {key tuple: value}, without zero groups."""
    rows = breakdown(snapshot, code, group_by=group_by, filters=filters)
    return {tuple(r.dims[d] for d in group_by): r.value for r in rows if r.value}


def check_all_breakdowns(
    snapshot: Snapshot,
    code: str,
    records: list[tuple[dict[str, Any], Any]],
    dims: Sequence[str],
    pairs: Sequence[tuple[str, str]] = (),
) -> None:
    """The metric by nothing, by each dimension, by the given pairs, and each dimension filtered on
    its first value, equals the plain-Python sum of the records."""
    for group_by in [(), *[(d,) for d in dims], *pairs]:
        assert read(snapshot, code, group_by) == grouped(records, group_by), (code, group_by)
    for d in dims:
        values = sorted({r[0][d] for r in records if r[0].get(d) is not None}, key=str)
        for value in values[:2]:
            chosen = [r for r in records if r[0].get(d) == value]
            assert read(snapshot, code, (), {d: value}) == grouped(chosen, ()), (code, d, value)


@dataclass
class Pool:
    """Objects made once per test and shared by its examples."""

    official: User
    applications: list[Application]  # each with its own workplace and a paid government funding row
    self_built: list[Workplace]
    partners: list[Organisation]


@pytest.fixture
def pool(db) -> Pool:
    official = f.UserFactory()
    calls = [
        f.CallFactory(program_type=ProgramType.GOVERNMENT_ONLY, fiscal_year=2020),
        f.CallFactory(program_type=ProgramType.WINWIN_TYPE1, fiscal_year=2021),
    ]
    applications = []
    for i in range(8):
        company = f.CompanyFactory(size_class=f.size(SIZES[i % 2]), ksic=f.ksic(KSICS[i % 2]))
        workplace = f.WorkplaceFactory(company=company, region=f.region(REGIONS[i % 3]))
        app = f.ApplicationFactory(call=calls[i % 2], workplace=workplace)
        agreement = ProjectAgreement.objects.create(
            application=app,
            starts_on=dt.date(2020, 1, 1),
            ends_on=dt.date(2020, 12, 31),
            supplier=app.supplier,
            scope="MES",
            account_bank="bank",
            account_number="123-456-789",
            account_holder="x",
            signed_on=dt.date(2019, 12, 20),
            signed_by=official,
        )
        AgreementFunding.objects.create(
            agreement=agreement,
            source=FundingSource.GOVERNMENT,
            agreed_krw=10_000_000 * (i + 1),
            paid_krw=1_000_000 * (i + 1),
        )
        applications.append(app)
    self_built = [
        f.WorkplaceFactory(
            company=f.CompanyFactory(size_class=f.size(SIZES[i % 2]), ksic=f.ksic(KSICS[i % 2])),
            region=f.region(REGIONS[i % 3]),
        )
        for i in range(4)
    ]
    partners = [f.OrganisationFactory(), f.OrganisationFactory()]
    return Pool(official, applications, self_built, partners)


def new_batch() -> uuid.UUID:
    return uuid.uuid4()


Recompute = Callable[..., list[tuple[dict[str, Any], Any]]]
