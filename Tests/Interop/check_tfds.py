"""TFDS builds `mnist` and `fashion_mnist` offline from `fmnist export tfds` manual dirs.
usage: check_tfds.py EXPORT DATA_DIR WORK

Each builder gets its own data_dir: TFDS extracts manual files to DATA_DIR/downloads/extracted/
GZIP.<file name>, keyed by the name alone, so a second builder sharing the data_dir silently reuses
the first one's files (MNIST built from Fashion-MNIST's; seen with tensorflow-datasets 4.9.10).
TFDS stores the examples shuffled: the check compares every (label, image) pair as a multiset."""
import hashlib
import os
import sys

import numpy as np
import tensorflow_datasets as tfds

from interop_common import expect, upstream

export, data_dir, work = sys.argv[1], sys.argv[2], sys.argv[3]
BUILDERS = {"fashion": "fashion_mnist", "mnist": "mnist"}


def pairs(images, labels):
    return sorted((int(label), hashlib.sha1(np.ascontiguousarray(image).tobytes()).hexdigest()) for image, label in zip(images, labels))


for dataset, builder_name in BUILDERS.items():
    builder = tfds.builder(builder_name, data_dir=os.path.join(work, "tfds-" + builder_name))
    builder.download_and_prepare(download_config=tfds.download.DownloadConfig(manual_dir=os.path.join(export, builder_name)))
    for split, train in (("train", True), ("test", False)):
        got = tfds.as_numpy(builder.as_dataset(split=split, batch_size=-1))
        images, labels = upstream(data_dir, dataset, train)
        name = f"tfds {builder_name} {split}"
        got_images = got["image"].reshape(-1, 28, 28)
        expect(len(got["label"]) == len(labels), f"{name}: {len(got['label'])} examples, expected {len(labels)}")
        expect((np.bincount(got["label"], minlength=10) == np.bincount(labels, minlength=10)).all(), f"{name}: class histogram differs")
        expect(pairs(got_images, got["label"]) == pairs(images, labels), f"{name}: the (label, image) pairs differ from upstream")
        print(f"ok  {name}: {len(labels)} examples, histogram {np.bincount(got['label'], minlength=10).tolist()}, every pair upstream's")
