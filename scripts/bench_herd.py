"""The herd benchmark (run by scripts/bench-herd.sh): WORKSPACES concurrent `fmnist fetch all`
processes at default settings, a workspace folder each, against the loopback test mirror capped at
MAX_BODIES concurrent bodies (503 + Retry-After past that) and BANDWIDTH bytes/s in all.

The baseline is the herd's floor: the bytes the workspaces need divided by the mirror's bandwidth
(no client can finish sooner). Prints each run, the median wall time, the ratio median / floor, and
the bytes the mirror sent against the bytes needed.
usage: bench_herd.py FMNIST DATA RUNS WORKSPACES BANDWIDTH MAX_BODIES
"""
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
SERVER = os.path.join(HERE, "..", "Tests", "Support", "mirror_server.py")
NAMES = ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]


def main():
    fmnist, data, runs, workspaces, bandwidth, max_bodies = sys.argv[1:7]
    runs, workspaces, bandwidth, max_bodies = int(runs), int(workspaces), float(bandwidth), int(max_bodies)
    need_one = sum(os.path.getsize(os.path.join(data, folder, name)) for folder in ("fashion-mnist", "mnist") for name in NAMES)
    need = need_one * workspaces
    floor = need / bandwidth
    print(f"herd: {workspaces} workspaces x `fmnist fetch all` ({need_one / 1e6:.1f} MB each, {need / 1e6:.0f} MB in all), "
          f"mirror capped at {max_bodies} bodies and {bandwidth / 1e6:.1f} MB/s: floor {floor:.1f} s")
    times, ratios_bytes, busy = [], [], []
    for run in range(runs):
        work = tempfile.mkdtemp(prefix="fmnist-bench-herd.")
        server = subprocess.Popen(
            [sys.executable, SERVER, "--root", data, "--max-bodies", str(max_bodies), "--retry-after", "1",
             "--bandwidth", str(bandwidth)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        try:
            port = int(server.stdout.readline().split()[1])
            base = f"http://127.0.0.1:{port}"
            env = dict(os.environ, NO_COLOR="1")
            for key in ("FMNIST_ROOT", "FMNIST_MIRRORS", "FMNIST_MANIFESTS", "http_proxy", "https_proxy", "HTTP_PROXY",
                        "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
                env.pop(key, None)
            started = time.perf_counter()
            procs = [subprocess.Popen(
                [fmnist, "fetch", "all", "--root", os.path.join(work, f"ws{i}", "data"), "-q",
                 "--mirror", f"fashion={base}/fashion-mnist/", "--mirror", f"mnist={base}/mnist/"],
                cwd=work, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True) for i in range(workspaces)]
            failed = [(p.wait(), p.stderr.read()) for p in procs]
            elapsed = time.perf_counter() - started
            failed = [f for f in failed if f[0] != 0]
            if failed:
                raise SystemExit(f"run {run + 1}: {len(failed)} of {workspaces} fetches failed; first (exit {failed[0][0]}):\n{failed[0][1]}")
            load = json.load(urllib.request.urlopen(f"{base}/__load"))
        finally:
            server.kill()
            server.wait()
            shutil.rmtree(work, ignore_errors=True)
        times.append(elapsed)
        ratios_bytes.append(load["bytes"] / need)
        busy.append(load["busy_answers"])
        print(f"  run {run + 1}: {elapsed:6.1f} s  ({elapsed / floor:.2f}x floor), mirror sent {load['bytes'] / need:.3f}x the bytes "
              f"needed, {load['busy_answers']} busy answers, peak {load['peak_bodies']} bodies")
    median = statistics.median(times)
    print(f"herd median {median:.1f} s vs floor {floor:.1f} s: ratio {median / floor:.2f} (goal: near 1; bytes sent "
          f"{max(ratios_bytes):.3f}x needed at worst, median {statistics.median(busy):.0f} busy answers)")


if __name__ == "__main__":
    main()
