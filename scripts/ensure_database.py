"""Make sure the PostgreSQL server in DATABASE_URL is reachable and the database exists.

If the server is local and not running but a Debian cluster is installed, start it. Otherwise stop with a
message that says exactly what to install or set. Run by `make demo`, `make test` and `make bench`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import unquote, urlparse

import psycopg
from psycopg import sql

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/smartfactory"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", ""}


def fail(message: str) -> NoReturn:
    print(f"\n[ensure-database] {message}\n", file=sys.stderr)
    sys.exit(1)


def connect_admin(params: dict[str, Any]) -> psycopg.Connection | None:
    try:
        return psycopg.connect(**params, dbname="postgres", connect_timeout=3, autocommit=True)
    except psycopg.OperationalError:
        return None


def start_local_cluster() -> bool:
    clusters = Path("/etc/postgresql")
    ctl = shutil.which("pg_ctlcluster")
    if not clusters.is_dir() or ctl is None:
        return False
    for version in sorted(p.name for p in clusters.iterdir()):
        print(f"[ensure-database] starting the local PostgreSQL {version} cluster …")
        subprocess.run(  # noqa: S603 - fixed executable, arguments from the local cluster list
            [ctl, "--skip-systemctl-redirect", version, "main", "start"], check=False
        )
    return True


def main() -> None:
    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    parsed = urlparse(url)
    if parsed.scheme not in {"postgres", "postgresql"}:
        fail(f"DATABASE_URL must be a postgres:// URL, got {url!r}.")
    dbname = unquote(parsed.path.lstrip("/")) or "smartfactory"
    args = sys.argv[1:]
    # --recreate: drop the database first (a benchmark's scratch database, never the application's own).
    recreate = "--recreate" in args
    names = [a for a in args if a != "--recreate"]
    if names:
        dbname = names[0]  # e.g. the benchmark's own database
    params: dict[str, Any] = {
        "host": parsed.hostname or "127.0.0.1",
        "port": parsed.port or 5432,
        "user": unquote(parsed.username or "postgres"),
    }
    if parsed.password:
        params["password"] = unquote(parsed.password)

    conn = connect_admin(params)
    if conn is None and params["host"] in LOCAL_HOSTS and start_local_cluster():
        for _ in range(30):
            time.sleep(1)
            conn = connect_admin(params)
            if conn is not None:
                break
    if conn is None:
        fail(
            f"PostgreSQL is not reachable at {params['host']}:{params['port']} as user {params['user']!r}.\n"
            "  Install and start it (Debian/Ubuntu: `sudo apt-get install postgresql` then\n"
            "  `sudo pg_ctlcluster <version> main start`), or point DATABASE_URL at a server you can use,\n"
            "  for example DATABASE_URL=postgres://user:password@host:5432/smartfactory"
        )
    with conn:
        if recreate:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(dbname)))
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (dbname,)).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname)))
            print(f"[ensure-database] created database {dbname!r}")
        else:
            print(f"[ensure-database] database {dbname!r} is ready")


if __name__ == "__main__":
    main()
