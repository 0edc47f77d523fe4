#!/usr/bin/env bash
# Builds (once) the test virtual environment `.venv-test/` (or FMNIST_TEST_VENV) with moto[server]
# and boto3: the S3-compatible server the s3:// mirror tests start on loopback
# (Tests/EndToEndTests/Support/S3Server.swift, Tests/Support/s3_setup.py); and pyarrow, which reads
# back the Parquet `export hf` writes (ExportEndToEndTests). pip runs only when the venv's python
# cannot import them. scripts/test.sh calls it when FMNIST_DATA_DIR is set (those
# tests need the real files); when it cannot install (no network, no python3-venv) it says so and
# the s3 and Parquet read-back tests then FAIL naming this script, never pass silently.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${FMNIST_TEST_VENV:-.venv-test}
if [[ -x "$VENV/bin/python3" ]] && "$VENV/bin/python3" -c 'import moto.server, boto3, pyarrow.parquet' >/dev/null 2>&1; then
  exit 0
fi
python3 -m venv "$VENV"
"$VENV/bin/python3" -m pip install --quiet --disable-pip-version-check 'moto[server]' boto3 pyarrow
"$VENV/bin/python3" -c 'import moto.server, boto3, pyarrow.parquet'
echo "test venv ready: $VENV (moto $("$VENV/bin/python3" -c 'import moto; print(moto.__version__)'))" >&2
