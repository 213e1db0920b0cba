#!/usr/bin/env bash
# fuzz.sh DIR SECONDS — run every libFuzzer target in DIR for SECONDS each,
# starting from fuzz/corpus/<target>/ (read-only seeds; new inputs go to a
# scratch dir). Fails if any target crashes; crash inputs stay in fuzz/crashes/.
set -u
dir=${1:?fuzz dir}; secs=${2:-60}
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$root/fuzz/crashes"
fail=0; n=0
for t in "$dir"/fuzz_*; do
  [ -x "$t" ] || continue
  name=$(basename "$t"); n=$((n+1))
  work=$(mktemp -d)
  seeds="$root/fuzz/corpus/$name"; [ -d "$seeds" ] || seeds=""
  echo "fuzz: $name for ${secs}s"
  if ! "$t" -max_total_time="$secs" -max_len=65536 -rss_limit_mb=2048 -timeout=10 \
        -artifact_prefix="$root/fuzz/crashes/$name-" -print_final_stats=0 \
        "$work" $seeds > "$work.log" 2>&1; then
    echo "fuzz: $name FAILED"; tail -40 "$work.log"; fail=1
  else
    grep -E "^#[0-9]+.*DONE" "$work.log" | tail -1
  fi
  rm -rf "$work" "$work.log"
done
echo "fuzz: $n targets, $([ $fail = 0 ] && echo 'no crash' || echo 'CRASHES FOUND')"
exit $fail
