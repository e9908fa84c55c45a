"""The whole path in a real browser: an SME applies, an official screens and assigns an evaluator, the
evaluator declares no conflict and scores, the official selects, and the SME sees '선정'."""

from __future__ import annotations

import re

from applications.models import Application, ApplicationStatus
from tests.browser.conftest import login


def _act(page, action: str) -> None:  # type: ignore[no-untyped-def]
    page.click(f"form:has(input[name=action][value={action}]) button")
    page.wait_for_load_state("networkidle")


def test_sme_applies_official_selects_sme_sees_selected(
    new_page, sme_owner, official, evaluator, open_call, supplier_user
):
    # 1. The SME applies through the multi-step form.
    sme = new_page()
    login(sme, sme_owner.user.username)
    sme.goto("/applications/")
    sme.click(f"a[href='/applications/new/?call={open_call.pk}']")
    sme.select_option("#id_workplace", str(sme_owner.workplace.pk))
    sme.click("button[type=submit]")
    sme.wait_for_url(re.compile(r"/edit/plan/$"))
    sme.fill("#id_title", "MES 기반 생산관리 고도화")
    sme.fill("#id_summary", "작업지시와 실적을 MES로 관리하고 설비 데이터를 실시간으로 수집합니다.")
    sme.select_option("#id_current_level", index=1)  # Level 1
    sme.select_option("#id_supplier", str(supplier_user.supplier.pk))
    sme.fill("#id_planned_start", "2026-12-01")
    sme.fill("#id_planned_end", "2027-06-30")
    sme.click("button[type=submit]:not([name])")
    sme.wait_for_url(re.compile(r"/edit/funding/$"))
    sme.fill("#id_total_cost_krw", "80,000,000")
    sme.fill("#id_gov_amount_krw", "32,000,000")
    sme.fill("#id_sme_amount_krw", "48,000,000")
    sme.wait_for_selector("#funding-check .bg-light-success")  # the live rule check agrees
    sme.click("button[type=submit]:not([name])")
    sme.wait_for_url(re.compile(r"/edit/review/$"))
    sme.click("form:has(input[name=action][value=submit]) button")
    sme.wait_for_url(re.compile(r"/applications/\d+/$"))
    app = Application.objects.get(company=sme_owner.company)
    assert app.status == ApplicationStatus.SUBMITTED

    # 2. The official screens the application and assigns an evaluator.
    office = new_page()
    login(office, official.user.username)
    office.goto(f"/applications/{app.pk}/")
    _act(office, "start_screening")
    _act(office, "pass_screening")
    office.select_option("#id_evaluator", str(evaluator.user.pk))
    office.click(f"form[action='/applications/{app.pk}/assign/'] button")
    office.wait_for_load_state("networkidle")
    assert app.assignments.count() == 1

    # 3. The evaluator declares no conflict of interest, then scores every criterion.
    judge = new_page()
    login(judge, evaluator.user.username)
    judge.goto("/evaluations/")
    judge.click("table a.krds-btn")
    judge.click("label[for=id_has_conflict_0]")  # KRDS draws the radio under its label
    judge.click("button[type=submit]")
    judge.wait_for_selector("input[type=number][name^=c]")
    for criterion in open_call.rubric.all():
        judge.fill(f"#id_c{criterion.pk}", str(criterion.max_score - 1))
    judge.fill("#id_comment", "계획이 구체적임")
    judge.click("button[type=submit]")
    judge.wait_for_url(re.compile(r"/evaluations/$"))
    app.refresh_from_db()
    assert app.evaluation_score == 90

    # 4. The official selects it.
    office.goto(f"/applications/{app.pk}/")
    _act(office, "select")
    app.refresh_from_db()
    assert app.status == ApplicationStatus.SELECTED

    # 5. The SME sees '선정' on its list and on the application.
    sme.goto("/applications/")
    assert "선정" in sme.inner_text(f"tr:has(a[href='/applications/{app.pk}/']) .krds-badge")
    sme.goto(f"/applications/{app.pk}/")
    assert "선정" in sme.inner_text("#application-status")
    history = sme.inner_text(".app-timeline")
    assert history.count("\n") >= 4  # created, submitted, screening, evaluation, selected
