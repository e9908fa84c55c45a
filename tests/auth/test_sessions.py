"""Session hygiene: idle and absolute limits, a new id at sign-in, sign-out and deactivation end every
session (and deactivation every token), cookie flags."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client
from django.urls import reverse

from core.models import User
from core.services import api_token_create
from core.sessions import SEEN_AT, STARTED_AT, user_deactivate, user_sessions_end
from tests.signin import current_code, verified_client

PASSWORD = "correct-horse-battery"
ME = "/api/v1/me/"
LIST = "/applications/"


def shift_clocks(client: Client, *, started_ago: int | None = None, seen_ago: int | None = None) -> None:
    """Move the session's sign-in and last-use times into the past (instead of waiting)."""
    session = client.session
    now = int(time.time())
    if started_ago is not None:
        session[STARTED_AT] = now - started_ago
    if seen_ago is not None:
        session[SEEN_AT] = now - seen_ago
    session.save()


def is_signed_out(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_the_limits_are_30_minutes_idle_and_8_hours_in_all():
    assert settings.SESSION_IDLE_TIMEOUT_SECONDS == 30 * 60
    assert settings.SESSION_ABSOLUTE_TIMEOUT_SECONDS == 8 * 60 * 60
    assert settings.SESSION_COOKIE_AGE <= settings.SESSION_ABSOLUTE_TIMEOUT_SECONDS


def test_sign_in_starts_the_clocks(sme_owner):
    client = sme_owner.browser()
    now = int(time.time())
    assert now - 5 <= client.session[STARTED_AT] <= now
    assert client.session[SEEN_AT] == client.session[STARTED_AT]


def test_a_session_idle_for_more_than_30_minutes_ends(sme_owner):
    client = sme_owner.browser()
    assert client.get(LIST).status_code == 200
    shift_clocks(client, seen_ago=30 * 60 + 1)
    response = client.get(LIST)
    assert is_signed_out(response)
    assert "_auth_user_id" not in client.session
    followed = client.get(response["Location"])
    assert "30분" in " ".join(str(m) for m in followed.context["messages"])  # Korean by default


def test_activity_keeps_the_session_alive(sme_owner):
    client = sme_owner.browser()
    shift_clocks(client, seen_ago=29 * 60)
    assert client.get(LIST).status_code == 200
    assert int(time.time()) - client.session[SEEN_AT] < 5  # the request counted as activity
    shift_clocks(client, seen_ago=29 * 60)
    assert client.get(LIST).status_code == 200


def test_the_last_use_is_written_at_most_once_a_minute(sme_owner):
    client = sme_owner.browser()
    shift_clocks(client, seen_ago=20)
    before = client.session[SEEN_AT]
    client.get(LIST)
    assert client.session[SEEN_AT] == before


def test_a_session_ends_8_hours_after_sign_in_however_active(sme_owner):
    client = sme_owner.browser()
    shift_clocks(client, started_ago=8 * 60 * 60 - 60, seen_ago=0)
    assert client.get(LIST).status_code == 200
    shift_clocks(client, started_ago=8 * 60 * 60 + 1, seen_ago=0)
    assert is_signed_out(client.get(LIST))


def test_an_expired_session_is_refused_by_the_session_api(official):
    client = official.browser()
    assert client.get(ME).status_code == 200
    shift_clocks(client, seen_ago=31 * 60)
    assert client.get(ME).status_code in {401, 403}
    assert "_auth_user_id" not in client.session


def test_a_session_without_clocks_gets_them(sme_owner):
    client = sme_owner.browser()
    session = client.session
    del session[STARTED_AT]
    del session[SEEN_AT]
    session.save()
    assert client.get(LIST).status_code == 200
    assert STARTED_AT in client.session


def test_sign_in_gives_a_new_session_id(sme_owner):
    # A session planted before sign-in (session fixation) is not the one that gets signed in.
    planted = SessionStore()
    planted["planted"] = True
    planted.create()
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = planted.session_key
    response = client.post(reverse("login"), {"username": sme_owner.user.username, "password": PASSWORD})
    assert response.status_code == 302
    new_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert new_key != planted.session_key
    assert not SessionStore().exists(planted.session_key)
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"


def test_sign_out_ends_every_session_of_the_user(official, sme_owner):
    office = official.browser()
    laptop = official.browser()
    other_user = sme_owner.browser()
    assert office.get(ME).status_code == 200
    assert laptop.get(ME).status_code == 200
    assert office.post(reverse("logout"))["Location"] == reverse("login")
    assert laptop.get(ME).status_code in {401, 403}
    assert is_signed_out(laptop.get(LIST))
    assert is_signed_out(office.get(LIST))
    # Someone else's session is untouched, and signing in again works.
    assert other_user.get(LIST).status_code == 200
    again = Client()
    again.post(reverse("login"), {"username": "official", "password": PASSWORD})
    again.post(reverse("otp-verify"), {"otp_token": current_code(official.user)})
    assert again.get(ME).status_code == 200


def test_the_old_cookie_is_dead_after_sign_out(sme_owner):
    client = sme_owner.browser()
    stolen = client.cookies[settings.SESSION_COOKIE_NAME].value
    client.post(reverse("logout"))
    thief = Client()
    thief.cookies[settings.SESSION_COOKIE_NAME] = stolen
    assert is_signed_out(thief.get(LIST))


def test_sign_out_is_a_post(sme_owner):
    client = sme_owner.browser()
    assert client.get(reverse("logout")).status_code == 405
    assert client.get(LIST).status_code == 200


def test_ending_sessions_leaves_api_tokens_alone(official):
    _token, key = api_token_create(user=official.user, name="ERP")
    user_sessions_end(user=official.user)
    assert Client().get(ME, HTTP_AUTHORIZATION=f"Token {key}").status_code == 200


def test_deactivation_ends_every_session_and_token_on_the_next_request(official):
    user = official.user
    browser_a = official.browser()
    browser_b = official.browser()
    _token, key = api_token_create(user=user, name="ERP")
    assert browser_a.get(ME).status_code == 200
    assert Client().get(ME, HTTP_AUTHORIZATION=f"Token {key}").status_code == 200

    user_deactivate(user=user)

    assert browser_a.get(ME).status_code in {401, 403}
    assert is_signed_out(browser_b.get(LIST))
    assert Client().get(ME, HTTP_AUTHORIZATION=f"Token {key}").status_code == 401
    # Reactivating does not bring the old sessions back.
    User.objects.filter(pk=user.pk).update(is_active=True)
    assert is_signed_out(browser_b.get(LIST))


def test_deactivating_in_the_admin_ends_the_sessions(db, sme_owner):
    from tests import factories as f

    admin = f.UserFactory(is_staff=True, is_superuser=True)
    victim = sme_owner.browser()
    before = User.objects.get(pk=sme_owner.user.pk).session_epoch
    admin_client = verified_client(admin)
    url = reverse("admin:core_user_change", args=[sme_owner.user.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and not isinstance(v, list | tuple)}
    data.update(
        {
            "username": sme_owner.user.username,
            "is_active": "",
            "date_joined_0": form.initial["date_joined"].strftime("%Y-%m-%d"),
            "date_joined_1": form.initial["date_joined"].strftime("%H:%M:%S"),
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        }
    )
    data.pop("date_joined", None)
    data.pop("last_login", None)
    data.pop("password", None)
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    refreshed = User.objects.get(pk=sme_owner.user.pk)
    assert not refreshed.is_active
    assert refreshed.session_epoch == before + 1
    assert is_signed_out(victim.get(LIST))


def test_production_cookies_are_secure():
    # A fresh interpreter: the production module reads its environment once, at import.
    env = {**os.environ, "DJANGO_SECRET_KEY": "x" * 60, "DJANGO_ALLOWED_HOSTS": "smartfactory.example"}
    script = (
        "import json, config.settings.production as p; print(json.dumps([p.SESSION_COOKIE_SECURE, "
        "p.SESSION_COOKIE_HTTPONLY, p.SESSION_COOKIE_SAMESITE, p.SESSION_COOKIE_NAME, p.CSRF_COOKIE_SECURE, "
        "p.SESSION_IDLE_TIMEOUT_SECONDS, p.SESSION_ABSOLUTE_TIMEOUT_SECONDS]))"
    )
    done = subprocess.run(  # noqa: S603 - our own interpreter and a fixed script
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60, check=True
    )
    secure, httponly, samesite, name, csrf_secure, idle, absolute = json.loads(
        done.stdout.strip().splitlines()[-1]
    )
    assert secure
    assert httponly
    assert csrf_secure
    assert samesite == "Lax"
    assert name.startswith("__Host-")
    assert (idle, absolute) == (30 * 60, 8 * 60 * 60)
