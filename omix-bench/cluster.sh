#!/usr/bin/env bash
# Several servers, for real: Debian's nginx balancing three `omix serve` processes that share one
# PostgreSQL and one S3-compatible store, all on loopback. Under the mixed load of ClusterBench
# (token grants, reads, stream batch writes, uploads, batch commits through the SDK) server 2 is
# killed with -9 and started again; afterwards every acknowledged write must be there exactly once
# and every batch committed once. Prints the load's figures and what the balancer saw per server.
#
# Usage: omix-bench/cluster.sh [seconds=90] [workers=6]
# Needs: a build (mvn -B install -DskipTests), nginx, and what .ci/postgres.sh and .ci/s3.sh install.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_TOTAL="${1:-90}"
WORKERS="${2:-6}"
JAR=omix-cli/target/omix.jar
BENCH=omix-bench/target/omix-bench.jar
[ -f "$JAR" ] && [ -f "$BENCH" ] || { echo "build first: mvn -B install -DskipTests" >&2; exit 2; }
command -v nginx >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null; }
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"

. .ci/postgres.sh
. .ci/s3.sh
WORK="$(mktemp -d /tmp/omix-cluster.XXXXXX)"
chmod 755 "$WORK"
BALANCER_PORT=18480
PORTS=(18481 18482 18483)
PIDS=()
# One sealing key for all: any server must read what another stored.
export OMIX_SECURITY_MASTER_KEY="$(head -c 32 /dev/urandom | base64)"
export OMIX_DB_URL="$OMIX_TEST_PG_URL" OMIX_DB_USER="$OMIX_TEST_PG_USER" OMIX_DB_PASSWORD="$OMIX_TEST_PG_PASSWORD"
export OMIX_FILES_S3_URL="$OMIX_TEST_S3_URL" OMIX_FILES_S3_ACCESS_KEY="$OMIX_TEST_S3_ACCESS_KEY" OMIX_FILES_S3_SECRET_KEY="$OMIX_TEST_S3_SECRET_KEY"
export OMIX_SERVER_PUBLIC_URL="http://127.0.0.1:$BALANCER_PORT" OMIX_LOG_LEVEL=WARN OMIX_DB_POOL_SIZE=6
# A task whose server died is taken over by another after its lease: 15 s rather than a minute.
export OMIX_TASKS_LEASE_SECONDS=15
# The balancer is the servers' only peer: trust its X-Forwarded-For for the client's address (audit, throttles).
export OMIX_SERVER_TRUSTED_PROXIES=127.0.0.1

cleanup() {
  set +e
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; done
  [ -f "$WORK/nginx.pid" ] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null
  omix_s3_stop
  omix_pg_stop
}
trap cleanup EXIT

start_server() { # index (0-2) [--demo]
  local i="$1"; shift
  mkdir -p "$WORK/server$((i + 1))"
  "$JAVA" -Xmx768m -jar "$JAR" serve --port "${PORTS[$i]}" --data-dir "$WORK/server$((i + 1))" "$@" \
    >>"$WORK/server$((i + 1)).log" 2>&1 &
  PIDS[$i]=$!
  for _ in $(seq 1 300); do
    curl -sf "http://127.0.0.1:${PORTS[$i]}/ping" >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  echo "server $((i + 1)) did not start:" >&2; tail -20 "$WORK/server$((i + 1)).log" >&2; exit 1
}

# The first server creates the demo data (clients, app, samples) on the shared database.
start_server 0 --demo
start_server 1 --no-demo
start_server 2 --no-demo
echo "[cluster] servers on ${PORTS[*]} (pids ${PIDS[*]})"

mkdir -p "$WORK/nginx"
cat >"$WORK/nginx.conf" <<EOF
worker_processes 1;
pid $WORK/nginx.pid;
error_log $WORK/nginx/error.log warn;
user root;
events { worker_connections 1024; }
http {
  log_format upstream '\$msec \$upstream_addr \$status \$request_method \$uri';
  access_log $WORK/nginx/access.log upstream;
  client_body_temp_path $WORK/nginx/body;
  proxy_temp_path $WORK/nginx/proxy;
  client_max_body_size 0;
  upstream omix {
    # A server that fails is left alone for 2 s, then tried again.
    server 127.0.0.1:${PORTS[0]} max_fails=1 fail_timeout=2s;
    server 127.0.0.1:${PORTS[1]} max_fails=1 fail_timeout=2s;
    server 127.0.0.1:${PORTS[2]} max_fails=1 fail_timeout=2s;
    keepalive 32;
  }
  server {
    listen 127.0.0.1:$BALANCER_PORT;
    # For both locations below (each inherits them, setting no proxy_set_header of its own).
    proxy_http_version 1.1;
    proxy_set_header Connection "";
    proxy_set_header Host \$http_host;
    proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
    proxy_request_buffering off;
    proxy_connect_timeout 1s;
    proxy_read_timeout 60s;
    # Upload requests carry a nonce each server records: a copy resent to another server would be refused as a
    # replay (42001), so nginx passes them on once and the SDK retries them itself, each attempt signed afresh.
    location /oss/ {
      proxy_pass http://omix;
      proxy_next_upstream off;
    }
    location / {
      proxy_pass http://omix;
      # Only what never reached a server, or what is safe to send twice, goes to the next one
      # (nginx never resends a POST that a server may have started on).
      proxy_next_upstream error timeout http_502 http_503;
    }
  }
}
EOF
nginx -c "$WORK/nginx.conf" -p "$WORK/nginx"
echo "[cluster] nginx on 127.0.0.1:$BALANCER_PORT"

"$JAVA" -cp "$BENCH" io.omix.bench.ClusterBench "http://127.0.0.1:$BALANCER_PORT" "$WORK/server1/demo-credentials.json" \
  "$SECONDS_TOTAL" "$WORKERS" &
LOAD=$!
KILL_AT=$((SECONDS_TOTAL / 3)); RESTART_AT=$((SECONDS_TOTAL / 3 + 10))
sleep "$KILL_AT"
KILLED_AT=$(date +%s.%N)
kill -9 "${PIDS[1]}"
echo "[cluster] t=${KILL_AT}s: server 2 killed with -9"
sleep $((RESTART_AT - KILL_AT))
start_server 1 --no-demo
RESTARTED_AT=$(date +%s.%N)
echo "[cluster] t=${RESTART_AT}s: server 2 started again"
set +e
wait "$LOAD"
STATUS=$?
set -e

# What the balancer saw: answers per server before the kill, while server 2 was down, after its
# restart; balancer errors (5xx it made itself, with no server's answer behind them).
awk -v k="$KILLED_AT" -v r="$RESTARTED_AT" '
  { phase = ($1 < k) ? "1 before the kill" : ($1 < r ? "2 server 2 down" : "3 after the restart");
    n[phase " " $2]++; if ($3 >= 500) e[phase " " $3 " " $2]++ }
  END { for (x in n) print "[balancer] " x ": " n[x] " answers"; for (x in e) print "[balancer] " x ": " e[x] " error answers" }' \
  "$WORK/nginx/access.log" | sort
echo "[cluster] server logs: $(grep -c ' ERROR ' "$WORK"/server*.log | tr '\n' ' ')(ERROR lines per log)"
exit "$STATUS"
