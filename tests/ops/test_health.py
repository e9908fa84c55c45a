"""/health/ and /metrics: private, and each dependency's failure is reported by name with a 503."""

from __future__ import annotations

from unittest import mock

import pytest
from django.db import OperationalError
from django.test import Client, override_settings

from core import views_health
from tests import factories as f
from tests.signin import verified_client

pytestmark = pytest.mark.django_db

TOKEN = "t" * 40
DEAD_PORT_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1: refused at once


def get(path: str = "/health/", **headers: str):
    return Client().get(path, **headers)


@pytest.fixture(autouse=True)
def _token():
    with override_settings(HEALTH_TOKEN=TOKEN, OPS_ALLOWED_IPS=[], HEALTH_CHECK_TIMEOUT=0.5):
        yield


def with_token(path: str = "/health/"):
    return get(path, HTTP_AUTHORIZATION=f"Bearer {TOKEN}")


@pytest.mark.parametrize("path", ["/health/", "/metrics"])
def test_not_public(path, anonymous, sme_owner, partner):
    assert get(path).status_code == 404
    assert get(path, HTTP_AUTHORIZATION="Bearer wrong-token").status_code == 404
    assert get(path, HTTP_X_HEALTH_TOKEN=TOKEN[:-1]).status_code == 404
    assert get(path, HTTP_X_FORWARDED_FOR="127.0.0.1").status_code == 404
    for persona in (sme_owner, partner):
        assert persona.browser().get(path).status_code == 404
    with override_settings(HEALTH_TOKEN=""):
        # No token configured: an empty bearer must not match the empty setting.
        assert get(path, HTTP_AUTHORIZATION="Bearer ").status_code == 404


@pytest.mark.parametrize("path", ["/health/", "/metrics"])
def test_token_address_staff_and_officials_may_read(path, official):
    assert with_token(path).status_code == 200
    assert get(path, HTTP_X_HEALTH_TOKEN=TOKEN).status_code == 200
    assert official.browser().get(path).status_code == 200
    # Staff need the second factor (core.otp) like officials; signed in past it.
    staff = verified_client(f.UserFactory(username="ops", is_staff=True))
    assert staff.get(path).status_code == 200
    with override_settings(OPS_ALLOWED_IPS=["10.0.0.0/8"]):
        assert get(path, REMOTE_ADDR="10.1.2.3").status_code == 200
        assert get(path, REMOTE_ADDR="192.168.0.9").status_code == 404


def test_metrics_are_prometheus_text():
    with_token("/health/")
    response = with_token("/metrics")
    assert response["Content-Type"].startswith("text/plain")
    body = response.content.decode()
    assert "django_http_requests_total_by_method_total" in body or "django_http_requests_before" in body


def test_all_ok_without_a_broker():
    response = with_token()
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["failed"] == []
    assert set(body["checks"]) == {"database", "cache", "broker", "worker"}
    assert body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["cache"]["status"] == "ok"
    # Eager mode: tasks run in the web process, there is no broker or worker to ask.
    assert body["checks"]["broker"]["status"] == "skipped"
    assert body["checks"]["worker"]["status"] == "skipped"
    for check in body["checks"].values():
        assert isinstance(check["latency_ms"], float | int)
    assert "no-store" in response["Cache-Control"]


def ping_replies(replies):
    return mock.patch.object(views_health.current_app.control, "ping", return_value=replies)


@override_settings(CELERY_TASK_ALWAYS_EAGER=False, CELERY_BROKER_URL="memory://")
def test_all_ok_with_a_broker_and_a_worker():
    with ping_replies([{"celery@web1": {"ok": "pong"}}]) as ping:
        response = with_token()
    assert response.status_code == 200, response.json()
    checks = response.json()["checks"]
    assert checks["broker"]["status"] == "ok"
    assert checks["worker"]["status"] == "ok"
    assert ping.call_args.kwargs["timeout"] == 0.5


def failed_names(response) -> list[str]:
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "fail"
    for name in body["failed"]:
        assert body["checks"][name]["status"] == "fail"
    return body["failed"]


def test_database_down():
    broken = mock.MagicMock()
    broken.cursor.side_effect = OperationalError("connection to server at 10.0.0.5 failed: password=secret")
    with mock.patch.object(views_health, "connection", broken):
        response = with_token()
    assert failed_names(response) == ["database"]
    detail = response.json()["checks"]["database"]["detail"]
    assert detail == "OperationalError"  # the type only: the message may name hosts or credentials
    assert "secret" not in response.content.decode()


def test_cache_down():
    dead_cache = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": DEAD_PORT_REDIS}
    }
    with override_settings(CACHES=dead_cache):
        response = with_token()
    assert failed_names(response) == ["cache"]


@override_settings(CELERY_TASK_ALWAYS_EAGER=False, CELERY_BROKER_URL=DEAD_PORT_REDIS)
def test_broker_down():
    response = with_token()
    # Without a broker no worker can be asked either; both are named.
    assert failed_names(response) == ["broker", "worker"]


@override_settings(CELERY_TASK_ALWAYS_EAGER=False, CELERY_BROKER_URL="memory://")
def test_worker_down():
    with ping_replies([]):
        response = with_token()
    assert failed_names(response) == ["worker"]
    assert response.json()["checks"]["worker"]["detail"] == "no worker answered"


def test_health_accepts_only_get():
    assert Client().post("/health/", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 405
