#!/usr/bin/env bash
# bench/run.sh — run every benchmark under bench/*/run.sh (make bench).
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
status=0
for b in "$root"/bench/*/run.sh; do
  [ -f "$b" ] || continue
  echo "== $(basename "$(dirname "$b")") =="
  bash "$b" || status=1
done
[ -n "$(ls "$root"/bench/*/run.sh 2>/dev/null)" ] || echo "bench: no benchmarks yet"
exit $status
