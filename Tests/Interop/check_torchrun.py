"""Many ranks, one download: every rank of `torchrun --nproc-per-node N` runs this same start-up code.

Each rank runs `fmnist fetch all` into ONE shared workspace (the workspace lock lets the first
download and the others find the files verified), then `fmnist switch fashion --link LINK --layout
torchvision`, then reads torchvision.datasets.FashionMNIST(LINK). The ranks all_gather a digest of
their tensors over gloo and must agree, with each other and with the upstream files; rank 0 then
asks the loopback mirror how often each file was served: exactly once, whole.

usage (under torchrun): check_torchrun.py FMNIST WORKSPACE LINK MIRROR_BASE DATA_DIR
  MIRROR_BASE serves fashion-mnist/ and mnist/ (Tests/Support/mirror_server.py --root DATA_DIR)
"""
import hashlib
import json
import os
import subprocess
import sys
import urllib.request

import torch
import torch.distributed as dist

torch.library.register_fake = lambda *a, **k: (lambda f: f)  # CPU torch + CUDA torchvision wheel: see README
import torchvision  # noqa: E402

from interop_common import NAMES, expect, same_split, upstream  # noqa: E402

fmnist, workspace, link, mirror, data_dir = sys.argv[1:6]
dist.init_process_group("gloo")
rank, world = dist.get_rank(), dist.get_world_size()


def run(*args):
    result = subprocess.run([fmnist, *args, "--root", workspace, "-q"], capture_output=True, text=True, timeout=600)
    expect(result.returncode == 0, f"rank {rank}: fmnist {' '.join(args)} exited {result.returncode}: {result.stderr}")


# --- the start-up code every rank runs, unchanged -------------------------------------------------
run("fetch", "all", "--mirror", f"fashion={mirror}/fashion-mnist/", "--mirror", f"mnist={mirror}/mnist/")
run("switch", "fashion", "--link", link, "--layout", "torchvision")
splits = {train: torchvision.datasets.FashionMNIST(link, train=train, download=False) for train in (True, False)}
# ---------------------------------------------------------------------------------------------------

digest = hashlib.sha256()
for train in (True, False):
    digest.update(splits[train].data.numpy().tobytes())
    digest.update(splits[train].targets.numpy().tobytes())
digests = [None] * world
dist.all_gather_object(digests, digest.hexdigest())
expect(len(set(digests)) == 1, f"rank {rank}: the ranks saw different tensors: {digests}")
if rank == 0:
    for train in (True, False):
        images, labels = upstream(data_dir, "fashion", train)
        same_split(f"torchrun rank 0 FashionMNIST train={train}", splits[train].data.numpy(), splits[train].targets.numpy(), images, labels)
    stats = json.load(urllib.request.urlopen(f"{mirror}/__stats"))
    for dataset, folder in NAMES.items():
        for name in sorted(os.listdir(os.path.join(data_dir, folder))):
            if not name.endswith(".gz"):
                continue
            entry = stats.get(f"/{folder}/{name}", {})
            size = os.path.getsize(os.path.join(data_dir, folder, name))
            expect(entry.get("statuses") == [200] and entry.get("bytes") == size,
                   f"{folder}/{name} was served {entry.get('statuses')} ({entry.get('bytes')} bytes), expected once, whole ({size} bytes)")
    print(f"ok  torchrun: {world} ranks fetched into one workspace; every file served once; all saw tensors {digests[0][:12]}")
dist.barrier()
dist.destroy_process_group()
