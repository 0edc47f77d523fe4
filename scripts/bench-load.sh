#!/usr/bin/env bash
# Benchmark: the library's `Workspace.load(.fashion)` — warm (kept payloads, fingerprints unchanged)
# and cold (no kept payloads: the .gz proven while it is inflated) — against, side by side on the
# same files, alternating, median of N runs each:
#   - the seed's numpy reader (gzip + numpy.frombuffer, as Fashion-MNIST's utils/mnist_reader.py),
#   - torchvision's read: the uncompressed raw/ files read whole (numpy.frombuffer here; it checks
#     nothing),
#   - the C floor (scripts/bench_load_floor.c: zlib + OpenSSL SHA-256 on 2 threads, the verified
#     work a cold load cannot avoid).
# Each program times its own load in-process (interpreter and process start-up excluded) and the
# script reports peak RSS per process (interpreters included, as a user's process would have).
# Usage: scripts/bench-load.sh [runs]   (FMNIST_DATA_DIR defaults to ../shared/data; SCRATCH=DIR
# builds fmnist in another build folder)
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-9}"
data="${FMNIST_DATA_DIR:-../shared/data}"
if [ ! -d "$data/fashion-mnist" ]; then
    echo "error: $data must hold fashion-mnist/ with the four .gz files; set FMNIST_DATA_DIR to such a folder" >&2
    exit 2
fi
data="$(cd "$data" && pwd)"
repo="$PWD"
out="$repo/bench-out/load"
mkdir -p "$out/Sources/load-timer"
# A consumer of the FMNIST library product (release build, cached in bench-out/).
cat > "$out/Package.swift" <<'SWIFT'
// swift-tools-version:6.0
import PackageDescription
let package = Package(
    name: "load-timer",
    dependencies: [.package(name: "fmnist", path: "../..")],
    targets: [.executableTarget(name: "load-timer", dependencies: [.product(name: "FMNIST", package: "fmnist")])],
    swiftLanguageModes: [.v6])
SWIFT
cat > "$out/Sources/load-timer/main.swift" <<'SWIFT'
import FMNIST
import Foundation
let workspace = try Workspace(root: CommandLine.arguments[1])   // opened once, as a program does
let start = DispatchTime.now().uptimeNanoseconds
let fashion = try workspace.load(.fashion)
let end = DispatchTime.now().uptimeNanoseconds
precondition(fashion.train.count == 60000 && fashion.test.count == 10000)
print(Double(end - start) / 1e6)
SWIFT
echo "building the release binaries (fmnist, a load-timer consumer of FMNIST, the C floor)…" >&2
swift build -c release --product fmnist ${SCRATCH:+--scratch-path "$SCRATCH"} >/dev/null
fmnist="$(swift build -c release ${SCRATCH:+--scratch-path "$SCRATCH"} --show-bin-path)/fmnist"
(cd "$out" && swift build -c release >/dev/null)
timer="$(cd "$out" && swift build -c release --show-bin-path)/load-timer"
cc -O2 -o "$out/floor" scripts/bench_load_floor.c -lz -lcrypto -lpthread

tmp="$(mktemp -d)"
trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
"$fmnist" import "$data/fashion-mnist" --as fashion --root "$tmp/warm" -q
"$fmnist" import "$data/fashion-mnist" --as fashion --root "$tmp/cold" -q
chmod -R u+w "$tmp/cold/.fmnist/payload" && rm -rf "$tmp/cold/.fmnist/payload"   # no kept payloads: every load is cold
mkdir -p "$tmp/raw"
for f in "$data"/fashion-mnist/*.gz; do zcat "$f" > "$tmp/raw/$(basename "$f" .gz)"; done
cat "$data"/fashion-mnist/*.gz "$tmp"/raw/* "$tmp"/warm/.fmnist/payload/fashion/*/* > /dev/null

echo "load of Fashion-MNIST (both splits), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $runs alternating runs each"
TIMER="$timer" FLOOR="$out/floor" TMP="$tmp" DATA="$data" RUNS="$runs" python3 - <<'PY'
import os, statistics, subprocess, sys
tmp, data, runs = os.environ["TMP"], os.environ["DATA"], int(os.environ["RUNS"])
numpy_reader = """
import gzip, sys, time, numpy as np
d = sys.argv[1]
t = time.perf_counter()
def images(p): 
    with gzip.open(p, 'rb') as f: return np.frombuffer(f.read(), dtype=np.uint8, offset=16).reshape(-1, 784)
def labels(p):
    with gzip.open(p, 'rb') as f: return np.frombuffer(f.read(), dtype=np.uint8, offset=8)
x, y = images(d + '/train-images-idx3-ubyte.gz'), labels(d + '/train-labels-idx1-ubyte.gz')
xt, yt = images(d + '/t10k-images-idx3-ubyte.gz'), labels(d + '/t10k-labels-idx1-ubyte.gz')
print((time.perf_counter() - t) * 1000)
"""
raw_reader = """
import sys, time, numpy as np
d = sys.argv[1]
t = time.perf_counter()
def read(p, offset):
    with open(p, 'rb') as f: return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)
x, y = read(d + '/train-images-idx3-ubyte', 16), read(d + '/train-labels-idx1-ubyte', 8)
xt, yt = read(d + '/t10k-images-idx3-ubyte', 16), read(d + '/t10k-labels-idx1-ubyte', 8)
print((time.perf_counter() - t) * 1000)
"""
contenders = [
    ("fmnist load, warm", [os.environ["TIMER"], tmp + "/warm"]),
    ("fmnist load, cold", [os.environ["TIMER"], tmp + "/cold"]),
    ("numpy reader (gzip)", [sys.executable, "-c", numpy_reader, data + "/fashion-mnist"]),
    ("torchvision-style raw read", [sys.executable, "-c", raw_reader, tmp + "/raw"]),
    ("C floor (zlib+SHA-256, 2 threads)", [os.environ["FLOOR"], data + "/fashion-mnist"]),
]
times = {name: [] for name, _ in contenders}
rss = {name: 0.0 for name, _ in contenders}
for _ in range(runs):
    for name, command in contenders:
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        stdout, stderr = proc.communicate()
        if proc.returncode != 0:
            raise SystemExit(f"{name} failed ({proc.returncode}): {stderr.decode()}")
        times[name].append(float(stdout.decode().strip().splitlines()[-1]))
for name, command in contenders:  # peak RSS, one extra run each
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, _, usage = os.wait4(proc.pid, 0)
    rss[name] = usage.ru_maxrss / 1024.0
med = {name: statistics.median(values) for name, values in times.items()}
for name, _ in contenders:
    print(f"{name:<36} median {med[name]:8.1f} ms   peak RSS {rss[name]:6.1f} MiB   (runs: {', '.join(f'{t:.0f}' for t in times[name])})")
print(f"ratio warm load / numpy reader:        {med['fmnist load, warm'] / med['numpy reader (gzip)']:.2f}  (goal <= 0.3)")
print(f"ratio warm load / torchvision raw read: {med['fmnist load, warm'] / med['torchvision-style raw read']:.2f}  (goal < 1.0)")
print(f"ratio cold load / C floor:              {med['fmnist load, cold'] / med['C floor (zlib+SHA-256, 2 threads)']:.2f}  (goal <= 1.1)")
print(f"peak RSS warm / numpy reader:           {rss['fmnist load, warm'] / rss['numpy reader (gzip)']:.2f}  (goal <= 1.0)")
PY
