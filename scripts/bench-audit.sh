#!/usr/bin/env bash
# `fmnist audit` benchmark: the time of each phase (medians of RUNS runs) and peak memory, next to
# two named baselines run side by side on the same machine and data:
#   - label pass vs `fmnist smoke-train --epochs E×(K−1)`: the same training volume (K fold models
#     each see (K−1)/K of the training set for E epochs) in one model; the ratio is the price of
#     cross-validation itself (copies of the folds, held-out and test predictions);
#   - near-duplicate search (train–train, test–test and test–train) vs a numpy brute force of the
#     test–train pairs alone on the same 14×14 pooled images (matrix products, blocked).
# Runs alternate so that all see the same machine load; a busy machine inflates every number.
#
# Environment (all optional):
#   FMNIST_DATA_DIR   folder with fashion-mnist/ and mnist/ (default ../shared/data)
#   FMNIST_BUILD_DIR  SwiftPM scratch path (default .build)
#   DATASETS="mnist fashion-mnist"  RUNS=3  FOLDS=5  EPOCHS=(the audit default)  OUT=bench-out/audit
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
DATA_DIR=${FMNIST_DATA_DIR:-$ROOT/../shared/data}
BUILD_DIR=${FMNIST_BUILD_DIR:-$ROOT/.build}
DATASETS=${DATASETS:-"mnist fashion-mnist"}
RUNS=${RUNS:-3}
FOLDS=${FOLDS:-5}
EPOCHS=${EPOCHS:-}
OUT=${OUT:-$ROOT/bench-out/audit}
log() { printf '==> %s\n' "$*" >&2; }
for dataset in $DATASETS; do
    [ -d "$DATA_DIR/$dataset" ] || { echo "error: $DATA_DIR/$dataset is missing (set FMNIST_DATA_DIR)" >&2; exit 2; }
done
python3 -c 'import numpy' 2>/dev/null || { echo "error: python3 with numpy is needed for the brute-force baseline (scripts/setup.sh installs python3-numpy)" >&2; exit 2; }

log "building fmnist (release, scratch path $BUILD_DIR)"
swift build -c release --package-path "$ROOT" --scratch-path "$BUILD_DIR" --product fmnist >&2
OURS="$BUILD_DIR/release/fmnist"
WORKSPACE=$(mktemp -d)
trap 'rm -rf "$WORKSPACE"' EXIT
mkdir -p "$OUT"
rm -f "$OUT"/*.json "$OUT"/*.time "$OUT"/*.txt
TIME=/usr/bin/time
"$TIME" -v true >/dev/null 2>&1 || TIME=""
EPOCH_FLAGS=()
[ -n "$EPOCHS" ] && EPOCH_FLAGS=(--epochs "$EPOCHS")

for ds in $DATASETS; do
    name=$([ "$ds" = fashion-mnist ] && echo fashion || echo "$ds")
    ln -sfn "$DATA_DIR/$ds" "$WORKSPACE/$name"
    for run in $(seq 1 "$RUNS"); do
        log "$ds run $run/$RUNS: fmnist audit --folds $FOLDS ${EPOCH_FLAGS[*]}"
        if [ -n "$TIME" ]; then
            "$TIME" -v -o "$OUT/audit-$ds-$run.time" "$OURS" audit "$name" --root "$WORKSPACE" --folds "$FOLDS" "${EPOCH_FLAGS[@]}" \
                --json --quiet > "$OUT/audit-$ds-$run.json"
        else
            "$OURS" audit "$name" --root "$WORKSPACE" --folds "$FOLDS" "${EPOCH_FLAGS[@]}" --json --quiet > "$OUT/audit-$ds-$run.json"
        fi
        epochs=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['settings']['epochs'])" "$OUT/audit-$ds-$run.json")
        volume=$((epochs * (FOLDS - 1)))
        log "$ds run $run/$RUNS: baseline fmnist smoke-train --epochs $volume"
        "$OURS" smoke-train "$name" --root "$WORKSPACE" --epochs "$volume" --json --quiet > "$OUT/train-$ds-$run.json" || true
        log "$ds run $run/$RUNS: baseline numpy brute force, test–train pairs"
        threshold=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['settings']['near_threshold'])" "$OUT/audit-$ds-$run.json")
        python3 - "$DATA_DIR/$ds" "$threshold" > "$OUT/brute-$ds-$run.txt" <<'PY'
import gzip, sys, time
import numpy as np
def images(path):
    with gzip.open(path) as f:
        data = np.frombuffer(f.read(), dtype=np.uint8, offset=16)
    return data.reshape(-1, 28, 28).astype(np.float32)
train = images(sys.argv[1] + "/train-images-idx3-ubyte.gz")
test = images(sys.argv[1] + "/t10k-images-idx3-ubyte.gz")
start = time.perf_counter()
pool = lambda x: x.reshape(-1, 14, 2, 14, 2).mean(axis=(2, 4)).reshape(-1, 196)
a, b = pool(test), pool(train)
na, nb = (a * a).sum(1), (b * b).sum(1)
tau2 = (float(sys.argv[2]) * 14) ** 2
pairs = 0
for lo in range(0, len(a), 1000):
    d = na[lo:lo + 1000, None] + nb[None, :] - 2 * a[lo:lo + 1000] @ b.T
    pairs += int((d <= tau2).sum())
print(time.perf_counter() - start, pairs)
PY
    done
done

python3 - "$OUT" $DATASETS <<'PY'
import glob, json, os, re, statistics, sys
out, datasets = sys.argv[1], sys.argv[2:]
def rss(path):
    try:
        text = open(path).read()
        return int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", text).group(1)) / 1024
    except Exception:
        return float("nan")
for ds in datasets:
    audits = [json.load(open(p)) for p in sorted(glob.glob(f"{out}/audit-{ds}-*.json"))]
    if not audits:
        continue
    s = audits[0]["settings"]
    print(f"\n{ds}: fmnist audit --folds {s['folds']} --epochs {s['epochs']} --near-threshold {s['near_threshold']}, {len(audits)} run(s), medians")
    names = [p["name"] for p in audits[0]["phases"]]
    phase = {n: statistics.median(next(p["seconds"] for p in a["phases"] if p["name"] == n) for a in audits) for n in names}
    total = statistics.median(sum(p["seconds"] for p in a["phases"]) for a in audits)
    for n in names:
        print(f"  {n:48s} {phase[n]:8.1f} s")
    print(f"  {'total':48s} {total:8.1f} s")
    peak = statistics.median(rss(p) for p in sorted(glob.glob(f"{out}/audit-{ds}-*.time")) or [os.devnull])
    print(f"  peak RSS: {peak:.0f} MB")
    trains = [json.load(open(p)) for p in sorted(glob.glob(f"{out}/train-{ds}-*.json"))]
    trains = [t for t in trains if "report" in t]
    label = phase.get("label pass (cross-validation + test ensemble)")
    if trains and label:
        base = statistics.median(t["report"]["total_seconds"] for t in trains)
        print(f"  label pass {label:.1f} s vs smoke-train of the same volume ({trains[0]['configuration']['epochs']} epochs) {base:.1f} s: ratio {label / base:.2f}x")
    brutes = [open(p).read().split() for p in sorted(glob.glob(f"{out}/brute-{ds}-*.txt"))]
    near = phase.get("near-duplicates")
    if brutes and near:
        base = statistics.median(float(b[0]) for b in brutes)
        counts = audits[0]["near_duplicate_search"]["pairs"]
        print(f"  near-duplicates (all 3 kinds) {near:.2f} s vs numpy brute force of test–train only {base:.2f} s: ratio {near / base:.2f}x "
              f"(pairs test–train: ours {counts.get('test-train', 0)}, brute force {brutes[0][1]})")
PY
