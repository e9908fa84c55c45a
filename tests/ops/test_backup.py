"""scripts/backup.sh and scripts/restore_test.sh against the test database on 127.0.0.1."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from tests import factories as f

ROOT = Path(settings.BASE_DIR)
BACKUP = ROOT / "scripts" / "backup.sh"
RESTORE = ROOT / "scripts" / "restore_test.sh"

pytestmark = pytest.mark.skipif(
    not (shutil.which("pg_dump") and shutil.which("pg_restore") and shutil.which("psql")),
    reason="PostgreSQL client tools are not installed",
)


def database_url() -> str:
    s = connection.settings_dict
    user = s.get("USER") or "postgres"
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{s.get('HOST') or '127.0.0.1'}:{s.get('PORT') or 5432}/{s['NAME']}"


def run(script: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 -- our own scripts, fixed arguments
        [str(script), *args],
        env={"PATH": os.environ["PATH"], **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.django_db(transaction=True)
def test_backup_then_restore_test_reports_the_counts(tmp_path):
    for i in range(3):
        f.UserFactory(username=f"backup-user-{i}")
    users = connection.cursor()
    users.execute("SELECT count(*) FROM core_user")
    expected_users = users.fetchone()[0]
    env = {"DATABASE_URL": database_url(), "BACKUP_DIR": str(tmp_path)}

    backup = run(BACKUP, env)
    assert backup.returncode == 0, backup.stderr
    dump = Path(backup.stdout.strip())
    assert dump.parent == tmp_path
    assert dump.name.startswith(connection.settings_dict["NAME"] + "_")
    assert dump.suffix == ".dump"
    assert dump.stat().st_size > 0
    assert oct(tmp_path.stat().st_mode & 0o777) == "0o700"
    assert not list(tmp_path.glob("*.partial"))

    restored = run(RESTORE, env)
    assert restored.returncode == 0, restored.stderr
    counts = dict(line.split() for line in restored.stdout.strip().splitlines())
    assert int(counts["django_migrations"]) > 0
    assert int(counts["core_user"]) == expected_users
    assert "kpi_snapshot" in counts
    assert "funding_ledgerentry" in counts
    assert "restore_test: OK" in restored.stderr
    # The scratch database is dropped afterwards.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_database WHERE datname = %s",
            [connection.settings_dict["NAME"] + "_restore_test"],
        )
        assert cursor.fetchone()[0] == 0


@pytest.mark.django_db
def test_retention_prunes_only_old_dumps_of_this_database(tmp_path):
    name = connection.settings_dict["NAME"]
    old = tmp_path / f"{name}_20200101T000000Z.dump"
    recent = tmp_path / f"{name}_20991231T000000Z.dump"
    foreign = tmp_path / "otherdb_20200101T000000Z.dump"
    for path in (old, recent, foreign):
        path.write_bytes(b"x")
    forty_days_ago = time.time() - 40 * 86400
    for path in (old, foreign):
        os.utime(path, (forty_days_ago, forty_days_ago))
    result = run(
        BACKUP, {"DATABASE_URL": database_url(), "BACKUP_DIR": str(tmp_path), "BACKUP_RETENTION_DAYS": "35"}
    )
    assert result.returncode == 0, result.stderr
    assert not old.exists()
    assert recent.exists()
    assert foreign.exists()
    assert Path(result.stdout.strip()).exists()


def test_bad_settings_and_missing_dumps_fail_clearly(tmp_path):
    bad = run(BACKUP, {"BACKUP_DIR": str(tmp_path), "BACKUP_RETENTION_DAYS": "soon"})
    assert bad.returncode == 2
    assert "BACKUP_RETENTION_DAYS" in bad.stderr
    missing = run(
        RESTORE,
        {
            "BACKUP_DIR": str(tmp_path / "empty"),
            "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/nothing_here",
        },
    )
    assert missing.returncode == 1
    assert "no dump found" in missing.stderr
    same = run(
        RESTORE,
        {
            "BACKUP_DIR": str(tmp_path),
            "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/live",
            "RESTORE_TEST_DB": "live",
        },
    )
    assert same.returncode == 2
