#!/usr/bin/env bash
# install-deps.sh — the one list of every Debian package vigil needs to build,
# test, fuzz and benchmark. Idempotent and non-interactive; runs as root on a
# fresh Debian 12. `apt-get update` runs only when something is missing.
set -u

PACKAGES=(
  # toolchain
  build-essential cmake pkg-config git ca-certificates
  clang llvm libclang-rt-14-dev          # libFuzzer, ASan/UBSan symbolizer
  # libraries
  libglib2.0-dev libgmime-3.0-dev        # MIME (src/mail)
  libicu-dev                             # confusables, NFKC, charsets
  libidn2-dev libpsl-dev                 # IDN and registrable domains
  libvectorscan-dev                      # multi-pattern lexicons (<hs/hs.h>, libhs)
  libyaml-dev libjansson-dev             # config, JSON input
  libsqlite3-dev sqlite3                 # store
  libcurl4-openssl-dev                   # webhook, SMTP delivery
  libmicrohttpd-dev                      # web API
  libnats-dev nats-server                # JetStream streaming (+ real server for tests)
  libmagic-dev                           # content sniffing of attachments
  libxxhash-dev libssl-dev               # fast hashes; SHA-256 and HMAC
  libxml2-dev libuchardet-dev            # HTML parsing, charset detection
  libarchive-dev                         # archive members of attachments
  libcmocka-dev                          # unit tests
  # test and bench tools
  python3 python3-aiosmtpd               # SMTP peer for delivery tests
  time                                   # /usr/bin/time -v for peak RSS
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${#missing[@]} missing package(s): ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive

# Refresh package lists only when they are absent or older than a day.
if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*_Packages' -mmin -1440 2>/dev/null | head -1)" ]; then
  $SUDO apt-get update -q || { echo "install-deps: apt-get update failed" >&2; exit 1; }
fi

if ! $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"; then
  # Find exactly which package failed, one at a time.
  for p in "${missing[@]}"; do
    if ! $SUDO apt-get install -y -q --no-install-recommends "$p" >/dev/null 2>&1; then
      echo "install-deps: FAILED to install package: $p" >&2
    fi
  done
  exit 1
fi
echo "install-deps: done"
