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
# RSPAMD_RUNS=N scans every set N times with rspamd, a row per run (default 1).
# VIGIL_RUNS=N runs vigil N times per set and -j, keeping the best (default 3).
# RATIO_ROUNDS=N rounds of vigil and rspamd back to back on the phishing set
# for the speed ratio (default 5; the median is reported).
# --update rewrites the "## mail" section of bench/RESULTS.md with the table.
# rspamd: the system's if `rspamc` is installed; otherwise Debian's rspamd
# package unpacked into a private root by bench/mail/rspamd-private.sh (it
# cannot be installed next to vigil: its libhyperscan5 conflicts with
# libvectorscan5), prepared on first use (needs the Debian archive once).
# Both run with the offline configuration of ../shared/anchors/rspamd.
# SpamAssassin not installed (`sudo sh ../shared/anchors/install.sh`) is
# reported as such.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
BIN=${VIGIL_BIN:-$root/build/vigil}
SHARED=${VIGIL_SHARED:-$root/../shared}
DATA=$SHARED/data
ANCHORS=$SHARED/anchors
JOBS=${JOBS:-$(nproc)}
VIGIL_RUNS=${VIGIL_RUNS:-3}
RATIO_ROUNDS=${RATIO_ROUNDS:-5}
ratios=()
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

# One flat directory per set (the peers' scan scripts take a directory). Hard
# links, or copies across file systems: rspamc skips symlinks when it walks one.
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
        ln "$f" "$tmp/$s/$(printf '%06d' $i).eml" 2>/dev/null || cp "$f" "$tmp/$s/$(printf '%06d' $i).eml"
    done <"$tmp/$s.list"
done

metric() { if [ "${KIND[$1]}" = phish ]; then echo recall; else echo "false positives"; fi; }
pct() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f%%", (b ? 100 * a / b : 0) }'; }
rate() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f", (b > 0 ? a / b : 0) }'; }

rows=()
machine="$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(free -g | awk '/Mem:/ {print $2}') GiB RAM"

# vigil: -j 1 and -j JOBS
# vigil_best SET J RUNS: best of RUNS whole runs (start-up included) into
# $secs, the largest peak RSS (KB) into $rss, the last output in $tmp/v.jsonl.
# Wall time to the millisecond (time's %e has 10 ms steps, 6% of a 0.16 s
# run), taken around time(1), which reports the peak RSS.
vigil_best() {
    local set=$1 j=$2 runs=$3 r t0 t1 t m
    secs=; rss=0
    for r in $(seq 1 "$runs"); do
        t0=$(date +%s%N)
        /usr/bin/time -f '%M' -o "$tmp/time" "$BIN" mail --json --quiet -j "$j" "$tmp/$set" >"$tmp/v.jsonl" 2>/dev/null
        t1=$(date +%s%N)
        read -r m <"$tmp/time"
        t=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
        if [ -z "$secs" ] || awk -v a="$t" -v b="$secs" 'BEGIN { exit !(a < b) }'; then secs=$t; fi
        [ "$m" -gt "$rss" ] && rss=$m
    done
}

for s in $SETS; do
    n=$(wc -l <"$tmp/$s.list")
    bytes=$(xargs -d '\n' -a "$tmp/$s.list" cat | wc -c)
    mb=$(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1048576 }')
    for j in 1 "$JOBS"; do
        # best of VIGIL_RUNS whole runs, as the peers get their best of
        # RSPAMD_RUNS scans
        vigil_best "$s" "$j" "$VIGIL_RUNS"
        [ "$s" = phish ] && [ "$j" = "$JOBS" ] && vigil_phish_secs=$secs
        flagged=$(grep -c -E '"verdict":"(phish|suspicious)"' "$tmp/v.jsonl")
        got=$(wc -l <"$tmp/v.jsonl")
        mps=$(rate "$got" "$secs")
        mbs=$(awk -v b="$bytes" -v s="$secs" 'BEGIN { printf "%.1f", (s > 0 ? b / 1048576 / s : 0) }')
        rows+=("| ${LABEL[$s]} | $n msgs, $mb MB | vigil -j $j | $secs | $mps | $mbs | $((rss / 1024)) MB | $(pct "$flagged" "$got") $(metric "$s") |")
        [ "$j" = "$JOBS" ] && break
    done
done

# peers
peer() { # name runs parallel command... (the command takes --summary DIR PARALLEL)
    local name=$1 runs=$2 par=$3 r label
    shift 3
    for s in $SETS; do
        n=$(wc -l <"$tmp/$s.list")
        bytes=$(xargs -d '\n' -a "$tmp/$s.list" cat | wc -c)
        mb=$(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1048576 }')
        for r in $(seq 1 "$runs"); do
            label=$name
            [ "$runs" -gt 1 ] && label="$name, run $r"
            "$@" --summary "$tmp/$s" "$par" >"$tmp/p.out" 2>"$tmp/p.err"
            line=$(grep '^messages=' "$tmp/p.out" | tail -1)
            if [ -z "$line" ]; then
                rows+=("| ${LABEL[$s]} | $n msgs | $label | failed: $(tail -1 "$tmp/p.err") | | | | |")
                continue
            fi
            msgs=$(echo "$line" | sed 's/.*messages=\([0-9]*\).*/\1/')
            flagged=$(echo "$line" | sed 's/.*flagged=\([0-9]*\).*/\1/')
            secs=$(echo "$line" | sed 's/.*seconds=\([0-9.]*\).*/\1/')
            mps=$(echo "$line" | sed 's/.*msgs_per_s=\([0-9.]*\).*/\1/')
            mbs=$(awk -v b="$bytes" -v s="$secs" 'BEGIN { printf "%.1f", (s > 0 ? b / 1048576 / s : 0) }')
            answered=
            [ "$msgs" != "$n" ] && answered=" ($msgs of $n answered)"
            rows+=("| ${LABEL[$s]} | $n msgs, $mb MB | $label | $secs | ${mps%.*} | $mbs | daemon | $(pct "$flagged" "$msgs") $(metric "$s")$answered |")
            if [ "$s" = phish ] && [ "${name#rspamd}" != "$name" ] &&
                { [ -z "${rspamd_phish_secs:-}" ] || awk -v a="$secs" -v b="$rspamd_phish_secs" 'BEGIN { exit !(a < b) }'; }; then
                rspamd_phish_secs=$secs
            fi
        done
    done
}
# rspamd: "system", "private" (bench/mail/rspamd-private.sh) or why it did not run
rspamd_how="peers not run (--no-peers)"
rspamd_name="rspamd (offline)"
if [ $peers = 1 ]; then
    RSPAMD_RUNS=${RSPAMD_RUNS:-1}
    if command -v rspamc >/dev/null 2>&1 && command -v rspamd >/dev/null 2>&1; then
        rspamd_how=system
        rspamd_cmd=(bash "$ANCHORS/rspamd/scan.sh")
        rspamd_ver=$(rspamd --version 2>&1 | awk '/version/ { print $NF; exit }')
    elif rbin=$(bash "$here/rspamd-private.sh" prepare 2>"$tmp/r.err"); then
        rspamd_how=private
        rspamd_cmd=(bash "$here/rspamd-private.sh" scan)
        rspamd_ver=$("$rbin/rspamd" --version 2>&1 | awk '/version/ { print $NF; exit }')
    else
        rspamd_how="its private copy could not be prepared: $(grep '^rspamd-private:' "$tmp/r.err" | tail -1 | sed 's/^rspamd-private: //')"
    fi
    case $rspamd_how in
    system | private)
        rspamd_name="rspamd ${rspamd_ver:-?} (offline)"
        # start it before the clock: the first start compiles the hyperscan cache
        if [ "$rspamd_how" = private ]; then
            bash "$here/rspamd-start.sh" >/dev/null 2>"$tmp/r.err"
        else
            sh "$ANCHORS/rspamd/start.sh" >/dev/null 2>"$tmp/r.err"
        fi || rspamd_how="it failed to start: $(tail -1 "$tmp/r.err")"
        ;;
    esac
    case $rspamd_how in
    system | private)
        peer "$rspamd_name" "$RSPAMD_RUNS" 64 "${rspamd_cmd[@]}"
        # The machine's speed drifts by a fifth from one minute to the next
        # (a shared VM): the ratio is also taken in rounds that run vigil
        # (best of 3 whole runs) and rspamd (one scan) back to back.
        for r in $(seq 1 "$RATIO_ROUNDS"); do
            vigil_best phish "$JOBS" 3
            "${rspamd_cmd[@]}" --summary "$tmp/phish" 64 >"$tmp/p.out" 2>/dev/null
            rs=$(grep '^messages=' "$tmp/p.out" | tail -1 | sed 's/.*seconds=\([0-9.]*\).*/\1/')
            [ -n "$rs" ] && ratios+=("$(awk -v a="$rs" -v b="$secs" 'BEGIN { printf "%.1f", a / b }')")
        done
        ;;
    *) rows+=("| all sets | | rspamd | not run here: $rspamd_how | | | | |") ;;
    esac
    if command -v spamd >/dev/null 2>&1; then
        peer "SpamAssassin 4.0 (offline)" 1 4 bash "$ANCHORS/spamassassin/scan.sh"
    else
        rows+=("| all sets | | SpamAssassin | not installed here: sudo sh ../shared/anchors/install.sh | | | | |")
    fi
    [ -f "$ANCHORS/rspamd/stop.sh" ] && sh "$ANCHORS/rspamd/stop.sh" >/dev/null 2>&1
    [ -f "$ANCHORS/spamassassin/stop.sh" ] && sh "$ANCHORS/spamassassin/stop.sh" >/dev/null 2>&1
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
    if [ -n "${rspamd_phish_secs:-}" ] && [ -n "${vigil_phish_secs:-}" ]; then
        echo "On the phishing set, the table's best figures give vigil -j $JOBS $(awk -v a="$rspamd_phish_secs" -v b="$vigil_phish_secs" 'BEGIN { printf "%.1f", a / b }')x rspamd's"
        echo "messages/s; they are taken minutes apart, and this machine's speed drifts by up to a fifth"
        echo "in that time, so the rounds below, run back to back, are the comparison."
        echo
    fi
    if [ ${#ratios[@]} -gt 0 ]; then
        med=$(printf '%s\n' "${ratios[@]}" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }')
        echo "Back to back (vigil's best of 3 whole runs, then one rspamd scan; ${#ratios[@]} rounds):"
        echo "vigil -j $JOBS / rspamd messages/s = ${ratios[*]}; median ${med}x."
        echo
    fi
    echo "Notes: vigil's time is the whole run (start-up, reading, MIME, HTML, detection; best of"
    echo "$VIGIL_RUNS runs); the peers' seconds are the scan alone (daemon already started),"
    echo "with their Python client on the same cores. Flagged = phish or suspicious for vigil;"
    echo "rspamd add header/rewrite subject/reject; SpamAssassin score >= 5. On phishing sets the"
    echo "flagged share is the recall, on ham sets the false-positive rate. Both peers run with the"
    echo "offline configuration of ../shared/anchors (no DNS, RBL/URIBL, SPF/DKIM/DMARC, fuzzy or"
    echo "Bayes); rspamd with 2 workers and 64 requests in flight, SpamAssassin with 2 children and 4."
    case $rspamd_how in
    private)
        echo "rspamd cannot be installed next to vigil on Debian 12 (its libhyperscan5 conflicts with"
        echo "libvectorscan5), so this is Debian's rspamd $rspamd_ver package unpacked with dpkg-deb into a"
        echo "private root with its own hyperscan (bench/mail/rspamd-private.sh), nothing installed."
        ;;
    system) echo "rspamd is the system's rspamd $rspamd_ver package." ;;
    *)
        echo "rspamd did not run here ($rspamd_how);"
        echo "../shared/anchors/README.md measured it on the same class of machine: 566 msgs/s and"
        echo "17.6% flagged on all 1,948 phishing_pot messages (SpamAssassin there: 22 msgs/s, 17.4%)."
        ;;
    esac
)
echo "$section"
if [ $update = 1 ]; then
    res=$root/bench/RESULTS.md
    [ -f "$res" ] || echo "# Benchmark results" >"$res"
    awk -v sec="$section" '
        /^## mail: / { skip = 1; print sec; print ""; printed = 1; next }
        /^## / && skip { skip = 0 }
        !skip { print }
        END { if (!printed) { print ""; print sec } }' "$res" >"$tmp/res" && cp "$tmp/res" "$res"
    echo "bench/mail: updated $res"
fi
