#!/usr/bin/env bash
# Installs every Debian 12 package mfi-gateway needs to build, test and run its demo.
# Idempotent: installs only what is missing, so it is cheap to call before every build.
# This list (plus node-smpp from the npm registry, pinned by tests/interop/package-lock.json,
# for the interop tests) is the project's whole dependency set; nothing downloads at build time.
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build pkg-config git ca-certificates
  clang-14 libclang-rt-14-dev           # libFuzzer builds
  # libraries (DESIGN.md: Beast/Asio, libsmpp34, LMDB, yaml-cpp, spdlog, ...)
  libboost-dev libsmpp34-dev liblmdb-dev libyaml-cpp-dev libspdlog-dev libfmt-dev
  nlohmann-json3-dev libsodium-dev libsystemd-dev libphonenumber-dev libssl-dev
  zlib1g-dev libzstd-dev
  libhowardhinnant-date-dev tzdata     # date/tz.h over the system zoneinfo (reminder time zones)
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev lmdb-utils curl procps clang-format
  systemd                               # systemd-analyze verify/security in tests
)

# The SMPP interop tests (tests/interop) run node-smpp, a peer nobody here wrote. A machine
# that already has node (a newer one from elsewhere, say) keeps it.
if ! command -v node >/dev/null; then
  packages+=(nodejs npm)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "install-deps: run as root or install sudo" >&2; exit 1; }
    sudo=(sudo)
  fi
  echo "install-deps: installing ${missing[*]}"
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
fi

# node-smpp for tests/interop, exactly as pinned in its package-lock.json, from the npm
# registry. npm writes node_modules/.package-lock.json last, so a lock or manifest newer
# than it means node_modules is missing, half-installed or stale.
interop="$(cd "$(dirname "$0")/.." && pwd)/tests/interop"
installed="$interop/node_modules/.package-lock.json"
if [ ! -f "$installed" ] || [ "$interop/package-lock.json" -nt "$installed" ] ||
   [ "$interop/package.json" -nt "$installed" ]; then
  echo "install-deps: npm ci in tests/interop"
  (cd "$interop" && npm ci --no-audit --no-fund --loglevel=error)
fi
