#!/usr/bin/env bash
# Two builds of fmnist side by side: one epoch of LeNet-5 training on Fashion-MNIST at 1 and 2
# threads, BASE and NEW alternating in every round, then the median img/s of each and the
# 2-thread / 1-thread ratio. For judging a change to the training loop against the commit before it
# (build each with `swift build -c release` in its own clone).
#
# Usage: scripts/bench-train-ab.sh BASE_FMNIST NEW_FMNIST [ROUNDS (default 5)]
# Environment: FMNIST_DATA_DIR (default ../shared/data), SEED=0, BATCH=64
set -euo pipefail
if [ $# -lt 2 ]; then
    echo "usage: $0 BASE_FMNIST NEW_FMNIST [ROUNDS]" >&2
    exit 2
fi
BASE=$1 NEW=$2 ROUNDS=${3:-5}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DATA_DIR=${FMNIST_DATA_DIR:-$ROOT/../shared/data}
for bin in "$BASE" "$NEW"; do
    [ -x "$bin" ] || { echo "error: $bin is not an executable fmnist" >&2; exit 2; }
done
[ -d "$DATA_DIR/fashion-mnist" ] || { echo "error: $DATA_DIR/fashion-mnist is missing (set FMNIST_DATA_DIR)" >&2; exit 2; }
WORKSPACE=$(mktemp -d)
trap 'chmod -R u+w "$WORKSPACE" 2>/dev/null; rm -rf "$WORKSPACE"' EXIT
ln -s "$DATA_DIR/fashion-mnist" "$WORKSPACE/fashion"
RESULTS="$WORKSPACE/results"
for round in $(seq 1 "$ROUNDS"); do
    for threads in 1 2; do
        for which in base new; do
            bin=$([ "$which" = base ] && echo "$BASE" || echo "$NEW")
            ips=$("$bin" smoke-train --dataset fashion --root "$WORKSPACE" --epochs 1 --threads "$threads" \
                --seed "${SEED:-0}" --batch "${BATCH:-64}" --json --quiet \
                | python3 -c 'import json, sys; print(json.load(sys.stdin)["report"]["train_images_per_second"])')
            echo "$which $threads $ips" >> "$RESULTS"
            printf 'round %d/%d  %-4s %d thread(s): %.0f img/s  (load %s)\n' "$round" "$ROUNDS" "$which" "$threads" "$ips" \
                "$(cut -d' ' -f1 /proc/loadavg)" >&2
        done
    done
done
python3 - "$RESULTS" "$BASE" "$NEW" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
def median(which, threads):
    return statistics.median(float(r[2]) for r in rows if r[0] == which and r[1] == threads)
print(f"{'build':<6} {'1 thread':>10} {'2 threads':>10} {'2 / 1':>7}  binary")
for which, path in (("base", sys.argv[2]), ("new", sys.argv[3])):
    one, two = median(which, "1"), median(which, "2")
    print(f"{which:<6} {one:>10,.0f} {two:>10,.0f} {two / one:>6.2f}x  {path}")
print(f"new / base: {median('new', '1') / median('base', '1'):.2f}x at 1 thread, "
      f"{median('new', '2') / median('base', '2'):.2f}x at 2 threads (medians of {len(rows) // 4} rounds)")
PY
