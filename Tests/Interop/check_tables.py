"""pandas on the CSV export, numpy on the npz export, datasets on the Parquet export.
usage: check_tables.py CSV_DIR NPZ_DIR HF_DIR DATA_DIR"""
import sys

import datasets
import numpy as np
import pandas

from interop_common import expect, same_split, upstream

csv_dir, npz_dir, hf_dir, data_dir = sys.argv[1:5]
for dataset, prefix, hub in [("fashion", "fashion-mnist", "fashion_mnist"), ("mnist", "mnist", "mnist")]:
    archive = np.load(f"{npz_dir}/{dataset}.npz", allow_pickle=False)
    for train, split in [(True, "train"), (False, "test")]:
        images, labels = upstream(data_dir, dataset, train)
        frame = pandas.read_csv(f"{csv_dir}/{prefix}_{split}.csv")
        expect(list(frame.columns) == ["label"] + [f"pixel{i}" for i in range(1, 785)], "CSV header")
        same_split(f"pandas {prefix}_{split}.csv", frame.iloc[:, 1:].to_numpy().reshape(-1, 28, 28), frame["label"], images, labels)
        expect(archive[f"x_{split}"].dtype == np.uint8, "npz dtype")
        same_split(f"np.load {dataset}.npz {split}", archive[f"x_{split}"], archive[f"y_{split}"], images, labels)
    loaded = datasets.load_dataset(
        "parquet", data_files={s: f"{hf_dir}/{hub}/{s}-00000-of-00001.parquet" for s in ("train", "test")})
    features = loaded["train"].features
    expect(isinstance(features["image"], datasets.Image), f"image feature {features['image']}")
    expect(isinstance(features["label"], datasets.ClassLabel), f"label feature {features['label']}")
    want = ["T - shirt / top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
    expect(features["label"].names == (want if dataset == "fashion" else [str(i) for i in range(10)]), "ClassLabel names")
    for train, split in [(True, "train"), (False, "test")]:
        images, labels = upstream(data_dir, dataset, train)
        part = loaded[split].with_format("numpy")
        same_split(f"datasets parquet {hub}/{split}", np.stack(part["image"]), part["label"], images, labels)
