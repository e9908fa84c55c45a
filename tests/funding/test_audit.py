"""The audit trail of money (reliability A3 audit, A6 #23): database triggers (django-pghistory) write an
event for every changed row of AgreementFunding, DisbursementRequest, ProjectAgreement and
ChangeRequest, however the row was written.

- Through a service: the event's context names the acting user and the service.
- Through the API: the same, plus the URL.
- Through a bulk `.update()` or raw SQL (which skip every service): the event is still there, exactly one
  per changed row, with no user — which is itself the finding an auditor needs.
- Outside any request (a management command, a Celery task): the service's `actor=` still reaches the
  event.
"""

from __future__ import annotations

import pghistory
import pytest
from django.db import connection
from django.db.models import F, Max
from django.utils import timezone

from applications import agreements as ag
from applications.models import AgreementFunding, ChangeRequest, FundingSource, ProjectAgreement
from funding import services as fs
from funding.models import DisbursementRequest
from tests.funding.conftest import SME, G, M, approved, new_key, paid, requested

FUNDING_EVENTS = AgreementFunding.events.field.model
REQUEST_EVENTS = DisbursementRequest.events.field.model
AGREEMENT_EVENTS = ProjectAgreement.events.field.model
CHANGE_EVENTS = ChangeRequest.events.field.model
EVENTS = (FUNDING_EVENTS, REQUEST_EVENTS, AGREEMENT_EVENTS, CHANGE_EVENTS)


def last_event(model, **filters):
    return model.objects.filter(**filters).select_related("pgh_context").order_by("pgh_id").last()


def metadata(event) -> dict | None:
    return event.pgh_context.metadata if event.pgh_context_id else None


def count(model, **filters) -> int:
    return model.objects.filter(**filters).count()


# --- services -------------------------------------------------------------------------------------------


def test_signing_records_the_agreement_and_its_funding_with_the_official(agreement, official):
    event = last_event(AGREEMENT_EVENTS, pgh_obj_id=agreement.pk)
    assert (event.pgh_label, event.account_number) == ("insert", agreement.account_number)
    assert metadata(event)["user"] == official.user.pk
    assert metadata(event)["service"] == "agreement_sign"
    funding = FUNDING_EVENTS.objects.filter(agreement_id=agreement.pk, pgh_label="insert")
    assert sorted(funding.values_list("source", flat=True)) == sorted(FundingSource.values)
    assert {e.pgh_context.metadata["user"] for e in funding.select_related("pgh_context")} == {
        official.user.pk
    }


def test_a_request_records_the_hold_on_the_source_with_the_requester(agreement, sme_owner):
    made = requested(agreement, sme_owner.user, 4 * M)
    inserted = last_event(REQUEST_EVENTS, pgh_obj_id=made.pk)
    assert (inserted.pgh_label, inserted.status, inserted.amount_krw) == ("insert", "requested", 4 * M)
    assert metadata(inserted) == {"user": sme_owner.user.pk, "service": "disbursement_request"}
    held = last_event(FUNDING_EVENTS, agreement_id=agreement.pk, source=G)
    assert (held.pgh_label, held.outstanding_krw) == ("update", 4 * M)
    assert metadata(held)["user"] == sme_owner.user.pk


def test_every_step_of_a_payment_names_its_actor(agreement, sme_owner, finance_officer, other_finance):
    made = approved(agreement, sme_owner.user, finance_officer.user, 5 * M)
    entry = fs.disbursement_pay(request=made, actor=other_finance)
    steps = list(
        REQUEST_EVENTS.objects.filter(pgh_obj_id=made.pk)
        .order_by("pgh_id")
        .values_list("status", "pgh_context__metadata__user", "pgh_context__metadata__service")
    )
    assert steps == [
        ("requested", sme_owner.user.pk, "disbursement_request"),
        ("approved", finance_officer.user.pk, "disbursement_approve"),
        ("paid", other_finance.pk, "disbursement_pay"),
    ]
    # The ledger trigger moved the paid total: its event carries the payer too.
    moved = last_event(FUNDING_EVENTS, agreement_id=agreement.pk, source=G)
    assert (moved.outstanding_krw, moved.paid_krw) == (0, 5 * M)
    assert metadata(moved) == {"user": other_finance.pk, "service": "disbursement_pay"}
    fs.payment_reverse(entry=entry, actor=finance_officer.user, reason="정정")
    reversed_ = last_event(FUNDING_EVENTS, agreement_id=agreement.pk, source=G)
    assert (reversed_.paid_krw, metadata(reversed_)["user"]) == (0, finance_officer.user.pk)


def test_a_change_records_the_agreement_change_with_the_approving_official(agreement, sme_owner, official):
    new_end = agreement.ends_on.replace(day=1)
    change = ag.change_request_file(
        agreement=agreement,
        actor=sme_owner.user,
        cause_date=timezone.localdate(),
        reason="장비 납기 지연",
        new_ends_on=new_end,
        amounts={"new_gov_krw": 30 * M, "new_partner_krw": 0, "new_local_krw": 0, "new_sme_krw": 45 * M},
    )
    ag.change_request_approve(change=change, actor=official.user, note="승인")
    event = last_event(AGREEMENT_EVENTS, pgh_obj_id=agreement.pk)
    assert (event.pgh_label, event.ends_on) == ("update", new_end)
    assert metadata(event) == {"user": official.user.pk, "service": "change_request_approve"}
    gov = last_event(FUNDING_EVENTS, agreement_id=agreement.pk, source=G)
    assert (gov.agreed_krw, metadata(gov)["user"]) == (30 * M, official.user.pk)
    decided = last_event(CHANGE_EVENTS, pgh_obj_id=change.pk)
    assert (decided.status, metadata(decided)["user"]) == ("approved", official.user.pk)
    filed = CHANGE_EVENTS.objects.filter(pgh_obj_id=change.pk).order_by("pgh_id").first()
    assert metadata(filed)["user"] == sme_owner.user.pk


# --- the API --------------------------------------------------------------------------------------------


def test_api_writes_carry_the_user_and_the_url(agreement, sme_owner, finance_officer):
    url = f"/api/v1/agreements/{agreement.pk}/disbursements/create/"
    response = sme_owner.api().post(
        url,
        {"source": G, "tranche": "advance", "amount_krw": 1 * M},
        format="json",
        HTTP_IDEMPOTENCY_KEY=new_key(),
    )
    assert response.status_code == 201
    event = last_event(REQUEST_EVENTS, pgh_obj_id=response.json()["id"])
    assert metadata(event) == {"user": sme_owner.user.pk, "url": url, "service": "disbursement_request"}
    approve_url = f"/api/v1/disbursements/{response.json()['id']}/approve/"
    assert finance_officer.api().post(approve_url, HTTP_IDEMPOTENCY_KEY=new_key()).status_code == 200
    event = last_event(REQUEST_EVENTS, pgh_obj_id=response.json()["id"])
    assert metadata(event) == {
        "user": finance_officer.user.pk,
        "url": approve_url,
        "service": "disbursement_approve",
    }


def test_every_api_write_carries_a_user(agreement, sme_owner, finance_officer, official):
    """Whatever the endpoint, no event of an API write lacks its user."""
    made = requested(agreement, sme_owner.user, 1 * M)
    entry = paid(agreement, sme_owner.user, finance_officer.user, 1 * M)
    start = {model: model.objects.aggregate(last=Max("pgh_id"))["last"] or 0 for model in EVENTS}
    calls = [
        (finance_officer, f"/api/v1/disbursements/{made.pk}/approve/", {}),
        (finance_officer, f"/api/v1/disbursements/{made.pk}/reject/", {"reason": "반려"}),
        (finance_officer, f"/api/v1/ledger/{entry.pk}/reverse/", {"reason": "정정"}),
        (
            official,
            f"/api/v1/agreements/{agreement.pk}/disbursements/create/",
            {"source": SME, "tranche": "advance", "amount_krw": M},
        ),
        (
            sme_owner,
            f"/api/v1/agreements/{agreement.pk}/change-requests/create/",
            {"cause_date": timezone.localdate().isoformat(), "reason": "범위", "new_scope": "범위 조정"},
        ),
    ]
    for persona, url, body in calls:
        response = persona.api().post(url, body, format="json", HTTP_IDEMPOTENCY_KEY=new_key())
        assert response.status_code in (200, 201), response.content
    written = [
        event
        for model in EVENTS
        for event in model.objects.filter(pgh_id__gt=start[model]).select_related("pgh_context")
    ]
    assert len(written) >= len(calls)
    assert all(metadata(event) and metadata(event)["user"] for event in written)


# --- writes that skip the services ----------------------------------------------------------------------


# pghistory sets its context with set_config(…, is_local=true): it lasts until the end of the
# transaction, so a write later in the same transaction as a service call would inherit that call's
# context. These tests commit for real (as a shell session or a migration would), one statement each.


@pytest.mark.django_db(transaction=True)
def test_a_bulk_update_is_recorded_one_event_per_changed_row_without_a_user(agreement):
    before = count(FUNDING_EVENTS, agreement_id=agreement.pk)
    changed = AgreementFunding.objects.filter(agreement=agreement, source__in=[G, SME]).update(
        outstanding_krw=F("outstanding_krw") + 1
    )
    assert changed == 2
    events = FUNDING_EVENTS.objects.filter(agreement_id=agreement.pk).order_by("-pgh_id")[:2]
    assert count(FUNDING_EVENTS, agreement_id=agreement.pk) == before + 2
    assert {(e.source, e.outstanding_krw, e.pgh_label) for e in events} == {
        (G, 1, "update"),
        (SME, 1, "update"),
    }
    assert all(e.pgh_context_id is None for e in events)


def test_an_update_that_changes_nothing_is_not_an_event(agreement):
    before = count(FUNDING_EVENTS, agreement_id=agreement.pk)
    AgreementFunding.objects.filter(agreement=agreement).update(outstanding_krw=F("outstanding_krw"))
    assert count(FUNDING_EVENTS, agreement_id=agreement.pk) == before


@pytest.mark.django_db(transaction=True)
def test_raw_sql_is_recorded_without_a_user(agreement, sme_owner):
    made = requested(agreement, sme_owner.user, 2 * M)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE funding_disbursementrequest SET note = 'edited by hand' WHERE id = %s", [made.pk]
        )
        cursor.execute(
            "UPDATE applications_projectagreement SET scope = 'edited by hand' WHERE id = %s", [agreement.pk]
        )
        cursor.execute(
            "UPDATE applications_agreementfunding SET outstanding_krw = 0 "
            "WHERE agreement_id = %s AND source = %s",
            [agreement.pk, G],
        )
    for model, filters, field, value in (
        (REQUEST_EVENTS, {"pgh_obj_id": made.pk}, "note", "edited by hand"),
        (AGREEMENT_EVENTS, {"pgh_obj_id": agreement.pk}, "scope", "edited by hand"),
        (FUNDING_EVENTS, {"agreement_id": agreement.pk, "source": G}, "outstanding_krw", 0),
    ):
        event = last_event(model, **filters)
        assert (event.pgh_label, getattr(event, field), event.pgh_context_id) == ("update", value, None)


def test_a_bulk_update_inside_a_labelled_context_carries_that_context(agreement, official):
    """A data fix run by hand should say who ran it: the context is the way to record that."""
    with pghistory.context(user=official.user.pk, fix="ticket-123"):
        ProjectAgreement.objects.filter(pk=agreement.pk).update(scope="범위 정정")
    event = last_event(AGREEMENT_EVENTS, pgh_obj_id=agreement.pk)
    assert metadata(event) == {"user": official.user.pk, "fix": "ticket-123"}


# --- outside any request --------------------------------------------------------------------------------


def nightly_recovery_job(agreement_id: int, actor) -> None:
    """What a management command or a Celery task does: load by id, call one service."""
    agreement = ProjectAgreement.objects.get(pk=agreement_id)
    fs.recovery_record(agreement=agreement, actor=actor, source=G, amount_krw=1 * M, reason="정기 환수")


def test_services_called_outside_a_request_record_their_actor(
    agreement, sme_owner, finance_officer, official
):
    paid(agreement, sme_owner.user, finance_officer.user, 3 * M)
    nightly_recovery_job(agreement.pk, official.user)
    event = last_event(FUNDING_EVENTS, agreement_id=agreement.pk, source=G)
    assert (event.paid_krw, event.recovered_krw) == (2 * M, 1 * M)
    assert metadata(event) == {"user": official.user.pk, "service": "recovery_record"}


def test_a_command_context_and_the_service_actor_are_both_kept(agreement, sme_owner, finance_officer):
    made = requested(agreement, sme_owner.user, 1 * M)
    with pghistory.context(command="approve_batch"):
        fs.disbursement_approve(request=made, actor=finance_officer.user)
    event = last_event(REQUEST_EVENTS, pgh_obj_id=made.pk)
    assert metadata(event) == {
        "command": "approve_batch",
        "user": finance_officer.user.pk,
        "service": "disbursement_approve",
    }
