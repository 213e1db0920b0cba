#!/bin/bash
# t_intel_import.sh — `vigil intel import`: intel files validated and kept in
# the store, idempotent by content, a malformed file refused (exit 3, file and
# position named), and a scan over imported intel attributing exactly as the
# same scan given the file with --intel (and differently from no intel).
set -u
VIGIL=${VIGIL_BIN:?}
SRC=${VIGIL_SRC:?}
FX=$SRC/tests/fixtures
command -v sqlite3 >/dev/null || { echo "SKIP: the sqlite3 CLI is needed for the checks"; exit 77; }
T=$(mktemp -d "${TMPDIR:-/tmp}/vigil-t-intel-import.XXXXXX")
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
cd "$T" || exit 1

# ---- import, then the same content again -------------------------------------------
"$VIGIL" intel import >/dev/null 2>&1; [ $? -eq 2 ] || fail "import without FILE should exit 2"
"$VIGIL" intel import --db imp.db "$FX/scan/intel.txt" "$FX/intel/strontium.stix.json" \
    >imp1.txt 2>imp1.err || fail "import failed: $(cat imp1.err)"
[ "$(wc -l <imp1.txt)" -eq 2 ] || fail "one summary line per file: $(cat imp1.txt)"
grep -q "intel.txt: 1 indicators (1 ip), 1 tied to an actor (STRONTIUM).*; imported into imp.db" \
    imp1.txt || fail "intel.txt summary: $(cat imp1.txt)"
grep -q "strontium.stix.json: 12 indicators.*4 rejected; imported" imp1.txt \
    || fail "STIX summary: $(cat imp1.txt)"
grep -q "strontium.stix.json: objects\[13\].*pattern offset 19" imp1.err \
    || fail "rejected records are not named with file and position: $(cat imp1.err)"
q() { sqlite3 "$1" "$2"; }
[ "$(q imp.db 'select name, kind, records from intel_files order by name')" = \
  "$(printf 'intel.txt|indicators|1\nstrontium.stix.json|indicators|12')" ] \
    || fail "stored rows: $(q imp.db 'select name, kind, records from intel_files')"
[ "$(q imp.db "select content from intel_files where name = 'intel.txt'")" = "$(cat "$FX/scan/intel.txt")" ] \
    || fail "stored content differs from the file"
before=$(q imp.db 'select sha256, name, imported_ms from intel_files order by sha256')
cp "$FX/scan/intel.txt" renamed.txt
"$VIGIL" intel import --db imp.db "$FX/scan/intel.txt" renamed.txt >imp2.txt 2>&1 \
    || fail "re-import failed: $(cat imp2.txt)"
[ "$(grep -c 'already imported as intel.txt .*nothing changed' imp2.txt)" -eq 2 ] \
    || fail "re-import did not say already imported: $(cat imp2.txt)"
[ "$(q imp.db 'select sha256, name, imported_ms from intel_files order by sha256')" = "$before" ] \
    || fail "re-import changed the store"

# ---- malformed files are refused, nothing stored -------------------------------------
"$VIGIL" intel import --db imp.db "$FX/intel/malformed.stix.json" >bad.txt 2>bad.err
[ $? -eq 3 ] || fail "malformed file should exit 3"
grep -q "malformed.stix.json:4:0:" bad.err || fail "error lacks file and position: $(cat bad.err)"
grep -q "malformed.stix.json: not imported" bad.err || fail "no 'not imported': $(cat bad.err)"
printf '# nothing but a comment\n' >empty.txt
"$VIGIL" intel import --db imp.db empty.txt "$FX/scan/intel.txt" >mixed.txt 2>mixed.err
[ $? -eq 3 ] || fail "a file that loads nothing should make the exit status 3"
grep -q "already imported" mixed.txt || fail "the good file after a bad one was not processed"
[ "$(q imp.db 'select count(*) from intel_files')" -eq 2 ] || fail "a bad file was stored"

# ---- scans: imported intel == --intel FILE != no intel -----------------------------------
IN=("$FX/scan/findings-day1.jsonl" "$FX/scan/findings-day2.jsonl")
"$VIGIL" intel import --db a.db "$FX/scan/intel.txt" >/dev/null 2>&1 || fail "import into a.db"
"$VIGIL" scan --config "$FX/scan/config.yaml" --db a.db --out out-a --no-notify "${IN[@]}" \
    >scan-a.txt 2>&1 || fail "scan with imported intel: $(cat scan-a.txt)"
"$VIGIL" scan --config "$FX/scan/config.yaml" --intel "$FX/scan/intel.txt" --db b.db --out out-b \
    --no-notify "${IN[@]}" >scan-b.txt 2>&1 || fail "scan with --intel: $(cat scan-b.txt)"
"$VIGIL" scan --config "$FX/scan/config.yaml" --db c.db --out out-c --no-notify "${IN[@]}" \
    >scan-c.txt 2>&1 || fail "scan without intel: $(cat scan-c.txt)"
attr() {
    q "$1" "select id, kind, org, actor from findings order by id"
    q "$1" "select id, actor, first_seen, last_seen from campaigns order by id"
    q "$1" "select campaign_id, finding_id from campaign_members order by 1, 2"
}
attr a.db >attr-a; attr b.db >attr-b; attr c.db >attr-c
grep -q "|STRONTIUM$" attr-a || fail "nothing attributed to STRONTIUM: $(cat attr-a)"
cmp -s attr-a attr-b || fail "imported intel attributes differently from --intel: $(diff attr-a attr-b)"
cmp -s attr-a attr-c && fail "intel made no difference: the comparison proves nothing"
# Given both ways at once, the file counts once.
"$VIGIL" scan --config "$FX/scan/config.yaml" --intel "$FX/scan/intel.txt" --db a.db --out out-a \
    --no-notify --rescan "${IN[@]}" >scan-a2.txt 2>&1 || fail "rescan: $(cat scan-a2.txt)"
attr a.db >attr-a2
cmp -s attr-a attr-a2 || fail "imported + --intel changed attribution: $(diff attr-a attr-a2)"
# notify reads the same store.
"$VIGIL" notify --db a.db --out out-a >notify.txt 2>&1 || fail "notify: $(cat notify.txt)"
echo "ok"
