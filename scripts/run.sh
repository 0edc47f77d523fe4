#!/usr/bin/env bash
# The main job: set-up, build, then fetch both datasets, verify them, switch to Fashion-MNIST
# and sanity-train LeNet-5 on it. Pass extra fetch flags (e.g. --mirror URL, --offline) as arguments.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
swift build -c release --product fmnist
fmnist="$(swift build -c release --show-bin-path)/fmnist"
"$fmnist" fetch all "$@"
"$fmnist" verify all
"$fmnist" switch fashion
"$fmnist" smoke-train
"$fmnist" status
