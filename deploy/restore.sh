#!/usr/bin/env bash
# Restore a dump from backup.sh into a NEW, empty database, then check it:
#   deploy/restore.sh DUMP TARGET_URL
# e.g. deploy/restore.sh /var/backups/quota/quota-20260301T023000Z.dump postgresql://quota@db.example/quota_restored
#
# The target database must exist and hold no tables (a DBA creates it:
#   CREATE DATABASE quota_restored OWNER quota TEMPLATE template0 ENCODING 'UTF8';),
# so a restore never writes over a database in use. Everything is restored in one transaction (all or
# nothing), owned by the connecting user; then ANALYZE, and `quota db refresh-intervals --check` must
# pass. Afterwards: `quota db upgrade` if the code is newer than the dump, point QUOTA_DATABASE_URL at the
# new database on every machine and restart the services (deploy/README.md).
# QUOTA (default: this checkout's .venv/bin/quota) is the quota command used for the check.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=deploy/pg-env.sh
. "$here/pg-env.sh"

if [ $# -ne 2 ]; then
  echo "Brug: $0 DUMP TARGET_URL" >&2
  exit 2
fi
dump=$1
target_url=$2
[ -r "$dump" ] || { echo "Fejl: $dump kan ikke læses" >&2; exit 1; }
pg_env "$target_url"
pg_tools

tables=$("$PG_BIN/psql" -XAtq -c "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')")
if [ "$tables" != "0" ]; then
  echo "Fejl: databasen $PGDATABASE har allerede $tables tabeller; gendan kun i en ny, tom database" >&2
  exit 1
fi
"$PG_BIN/pg_restore" --no-owner --no-acl --exit-on-error --single-transaction --dbname="$PGDATABASE" "$dump"
"$PG_BIN/psql" -XAtq -c "ANALYZE" >/dev/null

quota=${QUOTA:-$here/../.venv/bin/quota}
QUOTA_DATABASE_URL=$target_url "$quota" db refresh-intervals --check
echo "Gendannet $dump i $PGDATABASE; kontrollen er bestået."
