"""Status-change emails: sent after commit, once per change, to the applicant's SME users only."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import transaction

from applications import services as s
from applications.models import ApplicationStatusChange
from applications.tasks import notify_status_change
from core.errors import IllegalTransition
from core.roles import Role
from tests import factories as f


@pytest.fixture
def colleagues(sme_owner):
    """Another SME user of company A, one without an email and a disabled one."""
    colleague = f.UserFactory(username="sme_a2")
    no_email = f.UserFactory(username="sme_a3", email="")
    disabled = f.UserFactory(username="sme_a4", is_active=False)
    for user in (colleague, no_email, disabled):
        f.member(user, sme_owner.organisation, Role.SME)
    return colleague


def test_submission_emails_the_companys_sme_users_once(
    draft, sme_owner, colleagues, other_sme, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        s.application_submit(application=draft, actor=sme_owner.user)
    assert len(callbacks) == 1
    [message] = mail.outbox
    assert sorted(message.to) == ["sme_a2@example.kr", "sme_a@example.kr"]
    assert draft.number in message.subject
    assert "접수" in message.body  # Korean first …
    assert "Submitted" in message.body  # … then English
    assert ApplicationStatusChange.objects.get(application=draft).notified_at is not None


def test_notifying_again_sends_nothing(draft, sme_owner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        s.application_submit(application=draft, actor=sme_owner.user)
    change = ApplicationStatusChange.objects.get(application=draft)
    assert s.status_change_notify(change_id=change.pk) is False
    assert notify_status_change(change.pk) is False
    assert len(mail.outbox) == 1


def test_a_refused_second_submit_sends_nothing(draft, sme_owner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        s.application_submit(application=draft, actor=sme_owner.user)
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(IllegalTransition):
        s.application_submit(application=draft, actor=sme_owner.user)
    assert callbacks == []
    assert len(mail.outbox) == 1


def test_a_rolled_back_submission_sends_nothing(draft, sme_owner, django_capture_on_commit_callbacks):
    def submit_then_fail():
        with transaction.atomic():
            s.application_submit(application=draft, actor=sme_owner.user)
            raise RuntimeError("something later in the same request failed")

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError):
        submit_then_fail()
    assert callbacks == []
    assert mail.outbox == []
    assert not ApplicationStatusChange.objects.exists()


def test_nothing_is_sent_before_commit(draft, sme_owner):
    s.application_submit(application=draft, actor=sme_owner.user)
    assert mail.outbox == []  # the test transaction never commits


def test_only_decisions_the_applicant_cares_about_are_sent(
    make_app, official, django_capture_on_commit_callbacks
):
    app = make_app("submitted")
    with django_capture_on_commit_callbacks(execute=True):
        s.application_transition(application=app, actor=official.user, action="start_screening")
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        s.application_transition(
            application=app, actor=official.user, action="fail_screening", note="서류 미비"
        )
    [message] = mail.outbox
    assert "서류 미비" in message.body
    assert "탈락" in message.body


def test_a_company_without_reachable_users_is_marked_notified(
    draft, sme_owner, django_capture_on_commit_callbacks
):
    type(sme_owner.user).objects.filter(pk=sme_owner.user.pk).update(email="")
    with django_capture_on_commit_callbacks(execute=True):
        s.application_submit(application=draft, actor=sme_owner.user)
    assert mail.outbox == []
    assert ApplicationStatusChange.objects.get(application=draft).notified_at is not None
