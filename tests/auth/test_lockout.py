"""Sign-in lockout (django-axes): five wrong passwords lock one username from one address for the cool-off,
and nobody else."""

from __future__ import annotations

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse
from django.utils import timezone

from core.client_ip import trusted_client_ip
from core.models import SecurityEvent, SecurityEventKind

PASSWORD = "correct-horse-battery"  # tests.factories.UserFactory
WRONG = "wrong-horse-battery"
HOME = "10.1.1.1"
ELSEWHERE = "10.2.2.2"


def sign_in(username: str, password: str, ip: str = HOME, client: Client | None = None, **extra: str):
    client = client or Client()
    response = client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip, **extra
    )
    return client, response


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def fail_times(username: str, n: int, ip: str = HOME) -> list[int]:
    return [sign_in(username, WRONG, ip)[1].status_code for _ in range(n)]


def test_the_fifth_failure_locks_and_the_correct_password_is_then_refused(sme_owner):
    username = sme_owner.user.username
    assert fail_times(username, 4) == [200] * 4  # the form again, with its error
    _client, fifth = sign_in(username, WRONG)
    assert fifth.status_code == 429
    client, sixth = sign_in(username, PASSWORD)
    assert sixth.status_code == 429
    assert not signed_in(client)
    assert 'id="locked-out"' in sixth.content.decode()
    assert int(sixth["Retry-After"]) == settings.AXES_COOLOFF_TIME.total_seconds() == 15 * 60


def test_other_users_on_the_same_address_are_not_affected(sme_owner, other_sme):
    fail_times(sme_owner.user.username, 5)
    client, response = sign_in(other_sme.user.username, PASSWORD, HOME)
    assert response.status_code == 302
    assert signed_in(client)


def test_the_same_user_from_another_address_is_not_affected(sme_owner):
    fail_times(sme_owner.user.username, 5)
    client, response = sign_in(sme_owner.user.username, PASSWORD, ELSEWHERE)
    assert response.status_code == 302
    assert signed_in(client)


def test_a_forged_forwarded_header_does_not_escape_the_lock(sme_owner):
    fail_times(sme_owner.user.username, 5)
    client, response = sign_in(sme_owner.user.username, PASSWORD, HOME, HTTP_X_FORWARDED_FOR="192.0.2.9")
    assert response.status_code == 429
    assert not signed_in(client)


def test_the_lock_lifts_after_the_cool_off(sme_owner):
    username = sme_owner.user.username
    fail_times(username, 5)
    assert sign_in(username, PASSWORD)[1].status_code == 429
    # The clock moves on past the 15 minutes since the last counted failure.
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=16))
    client, response = sign_in(username, PASSWORD)
    assert response.status_code == 302
    assert signed_in(client)


def test_attempts_while_locked_do_not_extend_the_lock(sme_owner):
    username = sme_owner.user.username
    fail_times(username, 5)
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=14))
    assert fail_times(username, 3) == [429] * 3
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=16))
    assert sign_in(username, PASSWORD)[1].status_code == 302


def test_a_successful_sign_in_resets_the_count(sme_owner):
    username = sme_owner.user.username
    fail_times(username, 4)
    assert sign_in(username, PASSWORD)[1].status_code == 302
    assert fail_times(username, 4) == [200] * 4
    assert sign_in(username, PASSWORD)[1].status_code == 302


def test_unknown_usernames_lock_too_without_touching_real_accounts(sme_owner):
    assert fail_times("nobody-here", 5)[-1] == 429
    assert sign_in(sme_owner.user.username, PASSWORD)[1].status_code == 302


def test_failures_and_the_lock_are_in_the_security_log_without_the_password(sme_owner):
    username = sme_owner.user.username
    fail_times(username, 5)
    sign_in(username, PASSWORD)  # refused while locked
    failed = SecurityEvent.objects.filter(kind=SecurityEventKind.LOGIN_FAILED, username=username)
    assert failed.count() == 6
    assert failed.filter(ip=HOME, path=reverse("login"), method="POST").count() == 6
    assert failed.filter(detail__while_locked=True).count() == 1
    locks = SecurityEvent.objects.filter(kind=SecurityEventKind.LOCKED_OUT, username=username).order_by("id")
    assert [row.detail["newly_locked"] for row in locks] == [True, False]
    assert locks[0].detail["failures"] == 5
    stored = [str(e.detail) for e in SecurityEvent.objects.all()]
    stored += [a.post_data + a.get_data for a in AccessAttempt.objects.all()]
    assert stored
    assert not [text for text in stored if WRONG in text or PASSWORD in text]


def test_a_json_client_gets_the_error_body(sme_owner):
    fail_times(sme_owner.user.username, 5)
    _client, response = sign_in(sme_owner.user.username, PASSWORD, HTTP_ACCEPT="application/json")
    assert response.status_code == 429
    body = response.json()
    assert body["code"] == "locked_out"
    assert "15" in body["message"]
    assert body["fields"] == {}


def test_the_admin_sign_in_is_locked_the_same_way(sme_owner):
    username = sme_owner.user.username
    fail_times(username, 5)
    client = Client()
    response = client.post(
        reverse("admin:login"), {"username": username, "password": PASSWORD}, REMOTE_ADDR=HOME
    )
    assert response.status_code == 429
    assert not signed_in(client)


@pytest.mark.parametrize(
    ("proxies", "forwarded", "remote", "expected"),
    [
        (0, "192.0.2.9", "10.0.0.1", "10.0.0.1"),  # no proxy: the header is the client's and ignored
        (1, "192.0.2.9", "10.0.0.1", "192.0.2.9"),  # one proxy appended the client's address
        (1, "203.0.113.5, 192.0.2.9", "10.0.0.1", "192.0.2.9"),  # a forged left part is skipped
        (2, "203.0.113.5, 192.0.2.9, 10.0.0.7", "10.0.0.1", "192.0.2.9"),
        (2, "192.0.2.9", "10.0.0.1", "10.0.0.1"),  # fewer hops than proxies: it bypassed them
        (1, "not-an-address", "10.0.0.1", "10.0.0.1"),
    ],
)
def test_the_client_address_behind_trusted_proxies(proxies, forwarded, remote, expected):
    request = RequestFactory().post("/", HTTP_X_FORWARDED_FOR=forwarded, REMOTE_ADDR=remote)
    with override_settings(AXES_IPWARE_PROXY_COUNT=proxies):
        assert trusted_client_ip(request) == expected


def test_behind_a_proxy_users_behind_one_proxy_address_are_told_apart(sme_owner):
    username = sme_owner.user.username
    with override_settings(AXES_IPWARE_PROXY_COUNT=1):
        for _ in range(5):
            sign_in(username, WRONG, "10.9.9.9", HTTP_X_FORWARDED_FOR="198.51.100.1")
        # Same proxy, another client: allowed. The locked client through the proxy: refused.
        _c, other = sign_in(username, PASSWORD, "10.9.9.9", HTTP_X_FORWARDED_FOR="198.51.100.2")
        _c, same = sign_in(username, PASSWORD, "10.9.9.9", HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert other.status_code == 302
    assert same.status_code == 429
    assert AccessAttempt.objects.get().ip_address == "198.51.100.1"
