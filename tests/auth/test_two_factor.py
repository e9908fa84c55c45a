"""The second factor (TOTP) of officials, finance officers, auditors and staff: enrolment, verification,
refusals, the gate on pages / session API / admin, and replacing the device."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.models import SecurityEvent, SecurityEventKind
from core.otp import otp_current_code, otp_required
from core.services import api_token_create
from core.views_auth import OtpTokenForm
from tests import factories as f
from tests.signin import current_code, verified_client

PASSWORD = "correct-horse-battery"
OTP_PERSONAS = ["official", "finance_officer", "auditor"]
OTHER_PERSONAS = ["sme_owner", "supplier_user", "partner", "regional_officer", "evaluator"]
ME = "/api/v1/me/"


def half_signed_in(user) -> Client:
    """Past the password, not (yet) past the code."""
    client = Client()
    client.force_login(user)
    return client


def unthrottle(device: TOTPDevice) -> None:
    """As if the wait after a wrong code had passed."""
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=timezone.now() - dt.timedelta(hours=1)
    )


@pytest.mark.parametrize("persona", OTP_PERSONAS)
def test_pages_wait_for_the_code(request, db, persona):
    user = request.getfixturevalue(persona).user
    client = half_signed_in(user)
    for path in ["/", reverse("kpi:dashboard"), reverse("applications:list"), "/admin/"]:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith(reverse("otp-verify") + "?next="), path
    # A form post is refused the same way and changes nothing.
    assert client.post(reverse("programs:call-new"), {}).status_code == 302


@pytest.mark.parametrize("persona", OTP_PERSONAS)
def test_the_session_api_answers_403_until_the_code(request, db, persona):
    user = request.getfixturevalue(persona).user
    response = half_signed_in(user).get(ME)
    assert response.status_code == 403
    body = response.json()
    assert body["code"] == "otp_required"
    assert reverse("otp-verify") in body["message"]
    assert verified_client(user).get(ME).status_code == 200


@pytest.mark.parametrize("persona", OTHER_PERSONAS)
def test_other_roles_need_no_second_factor(request, db, persona):
    user = request.getfixturevalue(persona).user
    assert not otp_required(user)
    client = half_signed_in(user)
    response = client.get("/")
    assert not response.get("Location", "").startswith(reverse("otp-verify"))
    assert client.get(ME).status_code == 200
    # The code pages send them on.
    assert client.get(reverse("otp-setup"))["Location"] == reverse("home")
    assert not TOTPDevice.objects.filter(user=user).exists()


def test_staff_need_it_even_without_a_ministry_role(db):
    admin = f.UserFactory(is_staff=True)
    assert otp_required(admin)
    assert half_signed_in(admin).get("/admin/")["Location"].startswith(reverse("otp-setup"))
    assert verified_client(admin).get("/admin/").status_code in {200, 302}


def test_the_admin_site_opens_once_verified(db, kosmo):
    superuser = f.UserFactory(is_staff=True, is_superuser=True)
    assert verified_client(superuser).get("/admin/").status_code == 200


def test_a_persona_browser_comes_out_verified(official, finance_officer, auditor):
    assert official.browser().get("/")["Location"] == reverse("kpi:dashboard")
    assert finance_officer.browser().get(ME).status_code == 200
    assert auditor.browser().get(reverse("kpi:dashboard")).status_code == 200


def test_first_sign_in_enrols_an_authenticator(db, kosmo):
    from core.roles import Role

    user = f.UserFactory(username="new_official")
    f.member(user, kosmo, Role.FINANCE)
    client = half_signed_in(user)
    response = client.get(reverse("funding:queue"))
    assert response["Location"] == reverse("otp-setup") + "?next=" + reverse("funding:queue").replace(
        "/", "%2F"
    )
    page = client.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    device = TOTPDevice.objects.get(user=user)
    assert not device.confirmed
    assert "<svg" in html  # the QR code is drawn here, not fetched from a service
    assert "https://" not in html.split('id="otp-qr"')[1].split("</div>")[0]
    secret = page.context["secret"].replace(" ", "")
    assert secret in html.replace(" ", "")
    assert len(secret) == 32
    # Reloading the page keeps the same secret rather than making another device.
    client.get(reverse("otp-setup"))
    assert TOTPDevice.objects.filter(user=user).count() == 1

    wrong = client.post(reverse("otp-setup"), {"otp_token": "000000", "next": reverse("funding:queue")})
    if wrong.status_code == 200:  # "000000" is, once in a million, the right code
        assert "otp_token" in wrong.context["form"].errors
        assert SecurityEvent.objects.filter(kind=SecurityEventKind.OTP_FAILED, actor=user).exists()
        unthrottle(device)
    done = client.post(
        reverse("otp-setup"), {"otp_token": otp_current_code(device), "next": reverse("funding:queue")}
    )
    assert done["Location"] == reverse("funding:queue")
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("funding:queue")).status_code == 200
    assert client.get(reverse("otp-setup"))["Location"].startswith(reverse("otp-verify"))


def test_the_code_step_accepts_the_current_code_once(official):
    client = half_signed_in(official.user)
    page = client.get(reverse("otp-verify") + "?next=/kpi/")
    assert page.status_code == 200
    assert page.context["nav_items"] == []
    response = client.post(reverse("otp-verify"), {"otp_token": current_code(official.user), "next": "/kpi/"})
    assert response["Location"] == "/kpi/"
    assert client.get("/kpi/").status_code == 200
    assert client.get(ME).status_code == 200
    # The same code again (another browser, same 30 seconds) is a replay and refused.
    other = half_signed_in(official.user)
    again = other.post(reverse("otp-verify"), {"otp_token": current_code(official.user)})
    assert again.status_code == 200
    assert other.get("/kpi/").status_code == 302


def test_verifying_gives_the_session_a_new_id(official):
    client = half_signed_in(official.user)
    before = client.cookies["sessionid"].value
    client.post(reverse("otp-verify"), {"otp_token": current_code(official.user)})
    assert client.cookies["sessionid"].value != before
    assert client.session[DEVICE_ID_SESSION_KEY] == official.otp_device.persistent_id


def test_a_wrong_code_is_refused_logged_and_slows_the_next_try(official):
    user = official.user
    client = half_signed_in(user)
    wrong = str((int(current_code(user)) + 500_000) % 1_000_000).zfill(6)
    response = client.post(reverse("otp-verify"), {"otp_token": wrong})
    assert response.status_code == 200
    assert response.context["form"].errors["otp_token"]
    event = SecurityEvent.objects.get(kind=SecurityEventKind.OTP_FAILED)
    assert event.actor == user
    assert event.detail == {"step": "verify", "throttled": False, "failures": 1}
    assert wrong not in str(event.detail)
    # Straight away even the right code waits: the throttle is counted on the device.
    throttled = client.post(reverse("otp-verify"), {"otp_token": current_code(user)})
    assert throttled.status_code == 200
    assert (
        SecurityEvent.objects.filter(kind=SecurityEventKind.OTP_FAILED, detail__throttled=True).count() == 1
    )
    assert client.get("/kpi/").status_code == 302
    unthrottle(official.otp_device)
    assert client.post(reverse("otp-verify"), {"otp_token": current_code(user)}).status_code == 302
    assert client.get("/kpi/").status_code == 200
    official.otp_device.refresh_from_db()
    assert official.otp_device.throttling_failure_count == 0


@pytest.mark.parametrize("typed", ["", "12345", "1234567", "abcdef", "12 34 5x"])
def test_a_malformed_code_is_an_input_error_and_not_counted(official, typed):
    client = half_signed_in(official.user)
    response = client.post(reverse("otp-verify"), {"otp_token": typed})
    assert response.status_code == 200
    assert response.context["form"].errors
    official.otp_device.refresh_from_db()
    assert official.otp_device.throttling_failure_count == 0
    assert not SecurityEvent.objects.filter(kind=SecurityEventKind.OTP_FAILED).exists()


def test_a_code_typed_with_a_space_is_accepted(official):
    client = half_signed_in(official.user)
    code = current_code(official.user)
    assert client.post(reverse("otp-verify"), {"otp_token": f"{code[:3]} {code[3:]}"}).status_code == 302


def test_an_unsafe_next_is_ignored(official):
    client = half_signed_in(official.user)
    response = client.post(
        reverse("otp-verify"), {"otp_token": current_code(official.user), "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("home")


def test_htmx_requests_are_sent_to_the_code_step_as_a_whole_page(official):
    response = half_signed_in(official.user).get(reverse("kpi:dashboard"), HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(reverse("otp-verify"))


def test_api_tokens_of_integrations_are_not_asked_for_a_code(official):
    _token, key = api_token_create(user=official.user, name="ERP")
    response = Client().get(ME, HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200


def test_the_sign_in_form_then_the_code(official):
    """The whole way through the real forms, as the browser tests do."""
    client = Client()
    response = client.post(reverse("login"), {"username": "official", "password": PASSWORD, "next": "/kpi/"})
    assert response["Location"] == "/kpi/"
    step = client.get("/kpi/")
    assert step["Location"] == reverse("otp-verify") + "?next=%2Fkpi%2F"
    done = client.post(reverse("otp-verify"), {"otp_token": current_code(official.user), "next": "/kpi/"})
    assert done["Location"] == "/kpi/"
    assert client.get("/kpi/").status_code == 200


def test_replacing_the_device_needs_the_password_and_a_current_code(official):
    user = official.user
    client = verified_client(user, device=official.otp_device)
    assert client.get(reverse("otp-replace")).status_code == 200
    code = current_code(user)
    bad_password = client.post(reverse("otp-replace"), {"password": "not-my-password", "otp_token": code})
    assert bad_password.status_code == 200
    assert bad_password.context["form"].errors["password"]
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.LOGIN_FAILED, username=user.username).exists()
    bad_code = client.post(reverse("otp-replace"), {"password": PASSWORD, "otp_token": "000000"})
    if bad_code.status_code == 200:  # unless "000000" happens to be the code
        assert bad_code.context["form"].errors["otp_token"]
        assert SecurityEvent.objects.filter(
            kind=SecurityEventKind.OTP_FAILED, detail__step="replace"
        ).exists()
        unthrottle(official.otp_device)
    assert TOTPDevice.objects.filter(pk=official.otp_device.pk).exists()

    done = client.post(reverse("otp-replace"), {"password": PASSWORD, "otp_token": code})
    assert done["Location"] == reverse("otp-setup")
    # The old device is gone, the session is no longer verified, and a new secret waits for its first code.
    assert not TOTPDevice.objects.filter(pk=official.otp_device.pk).exists()
    assert client.get("/kpi/")["Location"].startswith(reverse("otp-setup"))
    assert client.get(ME).status_code == 403
    new = TOTPDevice.objects.get(user=user)
    assert not new.confirmed
    assert new.key != official.otp_device.key
    assert client.post(reverse("otp-setup"), {"otp_token": otp_current_code(new)}).status_code == 302
    assert client.get("/kpi/").status_code == 200


def test_the_code_form_strips_what_apps_show_between_digits():
    form = OtpTokenForm({"otp_token": " 123 456 "})
    assert form.is_valid()


def test_the_demo_command_prints_a_code_that_signs_in(db, kosmo, settings, capsys):
    """`manage.py demo_otp_code` enrols the demo login once and prints the code its app would show."""
    from django.core.management import call_command

    user = f.UserFactory(username="demo_official")
    f.member(user, kosmo, "official")
    call_command("demo_otp_code", "demo_official")
    code = capsys.readouterr().out.strip()
    assert TOTPDevice.objects.filter(user=user, confirmed=True).count() == 1
    client = Client()
    client.post(reverse("login"), {"username": "demo_official", "password": PASSWORD})
    done = client.post(reverse("otp-verify"), {"otp_token": code, "next": "/kpi/"})
    assert done["Location"] == "/kpi/"
    call_command("demo_otp_code", "demo_official")
    assert TOTPDevice.objects.filter(user=user).count() == 1  # the same device, not a new one


def test_the_demo_command_is_refused_where_demo_codes_are_off(db, kosmo, settings):
    from django.core.management import CommandError, call_command

    settings.DEMO_OTP_CODES = False
    user = f.UserFactory(username="real_official")
    f.member(user, kosmo, "official")
    with pytest.raises(CommandError):
        call_command("demo_otp_code", "real_official")
    assert not TOTPDevice.objects.filter(user=user).exists()
