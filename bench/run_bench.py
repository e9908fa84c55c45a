"""Benchmark: seed the national scale into its own database and record the figures.

Run by `make bench` (`.venv/bin/python bench/run_bench.py`). It uses the database `smartfactory_bench`
on the local server named by DATABASE_URL (default postgres://postgres@127.0.0.1:5432), never another
host, creates and migrates it, times `seed_demo` at small and national scale (wall clock, each in a fresh
process), counts the national rows, times a matching run over the national data (SMEs ↔ partner firms of
the open win-win type 1 call, in a fresh process that reports its wall time and peak memory), reconciles
the money layer, refreshes the KPI snapshot, seeds double national scale into a second database
(smartfactory_bench2x) and refreshes its snapshot, then times the ministry dashboard API on both (real
server processes on 127.0.0.1, requests alternating between them) and the dashboard page, and merges
the figures into bench/results.json as {"name": {"value": number, "unit": "…"}}, keeping figures other
tools wrote there.

BENCH_DATABASE names another database than smartfactory_bench (e.g. to benchmark beside a colleague),
BENCH_DATABASE_2X another than that name + "2x"; `--matching-only` skips the seeding and times the
matching run on the data already in that database; `--kpi-only` skips all seeding and times only the
KPI figures on the data already in both databases; `--skip-2x` leaves double national scale out.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import math
import os
import re
import selectors
import statistics
import subprocess
import sys
import time
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlencode, urlparse

import psycopg

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results.json"
DATABASE = os.environ.get("BENCH_DATABASE", "smartfactory_bench")
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/smartfactory"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
PYTHON = sys.executable

# Time limits (seconds) per step; the national seed must finish in 10 minutes (DESIGN.md §8).
ENSURE_TIMEOUT = 120
MIGRATE_TIMEOUT = 600
SMALL_TIMEOUT = 120
NATIONAL_TIMEOUT = 900
COUNT_TIMEOUT_MS = 120_000
MATCHING_TIMEOUT = 300
MATCHING_PROGRAM = "winwin_type1"

COUNTED = [
    ("national_companies", "companies_company"),
    ("national_workplaces", "companies_workplace"),
    ("national_suppliers", "companies_supplier"),
    ("national_calls", "programs_call"),
    ("national_applications", "applications_application"),
    ("national_status_changes", "applications_applicationstatuschange"),
    ("national_evaluation_scores", "applications_evaluationscore"),
    ("national_agreements", "applications_projectagreement"),
    ("national_disbursement_requests", "funding_disbursementrequest"),
    ("national_ledger_entries", "funding_ledgerentry"),
    ("national_factories", "factories_factory"),
    ("national_level_confirmations", "factories_levelconfirmation"),
    ("national_outcome_reports", "factories_outcomereport"),
    ("national_training_cohorts", "training_trainingcohort"),
]
RECONCILE_TIMEOUT = 300
COUNTED_2X = ("national_companies", "national_applications", "national_ledger_entries", "national_factories")

# The KPI figures (issue #6): a snapshot refresh, then the ministry dashboard's API and page served by a
# real server process on 127.0.0.1, signed in as the demo `official` login; the same API at double scale.
DATABASE_2X = os.environ.get("BENCH_DATABASE_2X", f"{DATABASE}2x")
NATIONAL2X_TIMEOUT = 1200
KPI_REFRESH_TIMEOUT = 300
KPI_API_URL = "/api/v1/kpi/dashboard/"
KPI_PAGE_URL = "/kpi/"
LOGIN_URL = "/accounts/login/"
KPI_LOGIN = ("official", "demo-pass-2026!")
API_WARMUP = 10
API_REQUESTS = 60  # at least 50 (issue #6)
PAGE_WARMUP = 3
PAGE_REQUESTS = 15  # at least 10
SERVER_START_TIMEOUT = 60.0  # seconds until the server prints its port
REQUEST_TIMEOUT = 30.0  # seconds per request
MEASURE_BUDGET = 180.0  # seconds for all the requests of one server; the loop stops and fails beyond it


def fail(message: str) -> None:
    print(f"\n[bench] {message}\n", file=sys.stderr)
    sys.exit(1)


def bench_url(database: str = DATABASE) -> tuple[str, dict[str, object]]:
    """A benchmark database's URL and connection parameters: the user, password and port of
    DATABASE_URL, on the local host only."""
    parsed = urlparse(os.environ.get("DATABASE_URL", DEFAULT_URL))
    host = parsed.hostname or "127.0.0.1"
    if host not in LOCAL_HOSTS:
        fail(f"the benchmark runs against a local PostgreSQL only (127.0.0.1), not {host!r}.")
    user = unquote(parsed.username or "postgres")
    port = parsed.port or 5432
    credentials = quote(user, safe="")
    if parsed.password:
        credentials += ":" + quote(unquote(parsed.password), safe="")
    url = f"postgres://{credentials}@127.0.0.1:{port}/{database}"
    params: dict[str, object] = {"host": "127.0.0.1", "port": port, "user": user, "dbname": database}
    if parsed.password:
        params["password"] = unquote(parsed.password)
    return url, params


def run(label: str, args: list[str], env: dict[str, str], timeout: int) -> float:
    """Run a step in a fresh process (output goes straight to the terminal); returns wall-clock seconds."""
    print(f"[bench] {label}: {' '.join(args[1:])}", flush=True)
    started = time.perf_counter()
    try:
        subprocess.run(args, cwd=ROOT, env=env, check=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        fail(f"{label} did not finish within {timeout} s.")
    except subprocess.CalledProcessError as exc:
        fail(f"{label} failed with exit code {exc.returncode}.")
    return time.perf_counter() - started


def count_rows(params: dict[str, object], only: tuple[str, ...] = ()) -> dict[str, int]:
    counts: dict[str, int] = {}
    with psycopg.connect(**params, connect_timeout=10) as conn:  # type: ignore[arg-type]
        conn.execute(f"SET statement_timeout = {COUNT_TIMEOUT_MS}")
        for name, table in COUNTED:
            if only and name not in only:
                continue
            row = conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()  # noqa: S608 - fixed names
            counts[name] = int(row[0]) if row else 0
    return counts


def open_call_id(params: dict[str, object], program_type: str) -> int:
    """The id of the call of this program type open now (latest year and round first)."""
    with psycopg.connect(**params, connect_timeout=10) as conn:  # type: ignore[arg-type]
        row = conn.execute(
            "SELECT id FROM programs_call WHERE program_type = %s AND status = 'published' "
            "AND opens_at <= now() AND closes_at >= now() ORDER BY fiscal_year DESC, round DESC, id LIMIT 1",
            (program_type,),
        ).fetchone()
    if row is None:
        fail(f"no open {program_type} call in {DATABASE}: seed the national data first.")
        raise SystemExit(1)  # fail() has exited already; this tells the type checker
    return int(row[0])


def run_matching(params: dict[str, object], env: dict[str, str]) -> dict[str, object]:
    """Preview the optimal SME ↔ partner allocation of the open win-win type 1 call over all its partner
    firms in a fresh process (`manage.py matching_run --json`); returns the summary it prints: wall time
    of the run (elapsed_s) and the process's peak resident memory (peak_mb, from getrusage)."""
    call_id = open_call_id(params, MATCHING_PROGRAM)
    args = [PYTHON, "manage.py", "matching_run", "--call", str(call_id), "--json"]
    print(f"[bench] matching national: {' '.join(args[1:])}", flush=True)
    try:
        done = subprocess.run(
            args, cwd=ROOT, env=env, check=True, timeout=MATCHING_TIMEOUT, capture_output=True, text=True
        )
    except subprocess.TimeoutExpired:
        fail(f"matching did not finish within {MATCHING_TIMEOUT} s.")
    except subprocess.CalledProcessError as exc:
        fail(f"matching failed with exit code {exc.returncode}:\n{exc.stderr}")
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if not lines:
        fail(f"matching printed no summary:\n{done.stdout}\n{done.stderr}")
    summary: dict[str, object] = json.loads(lines[-1])
    print(
        "[bench] matching: {partners} partner firms, {candidates:,} candidate SMEs, {allocated:,} of "
        "{capacity:,} places filled, total fit {total_score:,}; {elapsed_s} s, {peak_mb} MB".format(
            **summary
        ),
        flush=True,
    )
    if not summary.get("partners"):
        fail(f"call {call_id} has no partner firm's agreement: the national seed should create them.")
    return summary


def run_reconcile(env: dict[str, str]) -> dict[str, dict[str, object]]:
    """Reconcile the whole national money layer in a fresh process (`manage.py reconcile`): every
    agreement's funding rows against the ledger and the open requests, every call's and win-win
    agreement's commitment against its projects. The figure is the time the command reports for the
    reconciliation itself (without Python start-up). A mismatch fails the benchmark."""
    args = [PYTHON, "manage.py", "reconcile"]
    print(f"[bench] reconcile national: {' '.join(args[1:])}", flush=True)
    try:
        done = subprocess.run(
            args, cwd=ROOT, env=env, check=True, timeout=RECONCILE_TIMEOUT, capture_output=True, text=True
        )
    except subprocess.TimeoutExpired:
        fail(f"reconcile did not finish within {RECONCILE_TIMEOUT} s.")
    except subprocess.CalledProcessError as exc:
        fail(f"reconcile found mismatches or failed ({exc.returncode}):\n{exc.stdout}\n{exc.stderr}")
    found = re.search(r"\((\d+(?:\.\d+)?)s\)", done.stdout)
    if found is None:
        fail(f"reconcile printed no time:\n{done.stdout}")
        raise SystemExit(1)
    print(done.stdout, flush=True)
    return {"reconcile_national_s": {"value": round(float(found.group(1)), 2), "unit": "s"}}


def matching_figures(summary: dict[str, object]) -> dict[str, dict[str, object]]:
    return {
        "matching_national_s": {"value": round(float(str(summary["elapsed_s"])), 2), "unit": "s"},
        "matching_national_peak_mb": {"value": round(float(str(summary["peak_mb"])), 1), "unit": "MB"},
    }


def run_kpi_refresh(env: dict[str, str], label: str) -> float:
    """Refresh the live KPI snapshot in a fresh process (`manage.py kpi_refresh`): every registered metric
    computed from the raw rows and stored as one snapshot with its dashboard summary. The figure is the
    time the command reports for the refresh itself ("… cells in 12.34 s", without Python start-up); the
    wall clock of the process when it reports none."""
    args = [PYTHON, "manage.py", "kpi_refresh"]
    print(f"[bench] kpi refresh {label}: {' '.join(args[1:])}", flush=True)
    started = time.perf_counter()
    try:
        done = subprocess.run(
            args, cwd=ROOT, env=env, check=True, timeout=KPI_REFRESH_TIMEOUT, capture_output=True, text=True
        )
    except subprocess.TimeoutExpired:
        fail(f"kpi_refresh did not finish within {KPI_REFRESH_TIMEOUT} s.")
    except subprocess.CalledProcessError as exc:
        fail(f"kpi_refresh failed ({exc.returncode}):\n{exc.stdout}\n{exc.stderr}")
    wall = time.perf_counter() - started
    print(done.stdout.rstrip(), flush=True)
    # "… 412 cells in 12.34 s (computed in …)", or "(12.34s)" like reconcile.
    found = re.search(r"\bin (\d+(?:\.\d+)?) s\b", done.stdout) or re.search(
        r"\((\d+(?:\.\d+)?) ?s\)", done.stdout
    )
    if found is None:
        print(f"[bench] kpi_refresh reported no time: the process's wall clock counts ({wall:.2f} s)")
        return wall
    return float(found.group(1))


# --- A real server process --------------------------------------------------------------------------------
# The dashboard is timed through HTTP against the project's WSGI application served by the standard
# library's wsgiref server in a child process (this script with --serve): single-threaded, one request at a
# time, DJANGO_DEBUG=false, persistent database connections (CONN_MAX_AGE) as in production. The child
# wraps the application and adds a `Server-Timing: app;dur=…` header: the time from the WSGI call to the
# whole body being produced and the response closed (middleware, session, view, template, the
# request_finished signal), without HTTP parsing or the socket. The client measures the round trip
# (connect, request, whole body read) on 127.0.0.1.


def serve() -> None:
    """Child process: serve config.wsgi on 127.0.0.1 at a free port; print the port, then serve until
    killed."""
    import warnings
    from wsgiref.simple_server import WSGIRequestHandler, make_server

    # WhiteNoise serves from the finders here (no collectstatic); its note about STATIC_ROOT is noise.
    warnings.filterwarnings("ignore", message="No directory at")
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()

    def timed(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        captured: list[Any] = []

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            captured[:] = [status, headers, exc_info]
            return lambda data: None  # Django never uses write()

        started = time.perf_counter()
        result = application(environ, capture)
        try:
            body = b"".join(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        elapsed_ms = (time.perf_counter() - started) * 1000
        status, headers, exc_info = captured
        start_response(status, [*headers, ("Server-Timing", f"app;dur={elapsed_ms:.3f}")], exc_info)
        return [body]

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

    with make_server("127.0.0.1", 0, timed, handler_class=QuietHandler) as server:
        print(f"PORT {server.server_port}", flush=True)
        server.serve_forever()


class Server:
    """A child process serving the project on 127.0.0.1, and a signed-in client of it."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.process: subprocess.Popen[str] | None = None
        self.port = 0
        self.cookies: dict[str, str] = {}

    def __enter__(self) -> Server:
        self.process = subprocess.Popen(
            [PYTHON, str(Path(__file__).resolve()), "--serve"],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None  # noqa: S101 - stdout=PIPE
        with selectors.DefaultSelector() as waiting:
            waiting.register(self.process.stdout, selectors.EVENT_READ)
            if not waiting.select(timeout=SERVER_START_TIMEOUT):
                self.stop()
                fail(f"the server did not start within {SERVER_START_TIMEOUT:.0f} s.")
        line = self.process.stdout.readline()
        if not line.startswith("PORT "):
            self.stop()
            fail(f"the server did not start: {line!r}")
        self.port = int(line.split()[1])
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)

    def request(
        self, method: str, path: str, body: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], bytes, float, float]:
        """One request; (status, headers, body, round trip ms, server ms)."""
        headers = {"Host": f"127.0.0.1:{self.port}", "Accept-Language": "ko"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if body is not None:
            data = urlencode(body).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = f"http://127.0.0.1:{self.port}"
        started = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=REQUEST_TIMEOUT)
        try:
            conn.request(method, path, body=data, headers=headers)
            response = conn.getresponse()
            content = response.read()
        finally:
            conn.close()
        round_trip = (time.perf_counter() - started) * 1000
        for value in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(value).items():
                self.cookies[name] = morsel.value
        timing = re.search(r"app;dur=([\d.]+)", response.headers.get("Server-Timing", ""))
        server = float(timing.group(1)) if timing else round_trip
        return response.status, dict(response.headers), content, round_trip, server

    def sign_in(self, username: str, password: str) -> None:
        """Sign in through the login form, as a browser does (CSRF cookie and token, then the session)."""
        status, _headers, content, _rt, _server = self.request("GET", LOGIN_URL)
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', content)
        if status != 200 or token is None:
            fail(f"the login page answered {status} without a CSRF token.")
            raise SystemExit(1)
        form = {"username": username, "password": password, "csrfmiddlewaretoken": token.group(1).decode()}
        status, _headers, _content, _rt, _server = self.request("POST", LOGIN_URL, form)
        if status != 302 or "sessionid" not in self.cookies:
            fail(f"signing in as {username!r} failed ({status}): seed the demo data first.")

    def get(self, path: str, *, json_body: bool) -> tuple[float, float]:
        """One GET that must answer 200 (and JSON for the API); (round trip, server time) in ms."""
        status, headers, content, round_trip, server = self.request("GET", path)
        if status != 200:
            fail(f"GET {path} answered {status}: {content[:300]!r}")
        if json_body and not headers.get("Content-Type", "").startswith("application/json"):
            fail(f"GET {path} did not answer JSON ({headers.get('Content-Type')!r}).")
        return round_trip, server


class Timings:
    """Round trips and server times of one server's timed requests, in ms."""

    def __init__(self) -> None:
        self.round_trips: list[float] = []
        self.servers: list[float] = []

    def add(self, timing: tuple[float, float]) -> None:
        self.round_trips.append(timing[0])
        self.servers.append(timing[1])


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (p50 of 60 values: the 30th smallest; p95: the 57th)."""
    ordered = sorted(values)
    return ordered[max(1, math.ceil(len(ordered) * share)) - 1]


def ms(value: float) -> dict[str, object]:
    return {"value": round(value, 2), "unit": "ms"}


def measure_dashboards(envs: dict[str, dict[str, str]]) -> dict[str, dict[str, object]]:
    """Time the ministry dashboard API on each database at once: one server per database, each signed
    in as the demo official and warmed up, then the timed requests alternate between the servers
    (national, 2x, national, 2x …), so both scales see the same machine (the other load of a 2-core
    machine moves a figure by milliseconds; a ratio of figures taken minutes apart would measure that).
    Then the dashboard page on the first (national) server. Bounded in count and by MEASURE_BUDGET."""
    labels = list(envs)
    print(
        f"[bench] kpi dashboard ({', '.join(labels)}): GET {KPI_API_URL} ×{API_REQUESTS} each after "
        f"{API_WARMUP}; GET {KPI_PAGE_URL} ×{PAGE_REQUESTS} after {PAGE_WARMUP}",
        flush=True,
    )
    deadline = time.monotonic() + MEASURE_BUDGET

    def in_time(step: str) -> None:
        if time.monotonic() > deadline:
            fail(f"timing the dashboard took longer than {MEASURE_BUDGET:.0f} s; stopped at {step}.")

    with contextlib.ExitStack() as stack:
        servers = {label: stack.enter_context(Server(env)) for label, env in envs.items()}
        for server in servers.values():
            server.sign_in(*KPI_LOGIN)
            for _ in range(API_WARMUP):
                in_time("the warm-up")
                server.get(KPI_API_URL, json_body=True)
        api = {label: Timings() for label in labels}
        for n in range(API_REQUESTS):
            for label, server in servers.items():
                in_time(f"API request {n + 1}")
                api[label].add(server.get(KPI_API_URL, json_body=True))
        national = servers[labels[0]]
        page = Timings()
        for n in range(PAGE_WARMUP + PAGE_REQUESTS):
            in_time(f"page request {n + 1}")
            timing = national.get(KPI_PAGE_URL, json_body=False)
            if n >= PAGE_WARMUP:
                page.add(timing)

    figures: dict[str, dict[str, object]] = {}
    for label, timings in api.items():
        suffix = "" if label == labels[0] else f"_{label}"
        found = {
            "p50": percentile(timings.round_trips, 0.50),
            "p95": percentile(timings.round_trips, 0.95),
            "server_p50": percentile(timings.servers, 0.50),
            "server_p95": percentile(timings.servers, 0.95),
        }
        print(
            f"[bench] {label} {KPI_API_URL}: round trip p50 {found['p50']:.2f} ms, "
            f"p95 {found['p95']:.2f} ms; server p50 {found['server_p50']:.2f} ms, "
            f"p95 {found['server_p95']:.2f} ms",
            flush=True,
        )
        for name, value in found.items():
            figures[f"kpi_api_{name}_ms{suffix}"] = ms(value)
    page_server = statistics.median(page.servers)
    page_round_trip = statistics.median(page.round_trips)
    print(
        f"[bench] {labels[0]} {KPI_PAGE_URL}: server median {page_server:.2f} ms "
        f"(round trip {page_round_trip:.2f} ms)",
        flush=True,
    )
    figures["kpi_page_ms"] = ms(page_server)
    figures["kpi_page_round_trip_ms"] = ms(page_round_trip)
    return figures


def prepare_2x(env: dict[str, str], *, seed: bool) -> tuple[dict[str, str], dict[str, dict[str, object]]]:
    """Double national scale in its own database: create and migrate it, seed it (unless told not to),
    refresh its snapshot. Returns its environment and figures."""
    url2x, params2x = bench_url(DATABASE_2X)
    env2x = {**env, "DATABASE_URL": url2x}
    figures: dict[str, dict[str, object]] = {}
    run("database 2x", [PYTHON, "scripts/ensure_database.py", DATABASE_2X], env2x, ENSURE_TIMEOUT)
    run("migrate 2x", [PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], env2x, MIGRATE_TIMEOUT)
    if seed:
        seconds = run(
            "seed national2x",
            [PYTHON, "manage.py", "seed_demo", "--scale", "national2x", "--seed", "1", "--reset", "-v", "0"],
            env2x,
            NATIONAL2X_TIMEOUT,
        )
        figures["seed_national2x_s"] = {"value": round(seconds, 2), "unit": "s"}
        for name, rows in count_rows(params2x, COUNTED_2X).items():
            figures[name.replace("national_", "national2x_")] = {"value": rows, "unit": "rows"}
    refresh = run_kpi_refresh(env2x, "national2x")
    figures["kpi_snapshot_s_2x"] = {"value": round(refresh, 2), "unit": "s"}
    return env2x, figures


def measure_kpi(env: dict[str, str], *, with_2x: bool, seed_2x: bool) -> dict[str, dict[str, object]]:
    """The KPI figures: the national snapshot refresh (on the data already in the bench database), the
    2x database prepared unless left out, then the dashboard timings of both."""
    figures: dict[str, dict[str, object]] = {
        "kpi_snapshot_s": {"value": round(run_kpi_refresh(env, "national"), 2), "unit": "s"}
    }
    envs = {"national": env}
    if with_2x:
        envs["2x"], found = prepare_2x(env, seed=seed_2x)
        figures.update(found)
    figures.update(measure_dashboards(envs))
    return figures


# The export figures (issue #7): the national ledger (about 1,000,000 entries) exported to xlsx and CSV
# through the real export path, each in a fresh process (rows per second, peak memory), next to the same
# writer writing ledger rows from memory, and a 100,000-row companies import into a scratch database.
EXPORT_TIMEOUT = 900
IMPORT_ROWS = 100_000
IMPORT_DATABASE = f"{DATABASE}_import"
EXPORT_TARGETS = {
    "export_xlsx_peak_mb": ("<", 300),
    "export_csv_rows_per_s": (">", 150_000),
    "import_100k_s": ("<", 60),
}


def probe(label: str, args: list[str], env: dict[str, str], timeout: int = EXPORT_TIMEOUT) -> dict[str, Any]:
    print(f"[bench] {label}: export_probe.py {' '.join(args)}", flush=True)
    try:
        done = subprocess.run(
            [PYTHON, "bench/export_probe.py", *args],
            cwd=ROOT,
            env=env,
            check=True,
            timeout=timeout,
            capture_output=True,
            text=True,
        )
    except subprocess.TimeoutExpired:
        fail(f"{label} did not finish within {timeout} s.")
    except subprocess.CalledProcessError as exc:
        fail(f"{label} failed with exit code {exc.returncode}:\n{exc.stderr[-3000:]}")
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if not lines:
        fail(f"{label} printed no result:\n{done.stdout}\n{done.stderr}")
    result: dict[str, Any] = json.loads(lines[-1])
    print(f"[bench] {label}: {result}", flush=True)
    return result


def measure_exports(env: dict[str, str]) -> dict[str, dict[str, object]]:
    out = ROOT / "bench" / "output"
    out.mkdir(exist_ok=True)
    try:
        xlsx = probe(
            "export ledger xlsx", ["export", "--format", "xlsx", "--out", str(out / "ledger.xlsx")], env
        )
        csv = probe("export ledger csv", ["export", "--format", "csv", "--out", str(out / "ledger.csv")], env)
        memory = probe(
            "writer from memory",
            ["memory", "--rows", str(xlsx["rows"]), "--out", str(out / "memory.xlsx")],
            env,
        )
    finally:
        for name in ("ledger.xlsx", "ledger.csv", "memory.xlsx"):
            (out / name).unlink(missing_ok=True)
    scratch_url, _ = bench_url(IMPORT_DATABASE)
    scratch = env | {"DATABASE_URL": scratch_url, "IMPORTS_ROOT": str(out / "imports")}
    run("import database", [PYTHON, "scripts/ensure_database.py", IMPORT_DATABASE, "--recreate"], env, 120)
    run("import migrate", [PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], scratch, MIGRATE_TIMEOUT)
    imported = probe("import 100k companies", ["import", "--rows", str(IMPORT_ROWS)], scratch)
    figures: dict[str, dict[str, object]] = {
        "export_ledger_rows": {"value": xlsx["rows"], "unit": "rows"},
        "export_xlsx_s": {"value": xlsx["seconds"], "unit": "s"},
        "export_xlsx_rows_per_s": {"value": xlsx["rows_per_s"], "unit": "rows/s"},
        "export_xlsx_peak_mb": {"value": xlsx["peak_mb"], "unit": "MB"},
        "export_csv_s": {"value": csv["seconds"], "unit": "s"},
        "export_csv_rows_per_s": {"value": csv["rows_per_s"], "unit": "rows/s"},
        "export_csv_peak_mb": {"value": csv["peak_mb"], "unit": "MB"},
        "writer_from_memory_rows_per_s": {"value": memory["rows_per_s"], "unit": "rows/s"},
        "csv_writer_from_memory_rows_per_s": {"value": memory["csv_rows_per_s"], "unit": "rows/s"},
        "export_xlsx_vs_memory": {
            "value": round(xlsx["rows_per_s"] / memory["rows_per_s"], 3),
            "unit": "ratio",
        },
        "import_100k_s": {"value": imported["seconds"], "unit": "s"},
        "import_100k_peak_mb": {"value": imported["peak_mb"], "unit": "MB"},
    }
    for name, (op, limit) in EXPORT_TARGETS.items():
        value = float(figures[name]["value"])  # type: ignore[arg-type]
        met = value < limit if op == "<" else value > limit
        print(f"[bench] {name} = {value:,} (target {op} {limit:,}): {'met' if met else 'MISSED'}", flush=True)
    ratio = float(figures["export_xlsx_vs_memory"]["value"])  # type: ignore[arg-type]
    print(f"[bench] xlsx export / writer from memory = {ratio} (target >= 0.8)", flush=True)
    return figures


def load_results() -> dict[str, dict[str, object]]:
    if not RESULTS.exists():
        return {}
    try:
        loaded = json.loads(RESULTS.read_text(encoding="utf-8"))
    except json.JSONDecodeError:
        fail(f"{RESULTS} is not valid JSON; fix or remove it first (other tools' figures live there).")
    return loaded if isinstance(loaded, dict) else {}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--matching-only",
        action="store_true",
        help="time only the matching run, on the national data already seeded in the bench database",
    )
    parser.add_argument(
        "--kpi-only",
        action="store_true",
        help="time only the KPI figures, on the data already seeded in the bench databases (no seeding)",
    )
    parser.add_argument(
        "--skip-2x",
        action="store_true",
        help="leave out double national scale (kpi_api_p50_ms_2x; seeding it takes about 5 minutes)",
    )
    parser.add_argument(
        "--exports-only",
        action="store_true",
        help="time only the export and import figures, on the national data already seeded",
    )
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)  # the timed server child
    options = parser.parse_args()
    if options.serve:
        serve()
        return
    url, params = bench_url()
    env = os.environ.copy()
    env["DATABASE_URL"] = url
    env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    env["DJANGO_DEBUG"] = "false"  # no per-query debug bookkeeping while timing
    env["PYTHONDONTWRITEBYTECODE"] = "1"

    run("database", [PYTHON, "scripts/ensure_database.py", DATABASE], env, ENSURE_TIMEOUT)
    run("migrate", [PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], env, MIGRATE_TIMEOUT)
    if options.matching_only:
        figures = matching_figures(run_matching(params, env))
    elif options.kpi_only:
        figures = measure_kpi(env, with_2x=not options.skip_2x, seed_2x=False)
    elif options.exports_only:
        figures = measure_exports(env)
    else:
        figures = measure_all(params, env, with_2x=not options.skip_2x)
    save(figures)


def measure_all(
    params: dict[str, object], env: dict[str, str], *, with_2x: bool
) -> dict[str, dict[str, object]]:
    small = run(
        "seed small",
        [PYTHON, "manage.py", "seed_demo", "--scale", "small", "--seed", "1", "--reset", "-v", "0"],
        env,
        SMALL_TIMEOUT,
    )
    national = run(
        "seed national",
        [PYTHON, "manage.py", "seed_demo", "--scale", "national", "--seed", "1", "--reset"],
        env,
        NATIONAL_TIMEOUT,
    )
    figures: dict[str, dict[str, object]] = {
        "seed_small_s": {"value": round(small, 2), "unit": "s"},
        "seed_national_s": {"value": round(national, 2), "unit": "s"},
    }
    for name, rows in count_rows(params).items():
        figures[name] = {"value": rows, "unit": "rows"}
    figures.update(matching_figures(run_matching(params, env)))
    figures.update(run_reconcile(env))
    figures.update(measure_kpi(env, with_2x=with_2x, seed_2x=True))
    figures.update(measure_exports(env))
    return figures


def save(figures: dict[str, dict[str, object]]) -> None:
    results = load_results()
    results.update(figures)
    RESULTS.write_text(
        json.dumps(results, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8"
    )

    print(f"\n[bench] {RESULTS.relative_to(ROOT)}")
    name_width = max(len(name) for name in results)
    for name in sorted(results):
        entry: object = results[name]
        value = entry.get("value") if isinstance(entry, dict) else entry
        unit = entry.get("unit", "") if isinstance(entry, dict) else ""
        shown = f"{value:,}" if isinstance(value, int) else str(value)
        mark = " *" if name in figures else ""
        print(f"  {name:<{name_width}}  {shown:>14} {unit}{mark}")
    print("  (* measured in this run)")


if __name__ == "__main__":
    main()
