"""Shared helpers of the interop checks: the upstream payloads, read with python's gzip only."""
import gzip
import os
import sys

import numpy as np

NAMES = {"fashion": "fashion-mnist", "mnist": "mnist"}


def upstream(data_dir, dataset, train):
    """(images n×28×28 uint8, labels n) from the upstream .gz files in DATA_DIR/<fashion-mnist|mnist>."""
    folder = os.path.join(data_dir, NAMES[dataset])
    prefix = "train" if train else "t10k"
    images = gzip.open(os.path.join(folder, f"{prefix}-images-idx3-ubyte.gz")).read()
    labels = gzip.open(os.path.join(folder, f"{prefix}-labels-idx1-ubyte.gz")).read()
    return np.frombuffer(images, np.uint8, offset=16).reshape(-1, 28, 28), np.frombuffer(labels, np.uint8, offset=8)


def expect(condition, message):
    if not condition:
        print(f"FAIL: {message}", file=sys.stderr)
        sys.exit(1)


def same_split(name, images, labels, want_images, want_labels):
    """Length, class histogram and every pixel equal to the upstream split."""
    images = np.asarray(images, dtype=np.uint8)
    labels = np.asarray(labels).astype(np.int64)
    expect(len(labels) == len(want_labels), f"{name}: {len(labels)} rows, expected {len(want_labels)}")
    expect((np.bincount(labels, minlength=10) == np.bincount(want_labels, minlength=10)).all(), f"{name}: class histogram differs")
    expect((labels == want_labels).all(), f"{name}: labels differ")
    expect(images.shape == want_images.shape and (images == want_images).all(), f"{name}: pixels differ")
    print(f"ok  {name}: {len(labels)} images, histogram {np.bincount(labels, minlength=10).tolist()}")
