#!/usr/bin/env bash
# Benchmark: `fmnist fetch all` (release build) into a workspace on an sshfs mount (a loopback sshd,
# as the shared-workspace tests use: FUSE, so the lease lock, per-process partials, read-back proof
# and the rollback-journal catalog are in force) against the same fetch into a workspace on the local
# disk — both from the loopback test mirror, medians of N alternating runs. Then 4 concurrent fetches
# (2 through each of two mounts of one folder) against one local fetch.
# Usage: scripts/bench-shared.sh [runs]   (default 5; FMNIST_DATA_DIR defaults to ../shared/data;
#        needs /dev/fuse, openssh-server and sshfs: scripts/setup.sh installs them)
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-5}"
data="${FMNIST_DATA_DIR:-../shared/data}"
if [ ! -d "$data/fashion-mnist" ] || [ ! -d "$data/mnist" ]; then
    echo "error: $data must hold fashion-mnist/ and mnist/ with the four .gz files each; set FMNIST_DATA_DIR to such a folder" >&2
    exit 2
fi
for tool in /usr/sbin/sshd sshfs ssh-keygen; do
    command -v "$tool" >/dev/null || { echo "error: $tool is missing: run scripts/setup.sh (openssh-server, sshfs)" >&2; exit 2; }
done
[ -e /dev/fuse ] || { echo "error: no /dev/fuse here: the sshfs side cannot be measured" >&2; exit 2; }
data="$(cd "$data" && pwd)"
swift build -c release --product fmnist >/dev/null
fmnist="$(swift build -c release --show-bin-path)/fmnist"
work="$(mktemp -d)"
server_pid=""
sshd_pid=""
mounts=()
cleanup() {
    for m in ${mounts[@]+"${mounts[@]}"}; do fusermount3 -u "$m" 2>/dev/null || fusermount3 -u -z "$m" 2>/dev/null || true; done
    if [ -n "$sshd_pid" ]; then kill "$sshd_pid" 2>/dev/null || true; fi
    if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; fi
    chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"  # read-only version folders: u+w first (not root)
}
trap cleanup EXIT

# The mirror.
python3 Tests/Support/mirror_server.py --root "$data" > "$work/server.out" 2>/dev/null &
server_pid=$!
for _ in $(seq 100); do grep -q '^PORT ' "$work/server.out" 2>/dev/null && break; sleep 0.05; done
base="http://127.0.0.1:$(awk '/^PORT /{print $2}' "$work/server.out")"
cat "$data"/fashion-mnist/*.gz "$data"/mnist/*.gz > /dev/null   # warm the page cache for both sides

# The sshd and two mounts of one folder.
mkdir -p "$work/shared" "$work/m0" "$work/m1" "$work/local"
ssh-keygen -q -t ed25519 -N "" -f "$work/host_key"
ssh-keygen -q -t ed25519 -N "" -f "$work/client_key"
cp "$work/client_key.pub" "$work/authorized_keys"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
cat > "$work/sshd_config" <<EOF
ListenAddress 127.0.0.1
Port $port
HostKey $work/host_key
PidFile $work/sshd.pid
AuthorizedKeysFile $work/authorized_keys
StrictModes no
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
Subsystem sftp internal-sftp
EOF
if [ "$(id -u)" -eq 0 ] && [ ! -d /run/sshd ]; then mkdir -m 0755 /run/sshd; fi
/usr/sbin/sshd -D -e -f "$work/sshd_config" 2> "$work/sshd.log" &
sshd_pid=$!
for _ in $(seq 100); do grep -q 'Server listening' "$work/sshd.log" 2>/dev/null && break; sleep 0.05; done
for m in m0 m1; do
    sshfs -p "$port" -o "IdentityFile=$work/client_key,StrictHostKeyChecking=no,UserKnownHostsFile=/dev/null,BatchMode=yes,LogLevel=ERROR" \
        "$(id -un)@127.0.0.1:$work/shared" "$work/$m"
    mounts+=("$work/$m")
done

mirrors="fashion=$base/fashion-mnist/ mnist=$base/mnist/"
# Each run gets a workspace name never used before: the mounts cache directory entries (20 s), so a
# folder removed on the server's side would still look present through them. The previous runs'
# workspaces are removed on the server's side first.
fresh() { echo "{ chmod -R u+w '$1' 2>/dev/null; rm -rf '$1'; mkdir -p '$1'; }"; }
one_shared="$(fresh "$work/shared/runs") && ws=ws-\$(date +%s%N) && FMNIST_MIRRORS='$mirrors' '$fmnist' fetch all --quiet --root '$work/m0/runs/'\$ws"
one_local="$(fresh "$work/local/ws") && FMNIST_MIRRORS='$mirrors' '$fmnist' fetch all --quiet --root '$work/local/ws'"
# `wait` with no argument returns 0 even when a job failed: wait for each and count the failures.
four_shared="fails=0; $(fresh "$work/shared/runs") && ws=ws-\$(date +%s%N) && pids=''; for i in 1 2; do for m in m0 m1; do"
four_shared+=" FMNIST_MIRRORS='$mirrors' '$fmnist' fetch all --quiet --root '$work/'\$m/runs/\$ws & pids=\"\$pids \$!\"; done; done;"
four_shared+=" for p in \$pids; do wait \$p || fails=\$((fails+1)); done; [ \$fails -eq 0 ]"

echo "fmnist fetch all into a workspace on sshfs (loopback sshd) vs on the local disk, loopback mirror"
echo "($(nproc) cores, $runs runs each, $("$fmnist" --version 2>/dev/null || echo fmnist), $(sshfs --version 2>&1 | grep -i '^sshfs version' || echo sshfs))"
ONE_SHARED="$one_shared" ONE_LOCAL="$one_local" FOUR_SHARED="$four_shared" RUNS="$runs" python3 - <<'PY'
import os, sys
sys.path.insert(0, "scripts")
from bench_util import side_by_side
runs = int(os.environ["RUNS"])
side_by_side("fetch all on sshfs", ["sh", "-c", os.environ["ONE_SHARED"]],
             "fetch all on local disk", os.environ["ONE_LOCAL"], runs=runs)
print()
side_by_side("4 fetch all on 2 sshfs mounts", ["sh", "-c", os.environ["FOUR_SHARED"]],
             "fetch all on local disk", os.environ["ONE_LOCAL"], runs=runs)
PY
