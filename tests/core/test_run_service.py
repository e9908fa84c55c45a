"""`core.views.run_service`: how a page shows a service's refusal."""

from __future__ import annotations

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.test import RequestFactory

from core.errors import Conflict, NotFound, ValidationFailed
from core.views import run_service


class DateForm(forms.Form):
    cause_date = forms.DateField()


def make_request():
    request = RequestFactory().post("/")
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


def refuse(exc):
    def service():
        raise exc

    return service


def test_a_field_error_with_the_generic_message_shows_on_the_field_only():
    form = DateForm({"cause_date": "2026-11-01"})
    assert form.is_valid()
    result = run_service(
        make_request(), refuse(ValidationFailed(fields={"cause_date": ["너무 오래됨"]})), form=form
    )
    assert result is None
    assert form.errors == {"cause_date": ["너무 오래됨"]}


def test_a_field_error_with_a_message_naming_the_rule_shows_both():
    form = DateForm({"cause_date": "2026-11-01"})
    assert form.is_valid()
    exc = ValidationFailed(
        "변경은 사유 발생일로부터 15일 이내에 신청해야 합니다.", fields={"cause_date": ["너무 오래됨"]}
    )
    run_service(make_request(), refuse(exc), form=form)
    assert form.errors["cause_date"] == ["너무 오래됨"]
    assert form.non_field_errors() == ["변경은 사유 발생일로부터 15일 이내에 신청해야 합니다."]


def test_a_field_the_form_lacks_becomes_a_form_error():
    form = DateForm({"cause_date": "2026-11-01"})
    assert form.is_valid()
    run_service(make_request(), refuse(ValidationFailed(fields={"amount_krw": ["금액 오류"]})), form=form)
    assert "금액 오류" in form.non_field_errors()
    assert "cause_date" not in form.errors


def test_without_a_form_the_refusal_is_a_message():
    request = make_request()
    assert run_service(request, refuse(Conflict("이미 처리되었습니다."))) is None
    assert [str(m) for m in get_messages(request)] == ["이미 처리되었습니다."]


def test_not_found_propagates_as_a_404():
    with pytest.raises(NotFound):
        run_service(make_request(), refuse(NotFound()))


def test_success_returns_the_result():
    assert run_service(make_request(), lambda **kw: kw["x"] * 2, x=21) == 42
