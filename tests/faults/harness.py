"""The fault tests' side of the private cluster, run as a child process with tests.faults.settings:

    python -m tests.faults.harness setup --log-rows N --tag T   # an official, N access-log rows tagged T
    python -m tests.faults.harness enqueue --count N --format xlsx --tag T   # jobs exporting those rows
    python -m tests.faults.harness status                 # every export job as one JSON line

Jobs are made with the real service (`export_job_create`), which queues the real task on the broker.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.faults.settings")

import django

django.setup()

from core.models import AccessAction, AccessLog, Organisation, User  # noqa: E402
from core.roles import OrganisationKind, Role  # noqa: E402
from core.services import membership_grant, organisation_create, user_create  # noqa: E402
from exports import services  # noqa: E402
from exports.models import ExportJob  # noqa: E402

USERNAME = "faults_official"


def setup(log_rows: int, tag: str) -> None:
    if not User.objects.filter(username=USERNAME).exists():
        org = Organisation.objects.filter(kind=OrganisationKind.MINISTRY).first() or organisation_create(
            kind=OrganisationKind.MINISTRY, name_ko="스마트제조혁신추진단", name_en="KOSMO"
        )
        user = user_create(username=USERNAME, password=None, display_name="장애 시험")
        membership_grant(user=user, organisation=org, role=Role.OFFICIAL)
    batch = 20_000
    for start in range(0, log_rows, batch):
        AccessLog.objects.bulk_create(
            AccessLog(
                username=f"user{n % 500}",
                ip=f"10.0.{n % 200}.{n % 250}",
                action=AccessAction.VIEW,
                resource=tag,
                subject=f"(주)시험기업{n % 3_000} (123-45-{n % 100_000:05d})",
            )
            for n in range(start, min(start + batch, log_rows))
        )


def enqueue(count: int, file_format: str, tag: str) -> None:
    user = User.objects.get(username=USERNAME)
    services.MAX_UNFINISHED_JOBS = count + 100  # the per-user quota is not what these tests are about
    ids = [
        str(
            services.export_job_create(
                actor=user,
                kind="access_log",
                file_format=file_format,
                params={"resource": tag},
                reason="장애 시험 (fault test)",
            ).pk
        )
        for _ in range(count)
    ]
    print(json.dumps(ids))


def request_download(tag: str, timeout: float) -> None:
    """The whole way through the API, as a client would: ask for a CSV of the tagged access-log rows, poll
    the job until the worker (another process) has made it, download it. Prints what was seen."""
    import time

    from rest_framework.test import APIClient

    user = User.objects.get(username=USERNAME)
    client = APIClient()
    client.force_authenticate(user)
    asked = client.post(
        "/api/v1/exports/",
        {
            "kind": "access_log",
            "format": "csv",
            "filters": {"resource": tag},
            "reason": "워커 시험 (worker test)",
        },
        format="json",
    )
    job = asked.json()
    statuses = [job.get("status")]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and statuses[-1] not in ("done", "failed"):
        time.sleep(0.3)
        statuses.append(client.get(f"/api/v1/exports/{job['id']}/").json()["status"])
    detail = client.get(f"/api/v1/exports/{job['id']}/").json()
    body = b""
    if detail["status"] == "done":
        download = client.get(detail["download_url"])
        body = b"".join(download.streaming_content)
    logs = list(
        AccessLog.objects.filter(resource="access_log", actor=user).values("action", "reason", "detail")
    )
    print(
        json.dumps(
            {
                "asked": asked.status_code,
                "statuses": statuses,
                "detail": detail,
                "lines": body.decode("utf-8-sig").count("\r\n"),
                "logs": logs,
            },
            ensure_ascii=False,
        )
    )


def status() -> None:
    rows = ExportJob.objects.order_by("requested_at").values(
        "id", "status", "attempts", "file_path", "row_count", "progress_done", "error"
    )
    print(json.dumps([{**row, "id": str(row["id"])} for row in rows]))


def main() -> None:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("setup")
    s.add_argument("--log-rows", type=int, default=0)
    s.add_argument("--tag", required=True)
    e = sub.add_parser("enqueue")
    e.add_argument("--count", type=int, default=1)
    e.add_argument("--format", default="csv")
    e.add_argument("--tag", required=True)
    sub.add_parser("status")
    d = sub.add_parser("request-download")
    d.add_argument("--tag", required=True)
    d.add_argument("--timeout", type=float, default=120)
    options = parser.parse_args()
    if options.command == "setup":
        setup(options.log_rows, options.tag)
    elif options.command == "enqueue":
        enqueue(options.count, options.format, options.tag)
    elif options.command == "request-download":
        request_download(options.tag, options.timeout)
    else:
        status()


if __name__ == "__main__":
    sys.exit(main())
