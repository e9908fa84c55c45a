"""Races decided by row locks, with real threads and real commits (transactional_db).

Each thread opens its own database connection and closes it when done; a Barrier releases the threads
together so that their transactions overlap.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from applications import services as s
from applications.models import Application, ApplicationStatus, ApplicationStatusChange, DuplicateFlag
from core.errors import ApplicationError, Conflict, IllegalTransition
from core.models import User
from programs.models import Call
from tests import factories as f

S = ApplicationStatus
M = 1_000_000


# Real commits: tests/conftest.py reloads the reference data that the closing flush removes.
pytestmark = pytest.mark.usefixtures("transactional_db")


def race(*jobs: Callable[[], object]) -> list[object]:
    """Run the jobs in threads released together; return each one's result or the error it raised."""
    barrier = threading.Barrier(len(jobs))
    results: list[object] = [None] * len(jobs)

    def run(i: int, job: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=10)
            results[i] = job()
        except Exception as exc:  # the test inspects what each thread got
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)
    return results


@pytest.fixture
def sme():
    """An SME user and their workplace (the shared personas use the non-transactional `db`)."""
    user = f.UserFactory()
    workplace = f.WorkplaceFactory()
    f.member(user, workplace.company.organisation, "sme")
    return user, workplace


@pytest.fixture
def a_draft(sme):
    user, workplace = sme
    return f.ApplicationFactory(call=f.CallFactory(fiscal_year=2026), workplace=workplace, created_by=user)


def test_two_concurrent_submits_of_one_draft(sme, a_draft):
    user, _workplace = sme

    def submit():
        actor = User.objects.get(pk=user.pk)
        return s.application_submit(application=Application.objects.get(pk=a_draft.pk), actor=actor).status

    results = race(submit, submit)
    assert results.count(S.SUBMITTED) == 1
    assert [type(r) for r in results if r != S.SUBMITTED] == [IllegalTransition]
    assert Application.objects.get(pk=a_draft.pk).status == S.SUBMITTED
    assert ApplicationStatusChange.objects.filter(application=a_draft).count() == 1


def test_two_concurrent_submits_through_the_api(sme, a_draft):
    user, _workplace = sme

    def post():
        client = APIClient()
        client.force_authenticate(User.objects.get(pk=user.pk))
        return client.post(f"/api/v1/applications/{a_draft.pk}/submit/").status_code

    assert sorted(race(post, post)) == [200, 409]
    assert ApplicationStatusChange.objects.filter(application=a_draft).count() == 1


@pytest.fixture
def official_user():
    user = f.UserFactory()
    f.member(user, f.OrganisationFactory(kind="ministry"), "official")
    return user


def scored(call, gov):
    return f.ApplicationFactory(
        call=call,
        status=S.EVALUATION,
        evaluation_score=Decimal(90),
        total_cost_krw=2 * gov,
        gov_amount_krw=gov,
        sme_amount_krw=gov,
        submitted_at=timezone.now(),
    )


def test_concurrent_selections_never_exceed_the_budget(official_user):
    """100 million won left; five projects of 30 million each: exactly three fit."""
    call = f.CallFactory(fiscal_year=2026, budget_krw=400 * M, target_count=10)
    Call.objects.filter(pk=call.pk).update(committed_krw=300 * M, selected_count=2)
    apps = [scored(call, 30 * M) for _ in range(5)]

    def select(app_id: int):
        def job():
            actor = User.objects.get(pk=official_user.pk)
            return s.application_select(application=Application.objects.get(pk=app_id), actor=actor).status

        return job

    results = race(*(select(app.pk) for app in apps))
    assert results.count(S.SELECTED) == 3
    refusals = [r for r in results if isinstance(r, ApplicationError)]
    assert len(refusals) == 2
    assert all(isinstance(r, Conflict) and r.code == "call_budget_exceeded" for r in refusals)
    call.refresh_from_db()
    assert (call.committed_krw, call.selected_count) == (390 * M, 5)
    assert Application.objects.filter(call=call, status=S.SELECTED).count() == 3


def test_concurrent_selections_never_exceed_the_target_count(official_user):
    call = f.CallFactory(fiscal_year=2026, budget_krw=1_000 * M, target_count=3)
    apps = [scored(call, 10 * M) for _ in range(5)]

    def select(app_id: int):
        def job():
            actor = User.objects.get(pk=official_user.pk)
            return s.application_select(application=Application.objects.get(pk=app_id), actor=actor).status

        return job

    results = race(*(select(app.pk) for app in apps))
    assert results.count(S.SELECTED) == 3
    assert {r.code for r in results if isinstance(r, Conflict)} == {"call_target_count_reached"}
    call.refresh_from_db()
    assert (call.committed_krw, call.selected_count) == (30 * M, 3)


def test_a_top_n_apply_racing_a_single_selection(official_user):
    """Both lock the call first: either the apply goes first and the single selection finds the budget
    spent, or the single selection goes first and the apply's preview is stale. Never both."""
    call = f.CallFactory(fiscal_year=2026, budget_krw=60 * M, target_count=10)
    first, second = scored(call, 30 * M), scored(call, 30 * M)
    extra = scored(call, 30 * M)
    Application.objects.filter(pk=extra.pk).update(evaluation_score=Decimal(80))
    actor = User.objects.get(pk=official_user.pk)
    preview = s.selection_preview(call=call, actor=actor, top_n=2)
    assert preview.included_ids == [first.pk, second.pk]

    def apply():
        return s.selection_apply(
            call=Call.objects.get(pk=call.pk),
            actor=User.objects.get(pk=official_user.pk),
            top_n=2,
            fingerprint=preview.fingerprint,
        ).included_ids

    def single():
        return s.application_select(
            application=Application.objects.get(pk=extra.pk), actor=User.objects.get(pk=official_user.pk)
        ).status

    results = race(apply, single)
    winners = [r for r in results if not isinstance(r, Exception)]
    assert len(winners) == 1
    [refusal] = [r for r in results if isinstance(r, Exception)]
    assert isinstance(refusal, Conflict)
    call.refresh_from_db()
    assert call.committed_krw <= call.budget_krw


def test_two_calls_cannot_both_select_one_company_at_the_same_level(official_user):
    """The same company applied at the same target level in two calls; both official decisions arrive at
    once. The company row lock orders them: the second sees the duplicate flag the first raised."""
    company = f.CompanyFactory()
    first = scored(f.CallFactory(fiscal_year=2026), 30 * M)
    second = scored(f.CallFactory(fiscal_year=2026), 30 * M)
    for app, name in ((first, "제1공장"), (second, "제2공장")):
        workplace = f.WorkplaceFactory(company=company, name=name)
        Application.objects.filter(pk=app.pk).update(workplace=workplace, company=company)

    def select(app_id: int):
        def job():
            actor = User.objects.get(pk=official_user.pk)
            return s.application_select(application=Application.objects.get(pk=app_id), actor=actor).status

        return job

    results = race(select(first.pk), select(second.pk))
    assert results.count(S.SELECTED) == 1
    refused = [r for r in results if r != S.SELECTED]
    assert [(type(r), r.code) for r in refused] == [(Conflict, "duplicate_support_unresolved")]
    assert Application.objects.filter(company=company, status=S.SELECTED).count() == 1
    assert DuplicateFlag.objects.filter(overridden_at__isnull=True, application__company=company).count() == 1
