#!/usr/bin/env bash
# t_cli.sh — the command table, help, usage errors and exit codes.
set -u
V=${VIGIL_BIN:?}
fail=0
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
check() { # name expected-status command...
  local name=$1 want=$2; shift 2
  "$@" >$T/out 2>$T/err; local got=$?
  if [ "$got" != "$want" ]; then echo "FAIL $name: exit $got, want $want"; cat $T/err; fail=1; fi
}
check help 0 "$V" --help
grep -q "Commands:" $T/out || { echo "FAIL help text"; fail=1; }
cp $T/out $T/help
for c in demo scan mail signins intel notify version; do
  grep -q "^  $c " $T/help || { echo "FAIL: --help does not list $c"; fail=1; }
  check "help-$c" 0 "$V" help "$c"
  [ -s $T/out ] || { echo "FAIL: help $c printed nothing"; fail=1; }
done
check no-args 2 "$V"
check unknown-cmd 2 "$V" frobnicate
grep -q "unknown command 'frobnicate'" $T/err || { echo "FAIL: unknown command message"; fail=1; }
[ -s $T/out ] && { echo "FAIL: usage error wrote to stdout"; fail=1; }
check unknown-opt 2 "$V" --bogus
check bad-level 2 "$V" --log-level loud version
check help-unknown 2 "$V" help frobnicate
check version 0 "$V" version
for lib in GMime ICU libidn2 libpsl vectorscan libyaml jansson SQLite libcurl libmicrohttpd libnats libmagic OpenSSL libxml2; do
  grep -q "^  $lib " $T/out || { echo "FAIL: version does not name $lib"; fail=1; }
done
grep -Eq "^vigil [0-9]+\.[0-9]+\.[0-9]+" $T/out || { echo "FAIL: version line"; fail=1; }
check version-args 2 "$V" version extra
[ $fail = 0 ] && echo "t_cli: all checks passed"
exit $fail
