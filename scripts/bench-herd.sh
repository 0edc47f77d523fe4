#!/usr/bin/env bash
# A herd on one mirror: WORKSPACES concurrent `fmnist fetch all` (release build, default settings,
# a workspace folder each) against the loopback test mirror (Tests/Support/mirror_server.py) that
# answers 503 + `Retry-After: 1` past 8 concurrent bodies and sends BANDWIDTH bytes/s in all.
# Baseline: the floor, bytes needed ÷ BANDWIDTH. Prints each run, the median wall time and the
# ratio median / floor, and the bytes the mirror sent against those needed.
# usage: scripts/bench-herd.sh [RUNS] [WORKSPACES] [BANDWIDTH]   (defaults 3, 24, 40000000;
#        needs FMNIST_DATA_DIR or ../shared/data; FMNIST_BIN skips the build)
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${FMNIST_DATA_DIR:-$(cd .. && pwd)/shared/data}
if [[ ! -d "$DATA/fashion-mnist" || ! -d "$DATA/mnist" ]]; then
  echo "error: $DATA must hold fashion-mnist/ and mnist/ with the four .gz files each; set FMNIST_DATA_DIR" >&2
  exit 2
fi
BIN=${FMNIST_BIN:-}
if [[ -z "$BIN" ]]; then swift build -c release --product fmnist >&2; BIN=$(swift build -c release --show-bin-path)/fmnist; fi
exec python3 scripts/bench_herd.py "$BIN" "$(cd "$DATA" && pwd)" "${1:-3}" "${2:-24}" "${3:-40000000}" "${MAX_BODIES:-8}"
