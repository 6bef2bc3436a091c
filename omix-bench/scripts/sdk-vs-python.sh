#!/usr/bin/env bash
# The Java SDK against the original public Python client (bgesdk), the same sequential calls
# (get_sample, alive) on the same server, side by side in one run (the hot-path issue: at least 10x).
# Runs the Python side only when python3 can import bgesdk (pip install bgesdk), and says so when not.
# Without a package index: BGESDK_SRC=<a checkout of https://github.com/teambge/bge-python-sdk>, with
# Debian's python3-requests, python3-six and python3-requests-toolbelt. The checkout's client module
# imports Aliyun's OSS libraries (oss2, aliyunsdkcore: its upload path, not packaged by Debian) at the
# top; empty stand-ins are put in their place, which get_sample and alive never reach.
# Usage: [BGESDK_SRC=DIR] [PYTHON=python3] omix-bench/scripts/sdk-vs-python.sh [calls]   (after: mvn -q -DskipTests install)
set -euo pipefail
cd "$(dirname "$0")/../.."
calls="${1:-10000}"
port=18093
dir="$(mktemp -d)"
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$dir"' EXIT
java -jar omix-cli/target/omix.jar serve --port "$port" --data-dir "$dir/data" >"$dir/server.log" 2>&1 &
pid=$!
until curl -sf "http://127.0.0.1:$port/ping" >/dev/null 2>&1; do
  kill -0 "$pid" 2>/dev/null || { cat "$dir/server.log"; exit 1; }
  sleep 0.1
done
creds="$dir/data/demo-credentials.json"
endpoint="http://127.0.0.1:$port"
id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["oauth_client"]["client_id"])' "$creds")
secret=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["oauth_client"]["client_secret"])' "$creds")
sample=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["samples"]["genomics"])' "$creds")
token=$(curl -s -d client_id="$id" -d client_secret="$secret" -d grant_type=client_credentials "$endpoint/oauth2/access_token" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["access_token"])')
# The demo client owns no sample; the operator assigns the genomics sample to it, as an operator would.
java -jar omix-cli/target/omix.jar admin --data-dir "$dir/data" sample assign --biosample-id "$sample" --client-id "$id" >/dev/null
java -cp omix-bench/target/omix-bench.jar io.omix.bench.SdkCallsBench "$endpoint" "$token" "$sample" "$calls" | tee "$dir/java.txt"
python="${PYTHON:-python3}"
if ! "$python" -c 'import bgesdk' 2>/dev/null && [ -n "${BGESDK_SRC:-}" ]; then
  stubs="$dir/stubs"
  mkdir -p "$stubs/aliyunsdkcore/auth" "$stubs/oss2"
  touch "$stubs/aliyunsdkcore/__init__.py" "$stubs/aliyunsdkcore/auth/__init__.py" "$stubs/oss2/__init__.py"
  echo 'class StsTokenCredential: pass' >"$stubs/aliyunsdkcore/auth/credentials.py"
  echo 'class AcsClient: pass' >"$stubs/aliyunsdkcore/client.py"
  export PYTHONPATH="$BGESDK_SRC:$stubs${PYTHONPATH:+:$PYTHONPATH}"
fi
if "$python" -c 'import bgesdk' 2>/dev/null; then
  echo "python client: bgesdk $("$python" -c 'import bgesdk; print(bgesdk.__version__)') on $("$python" --version 2>&1)"
  "$python" - "$endpoint" "$token" "$sample" "$calls" <<'PY' | tee "$dir/python.txt"
import sys, time
from bgesdk import API
endpoint, token, sample, calls = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
api = API(token, endpoint=endpoint, max_retries=3, timeout=18)
for _ in range(calls // 4):
    api.get_sample(sample)
t0 = time.perf_counter()
for _ in range(calls):
    api.get_sample(sample)
t1 = time.perf_counter()
for _ in range(calls):
    api.alive()
t2 = time.perf_counter()
print("python get_sample %.0f calls/s" % (calls / (t1 - t0)))
print("python alive %.0f calls/s" % (calls / (t2 - t1)))
PY
  "$python" - "$dir/java.txt" "$dir/python.txt" <<'PY'
import sys
def rates(path):
    return {" ".join(l.split()[1:2]): float(l.split()[2]) for l in open(path) if l.strip()}
java, python = rates(sys.argv[1]), rates(sys.argv[2])
for call in java:
    print("%s: Java SDK / Python client = %.1fx (target >= 10x)" % (call, java[call] / python[call]))
PY
else
  echo "the Python client is not installed here ($python cannot import bgesdk): pip install bgesdk, or set BGESDK_SRC (above), then run this again for the side-by-side figures"
fi
