#!/usr/bin/env bash
# Installs every Debian 12 package mfi-gateway needs to build, test and run its demo.
# Idempotent: installs only what is missing, so it is cheap to call before every build.
# This list is the project's whole dependency set; there are no downloads at build time.
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build pkg-config git ca-certificates
  clang-14 libclang-rt-14-dev           # libFuzzer builds
  # libraries (DESIGN.md: Beast/Asio, libsmpp34, LMDB, yaml-cpp, spdlog, ...)
  libboost-dev libsmpp34-dev liblmdb-dev libyaml-cpp-dev libspdlog-dev libfmt-dev
  nlohmann-json3-dev libsodium-dev libsystemd-dev libphonenumber-dev libssl-dev
  zlib1g-dev libzstd-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev lmdb-utils curl procps clang-format
  systemd                               # systemd-analyze verify/security in tests
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: run as root or install sudo" >&2; exit 1; }
  sudo=(sudo)
fi
echo "install-deps: installing ${missing[*]}"
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends \
  "${missing[@]}" >/dev/null
