"""Taking snapshots: the live refresh (current, idempotent, pruned, serialised when concurrent), the
official freeze (frozen cells, protected by the database, reproducible after later raw edits) and its
refusals."""

from __future__ import annotations

import datetime as dt
import itertools
import threading
import time

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from core.errors import ValidationFailed
from factories.models import Factory, FactoryOrigin
from kpi import snapshots
from kpi.models import Snapshot, SnapshotKind, Value
from kpi.registry import metrics
from kpi.selectors import breakdown, current_snapshot, total
from kpi.snapshots import LIVE_KEPT, snapshot_freeze, snapshot_refresh
from tests import factories as f
from tests.funding.conftest import race


def self_built(pool, i: int, completed_on: dt.date, level: str = "L3") -> Factory:
    workplace = pool.self_built[i]
    return Factory.objects.create(
        workplace=workplace,
        company=workplace.company,
        region=workplace.region,
        ksic=workplace.ksic,
        origin=FactoryOrigin.SELF_BUILT,
        completed_on=completed_on,
        completion_year=completed_on.year,
        level=f.level(level),
        created_by=pool.official,
    )


def cells(snapshot: Snapshot) -> list[tuple]:
    return sorted(
        (v.metric, sorted(v.dims.items()), v.value, v.status)
        for v in Value.objects.filter(snapshot=snapshot).exclude(metric="data_quality_flags")
    )


def test_refresh_makes_a_current_live_snapshot_of_every_metric(pool):
    self_built(pool, 0, dt.date(2023, 5, 2))
    snap = snapshot_refresh(actor=pool.official)
    assert snap.kind == SnapshotKind.LIVE
    assert snap.is_current
    assert snap.as_of == timezone.localdate()
    assert snap.taken_by == pool.official
    assert current_snapshot() == snap
    assert isinstance(snap.summary, dict)
    stored = set(Value.objects.filter(snapshot=snap).values_list("metric", flat=True))
    assert {"deployments", "advanced_deployments", "active_factories"} <= stored
    assert not Value.objects.filter(snapshot=snap, frozen=True).exists()
    assert total(snap, "deployments") == 1
    assert total(snap, "deployments", filters={"year": 2023, "quarter": 2, "origin": "self_built"}) == 1
    # every stored metric computed, ratio metrics store nothing
    for m in metrics():
        if m.aggregation == "ratio":
            assert not Value.objects.filter(snapshot=snap, metric=m.code).exists()


def test_refresh_is_idempotent_and_keeps_one_current(pool):
    self_built(pool, 0, dt.date(2023, 5, 2))
    first = snapshot_refresh(actor=None)
    second = snapshot_refresh(actor=None)
    first.refresh_from_db()
    assert not first.is_current
    assert second.is_current
    assert Snapshot.objects.filter(kind=SnapshotKind.LIVE, is_current=True).count() == 1
    assert cells(first) == cells(second)


def test_old_live_snapshots_are_pruned_official_ones_kept(pool):
    official = snapshot_freeze(actor=pool.official, as_of=dt.date(2024, 12, 31))
    made = [snapshot_refresh(actor=None) for _ in range(LIVE_KEPT + 2)]
    live = list(Snapshot.objects.filter(kind=SnapshotKind.LIVE).order_by("id"))
    assert live == made[-LIVE_KEPT:]
    assert not Value.objects.filter(snapshot_id__in=[s.pk for s in made[:2]]).exists()
    assert Snapshot.objects.filter(pk=official.pk).exists()
    assert Value.objects.filter(snapshot=official).count() == official.values.count() > 0


def test_freeze_makes_a_frozen_official_snapshot(pool):
    self_built(pool, 0, dt.date(2023, 5, 2))
    snap = snapshot_freeze(actor=pool.official, as_of=dt.date(2024, 6, 30), status="provisional", note="Q2")
    snap.refresh_from_db()
    assert (snap.kind, snap.status, snap.note, snap.is_current) == ("official", "provisional", "Q2", False)
    assert snap.values.exists()
    assert not snap.values.filter(frozen=False).exists()
    assert current_snapshot() is None  # a freeze does not touch the live snapshot


def test_official_snapshot_reproduced_after_raw_edits(pool):
    factory = self_built(pool, 0, dt.date(2023, 5, 2))
    official = snapshot_freeze(actor=pool.official, as_of=timezone.localdate())
    before = cells(official)
    # later edits of the raw data: another factory, a closure, a level change
    self_built(pool, 1, dt.date(2023, 8, 9), level="L1")
    Factory.objects.filter(pk=factory.pk).update(
        closed_on=dt.date(2024, 1, 1), closure_reason="business_closed", level=f.level("L5")
    )
    live = snapshot_refresh(actor=None)
    assert total(live, "deployments") == 2
    assert total(official, "deployments") == 1
    assert breakdown(official, "deployments", group_by=("level",))[0].dims == {"level": "L3"}
    assert cells(Snapshot.objects.get(pk=official.pk)) == before


def test_the_database_refuses_to_change_an_official_snapshot(pool):
    self_built(pool, 0, dt.date(2023, 5, 2))
    snap = snapshot_freeze(actor=pool.official)
    value = snap.values.first()
    statements = [
        ("UPDATE kpi_snapshot SET note = 'x' WHERE id = %s", snap.pk),
        ("UPDATE kpi_snapshot SET summary = '{}'::jsonb WHERE id = %s", snap.pk),
        ("DELETE FROM kpi_snapshot WHERE id = %s", snap.pk),
        ("UPDATE kpi_value SET value = value + 1 WHERE id = %s", value.pk),
        ("DELETE FROM kpi_value WHERE id = %s", value.pk),
        ("UPDATE kpi_value SET value = 0 WHERE snapshot_id = %s", snap.pk),
    ]
    for statement, pk in statements:
        with (
            pytest.raises(DatabaseError, match="Cannot update or delete"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement, [pk])
    with pytest.raises(DatabaseError), transaction.atomic():
        Snapshot.objects.filter(pk=snap.pk).delete()
    assert Value.objects.get(pk=value.pk).value == value.value


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"status": "target"}, "invalid_status"),
        ({"status": "nonsense"}, "invalid_status"),
        ({"as_of": dt.date(2999, 1, 1)}, "future_as_of"),
    ],
)
def test_freeze_refusals_change_nothing(pool, kwargs, code):
    with pytest.raises(ValidationFailed) as refused:
        snapshot_freeze(actor=pool.official, **kwargs)
    assert refused.value.code == code
    assert not Snapshot.objects.exists()
    assert not Value.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_refreshes_run_one_after_the_other(monkeypatch):
    intervals: list[tuple[float, float]] = []
    lock = threading.Lock()
    original = snapshots.write_values

    def slow_write(*args, **kwargs):
        started = time.monotonic()
        result = original(*args, **kwargs)
        time.sleep(0.3)
        with lock:
            intervals.append((started, time.monotonic()))
        return result

    monkeypatch.setattr(snapshots, "write_values", slow_write)
    results = race(*(lambda: lambda: snapshot_refresh(actor=None) for _ in range(3)))
    assert all(isinstance(r, Snapshot) for r in results), results
    ordered = sorted(intervals)
    assert len(ordered) == 3
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(ordered))  # never interleaved
    assert Snapshot.objects.filter(kind=SnapshotKind.LIVE, is_current=True).count() == 1
    assert current_snapshot().pk == max(r.pk for r in results)
