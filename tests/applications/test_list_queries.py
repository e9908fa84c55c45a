"""List endpoints run the same number of queries whatever the page size (no N+1)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from applications.models import ApplicationStatus
from core.models import User
from tests import factories as f
from tests import flow

ROWS = 6


def count_queries(user: User, url: str, page_size: int) -> int:
    client = APIClient()
    # A fresh user object per request, as in production: nothing cached from an earlier request.
    client.force_authenticate(User.objects.get(pk=user.pk))
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, {"page_size": page_size})
    assert response.status_code == 200
    assert len(response.json()["results"]) == min(page_size, ROWS)
    return len(ctx.captured_queries)


@pytest.fixture
def many(sme_owner, official, evaluator):
    """ROWS applications of SME A's workplaces in different calls, each scored by the evaluator, and
    ROWS other companies with a workplace in Gyeonggi."""
    for i in range(ROWS):
        workplace = sme_owner.workplace if i == 0 else f.WorkplaceFactory(company=sme_owner.company)
        app = f.ApplicationFactory(
            call=f.CallFactory(fiscal_year=2026),
            workplace=workplace,
            status=ApplicationStatus.EVALUATION,
            submitted_at=timezone.now(),
        )
        flow.score(app, official.user, evaluator.user, Decimal("0.8"))
    for _ in range(ROWS - 1):
        f.WorkplaceFactory()


@pytest.mark.parametrize(
    ("url", "persona"),
    [
        ("/api/v1/applications/", "official"),
        ("/api/v1/applications/", "sme_owner"),
        ("/api/v1/applications/", "regional_officer"),
        ("/api/v1/applications/", "evaluator"),
        ("/api/v1/companies/", "official"),
        ("/api/v1/companies/", "regional_officer"),
        ("/api/v1/calls/", "official"),
        ("/api/v1/calls/", "sme_owner"),
        ("/api/v1/assignments/", "official"),
        ("/api/v1/assignments/", "evaluator"),
    ],
)
def test_query_count_does_not_grow_with_the_page(request, many, url, persona):
    user = request.getfixturevalue(persona).user
    assert count_queries(user, url, 1) == count_queries(user, url, ROWS)


def test_applicants_cannot_order_their_list_by_the_hidden_score(sme_owner, official, draft):
    response = sme_owner.api().get("/api/v1/applications/?ordering=-score")
    assert response.status_code == 400
    assert "ordering" in response.json()["fields"]
    assert official.api().get("/api/v1/applications/?ordering=-score").status_code == 200


@pytest.mark.parametrize(
    "query",
    ["스마트", "스마", "smart", "SMART", "mes", "(주)에이정밀", "에이", "에이정밀", "BRN", "NUMBER", "a.b"],
)
def test_search_finds_by_title_company_registration_or_number(
    official, sme_owner, other_sme, open_call, query
):
    from tests import factories as f

    mine = f.ApplicationFactory(
        call=open_call,
        workplace=sme_owner.workplace,
        title="Smart MES 스마트 구축 a.b",
        status=ApplicationStatus.SUBMITTED,
    )
    f.ApplicationFactory(
        call=open_call,
        workplace=other_sme.workplace,
        title="설비 보전 시스템",
        status=ApplicationStatus.SUBMITTED,
    )
    text = {"BRN": mine.company.brn_display[:6], "NUMBER": mine.number}.get(query, query)
    response = official.api().get("/api/v1/applications/", {"q": text})
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [mine.pk]
