#!/usr/bin/env bash
# The demo: mfi-gatewayd on the embedded default (the example config: built-in SMSC
# simulator, shipped menus), its state in ./demo-state, shown ready through mfi-gatewayctl.
#   scripts/demo.sh BUILD_DIR [--check]   (--check: stop again once ready; for CI)
set -euo pipefail
build=${1:?usage: demo.sh BUILD_DIR [--check]}
check=${2:-}
cd "$(dirname "$0")/.."
daemon=$build/gateway/mfi-gatewayd
ctl=$build/gateway/mfi-gatewayctl
state=$PWD/demo-state
config=systemd/gateway.yaml.example
mkdir -p "$state" && chmod 700 "$state"

"$daemon" --check-config "$config"
"$daemon" --check-menus menus/mfi/menu.yaml
"$daemon" --config "$config" --state-dir "$state" --menus-dir menus/mfi &
pid=$!
stop() { kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }
trap stop EXIT INT TERM

export MFIGW_TOKEN_FILE=$state/admin.token
if ! "$ctl" status --wait 30; then
  echo "demo: the daemon did not become ready" >&2
  exit 1
fi
# The sample loan book (demo/sample): clients first, their loans, groups, payment points
# and the areas a borrower can name by code (Payment points > Enter an area code: 10..34).
"$ctl" import demo/sample/clients.csv demo/sample/loans.csv demo/sample/groups.csv \
  demo/sample/payment_points.csv demo/sample/areas.csv
cat <<MSG

mfi-gatewayd is running (pid $pid), its LMDB store in $state,
bound to its built-in SMSC simulator, serving the shipped menu (menus/mfi/menu.yaml),
with the sample loan book of demo/sample (+254712345678 is Wanjiru Kamau).
In another terminal:
  export MFIGW_TOKEN_FILE=$state/admin.token
  $ctl dial '*123#'              a phone in this terminal (--msisdn N for another)
  $ctl send 0712345678 'Your payment of KES 2,500 is due on Friday'
  $ctl queue                     the outbox by state (queue show ID for one message)
  $ctl sms STOP                  the phone opts out: confirmed once, nothing more is sent
  $ctl status
  curl -s -H "Authorization: Bearer \$(cat $state/admin.token)" http://127.0.0.1:8470/metrics
Stop with Ctrl-C.
MSG
if [ "$check" = --check ]; then
  # The menu answers a phone (then hangs up): the demo's promise, checked.
  "$ctl" dial '*123#' </dev/null
  exit 0
fi
wait "$pid"
