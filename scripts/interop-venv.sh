#!/usr/bin/env bash
# Builds (once) the interop virtual environment `.venv-interop/` used by scripts/interop.sh and
# scripts/bench-export.sh: numpy, pandas, pillow, pyarrow, datasets, keras (torch backend), the
# CPU torch wheel from the machine's find-links folder, and torchvision 0.28.0 without its deps
# (PyPI's torchvision wheels pull CUDA torch). Re-running it is a no-op once `.venv-interop/.ready` exists.
# With INTEROP_TFDS=1 it also builds `.venv-tfds/` (about 1.7 GB: tensorflow and tensorflow-datasets
# 4.9.10, kept apart so that keras there stays the torch-backed one of `.venv-interop/`).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${INTEROP_VENV:-.venv-interop}
if [[ ! -f "$VENV/.ready" ]]; then
  python3 -m venv "$VENV"
  PIP="$VENV/bin/pip"
  "$PIP" install --quiet --upgrade pip
  "$PIP" install --quiet "torch==2.13.0+cpu"
  "$PIP" install --quiet --no-deps "torchvision==0.28.0"
  "$PIP" install --quiet numpy pandas pillow pyarrow datasets keras
  touch "$VENV/.ready"
fi
TFDS_VENV=${INTEROP_TFDS_VENV:-.venv-tfds}
if [[ "${INTEROP_TFDS:-0}" == 1 && ! -f "$TFDS_VENV/.ready" ]]; then
  python3 -m venv "$TFDS_VENV"
  "$TFDS_VENV/bin/pip" install --quiet --upgrade pip
  # importlib_resources: tensorflow-datasets 4.9.10 imports it but does not declare it.
  "$TFDS_VENV/bin/pip" install --quiet tensorflow "tensorflow-datasets==4.9.10" importlib_resources
  touch "$TFDS_VENV/.ready"
fi
