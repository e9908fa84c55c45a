"""Generic error pages and API error bodies: never a traceback, an exception message or a setting
(ASVS 13.4.2, 16.5.1)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from tests.ops.conftest import assert_strict_html
from tests.ops.urls_boom import SECRET_DETAIL

pytestmark = pytest.mark.django_db

LEAKS = ("Traceback", "RuntimeError", "hunter2", SECRET_DETAIL, 'File "', "django.", "psycopg")


def assert_no_leak(response) -> None:
    body = response.content.decode()
    for leak in LEAKS:
        assert leak not in body, leak


def test_debug_is_off():
    assert settings.DEBUG is False


@pytest.mark.urls("tests.ops.urls_boom")
@pytest.mark.parametrize("signed_in", [False, True])
def test_a_failing_page_shows_the_generic_bilingual_500(signed_in, sme_owner):
    client = Client(raise_request_exception=False)
    if signed_in:
        client.force_login(sme_owner.user)
    response = client.get("/boom/")
    assert response.status_code == 500
    assert_no_leak(response)
    body = response.content.decode()
    assert "일시적인 오류가 발생했습니다" in body
    assert "Something went wrong" in body
    # The outer middleware still ran: headers and request id on the error too.
    assert "Content-Security-Policy" in response
    assert response["X-Request-ID"]
    assert_strict_html(response)


@pytest.mark.urls("tests.ops.urls_boom")
def test_a_failing_api_call_answers_the_json_error_body(sme_owner):
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(sme_owner.user)
    response = client.get("/api/v1/boom/")
    assert response.status_code == 500
    assert response["Content-Type"].startswith("application/json")
    assert_no_leak(response)
    body = response.json()
    assert body["code"] == "server_error"
    assert body["fields"] == {}
    assert "no-store" in response["Cache-Control"]


def test_an_unknown_api_route_is_a_json_404(sme_owner):
    response = sme_owner.api().get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_an_unknown_page_is_the_html_404(anonymous):
    response = anonymous.browser().get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    assert b"<!doctype html>" in response.content
    assert_no_leak(response)


def test_a_bad_host_is_the_generic_400():
    response = Client().get("/", HTTP_HOST="attacker.example")
    assert response.status_code == 400
    assert_no_leak(response)
    assert "attacker.example" not in response.content.decode()
    assert_strict_html(response)


def test_a_missing_csrf_token_is_the_generic_403(sme_owner):
    client = Client(enforce_csrf_checks=True)
    client.force_login(sme_owner.user)
    response = client.post(reverse("logout"))
    assert response.status_code == 403
    body = response.content.decode()
    assert "CSRF" not in body  # Django's own page explains the mechanism; ours just says what to do
    assert_no_leak(response)
    assert_strict_html(response)
