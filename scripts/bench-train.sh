#!/usr/bin/env bash
# LeNet-5 training benchmark: `fmnist smoke-train` vs the PyTorch reference, side by side on the
# same machine, data, epochs, batch (64), optimiser (SGD 0.9 / 0.01) and thread count.
#
# Prints training images/s, test accuracy after epoch 1 and after the last epoch, and peak RSS for
# each, plus the ratios and a verdict against the goals (>= 1.5x img/s, RSS < 250 MB, accuracy
# within 0.5 points). Runs alternate between the two trainers so both see the same machine load;
# img/s is the median over all epochs of all runs, and the CPU time other processes took during
# the runs is shown, since a busy machine distorts every number.
#
# Environment (all optional):
#   FMNIST_DATA_DIR    folder with fashion-mnist/ and mnist/ (default ../shared/data)
#   FMNIST_REFERENCE   the reference script (default ../shared/bench/lenet_reference.py)
#   FMNIST_BUILD_DIR   SwiftPM scratch path (default .build)
#   FMNIST_BENCH_VENV  Python venv with torch + numpy, created if missing (default .venv-bench)
#   DATASETS="fashion-mnist mnist"  EPOCHS=5  RUNS=1  THREADS=2  SEED=0
#   OUT=bench-out/train   where raw outputs go
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
DATA_DIR=${FMNIST_DATA_DIR:-$ROOT/../shared/data}
REFERENCE=${FMNIST_REFERENCE:-$ROOT/../shared/bench/lenet_reference.py}
BUILD_DIR=${FMNIST_BUILD_DIR:-$ROOT/.build}
VENV=${FMNIST_BENCH_VENV:-$ROOT/.venv-bench}
DATASETS=${DATASETS:-"fashion-mnist mnist"}
EPOCHS=${EPOCHS:-5}
RUNS=${RUNS:-1}
THREADS=${THREADS:-2}
SEED=${SEED:-0}
OUT=${OUT:-$ROOT/bench-out/train}
for dataset in $DATASETS; do
    if [ ! -d "$DATA_DIR/$dataset" ]; then
        echo "error: $DATA_DIR/$dataset is missing: FMNIST_DATA_DIR must hold $DATASETS with the four .gz files each" >&2
        exit 2
    fi
done

log() { printf '==> %s\n' "$*" >&2; }

# 1. Build fmnist (release); smoke-train reads a workspace whose live folders link to the data.
log "building fmnist (release, scratch path $BUILD_DIR)"
swift build -c release --package-path "$ROOT" --scratch-path "$BUILD_DIR" --product fmnist >&2
OURS="$BUILD_DIR/release/fmnist"
WORKSPACE=$(mktemp -d)
trap 'chmod -R u+w "$WORKSPACE" 2>/dev/null; rm -rf "$WORKSPACE"' EXIT  # read-only version folders: u+w first (not root)

# 2. GNU time for peak RSS.
TIME=/usr/bin/time
if ! "$TIME" -v true >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        log "installing GNU time"
        (apt-get install -y time >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y time >/dev/null; }) || true
    fi
fi
if ! "$TIME" -v true >/dev/null 2>&1; then
    log "GNU time unavailable: peak RSS comes from the programs' own getrusage figures"
    TIME=""
fi

# 3. PyTorch in a virtual environment.
HAVE_TORCH=1
if ! "$VENV/bin/python" -c 'import torch, numpy' >/dev/null 2>&1; then
    log "installing torch + numpy into $VENV (first run only; large download)"
    { python3 -m venv "$VENV" && "$VENV/bin/pip" install -q --upgrade pip \
        && "$VENV/bin/pip" install -q torch numpy; } >&2 || true
    if ! "$VENV/bin/python" -c 'import torch, numpy' >/dev/null 2>&1; then
        log "torch could not be installed: reporting our trainer only"
        HAVE_TORCH=0
    fi
fi

mkdir -p "$OUT"
rm -f "$OUT"/*.jsonl "$OUT"/*.time
EVAL_AFTER=$(seq -s, 1 "$EPOCHS")

run_timed() { # name, command...
    local name=$1; shift
    if [ -n "$TIME" ]; then
        "$TIME" -v -o "$OUT/$name.time" "$@" > "$OUT/$name.jsonl"
    else
        "$@" > "$OUT/$name.jsonl"
    fi
}

for ds in $DATASETS; do
    [ -d "$DATA_DIR/$ds" ] || { log "no $DATA_DIR/$ds: skipped"; continue; }
    for run in $(seq 1 "$RUNS"); do
        log "$ds run $run/$RUNS: ours ($EPOCHS epochs, $THREADS threads)"
        name=$([ "$ds" = fashion-mnist ] && echo fashion || echo "$ds")
        ln -sfn "$DATA_DIR/$ds" "$WORKSPACE/$name"
        run_timed "ours-$ds-$run" "$OURS" smoke-train --dataset "$name" --root "$WORKSPACE" --epochs "$EPOCHS" \
            --threads "$THREADS" --seed "$SEED" --batch 64 --evaluate-each-epoch --json --quiet
        if [ "$HAVE_TORCH" = 1 ]; then
            log "$ds run $run/$RUNS: PyTorch reference"
            run_timed "torch-$ds-$run" "$VENV/bin/python" "$REFERENCE" --data "$DATA_DIR/$ds" \
                --epochs "$EPOCHS" --threads "$THREADS" --seed "$SEED" --batch 64 \
                --eval-after "$EVAL_AFTER" --no-bench
        fi
    done
done

python3 "$ROOT/scripts/bench_train_report.py" "$OUT" --epochs "$EPOCHS" --datasets $DATASETS
