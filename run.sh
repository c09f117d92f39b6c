#!/usr/bin/env bash
# The project's entry point on a fresh Debian 12 machine. Each command installs the
# Debian packages it needs (scripts/install-deps.sh), builds, and does one job:
#   ./run.sh demo    build, then run the daemon on the embedded default (SMSC simulator,
#                    shipped menus, sample loan book) and show it ready
#   ./run.sh test    build, then run the whole test suite
#   ./run.sh asan    the test suite built with AddressSanitizer + UBSan
#   ./run.sh fuzz    build the libFuzzer targets with clang (build-fuzz/tests/fuzz/)
#   ./run.sh bench   build in Release, run every benchmark, print the summary (bench/run)
#   ./run.sh build   just build (build/)
set -euo pipefail
cd "$(dirname "$0")"
jobs=$(nproc 2>/dev/null || echo 2)

configure_and_build() {  # dir, extra cmake args...
  local dir=$1; shift
  cmake -S . -B "$dir" -G Ninja "$@" >/dev/null
  cmake --build "$dir" -j "$jobs"
}

run_tests() {  # dir
  # Shuffled, so no test leans on another's leftovers.
  GTEST_SHUFFLE=1 ctest --test-dir "$1" --output-on-failure -j "$jobs" --timeout 600
}

cmd=${1:-help}
case "$cmd" in
  build)
    scripts/install-deps.sh
    configure_and_build build
    ;;
  test)
    scripts/install-deps.sh
    configure_and_build build
    run_tests build
    ;;
  asan)
    scripts/install-deps.sh
    configure_and_build build-asan -DCMAKE_BUILD_TYPE=Debug -DMFIGW_SANITIZE=ON
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 run_tests build-asan
    ;;
  fuzz)
    scripts/install-deps.sh
    CC=clang-14 CXX=clang++-14 configure_and_build build-fuzz -DMFIGW_FUZZ=ON -DMFIGW_TESTS=ON
    ;;
  bench)
    scripts/install-deps.sh
    shift
    exec bench/run "$@"
    ;;
  demo)
    shift
    scripts/install-deps.sh
    configure_and_build build
    exec scripts/demo.sh build "$@"
    ;;
  *)
    sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'
    [ "$cmd" = help ] || exit 2
    ;;
esac
