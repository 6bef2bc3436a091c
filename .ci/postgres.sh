# Starts a throwaway PostgreSQL on loopback for the tests and exports OMIX_TEST_PG_*.
# Source it (". .ci/postgres.sh"); the cluster stops when the sourcing shell exits.
# Installs PostgreSQL from Debian when it is missing; runs it as the postgres user when we are root.

omix_pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

PG_BIN="$(omix_pg_bin)"
if [ -z "$PG_BIN" ] || [ ! -x "$PG_BIN/postgres" ]; then
  echo "[ci] installing PostgreSQL from Debian"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  PG_BIN="$(omix_pg_bin)"
fi

OMIX_PG_PORT="${OMIX_PG_PORT:-54329}"
OMIX_PG_DIR="$(mktemp -d /tmp/omix-pg.XXXXXX)"
OMIX_PG_PASSWORD="omix-test-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
printf '%s\n' "$OMIX_PG_PASSWORD" > "$OMIX_PG_DIR/pwfile"

if [ "$(id -u)" = "0" ]; then
  chown -R postgres:postgres "$OMIX_PG_DIR"
  omix_as_pg() { runuser -u postgres -- "$@"; }
else
  omix_as_pg() { "$@"; }
fi

omix_as_pg "$PG_BIN/initdb" -D "$OMIX_PG_DIR/data" -U omix --pwfile="$OMIX_PG_DIR/pwfile" \
  -A scram-sha-256 -E UTF8 --locale=C.UTF-8 >/dev/null
# fsync off: a test cluster, thrown away after the run.
omix_as_pg "$PG_BIN/pg_ctl" -D "$OMIX_PG_DIR/data" -l "$OMIX_PG_DIR/server.log" -w -t 60 \
  -o "-p $OMIX_PG_PORT -c listen_addresses=127.0.0.1 -k $OMIX_PG_DIR -c fsync=off -c max_connections=200" start >/dev/null

omix_pg_stop() { omix_as_pg "$PG_BIN/pg_ctl" -D "$OMIX_PG_DIR/data" -m fast stop >/dev/null 2>&1 || true; rm -rf "$OMIX_PG_DIR"; }
trap omix_pg_stop EXIT

PGPASSWORD="$OMIX_PG_PASSWORD" "$PG_BIN/createdb" -h 127.0.0.1 -p "$OMIX_PG_PORT" -U omix omix_test

export OMIX_TEST_PG_URL="jdbc:postgresql://127.0.0.1:$OMIX_PG_PORT/omix_test"
export OMIX_TEST_PG_USER=omix
export OMIX_TEST_PG_PASSWORD="$OMIX_PG_PASSWORD"
echo "[ci] PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$OMIX_PG_PORT"
