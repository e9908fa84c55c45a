"""`make loadtest`: a bounded mixed load against gunicorn on 127.0.0.1 at national scale.

Uses the benchmark database of `make bench` (smartfactory_bench; seeded at national scale here when it is
not yet). Starts gunicorn (config/gunicorn.conf.py, production settings over plain HTTP on 127.0.0.1)
and one Celery worker on the local Redis, prepares API tokens (bench/loadtest_prepare.py), then runs
Locust headless in-process with LOADTEST_USERS users (default 50) for LOADTEST_SECONDS (default 60):
officials on dashboards, lists and exports, partner firms on their portfolio and mentoring log, SMEs
editing drafts (bench/locustfile.py). It records the p95 of reads and of writes and the error rate in
bench/results.json (`load_read_p95_ms`, `load_write_p95_ms`, `load_error_rate`) and exits 1 when a
target is missed (p95 read < 200 ms, write < 500 ms, no errors).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run_bench

ROOT = run_bench.ROOT
PYTHON = run_bench.PYTHON
PORT = int(os.environ.get("LOADTEST_PORT", "8765"))
USERS = int(os.environ.get("LOADTEST_USERS", "50"))
SECONDS = int(os.environ.get("LOADTEST_SECONDS", "60"))
SPAWN_RATE = 10
WORKERS = os.environ.get("LOADTEST_WEB_WORKERS", "5")
REDIS_URL = os.environ.get("LOADTEST_REDIS_URL", "redis://127.0.0.1:6379/14")
TARGETS = {"load_read_p95_ms": 200.0, "load_write_p95_ms": 500.0, "load_error_rate": 0.0}


def wait_for(url: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - 127.0.0.1 only
                return
        except OSError:
            time.sleep(0.5)
    run_bench.fail(f"the server at {url} did not answer within {timeout:.0f} s.")


def seeded(params: dict[str, object]) -> bool:
    try:
        return run_bench.count_rows(params, only=("national_companies",))["national_companies"] >= 40_000
    except Exception:
        return False


def run_locust(config_path: Path) -> dict[str, Any]:
    """Run the load in a child process (Locust monkey-patches the standard library with gevent)."""
    code = f"""
import json, sys
import gevent
from locust.env import Environment
from locust.stats import StatsEntry
sys.path.insert(0, {str(ROOT / "bench")!r})
import locustfile
env = Environment(user_classes=[locustfile.Official, locustfile.Partner, locustfile.Sme],
                  host="http://127.0.0.1:{PORT}")
runner = env.create_local_runner()
runner.start({USERS}, spawn_rate={SPAWN_RATE})
gevent.sleep({SECONDS})
runner.quit()
out = {{"kinds": {{}}, "requests": {{}}}}
for kind in ("read", "write"):
    merged = StatsEntry(env.stats, kind, "")
    for entry in env.stats.entries.values():
        if entry.name.startswith(kind + " "):
            merged.extend(entry)
    out["kinds"][kind] = {{"count": merged.num_requests, "failures": merged.num_failures,
                          "p50": merged.get_response_time_percentile(0.5),
                          "p95": merged.get_response_time_percentile(0.95)}}
for entry in env.stats.entries.values():
    out["requests"][entry.name] = {{"count": entry.num_requests, "failures": entry.num_failures,
                                   "p95": entry.get_response_time_percentile(0.95)}}
out["total"] = {{"count": env.stats.total.num_requests, "failures": env.stats.total.num_failures}}
out["errors"] = [str(e.to_dict()) for e in list(env.stats.errors.values())[:10]]
print("RESULT " + json.dumps(out))
"""
    env = os.environ.copy()
    env["LOADTEST_CONFIG"] = str(config_path)
    done = subprocess.run(
        [PYTHON, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=SECONDS + 120
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    if done.returncode != 0 or not lines:
        run_bench.fail(f"locust failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")
    result: dict[str, Any] = json.loads(lines[-1][len("RESULT ") :])
    return result


def main() -> None:
    url, params = run_bench.bench_url()
    env = os.environ.copy()
    env.update(
        {
            "DATABASE_URL": url,
            "PYTHONDONTWRITEBYTECODE": "1",
            "DJANGO_SETTINGS_MODULE": "config.settings.local",
            "DJANGO_DEBUG": "false",
        }
    )
    run_bench.run("database", [PYTHON, "scripts/ensure_database.py", run_bench.DATABASE], env, 120)
    run_bench.run("migrate", [PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], env, 600)
    if not seeded(params):
        run_bench.run(
            "seed national",
            [PYTHON, "manage.py", "seed_demo", "--scale", "national", "--seed", "1", "--reset"],
            env,
            run_bench.NATIONAL_TIMEOUT,
        )
        run_bench.run_kpi_refresh(env, "national")

    workdir = Path(tempfile.mkdtemp(prefix="loadtest-"))
    served = env | {
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(60),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_PROXY_COUNT": "0",
        "DJANGO_STATIC_ROOT": str(workdir / "static"),
        "CELERY_BROKER_URL": REDIS_URL,
        "CACHE_URL": REDIS_URL.rsplit("/", 1)[0] + "/13",
        "EXPORTS_ROOT": str(workdir / "exports"),
        "GUNICORN_BIND": f"127.0.0.1:{PORT}",
        "WEB_CONCURRENCY": WORKERS,
        "GUNICORN_ACCESS_LOG": "",
        "LOG_LEVEL": "WARNING",
    }
    processes: list[subprocess.Popen[bytes]] = []
    try:
        run_bench.run(
            "collectstatic", [PYTHON, "manage.py", "collectstatic", "--noinput", "-v", "0"], served, 300
        )
        prepared = subprocess.run(
            [PYTHON, "bench/loadtest_prepare.py"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if prepared.returncode != 0:
            run_bench.fail(f"preparing the accounts failed:\n{prepared.stderr[-3000:]}")
        config_path = workdir / "config.json"
        config_path.write_text(prepared.stdout.strip().splitlines()[-1], encoding="utf-8")
        log = (workdir / "server.log").open("wb")
        processes.append(
            subprocess.Popen(
                [str(ROOT / ".venv/bin/gunicorn"), "-c", "config/gunicorn.conf.py", "config.wsgi"],
                cwd=ROOT,
                env=served,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )
        processes.append(
            subprocess.Popen(
                [str(ROOT / ".venv/bin/celery"), "-A", "config", "worker", "-c", "1", "-l", "WARNING"],
                cwd=ROOT,
                env=served,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )
        wait_for(f"http://127.0.0.1:{PORT}/accounts/login/", 60)
        print(
            f"[loadtest] {USERS} users for {SECONDS} s against gunicorn ({WORKERS} workers) on :{PORT}",
            flush=True,
        )
        result = run_locust(config_path)
    finally:
        for process in processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        shutil.rmtree(workdir / "exports", ignore_errors=True)

    total = result["total"]
    figures = {
        "load_read_p95_ms": {"value": result["kinds"]["read"]["p95"], "unit": "ms"},
        "load_write_p95_ms": {"value": result["kinds"]["write"]["p95"], "unit": "ms"},
        "load_error_rate": {"value": round(total["failures"] / max(total["count"], 1), 5), "unit": "ratio"},
        "load_requests": {"value": total["count"], "unit": "requests"},
        "load_users": {"value": USERS, "unit": "users"},
    }
    for name, entry in sorted(result["requests"].items()):
        print(
            f"  {name:<32} {entry['count']:>7,} requests {entry['failures']:>4} failed  p95 {entry['p95']} ms"
        )
    for error in result["errors"]:
        print(f"  error: {error}")
    run_bench.save(figures)
    missed = [name for name, limit in TARGETS.items() if float(figures[name]["value"]) > limit]
    if missed:
        print(
            f"[loadtest] targets missed: {', '.join(missed)} (server log: {workdir / 'server.log'})",
            file=sys.stderr,
        )
        sys.exit(1)
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
