#!/usr/bin/env bash
# Benchmark: `fmnist fetch all` (release build) from the loopback test mirror against `curl`
# downloading the same 8 files one after another, followed by md5sum, sha256sum and
# zcat | sha256sum of each — the work fetch does (download + container digests + payload digest),
# side by side, median of N runs each.
# Usage: scripts/bench-fetch.sh [runs]   (FMNIST_DATA_DIR defaults to ../shared/data;
#        SCRATCH=DIR builds in another scratch path)
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-7}"
data="${FMNIST_DATA_DIR:-../shared/data}"
if [ ! -d "$data/fashion-mnist" ] || [ ! -d "$data/mnist" ]; then
    echo "error: $data must hold fashion-mnist/ and mnist/ with the four .gz files each; set FMNIST_DATA_DIR to such a folder" >&2
    exit 2
fi
data="$(cd "$data" && pwd)"
swift build -c release --product fmnist ${SCRATCH:+--scratch-path $SCRATCH} >/dev/null
fmnist="$(swift build -c release ${SCRATCH:+--scratch-path $SCRATCH} --show-bin-path)/fmnist"
work="$(mktemp -d)"
server_pid=""
cleanup() {
    if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; fi
    chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"  # read-only version folders: u+w first (not root)
}
trap cleanup EXIT
python3 Tests/Support/mirror_server.py --root "$data" > "$work/server.out" 2>/dev/null &
server_pid=$!
for _ in $(seq 100); do grep -q '^PORT ' "$work/server.out" 2>/dev/null && break; sleep 0.05; done
port="$(awk '/^PORT /{print $2}' "$work/server.out")"
base="http://127.0.0.1:$port"
cat "$data"/fashion-mnist/*.gz "$data"/mnist/*.gz > /dev/null   # warm the page cache for both sides
names="train-images-idx3-ubyte.gz train-labels-idx1-ubyte.gz t10k-images-idx3-ubyte.gz t10k-labels-idx1-ubyte.gz"

fetch="{ chmod -R u+w '$work/root' 2>/dev/null; rm -rf '$work/root'; } && FMNIST_MIRRORS='fashion=$base/fashion-mnist/ mnist=$base/mnist/' '$fmnist' fetch all --quiet --root '$work/root'"
baseline="rm -rf '$work/curl' && mkdir -p '$work/curl/fashion' '$work/curl/mnist' && cd '$work/curl'"
for dataset in fashion:fashion-mnist mnist:mnist; do
    for name in $names; do
        baseline+=" && curl -sSf -o ${dataset%%:*}/$name $base/${dataset#*:}/$name"
    done
done
baseline+=" && for f in fashion/*.gz mnist/*.gz; do md5sum \$f && sha256sum \$f && zcat \$f | sha256sum; done"

echo "fmnist fetch all vs curl (8 files in sequence) + md5sum + sha256sum + zcat|sha256sum, loopback mirror"
echo "($(nproc) cores, $runs runs each, $("$fmnist" --version 2>/dev/null || echo fmnist), $(curl --version | head -1 | cut -d' ' -f1-2))"
FETCH="$fetch" BASELINE="$baseline" RUNS="$runs" python3 - <<'PY'
import os, sys
sys.path.insert(0, "scripts")
from bench_util import side_by_side
side_by_side("fmnist fetch all", ["sh", "-c", os.environ["FETCH"]],
             "curl + md5sum/sha256sum/zcat", os.environ["BASELINE"], runs=int(os.environ["RUNS"]))
PY
