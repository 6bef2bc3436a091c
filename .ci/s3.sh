# Starts a throwaway S3-compatible server (s3rver, from npm) on loopback for the tests of the S3
# object store and exports OMIX_TEST_S3_*. Source it after postgres.sh; it stops when the shell exits.
# Installs Node.js from Debian when it is missing.

if ! command -v npm >/dev/null 2>&1; then
  echo "[ci] installing Node.js from Debian"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
fi

OMIX_S3_DIR="$(mktemp -d /tmp/omix-s3.XXXXXX)"
OMIX_S3_PORT="${OMIX_S3_PORT:-54568}"
(cd "$OMIX_S3_DIR" && npm install --silent --no-audit --no-fund --no-save s3rver@3.7.1 >/dev/null 2>&1)
"$OMIX_S3_DIR/node_modules/.bin/s3rver" -d "$OMIX_S3_DIR/data" -a 127.0.0.1 -p "$OMIX_S3_PORT" --silent \
  --configure-bucket omix-test >"$OMIX_S3_DIR/log" 2>&1 &
OMIX_S3_PID=$!
for _ in $(seq 1 50); do
  (exec 3<>"/dev/tcp/127.0.0.1/$OMIX_S3_PORT") 2>/dev/null && break
  sleep 0.2
done

omix_s3_stop() { kill "$OMIX_S3_PID" 2>/dev/null || true; rm -rf "$OMIX_S3_DIR"; }
if declare -F omix_pg_stop >/dev/null; then
  trap 'omix_pg_stop; omix_s3_stop' EXIT
else
  trap omix_s3_stop EXIT
fi

export OMIX_TEST_S3_URL="http://127.0.0.1:$OMIX_S3_PORT/omix-test"
export OMIX_TEST_S3_ACCESS_KEY=S3RVER
export OMIX_TEST_S3_SECRET_KEY=S3RVER
echo "[ci] s3rver on 127.0.0.1:$OMIX_S3_PORT"
