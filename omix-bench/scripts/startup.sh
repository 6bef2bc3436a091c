#!/usr/bin/env bash
# Time from launching `omix serve` on a fresh data directory to its first answered /ping.
# Usage: omix-bench/scripts/startup.sh [runs] [aot-cache]   (after: mvn -q -DskipTests package)
# With an AOT cache (java -XX:AOTCacheOutput=omix.aot -jar omix-cli/target/omix.jar admin aot-train),
# every run starts the server twice, without and with the cache, in alternating order.
set -euo pipefail
cd "$(dirname "$0")/../.."
runs="${1:-5}"
aot="${2:-}"
jar=omix-cli/target/omix.jar
port=18080
java -version 2>&1 | head -n 1

# Prints the milliseconds from launch to the first /ping; extra arguments are JVM options.
ready_ms() {
  local dir start pid ms
  dir="$(mktemp -d)"
  start=$(date +%s%N)
  java "$@" -jar "$jar" serve --port "$port" --data-dir "$dir/data" >"$dir/out.log" 2>&1 &
  pid=$!
  until curl -sf "http://127.0.0.1:$port/ping" >/dev/null 2>&1; do
    kill -0 "$pid" 2>/dev/null || { cat "$dir/out.log" >&2; rm -rf "$dir"; exit 1; }
    sleep 0.02
  done
  ms=$(( ($(date +%s%N) - start) / 1000000 ))
  kill "$pid"; wait "$pid" 2>/dev/null || true
  rm -rf "$dir"
  echo "$ms"
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int(NR/2)+1]}'; }

plain=()
cached=()
for i in $(seq 1 "$runs"); do
  if [ -z "$aot" ]; then
    plain+=("$(ready_ms)")
    echo "run $i: ready in ${plain[-1]} ms"
  elif [ $((i % 2)) -eq 1 ]; then
    plain+=("$(ready_ms)")
    cached+=("$(ready_ms -XX:AOTMode=on -XX:AOTCache="$aot")")   # on: fail rather than run without the cache
    echo "run $i: ready in ${plain[-1]} ms, with the AOT cache ${cached[-1]} ms"
  else
    cached+=("$(ready_ms -XX:AOTMode=on -XX:AOTCache="$aot")")
    plain+=("$(ready_ms)")
    echo "run $i: with the AOT cache ready in ${cached[-1]} ms, without ${plain[-1]} ms"
  fi
done
echo "median: $(printf '%s\n' "${plain[@]}" | median) ms over $runs runs (target < 5000 ms)"
if [ -n "$aot" ]; then
  echo "median with the AOT cache: $(printf '%s\n' "${cached[@]}" | median) ms"
fi
