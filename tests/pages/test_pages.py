"""Every page renders for the roles that use it, and pages refuse what the role may not see."""

from __future__ import annotations

import pytest
from django.urls import reverse

from applications.models import ApplicationStatus
from tests import flow


def test_login_page_and_redirect_for_anonymous(anonymous):
    client = anonymous.browser()
    assert client.get(reverse("login")).status_code == 200
    response = client.get(reverse("applications:list"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_home_sends_each_role_to_its_work(sme_owner, official, auditor, evaluator, partner, finance_officer):
    assert finance_officer.browser().get("/")["Location"] == reverse("funding:queue")
    assert sme_owner.browser().get("/")["Location"] == reverse("applications:list")
    assert official.browser().get("/")["Location"] == reverse("kpi:dashboard")
    assert auditor.browser().get("/")["Location"] == reverse("kpi:dashboard")
    assert evaluator.browser().get("/")["Location"] == reverse("applications:assignment-list")
    assert partner.browser().get("/")["Location"] == reverse("portfolio:portfolio")


def test_pages_are_korean_by_default_and_english_on_request(sme_owner):
    client = sme_owner.browser()
    korean = client.get(reverse("applications:list")).content.decode()
    assert '<html lang="ko">' in korean
    assert "나의 신청 현황" in korean
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    english = client.get(reverse("applications:list")).content.decode()
    assert '<html lang="en">' in english
    assert "My applications" in english


def test_sme_pages(sme_owner, draft, open_call):
    client = sme_owner.browser()
    for url in (
        reverse("applications:list"),
        reverse("companies:detail", args=[sme_owner.company.pk]),
        reverse("companies:edit", args=[sme_owner.company.pk]),
        reverse("companies:workplace-new", args=[sme_owner.company.pk]),
        reverse("programs:call-list"),
        reverse("programs:call-detail", args=[open_call.pk]),
        reverse("applications:new") + f"?call={open_call.pk}",
        reverse("applications:edit", args=[draft.pk, "plan"]),
        reverse("applications:edit", args=[draft.pk, "funding"]),
        reverse("applications:edit", args=[draft.pk, "review"]),
        reverse("applications:detail", args=[draft.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
    assert client.get(reverse("companies:mine"))["Location"] == reverse(
        "companies:detail", args=[sme_owner.company.pk]
    )


def test_other_sme_gets_404_for_foreign_pages(other_sme, draft, sme_owner):
    client = other_sme.browser()
    for url in (
        reverse("applications:detail", args=[draft.pk]),
        reverse("applications:edit", args=[draft.pk, "plan"]),
        reverse("companies:detail", args=[sme_owner.company.pk]),
        reverse("companies:edit", args=[sme_owner.company.pk]),
    ):
        assert client.get(url).status_code == 404, url
    before = draft.status
    assert client.post(reverse("applications:act", args=[draft.pk]), {"action": "submit"}).status_code == 404
    draft.refresh_from_db()
    assert draft.status == before


def test_multi_step_form_saves_each_step_and_submits(sme_owner, open_call, supplier_user):
    client = sme_owner.browser()
    response = client.post(
        reverse("applications:new") + f"?call={open_call.pk}",
        {
            "call": open_call.pk,
            "workplace": sme_owner.workplace.pk,
            "target_level": open_call.funding_rules.first().target_level_id,
        },
    )
    app = sme_owner.company.applications.get()
    assert response["Location"] == reverse("applications:edit", args=[app.pk, "plan"])
    response = client.post(
        reverse("applications:edit", args=[app.pk, "plan"]),
        {
            "title": "설비 모니터링 구축",
            "summary": "설비 가동률을 실시간으로 수집합니다.",
            "target_level": app.target_level_id,
            "current_level": "",
            "supplier": supplier_user.supplier.pk,
            "planned_start": "2026-12-01",
            "planned_end": "2027-05-31",
            "save_only": "1",
        },
    )
    app.refresh_from_db()
    assert app.title == "설비 모니터링 구축"
    assert app.status == ApplicationStatus.DRAFT
    # Amounts typed with thousands separators; a float-like amount is refused and nothing is saved.
    bad = client.post(
        reverse("applications:edit", args=[app.pk, "funding"]),
        {"total_cost_krw": "80,000,000.5", "gov_amount_krw": "32,000,000", "sme_amount_krw": "48,000,000"},
    )
    assert bad.status_code == 200
    app.refresh_from_db()
    assert app.total_cost_krw == 0
    client.post(
        reverse("applications:edit", args=[app.pk, "funding"]),
        {"total_cost_krw": "80,000,000", "gov_amount_krw": "32,000,000", "sme_amount_krw": "48,000,000"},
    )
    app.refresh_from_db()
    assert (app.total_cost_krw, app.gov_amount_krw, app.sme_amount_krw) == (
        80_000_000,
        32_000_000,
        48_000_000,
    )
    review = client.get(reverse("applications:edit", args=[app.pk, "review"])).content.decode()
    assert "현재 수준" in review  # the missing current level is named before submitting
    client.post(reverse("applications:act", args=[app.pk]), {"action": "submit"})
    app.refresh_from_db()
    assert app.status == ApplicationStatus.DRAFT  # refused: current level missing
    client.post(
        reverse("applications:edit", args=[app.pk, "plan"]),
        {
            "title": app.title,
            "summary": app.summary,
            "target_level": app.target_level_id,
            "current_level": "1",
            "supplier": supplier_user.supplier.pk,
            "planned_start": "2026-12-01",
            "planned_end": "2027-05-31",
        },
    )
    client.post(reverse("applications:act", args=[app.pk]), {"action": "submit"})
    app.refresh_from_db()
    assert app.status == ApplicationStatus.SUBMITTED


def test_funding_check_fragment_names_the_broken_rule(sme_owner, draft):
    response = sme_owner.browser().post(
        reverse("applications:funding-check", args=[draft.pk]),
        {"total_cost_krw": "80000000", "gov_amount_krw": "60000000", "sme_amount_krw": "20000000"},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "정부지원금" in body or "Government" in body
    assert "50%" in body


def test_official_pages(official, draft, sme_owner, evaluator, open_call):
    flow.to_evaluation(draft, sme_owner.user, official.user)
    client = official.browser()
    for url in (
        reverse("applications:list"),
        reverse("applications:list") + "?status=evaluation&region=gyeonggi&q=MES",
        reverse("applications:detail", args=[draft.pk]),
        reverse("programs:call-new"),
        reverse("programs:call-edit", args=[open_call.pk]),
        reverse("programs:funding-rule", args=[open_call.pk]),
        reverse("programs:rubric", args=[open_call.pk]),
        reverse("programs:target-list"),
        reverse("applications:selection", args=[open_call.pk]),
        reverse("companies:list"),
        reverse("companies:list") + "?q=에이정밀",
    ):
        assert client.get(url).status_code == 200, url
    detail = client.get(reverse("applications:detail", args=[draft.pk])).content.decode()
    assert "평가위원 배정" in detail


def test_official_assigns_then_evaluator_declares_and_scores_then_selection_preview(
    official, draft, sme_owner, evaluator, open_call
):
    flow.to_evaluation(draft, sme_owner.user, official.user)
    official.browser().post(reverse("applications:assign", args=[draft.pk]), {"evaluator": evaluator.user.pk})
    assignment = draft.assignments.get()
    client = evaluator.browser()
    # Before declaring, the evaluator sees who applied but not the plan.
    page = client.get(reverse("applications:assignment-detail", args=[assignment.pk])).content.decode()
    assert draft.summary not in page
    assert client.get(reverse("applications:detail", args=[draft.pk])).status_code == 404
    client.post(reverse("applications:assignment-detail", args=[assignment.pk]), {"has_conflict": "no"})
    page = client.get(reverse("applications:assignment-detail", args=[assignment.pk])).content.decode()
    assert draft.summary in page
    fields = {f"c{c.pk}": str(c.max_score * 0.9) for c in open_call.rubric.all()}
    client.post(
        reverse("applications:assignment-detail", args=[assignment.pk]), {**fields, "comment": "우수"}
    )
    draft.refresh_from_db()
    assert draft.evaluation_score == 90
    preview = official.browser().post(
        reverse("applications:selection", args=[open_call.pk]),
        {"top_n": "5", "preview": "1"},
        HTTP_HX_REQUEST="true",
    )
    body = preview.content.decode()
    assert draft.number in body
    assert "fingerprint" in body
    draft.refresh_from_db()
    assert draft.status == ApplicationStatus.EVALUATION  # a preview changes nothing


def test_sme_cannot_reach_official_pages(sme_owner, open_call):
    client = sme_owner.browser()
    assert client.get(reverse("programs:call-new")).status_code == 403
    assert client.get(reverse("applications:selection", args=[open_call.pk])).status_code == 403
    assert client.get(reverse("companies:list")).status_code == 200  # scoped to their own company
    assert client.post(reverse("programs:call-publish", args=[open_call.pk])).status_code == 403


@pytest.mark.parametrize("language", ["ko-kr", "en"])
def test_new_user_registers_company(db, language):
    from tests import factories as f

    user = f.UserFactory(username="newcomer")
    client = __import__("django.test", fromlist=["Client"]).Client()
    client.force_login(user)
    client.post(reverse("set_language"), {"language": language, "next": "/"})
    assert client.get("/").status_code == 200
    response = client.post(
        reverse("companies:register"),
        {
            "brn": "123-45-67890",
            "name_ko": "(주)새공장",
            "representative": "김대표",
            "size_class": f.size("small").pk,
            "ksic": f.ksic("25").pk,
            "founded_on": "2015-01-01",
            "employees": "12",
            "revenue_krw": "3,000,000,000",
        },
    )
    assert response.status_code == 200  # wrong check digit: shown on the form, nothing saved
    assert not user.memberships.exists()
    response = client.post(
        reverse("companies:register"),
        {
            "brn": "123-45-67891",
            "name_ko": "(주)새공장",
            "representative": "김대표",
            "size_class": f.size("small").pk,
            "ksic": f.ksic("25").pk,
            "founded_on": "2015-01-01",
            "employees": "12",
            "revenue_krw": "3,000,000,000",
        },
    )
    assert response.status_code == 302
    assert user.memberships.get().role == "sme"


def test_ids_and_years_are_never_written_with_thousands_separators(sme_owner):
    """Korean number formatting groups digits; ids in links and hidden fields must stay plain."""
    from tests import factories as f

    call = f.CallFactory(pk=12345, fiscal_year=2026, round=7)
    detail = sme_owner.browser().get(reverse("programs:call-detail", args=[call.pk])).content.decode()
    assert "?call=12345" in detail
    assert "12,345" not in detail
    assert "2,026" not in detail
    listing = sme_owner.browser().get(reverse("programs:call-list")).content.decode()
    assert "2026-7" in listing
    assert "2,026" not in listing
    start = sme_owner.browser().get(reverse("applications:new") + "?call=12345").content.decode()
    assert 'name="call" value="12345"' in start


def test_the_call_page_leads_officials_to_its_outcome_schedule(official, sme_owner, open_call):
    url = reverse("programs:call-detail", args=[open_call.pk])
    schedule = reverse("outcomes:schedule", args=[open_call.pk])
    assert f'href="{schedule}"' in official.browser().get(url).content.decode()
    assert f'href="{schedule}"' not in sme_owner.browser().get(url).content.decode()
