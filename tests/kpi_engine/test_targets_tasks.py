"""Targets arithmetic (exact examples), target progress read from a snapshot, the beat tasks (the
monthly freeze once per month) and the kpi_refresh command."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from factories.models import AggregateMetric, AggregateStatus, HistoricalAggregate
from kpi.models import Snapshot, SnapshotKind
from kpi.selectors import current_snapshot
from kpi.snapshots import MONTHLY_NOTE, snapshot_refresh
from kpi.targets import months_between, period_sums, project, target_progress, window_share
from kpi.tasks import freeze_monthly_kpis, previous_month_end, refresh_live_kpis
from programs.models import NationalTarget

D = Decimal


def test_window_share_and_months():
    assert window_share(dt.date(2023, 12, 31)) == 0
    assert window_share(dt.date(2024, 1, 1)) == 1 - D(1) / D(366)
    assert months_between(dt.date(2024, 1, 1), dt.date(2024, 1, 1)) == 0
    assert months_between(dt.date(2025, 1, 1), dt.date(2024, 1, 1)) == 0
    assert months_between(dt.date(2024, 1, 1), dt.date(2025, 1, 1)) == D(366) / (D("365.2425") / 12)


def test_period_sums_take_the_years_of_the_target_and_the_last_twelve_months():
    years = {2020: D(100), 2021: D(200), 2022: D(300), 2023: D(400)}
    # as of 2023-12-31: the window is all of 2023 and none of 2022
    assert period_sums(years, 2021, 2023, dt.date(2023, 12, 31)) == (D(900), D(400))
    # a year before counts_from is left out; as of mid-2023, the previous year's tail is prorated
    total, window = period_sums(years, 2021, 2030, dt.date(2023, 7, 2))  # day 183 of 365
    assert total == D(900)
    assert window == D(400) + D(300) * (1 - D(183) / D(365))


def test_projection_exact_examples():
    # 1,000 now, 880 a year ago: 10 a month; 24 months × 10 → 1,240 at the deadline
    out = project(
        current=D(1000),
        before_window=D(880),
        target=D(1300),
        as_of=dt.date(2024, 1, 1),
        deadline=dt.date(2026, 1, 1),
    )
    months = D(731) / (D("365.2425") / 12)
    assert out["run_rate_monthly"] == D("10.00")
    assert out["months_remaining"] == months.quantize(D("0.01"))  # 24.02
    assert out["needed_monthly"] == (D(300) / months).quantize(D("0.01"))  # 12.49
    assert out["projected_at_deadline"] == (D(1000) + 10 * months).quantize(D("0.01"))
    # 300 more at 10 a month: 30 months = 913.09 days → 914 days later
    assert out["projected_date"] == dt.date(2024, 1, 1) + dt.timedelta(days=914)
    assert out["achieved"] is False
    assert out["on_track"] is False


def test_a_crawling_run_rate_projects_no_date_rather_than_overflowing():
    """100,000 to go at a thousandth of a unit a month would land past the calendar's end."""
    crawling = project(
        current=D(0),
        before_window=D("-0.012"),
        target=D(100_000),
        as_of=dt.date(2024, 1, 1),
        deadline=dt.date(2025, 1, 1),
    )
    assert crawling["run_rate_monthly"] == D("0.00")
    assert crawling["projected_date"] is None
    assert crawling["on_track"] is False


def test_projection_reached_stalled_and_past_deadline():
    reached = project(
        current=D(50),
        before_window=D(40),
        target=D(50),
        as_of=dt.date(2024, 3, 1),
        deadline=dt.date(2025, 1, 1),
    )
    assert reached["achieved"]
    assert reached["on_track"]
    assert reached["needed_monthly"] == 0
    assert reached["projected_date"] == dt.date(2024, 3, 1)
    stalled = project(
        current=D(40),
        before_window=D(40),
        target=D(50),
        as_of=dt.date(2024, 3, 1),
        deadline=dt.date(2025, 1, 1),
    )
    assert stalled["run_rate_monthly"] == 0
    assert stalled["projected_date"] is None
    assert stalled["projected_at_deadline"] == D("40.00")
    assert stalled["on_track"] is False
    late = project(
        current=D(40),
        before_window=D(16),
        target=D(50),
        as_of=dt.date(2026, 3, 1),
        deadline=dt.date(2025, 1, 1),
    )
    assert late["needed_monthly"] is None
    assert late["months_remaining"] == 0
    assert late["on_track"] is False
    assert late["run_rate_monthly"] == D("2.00")
    assert late["projected_date"] == dt.date(2026, 3, 1) + dt.timedelta(days=153)  # 5 months = 152.18 days


def test_target_progress_from_a_snapshot(pool):
    NationalTarget.objects.update(is_active=False)
    NationalTarget.objects.create(
        code="test-deployments",
        metric="deployments",
        label_ko="보급",
        label_en="Deployments",
        target_value=D(1000),
        unit="count",
        counts_from=dt.date(2020, 1, 1),
        deadline=dt.date(2025, 12, 31),
    )
    NationalTarget.objects.create(
        code="test-ratio",
        metric="advancement_ratio",
        label_ko="고도화율",
        label_en="Advancement",
        target_value=D(50),
        unit="percent",
        counts_from=dt.date(2020, 1, 1),
        deadline=dt.date(2025, 12, 31),
    )
    common = {
        "status": AggregateStatus.ACTUAL,
        "source": "t",
        "imported_by": pool.official,
        "batch": pool_batch(),
    }
    HistoricalAggregate.objects.create(metric=AggregateMetric.DEPLOYMENTS, year=2019, value=999, **common)
    HistoricalAggregate.objects.create(metric=AggregateMetric.DEPLOYMENTS, year=2022, value=300, **common)
    HistoricalAggregate.objects.create(
        metric=AggregateMetric.DEPLOYMENTS, year=2023, value=120, level=level("L3"), **common
    )
    HistoricalAggregate.objects.create(
        metric=AggregateMetric.DEPLOYMENTS, year=2023, value=120, level=level("L1"), **common
    )
    snap = snapshot_refresh(actor=None, as_of=dt.date(2023, 12, 31))
    progress = {p.code: p for p in target_progress(snap)}
    assert set(progress) == {"test-deployments", "test-ratio"}
    deployments = progress["test-deployments"]
    assert deployments.metric == "deployments"
    assert deployments.current == D("540.00")  # 2019 is before counts_from
    assert deployments.percent == D("54.00")
    assert deployments.run_rate_monthly == D("20.00")  # 240 in 2023, nothing of 2022 in the window
    assert deployments.projected_date == dt.date(2023, 12, 31) + dt.timedelta(days=701)  # 23 months
    ratio = progress["test-ratio"]
    # Only deployments with a known level count in the ratio: 2023's 240 (120 at L3), not 2022's 300.
    assert ratio.current == D("50.00")
    assert ratio.achieved
    assert ratio.percent == D("100.00")
    assert ratio.projected_date == dt.date(2023, 12, 31)
    assert deployments.as_dict()["current"] == "540.00"


def pool_batch():
    import uuid

    return uuid.uuid4()


def level(code):
    from tests import factories as f

    return f.level(code)


def test_beat_schedule_has_both_tasks():
    schedule = {entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    refresh = schedule["kpi.tasks.refresh_live_kpis"]
    assert refresh.minute == set(range(0, 60, 10))
    monthly = schedule["kpi.tasks.freeze_monthly_kpis"]
    assert (monthly.day_of_month, monthly.hour, monthly.minute) == ({1}, {6}, {0})
    assert settings.CELERY_TIMEZONE == "Asia/Seoul"


def test_previous_month_end():
    assert previous_month_end(dt.date(2024, 3, 1)) == dt.date(2024, 2, 29)
    assert previous_month_end(dt.date(2025, 1, 1)) == dt.date(2024, 12, 31)


def test_monthly_freeze_runs_once_per_month(db):
    first = freeze_monthly_kpis(today="2024-03-01")
    again = freeze_monthly_kpis(today="2024-03-01")
    later_same_month = freeze_monthly_kpis(today="2024-03-15")
    assert first is not None
    assert again is None
    assert later_same_month is None
    snap = Snapshot.objects.get(pk=first)
    assert (snap.kind, snap.as_of, snap.note) == (SnapshotKind.OFFICIAL, dt.date(2024, 2, 29), MONTHLY_NOTE)
    next_month = freeze_monthly_kpis(today="2024-04-01")
    assert Snapshot.objects.get(pk=next_month).as_of == dt.date(2024, 3, 31)
    assert Snapshot.objects.filter(kind=SnapshotKind.OFFICIAL).count() == 2


def test_refresh_task_makes_the_current_snapshot(db):
    pk = refresh_live_kpis()
    assert current_snapshot().pk == pk


def test_kpi_refresh_command(db):
    out = StringIO()
    call_command("kpi_refresh", stdout=out)
    assert "snapshot" in out.getvalue()
    assert current_snapshot() is not None
    call_command("kpi_refresh", "--freeze", "--as-of", "2024-12-31", "--note", "year end", stdout=out)
    official = Snapshot.objects.get(kind=SnapshotKind.OFFICIAL)
    assert (official.as_of, official.note) == (dt.date(2024, 12, 31), "year end")
    with pytest.raises(CommandError):
        call_command("kpi_refresh", "--as-of", "yesterday", stdout=out)
    with pytest.raises(CommandError):
        call_command("kpi_refresh", "--freeze", "--as-of", "2999-01-01", stdout=out)
