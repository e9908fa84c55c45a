"""Benchmark: seed the national scale into its own database and record the figures.

Run by `make bench` (`.venv/bin/python bench/run_bench.py`). It uses the database `smartfactory_bench`
on the local server named by DATABASE_URL (default postgres://postgres@127.0.0.1:5432), never another
host, creates and migrates it, times `seed_demo` at small and national scale (wall clock, each in a fresh
process), counts the national rows, times a matching run over the national data (SMEs ↔ partner firms of
the open win-win type 1 call, in a fresh process that reports its wall time and peak memory), and merges
the figures into bench/results.json as {"name": {"value": number, "unit": "…"}}, keeping figures other
tools wrote there.

BENCH_DATABASE names another database than smartfactory_bench (e.g. to benchmark beside a colleague);
`--matching-only` skips the seeding and times the matching run on the data already in that database.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote, unquote, urlparse

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


def fail(message: str) -> None:
    print(f"\n[bench] {message}\n", file=sys.stderr)
    sys.exit(1)


def bench_url() -> tuple[str, dict[str, object]]:
    """The benchmark database's URL and connection parameters: the user, password and port of
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
    url = f"postgres://{credentials}@127.0.0.1:{port}/{DATABASE}"
    params: dict[str, object] = {"host": "127.0.0.1", "port": port, "user": user, "dbname": DATABASE}
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


def count_rows(params: dict[str, object]) -> dict[str, int]:
    counts: dict[str, int] = {}
    with psycopg.connect(**params, connect_timeout=10) as conn:  # type: ignore[arg-type]
        conn.execute(f"SET statement_timeout = {COUNT_TIMEOUT_MS}")
        for name, table in COUNTED:
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
    only_matching = parser.parse_args().matching_only
    url, params = bench_url()
    env = os.environ.copy()
    env["DATABASE_URL"] = url
    env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    env["DJANGO_DEBUG"] = "false"  # no per-query debug bookkeeping while timing
    env["PYTHONDONTWRITEBYTECODE"] = "1"

    run("database", [PYTHON, "scripts/ensure_database.py", DATABASE], env, ENSURE_TIMEOUT)
    run("migrate", [PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], env, MIGRATE_TIMEOUT)
    figures = matching_figures(run_matching(params, env)) if only_matching else measure_all(params, env)
    save(figures)


def measure_all(params: dict[str, object], env: dict[str, str]) -> dict[str, dict[str, object]]:
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
