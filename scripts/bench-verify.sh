#!/usr/bin/env bash
# Benchmark: `fmnist verify all` on the real data against the shell tools doing the same checks
# (md5sum, sha256sum, and zcat | sha256sum of each of the 8 files), side by side, median of N runs.
# Usage: scripts/bench-verify.sh [runs]   (FMNIST_DATA_DIR defaults to ../shared/data)
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-9}"
data="${FMNIST_DATA_DIR:-../shared/data}"
if [ ! -d "$data/fashion-mnist" ] || [ ! -d "$data/mnist" ]; then
    echo "error: $data must hold fashion-mnist/ and mnist/ with the four .gz files each; set FMNIST_DATA_DIR to such a folder" >&2
    exit 2
fi
data="$(cd "$data" && pwd)"
swift build -c release --product fmnist ${SCRATCH:+--scratch-path $SCRATCH} >/dev/null
fmnist="$(swift build -c release ${SCRATCH:+--scratch-path $SCRATCH} --show-bin-path)/fmnist"
root="$(mktemp -d)"
trap 'chmod -R u+w "$root" 2>/dev/null; rm -rf "$root"' EXIT  # read-only version folders: u+w first (not root)
mkdir -p "$root/fashion" "$root/mnist"
cp "$data"/fashion-mnist/*.gz "$root/fashion/"
cp "$data"/mnist/*.gz "$root/mnist/"
cat "$root"/*/*.gz > /dev/null   # warm the page cache for both sides
baseline='for f in '"$root"'/fashion/*.gz '"$root"'/mnist/*.gz; do md5sum "$f"; sha256sum "$f"; zcat "$f" | sha256sum; done'
echo "fmnist verify all vs md5sum + sha256sum + zcat|sha256sum on 8 files ($(nproc) cores, $runs runs each)"
FMNIST="$fmnist" ROOT="$root" BASELINE="$baseline" RUNS="$runs" python3 - <<'PY'
import os, sys
sys.path.insert(0, "scripts")
from bench_util import side_by_side
side_by_side("fmnist verify all", [os.environ["FMNIST"], "verify", "all", "--quiet", "--root", os.environ["ROOT"]],
             "shell tools (md5/sha256/zcat)", os.environ["BASELINE"], runs=int(os.environ["RUNS"]))
PY
