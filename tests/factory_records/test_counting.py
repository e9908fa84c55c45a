"""The counting rule (factories/models.py): a workplace counts at most once per completion year;
support takes precedence over a self-built confirmation of the same workplace and year; a second
supported completion in the same year is recorded but not counted; a later year counts again; closed
factories stay counted but leave the active count. Concurrent completions and confirmations of one
workplace are serialised on its row: exactly one counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from applications.models import Application
from core.errors import IllegalTransition
from core.models import User
from factories.models import ClosureReason, Factory, FactoryOrigin
from factories.selectors import (
    active_factory_count,
    deployment_counts,
    factory_totals,
    sunk_support_krw,
)
from factories.services import factory_close, level_confirmation_record
from programs.models import ProgramType
from tests import factories as f
from tests import flow
from tests.factory_records.conftest import in_final_inspection
from tests.funding.conftest import paid, race

TODAY = timezone.localdate


def confirm_self_built(workplace, actor, day=None, level="L2"):
    return level_confirmation_record(
        workplace=workplace,
        actor=actor,
        level=level,
        confirmed_on=day or TODAY(),
        confirming_body="한국생산성본부",
        self_built=True,
    )


def counted_of(workplace) -> list[tuple[str, int]]:
    return sorted(
        Factory.objects.filter(workplace=workplace, counted=True).values_list("origin", "completion_year")
    )


def test_a_second_supported_completion_in_the_same_year_is_recorded_but_not_counted(sme_owner, official):
    first = flow.to_completed(in_final_inspection(sme_owner.workplace, official.user), official.user)
    second = flow.to_completed(in_final_inspection(sme_owner.workplace, official.user), official.user)
    assert (first.counted, second.counted) == (True, False)
    assert Factory.objects.filter(workplace=sme_owner.workplace).count() == 2


def test_a_later_year_counts_again(sme_owner, official):
    earlier = in_final_inspection(sme_owner.workplace, official.user, fiscal_year=2025)
    first = flow.to_completed(earlier, official.user, completed_on=dt.date(2025, 10, 1))
    second = flow.to_completed(in_final_inspection(sme_owner.workplace, official.user), official.user)
    assert (first.counted, second.counted) == (True, True)
    assert counted_of(sme_owner.workplace) == [("supported", 2025), ("supported", TODAY().year)]


def test_support_takes_precedence_over_a_self_built_confirmation_of_the_same_year(
    sme_owner, official, regional_officer
):
    confirmation = confirm_self_built(sme_owner.workplace, regional_officer.user)
    self_built = confirmation.factory
    assert self_built.counted is True
    supported = flow.to_completed(in_final_inspection(sme_owner.workplace, official.user), official.user)
    self_built.refresh_from_db()
    assert (supported.counted, self_built.counted) == (True, False)
    assert counted_of(sme_owner.workplace) == [("supported", TODAY().year)]


def test_a_self_built_confirmation_after_support_in_the_same_year_is_not_counted(factory, regional_officer):
    confirmation = confirm_self_built(factory.workplace, regional_officer.user)
    assert confirmation.factory.origin == FactoryOrigin.SELF_BUILT
    assert confirmation.factory.counted is False
    factory.refresh_from_db()
    assert factory.counted is True


def test_a_self_built_confirmation_of_another_year_counts(factory, regional_officer):
    confirmation = confirm_self_built(factory.workplace, regional_officer.user, day=dt.date(2024, 3, 1))
    assert confirmation.factory.counted is True
    assert counted_of(factory.workplace) == [("self_built", 2024), ("supported", TODAY().year)]


def test_later_self_built_confirmations_only_add_levels(sme_owner, regional_officer):
    first = confirm_self_built(sme_owner.workplace, regional_officer.user, day=dt.date(2025, 5, 1))
    second = confirm_self_built(sme_owner.workplace, regional_officer.user, level="L3")
    assert second.factory == first.factory
    assert Factory.objects.filter(workplace=sme_owner.workplace).count() == 1
    assert first.factory.completion_year == 2025


def test_the_database_refuses_two_counted_factories_of_a_workplace_in_a_year(factory):
    duplicate = Factory.objects.filter(pk=factory.pk).values().get()
    duplicate.pop("id")
    duplicate.update(application_id=None, call_id=None, program_type="", support_year=None, partner_id=None)
    duplicate["origin"] = FactoryOrigin.SELF_BUILT
    with pytest.raises(IntegrityError), transaction.atomic():
        Factory.objects.create(**duplicate)


# --- deployments, active factories, sunk support --------------------------------------------------------


@pytest.fixture
def register(sme_owner, other_sme, official, regional_officer, finance_officer):
    """SME A: supported 2025 (closed, 12 million won paid), supported this year (not counted: a second
    project), self-built 2024. SME B: supported this year in a win-win-free call."""
    a = sme_owner.workplace
    old = in_final_inspection(a, official.user, fiscal_year=2025)
    paid(old.agreement, sme_owner.user, finance_officer.user, 12_000_000, tranche="interim")
    closed = flow.to_completed(old, official.user, completed_on=dt.date(2025, 9, 1), level="L2")
    factory_close(
        factory=closed, actor=official.user, closed_on=TODAY(), reason=ClosureReason.BUSINESS_CLOSED
    )
    now = flow.to_completed(in_final_inspection(a, official.user), official.user, level="L4")
    again = flow.to_completed(in_final_inspection(a, official.user), official.user, level="L4")
    self_built = confirm_self_built(a, regional_officer.user, day=dt.date(2024, 4, 1)).factory
    theirs = flow.to_completed(in_final_inspection(other_sme.workplace, official.user), official.user)
    return {"closed": closed, "now": now, "again": again, "self_built": self_built, "theirs": theirs}


def test_deployments_count_counted_factories_by_completion_year(register):
    year = TODAY().year
    rows = list(deployment_counts())
    assert rows == [
        {"completion_year": 2024, "count": 1},
        {"completion_year": 2025, "count": 1},
        {"completion_year": year, "count": 2},
    ]


def test_deployments_by_support_year_leave_self_built_factories_out(register):
    rows = {r["support_year"]: r["count"] for r in deployment_counts(year="support")}
    assert rows == {2025: 1, 2026: 2}


def test_deployments_break_down_by_region_origin_program_type_and_level(register, sme_owner):
    rows = list(deployment_counts(by=("origin", "level")))
    assert {(r["completion_year"], r["origin"], r["level__code"], r["count"]) for r in rows} == {
        (2024, "self_built", "L2", 1),
        (2025, "supported", "L2", 1),
        (TODAY().year, "supported", "L4", 1),
        (TODAY().year, "supported", "L3", 1),
    }
    by_region = deployment_counts(Factory.objects.filter(region=sme_owner.workplace.region), by=("region",))
    assert sum(r["count"] for r in by_region) == 3
    by_type = deployment_counts(by=("program_type",))
    assert {r["program_type"] for r in by_type} == {"", ProgramType.GOVERNMENT_ONLY}
    with pytest.raises(ValueError, match="unknown"):
        deployment_counts(by=("colour",))


def test_a_closed_factory_stays_deployed_but_leaves_the_active_count(register):
    assert active_factory_count() == 3  # 2024 self-built, this year's A and B (the second is not counted)
    assert active_factory_count(as_of=dt.date(2025, 12, 31)) == 2  # closed only this year
    assert sunk_support_krw() == 12_000_000
    assert sunk_support_krw(Factory.objects.filter(pk=register["theirs"].pk)) == 0
    totals = factory_totals(Factory.objects.all())
    assert totals == {"total": 5, "counted": 4, "active": 3, "closed": 1, "sunk_support_krw": 12_000_000}


# --- concurrency: real threads, one connection each -----------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_projects_completing_at_once_count_once(sme_owner, official):
    apps = [in_final_inspection(sme_owner.workplace, official.user) for _ in range(2)]

    def job(app_id: int):
        def prepare():
            actor = User.objects.get(pk=official.user.pk)
            app = Application.objects.get(pk=app_id)
            return lambda: flow.to_completed(app, actor)

        return prepare

    results = race(*(job(app.pk) for app in apps))
    assert all(isinstance(r, Factory) for r in results), results
    assert Factory.objects.filter(workplace=sme_owner.workplace).count() == 2
    assert Factory.objects.filter(workplace=sme_owner.workplace, counted=True).count() == 1


@pytest.mark.django_db(transaction=True)
def test_completion_and_self_built_confirmation_at_once_count_once(sme_owner, official, regional_officer):
    app = in_final_inspection(sme_owner.workplace, official.user)

    def completion():
        actor = User.objects.get(pk=official.user.pk)
        found = Application.objects.get(pk=app.pk)
        return lambda: flow.to_completed(found, actor)

    def confirmation():
        actor = User.objects.get(pk=regional_officer.user.pk)
        workplace = type(sme_owner.workplace).objects.get(pk=sme_owner.workplace.pk)
        return lambda: confirm_self_built(workplace, actor)

    results = race(completion, confirmation)
    assert not any(isinstance(r, Exception) for r in results), results
    assert counted_of(sme_owner.workplace) == [("supported", TODAY().year)]
    assert Factory.objects.filter(workplace=sme_owner.workplace).count() == 2


@pytest.mark.django_db(transaction=True)
def test_the_same_project_completed_twice_at_once_records_one_factory(inspected, official, regional_officer):
    def job(user_id: int):
        def prepare():
            actor = User.objects.get(pk=user_id)
            found = Application.objects.get(pk=inspected.pk)
            return lambda: flow.to_completed(found, actor)

        return prepare

    results = race(job(official.user.pk), job(regional_officer.user.pk))
    assert sorted(type(r).__name__ for r in results) == ["Factory", "IllegalTransition"]
    assert any(isinstance(r, IllegalTransition) for r in results)
    assert Factory.objects.count() == 1
    assert Factory.objects.get().counted is True


def test_other_workplaces_count_on_their_own(sme_owner, official):
    other = f.WorkplaceFactory(company=sme_owner.company, region=sme_owner.workplace.region)
    a = flow.to_completed(in_final_inspection(sme_owner.workplace, official.user), official.user)
    b = flow.to_completed(in_final_inspection(other, official.user), official.user)
    assert (a.counted, b.counted) == (True, True)
