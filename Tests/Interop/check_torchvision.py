"""torchvision MNIST/FashionMNIST on `fmnist export torchvision`, and ImageFolder on `fmnist export png`.
usage: check_torchvision.py TORCH_ROOT PNG_ROOT DATA_DIR"""
import sys

import torch

torch.library.register_fake = lambda *a, **k: (lambda f: f)  # CPU torch + CUDA torchvision wheel: see README
import torchvision  # noqa: E402

from interop_common import expect, same_split, upstream  # noqa: E402

torch_root, png_root, data_dir = sys.argv[1:4]
for dataset, cls in [("fashion", torchvision.datasets.FashionMNIST), ("mnist", torchvision.datasets.MNIST)]:
    for train in (True, False):
        ds = cls(torch_root, train=train, download=False)
        images, labels = upstream(data_dir, dataset, train)
        same_split(f"torchvision {cls.__name__} train={train}", ds.data.numpy(), ds.targets.numpy(), images, labels)
    expect(ds.classes[0] in ("T-shirt/top", "0 - zero"), f"{cls.__name__}: classes {ds.classes[:2]}")

images, labels = upstream(data_dir, "fashion", False)
folder = torchvision.datasets.ImageFolder(f"{png_root}/fashion/test")
expect(folder.class_to_idx == {str(i): i for i in range(10)}, f"ImageFolder classes {folder.class_to_idx}")
expect(len(folder) == 10000, f"ImageFolder: {len(folder)} images")
import numpy as np  # noqa: E402

counts = np.bincount([target for _, target in folder.samples], minlength=10)
expect((counts == np.bincount(labels, minlength=10)).all(), "ImageFolder histogram differs")
first = folder.samples.index((f"{png_root}/fashion/test/{labels[0]}/0.png", int(labels[0])))
image, target = folder[first]
expect(target == labels[0] and (np.array(image.convert("L")) == images[0]).all(), "ImageFolder image 0 differs")
print(f"ok  ImageFolder fashion/test: 10000 images, histogram {counts.tolist()}, image 0 equal")
