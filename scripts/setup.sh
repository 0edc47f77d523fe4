#!/usr/bin/env bash
# Installs what fmnist needs to build and test on Debian/Ubuntu, as root or as a sudo user.
#
# The install command runs on every call (apt-get install is a no-op for packages already there),
# so a broken package line fails here, on every machine, instead of hiding behind packages that
# happen to be installed. Tested by Tests/EndToEndTests/SetupScriptTests.swift with stub
# apt-get/dpkg/sudo/python3 on PATH.
#
# numpy (for the drop-in tests, which read the data the way the Fashion-MNIST README does):
# Debian's python3 gets Debian's python3-numpy. A python3 that is not Debian's (pyenv, conda,
# a venv) cannot see Debian's packages, so for it numpy comes from pip into that python
# (`python3 -m pip install numpy`), unless it already imports numpy.
set -euo pipefail

packages=(libcurl4-openssl-dev libssl-dev libsqlite3-dev zlib1g-dev pkg-config gzip curl openssl python3 python3-numpy)

if ! command -v swift >/dev/null 2>&1; then
  echo "error: the Swift 6 toolchain is not on PATH; install it from https://www.swift.org/install/linux/ first" >&2
  exit 1
fi

# As root run apt directly; otherwise through sudo. `env` carries DEBIAN_FRONTEND in both cases
# (a bare `VAR=value command` after an empty $SUDO would be run as a command).
as_root=()
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null 2>&1; then
    echo "error: installing packages needs root; run this script as root or install sudo" >&2
    exit 1
  fi
  as_root=(sudo)
fi
apt=(${as_root[@]+"${as_root[@]}"} env DEBIAN_FRONTEND=noninteractive apt-get)

echo "setup: apt-get install ${packages[*]}" >&2
"${apt[@]}" update -qq
"${apt[@]}" install -y -qq --no-install-recommends "${packages[@]}" >/dev/null

# The python3 on PATH may not be Debian's (whose numpy was just installed).
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
