#!/usr/bin/env bash
# bench/mail/run.sh — `vigil mail` throughput, memory, recall and false-positive
# rate on the shared corpora, side by side with rspamd and SpamAssassin run
# offline on the same messages (../shared/anchors/).
#
#   bash bench/mail/run.sh [--update] [--no-peers]
#
# Environment: VIGIL_BIN (default build/vigil), VIGIL_SHARED (default
# ../shared), BENCH_SAMPLE=N (only the first N files of each set, in byte
# order; default all), JOBS (vigil -j for the parallel run; default nproc).
# --update rewrites the "## mail" section of bench/RESULTS.md with the table.
# A peer that is not installed (`sudo sh ../shared/anchors/install.sh`) is
# reported as such.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${VIGIL_BIN:-$root/build/vigil}
SHARED=${VIGIL_SHARED:-$root/../shared}
DATA=$SHARED/data
ANCHORS=$SHARED/anchors
JOBS=${JOBS:-$(nproc)}
update=0
peers=1
for a in "$@"; do
    case $a in
    --update) update=1 ;;
    --no-peers) peers=0 ;;
    *) echo "usage: $0 [--update] [--no-peers]" >&2; exit 2 ;;
    esac
done
[ -x "$BIN" ] || { echo "bench/mail: $BIN not built (run make)" >&2; exit 2; }
for d in phishing_pot/email spamassassin_corpus/easy_ham modern_ham; do
    [ -d "$DATA/$d" ] || { echo "bench/mail: $DATA/$d absent, skipping"; exit 0; }
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# sets: name, label, kind (phish/ham), directories
declare -A DIRS LABEL KIND
DIRS[phish]="phishing_pot/email phishing_pot_themed/email"
LABEL[phish]="phishing_pot + themed (phishing)"
KIND[phish]=phish
DIRS[sa]="spamassassin_corpus/easy_ham spamassassin_corpus/easy_ham_2 spamassassin_corpus/hard_ham"
LABEL[sa]="SpamAssassin ham 2002"
KIND[sa]=ham
DIRS[modern]="modern_ham"
LABEL[modern]="modern_ham 2019-2026"
KIND[modern]=ham
SETS="phish sa modern"

# One flat directory of symlinks per set (the peers' scan scripts take a directory).
for s in $SETS; do
    mkdir -p "$tmp/$s"
    : >"$tmp/$s.list"
    for d in ${DIRS[$s]}; do
        [ -d "$DATA/$d" ] || continue
        find "$DATA/$d" -type f ! -name '.*' ! -name '*.md' ! -name '*.tsv' ! -name '*.json' \
            ! -name 'LICENSE*' ! -name '*.txt' | LC_ALL=C sort >>"$tmp/$s.list"
    done
    if [ -n "${BENCH_SAMPLE:-}" ]; then
        head -n "$BENCH_SAMPLE" "$tmp/$s.list" >"$tmp/$s.l2" && mv "$tmp/$s.l2" "$tmp/$s.list"
    fi
    i=0
    while read -r f; do
        i=$((i + 1))
        ln -s "$f" "$tmp/$s/$(printf '%06d' $i).eml"
    done <"$tmp/$s.list"
done

metric() { if [ "${KIND[$1]}" = phish ]; then echo recall; else echo "false positives"; fi; }
pct() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f%%", (b ? 100 * a / b : 0) }'; }
rate() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f", (b > 0 ? a / b : 0) }'; }

rows=()
machine="$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(free -g | awk '/Mem:/ {print $2}') GiB RAM"

# vigil: -j 1 and -j JOBS
for s in $SETS; do
    n=$(wc -l <"$tmp/$s.list")
    bytes=$(xargs -d '\n' -a "$tmp/$s.list" cat | wc -c)
    mb=$(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1048576 }')
    for j in 1 "$JOBS"; do
        /usr/bin/time -f '%e %M' -o "$tmp/time" "$BIN" mail --json --quiet -j "$j" "$tmp/$s" >"$tmp/v.jsonl" 2>/dev/null
        read -r secs rss <"$tmp/time"
        flagged=$(grep -c -E '"verdict":"(phish|suspicious)"' "$tmp/v.jsonl")
        got=$(wc -l <"$tmp/v.jsonl")
        mps=$(rate "$got" "$secs")
        mbs=$(awk -v b="$bytes" -v s="$secs" 'BEGIN { printf "%.1f", (s > 0 ? b / 1048576 / s : 0) }')
        rows+=("| ${LABEL[$s]} | $n msgs, $mb MB | vigil -j $j | $secs | $mps | $mbs | $((rss / 1024)) MB | $(pct "$flagged" "$got") $(metric "$s") |")
        [ "$j" = "$JOBS" ] && break
    done
done

# peers
peer() { # name script parallel
    local name=$1 script=$2 par=$3
    if ! command -v "$4" >/dev/null 2>&1; then
        rows+=("| all sets | | $name | not installed here: $5 | | | | |")
        return
    fi
    for s in $SETS; do
        n=$(wc -l <"$tmp/$s.list")
        bytes=$(xargs -d '\n' -a "$tmp/$s.list" cat | wc -c)
        mb=$(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1048576 }')
        bash "$script" --summary "$tmp/$s" "$par" >"$tmp/p.out" 2>"$tmp/p.err"
        line=$(grep '^messages=' "$tmp/p.out" | tail -1)
        if [ -z "$line" ]; then
            rows+=("| ${LABEL[$s]} | $n msgs | $name | failed: $(tail -1 "$tmp/p.err") | | | | |")
            continue
        fi
        msgs=$(echo "$line" | sed 's/.*messages=\([0-9]*\).*/\1/')
        flagged=$(echo "$line" | sed 's/.*flagged=\([0-9]*\).*/\1/')
        secs=$(echo "$line" | sed 's/.*seconds=\([0-9.]*\).*/\1/')
        mps=$(echo "$line" | sed 's/.*msgs_per_s=\([0-9.]*\).*/\1/')
        mbs=$(awk -v b="$bytes" -v s="$secs" 'BEGIN { printf "%.1f", (s > 0 ? b / 1048576 / s : 0) }')
        rows+=("| ${LABEL[$s]} | $n msgs, $mb MB | $name | $secs | ${mps%.*} | $mbs | daemon | $(pct "$flagged" "$msgs") $(metric "$s") |")
    done
}
if [ $peers = 1 ]; then
    peer "rspamd 3.4 (offline)" "$ANCHORS/rspamd/scan.sh" 64 rspamc \
        "Debian's rspamd needs libhyperscan5, which conflicts with vigil's libvectorscan5"
    peer "SpamAssassin 4.0 (offline)" "$ANCHORS/spamassassin/scan.sh" 4 spamd \
        "sudo sh ../shared/anchors/install.sh"
    [ -x "$ANCHORS/rspamd/stop.sh" ] && bash "$ANCHORS/rspamd/stop.sh" >/dev/null 2>&1
    [ -x "$ANCHORS/spamassassin/stop.sh" ] && bash "$ANCHORS/spamassassin/stop.sh" >/dev/null 2>&1
fi

section=$(
    echo "## mail: vigil mail vs rspamd and SpamAssassin (offline) on the shared corpora"
    echo "Command: \`bash bench/mail/run.sh${BENCH_SAMPLE:+ (BENCH_SAMPLE=$BENCH_SAMPLE)}\`"
    echo "Machine: $machine; $(. /etc/os-release && echo "$PRETTY_NAME"); $(date -u +%Y-%m-%d); vigil $("$BIN" version 2>/dev/null | head -1 | awk '{print $2}')"
    echo
    echo "| input | size | engine | seconds | msgs/s | MB/s | peak RSS | flagged (phish or suspicious) |"
    echo "|---|---|---|---|---|---|---|---|"
    printf '%s\n' "${rows[@]}"
    echo
    echo "Notes: vigil's time is the whole run (start-up, reading, parsing with GMime, HTML with"
    echo "libxml2, detection); the peers' seconds are the scan alone (daemon already started),"
    echo "with their Python client on the same cores. Flagged = phish or suspicious for vigil;"
    echo "rspamd add header/rewrite subject/reject; SpamAssassin score >= 5. On phishing sets the"
    echo "flagged share is the recall, on ham sets the false-positive rate. rspamd cannot be"
    echo "installed next to vigil on Debian 12 (its libhyperscan5 conflicts with libvectorscan5);"
    echo "../shared/anchors/README.md measured it on the same class of machine: 566 msgs/s and"
    echo "17.6% flagged on all 1,948 phishing_pot messages (SpamAssassin there: 22 msgs/s, 17.4%)."
)
echo "$section"
if [ $update = 1 ]; then
    res=$root/bench/RESULTS.md
    [ -f "$res" ] || echo "# Benchmark results" >"$res"
    awk -v sec="$section" '
        /^## mail/ { skip = 1; print sec; printed = 1; next }
        /^## / && skip { skip = 0 }
        !skip { print }
        END { if (!printed) { print ""; print sec } }' "$res" >"$tmp/res" && cp "$tmp/res" "$res"
    echo "bench/mail: updated $res"
fi
