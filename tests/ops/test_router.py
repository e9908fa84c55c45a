"""The read-replica router: KPI snapshot reads (and export reads in `replica_reads()`) go to `replica`
only when one is configured, never writes, never reads inside a transaction."""

from __future__ import annotations

from unittest import mock

import pytest
from django.conf import settings
from django.db import router, transaction

from applications.models import Application
from config.db_router import ReplicaRouter
from core.replica import REPLICA_ALIAS, replica_reads
from kpi.models import Snapshot, Value


def test_without_a_replica_everything_uses_default():
    assert REPLICA_ALIAS not in settings.DATABASES
    assert "config.db_router.ReplicaRouter" in settings.DATABASE_ROUTERS
    assert Snapshot.objects.all().db == "default"
    assert Value.objects.all().db == "default"
    with replica_reads():
        assert Application.objects.all().db == "default"
    assert ReplicaRouter().db_for_read(Snapshot) is None


@pytest.fixture
def replica_configured():
    # The router asks whether a `replica` database exists; pretend it does (no second server in tests).
    with mock.patch("config.db_router.replica_configured", return_value=True):
        yield


@pytest.mark.usefixtures("replica_configured")
def test_kpi_reads_go_to_the_replica_other_reads_stay_on_default():
    assert Snapshot.objects.all().db == REPLICA_ALIAS
    assert Value.objects.filter(metric="deployments").db == REPLICA_ALIAS
    assert Application.objects.all().db == "default"


@pytest.mark.usefixtures("replica_configured")
def test_export_reads_use_the_replica_only_inside_replica_reads():
    with replica_reads():
        assert Application.objects.all().db == REPLICA_ALIAS
    assert Application.objects.all().db == "default"


@pytest.mark.usefixtures("replica_configured")
def test_writes_and_locks_always_go_to_default():
    assert router.db_for_write(Snapshot) == "default"
    assert Snapshot.objects.select_for_update().db == "default"
    with replica_reads():
        assert router.db_for_write(Application) == "default"


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("replica_configured")
def test_reads_inside_a_transaction_stay_on_the_primary():
    # A service's read-then-write must see its own writes (no replication lag inside a transaction).
    with transaction.atomic():
        assert Snapshot.objects.all().db == "default"
        with replica_reads():
            assert Application.objects.all().db == "default"
    assert Snapshot.objects.all().db == REPLICA_ALIAS


def test_migrations_never_run_on_the_replica():
    r = ReplicaRouter()
    assert r.allow_migrate(REPLICA_ALIAS, "kpi", "snapshot") is False
    assert r.allow_migrate("default", "kpi", "snapshot") is True
