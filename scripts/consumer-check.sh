#!/usr/bin/env bash
# Proves that another package can depend on fmnist *by version*: clones the committed project
# into a temporary folder, tags the clone 0.1.0, builds a fresh package that depends on it with
# `.package(url: "file://…", from: "0.1.0")` and runs the code of Examples/load-fashion against a
# workspace the built fmnist imports the real Fashion-MNIST into, then checks the JSON it prints.
# SwiftPM refuses a versioned dependency whose products carry unsafe flags, so this fails when a
# target grows one.
#
# Needs: FMNIST_DATA_DIR (folder with fashion-mnist/*.gz; default ../shared/data) and the built
# tool (FMNIST_BIN; default: the release build). Tests what is committed (HEAD), not the working tree.
# Usage: scripts/consumer-check.sh
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
data="${FMNIST_DATA_DIR:-$repo/../shared/data}"
fmnist="${FMNIST_BIN:-$repo/.build/release/fmnist}"
# The four Fashion-MNIST .gz: FMNIST_FASHION_DIR, else the shared layout's fashion-mnist/ or a workspace root's fashion/.
fashion="${FMNIST_FASHION_DIR:-$data/fashion-mnist}"
[ -d "$fashion" ] || fashion="$data/fashion"
[ -d "$fashion" ] || { echo "consumer-check: no Fashion-MNIST folder under $data (set FMNIST_DATA_DIR or FMNIST_FASHION_DIR)" >&2; exit 2; }
[ -x "$fmnist" ] || { echo "consumer-check: no fmnist binary at $fmnist (build it, or set FMNIST_BIN)" >&2; exit 2; }

tmp="$(mktemp -d "${TMPDIR:-/tmp}/fmnist-consumer.XXXXXX")"
trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
log() { printf 'consumer-check: %s\n' "$*" >&2; }

# 1. A clone of the committed project, tagged 0.1.0 there (the original repository is untouched).
git clone -q "$repo" "$tmp/fmnist"
git -C "$tmp/fmnist" -c user.name=consumer-check -c user.email=consumer-check@localhost tag -a 0.1.0 -m "consumer check"

# 2. A fresh package depending on it by version, with the example's code.
mkdir -p "$tmp/consumer/Sources/consumer"
cat > "$tmp/consumer/Package.swift" <<SWIFT
// swift-tools-version:6.0
import PackageDescription
let package = Package(
    name: "consumer",
    platforms: [.macOS(.v13)],
    dependencies: [.package(url: "file://$tmp/fmnist", from: "0.1.0")],
    targets: [.executableTarget(name: "consumer", dependencies: [.product(name: "FMNIST", package: "fmnist")])],
    swiftLanguageModes: [.v6]
)
SWIFT
cp "$tmp/fmnist/Examples/load-fashion/Sources/load-fashion/main.swift" "$tmp/consumer/Sources/consumer/main.swift"
log "building a package that depends on fmnist from: \"0.1.0\""
start=$(date +%s)
swift build --package-path "$tmp/consumer" --scratch-path "$tmp/consumer/.build" > "$tmp/build.log" 2>&1 || {
    cat "$tmp/build.log" >&2; log "FAILED: the consumer package does not build"; exit 1; }
log "built in $(( $(date +%s) - start )) s"

# 3. A workspace holding the real Fashion-MNIST, then the consumer's JSON against it.
"$fmnist" import "$fashion" --as fashion --root "$tmp/workspace" --json --quiet > "$tmp/import.json"
"$tmp/consumer/.build/debug/consumer" "$tmp/workspace" > "$tmp/out.json"
python3 - "$tmp/out.json" "$tmp/import.json" "$repo/manifests/fashion-mnist.json" <<'PY'
import json, sys
out, imported, manifest = (json.load(open(p)) for p in sys.argv[1:4])
expected = {
    "dataset": "fashion",
    "version": imported["version"]["short_id"],
    "train": sum(manifest["histogram"]["train"]),
    "test": sum(manifest["histogram"]["test"]),
    "train_histogram": manifest["histogram"]["train"],
    "classes": manifest["classes"],
}
wrong = {k: (out.get(k), v) for k, v in expected.items() if out.get(k) != v}
if wrong or set(out) != set(expected):
    sys.exit(f"consumer-check: FAILED: printed {json.dumps(out)}; wrong fields (got, expected): {wrong}")
print(f"consumer-check: ok: {json.dumps(out)}")
PY
