"""The mixed load of `make loadtest` (bench/loadtest.py): officials on dashboards, lists and exports,
partner firms on their portfolio and mentoring log, SMEs on their own applications.

Every request is named "read …" or "write …" so that loadtest.py can report the p95 of each kind; a
refused request keeps the start of its answer, so an error says why. The accounts and ids come from the
JSON file named by LOADTEST_CONFIG (written by loadtest.py):
{"officials": [token, …], "partners": [[token, [match ids], [mentor ids]], …],
 "smes": [[token, [draft ids]], …], "regions": [...], "years": [...]}.

FastHttpUser (geventhttpclient) rather than HttpUser (requests): the load generator shares the machine
with the server, and it costs several times less CPU per request.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import time
from pathlib import Path
from typing import Any

from locust import between, task
from locust.contrib.fasthttp import FastHttpUser

CONFIG: dict[str, Any] = json.loads(Path(os.environ["LOADTEST_CONFIG"]).read_text(encoding="utf-8"))
_officials = itertools.cycle(CONFIG["officials"])
_partners = itertools.cycle(CONFIG["partners"])
_smes = itertools.cycle(CONFIG["smes"])
EXPORT_WAIT_S = 20.0


class _User(FastHttpUser):
    abstract = True
    # A clerk reads each answer before the next click: one to five seconds (three on average).
    wait_time = between(1.0, 5.0)
    headers: dict[str, str]

    def use(self, token: str) -> None:
        self.headers = {"Authorization": f"Token {token}", "Accept-Language": "ko"}

    def call(self, method: str, url: str, *, name: str, body: Any = None, expect: int = 200) -> Any:
        """One request; anything but `expect` is a failure recorded with the start of the answer."""
        with self.client.request(
            method, url, json=body, headers=self.headers, name=name, catch_response=True
        ) as response:
            if response.status_code != expect:
                response.failure(f"{response.status_code}: {(response.text or '')[:300]}")
                return None
            return response


class Official(_User):
    """A ministry official: dashboards (70 %), lists (20 %), an export now and then (10 %)."""

    weight = 5

    def on_start(self) -> None:
        self.use(next(_officials))

    @task(7)
    def dashboard(self) -> None:
        region = random.choice([*CONFIG["regions"], ""])
        query = f"?region={region}" if region else ""
        self.call("GET", f"/api/v1/kpi/dashboard/{query}", name="read kpi dashboard")

    @task(1)
    def applications(self) -> None:
        self.call("GET", f"/api/v1/applications/?page={random.randint(1, 20)}", name="read application list")

    @task(1)
    def factories(self) -> None:
        region, year = random.choice(CONFIG["regions"]), random.choice(CONFIG["years"])
        url = f"/api/v1/factories/?region={region}&completion_year={year}"
        self.call("GET", url, name="read factory list")

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
        made = self.call("POST", "/api/v1/exports/", name="write export", body=body, expect=202)
        if made is None:
            return
        job_id = made.json()["id"]
        deadline = time.monotonic() + EXPORT_WAIT_S
        while time.monotonic() < deadline:
            time.sleep(0.5)
            answer = self.call("GET", f"/api/v1/exports/{job_id}/", name="read export status")
            if answer is None:
                return
            detail = answer.json()
            if detail["status"] == "done":
                self.call("GET", detail["download_url"], name="read export download")
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
        self.call("GET", "/api/v1/partners/portfolio/", name="read partner portfolio")

    @task(2)
    def matches_list(self) -> None:
        self.call("GET", "/api/v1/partners/matches/", name="read match list")

    @task(1)
    def log_mentoring(self) -> None:
        body = {
            "mentor": random.choice(self.mentors),
            "kind": "remote",
            "date": time.strftime("%Y-%m-%d"),
            "hours": "1.5",
            "notes": "부하 시험 (load test)",
        }
        url = f"/api/v1/partners/matches/{random.choice(self.matches)}/activities/create/"
        self.call("POST", url, name="write mentoring activity", body=body, expect=201)


class Sme(_User):
    """An SME: its applications (reads) and editing a draft (write)."""

    weight = 2

    def on_start(self) -> None:
        token, self.drafts = next(_smes)
        self.use(token)

    @task(3)
    def my_applications(self) -> None:
        self.call("GET", "/api/v1/applications/", name="read own applications")

    @task(1)
    def edit_draft(self) -> None:
        body = {"title": f"스마트공장 구축 {random.randint(1, 999)}"}
        url = f"/api/v1/applications/{random.choice(self.drafts)}/update/"
        self.call("PATCH", url, name="write draft update", body=body)
