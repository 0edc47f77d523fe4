"""Framework links that follow `fmnist switch`: unchanged code calling torchvision.datasets.MNIST(ROOT),
FashionMNIST(ROOT) and keras.datasets.fashion_mnist.load_data() reads whichever dataset is active.
usage: KERAS_HOME=KERAS_LINK check_links.py TORCH_LINK_ROOT DATA_DIR EXPECTED_DATASET"""
import os
import sys

os.environ.setdefault("KERAS_BACKEND", "torch")
import torch  # noqa: E402

torch.library.register_fake = lambda *a, **k: (lambda f: f)  # CPU torch + CUDA torchvision wheel: see README
import keras  # noqa: E402
import torchvision  # noqa: E402

from interop_common import same_split, upstream  # noqa: E402

root, data_dir, expected = sys.argv[1:4]
for cls in (torchvision.datasets.MNIST, torchvision.datasets.FashionMNIST):
    for train in (True, False):
        # download=True with the files present checks they exist and writes nothing (network is blocked).
        ds = cls(root, train=train, download=train)
        images, labels = upstream(data_dir, expected, train)
        same_split(f"torchvision link {cls.__name__} train={train} shows {expected}", ds.data.numpy(), ds.targets.numpy(), images, labels)

(x_train, y_train), (x_test, y_test) = keras.datasets.fashion_mnist.load_data()
for train, x, y in [(True, x_train, y_train), (False, x_test, y_test)]:
    images, labels = upstream(data_dir, expected, train)
    same_split(f"keras link fashion_mnist train={train} shows {expected}", x, y, images, labels)
