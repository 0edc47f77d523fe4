#!/usr/bin/env bash
# The test command: set-up, a release build of fmnist (end-to-end tests run it), then the suite.
# Real-data tests use FMNIST_DATA_DIR (default: ../shared/data when it exists); without it they
# print that they were skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if [ -z "${FMNIST_DATA_DIR:-}" ] && [ -d ../shared/data ]; then
  FMNIST_DATA_DIR="$(cd ../shared/data && pwd)"
fi
export FMNIST_DATA_DIR="${FMNIST_DATA_DIR:-}"
[ -n "$FMNIST_DATA_DIR" ] || echo "note: FMNIST_DATA_DIR is not set: real-data tests will be SKIPPED" >&2
swift build -c release --product fmnist
export FMNIST_BIN="$(swift build -c release --show-bin-path)/fmnist"
swift test "$@"
