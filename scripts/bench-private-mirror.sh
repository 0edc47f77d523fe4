#!/usr/bin/env bash
# Benchmark: `fmnist fetch all` (release build) from a PRIVATE S3 bucket (moto's S3-compatible
# server on loopback, signatures enforced: every GET signed with SigV4 by libcurl) against the same
# 8 files over plain http (Tests/Support/mirror_server.py on loopback, as scripts/bench-fetch.sh
# uses): medians of N alternating runs each, printed with their ratio (s3 / http).
# The bucket's server is Python (werkzeug), like the http baseline's, so the ratio is mostly the
# cost of signing plus moto's own request handling, not a network's.
# Usage: scripts/bench-private-mirror.sh [runs]   (FMNIST_DATA_DIR defaults to ../shared/data;
#        needs .venv-test with moto[server] and boto3: scripts/test-venv.sh makes it)
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-5}"
data="${FMNIST_DATA_DIR:-../shared/data}"
if [ ! -d "$data/fashion-mnist" ] || [ ! -d "$data/mnist" ]; then
    echo "error: $data must hold fashion-mnist/ and mnist/ with the four .gz files each; set FMNIST_DATA_DIR to such a folder" >&2
    exit 2
fi
data="$(cd "$data" && pwd)"
bash scripts/test-venv.sh
venv="${FMNIST_TEST_VENV:-.venv-test}"
python="$venv/bin/python3"
swift build -c release --product fmnist ${SCRATCH:+--scratch-path $SCRATCH} >/dev/null
fmnist="$(swift build -c release ${SCRATCH:+--scratch-path $SCRATCH} --show-bin-path)/fmnist"
work="$(mktemp -d)"
moto_pid=""
http_pid=""
cleanup() {
    for pid in "$moto_pid" "$http_pid"; do if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; fi; done
    chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"  # read-only version folders: u+w first (not root)
}
trap cleanup EXIT
names="train-images-idx3-ubyte.gz train-labels-idx1-ubyte.gz t10k-images-idx3-ubyte.gz t10k-labels-idx1-ubyte.gz"

# The bucket: moto enforcing signatures after the four IAM set-up calls; a user, its key, the bucket.
INITIAL_NO_AUTH_ACTION_COUNT=4 "$python" -m moto.server -H 127.0.0.1 -p 0 > "$work/moto.log" 2>&1 &
moto_pid=$!
for _ in $(seq 300); do grep -q 'Running on http://127.0.0.1:' "$work/moto.log" 2>/dev/null && break; sleep 0.1; done
moto_port="$(sed -n 's/.*Running on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/moto.log" | head -1)"
endpoint="http://127.0.0.1:$moto_port"
keys="$(env -u AWS_PROFILE -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u AWS_SESSION_TOKEN \
    "$python" Tests/Support/s3_setup.py --endpoint "$endpoint" --data-dir "$data/fashion-mnist" \
    --private-bucket bench-private --public-bucket bench-public --prefix fashion-mnist/ --files $names)"
export AWS_ACCESS_KEY_ID="$("$python" -c 'import json,sys; print(json.load(sys.stdin)["access_key_id"])' <<<"$keys")"
export AWS_SECRET_ACCESS_KEY="$("$python" -c 'import json,sys; print(json.load(sys.stdin)["secret_access_key"])' <<<"$keys")"
export AWS_ENDPOINT_URL="$endpoint" AWS_REGION=us-east-1
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_ENDPOINT_URL_S3
mkdir -p "$work/tree/mnist"
for name in $names; do cp "$data/mnist/$name" "$work/tree/mnist/$name"; done
"$python" Tests/Support/s3_sync.py --tree "$work/tree" --bucket bench-private > /dev/null

# The plain http baseline: the same files from the tests' loopback mirror.
python3 Tests/Support/mirror_server.py --root "$data" > "$work/server.out" 2>/dev/null &
http_pid=$!
for _ in $(seq 100); do grep -q '^PORT ' "$work/server.out" 2>/dev/null && break; sleep 0.05; done
http="http://127.0.0.1:$(awk '/^PORT /{print $2}' "$work/server.out")"
cat "$data"/fashion-mnist/*.gz "$data"/mnist/*.gz > /dev/null   # warm the page cache for both sides

fresh() { echo "{ chmod -R u+w '$work/$1' 2>/dev/null; rm -rf '$work/$1'; }"; }
s3="$(fresh s3) && HOME='$work' FMNIST_MIRRORS='fashion=s3://bench-private/fashion-mnist/ mnist=s3://bench-private/mnist/' '$fmnist' fetch all --quiet --root '$work/s3'"
plain="$(fresh http) && FMNIST_MIRRORS='fashion=$http/fashion-mnist/ mnist=$http/mnist/' '$fmnist' fetch all --quiet --root '$work/http'"
sh -c "$s3" || { echo "error: fetch all from the private bucket failed" >&2; sh -c "${s3/--quiet/}" || true; exit 1; }
sh -c "$plain"

echo "fmnist fetch all: private S3 bucket (moto, SigV4 enforced) vs plain http (mirror_server.py), both loopback"
echo "($(nproc) cores, $runs alternating runs each, $("$fmnist" --version 2>/dev/null || echo fmnist), moto $("$python" -c 'import moto; print(moto.__version__)'))"
S3="$s3" PLAIN="$plain" RUNS="$runs" python3 - <<'PY'
import os, sys
sys.path.insert(0, "scripts")
from bench_util import side_by_side
side_by_side("fetch all from s3:// (private)", ["sh", "-c", os.environ["S3"]],
             "fetch all over plain http", os.environ["PLAIN"], runs=int(os.environ["RUNS"]))
PY
