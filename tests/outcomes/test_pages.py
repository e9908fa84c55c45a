"""The outcome pages: the list (SME's own, overdue first; reviewers' queue with filters and an overdue
badge), a report with its review, the submit form, and a call's schedule; each refuses who may not use
it (anonymous to the login page, outsiders 404, wrong roles 403)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from factories.models import OutcomeReport, OutcomeSchedule, OutcomeStatus
from tests import factories as f
from tests.applications.support import busan_officer_persona
from tests.outcomes.conftest import GOOD_JSON, report_state, scheduled, set_status

pytestmark = pytest.mark.django_db
LIST = reverse("outcomes:list")


def form_data(**changes):
    data = {k: ("" if v is None else str(v)) for k, v in GOOD_JSON.items()}
    data["cost_before"] = "1,000,000,000"
    data.update(changes)
    return data


@pytest.mark.parametrize("who", ["sme_owner", "official", "regional_officer", "auditor"])
def test_the_list_renders_for_its_roles(request, mine, theirs, who):
    response = request.getfixturevalue(who).browser().get(LIST)
    assert response.status_code == 200
    rows = list(response.context["page_obj"])
    if who == "sme_owner":
        # everything of their own, overdue first, with the badge
        assert [r.pk for r in rows] == [mine.overdue.pk, mine.running.pk, mine.future.pk]
        assert 'data-overdue="true"' in response.content.decode()
        assert reverse("outcomes:submit", args=[mine.overdue.pk]) in response.content.decode()
    else:
        assert rows == []  # the queue opens on submitted reports
        assert response.context["overdue_count"] == (1 if who == "regional_officer" else 2)


def test_the_queue_filters(mine, theirs, official, sme_owner):
    set_status(mine.overdue, OutcomeStatus.SUBMITTED, sme_owner.user)
    browser = official.browser()
    assert [r.pk for r in browser.get(LIST).context["page_obj"]] == [mine.overdue.pk]
    overdue = browser.get(LIST, {"overdue": "on", "status": "all"}).context["page_obj"]
    assert [r.pk for r in overdue] == [theirs.overdue.pk]
    by_call = browser.get(LIST, {"status": "all", "call": theirs.factory.call_id}).context["page_obj"]
    assert {r.factory_id for r in by_call} == {theirs.factory.pk}


@pytest.mark.parametrize("who", ["evaluator", "partner", "finance_officer", "supplier_user"])
def test_the_list_refuses_other_roles(request, who):
    assert request.getfixturevalue(who).browser().get(LIST).status_code == 403


def test_anonymous_goes_to_the_login_page(mine, anonymous):
    for url in (
        LIST,
        reverse("outcomes:detail", args=[mine.overdue.pk]),
        reverse("outcomes:submit", args=[mine.overdue.pk]),
        reverse("outcomes:schedule", args=[mine.factory.call_id]),
    ):
        response = anonymous.browser().get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_the_list_query_count_is_constant(sme_owner, official):
    scheduled(sme_owner)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert official.browser().get(LIST, {"status": "all"}).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for _ in range(4):
        scheduled(sme_owner, workplace=f.WorkplaceFactory(company=sme_owner.company))
    assert count() == few


@pytest.mark.parametrize(
    ("who", "status"),
    [("sme_owner", 200), ("official", 200), ("regional_officer", 200), ("auditor", 200), ("other_sme", 404)],
)
def test_the_report_page(request, mine, who, status):
    response = request.getfixturevalue(who).browser().get(reverse("outcomes:detail", args=[mine.overdue.pk]))
    assert response.status_code == status


def test_the_report_page_hides_from_another_regions_officer(mine):
    browser = busan_officer_persona().browser()
    assert browser.get(reverse("outcomes:detail", args=[mine.overdue.pk])).status_code == 404


def test_submit_through_the_form(mine, sme_owner):
    url = reverse("outcomes:submit", args=[mine.overdue.pk])
    browser = sme_owner.browser()
    page = browser.get(url)
    assert page.status_code == 200
    assert 'id="outcome-form-table"' in page.content.decode()
    response = browser.post(url, form_data())
    assert response.status_code == 302
    mine.overdue.refresh_from_db()
    assert mine.overdue.status == OutcomeStatus.SUBMITTED
    assert mine.overdue.cost_before == 1_000_000_000


def test_the_form_shows_refusals_and_changes_nothing(mine, sme_owner):
    url = reverse("outcomes:submit", args=[mine.overdue.pk])
    before = report_state()
    response = sme_owner.browser().post(url, form_data(defect_rate_after="120", sales_after=""))
    assert response.status_code == 200
    assert "defect_rate_after" in response.context["form"].errors
    response = sme_owner.browser().post(url, form_data(sales_after=""))
    assert response.status_code == 200
    assert "sales_after" in response.context["form"].errors  # the service's rule, on its field
    response = sme_owner.browser().post(reverse("outcomes:submit", args=[mine.running.pk]), form_data())
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert report_state() == before


@pytest.mark.parametrize(("who", "status"), [("official", 403), ("auditor", 403), ("other_sme", 404)])
def test_others_may_not_submit(request, mine, who, status):
    before = report_state()
    browser = request.getfixturevalue(who).browser()
    url = reverse("outcomes:submit", args=[mine.overdue.pk])
    assert browser.get(url).status_code == status
    assert browser.post(url, form_data()).status_code == status
    assert report_state() == before


def test_review_accept_and_return_through_the_page(mine, theirs, sme_owner, other_sme, official):
    set_status(mine.overdue, OutcomeStatus.SUBMITTED, sme_owner.user)
    set_status(theirs.overdue, OutcomeStatus.SUBMITTED, other_sme.user)
    browser = official.browser()
    page = browser.get(reverse("outcomes:detail", args=[mine.overdue.pk]))
    assert 'id="review"' in page.content.decode()
    response = browser.post(reverse("outcomes:review", args=[mine.overdue.pk, "accept"]), {"note": ""})
    assert response.status_code == 302
    response = browser.post(reverse("outcomes:review", args=[theirs.overdue.pk, "return"]), {"note": ""})
    assert response.status_code == 200  # the note is required
    assert OutcomeReport.objects.get(pk=theirs.overdue.pk).status == OutcomeStatus.SUBMITTED
    response = browser.post(
        reverse("outcomes:review", args=[theirs.overdue.pk, "return"]), {"note": "증빙 보완"}
    )
    assert response.status_code == 302
    statuses = dict(OutcomeReport.objects.filter(sequence=1).values_list("pk", "status"))
    assert statuses[mine.overdue.pk] == OutcomeStatus.ACCEPTED
    assert statuses[theirs.overdue.pk] == OutcomeStatus.RETURNED
    history = browser.get(reverse("outcomes:detail", args=[theirs.overdue.pk])).context["history"]
    assert [s.status for s in history][-1] == OutcomeStatus.RETURNED


@pytest.mark.parametrize(("who", "status"), [("sme_owner", 403), ("auditor", 403), ("other_sme", 404)])
def test_others_may_not_review(request, mine, sme_owner, who, status):
    set_status(mine.overdue, OutcomeStatus.SUBMITTED, sme_owner.user)
    before = report_state()
    browser = request.getfixturevalue(who).browser()
    for action in ("accept", "return"):
        url = reverse("outcomes:review", args=[mine.overdue.pk, action])
        assert browser.post(url, {"note": "x"}).status_code == status
    assert report_state() == before


def test_the_schedule_page(mine, official, auditor, sme_owner):
    url = reverse("outcomes:schedule", args=[mine.factory.call_id])
    assert official.browser().get(url).status_code == 200
    assert auditor.browser().get(url).status_code == 200
    assert (
        auditor.browser().post(url, {"reports": 2, "interval_months": 6, "due_days": 10}).status_code == 403
    )
    assert sme_owner.browser().get(url).status_code == 403
    assert not OutcomeSchedule.objects.exists()
    response = official.browser().post(url, {"reports": 2, "interval_months": 6, "due_days": 10})
    assert response.status_code == 302
    assert OutcomeSchedule.objects.get(call_id=mine.factory.call_id).reports == 2
