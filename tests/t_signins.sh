#!/usr/bin/env bash
# t_signins.sh — `vigil signins` end to end: exit codes, stdin, --json,
# --events, --rejects, --format, config thresholds and baselines.
set -u
V=${VIGIL_BIN:?}
fail=0
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
check() { # name expected-status command...
  local name=$1 want=$2; shift 2
  "$@" >$T/out 2>$T/err; local got=$?
  if [ "$got" != "$want" ]; then echo "FAIL $name: exit $got, want $want"; cat $T/err; fail=1; fi
}

# a normal sign-in, then a single-address spray: 12 accounts, one address, two
# passwords each, then a hit
printf '{"createdDateTime":"2020-11-13T09:00:00Z","userPrincipalName":"boss@helix.example","ipAddress":"198.51.100.10","status":{"errorCode":0},"clientAppUsed":"Browser"}\n' > $T/spray.jsonl
for i in $(seq 1 12); do
  for k in 0 1; do
    printf '{"createdDateTime":"2020-11-13T10:%02d:%02dZ","userPrincipalName":"user%02d@helix.example","ipAddress":"203.0.113.7","status":{"errorCode":50126},"clientAppUsed":"IMAP4","userAgent":"python-requests/2.25"}\n' $i $((k*20)) $i
  done
done >> $T/spray.jsonl
printf '{"createdDateTime":"2020-11-13T10:40:00Z","userPrincipalName":"user03@helix.example","ipAddress":"203.0.113.7","status":{"errorCode":0},"clientAppUsed":"IMAP4","userAgent":"python-requests/2.25"}\n' >> $T/spray.jsonl
printf 'this is not a sign-in\n{"broken": \n' >> $T/spray.jsonl

check usage-none 2 "$V" signins
check usage-opt 2 "$V" signins --frobnicate x
check usage-format 2 "$V" signins --format klingon $T/spray.jsonl
check usage-year 2 "$V" signins --year 12 $T/spray.jsonl
check missing-input 3 "$V" signins $T/does-not-exist.log
check thresholds 0 "$V" signins --thresholds
grep -q "spray_min_accounts" $T/out || { echo "FAIL: --thresholds lists no spray_min_accounts"; fail=1; }

check json 0 "$V" signins --json --rejects $T/rejects.txt $T/spray.jsonl
grep -q '"kind":"cred.spray"' $T/out || { echo "FAIL: no cred.spray"; fail=1; }
grep -q '"kind":"cred.compromise"' $T/out || { echo "FAIL: no cred.compromise"; fail=1; }
grep -q '"compromised":\["user03@helix.example"\]' $T/out || { echo "FAIL: compromised account"; fail=1; }
grep -q "spray.jsonl:27: " $T/err || { echo "FAIL: reject not on stderr"; cat $T/err; fail=1; }
[ "$(wc -l < $T/rejects.txt)" = 2 ] || { echo "FAIL: rejects file"; cat $T/rejects.txt; fail=1; }
cp $T/out $T/first.json

# the same input on stdin gives the same findings (ids and revisions)
check stdin 0 sh -c "\"$V\" signins --json - < $T/spray.jsonl"
[ "$(grep -o '"id":"f-[0-9a-f]*","revision":[0-9]*' $T/out)" = \
  "$(grep -o '"id":"f-[0-9a-f]*","revision":[0-9]*' $T/first.json)" ] ||
  { echo "FAIL: stdin ids/revisions differ from the file's"; fail=1; }

check text 0 "$V" signins $T/spray.jsonl
grep -q "ACCOUNTS COMPROMISED" $T/out || { echo "FAIL: text summary does not lead with the compromise"; fail=1; }
grep -q "26 events read" $T/out || { echo "FAIL: text summary counts"; cat $T/out; fail=1; }

check events 0 "$V" signins --events $T/spray.jsonl
[ "$(wc -l < $T/out)" = 26 ] || { echo "FAIL: --events count"; fail=1; }
grep -q '"account":"user01@helix.example"' $T/out || { echo "FAIL: --events account"; fail=1; }

# forcing another format rejects JSON records with a reason
check forced 0 "$V" signins --format sshd $T/spray.jsonl
grep -q "not a journal record" $T/err || { echo "FAIL: forced format reason"; fail=1; }

# a config that raises the single-address threshold silences the spray
cat > $T/cfg.yaml <<'EOF'
organizations:
  - id: helix
    domains: [helix.example]
signins:
  thresholds: {spray_ip_min_accounts: 50, spray_min_accounts: 50}
EOF
check config 0 "$V" signins --json --config $T/cfg.yaml $T/spray.jsonl
grep -q '"kind":"cred.spray"' $T/out && { echo "FAIL: threshold override ignored"; fail=1; }
printf 'signins:\n  thresholds: {spray_min_accounts: many}\n' > $T/bad.yaml
check bad-config 2 "$V" signins --config $T/bad.yaml $T/spray.jsonl
grep -q "line 2" $T/err || { echo "FAIL: bad config does not name its line"; cat $T/err; fail=1; }

# baselines out and back in
check bl-out 0 "$V" signins --json --baselines-out $T/bl.jsonl $T/spray.jsonl
[ -s $T/bl.jsonl ] || { echo "FAIL: no baselines written"; fail=1; }
check bl-in 0 "$V" signins --json --baselines-in $T/bl.jsonl $T/spray.jsonl

[ $fail = 0 ] && echo "t_signins: all checks passed"
exit $fail
