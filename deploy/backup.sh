#!/usr/bin/env bash
# Dump the app's PostgreSQL database: deploy/backup.sh [FOLDER]   (default: ./backups)
#
# The database is QUOTA_DATABASE_URL's (as in /etc/quota/quota.env). Writes FOLDER/quota-<UTC time>.dump in
# pg_dump's custom format (compressed; one consistent snapshot, taken while the app runs), checks that
# pg_restore can read it, and only then deletes dumps older than BACKUP_KEEP_DAYS days (when set).
# Prints the new file's path. Restore with deploy/restore.sh. Exit 0: done; 1: failed (nothing deleted).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=deploy/pg-env.sh
. "$here/pg-env.sh"

folder=${1:-backups}
pg_env "${QUOTA_DATABASE_URL:?Fejl: QUOTA_DATABASE_URL er ikke sat}"
pg_tools

mkdir -p "$folder"
target="$folder/quota-$(date -u +%Y%m%dT%H%M%SZ).dump"
partial="$target.partial"
trap 'rm -f "$partial"' EXIT
"$PG_BIN/pg_dump" --format=custom --compress=6 --file="$partial"
"$PG_BIN/pg_restore" --list "$partial" >/dev/null  # a readable archive with its table of contents
mv "$partial" "$target"

if [ -n "${BACKUP_KEEP_DAYS:-}" ]; then
  find "$folder" -maxdepth 1 -name 'quota-*.dump' -mtime +"$BACKUP_KEEP_DAYS" -delete
fi
echo "$target"
