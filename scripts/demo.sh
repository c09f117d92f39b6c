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
"$daemon" --config "$config" --state-dir "$state" &
pid=$!
stop() { kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }
trap stop EXIT INT TERM

export MFIGW_TOKEN_FILE=$state/admin.token
if ! "$ctl" status --wait 30; then
  echo "demo: the daemon did not become ready" >&2
  exit 1
fi
cat <<MSG

mfi-gatewayd is running (pid $pid), its LMDB store in $state.
  status:   $ctl --token-file $state/admin.token status
  metrics:  curl -s -H "Authorization: Bearer \$(cat $state/admin.token)" http://127.0.0.1:8470/metrics
  opt-out:  curl -s -H "Authorization: Bearer \$(cat $state/admin.token)" -d '{"msisdn":"0712345678"}' http://127.0.0.1:8470/api/v1/optouts
  dial:     $ctl dial '*123#' --msisdn +254712345678   (USSD menus: issue 5, not yet landed)
Stop with Ctrl-C.
MSG
if [ "$check" = --check ]; then
  exit 0
fi
wait "$pid"
