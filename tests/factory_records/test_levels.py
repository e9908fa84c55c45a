"""Level confirmations (수준확인): recorded with their body and date, the current level is the latest by
(confirmed date, id), every refusal changes nothing, and the history is append-only in the database."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from core.errors import PermissionDenied, ValidationFailed
from factories.models import ConfirmationKind, Factory, LevelConfirmation
from factories.selectors import workplace_current_level, workplace_level_history
from factories.services import level_confirmation_record
from tests import factories as f
from tests.factory_records.conftest import register_state

TODAY = timezone.localdate


def record(workplace, actor, **values):
    args = {
        "level": "L2",
        "confirmed_on": TODAY() - dt.timedelta(days=30),
        "confirming_body": "한국생산성본부",
    } | values
    return level_confirmation_record(workplace=workplace, actor=actor, **args)


def test_a_confirmation_is_recorded_with_its_body_and_date(sme_owner, regional_officer):
    made = record(
        sme_owner.workplace,
        regional_officer.user,
        level="l3",
        certificate_number="KSA-2026-0001",
        note="현장 확인",
    )
    assert (made.level.code, made.kind, made.confirming_body, made.certificate_number) == (
        "L3",
        ConfirmationKind.LEVEL_CONFIRMATION,
        "한국생산성본부",
        "KSA-2026-0001",
    )
    assert (made.self_built, made.factory, made.recorded_by) == (False, None, regional_officer.user)
    assert not Factory.objects.exists()  # a plain confirmation makes no factory


def test_the_current_level_is_the_latest_by_date_then_id(sme_owner, official):
    wp = sme_owner.workplace
    assert workplace_current_level(wp) is None
    newest = record(wp, official.user, level="L3", confirmed_on=TODAY() - dt.timedelta(days=10))
    record(wp, official.user, level="L1", confirmed_on=TODAY() - dt.timedelta(days=400))  # backdated
    assert workplace_current_level(wp) == newest
    same_day = record(wp, official.user, level="L4", confirmed_on=newest.confirmed_on)
    assert workplace_current_level(wp) == same_day
    assert [c.level.code for c in workplace_level_history(wp)] == ["L1", "L3", "L4"]


def test_a_self_built_confirmation_records_the_self_built_factory(sme_owner, official):
    made = record(sme_owner.workplace, official.user, level="L2", self_built=True)
    factory = made.factory
    assert factory.origin == "self_built"
    assert (factory.completed_on, factory.completion_year, factory.level.code) == (
        made.confirmed_on,
        made.confirmed_on.year,
        "L2",
    )
    assert (factory.application, factory.call, factory.program_type, factory.support_year) == (
        None,
        None,
        "",
        None,
    )
    assert factory.counted is True


# --- refusals: nothing changes --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"confirmed_on": TODAY() + dt.timedelta(days=1)}, "confirmed_on"),
        ({"level": "L6"}, "level"),
        ({"level": "1"}, "level"),
        ({"confirming_body": ""}, "confirming_body"),
        ({"certificate_number": "x" * 51}, "certificate_number"),
        ({"confirmed_on": TODAY() + dt.timedelta(days=1), "self_built": True}, "confirmed_on"),
    ],
)
def test_bad_input_is_refused(sme_owner, official, values, field):
    before = register_state()
    with pytest.raises(ValidationFailed) as exc:
        record(sme_owner.workplace, official.user, **values)
    assert field in exc.value.fields
    assert register_state() == before


def test_a_certificate_number_is_recorded_once(sme_owner, other_sme, official):
    record(sme_owner.workplace, official.user, certificate_number="KSA-1")
    before = register_state()
    with pytest.raises(ValidationFailed) as exc:
        record(other_sme.workplace, official.user, certificate_number="KSA-1", self_built=True)
    assert exc.value.code == "duplicate_certificate"
    assert register_state() == before


@pytest.mark.parametrize("persona", ["sme_owner", "auditor", "finance_officer", "busan_officer", "partner"])
def test_only_officials_and_the_regional_center_confirm_levels(request, sme_owner, persona):
    before = register_state()
    with pytest.raises(PermissionDenied):
        record(sme_owner.workplace, request.getfixturevalue(persona).user, self_built=True)
    assert register_state() == before


def test_a_regional_officer_cannot_confirm_a_workplace_of_another_region(regional_officer):
    busan = f.WorkplaceFactory(region=f.region("busan"))
    with pytest.raises(PermissionDenied):
        record(busan, regional_officer.user)
    assert not LevelConfirmation.objects.exists()


# --- append-only in the database ------------------------------------------------------------------------


@pytest.fixture
def confirmation(sme_owner, official) -> LevelConfirmation:
    return record(sme_owner.workplace, official.user, level="L2")


def test_the_orm_cannot_change_a_confirmation(confirmation):
    confirmation.level = f.level("L5")
    with pytest.raises(DatabaseError), transaction.atomic():
        confirmation.save()
    with pytest.raises(DatabaseError), transaction.atomic():
        LevelConfirmation.objects.filter(pk=confirmation.pk).update(confirming_body="변조")
    assert LevelConfirmation.objects.get(pk=confirmation.pk).level.code == "L2"


def test_the_orm_cannot_delete_a_confirmation(confirmation):
    with pytest.raises(DatabaseError), transaction.atomic():
        confirmation.delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        LevelConfirmation.objects.all().delete()
    assert LevelConfirmation.objects.filter(pk=confirmation.pk).exists()


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE factories_levelconfirmation SET confirmed_on = confirmed_on - 1 WHERE id = %s",
        "DELETE FROM factories_levelconfirmation WHERE id = %s",
    ],
)
def test_raw_sql_cannot_change_or_delete_a_confirmation(confirmation, sql):
    before = list(LevelConfirmation.objects.values())
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [confirmation.pk])
    assert list(LevelConfirmation.objects.values()) == before
