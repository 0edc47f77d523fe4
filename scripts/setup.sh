#!/usr/bin/env bash
# Installs what fmnist needs to build and test on Debian/Ubuntu, as root, as a sudo user, or (when
# everything is already installed) as any user.
#
# Only what is missing is installed: each package is checked with `dpkg -s` (installed means
# "Status: install ok installed"), and numpy with `python3 -c 'import numpy'`. When nothing is
# missing, neither apt nor sudo is called, so a user without sudo can run the scripts and a sudo user
# is never asked for a password. When something is missing: as root apt-get installs exactly that;
# otherwise through `sudo -n` (never a password prompt, which would hang without a terminal); when
# that is not possible the script stops and names the command to run. Tested by
# Tests/EndToEndTests/SetupScriptTests.swift with stub apt-get/dpkg/sudo/python3 on PATH.
#
# python3-venv: scripts/test-venv.sh builds .venv-test (moto[server], boto3) for the s3:// tests.
# openssh-server, sshfs: the shared-workspace tests mount one folder twice over a loopback sshd
# (Tests/EndToEndTests/Support/SSHFSRig.swift).
#
# numpy (for the drop-in tests, which read the data the way the Fashion-MNIST README does):
# Debian's python3 gets Debian's python3-numpy. A python3 that is not Debian's (pyenv, conda,
# a venv) cannot see Debian's packages, so for it numpy comes from pip into that python
# (`python3 -m pip install numpy`), unless it already imports numpy.
set -euo pipefail

packages=(libcurl4-openssl-dev libssl-dev libsqlite3-dev zlib1g-dev pkg-config gzip curl openssl python3 python3-numpy python3-venv openssh-server sshfs)

if ! command -v swift >/dev/null 2>&1; then
  echo "error: the Swift 6 toolchain is not on PATH; install it from https://www.swift.org/install/linux/ first" >&2
  exit 1
fi
if ! command -v dpkg >/dev/null 2>&1; then
  echo "error: dpkg is not on PATH: this script installs with apt (Debian/Ubuntu). On another system install" \
    "the equivalents of: ${packages[*]}; then build and test with swift build / swift test (see README)" >&2
  exit 1
fi

missing=()
for package in "${packages[@]}"; do
  record="$(dpkg -s "$package" 2>/dev/null || true)"
  if [[ $'\n'"$record"$'\n' != *$'\nStatus: install ok installed\n'* ]]; then
    missing+=("$package")
  fi
done

if [ "${#missing[@]}" -gt 0 ]; then
  # As root run apt directly; otherwise through `sudo -n`. `env` carries DEBIAN_FRONTEND in both
  # cases (a bare `VAR=value command` after an empty prefix would be run as a command).
  as_root=()
  if [ "$(id -u)" -ne 0 ]; then
    instead="run \`sudo apt-get install ${missing[*]}\` (or the same as root), then run this script again"
    if ! command -v sudo >/dev/null 2>&1; then
      echo "error: missing packages: ${missing[*]}; installing them needs root and sudo is not installed:" \
        "as root, run \`apt-get install ${missing[*]}\`, then run this script again" >&2
      exit 1
    fi
    if ! sudo -n true >/dev/null 2>&1; then
      echo "error: missing packages: ${missing[*]}; installing them needs root, and \`sudo -n\` cannot run" \
        "without asking for a password (or this user may not use sudo): $instead" >&2
      exit 1
    fi
    as_root=(sudo -n)
  fi
  # Another apt-get or dpkg at work (unattended upgrades, a second set-up): wait for its lock, bounded.
  apt=(${as_root[@]+"${as_root[@]}"} env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300)
  echo "setup: missing: ${missing[*]}; installing with ${as_root[*]+${as_root[*]} }apt-get" >&2
  "${apt[@]}" update -qq
  "${apt[@]}" install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The python3 on PATH may not be Debian's (whose numpy is python3-numpy).
if ! python3 -c 'import numpy' >/dev/null 2>&1; then
  echo "setup: $(command -v python3) is not Debian's python and has no numpy; installing it with pip" >&2
  python3 -m pip install --quiet numpy || {
    echo "error: \`python3 -m pip install numpy\` failed for $(command -v python3); install numpy for that python" \
      "(or put Debian's /usr/bin/python3 first on PATH)" >&2
    exit 1
  }
fi
python3 -c 'import numpy' >/dev/null 2>&1 || {
  echo "error: python3 ($(command -v python3)) still cannot import numpy; install it for that python" >&2
  exit 1
}
