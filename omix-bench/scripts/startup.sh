#!/usr/bin/env bash
# Time from launching `omix serve` on a fresh data directory to its first answered /ping.
# Usage: omix-bench/scripts/startup.sh [runs]   (after: mvn -q -DskipTests package)
set -euo pipefail
cd "$(dirname "$0")/../.."
runs="${1:-5}"
jar=omix-cli/target/omix.jar
port=18080
java -version 2>&1 | head -n 1
times=()
for i in $(seq 1 "$runs"); do
  dir="$(mktemp -d)"
  start=$(date +%s%N)
  java -jar "$jar" serve --port "$port" --data-dir "$dir/data" >"$dir/out.log" 2>&1 &
  pid=$!
  until curl -sf "http://127.0.0.1:$port/ping" >/dev/null 2>&1; do
    kill -0 "$pid" 2>/dev/null || { cat "$dir/out.log"; exit 1; }
    sleep 0.02
  done
  ms=$(( ($(date +%s%N) - start) / 1000000 ))
  times+=("$ms")
  kill "$pid"; wait "$pid" 2>/dev/null || true
  rm -rf "$dir"
  echo "run $i: ready in $ms ms"
done
sorted=($(printf '%s\n' "${times[@]}" | sort -n))
echo "median: ${sorted[$(( ${#sorted[@]} / 2 ))]} ms over $runs runs (target < 5000 ms)"
