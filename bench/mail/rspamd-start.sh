#!/bin/sh
# bench/mail/rspamd-start.sh — start the offline rspamd of ../shared/anchors/rspamd from the private root of rspamd-private.sh.
# Modelled on ../shared/anchors/rspamd/start.sh, which runs `rspamd -c /etc/rspamd/rspamd.conf`: same state dir
# ($ANCHOR_STATE, default ${TMPDIR:-/tmp}/anchors-state)/rspamd, pid file, ports (RSPAMD_PORT, default 11433, and the
# next one), overlay etc/local.d and maps, copied into the state dir at start, so the anchors' scan.sh and stop.sh work
# on this daemon unchanged. The differences: rspamd is the private wrapper, the config is the private root's copy of
# Debian's rspamd.conf, and as root the workers run as _rspamd, created as a system user when missing (the package's
# postinst would have), or with --insecure if it cannot be. RSPAMD_START_WAIT (default 300 s) bounds the waits for a
# worker and for the hyperscan cache, which the first start compiles (about 25 s on this 2-core machine).
HERE=$(cd "$(dirname "$0")" && pwd)
SHARED=${VIGIL_SHARED:-$(cd "$HERE/../.." && pwd)/../shared}
A=$SHARED/anchors/rspamd
[ -d "$A/etc/local.d" ] || { echo "rspamd-start: $A/etc/local.d absent" >&2; exit 1; }
BIN=$(bash "$HERE/rspamd-private.sh" prepare) || exit 1
PATH=$BIN:$PATH
CONF=$(dirname "$BIN")/etc/rspamd/rspamd-private.conf
STATE=${ANCHOR_STATE:-${TMPDIR:-/tmp}/anchors-state}
R=$STATE/rspamd
PORT=${RSPAMD_PORT:-11433}
CPORT=$((PORT + 1))
WAIT=${RSPAMD_START_WAIT:-300}
mkdir -p "$R/db" "$R/run" "$R/log" || exit 1
chmod 755 "$STATE" "$R" 2>/dev/null
started=
if [ -f "$R/run/rspamd.pid" ] && kill -0 "$(cat "$R/run/rspamd.pid")" 2>/dev/null; then
  echo "rspamd already running (pid $(cat "$R/run/rspamd.pid"))"
else
  started=1
  rm -rf "${R:?}/etc" "${R:?}/maps"
  cp -R "$A/etc" "$R/etc" && cp -R "$A/maps" "$R/maps" || exit 1
  chmod -R u+w,a+rX "$R/etc" "$R/maps"
  USEROPT=
  if [ "$(id -u)" = 0 ]; then
    # rspamd refuses to run its workers as root
    id _rspamd >/dev/null 2>&1 ||
      useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin _rspamd 2>/dev/null
    if id _rspamd >/dev/null 2>&1; then
      chown -R _rspamd:_rspamd "$R/db" "$R/run" "$R/log"
      USEROPT="-u _rspamd -g _rspamd"
    else
      echo "rspamd-start: no _rspamd user and useradd failed: workers run as root (--insecure)" >&2
      USEROPT=--insecure
    fi
  fi
  # shellcheck disable=SC2086
  rspamd -c "$CONF" $USEROPT \
    --var=LOCAL_CONFDIR="$R/etc" --var=DBDIR="$R/db" --var=RUNDIR="$R/run" --var=LOGDIR="$R/log" \
    --var=ANCHOR_MAPS="$R/maps" --var=ANCHOR_PORT="$PORT" --var=ANCHOR_CPORT="$CPORT" \
    -p "$R/run/rspamd.pid" >"$R/log/start.log" 2>&1 || { cat "$R/log/start.log" >&2; exit 1; }
fi
# wait until a normal worker answers (the first start compiles the hyperscan cache). No `rspamc ping` first as in
# the anchors' start.sh: rspamc 3.4 has no such command (it looks for a file named ping), so that loop always waits 10 s.
end=$(($(date +%s) + WAIT))
while [ "$(date +%s)" -lt "$end" ]; do
  if echo "Subject: x" | rspamc -h "127.0.0.1:$PORT" -t 5 >/dev/null 2>&1; then
    if ! { [ -f "$R/run/rspamd.pid" ] && kill -0 "$(cat "$R/run/rspamd.pid")" 2>/dev/null; }; then
      echo "something else answers on 127.0.0.1:$PORT; set RSPAMD_PORT" >&2; exit 1
    fi
    # A worker answers before the hyperscan cache is complete (the hs_helper compiles it in the background, and the
    # workers use PCRE until it is loaded): after a start, wait until $R/db has not changed for 3 s.
    if [ -n "$started" ]; then
      last='' same=0
      while [ "$same" -lt 3 ] && [ "$(date +%s)" -lt "$end" ]; do
        cur=$(find "$R/db" -printf '%f %s %T@\n' | sort | cksum)
        if [ "$cur" = "$last" ]; then same=$((same + 1)); else same=0; last=$cur; fi
        sleep 1
      done
    fi
    echo "rspamd up (pid $(cat "$R/run/rspamd.pid"), 127.0.0.1:$PORT, private root $(dirname "$BIN"))"
    exit 0
  fi
  [ -f "$R/run/rspamd.pid" ] && ! kill -0 "$(cat "$R/run/rspamd.pid")" 2>/dev/null && break
  sleep 0.3
done
echo "rspamd failed to start; see $R/log/rspamd.log" >&2
exit 1
