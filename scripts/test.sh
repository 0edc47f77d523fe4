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
#
# Run as root (CI, containers), it then runs the tests whose meaning depends on privileges
# (read-only version folders and files, read-only and full disks, permission bits that root
# ignores) again as an unprivileged user: FMNIST_TEST_USER (default fmnist-ci, created with
# useradd when missing), through runuser, from the test bundle just built, bounded by
# FMNIST_TEST_USER_TIMEOUT seconds (default 600). Its result is reported and fails this script.
# Skipped when arguments are passed to `swift test` (a partial run) or with FMNIST_TEST_USER_RUN=0.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if [ -z "${FMNIST_DATA_DIR:-}" ] && [ -d ../shared/data ]; then
  FMNIST_DATA_DIR="$(cd ../shared/data && pwd)"
fi
export FMNIST_DATA_DIR="${FMNIST_DATA_DIR:-}"
[ -n "$FMNIST_DATA_DIR" ] || echo "note: FMNIST_DATA_DIR is not set: the real-data tests will be reported as skipped" >&2
# moto[server] + boto3 for the s3:// mirror tests, pyarrow for the Parquet read-back (real-data tests): .venv-test, built once.
if [ -n "$FMNIST_DATA_DIR" ]; then
  bash scripts/test-venv.sh || echo "warning: scripts/test-venv.sh could not build .venv-test (moto[server], boto3, pyarrow): the s3:// mirror and Parquet read-back tests will fail" >&2
fi
swift build -c release --product fmnist
export FMNIST_BIN="$(swift build -c release --show-bin-path)/fmnist"

log="$(mktemp)"
trap 'rm -f "$log"; if declare -F close_opened_folders >/dev/null; then close_opened_folders; fi' EXIT
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

# The suites whose meaning depends on who runs them (see the header).
user_suites='WorkspaceStoreTests|VerifyRecordingTests|BadInputCorpusTests/(readOnlyWorkspace|fullDisk)|LifecycleEndToEndTests/removeAndGCWorkForAUser|DoctorEndToEndTests|TrustEndToEndTests|TestIsolationTests'
# Folders above the checkout or the data that other users cannot enter (a clone under /root, say):
# for the unprivileged run only, they get the search bit for others (enter, not list), and their
# modes are put back when the run ends (also on exit).
opened_folders=()
open_folders_above() {
  local start dir mode
  for start in "$@"; do
    [ -n "$start" ] || continue
    dir="$(dirname "$start")"
    while [ "$dir" != "/" ]; do
      mode="$(stat -c %A "$dir")"
      case "${mode:9:1}" in
        x|t) ;;
        *) chmod o+x "$dir" && opened_folders+=("$dir") && echo "note: $dir: search bit for others set for the unprivileged run (put back after it)" >&2 ;;
      esac
      dir="$(dirname "$dir")"
    done
  done
}
close_opened_folders() {
  local dir
  for dir in ${opened_folders[@]+"${opened_folders[@]}"}; do chmod o-x "$dir" || true; done
  opened_folders=()
}
user_run() {
  local user="${FMNIST_TEST_USER:-fmnist-ci}" bundle home ulog rc=0
  if ! id -u "$user" >/dev/null 2>&1; then
    useradd --system --no-create-home --shell /usr/sbin/nologin "$user" || {
      echo "error: cannot create the user $user for the unprivileged test run (set FMNIST_TEST_USER to an existing user, or FMNIST_TEST_USER_RUN=0 to skip it)" >&2
      return 1
    }
  fi
  bundle="$(swift build --show-bin-path)/fmnistPackageTests.xctest"
  open_folders_above "$PWD" "$FMNIST_DATA_DIR"
  if ! runuser -u "$user" -- test -x "$bundle" -a -r "$PWD/Package.swift" -a -x "$FMNIST_BIN"; then
    close_opened_folders
    echo "error: the user $user cannot read this checkout ($PWD) or run $bundle: the checkout is not readable by other users." \
      "Make it readable (chmod -R o+rX), move it (e.g. under /srv or /tmp), or set FMNIST_TEST_USER_RUN=0 to skip the unprivileged run" >&2
    return 1
  fi
  home="$(mktemp -d)"
  ulog="$(mktemp)"
  chown "$user" "$home"
  echo "" >&2
  echo "unprivileged run: the privilege-dependent tests again as $user (uid $(id -u "$user")): $user_suites" >&2
  timeout --kill-after=10 "${FMNIST_TEST_USER_TIMEOUT:-600}" runuser -u "$user" -- env HOME="$home" TMPDIR=/tmp \
    FMNIST_DATA_DIR="$FMNIST_DATA_DIR" FMNIST_BIN="$FMNIST_BIN" PATH="$PATH" \
    "$bundle" --testing-library swift-testing --filter "$user_suites" > "$ulog" 2>&1 || rc=$?
  close_opened_folders
  cat "$ulog"
  rm -rf "$home"
  if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
    echo "unprivileged run as $user: FAILED: it ran past ${FMNIST_TEST_USER_TIMEOUT:-600} s and was stopped" >&2
  elif [ "$rc" -ne 0 ]; then
    echo "unprivileged run as $user: FAILED (exit $rc)" >&2
  elif ! grep -qE 'Test run with [0-9]+ tests? .*passed' "$ulog"; then
    echo "unprivileged run as $user: FAILED: the runner reported no passing run" >&2
    rc=1
  else
    echo "unprivileged run as $user: passed ($(grep -oE 'Test run with [0-9]+ tests?' "$ulog" | tail -1 | grep -oE '[0-9]+') tests)" >&2
  fi
  local uskipped
  uskipped="$(grep -E '^[^ ]* *Test .* (skipped(:|\.|$)|was cancelled)' "$ulog" || true)"
  if [ -n "$uskipped" ]; then
    echo "  of which SKIPPED or cancelled as $user: $(printf '%s\n' "$uskipped" | wc -l) test(s):" >&2
    printf '%s\n' "$uskipped" | sed 's/^/    /' >&2
  fi
  rm -f "$ulog"
  return "$rc"
}
if [ "$(id -u)" -eq 0 ] && [ "${FMNIST_TEST_USER_RUN:-1}" != 0 ]; then
  if [ "$#" -gt 0 ]; then
    echo "note: arguments were passed to swift test: the unprivileged run is left out" >&2
  elif ! command -v runuser >/dev/null 2>&1; then
    echo "error: running as root, but runuser (util-linux) is not there for the unprivileged test run; install it, or set FMNIST_TEST_USER_RUN=0 to skip that run" >&2
    status=1
  else
    user_run || status=1
  fi
fi
exit "$status"
