"""keras.datasets.fashion_mnist.load_data() with KERAS_HOME pointing at `fmnist export keras`.
usage: KERAS_HOME=DEST check_keras.py DATA_DIR"""
import os
import sys

os.environ.setdefault("KERAS_BACKEND", "torch")
import keras  # noqa: E402

from interop_common import same_split, upstream  # noqa: E402

(x_train, y_train), (x_test, y_test) = keras.datasets.fashion_mnist.load_data()
for train, x, y in [(True, x_train, y_train), (False, x_test, y_test)]:
    images, labels = upstream(sys.argv[1], "fashion", train)
    same_split(f"keras fashion_mnist train={train}", x, y, images, labels)
