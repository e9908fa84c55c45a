"""One access-log row (actor, UTC time, address, whose data, action) for each kind of view, search and
download of personal or business data, in pages and in the API; none for pages without such data; never
two for one request."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from core.identifiers import format_brn
from core.models import AccessAction, AccessLog
from tests import factories as f
from tests.access_log.conftest import World, last_id, new_rows

Kw = Callable[[World], dict[str, Any]]
FIRM = "firm"


def _firm(w: World) -> str:
    return w.firm_subject


# (persona, page or api, URL name, its kwargs, resource, personal data, whose data)
VIEWS: list[tuple[str, str, str, Kw, str, bool, str | Callable[[World], str]]] = [
    ("official", "page", "companies:detail", lambda w: {"company_id": w.company.pk}, "company", True, FIRM),
    ("sme_owner", "page", "companies:edit", lambda w: {"company_id": w.company.pk}, "company", True, FIRM),
    (
        "sme_owner",
        "page",
        "companies:workplace-edit",
        lambda w: {"workplace_id": w.workplace.pk},
        "workplace",
        False,
        FIRM,
    ),
    ("official", "api", "api-company-detail", lambda w: {"company_id": w.company.pk}, "company", True, FIRM),
    ("official", "api", "api-workplace-list", lambda w: {"company_id": w.company.pk}, "company", False, FIRM),
    (
        "official",
        "api",
        "api-workplace-detail",
        lambda w: {"workplace_id": w.workplace.pk},
        "workplace",
        False,
        FIRM,
    ),
    (
        "official",
        "api",
        "api-supplier-detail",
        lambda w: {"supplier_id": w.supplier.pk},
        "supplier",
        True,
        lambda w: f"{w.supplier.organisation.name_ko} ({format_brn(w.supplier.brn)})",
    ),
    (
        "official",
        "page",
        "applications:detail",
        lambda w: {"application_id": w.application.pk},
        "application",
        False,
        FIRM,
    ),
    (
        "official",
        "api",
        "api-application-detail",
        lambda w: {"application_id": w.application.pk},
        "application",
        False,
        FIRM,
    ),
    (
        "official",
        "api",
        "api-application-history",
        lambda w: {"application_id": w.application.pk},
        "application",
        False,
        FIRM,
    ),
    (
        "official",
        "api",
        "api-application-assignments",
        lambda w: {"application_id": w.application.pk},
        "application",
        True,
        FIRM,
    ),
    (
        "other_evaluator",
        "page",
        "applications:assignment-detail",
        lambda w: {"assignment_id": w.assignment.pk},
        "assignment",
        False,
        FIRM,
    ),
    (
        "other_evaluator",
        "api",
        "api-assignment-detail",
        lambda w: {"assignment_id": w.assignment.pk},
        "assignment",
        False,
        FIRM,
    ),
    (
        "official",
        "page",
        "applications:selection",
        lambda w: {"call_id": w.call.pk},
        "selection",
        False,
        lambda w: w.call.title_ko,
    ),
    (
        "official",
        "page",
        "funding:agreement",
        lambda w: {"agreement_id": w.agreement.pk},
        "agreement",
        False,
        FIRM,
    ),
    (
        "official",
        "api",
        "api-agreement-detail",
        lambda w: {"agreement_id": w.agreement.pk},
        "agreement",
        False,
        FIRM,
    ),
    (
        "sme_owner",
        "page",
        "agreements:change-request-new",
        lambda w: {"agreement_id": w.agreement.pk},
        "agreement",
        False,
        FIRM,
    ),
    (
        "official",
        "api",
        "api-disbursement-detail",
        lambda w: {"request_id": w.disbursement.pk},
        "disbursement",
        False,
        FIRM,
    ),
    ("official", "page", "factories:detail", lambda w: {"factory_id": w.factory.pk}, "factory", False, FIRM),
    ("official", "api", "api-factory-detail", lambda w: {"factory_id": w.factory.pk}, "factory", False, FIRM),
    (
        "official",
        "page",
        "factories:workplace-levels",
        lambda w: {"workplace_id": w.workplace.pk},
        "workplace_levels",
        False,
        FIRM,
    ),
    (
        "official",
        "api",
        "api-workplace-level-history",
        lambda w: {"workplace_id": w.workplace.pk},
        "workplace_levels",
        False,
        FIRM,
    ),
    (
        "official",
        "page",
        "outcomes:detail",
        lambda w: {"report_id": w.report.pk},
        "outcome_report",
        False,
        FIRM,
    ),
    (
        "official",
        "api",
        "api-outcome-report-detail",
        lambda w: {"report_id": w.report.pk},
        "outcome_report",
        False,
        FIRM,
    ),
    ("official", "page", "partners:match-detail", lambda w: {"match_id": w.match.pk}, "match", True, FIRM),
    ("official", "api", "api-match-detail", lambda w: {"match_id": w.match.pk}, "match", True, FIRM),
    (
        "partner",
        "page",
        "partners:mentor-edit",
        lambda w: {"mentor_id": w.mentor.pk},
        "mentor",
        True,
        lambda w: "김멘토 · 삼성전자",
    ),
    (
        "official",
        "page",
        "partners:agreement-detail",
        lambda w: {"agreement_id": w.winwin.pk},
        "winwin_agreement",
        False,
        lambda w: f"{w.consortium.partner.name_ko} · {w.consortium.institution.name_ko}",
    ),
    (
        "official",
        "api",
        "api-consortium-detail",
        lambda w: {"consortium_id": w.consortium.pk},
        "consortium",
        False,
        lambda w: f"{w.consortium.partner.name_ko} · {w.consortium.institution.name_ko}",
    ),
    (
        "official",
        "page",
        "complexes:detail",
        lambda w: {"complex_id": w.complex.pk},
        "complex",
        False,
        lambda w: "반월국가산업단지",
    ),
]

# Lists of personal data, or pages that always show business records: a view row without any filter.
LISTS: list[tuple[str, str, str, str, bool]] = [
    ("official", "api", "api-company-list", "companies", True),
    ("official", "api", "api-supplier-list", "suppliers", True),
    ("partner", "page", "partners:mentor-list", "mentors", True),
    ("official", "api", "api-mentor-list", "mentors", True),
    ("official", "api", "api-activity-list", "mentoring_activities", True),
    ("finance_officer", "page", "funding:ledger", "ledger", False),
    ("official", "api", "api-ledger-list", "ledger", False),
    ("finance_officer", "page", "funding:queue", "disbursements", False),
]

# Pages without personal or business data: no row.
QUIET: list[tuple[str, str, str]] = [
    ("official", "page", "programs:call-list"),
    ("official", "page", "companies:list"),  # without a search term
    ("official", "page", "applications:list"),
    ("official", "api", "api-regions"),
    ("official", "api", "api-me"),
    ("official", "page", "training:cohort-list"),
]


def _client(persona: Any, kind: str) -> Any:
    return persona.api() if kind == "api" else persona.browser()


def _check_row(row: AccessLog, persona: Any) -> None:
    assert row.actor_id == persona.user.pk
    assert row.username == persona.user.username
    assert row.ip == "127.0.0.1"
    # Stored and read back in UTC.
    assert row.at.utcoffset() == dt.timedelta(0)
    assert abs((row.at - dt.datetime.now(dt.UTC)).total_seconds()) < 60


@pytest.mark.parametrize(
    ("persona_name", "kind", "url_name", "kwargs", "resource", "personal", "subject"),
    VIEWS,
    ids=[f"{v[1]}:{v[2]}" for v in VIEWS],
)
def test_a_view_of_one_record_is_one_row(
    request, db, world, persona_name, kind, url_name, kwargs, resource, personal, subject
):
    persona = request.getfixturevalue(persona_name)
    since = last_id()
    response = _client(persona, kind).get(reverse(url_name, kwargs=kwargs(world)))
    assert response.status_code == 200, response.content[:300]
    rows = new_rows(since)
    assert len(rows) == 1, [(r.resource, r.action) for r in rows]
    row = rows[0]
    _check_row(row, persona)
    assert row.action == AccessAction.VIEW
    assert row.resource == resource
    assert row.personal_data is personal
    assert row.object_ref == str(next(iter(kwargs(world).values())))
    expected = world.firm_subject if subject == FIRM else subject(world)
    assert row.subject == expected
    assert row.detail["view"] == url_name


@pytest.mark.parametrize(
    ("persona_name", "kind", "url_name", "resource", "personal"), LISTS, ids=[f"{v[1]}:{v[2]}" for v in LISTS]
)
def test_a_list_of_personal_data_is_one_row(
    request, db, world, persona_name, kind, url_name, resource, personal
):
    persona = request.getfixturevalue(persona_name)
    since = last_id()
    response = _client(persona, kind).get(reverse(url_name))
    assert response.status_code == 200
    [row] = new_rows(since)
    _check_row(row, persona)
    assert (row.action, row.resource, row.subject, row.personal_data) == (
        AccessAction.VIEW,
        resource,
        "list",
        personal,
    )


@pytest.mark.parametrize(("persona_name", "kind", "url_name"), QUIET, ids=[f"{v[1]}:{v[2]}" for v in QUIET])
def test_pages_without_such_data_write_no_row(request, db, world, persona_name, kind, url_name):
    persona = request.getfixturevalue(persona_name)
    since = last_id()
    assert _client(persona, kind).get(reverse(url_name)).status_code == 200
    assert new_rows(since) == []


def test_a_search_by_name_is_a_search_row_with_the_term(db, world, official):
    since = last_id()
    response = official.browser().get(reverse("companies:list"), {"q": "에이정밀", "page": "1"})
    assert response.status_code == 200
    [row] = new_rows(since)
    _check_row(row, official)
    assert (row.action, row.resource, row.subject) == (AccessAction.SEARCH, "companies", "list")
    # The term is kept (the log is protected); paging is not a filter.
    assert row.detail["filters"] == {"q": "에이정밀"}


def test_an_api_filter_is_a_search_row(db, world, official):
    since = last_id()
    response = official.api().get(reverse("api-application-list"), {"status": "agreed"})
    assert response.status_code == 200
    [row] = new_rows(since)
    assert (row.action, row.resource, row.detail["filters"]) == (
        AccessAction.SEARCH,
        "applications",
        {"status": "agreed"},
    )


@pytest.mark.parametrize(
    ("proxies", "expected"),
    [(0, "10.1.2.3"), (1, "203.0.113.7"), (2, "198.51.100.9")],
)
def test_the_address_is_the_clients_behind_the_trusted_proxies(
    db, world, official, settings, proxies, expected
):
    """Behind N trusted proxies the client is the N-th address from the right of X-Forwarded-For, the same
    address the sign-in lockout uses; with none the header (which anyone can send) is ignored."""
    settings.AXES_IPWARE_PROXY_COUNT = proxies
    since = last_id()
    response = official.api().get(
        reverse("api-company-detail", args=[world.company.pk]),
        REMOTE_ADDR="10.1.2.3",
        HTTP_X_FORWARDED_FOR="198.51.100.9, 203.0.113.7",
    )
    assert response.status_code == 200
    [row] = new_rows(since)
    assert row.ip == expected


def test_a_refused_or_failed_view_writes_no_access_row(db, world, other_sme):
    since = last_id()
    assert other_sme.browser().get(reverse("companies:detail", args=[world.company.pk])).status_code == 404
    assert other_sme.api().get(reverse("api-company-detail", args=[world.company.pk])).status_code == 404
    assert new_rows(since) == []


def test_writes_are_not_read_logs(db, world, sme_owner):
    """A POST changes data (audited by pghistory); it is not logged as a read."""
    since = last_id()
    response = sme_owner.browser().post(
        reverse("companies:workplace-edit", args=[world.workplace.pk]), {"name": "제2공장"}
    )
    assert response.status_code in (200, 302)
    assert new_rows(since) == []


def test_admin_user_pages_are_personal_views(db, world, official):
    admin = f.UserFactory(username="root", is_staff=True, is_superuser=True)
    client = type(official)(admin).browser()
    since = last_id()
    assert client.get(reverse("admin:core_user_change", args=[official.user.pk])).status_code == 200
    assert client.get(reverse("admin:core_user_changelist"), {"q": "official"}).status_code == 200
    change, search = new_rows(since)
    assert (change.action, change.resource, change.object_ref, change.personal_data) == (
        AccessAction.VIEW,
        "user",
        str(official.user.pk),
        True,
    )
    assert change.subject.startswith("official")
    assert (search.action, search.resource, search.detail["filters"]) == (
        AccessAction.SEARCH,
        "users",
        {"q": "official"},
    )


def test_a_view_that_logs_itself_is_not_logged_twice(db, world, auditor):
    """The review download logs itself (with its reason); the middleware then adds nothing."""
    since = last_id()
    response = auditor.browser().get(
        reverse("audit:access-review"), {"month": "2026-10", "format": "xlsx", "reason": "월간 점검"}
    )
    assert response.status_code == 200
    [row] = new_rows(since)
    assert (row.action, row.reason, row.personal_data) == (AccessAction.DOWNLOAD, "월간 점검", True)


def test_a_download_is_a_download_row(db, sme_owner, other_sme, partner, other_partner, official):
    """Any attachment answered to a GET is logged as a download: here a KPI chart's .xlsx."""
    from tests.kpi_dashboards.conftest import build_world

    build_world(sme_owner, other_sme, partner, other_partner, official)
    since = last_id()
    response = official.browser().get(reverse("kpi:export", args=["deployments_by_region"]), {"year": "2025"})
    assert response.status_code == 200
    [row] = new_rows(since)
    _check_row(row, official)
    assert (row.action, row.resource, row.subject, row.personal_data) == (
        AccessAction.DOWNLOAD,
        "kpi_chart",
        "list",
        False,
    )
    assert row.detail["filters"] == {"year": "2025"}
