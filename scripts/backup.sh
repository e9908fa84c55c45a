#!/usr/bin/env bash
# Nightly database backup: a custom-format pg_dump with a UTC date-stamped name, checked readable, then
# old dumps beyond the retention pruned (the newest one is never pruned).
#
#   DATABASE_URL=postgres://user@host:5432/smartfactory BACKUP_DIR=/var/backups/smartfactory scripts/backup.sh
#
# Environment:
#   DATABASE_URL           database to dump (default postgres://postgres@127.0.0.1:5432/smartfactory)
#   BACKUP_DIR             where dumps go (default /var/backups/smartfactory); copy it off the machine
#   BACKUP_RETENTION_DAYS  dumps older than this many days are deleted (default 35)
# Prints the path of the new dump on stdout; exits non-zero (and leaves no partial file) on any failure.
set -euo pipefail

DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/smartfactory}"
BACKUP_DIR="${BACKUP_DIR:-/var/backups/smartfactory}"
BACKUP_RETENTION_DAYS="${BACKUP_RETENTION_DAYS:-35}"

if ! [[ "$BACKUP_RETENTION_DAYS" =~ ^[0-9]+$ ]] || (( BACKUP_RETENTION_DAYS < 1 )); then
  echo "backup: BACKUP_RETENTION_DAYS must be a whole number of days >= 1" >&2
  exit 2
fi
for tool in pg_dump pg_restore; do
  command -v "$tool" >/dev/null || { echo "backup: $tool is required (apt-get install postgresql-client)" >&2; exit 2; }
done

# The database name is the URL's last path segment, without any ?query.
url_no_query="${DATABASE_URL%%\?*}"
db_name="${url_no_query##*/}"
if ! [[ "$db_name" =~ ^[A-Za-z0-9_-]+$ ]]; then
  echo "backup: cannot read a database name from DATABASE_URL" >&2
  exit 2
fi

mkdir -p "$BACKUP_DIR"
chmod 700 "$BACKUP_DIR"
umask 077
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
target="$BACKUP_DIR/${db_name}_${stamp}.dump"
partial="$target.partial"
trap 'rm -f "$partial"' EXIT

# One dump at a time per directory: a slow run must not overlap the next night's.
exec 9>"$BACKUP_DIR/.backup.lock"
if ! flock -n 9; then
  echo "backup: another backup is running in $BACKUP_DIR" >&2
  exit 3
fi

pg_dump --format=custom --compress=6 --no-password --file="$partial" --dbname="$DATABASE_URL"
# A dump that pg_restore cannot list is no backup.
pg_restore --list "$partial" >/dev/null
mv "$partial" "$target"

# Retention: only our own dumps, only older than the limit, and never the one just written.
find "$BACKUP_DIR" -maxdepth 1 -type f -name "${db_name}_*.dump" -mtime "+$((BACKUP_RETENTION_DAYS - 1))" \
  ! -path "$target" -print -delete >&2

echo "$target"
