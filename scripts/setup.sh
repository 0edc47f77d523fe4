#!/usr/bin/env bash
# Installs what fmnist needs to build and test on Debian/Ubuntu. Idempotent.
set -euo pipefail
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
if ! command -v swift >/dev/null 2>&1; then
  echo "error: the Swift 6 toolchain is not on PATH; install it from https://www.swift.org/install/linux/ first" >&2
  exit 1
fi
packages="libcurl4-openssl-dev libsqlite3-dev zlib1g-dev pkg-config gzip curl openssl python3"
missing=""
for p in $packages; do
  dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
if [ -n "$missing" ]; then
  echo "installing:$missing" >&2
  $SUDO apt-get update -qq
  $SUDO DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
fi
# The drop-in tests read the data with numpy, the way the Fashion-MNIST README does.
if ! python3 -c 'import numpy' >/dev/null 2>&1; then
  $SUDO DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-numpy >/dev/null 2>&1 \
    || python3 -m pip install --quiet numpy
fi
