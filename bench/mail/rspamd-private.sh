#!/usr/bin/env bash
# bench/mail/rspamd-private.sh — Debian's rspamd unpacked into a private root, runnable beside vigil's vectorscan.
#
#   bash bench/mail/rspamd-private.sh prepare      download + unpack once; prints the bin dir (rspamd, rspamc, rspamadm)
#   bash bench/mail/rspamd-private.sh start        the offline daemon of ../shared/anchors/rspamd (rspamd-start.sh)
#   bash bench/mail/rspamd-private.sh scan [--summary] DIR [PARALLEL]   ../shared/anchors/rspamd/scan.sh, private rspamc
#   bash bench/mail/rspamd-private.sh stop         ../shared/anchors/rspamd/stop.sh (same pid file)
#   bash bench/mail/rspamd-private.sh path         the bin dir, prepared or not
#
# Why: Debian 12's rspamd depends on libhyperscan5, which conflicts with libvectorscan5 (vigil builds against
# libvectorscan-dev), so it cannot be installed with apt here, and must never be: apt would remove vectorscan.
# Instead `apt-get download` fetches rspamd's .deb and those of its dependencies that are not installed
# (libhyperscan5, libluajit-5.1-2, ...) into $RSPAMD_DEBS, and `dpkg-deb -x` unpacks them into $RSPAMD_ROOT.
# Nothing is installed, /etc and dpkg's database are not touched. The wrappers in $RSPAMD_ROOT/bin put the private
# libraries first in LD_LIBRARY_PATH for rspamd only (its libhs.so.5 is hyperscan's, not vectorscan's) and point
# the paths rspamd compiles in (/etc/rspamd, /usr/share/rspamd, /usr/lib/rspamd, /var/lib/rspamd, ...) at the
# private root with `--var` (config variables) and the environment (Lua package paths); later `--var`s win.
# `rspamd` without -c reads $RSPAMD_ROOT/etc/rspamd/rspamd-private.conf: Debian's rspamd.conf plus the
# language-detection path, the one path rspamd compiles in without a variable.
#
# Environment: RSPAMD_ROOT (default ${TMPDIR:-/tmp}/vigil-rspamd-root), RSPAMD_DEBS (default
# ${TMPDIR:-/tmp}/vigil-rspamd-debs), VIGIL_SHARED (default ../shared). Needs network access to the Debian archive
# on first use (or the .debs already in RSPAMD_DEBS), and apt's package lists (updated here only as root).
set -u
here=$(cd "$(dirname "$0")" && pwd)
SHARED=${VIGIL_SHARED:-$(cd "$here/../.." && pwd)/../shared}
T=${TMPDIR:-/tmp}
PRIV=${RSPAMD_ROOT:-$T/vigil-rspamd-root}
DEBS=${RSPAMD_DEBS:-$T/vigil-rspamd-debs}

die() { echo "rspamd-private: $*" >&2; exit 1; }

installed() { [ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" = installed ]; }

# The Depends and Pre-Depends of package $1, one line per dependency, its alternatives separated by spaces;
# a virtual package (<name>) is replaced by the packages that provide it, an :any qualifier is dropped.
dep_groups() {
    apt-cache depends --no-recommends --no-suggests --no-conflicts --no-breaks --no-replaces \
        --no-enhances "$1" 2>/dev/null | awk '
        NR == 1 { next }
        /^ *\|?(Pre)?Depends: / {
            name = $NF; sub(/:any$/, "", name)
            if (!cont) { if (g != "") print g; g = "" }
            if (name !~ /^</) g = g " " name
            cont = ($0 ~ /^ *\|/)
            next
        }
        /^    [^ ]/ { name = $1; sub(/:any$/, "", name); g = g " " name }
        END { if (g != "") print g }'
}

# rspamd and, recursively, every dependency not satisfied by an installed package (first alternative wins).
resolve() {
    local queue=(rspamd) want=() p g a pick
    declare -A seen=([rspamd]=1)
    while [ ${#queue[@]} -gt 0 ]; do
        p=${queue[0]}
        queue=("${queue[@]:1}")
        want+=("$p")
        while read -r g; do
            pick=
            for a in $g; do
                if installed "$a" || [ -n "${seen[$a]:-}" ]; then pick=-; break; fi
            done
            [ -n "$pick" ] && continue
            for a in $g; do
                apt-cache show "$a" >/dev/null 2>&1 && { pick=$a; break; }
            done
            [ -n "$pick" ] || { echo "rspamd-private: nothing in apt provides '$g' (needed by $p)" >&2; return 1; }
            seen[$pick]=1
            queue+=("$pick")
        done < <(dep_groups "$p")
    done
    printf '%s\n' "${want[@]}"
}

write_wrappers() { # root libpath
    local P=$1 libs=$2 S=$1/usr/share/rspamd cmd
    mkdir -p "$P/bin" "$P/var/lib/rspamd" "$P/run/rspamd" "$P/var/log/rspamd"
    cat >"$P/etc/rspamd/rspamd-private.conf" <<'EOF'
# rspamd-private.conf: Debian's stock rspamd.conf (written by bench/mail/rspamd-private.sh). The language
# models are the one path rspamd compiles in without a config variable, so name them here.
.include "$CONFDIR/rspamd.conf"
lang_detection {
  languages = "$SHAREDIR/languages";
}
EOF
    for cmd in rspamd rspamc rspamadm; do
        {
            echo '#!/bin/sh'
            echo "# $cmd from Debian's rspamd .deb unpacked in $P (written by bench/mail/rspamd-private.sh):"
            echo "# the private libraries first (its libhs.so.5 is hyperscan, not the system's vectorscan), and the"
            echo "# paths rspamd compiles in redirected to the private root (later --var options win)."
            echo "LD_LIBRARY_PATH='$libs'\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}"
            echo "export LD_LIBRARY_PATH"
            case $cmd in
            rspamd | rspamadm)
                echo "CONFDIR='$P/etc/rspamd' LOCAL_CONFDIR='$P/etc/rspamd' SHAREDIR='$S' RULESDIR='$S/rules'"
                echo "LUALIBDIR='$S/lualib' PLUGINSDIR='$S/plugins' WWWDIR='$S/www' LIBDIR='$P/usr/lib/rspamd'"
                echo "RSPAMD_LIBDIR='$P/usr/lib/rspamd' DBDIR='$P/var/lib/rspamd' RUNDIR='$P/run/rspamd' LOGDIR='$P/var/log/rspamd'"
                echo "export CONFDIR LOCAL_CONFDIR SHAREDIR RULESDIR LUALIBDIR PLUGINSDIR WWWDIR LIBDIR RSPAMD_LIBDIR DBDIR RUNDIR LOGDIR"
                ;;
            esac
            case $cmd in
            rspamd)
                echo 'conf=1'
                # shellcheck disable=SC2016 # written as is into the wrapper
                echo 'for a in "$@"; do case $a in -c | -c?* | --config | --config=*) conf= ;; esac; done'
                echo "[ -n \"\$conf\" ] && set -- -c '$P/etc/rspamd/rspamd-private.conf' \"\$@\""
                ;;
            esac
            case $cmd in
            rspamd | rspamadm)
                echo "exec '$P/usr/bin/$cmd' --var=CONFDIR=\"\$CONFDIR\" --var=LOCAL_CONFDIR=\"\$LOCAL_CONFDIR\" \\"
                echo "    --var=SHAREDIR=\"\$SHAREDIR\" --var=RULESDIR=\"\$RULESDIR\" --var=LUALIBDIR=\"\$LUALIBDIR\" \\"
                echo "    --var=PLUGINSDIR=\"\$PLUGINSDIR\" --var=WWWDIR=\"\$WWWDIR\" --var=LIBDIR=\"\$LIBDIR\" \\"
                echo "    --var=RSPAMD_LIBDIR=\"\$RSPAMD_LIBDIR\" --var=DBDIR=\"\$DBDIR\" --var=RUNDIR=\"\$RUNDIR\" \\"
                echo "    --var=LOGDIR=\"\$LOGDIR\" \"\$@\""
                ;;
            rspamc) echo "exec '$P/usr/bin/rspamc' \"\$@\"" ;;
            esac
        } >"$P/bin/$cmd"
        chmod 755 "$P/bin/$cmd"
    done
}

prepare() {
    if [ -f "$PRIV/.prepared" ] && [ -x "$PRIV/bin/rspamd" ]; then
        echo "$PRIV/bin"
        return 0
    fi
    if ! command -v apt-get >/dev/null || ! command -v dpkg-deb >/dev/null; then
        die "needs apt-get and dpkg-deb (Debian) to fetch rspamd privately"
    fi
    grep -qw ssse3 /proc/cpuinfo || die "this CPU lacks SSSE3, which Debian's libhyperscan5 requires"
    mkdir -p "$DEBS" "$(dirname "$PRIV")" || die "cannot create $DEBS"
    exec 9>"$PRIV.lock" && flock 9 # one preparation at a time
    if [ -f "$PRIV/.prepared" ] && [ -x "$PRIV/bin/rspamd" ]; then
        echo "$PRIV/bin"
        return 0
    fi
    if ! apt-cache show rspamd >/dev/null 2>&1; then
        [ "$(id -u)" = 0 ] && { echo "rspamd-private: apt-get update (no package list knows rspamd)" >&2; apt-get update >&2; }
        apt-cache show rspamd >/dev/null 2>&1 ||
            die "apt knows no rspamd package (run 'apt-get update' as root); cannot fetch it privately"
    fi
    local pkgs p need=() f tmp libs
    pkgs=$(resolve) || die "cannot resolve rspamd's dependencies"
    for p in $pkgs; do
        compgen -G "$DEBS/${p}_*.deb" >/dev/null || need+=("$p")
    done
    if [ ${#need[@]} -gt 0 ]; then
        echo "rspamd-private: apt-get download ${need[*]} -> $DEBS" >&2
        # as root apt drops to its sandbox user _apt, which must be able to write the directory
        [ "$(id -u)" = 0 ] && id _apt >/dev/null 2>&1 && chown _apt "$DEBS"
        (cd "$DEBS" && apt-get download "${need[@]}") >&2 ||
            die "apt-get download failed (no network or no access to the Debian archive?): cannot run rspamd here"
    fi
    tmp=$PRIV.new.$$
    rm -rf "$tmp"
    mkdir -p "$tmp" || die "cannot create $tmp"
    for p in $pkgs; do
        f=$(compgen -G "$DEBS/${p}_*.deb" | sort -V | tail -1)
        [ -n "$f" ] || die "no .deb for $p in $DEBS"
        dpkg-deb -x "$f" "$tmp" || die "dpkg-deb -x $f failed"
        basename "$f" >>"$tmp/.debs"
    done
    [ -x "$tmp/usr/bin/rspamd" ] || die "the rspamd .deb holds no usr/bin/rspamd"
    rm -rf "$PRIV"
    mv "$tmp" "$PRIV" || die "cannot move $tmp to $PRIV"
    chmod 755 "$PRIV"
    # every private directory holding shared libraries, rspamd's own first
    libs=$(find "$PRIV/usr/lib" "$PRIV/lib" -name '*.so*' -printf '%h\n' 2>/dev/null | sort -u |
        awk -v r="$PRIV/usr/lib/rspamd" '$0 == r { first = $0; next } { rest = rest ":" $0 } END { print first rest }')
    write_wrappers "$PRIV" "$libs"
    # the whole point: rspamd must load the private hyperscan, not vectorscan
    LD_LIBRARY_PATH=$libs ldd "$PRIV/usr/bin/rspamd" "$PRIV/usr/lib/rspamd/"librspamd-server.so* 2>&1 |
        grep -E 'libhs\.so|not found' | grep -v "$PRIV" >&2 && die "rspamd does not resolve its libraries privately (above)"
    "$PRIV/bin/rspamd" --version >/dev/null 2>&1 || die "$PRIV/bin/rspamd --version fails"
    date -u +%FT%TZ >"$PRIV/.prepared"
    echo "rspamd-private: $("$PRIV/bin/rspamd" --version 2>&1 | tail -1) ready in $PRIV ($(tr '\n' ' ' <"$PRIV/.debs"))" >&2
    echo "$PRIV/bin"
}

case ${1:-prepare} in
prepare) prepare ;;
path) echo "$PRIV/bin" ;;
start) shift; exec bash "$here/rspamd-start.sh" "$@" ;;
scan)
    shift
    bin=$(prepare) || exit 1
    bash "$here/rspamd-start.sh" >/dev/null || exit 1
    PATH=$bin:$PATH exec bash "$SHARED/anchors/rspamd/scan.sh" "$@"
    ;;
stop) exec sh "$SHARED/anchors/rspamd/stop.sh" ;;
*) echo "usage: $0 [prepare|path|start|scan [--summary] DIR [PARALLEL]|stop]" >&2; exit 2 ;;
esac
