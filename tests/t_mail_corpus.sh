#!/usr/bin/env bash
# t_mail_corpus.sh — acceptance test of the phishing detectors on the real
# corpora of ../shared/data (see each SOURCE.md): `vigil mail --json` over the
# phishing sets (phishing_pot, phishing_pot_themed) must flag (phish or
# suspicious) at least 80% of them, and over each legitimate set (SpamAssassin
# ham: easy_ham, easy_ham_2, hard_ham; modern_ham) at most 1%. Prints the
# figures. Skips (77) when the data is absent.
#
# VIGIL_CORPUS_SAMPLE=K analyses every K-th file of each set only (files in
# byte order), for quick runs; the default is every file (about 7,600
# messages: ~10 s in a release build, ~60 s under AddressSanitizer with two
# cores). The thresholds are the same.
set -u
BIN=${VIGIL_BIN:?VIGIL_BIN not set}
DATA=${VIGIL_SHARED:-$(dirname "$0")/../../shared}/data

need=(phishing_pot/email phishing_pot_themed/email spamassassin_corpus/easy_ham
      spamassassin_corpus/easy_ham_2 spamassassin_corpus/hard_ham modern_ham)
for d in "${need[@]}"; do
    if [ ! -d "$DATA/$d" ]; then
        echo "SKIP: corpus $DATA/$d is absent (see ../shared/data/*/SOURCE.md)"
        exit 77
    fi
done

sample=${VIGIL_CORPUS_SAMPLE:-1}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# run SET DIR...: verdict lines of the sampled files into $tmp/SET.jsonl
run() {
    local set=$1
    shift
    : >"$tmp/$set.list"
    for d in "$@"; do
        find "$DATA/$d" -type f ! -name '.*' ! -name '*.md' ! -name '*.tsv' ! -name '*.json' \
            ! -name 'LICENSE*' ! -name '*.txt' | LC_ALL=C sort >>"$tmp/$set.list"
    done
    awk -v k="$sample" '(NR - 1) % k == 0' "$tmp/$set.list" >"$tmp/$set.sample"
    local start end
    start=$(date +%s.%N)
    xargs -d '\n' -a "$tmp/$set.sample" "$BIN" mail --json --quiet >"$tmp/$set.jsonl" 2>"$tmp/$set.err"
    end=$(date +%s.%N)
    local n flagged errors
    n=$(grep -c '"file"' "$tmp/$set.jsonl")
    flagged=$(grep -c -E '"verdict":"(phish|suspicious)"' "$tmp/$set.jsonl")
    errors=$(grep -c '"error":' "$tmp/$set.jsonl")
    echo "$set $n $flagged $errors $start $end" >>"$tmp/summary"
}

run phishing phishing_pot/email phishing_pot_themed/email
run sa_ham spamassassin_corpus/easy_ham spamassassin_corpus/easy_ham_2 spamassassin_corpus/hard_ham
run modern_ham modern_ham

status=0
echo "vigil mail on ../shared/data (every ${sample} file):"
while read -r set n flagged errors start end; do
    rate=$(awk -v f="$flagged" -v n="$n" 'BEGIN { printf "%.4f", (n ? f / n : 0) }')
    secs=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }')
    mps=$(awk -v n="$n" -v s="$secs" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }')
    if [ "$set" = phishing ]; then
        verdict=$(awk -v r="$rate" 'BEGIN { print (r >= 0.80) ? "ok" : "FAIL" }')
        printf '  %-11s %5d messages, %5d flagged: recall %.2f%% (>= 80%%) %s  [%s s, %s msg/s]\n' \
            "$set" "$n" "$flagged" "$(awk -v r="$rate" 'BEGIN{print r*100}')" "$verdict" "$secs" "$mps"
    else
        verdict=$(awk -v r="$rate" 'BEGIN { print (r <= 0.01) ? "ok" : "FAIL" }')
        printf '  %-11s %5d messages, %5d flagged: false positives %.2f%% (<= 1%%) %s  [%s s, %s msg/s]\n' \
            "$set" "$n" "$flagged" "$(awk -v r="$rate" 'BEGIN{print r*100}')" "$verdict" "$secs" "$mps"
    fi
    [ "$verdict" = ok ] || status=1
    if [ "$errors" -gt 0 ]; then
        echo "  $set: $errors message(s) rejected:"
        grep '"error":' "$tmp/$set.jsonl" | head -5
    fi
    if [ "$n" -eq 0 ]; then
        echo "  $set: no message analysed"
        cat "$tmp/$set.err"
        status=1
    fi
done <"$tmp/summary"
exit $status
