#!/usr/bin/env bash
# Builds (once) the interop virtual environment `.venv-interop/` used by scripts/interop.sh and
# scripts/bench-export.sh: numpy, pandas, pillow, pyarrow, datasets, keras (torch backend), the
# CPU torch wheel from the machine's find-links folder, and torchvision 0.28.0 without its deps
# (PyPI's torchvision wheels pull CUDA torch). Re-running it is a no-op once `.venv-interop/.ready` exists.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${INTEROP_VENV:-.venv-interop}
if [[ -f "$VENV/.ready" ]]; then exit 0; fi
python3 -m venv "$VENV"
PIP="$VENV/bin/pip"
"$PIP" install --quiet --upgrade pip
"$PIP" install --quiet "torch==2.13.0+cpu"
"$PIP" install --quiet --no-deps "torchvision==0.28.0"
"$PIP" install --quiet numpy pandas pillow pyarrow datasets keras
touch "$VENV/.ready"
