#!/usr/bin/env bash
# t_mail_cli.sh — `vigil mail` as a command: exit codes, naming of messages
# (PATH, PATH#N), stdin, --json verdicts, --findings, --rejects, --dump, and
# output that does not depend on the number of worker threads.
set -u
BIN=${VIGIL_BIN:?VIGIL_BIN not set}
SRC=${VIGIL_SRC:-$(cd "$(dirname "$0")/.." && pwd)}
FIX=$SRC/tests/fixtures/mail
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
check() { # description, condition (as a command)
    if eval "$2"; then
        echo "ok   $1"
    else
        echo "FAIL $1"
        fail=1
    fi
}

# usage and input errors
"$BIN" mail >/dev/null 2>&1
check "no input is a usage error (2)" '[ $? -eq 2 ]'
"$BIN" mail --bogus "$FIX/three.mbox" >/dev/null 2>&1
check "unknown option is a usage error (2)" '[ $? -eq 2 ]'
"$BIN" mail -q /nonexistent/mail/path >/dev/null 2>"$tmp/err"
check "missing input exits 3" '[ $? -eq 3 ]'
check "missing input is named on stderr" 'grep -q "/nonexistent/mail/path" "$tmp/err"'

# mbox: PATH#N, single message: PATH alone
"$BIN" mail --json -q "$FIX/three.mbox" "$FIX/single_envelope.eml" >"$tmp/out.jsonl"
check "mbox + single: exit 0" '[ $? -eq 0 ]'
check "three verdicts for the mbox" '[ $(grep -c "three.mbox#" "$tmp/out.jsonl") -eq 3 ]'
check "mbox messages numbered in order" 'grep -n "" "$tmp/out.jsonl" | grep -q "^3:.*three.mbox#3"'
check "a single message with an envelope line is named by its path" \
    'grep -q "\"file\":\"$FIX/single_envelope.eml\"" "$tmp/out.jsonl"'
for k in '"sha256":"' '"message_id":' '"from":' '"recipients":[' '"verdict":"' '"score":' '"reasons":['; do
    check "verdict has $k" 'grep -q -F "$k" "$tmp/out.jsonl"'
done

# stdin
"$BIN" mail --json -q - <"$FIX/paypal_idn.eml" >"$tmp/stdin.jsonl"
check "stdin: a verdict named -" 'grep -q "\"file\":\"-\"" "$tmp/stdin.jsonl"'
check "stdin: the IDN look-alike is phish" 'grep -q "\"verdict\":\"phish\"" "$tmp/stdin.jsonl"'
"$BIN" mail --json -q - <"$FIX/three.mbox" >"$tmp/stdin2.jsonl"
check "stdin mbox: three messages -#1..-#3" '[ $(grep -c "\"file\":\"-#" "$tmp/stdin2.jsonl") -eq 3 ]'

# findings and config
"$BIN" mail --json -q --config "$FIX/config.yaml" --findings "$tmp/findings.jsonl" \
    "$FIX/cerium_who_covid.eml" "$FIX/who_newsletter.eml" >"$tmp/v.jsonl"
check "findings written for the phishing message only" \
    '[ $(grep -c "\"kind\":\"phish\." "$tmp/findings.jsonl") -ge 2 ] && ! grep -q who_newsletter "$tmp/findings.jsonl"'
check "findings carry the organization id" 'grep -q "\"org\":\"helix\"" "$tmp/findings.jsonl"'
check "the verdict names the organization" 'grep -q "\"org\":\"helix\"" "$tmp/v.jsonl"'
"$BIN" mail -q --config /nonexistent/config.yaml "$FIX/three.mbox" >/dev/null 2>&1
check "unreadable config exits 3" '[ $? -eq 3 ]'

# rejects: a file that is not mail, named directly
"$BIN" mail --json -q --rejects "$tmp/rejects.tsv" "$FIX/config.yaml" "$FIX/three.mbox" >"$tmp/r.jsonl"
check "a non-mail file is rejected, the run goes on (exit 0)" '[ $? -eq 0 ]'
check "rejects line: source, offset, reason" 'grep -q "config.yaml	0	.*not a mail message" "$tmp/rejects.tsv"'
check "the reject has a JSON error line" 'grep -q "\"error\":" "$tmp/r.jsonl"'
check "the other messages still get verdicts" '[ $(grep -c "three.mbox#" "$tmp/r.jsonl") -eq 3 ]'

# --dump
"$BIN" mail --dump -q "$FIX/zinc_recruiter_docm.eml" >"$tmp/dump.json"
check "dump shows the macro attachment" 'grep -q "Senior_Engineer_JD.docm" "$tmp/dump.json"'

# output does not depend on threads
"$BIN" mail --json -q -j 1 "$FIX" >"$tmp/j1.jsonl" 2>/dev/null
"$BIN" mail --json -q -j 4 "$FIX" >"$tmp/j4.jsonl" 2>/dev/null
check "-j 1 and -j 4 give the same output" 'cmp -s "$tmp/j1.jsonl" "$tmp/j4.jsonl"'
check "the fixtures directory gives 20 verdicts" '[ $(wc -l <"$tmp/j1.jsonl") -eq 20 ]'

# a tree mixing what workers read themselves (small files) and what the main
# thread reads and shares out message by message (files over 1 MiB): verdicts,
# stderr, rejects and findings in input order whatever -j is
mkdir -p "$tmp/tree/a" "$tmp/tree/b"
cp "$FIX"/*.eml "$tmp/tree/a/"
echo "not mail" >"$tmp/tree/a/notes.txt"
for i in $(seq 1 2000); do cat "$FIX/three.mbox"; echo; done >"$tmp/tree/b/big.mbox"
cp "$FIX/three.mbox" "$tmp/tree/b/small.mbox"
printf 'mail:\n  limits: {max_message_bytes: 1400}\n' >"$tmp/lim.yaml"
for j in 1 3; do
    "$BIN" mail --json -j $j --config "$tmp/lim.yaml" --rejects "$tmp/rej$j" --findings "$tmp/fnd$j" \
        "$tmp/tree" "$FIX/config.yaml" >"$tmp/tree$j.jsonl" 2>"$tmp/err$j"
done
check "big mbox: every message, -j 1" '[ $(grep -c "big.mbox#" "$tmp/tree1.jsonl") -eq 6000 ]'
check "tree: -j 1 and -j 3 give the same verdicts" 'cmp -s "$tmp/tree1.jsonl" "$tmp/tree3.jsonl"'
check "tree: the same stderr" 'cmp -s "$tmp/err1" "$tmp/err3"'
check "tree: the same rejects" 'cmp -s "$tmp/rej1" "$tmp/rej3"'
check "tree: the same findings" 'cmp -s "$tmp/fnd1" "$tmp/fnd3"'
check "tree: messages over the limit rejected" 'grep -q "over the 1400-byte limit" "$tmp/rej3"'
check "tree: the non-mail file is skipped and said once" \
    '[ $(grep -c "tree: 1 file skipped (not mail)" "$tmp/err3") -eq 1 ]'
check "tree: the summary counts every message" \
    'grep -q "vigil mail: [0-9]* messages: .*; [1-9][0-9]* rejected" "$tmp/err3"'

# text output for people
"$BIN" mail -q "$FIX/paypal_idn.eml" >"$tmp/text.out"
check "text line: path, verdict, score, reasons" 'grep -q "paypal_idn.eml: phish [0-9]* .* — " "$tmp/text.out"'

exit $fail
