#!/usr/bin/env python3
"""scikit-learn's LogisticRegression on the digits example's split: the baseline that
dev.tensorj.examples.Digits is compared with in the README.

Reads the csv the example reads and splits it by the same seed-free rule (Digits.load): in file
order, every fifth image of each digit (its 5th, 10th, ...) is a test image, the others train
(1,442 / 355). Pixels are divided by 16, as in the example.

    /usr/bin/python3 benchmarks/digits_sklearn.py     # Debian: apt-get install python3-sklearn
"""
import gzip
import os

import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression

CSV = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "test", "resources",
                   "dev", "tensorj", "examples", "digits", "digits.csv.gz")


def load():
    with gzip.open(CSV, "rt") as f:
        data = np.loadtxt(f, delimiter=",", dtype=np.int64)
    assert data.shape == (1797, 65), data.shape
    x, y = data[:, :64] / 16.0, data[:, 64]
    seen = np.zeros(10, dtype=np.int64)
    is_test = np.zeros(len(y), dtype=bool)
    for i, digit in enumerate(y):
        is_test[i] = seen[digit] % 5 == 4
        seen[digit] += 1
    return x[~is_test], y[~is_test], x[is_test], y[is_test]


def main():
    x_train, y_train, x_test, y_test = load()
    model = LogisticRegression(max_iter=10000).fit(x_train, y_train)
    correct = int((model.predict(x_test) == y_test).sum())
    print(f"scikit-learn {sklearn.__version__}, LogisticRegression(max_iter=10000), pixels / 16: "
          f"train {len(y_train)}, test {len(y_test)}, test accuracy {correct / len(y_test):.4f} "
          f"({correct}/{len(y_test)})")


if __name__ == "__main__":
    main()
