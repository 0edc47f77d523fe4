#!/usr/bin/env bash
# Export and import speed against named baselines, as ratios (medians of RUNS alternating runs;
# lower is better):
#   torchvision export of both datasets  vs  zcat of the same 8 files into files, twice: the first
#     export of a version (it inflates the payloads once into .fmnist/payload/), and a later one
#     (it copies the proven payloads and .gz)
#   png export of Fashion-MNIST (70,000) vs  a Python PIL loop writing the same tree (interop venv)
#   csv export of Fashion-MNIST          vs  numpy.savetxt and pandas.to_csv of the same rows
#   csv, hf, npz, png exports of Fashion-MNIST on all cores  vs  the same binary on one thread
#     (FMNIST_THREADS=1: the one-core export)
#   import of the two Kaggle CSV files   vs  pandas.read_csv of the same two files
#   with BASELINE_BIN=path/to/an/older/fmnist: csv, hf, npz, png exports on all cores  vs  that
#     build on one thread, in the same alternating runs (issue 24 measures against the one-core
#     time of the build it was filed on: build that commit, e.g. with `git archive`, and name it)
#     and its import of the two Kaggle CSV files  vs  this build's
# The header names the CPU, its vector extensions and the load average before and after (other
# work on the machine slows both sides; the ratios are the point).
# usage: [BASELINE_BIN=…] scripts/bench-export.sh [RUNS]   (default 5; needs FMNIST_DATA_DIR or ../shared/data)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-5}
DATA=${FMNIST_DATA_DIR:-$(cd .. && pwd)/shared/data}
scripts/interop-venv.sh
PY=$PWD/.venv-interop/bin/python
swift build -c release --product fmnist >&2
BIN=$(swift build -c release --show-bin-path)/fmnist
WORK=$(mktemp -d "${TMPDIR:-/tmp}/fmnist-bench-export.XXXXXX")
trap 'chmod -R u+w "$WORK" 2>/dev/null; rm -rf "$WORK"' EXIT  # read-only version folders: u+w first (not root)
ROOT=$WORK/data
"$BIN" import "$DATA/fashion-mnist" --as fashion --root "$ROOT" -q
"$BIN" import "$DATA/mnist" --as mnist --root "$ROOT" -q
# The baseline build gets a workspace of its own, imported by itself: a newer build migrates the
# catalog to a schema an older one refuses to open.
BASE_ROOT=$WORK/baseline-data
if [[ -n "${BASELINE_BIN:-}" ]]; then
    "$BASELINE_BIN" import "$DATA/fashion-mnist" --as fashion --root "$BASE_ROOT" -q
fi

cat > "$WORK/pil_loop.py" <<'PY'
import gzip, os, sys
import numpy as np
from PIL import Image
data, out = sys.argv[1], sys.argv[2]
for split, prefix in (("train", "train"), ("test", "t10k")):
    images = np.frombuffer(gzip.open(f"{data}/{prefix}-images-idx3-ubyte.gz").read(), np.uint8, offset=16).reshape(-1, 28, 28)
    labels = np.frombuffer(gzip.open(f"{data}/{prefix}-labels-idx1-ubyte.gz").read(), np.uint8, offset=8)
    for label in range(10):
        os.makedirs(f"{out}/{split}/{label}", exist_ok=True)
    for index, (image, label) in enumerate(zip(images, labels)):
        Image.fromarray(image).save(f"{out}/{split}/{label}/{index}.png")
PY
cat > "$WORK/csv_baseline.py" <<'PY'
import gzip, sys
import numpy as np
data, out, how = sys.argv[1], sys.argv[2], sys.argv[3]
for split, prefix in (("train", "train"), ("test", "t10k")):
    images = np.frombuffer(gzip.open(f"{data}/{prefix}-images-idx3-ubyte.gz").read(), np.uint8, offset=16).reshape(-1, 784)
    labels = np.frombuffer(gzip.open(f"{data}/{prefix}-labels-idx1-ubyte.gz").read(), np.uint8, offset=8)
    table = np.column_stack([labels, images])
    header = "label," + ",".join(f"pixel{i}" for i in range(1, 785))
    if how == "numpy":
        np.savetxt(f"{out}/fashion-mnist_{split}.csv", table, fmt="%d", delimiter=",", header=header, comments="")
    else:
        import pandas
        pandas.DataFrame(table, columns=header.split(",")).to_csv(f"{out}/fashion-mnist_{split}.csv", index=False)
PY

# The wall time of a command; a command that fails stops the benchmark (a refusal is not a time).
seconds() {
    local start end
    start=$(date +%s.%N)
    if ! "$@" > /dev/null; then echo "error: failed: $*" >&2; exit 1; fi
    end=$(date +%s.%N)
    echo "$end - $start" | bc
}
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# An empty output folder, with the deletion of the last run's files (70,000 for png) flushed first,
# so that the file system's write-back of that deletion is not timed as part of the next run.
fresh() { rm -rf "$WORK/out"; mkdir -p "$WORK/out"; sync; }

zcat_all() {
    for d in fashion-mnist mnist; do
        mkdir -p "$WORK/out/$d"
        for f in "$DATA/$d"/*.gz; do zcat "$f" > "$WORK/out/$d/$(basename "$f" .gz)"; done
    done
}

cat > "$WORK/read_csv.py" <<'PY'
import sys, time
import pandas
start = time.perf_counter()
for path in sys.argv[1:]:
    pandas.read_csv(path)
print(time.perf_counter() - start)  # the read_csv calls alone (no interpreter start, no import)
PY

THREADS=$(nproc)
isa=$(grep -m1 '^flags' /proc/cpuinfo | grep -o -w -E 'avx512f|avx2|fma|sha_ni' | sort -u | xargs)
echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | xargs), $THREADS cores, ISA: ${isa:-none of avx2/avx512f/fma/sha_ni}"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

# The Kaggle CSV files the import reads (fmnist's own csv export, the same bytes as Kaggle's layout).
mkdir -p "$WORK/kaggle"
"$BIN" export csv "$WORK/kaggle" --dataset fashion --root "$ROOT" -q
KAGGLE=("$WORK/kaggle/fashion-mnist_train.csv" "$WORK/kaggle/fashion-mnist_test.csv")
# copied once, outside the timing
mkdir -p "$WORK/csvin"; cp "${KAGGLE[@]}" "$WORK/csvin/"
unimport() { chmod -R u+w "$WORK/imported" 2>/dev/null || true; rm -rf "$WORK/imported"; }

declare -A T
for ((run = 1; run <= RUNS; run++)); do
    chmod -R u+w "$ROOT/.fmnist/payload" 2>/dev/null || true; rm -rf "$ROOT/.fmnist/payload"
    fresh; T[tvfirst]+="$(seconds "$BIN" export torchvision "$WORK/out" --root "$ROOT" -q) "
    fresh; T[tv]+="$(seconds "$BIN" export torchvision "$WORK/out" --root "$ROOT" -q) "
    fresh; T[zcat]+="$(seconds zcat_all) "
    fresh; T[png]+="$(seconds "$BIN" export png "$WORK/out" --dataset fashion --root "$ROOT" -q) "
    fresh; T[pil]+="$(seconds "$PY" "$WORK/pil_loop.py" "$DATA/fashion-mnist" "$WORK/out/fashion") "
    fresh; T[csv]+="$(seconds "$BIN" export csv "$WORK/out" --dataset fashion --root "$ROOT" -q) "
    fresh; T[savetxt]+="$(seconds "$PY" "$WORK/csv_baseline.py" "$DATA/fashion-mnist" "$WORK/out" numpy) "
    fresh; T[pandas]+="$(seconds "$PY" "$WORK/csv_baseline.py" "$DATA/fashion-mnist" "$WORK/out" pandas) "
    for layout in csv hf npz png; do
        fresh; T[${layout}1]+="$(FMNIST_THREADS=1 seconds "$BIN" export $layout "$WORK/out" --dataset fashion --root "$ROOT" -q) "
        fresh; T[${layout}N]+="$(FMNIST_THREADS=$THREADS seconds "$BIN" export $layout "$WORK/out" --dataset fashion --root "$ROOT" -q) "
        if [[ -n "${BASELINE_BIN:-}" ]]; then
            fresh; T[${layout}base1]+="$(FMNIST_THREADS=1 seconds "$BASELINE_BIN" export $layout "$WORK/out" --dataset fashion --root "$BASE_ROOT" -q) "
        fi
    done
    unimport; T[csvimport]+="$(seconds "$BIN" import "$WORK/csvin" --as fashion --root "$WORK/imported" -q) "
    if [[ -n "${BASELINE_BIN:-}" ]]; then
        unimport; T[csvimportbase]+="$(seconds "$BASELINE_BIN" import "$WORK/csvin" --as fashion --root "$WORK/imported" -q) "
    fi
    start=$(date +%s.%N)
    T[readcsvcalls]+="$("$PY" "$WORK/read_csv.py" "${KAGGLE[@]}") "
    T[readcsv]+="$(echo "$(date +%s.%N) - $start" | bc) "
done
m() { tr ' ' '\n' <<< "${T[$1]}" | grep . | median; }
row() { printf '%-44s %8.2f s   %-28s %8.2f s   ratio %5.2f\n' "$1" "$(m "$2")" "$3" "$(m "$4")" "$(echo "$(m "$2") / $(m "$4")" | bc -l)"; }
echo "medians of $RUNS alternating runs (ratio = fmnist / baseline; below 1 is faster)"
row "fmnist export torchvision, first (16 files)" tvfirst "zcat 8 files into files" zcat
row "fmnist export torchvision, again (16 files)" tv "zcat 8 files into files" zcat
row "fmnist export png (fashion, 70,000 files)" png "python PIL loop" pil
row "fmnist export csv (fashion, 70,000 rows)" csv "numpy.savetxt" savetxt
row "fmnist export csv (fashion, 70,000 rows)" csv "pandas.to_csv" pandas
for layout in csv hf npz png; do
    row "fmnist export $layout (fashion), $THREADS threads" ${layout}N "the same, FMNIST_THREADS=1" ${layout}1
done
if [[ -n "${BASELINE_BIN:-}" ]]; then
    for layout in csv hf npz png; do
        row "fmnist export $layout (fashion), $THREADS threads" ${layout}N "BASELINE_BIN, FMNIST_THREADS=1" ${layout}base1
    done
fi
row "fmnist import of the 2 Kaggle CSV files" csvimport "python: import pandas + read_csv x2" readcsv
row "fmnist import of the 2 Kaggle CSV files" csvimport "pandas.read_csv x2 calls alone" readcsvcalls
[[ -n "${BASELINE_BIN:-}" ]] && row "fmnist import of the 2 Kaggle CSV files" csvimport "BASELINE_BIN's import of them" csvimportbase
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
