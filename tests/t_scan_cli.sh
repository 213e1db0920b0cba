#!/bin/bash
# t_scan_cli.sh — `vigil scan` and `vigil notify` from the command line:
# usage errors, the one-screen and JSON summaries, idempotent reruns (same
# database dump, same files), a CLI suppression kept in the database, and a
# signed webhook delivered to a Python receiver on 127.0.0.1 that checks the
# signature and rejects a replay.
set -u
VIGIL=${VIGIL_BIN:?}
SRC=${VIGIL_SRC:?}
FX=$SRC/tests/fixtures/scan
PY=/usr/bin/python3
[ -x "$PY" ] || { echo "SKIP: $PY is needed for the receiver and the checks"; exit 77; }
T=$(mktemp -d "${TMPDIR:-/tmp}/vigil-t-scan.XXXXXX")
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
    rm -rf "$T"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# ---- usage -------------------------------------------------------------------
"$VIGIL" scan >/dev/null 2>&1; [ $? -eq 2 ] || fail "scan without input should exit 2"
"$VIGIL" scan --bogus x >/dev/null 2>&1; [ $? -eq 2 ] || fail "unknown option should exit 2"
"$VIGIL" scan --db >/dev/null 2>&1; [ $? -eq 2 ] || fail "--db without value should exit 2"
"$VIGIL" notify extra >/dev/null 2>&1; [ $? -eq 2 ] || fail "notify with a stray argument should exit 2"
"$VIGIL" help scan | grep -q -- "--suppress SPEC" || fail "help scan lacks --suppress"
"$VIGIL" scan --config "$T/missing.yaml" --db "$T/x.db" --out "$T/x" "$FX/findings-day1.jsonl" \
    >/dev/null 2>"$T/err"; [ $? -eq 3 ] || fail "missing config should exit 3"
grep -q "missing.yaml" "$T/err" || fail "error does not name the config"

# ---- a scan, then the same scan again ------------------------------------------
cd "$T" || exit 1
"$VIGIL" scan --config "$FX/config.yaml" --intel "$FX/intel.txt" --db v.db --out out \
    "$FX/findings-day1.jsonl" >scan1.txt 2>scan1.err || fail "scan 1 failed: $(cat scan1.err)"
grep -q "^campaigns  1: 1 actor targeted 3 organizations in 3 countries" scan1.txt \
    || fail "headline: $(cat scan1.txt)"
grep -q "^notified   3 organizations" scan1.txt || fail "notified line: $(cat scan1.txt)"
[ -s scan1.err ] && grep -q '\[=' scan1.err && fail "progress bar written to a non-terminal"
[ -f out/summary.html ] && [ -f out/summary.md ] && [ -f out/summary.json ] || fail "no summary files"
ls out/outbox/helix/*.stix.json >/dev/null 2>&1 || fail "no outbox for helix"
[ -e out/outbox/vega ] && fail "suppressed organization was notified"

dump() { $PY - "$1" <<'EOF'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for (name,) in db.execute("select name from sqlite_master where type='table' order by name"):
    for row in db.execute('select * from "%s" order by 1, 2' % name):
        print(name, repr(row))
EOF
}
snap() { find out -type f -printf '%p %i %T@ %s\n' | sort; find out -type f -exec sha256sum {} + | sort; }
dump v.db >d1; snap >s1
"$VIGIL" scan --config "$FX/config.yaml" --intel "$FX/intel.txt" --db v.db --out out \
    "$FX/findings-day1.jsonl" >scan2.txt 2>&1 || fail "scan 2 failed"
grep -q "1 unchanged since the last scan" scan2.txt || fail "rerun did not see the input unchanged"
grep -q "(0 new notice versions)" scan2.txt || fail "rerun made new notices: $(cat scan2.txt)"
"$VIGIL" notify --db v.db --out out >notify.txt 2>&1 || fail "notify failed"
dump v.db >d2; snap >s2
cmp -s d1 d2 || fail "database changed on rerun: $(diff d1 d2 | head)"
cmp -s s1 s2 || fail "files changed on rerun: $(diff s1 s2 | head)"

# ---- JSON summary ------------------------------------------------------------------
"$VIGIL" scan --json --config "$FX/config.yaml" --intel "$FX/intel.txt" --db v.db --out out \
    "$FX/findings-day1.jsonl" "$FX/findings-day2.jsonl" >scan3.json || fail "scan 3 failed"
$PY - scan3.json <<'EOF' || fail "JSON summary"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["inputs"]["findings"] == 2 and s["inputs"]["unchanged"] == 1, s["inputs"]
assert s["notifications"]["new_versions"] == 1, s["notifications"]
a = s["actors"][0]
assert a["actor"] == "STRONTIUM" and a["compromised"] == ["helix:alice@helixbio.example"], a
helix = [n for n in s["notifications"]["notices"] if n["org"] == "helix"][0]
assert helix["version"] == 2 and helix["mail_compromised"], helix
assert s["findings"]["suppressed"] == 2
EOF

# ---- a suppression from the command line, kept until it expires --------------------------
"$VIGIL" scan --config "$FX/config.yaml" --intel "$FX/intel.txt" --db v.db --out out \
    --suppress "kind=cred.spray,org=orion,owner=carol,reason=lab scanner,expires=2999-01-01" \
    >scan4.txt 2>&1 || fail "scan with --suppress failed: $(cat scan4.txt)"
$PY - v.db <<'EOF' || fail "CLI suppression not stored"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
rows = db.execute("select owner, reason, source from suppressions where source='cli'").fetchall()
assert rows == [("carol", "lab scanner", "cli")], rows
n = db.execute("select count(*) from findings where org='orion' and kind='cred.spray' "
               "and suppressed_by is not null").fetchone()[0]
assert n == 1, n
EOF
"$VIGIL" scan --db v.db --out out --suppress "kind=x" >/dev/null 2>&1
[ $? -eq 2 ] || fail "suppression without owner/reason/expiry should be a usage error"

# ---- a signed webhook, and a replay the receiver refuses ---------------------------------
PORT=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >recv.py <<'EOF'
import hashlib, hmac, http.server, json, sys, time
SECRET = b"cli-test-secret"
seen = set()
log = open(sys.argv[2], "a")
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        ts = self.headers.get("X-Vigil-Timestamp", "")
        sig = self.headers.get("X-Vigil-Signature", "")
        want = "sha256=" + hmac.new(SECRET, ts.encode() + b"." + body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(want, sig) or abs(time.time() - int(ts or 0)) > 300:
            code = 401
        elif sig in seen:
            code = 409
        else:
            seen.add(sig)
            json.loads(body)
            code = 200
        log.write("%d %s %s %s\n" % (code, self.headers.get("Idempotency-Key"), ts, sig))
        log.flush()
        if code == 200:
            open(sys.argv[3], "wb").write(body)
        self.send_response(code)
        self.end_headers()
    def log_message(self, *a):
        pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
EOF
$PY recv.py "$PORT" hook.log body.json &
PIDS+=($!)
for _ in $(seq 50); do $PY -c "import socket; socket.create_connection(('127.0.0.1',$PORT),1)" 2>/dev/null && break; sleep 0.1; done
sed "s|    domains: \[orion.example\]|    domains: [orion.example]\n    notify:\n      webhook: {url: 'http://127.0.0.1:$PORT/hook', secret_env: T_SCAN_SECRET}|" \
    "$FX/config.yaml" >hook.yaml
grep -q "127.0.0.1:$PORT" hook.yaml || fail "could not write hook.yaml"
T_SCAN_SECRET=cli-test-secret "$VIGIL" scan --config hook.yaml --intel "$FX/intel.txt" --db w.db \
    --out wout "$FX/findings-day1.jsonl" >scan5.txt 2>&1 || fail "webhook scan failed: $(cat scan5.txt)"
grep -q "deliveries: 4 ok, 0 failed" scan5.txt || fail "webhook not delivered: $(cat scan5.txt)"
[ "$(grep -c '^200 ' hook.log)" = 1 ] || fail "receiver log: $(cat hook.log)"
$PY -c "import json; d=json.load(open('body.json')); assert d['organization']['id']=='orion' and d['tlp']=='TLP:AMBER'" \
    || fail "webhook body"
# Replay the captured request: the receiver refuses it.
read -r _ KEY TS SIG <hook.log
CODE=$($PY - "$PORT" "$TS" "$SIG" "$KEY" <<'EOF'
import sys, urllib.request, urllib.error
port, ts, sig, key = sys.argv[1:5]
req = urllib.request.Request("http://127.0.0.1:%s/hook" % port, data=open("body.json", "rb").read(),
                             headers={"X-Vigil-Timestamp": ts, "X-Vigil-Signature": sig,
                                      "Idempotency-Key": key, "Content-Type": "application/json"})
try:
    print(urllib.request.urlopen(req, timeout=5).status)
except urllib.error.HTTPError as e:
    print(e.code)
EOF
)
[ "$CODE" = 409 ] || fail "replay was not refused ($CODE)"
# No second delivery on a rerun.
T_SCAN_SECRET=cli-test-secret "$VIGIL" scan --config hook.yaml --intel "$FX/intel.txt" --db w.db --out wout \
    "$FX/findings-day1.jsonl" >/dev/null 2>&1 || fail "webhook rerun failed"
[ "$(grep -c '^200 ' hook.log)" = 1 ] || fail "webhook sent twice: $(cat hook.log)"
echo "ok"
