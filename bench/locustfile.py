"""The mixed load of `make loadtest` (bench/loadtest.py): officials on dashboards, lists and exports,
partner firms on their portfolio and mentoring log, SMEs on their own applications.

Every request is named "read …" or "write …" so that loadtest.py can report the p95 of each kind. The
accounts and ids come from the JSON file named by LOADTEST_CONFIG (written by loadtest.py):
{"officials": [token, …], "partners": [[token, [match ids], [mentor ids]], …],
 "smes": [[token, [draft ids]], …],
 "regions": [...], "years": [...]}.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import time
from pathlib import Path
from typing import Any

from locust import HttpUser, between, task

CONFIG: dict[str, Any] = json.loads(Path(os.environ["LOADTEST_CONFIG"]).read_text(encoding="utf-8"))
_officials = itertools.cycle(CONFIG["officials"])
_partners = itertools.cycle(CONFIG["partners"])
_smes = itertools.cycle(CONFIG["smes"])
EXPORT_WAIT_S = 20.0


class _User(HttpUser):
    abstract = True
    wait_time = between(0.5, 2.0)

    def use(self, token: str) -> None:
        self.client.headers["Authorization"] = f"Token {token}"
        self.client.headers["Accept-Language"] = "ko"


class Official(_User):
    """A ministry official: dashboards (70 %), lists (20 %), an export now and then (10 %)."""

    weight = 5

    def on_start(self) -> None:
        self.use(next(_officials))

    @task(7)
    def dashboard(self) -> None:
        region = random.choice([*CONFIG["regions"], ""])
        query = f"?region={region}" if region else ""
        self.client.get(f"/api/v1/kpi/dashboard/{query}", name="read kpi dashboard")

    @task(1)
    def applications(self) -> None:
        page = random.randint(1, 50)
        self.client.get(f"/api/v1/applications/?status=submitted&page={page}", name="read application list")

    @task(1)
    def factories(self) -> None:
        region, year = random.choice(CONFIG["regions"]), random.choice(CONFIG["years"])
        self.client.get(
            f"/api/v1/factories/?region={region}&completion_year={year}", name="read factory list"
        )

    @task(1)
    def export(self) -> None:
        """A filtered export of the factory register: queued, polled until done, downloaded."""
        region, year = random.choice(CONFIG["regions"]), random.choice(CONFIG["years"])
        body = {
            "kind": "factories",
            "format": "csv",
            "filters": {"region": region, "completion_year": str(year)},
            "reason": "부하 시험 (load test)",
        }
        with self.client.post(
            "/api/v1/exports/", json=body, name="write export", catch_response=True
        ) as made:
            if made.status_code != 202:
                made.failure(f"{made.status_code}: {made.text[:200]}")
                return
            job = made.json()
        deadline = time.monotonic() + EXPORT_WAIT_S
        while time.monotonic() < deadline:
            time.sleep(0.5)
            detail = self.client.get(f"/api/v1/exports/{job['id']}/", name="read export status").json()
            if detail["status"] == "done":
                self.client.get(detail["download_url"], name="read export download")
                return
            if detail["status"] in ("failed", "expired"):
                return


class Partner(_User):
    """A partner firm: its portfolio and matches (reads), logging a mentoring session (write)."""

    weight = 3

    def on_start(self) -> None:
        token, self.matches, self.mentors = next(_partners)
        self.use(token)

    @task(3)
    def portfolio(self) -> None:
        self.client.get("/api/v1/partners/portfolio/", name="read partner portfolio")

    @task(2)
    def matches_list(self) -> None:
        self.client.get("/api/v1/partners/matches/", name="read match list")

    @task(1)
    def log_mentoring(self) -> None:
        match = random.choice(self.matches)
        self.client.post(
            f"/api/v1/partners/matches/{match}/activities/create/",
            json={
                "mentor": random.choice(self.mentors),
                "kind": "remote",
                "date": time.strftime("%Y-%m-%d"),
                "hours": "1.5",
                "notes": "부하 시험 (load test)",
            },
            name="write mentoring activity",
        )


class Sme(_User):
    """An SME: its applications (reads) and editing a draft (write)."""

    weight = 2

    def on_start(self) -> None:
        token, self.drafts = next(_smes)
        self.use(token)

    @task(3)
    def my_applications(self) -> None:
        self.client.get("/api/v1/applications/", name="read own applications")

    @task(1)
    def edit_draft(self) -> None:
        draft = random.choice(self.drafts)
        self.client.patch(
            f"/api/v1/applications/{draft}/update/",
            json={"title": f"스마트공장 구축 {random.randint(1, 999)}"},
            name="write draft update",
        )
