#!/usr/bin/env bash
# Restore test: restores the newest dump (or the one given) into a scratch database on the same server,
# runs sanity counts, and drops the scratch database. Run it after every backup, or at least weekly: a
# backup that was never restored is not known to work.
#
#   DATABASE_URL=postgres://user@host:5432/smartfactory BACKUP_DIR=/var/backups/smartfactory scripts/restore_test.sh [dump]
#
# Environment:
#   DATABASE_URL      server to restore on (its database name names the dumps; default as in backup.sh)
#   BACKUP_DIR        where the dumps are (default /var/backups/smartfactory)
#   RESTORE_TEST_DB   scratch database name (default <database>_restore_test); dropped first and after
#   KEEP_RESTORE_DB   1 keeps the scratch database for inspection
# Prints one "table rows" line per checked table; exits non-zero when the restore or a check fails.
set -euo pipefail

DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/smartfactory}"
BACKUP_DIR="${BACKUP_DIR:-/var/backups/smartfactory}"
for tool in pg_restore psql; do
  command -v "$tool" >/dev/null || { echo "restore_test: $tool is required (apt-get install postgresql-client)" >&2; exit 2; }
done

url_no_query="${DATABASE_URL%%\?*}"
query="${DATABASE_URL#"$url_no_query"}"
db_name="${url_no_query##*/}"
scratch="${RESTORE_TEST_DB:-${db_name}_restore_test}"
if ! [[ "$db_name" =~ ^[A-Za-z0-9_-]+$ && "$scratch" =~ ^[A-Za-z0-9_]+$ ]]; then
  echo "restore_test: bad database name" >&2
  exit 2
fi
if [[ "$scratch" == "$db_name" ]]; then
  echo "restore_test: the scratch database must not be the live one" >&2
  exit 2
fi
scratch_url="${url_no_query%/*}/${scratch}${query}"

dump="${1:-}"
if [[ -z "$dump" && -d "$BACKUP_DIR" ]]; then
  dump="$(find "$BACKUP_DIR" -maxdepth 1 -type f -name "${db_name}_*.dump" -printf '%T@ %p\n' | sort -n | tail -1 | cut -d' ' -f2-)"
fi
if [[ -z "$dump" || ! -f "$dump" ]]; then
  echo "restore_test: no dump found in $BACKUP_DIR" >&2
  exit 1
fi
echo "restore_test: restoring $dump into $scratch" >&2

psql_admin() { psql --no-password -v ON_ERROR_STOP=1 -q -At --dbname="$DATABASE_URL" "$@"; }
drop_scratch() { psql_admin -c "DROP DATABASE IF EXISTS \"$scratch\" WITH (FORCE)" >/dev/null; }
cleanup() { if [[ "${KEEP_RESTORE_DB:-0}" != "1" ]]; then drop_scratch || true; fi; }

drop_scratch
psql_admin -c "CREATE DATABASE \"$scratch\"" >/dev/null
trap cleanup EXIT

started=$(date +%s)
pg_restore --no-password --exit-on-error --no-owner --no-privileges --jobs=2 --dbname="$scratch_url" "$dump"
echo "restore_test: restored in $(( $(date +%s) - started )) s" >&2

# Sanity counts: the migration history must be there, and each core table readable. The ledger and the
# KPI snapshots are what a restore must never lose.
status=0
migrations="$(psql --no-password -At --dbname="$scratch_url" -c "SELECT count(*) FROM django_migrations")"
echo "django_migrations $migrations"
if ! [[ "$migrations" =~ ^[0-9]+$ ]] || (( migrations == 0 )); then
  echo "restore_test: FAILED: no migration history in the restored database" >&2
  status=1
fi
for table in core_user core_organisation programs_call companies_company applications_application \
  funding_ledgerentry factories_factory kpi_snapshot; do
  exists="$(psql --no-password -At --dbname="$scratch_url" -c "SELECT to_regclass('public.$table') IS NOT NULL")"
  if [[ "$exists" != "t" ]]; then
    echo "restore_test: FAILED: table $table is missing" >&2
    status=1
    continue
  fi
  echo "$table $(psql --no-password -At --dbname="$scratch_url" -c "SELECT count(*) FROM $table")"
done
if (( status == 0 )); then echo "restore_test: OK" >&2; fi
exit $status
