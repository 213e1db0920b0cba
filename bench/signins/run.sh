#!/usr/bin/env bash
# bench/signins/run.sh — sign-in throughput and memory per format, RSS at 1M
# vs 10M events, the jansson ceiling, and CrowdSec / fail2ban on the same sshd
# log. Prints markdown rows for bench/RESULTS.md ("## signins").
#
#   BUILD=build bash bench/signins/run.sh          # everything (~15 min on 2 cores)
#   QUICK=1 bash bench/signins/run.sh              # 1M only, no 10M, no peers
#
# Events are generated into a pipe (bench_signins gen): the generator runs on
# the other core and its CPU is not counted; rates are per core of the
# measured process (user+sys time), so a busy machine changes wall time, not
# the figures. Peers run through ../shared/anchors (see its README).
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-$root/build}
B=$build/bench/bench_signins
V=$build/vigil
anchors=${ANCHORS:-$root/../shared/anchors}
tmp=${TMPDIR:-/tmp}/vigil-bench-signins
mkdir -p "$tmp"
[ -x "$B" ] || { echo "build first: $B missing" >&2; exit 1; }

kv() { sed -n "s/.*\b$1=\([^ ]*\).*/\1/p"; }

row() { # label n format mode line
  local line=$5
  printf '| %s | %s | %s | %s | %s | %s | %s MB |\n' "$1" "$2" \
    "$(echo "$line" | kv events)" "$(echo "$line" | kv events_per_s_core)" \
    "$(echo "$line" | kv mb_per_s_core)" "$(echo "$line" | kv lines_per_s_core)" \
    "$(echo "$line" | kv peak_rss_mb)"
}

echo "| input (generated) | events | parsed | events/s/core | MB/s/core | lines/s/core | peak RSS |"
echo "|---|---|---|---|---|---|---|"
for f in entra graph okta sshd windows csv; do
  l=$("$B" gen $f 1000000 | "$B" detect -)
  row "$f, parse + detect" 1M $f detect "$l"
done
l=$("$B" gen entra 1000000 | "$B" parse -)
row "entra, parse only" 1M entra parse "$l"
l=$("$B" gen entra 1000000 | "$B" jansson -)
printf '| entra, jansson json_loadb only | 1M | %s | %s | %s | - | %s MB |\n' \
  "$(echo "$l" | kv records)" "$(echo "$l" | kv records_per_s_core)" \
  "$(echo "$l" | kv mb_per_s_core)" "$(echo "$l" | kv peak_rss_mb)"
[ -n "${QUICK:-}" ] && exit 0

for f in entra sshd; do
  l=$("$B" gen $f 10000000 | "$B" detect -)
  row "$f, parse + detect" 10M $f detect "$l"
done

# peers on one sshd log (~450k lines, like the anchors README's synthetic log)
log=$tmp/sshd-peers.log
"$B" gen sshd 210000 > "$log"
lines=$(wc -l < "$log")
echo
echo "sshd log for peers: $lines lines ($log)"
t0=$(date +%s.%N)
"$V" signins --json --year 2020 "$log" > "$tmp/vigil.json" 2>/dev/null
t1=$(date +%s.%N)
l=$("$B" detect "$log")
echo "vigil signins: wall $(echo "$t1 - $t0" | bc) s, $(wc -l < "$tmp/vigil.json") findings; bench: $l"
if command -v crowdsec >/dev/null && [ -x "$anchors/crowdsec/replay.sh" ]; then
  bash "$anchors/crowdsec/replay.sh" --summary "$log" 2>/dev/null | tail -1 | sed 's/^/crowdsec: /'
else
  echo "crowdsec: not installed (sh ../shared/anchors/install.sh)"
fi
if command -v fail2ban-regex >/dev/null && [ -x "$anchors/fail2ban/replay.sh" ]; then
  bash "$anchors/fail2ban/replay.sh" --summary "$log" 2>/dev/null | tail -1 | sed 's/^/fail2ban: /'
else
  echo "fail2ban: not installed"
fi
