"""The factory register's pages: each renders for who may use it, refuses others (anonymous to the
login page, outsiders 404, wrong roles 403), and its forms call the services."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from applications.models import ApplicationStatus
from factories.models import Factory, LevelConfirmation
from tests.factory_records.conftest import in_final_inspection, register_state

TODAY = timezone.localdate


@pytest.fixture
def urls(factory, sme_owner, official):
    inspected = in_final_inspection(sme_owner.workplace, official.user)
    return {
        "list": reverse("factories:list"),
        "detail": reverse("factories:detail", args=[factory.pk]),
        "close": reverse("factories:close", args=[factory.pk]),
        "complete": reverse("factories:complete", args=[inspected.pk]),
        "levels": reverse("factories:workplace-levels", args=[factory.workplace_id]),
    }


@pytest.mark.parametrize("page", ["list", "detail", "close", "complete", "levels"])
def test_anonymous_is_sent_to_sign_in(urls, anonymous, page):
    response = anonymous.browser().get(urls[page])
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("page", ["detail", "close", "complete", "levels"])
@pytest.mark.parametrize("persona", ["other_sme", "partner", "busan_officer", "evaluator"])
def test_outsiders_get_404(request, urls, page, persona):
    assert request.getfixturevalue(persona).browser().get(urls[page]).status_code == 404


@pytest.mark.parametrize(
    ("page", "persona", "expected"),
    [
        ("list", "official", 200),
        ("list", "sme_owner", 200),
        ("list", "auditor", 200),
        ("list", "finance_officer", 200),
        ("list", "partner", 200),
        ("list", "evaluator", 403),
        ("detail", "official", 200),
        ("detail", "sme_owner", 200),
        ("detail", "auditor", 200),
        ("detail", "finance_officer", 200),
        ("close", "official", 200),
        ("close", "regional_officer", 200),
        ("close", "sme_owner", 403),
        ("close", "auditor", 403),
        ("complete", "official", 200),
        ("complete", "regional_officer", 200),
        ("complete", "sme_owner", 403),
        ("complete", "auditor", 403),
        ("levels", "official", 200),
        ("levels", "sme_owner", 200),
        ("levels", "auditor", 200),
        ("levels", "finance_officer", 200),
    ],
)
def test_who_may_use_each_page(request, urls, page, persona, expected):
    assert request.getfixturevalue(persona).browser().get(urls[page]).status_code == expected


def test_the_register_shows_factories_and_totals(urls, factory, official):
    html = official.browser().get(urls["list"]).content.decode()
    assert f'id="factory-{factory.pk}"' in html
    assert 'id="total-counted">1<' in html
    assert 'id="total-active">1<' in html
    filtered = official.browser().get(urls["list"], {"origin": "self_built"}).content.decode()
    assert f'id="factory-{factory.pk}"' not in filtered


def test_the_application_page_leads_to_the_completion_form(sme_owner, official):
    app = in_final_inspection(sme_owner.workplace, official.user)
    html = official.browser().get(reverse("applications:detail", args=[app.pk])).content.decode()
    assert f'href="{reverse("factories:complete", args=[app.pk])}"' in html


def test_the_completion_form_completes_and_records(urls, official, sme_owner):
    client = official.browser()
    response = client.post(
        urls["complete"],
        {"completed_on": TODAY().isoformat(), "level": "L4", "confirming_body": "경기센터", "note": ""},
    )
    made = Factory.objects.latest("id")
    assert response.status_code == 302
    assert response["Location"] == reverse("factories:detail", args=[made.pk])
    assert made.application.status == ApplicationStatus.COMPLETED
    assert made.counted is False  # SME A's first factory already counts this year


def test_a_refused_completion_shows_the_error_and_changes_nothing(urls, official):
    before = register_state()
    response = official.browser().post(
        urls["complete"],
        {"completed_on": (TODAY() + dt.timedelta(days=3)).isoformat(), "level": "L4", "confirming_body": "x"},
    )
    assert response.status_code == 200
    assert "form-hint-invalid" in response.content.decode()
    assert register_state() == before


def test_the_level_form_records_a_confirmation(urls, regional_officer, factory):
    client = regional_officer.browser()
    html = client.get(urls["levels"]).content.decode()
    assert 'id="level-confirmation-form"' in html
    response = client.post(
        urls["levels"],
        {"level": "L5", "confirmed_on": TODAY().isoformat(), "confirming_body": "한국생산성본부"},
    )
    assert response.status_code == 302
    assert LevelConfirmation.objects.filter(workplace=factory.workplace).count() == 2
    detail = client.get(reverse("factories:detail", args=[factory.pk])).content.decode()
    assert 'id="factory-current-level">L5' in detail


def test_an_sme_sees_its_level_history_without_the_form(urls, sme_owner):
    html = sme_owner.browser().get(urls["levels"]).content.decode()
    assert 'id="level-history"' in html
    assert 'id="level-confirmation-form"' not in html
    before = register_state()
    assert sme_owner.browser().post(urls["levels"], {"level": "L5"}).status_code == 403
    assert register_state() == before


def test_the_closure_form_closes_the_factory(urls, official, factory):
    client = official.browser()
    response = client.post(urls["close"], {"closed_on": TODAY().isoformat(), "reason": "business_closed"})
    assert response.status_code == 302
    factory.refresh_from_db()
    assert factory.closed_on == TODAY()
    detail = client.get(urls["detail"]).content.decode()
    assert 'id="sunk-support"' in detail
    # A second visit to the form only says it is closed already.
    assert client.get(urls["close"])["Location"] == urls["detail"]


def test_a_refused_closure_shows_the_error(urls, official, factory):
    response = official.browser().post(urls["close"], {"closed_on": TODAY().isoformat(), "reason": "other"})
    assert response.status_code == 200
    assert "form-hint-invalid" in response.content.decode()
    factory.refresh_from_db()
    assert factory.closed_on is None
