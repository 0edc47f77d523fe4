#!/usr/bin/env bash
# The test command: set-up, a release build of fmnist (end-to-end tests run it), then the suite.
#
# Real-data tests read FMNIST_DATA_DIR (default: ../shared/data when it exists), in either layout:
# the shared one (fashion-mnist/ and mnist/, each with the four .gz files; optionally
# fashion-mnist-2017-08-26/ with the old labels) or a workspace root (fashion/ and mnist/). Without
# it the test runner reports them as skipped; a set FMNIST_DATA_DIR holding neither layout fails.
#
# Swift Testing's closing line ("Test run with N tests … passed") counts skipped tests among the N,
# so this script repeats the runner's own skip lines and their count after it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if [ -z "${FMNIST_DATA_DIR:-}" ] && [ -d ../shared/data ]; then
  FMNIST_DATA_DIR="$(cd ../shared/data && pwd)"
fi
export FMNIST_DATA_DIR="${FMNIST_DATA_DIR:-}"
[ -n "$FMNIST_DATA_DIR" ] || echo "note: FMNIST_DATA_DIR is not set: the real-data tests will be reported as skipped" >&2
swift build -c release --product fmnist
export FMNIST_BIN="$(swift build -c release --show-bin-path)/fmnist"

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
status=0
swift test "$@" 2>&1 | tee "$log" || status=$?
# The runner prints one line per skipped test, "➜ Test name() skipped: "why"", and per test that
# cancelled itself at run time (a condition it cannot meet here), "➜ Test name() was cancelled …".
skipped="$(grep -E '^[^ ]* *Test .* (skipped(:|\.|$)|was cancelled)' "$log" || true)"
if [ -n "$skipped" ]; then
  echo "" >&2
  echo "SKIPPED or cancelled by the test runner: $(printf '%s\n' "$skipped" | wc -l) test(s) (the closing line above counts them as tests):" >&2
  printf '%s\n' "$skipped" | sed 's/^/  /' >&2
else
  echo "the test runner skipped or cancelled no test" >&2
fi
exit "$status"
