"""Request ids in responses, log records and Celery task headers; the per-request log line; JSON logs."""

from __future__ import annotations

import io
import json
import logging
import re
from types import SimpleNamespace

import pytest
from celery import current_app
from django.test import Client
from django.urls import reverse

from core.observability import (
    JsonFormatter,
    RequestIdFilter,
    accept_request_id,
    celery_before_publish,
    celery_task_postrun,
    celery_task_prerun,
    current_request_id,
    request_id_var,
)

pytestmark = pytest.mark.django_db

HEX32 = re.compile(r"^[0-9a-f]{32}$")


def test_every_response_carries_a_new_request_id(anonymous):
    first = Client().get(reverse("login"))["X-Request-ID"]
    second = Client().get(reverse("login"))["X-Request-ID"]
    assert HEX32.match(first)
    assert HEX32.match(second)
    assert first != second


def test_a_well_formed_incoming_id_is_kept_and_a_bad_one_replaced(anonymous):
    kept = Client().get(reverse("login"), HTTP_X_REQUEST_ID="lb-7f3a9c2e-0001")
    assert kept["X-Request-ID"] == "lb-7f3a9c2e-0001"
    for bad in ("short", "a" * 65, "evil\nINFO forged line", "id with spaces 12345", "../../etc/passwd"):
        assert accept_request_id(bad) != bad
        assert HEX32.match(accept_request_id(bad))


@pytest.mark.urls("tests.ops.urls_boom")
def test_log_records_inside_a_request_carry_its_id():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s"))
    logger = logging.getLogger("tests.ops.inside")
    logger.addHandler(handler)
    try:
        response = Client().get("/log-inside/", HTTP_X_REQUEST_ID="req-abcdef123456")
    finally:
        logger.removeHandler(handler)
    assert response.content.decode() == "req-abcdef123456" == response["X-Request-ID"]
    line = json.loads(stream.getvalue().strip())
    assert line["request_id"] == "req-abcdef123456"
    assert line["message"] == "inside the view"
    assert line["levelname"] == "WARNING"
    assert line["asctime"].endswith("+00:00")  # UTC
    # Outside a request the id is gone again.
    assert current_request_id() is None


def test_one_line_per_request_without_query_string_or_secrets(caplog, sme_owner):
    caplog.set_level(logging.INFO, logger="smartfactory.request")
    response = sme_owner.browser().get(
        reverse("applications:list"), {"q": "홍길동 010-1234-5678"}, HTTP_AUTHORIZATION="Token sekrit"
    )
    records = [r for r in caplog.records if r.name == "smartfactory.request"]
    assert len(records) == 1
    record = records[0]
    assert record.method == "GET"
    assert record.path == reverse("applications:list")
    assert record.status == response.status_code == 200
    assert record.user_id == sme_owner.user.pk
    assert record.duration_ms >= 0
    assert record.request_id == response["X-Request-ID"]
    text = record.getMessage()
    assert "010-1234-5678" not in text
    assert "sekrit" not in text
    assert "?" not in text


def test_an_anonymous_request_logs_no_user(caplog):
    caplog.set_level(logging.INFO, logger="smartfactory.request")
    Client().get(reverse("login"))
    (record,) = [r for r in caplog.records if r.name == "smartfactory.request"]
    assert record.user_id is None


@pytest.mark.filterwarnings("ignore:task_always_eager has no effect on send_task")
def test_the_request_id_travels_in_task_headers_to_the_worker():
    # Published for real to the in-memory broker (no worker): the message carries the request's id.
    token = request_id_var.set("req-0123456789ab")
    try:
        current_app.send_task("tests.ops.nothing", args=[1])
    finally:
        request_id_var.reset(token)
    with current_app.connection_for_read() as conn:
        queue = conn.SimpleQueue("celery")
        try:
            message = queue.get(timeout=2)
            message.ack()
        finally:
            queue.close()
    assert message.headers["request_id"] == "req-0123456789ab"
    assert message.headers["task"] == "tests.ops.nothing"

    # In the worker, task_prerun restores it for the task's log lines and task_postrun clears it.
    task = SimpleNamespace(request=SimpleNamespace(request_id=message.headers["request_id"]))
    celery_task_prerun(task_id=message.headers["id"], task=task)
    assert current_request_id() == "req-0123456789ab"
    celery_task_postrun(task_id=message.headers["id"])
    assert current_request_id() is None


def test_a_task_queued_outside_a_request_logs_under_its_task_id():
    headers: dict[str, str] = {}
    celery_before_publish(headers=headers)
    assert "request_id" not in headers
    task = SimpleNamespace(request=SimpleNamespace())
    celery_task_prerun(task_id="0b7e6c1a-2f7d-4a55-9a8e-1f6d2c3b4a59", task=task)
    assert current_request_id() == "0b7e6c1a2f7d4a559a8e1f6d2c3b4a59"
    celery_task_postrun(task_id="0b7e6c1a-2f7d-4a55-9a8e-1f6d2c3b4a59")
    assert current_request_id() is None


def test_a_forged_task_header_is_not_trusted():
    task = SimpleNamespace(request=SimpleNamespace(request_id="x\nforged"))
    celery_task_prerun(task_id="11111111-2222-3333-4444-555555555555", task=task)
    assert current_request_id() == "11111111222233334444555555555555"
    celery_task_postrun(task_id="11111111-2222-3333-4444-555555555555")
