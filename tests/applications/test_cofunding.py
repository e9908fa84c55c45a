"""Co-funded (win-win) applications: the agreement, the match, the partner's confirmation within its
pledge, and the pledge given back when a project does not go ahead."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection
from django.urls import reverse

from applications import services as s
from applications.models import Application, ApplicationStatus
from core.errors import Conflict, IllegalTransition, PermissionDenied, ValidationFailed
from core.models import User
from core.roles import Role
from partners.models import MatchStatus, WinWinAgreement
from programs.models import ProgramType
from tests import factories as f
from tests import flow
from tests.applications.support import db_state
from tests.conftest import Persona

S = ApplicationStatus
M = 1_000_000


def winwin_draft(workplace, program_type=ProgramType.WINWIN_TYPE1, **amounts) -> Application:
    """A 100-million-won type-1 draft: 30 % government, 30 % partner, 40 % own."""
    values = {
        "total_cost_krw": 100 * M,
        "gov_amount_krw": 30 * M,
        "partner_amount_krw": 30 * M,
        "sme_amount_krw": 40 * M,
    }
    return f.ApplicationFactory(
        call=f.CallFactory(fiscal_year=2026, program_type=program_type),
        workplace=workplace,
        **(values | amounts),
    )


def committed(agreement: WinWinAgreement) -> int:
    return WinWinAgreement.objects.values_list("committed_krw", flat=True).get(pk=agreement.pk)


def refusal_code(app: Application, user: User) -> str:
    with pytest.raises(ValidationFailed) as exc:
        s.application_submit(application=app, actor=user)
    return exc.value.code


# --- submission checks ----------------------------------------------------------------------------


def test_cofunded_application_submits_after_the_partner_confirms(sme_owner):
    app = winwin_draft(sme_owner.workplace)
    flow.cofund(app)
    assert committed(app.partner_agreement) == 30 * M
    s.application_submit(application=app, actor=sme_owner.user)
    assert Application.objects.get(pk=app.pk).status == S.SUBMITTED


def test_winwin_application_needs_a_partner_agreement(sme_owner):
    assert refusal_code(winwin_draft(sme_owner.workplace), sme_owner.user) == "partner_agreement_missing"


def test_agreement_without_an_accepted_match_is_refused(sme_owner):
    app = winwin_draft(sme_owner.workplace)
    agreement = f.AgreementFactory()
    f.MatchFactory(agreement=agreement, company=app.company, status=MatchStatus.PROPOSED)
    Application.objects.filter(pk=app.pk).update(partner_agreement=agreement)
    app.refresh_from_db()
    with pytest.raises(ValidationFailed) as exc:
        s.application_submit(application=app, actor=sme_owner.user)
    assert "partner_agreement" in exc.value.fields
    assert exc.value.code == "submission_checks_failed"  # not matched and not confirmed


def test_unconfirmed_share_is_refused(sme_owner):
    app = winwin_draft(sme_owner.workplace)
    agreement = f.AgreementFactory()
    f.MatchFactory(agreement=agreement, company=app.company)
    s.application_update_draft(application=app, actor=sme_owner.user, partner_agreement=agreement)
    assert refusal_code(app, sme_owner.user) == "partner_share_not_confirmed"


def test_changing_the_amount_releases_the_confirmation(sme_owner):
    app = winwin_draft(sme_owner.workplace)
    flow.cofund(app)
    agreement = app.partner_agreement
    s.application_update_draft(
        application=app, actor=sme_owner.user, partner_amount_krw=35 * M, sme_amount_krw=35 * M
    )
    app.refresh_from_db()
    assert app.partner_confirmed_krw is None
    assert committed(agreement) == 0
    assert refusal_code(app, sme_owner.user) == "partner_share_not_confirmed"


def test_government_only_call_refuses_a_partner(sme_owner):
    app = f.ApplicationFactory(call=f.CallFactory(fiscal_year=2026), workplace=sme_owner.workplace)
    Application.objects.filter(pk=app.pk).update(partner_agreement=f.AgreementFactory())
    app.refresh_from_db()
    assert refusal_code(app, sme_owner.user) == "partner_not_in_program"


@pytest.mark.parametrize(
    ("program_type", "amounts", "code", "field"),
    [
        # type 1: partner at least 30 % (with gov <= 30 % the SME then exceeds 40 %: two rules broken)
        (
            ProgramType.WINWIN_TYPE1,
            {"partner_amount_krw": 25 * M, "sme_amount_krw": 45 * M},
            "submission_checks_failed",
            "partner_amount_krw",
        ),
        # type 1: SME at most 40 %
        (
            ProgramType.WINWIN_TYPE1,
            {"gov_amount_krw": 20 * M, "partner_amount_krw": 30 * M, "sme_amount_krw": 50 * M},
            "sme_share_exceeded",
            "sme_amount_krw",
        ),
        # type 2: government and partner half each (within a 20-million-won total)
        (
            ProgramType.WINWIN_TYPE2,
            {
                "total_cost_krw": 20 * M,
                "gov_amount_krw": 8 * M,
                "partner_amount_krw": 12 * M,
                "sme_amount_krw": 0,
            },
            "submission_checks_failed",  # gov below and partner above half
            "gov_amount_krw",
        ),
        # partner track: government + partner at most 60 %
        (
            ProgramType.PARTNER_TRACK,
            {"gov_amount_krw": 30 * M, "partner_amount_krw": 35 * M, "sme_amount_krw": 35 * M},
            "combined_support_exceeded",
            "partner_amount_krw",
        ),
    ],
)
def test_share_rules_of_each_program_type(sme_owner, program_type, amounts, code, field):
    app = winwin_draft(sme_owner.workplace, program_type=program_type, **amounts)
    flow.cofund(app)
    with pytest.raises(ValidationFailed) as exc:
        s.application_submit(application=app, actor=sme_owner.user)
    assert exc.value.code == code
    assert field in exc.value.fields
    assert Application.objects.get(pk=app.pk).status == S.DRAFT


# --- confirmation within the pledge ---------------------------------------------------------------


def test_confirmation_beyond_the_pledge_is_refused_and_changes_nothing(sme_owner):
    agreement = f.AgreementFactory(pledged_krw=100 * M)
    WinWinAgreement.objects.filter(pk=agreement.pk).update(committed_krw=80 * M)
    app = winwin_draft(sme_owner.workplace)
    f.MatchFactory(agreement=agreement, company=app.company)
    s.application_update_draft(application=app, actor=sme_owner.user, partner_agreement=agreement)
    partner_user = f.UserFactory()
    f.member(partner_user, agreement.consortium.partner, Role.PARTNER)
    before = db_state()
    with pytest.raises(Conflict) as exc:
        s.application_partner_confirm(application=app, actor=partner_user)
    assert exc.value.code == "pledge_exceeded"
    assert "20,000,000" in str(exc.value.message)  # what is left of the pledge
    assert committed(agreement) == 80 * M
    assert db_state() == before


def test_confirming_the_same_amount_twice_commits_once(sme_owner):
    app = winwin_draft(sme_owner.workplace)
    partner_user = flow.cofund(app)
    s.application_partner_confirm(application=app, actor=partner_user)
    assert committed(app.partner_agreement) == 30 * M


def test_only_the_cofunding_partner_confirms(sme_owner, other_partner):
    app = winwin_draft(sme_owner.workplace)
    agreement = f.AgreementFactory()
    f.MatchFactory(agreement=agreement, company=app.company)
    s.application_update_draft(application=app, actor=sme_owner.user, partner_agreement=agreement)
    for actor in (sme_owner.user, other_partner.user):
        with pytest.raises(PermissionDenied):
            s.application_partner_confirm(application=app, actor=actor)
    assert committed(agreement) == 0


def test_no_confirmation_after_submission(sme_owner):
    app = winwin_draft(sme_owner.workplace)
    partner_user = flow.cofund(app)
    s.application_submit(application=app, actor=sme_owner.user)
    with pytest.raises(IllegalTransition):
        s.application_partner_unconfirm(application=app, actor=partner_user)
    assert committed(app.partner_agreement) == 30 * M


def test_partner_withdraws_its_confirmation(sme_owner):
    app = winwin_draft(sme_owner.workplace)
    partner_user = flow.cofund(app)
    s.application_partner_unconfirm(application=app, actor=partner_user)
    assert committed(app.partner_agreement) == 0
    with pytest.raises(Conflict):
        s.application_partner_unconfirm(application=app, actor=partner_user)


@pytest.mark.parametrize(
    ("steps", "target"),
    [
        (["withdraw"], S.WITHDRAWN),
        (["start_screening", "fail_screening"], S.REJECTED),
    ],
)
def test_a_project_that_does_not_go_ahead_gives_the_share_back(sme_owner, official, steps, target):
    app = winwin_draft(sme_owner.workplace)
    flow.cofund(app)
    s.application_submit(application=app, actor=sme_owner.user)
    for action in steps:
        actor = sme_owner.user if action == "withdraw" else official.user
        s.application_transition(application=app, actor=actor, action=action, note="요건 미충족")
    app.refresh_from_db()
    assert app.status == target
    assert app.partner_confirmed_krw is None
    assert committed(app.partner_agreement) == 0


# --- visibility and conflicts of interest --------------------------------------------------------


def test_partner_sees_the_drafts_it_cofunds_and_institution_only_submitted_ones(sme_owner, partner):
    consortium = f.ConsortiumFactory(partner=partner.organisation)
    agreement = f.AgreementFactory(consortium=consortium)
    institution_user = f.UserFactory()
    f.member(institution_user, consortium.institution, Role.INSTITUTION)
    app = winwin_draft(sme_owner.workplace)
    f.MatchFactory(agreement=agreement, company=app.company)
    s.application_update_draft(application=app, actor=sme_owner.user, partner_agreement=agreement)
    assert partner.api().get(f"/api/v1/applications/{app.pk}/").status_code == 200
    institution = Persona(institution_user)
    assert institution.api().get(f"/api/v1/applications/{app.pk}/").status_code == 404
    response = partner.api().post(f"/api/v1/applications/{app.pk}/partner-confirm/")
    assert response.status_code == 200
    assert response.json()["partner_confirmed_krw"] == 30 * M
    s.application_submit(application=app, actor=sme_owner.user)
    assert institution.api().get(f"/api/v1/applications/{app.pk}/").status_code == 200


def test_another_partner_cannot_see_or_confirm(sme_owner, other_partner):
    app = winwin_draft(sme_owner.workplace)
    agreement = f.AgreementFactory()
    f.MatchFactory(agreement=agreement, company=app.company)
    s.application_update_draft(application=app, actor=sme_owner.user, partner_agreement=agreement)
    before = db_state()
    response = other_partner.api().post(f"/api/v1/applications/{app.pk}/partner-confirm/")
    assert response.status_code == 404
    assert db_state() == before


def test_evaluator_from_the_cofunding_partner_is_refused(sme_owner, official):
    app = winwin_draft(sme_owner.workplace)
    flow.cofund(app)
    flow.to_evaluation(app, sme_owner.user, official.user)
    insider = f.UserFactory()
    f.member(insider, app.partner_agreement.consortium.partner, Role.EVALUATOR)
    with pytest.raises(Conflict) as exc:
        s.evaluator_assign(application=app, actor=official.user, evaluator=insider)
    assert exc.value.code == "evaluator_conflict_of_interest"


def test_sme_chooses_only_agreements_it_is_matched_with(sme_owner):
    app = winwin_draft(sme_owner.workplace)
    unmatched = f.AgreementFactory()
    response = sme_owner.api().patch(
        f"/api/v1/applications/{app.pk}/update/", {"partner_agreement": unmatched.pk}, format="json"
    )
    assert response.status_code == 400
    assert "partner_agreement" in response.json()["fields"]
    assert Application.objects.get(pk=app.pk).partner_agreement_id is None


# --- pages ------------------------------------------------------------------------------------------


def test_funding_page_offers_the_matched_partner_and_the_partner_confirms_on_the_detail_page(sme_owner):
    app = winwin_draft(sme_owner.workplace)
    agreement = f.AgreementFactory()
    f.MatchFactory(agreement=agreement, company=app.company)
    page = sme_owner.browser().get(reverse("applications:edit", args=[app.pk, "funding"])).content.decode()
    assert f'<option value="{agreement.pk}"' in page
    sme_owner.browser().post(
        reverse("applications:edit", args=[app.pk, "funding"]),
        {
            "total_cost_krw": "100,000,000",
            "gov_amount_krw": "30,000,000",
            "partner_agreement": agreement.pk,
            "partner_amount_krw": "30,000,000",
            "sme_amount_krw": "40,000,000",
        },
    )
    app.refresh_from_db()
    assert app.partner_agreement_id == agreement.pk
    partner_user = f.UserFactory()
    f.member(partner_user, agreement.consortium.partner, Role.PARTNER)
    client = Persona(partner_user).browser()
    detail = client.get(reverse("applications:detail", args=[app.pk])).content.decode()
    assert 'value="partner_confirm"' in detail
    client.post(reverse("applications:act", args=[app.pk]), {"action": "partner_confirm"})
    assert Application.objects.get(pk=app.pk).partner_confirmed_krw == 30 * M


def test_government_only_funding_page_has_no_partner_fields(sme_owner, draft):
    page = sme_owner.browser().get(reverse("applications:edit", args=[draft.pk, "funding"])).content.decode()
    assert 'name="partner_agreement"' not in page
    assert 'name="partner_amount_krw"' not in page


# --- concurrent confirmations ---------------------------------------------------------------------


def race(*jobs: Callable[[], object]) -> list[object]:
    barrier = threading.Barrier(len(jobs))
    results: list[object] = [None] * len(jobs)

    def run(i: int, job: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=10)
            results[i] = job()
        except Exception as exc:  # inspected by the test
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


@pytest.mark.usefixtures("transactional_db")
def test_concurrent_confirmations_never_exceed_the_pledge():
    """A pledge of 100 million won; ten drafts asking 30 million each are confirmed at once: 3 fit."""
    agreement = f.AgreementFactory(pledged_krw=100 * M)
    partner_user = f.UserFactory()
    f.member(partner_user, agreement.consortium.partner, Role.PARTNER)
    drafts = []
    for _ in range(10):
        workplace = f.WorkplaceFactory()
        app = winwin_draft(workplace)
        f.MatchFactory(agreement=agreement, company=workplace.company)
        Application.objects.filter(pk=app.pk).update(partner_agreement=agreement)
        drafts.append(app.pk)

    def confirm(app_id: int):
        def job():
            actor = User.objects.get(pk=partner_user.pk)
            app = Application.objects.get(pk=app_id)
            return s.application_partner_confirm(application=app, actor=actor).partner_confirmed_krw

        return job

    results = race(*(confirm(pk) for pk in drafts))
    assert results.count(30 * M) == 3
    refused = [r for r in results if r != 30 * M]
    assert all(isinstance(r, Conflict) and r.code == "pledge_exceeded" for r in refused)
    assert committed(agreement) == 90 * M
    assert Application.objects.filter(partner_confirmed_krw__isnull=False).count() == 3


@pytest.mark.parametrize(
    "change",
    [{"status": "closed"}, {"fiscal_year": 2025}, {"tracks": [ProgramType.PARTNER_TRACK.value]}],
)
def test_no_confirmation_under_an_agreement_that_no_longer_fits_the_call(sme_owner, change):
    app = winwin_draft(sme_owner.workplace)
    agreement = f.AgreementFactory()
    f.MatchFactory(agreement=agreement, company=app.company)
    s.application_update_draft(application=app, actor=sme_owner.user, partner_agreement=agreement)
    WinWinAgreement.objects.filter(pk=agreement.pk).update(**change)
    partner_user = f.UserFactory()
    f.member(partner_user, agreement.consortium.partner, Role.PARTNER)
    with pytest.raises(Conflict) as exc:
        s.application_partner_confirm(application=app, actor=partner_user)
    assert exc.value.code == "partner_track_not_funded"
    assert committed(agreement) == 0
