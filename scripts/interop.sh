#!/usr/bin/env bash
# Interop checks: each framework's real loader reads fresh `fmnist export` output, and framework
# links (`switch --link --layout torchvision|keras`) across two switches, network blocked.
#   scripts/interop.sh            # builds .venv-interop once (scripts/interop-venv.sh), then runs
# Needs FMNIST_DATA_DIR (default ../shared/data) and a release build (built here if missing).
#   INTEROP_TFDS=1 scripts/interop.sh   # also TFDS (builds .venv-tfds, about 1.7 GB of TensorFlow)
# Not part of `swift test`/CI: the venv is ~1.4 GB (torch, pyarrow, datasets, keras). TFDS is opt-in:
# without INTEROP_TFDS=1 its layout is checked by the Swift end-to-end tests only.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${FMNIST_DATA_DIR:-$(cd .. && pwd)/shared/data}
scripts/interop-venv.sh
PY=$PWD/.venv-interop/bin/python
TFDS_PY=$PWD/${INTEROP_TFDS_VENV:-.venv-tfds}/bin/python
BIN=${FMNIST_BIN:-}
if [[ -z "$BIN" ]]; then swift build -c release --product fmnist >&2; BIN=$(swift build -c release --show-bin-path)/fmnist; fi
WORK=$(mktemp -d "${TMPDIR:-/tmp}/fmnist-interop.XXXXXX")
MIRROR_PID=
# read-only version folders: u+w first (not root)
trap '[[ -z $MIRROR_PID ]] || kill "$MIRROR_PID"; chmod -R u+w "$WORK" 2>/dev/null; rm -rf "$WORK"' EXIT
ROOT=$WORK/data
"$BIN" import "$DATA/fashion-mnist" --as fashion --root "$ROOT" -q
"$BIN" import "$DATA/mnist" --as mnist --root "$ROOT" -q
for layout in torchvision png keras csv npz hf tfds; do "$BIN" export $layout "$WORK/$layout" --root "$ROOT" -q; done
# No network for the loaders: proxies to a closed port, hub libraries offline, caches inside WORK.
export http_proxy=http://127.0.0.1:9 https_proxy=http://127.0.0.1:9 HTTP_PROXY=http://127.0.0.1:9 HTTPS_PROXY=http://127.0.0.1:9
export no_proxy= NO_PROXY= HF_DATASETS_OFFLINE=1 HF_HUB_OFFLINE=1 HF_HOME=$WORK/hf-home KERAS_BACKEND=torch
cd Tests/Interop
"$PY" check_torchvision.py "$WORK/torchvision" "$WORK/png" "$DATA"
KERAS_HOME=$WORK/keras "$PY" check_keras.py "$DATA"
"$PY" check_tables.py "$WORK/csv" "$WORK/npz" "$WORK/hf" "$DATA"
if [[ "${INTEROP_TFDS:-0}" == 1 ]]; then
  TF_CPP_MIN_LOG_LEVEL=3 "$TFDS_PY" check_tfds.py "$WORK/tfds" "$DATA" "$WORK"
fi
# Framework links that follow `fmnist switch`: the same loader code run after each of two switches.
"$BIN" switch fashion --root "$ROOT" --link "$WORK/tv-link" --layout torchvision -q
"$BIN" switch fashion --root "$ROOT" --link "$WORK/keras-link" --layout keras -q
for dataset in fashion mnist; do
  "$BIN" switch "$dataset" --root "$ROOT" -q
  KERAS_HOME=$WORK/keras-link "$PY" check_links.py "$WORK/tv-link" "$DATA" "$dataset"
done

# doctor: caches broken the way users report them (MNIST's images in FashionMNIST/raw, a stale
# processed/, a truncated keras file), found (exit 3), repaired with --fix, then read by the real loaders.
BROKEN=$WORK/doctor
mkdir -p "$BROKEN/keras/datasets" "$BROKEN/home" "$BROKEN/tfds"
cp -r --no-preserve=mode "$WORK/torchvision" "$BROKEN/torch"
cp -r --no-preserve=mode "$WORK/keras/datasets/fashion-mnist" "$BROKEN/keras/datasets/"
rm -f "$BROKEN/torch/FashionMNIST/raw/train-images-idx3-ubyte"
"$PY" -c 'import gzip, sys; open(sys.argv[2], "wb").write(gzip.open(sys.argv[1]).read())' \
  "$DATA/mnist/train-images-idx3-ubyte.gz" "$BROKEN/torch/FashionMNIST/raw/train-images-idx3-ubyte"
mkdir -p "$BROKEN/torch/FashionMNIST/processed"
echo stale > "$BROKEN/torch/FashionMNIST/processed/training.pt"; echo stale > "$BROKEN/torch/FashionMNIST/processed/test.pt"
truncate -s 1000000 "$BROKEN/keras/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"
doctor() { HOME=$BROKEN/home KERAS_HOME=$BROKEN/keras TFDS_DATA_DIR=$BROKEN/tfds "$BIN" doctor "$BROKEN/torch" --root "$ROOT" "$@"; }
rc=0; doctor -q || rc=$?
[[ $rc == 3 ]] || { echo "interop: doctor on the broken caches exited $rc, expected 3" >&2; exit 1; }
doctor --fix -q
doctor -q
"$PY" check_torchvision.py "$BROKEN/torch" "$WORK/png" "$DATA"
KERAS_HOME=$BROKEN/keras "$PY" check_keras.py "$DATA"
echo "interop: doctor found the broken caches, --fix repaired them, torchvision and keras read the right data" >&2
"$BIN" verify all --root "$ROOT" -q
"$BIN" verify "$WORK/tv-link" --root "$ROOT" -q
echo "interop: all loaders read the exports and the switched links; verify still passes" >&2

# Many ranks, one download: every rank of `torchrun --nproc-per-node 4` (gloo on loopback) runs the
# same start-up code — `fmnist fetch all` into ONE workspace from the loopback mirror, `switch
# --link --layout torchvision`, torchvision.datasets.FashionMNIST — and every file is served once;
# the ranks all_gather a digest of their tensors and must agree (Tests/Interop/check_torchrun.py).
python3 ../Support/mirror_server.py --root "$DATA" > "$WORK/mirror.out" 2>/dev/null &
MIRROR_PID=$!
for _ in $(seq 100); do grep -q '^PORT ' "$WORK/mirror.out" && break; sleep 0.1; done
MIRROR="http://127.0.0.1:$(awk '/^PORT /{print $2}' "$WORK/mirror.out")"
no_proxy=127.0.0.1 NO_PROXY=127.0.0.1 GLOO_SOCKET_IFNAME=lo OMP_NUM_THREADS=1 \
  "$(dirname "$PY")/torchrun" --standalone --nproc-per-node 4 \
  check_torchrun.py "$BIN" "$WORK/ranks" "$WORK/ranks-link" "$MIRROR" "$DATA"
echo "interop: 4 torchrun ranks shared one download and saw the same tensors" >&2
