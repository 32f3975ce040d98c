# Sourced by backup.sh and restore.sh (not run by itself).
#
# pg_env URL: set libpq's PG* variables from a database URL as the app takes it (QUOTA_DATABASE_URL:
#   postgresql[+driver]://user[:password]@host[:port]/database[?sslmode=...]), so that no password
#   appears on a command line. Without a password in the URL, libpq reads ~/.pgpass as usual.
# pg_tools: set PG_BIN to the folder of pg_dump, pg_restore and psql whose major version is at least the
#   server's (pg_dump cannot dump a server newer than itself). PG_BIN set beforehand is used as it is;
#   else Debian's /usr/lib/postgresql/<server major>/bin when installed, else the programs on PATH.

pg_env() {
  local lines
  lines=$(python3 - "$1" <<'PY'
import shlex
import sys
from urllib.parse import parse_qsl, unquote, urlsplit

url = urlsplit(sys.argv[1])
if url.scheme.split("+")[0] not in ("postgresql", "postgres"):
    sys.exit(f"Fejl: databasen er ikke PostgreSQL ({url.scheme or 'ingen adresse'}): sæt QUOTA_DATABASE_URL")
values = {
    "PGHOST": unquote(url.hostname or ""),
    "PGPORT": str(url.port or ""),
    "PGUSER": unquote(url.username or ""),
    "PGPASSWORD": unquote(url.password or ""),
    "PGDATABASE": unquote(url.path.lstrip("/")),
}
names = {"host": "PGHOST", "port": "PGPORT", "sslmode": "PGSSLMODE", "sslrootcert": "PGSSLROOTCERT",
         "sslcert": "PGSSLCERT", "sslkey": "PGSSLKEY", "connect_timeout": "PGCONNECT_TIMEOUT"}
for key, value in parse_qsl(url.query):
    if key in names:
        values[names[key]] = value
if not values["PGDATABASE"]:
    sys.exit("Fejl: adressen nævner ingen database")
for name, value in values.items():
    print(f"export {name}={shlex.quote(value)}" if value else f"unset {name}")
PY
  ) || return 1
  unset PGHOST PGPORT PGUSER PGPASSWORD PGDATABASE PGSSLMODE PGSSLROOTCERT PGSSLCERT PGSSLKEY PGSERVICE
  eval "$lines"
}

pg_tools() {
  local server_major tool_major
  server_major=$(psql -XAtq -c "SHOW server_version_num") || {
    echo "Fejl: databasen ${PGDATABASE:-} på ${PGHOST:-localhost} kan ikke nås" >&2
    return 1
  }
  server_major=$((server_major / 10000))
  if [ -z "${PG_BIN:-}" ]; then
    if [ -x "/usr/lib/postgresql/$server_major/bin/pg_dump" ]; then
      PG_BIN="/usr/lib/postgresql/$server_major/bin"
    else
      PG_BIN=$(dirname "$(command -v pg_dump)")
    fi
  fi
  tool_major=$("$PG_BIN/pg_dump" --version | sed -E 's/^[^0-9]*([0-9]+).*/\1/')
  if [ "$tool_major" -lt "$server_major" ]; then
    echo "Fejl: pg_dump $tool_major i $PG_BIN er ældre end serveren ($server_major):" \
      "installér postgresql-client-$server_major, eller sæt PG_BIN" >&2
    return 1
  fi
  export PG_BIN
}
