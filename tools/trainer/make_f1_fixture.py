"""Reference F1 and accuracy values from scikit-learn for @peftjs/trainer's f1Metric / accuracyMetric tests.

Run: /usr/bin/python3 tools/trainer/make_f1_fixture.py   (Debian python3-sklearn)
Writes packages/trainer/test/fixtures/f1-reference.json.

Each case: logits [N, C] (float32-representable, no ties), labels [N] with -100 at rows that are not
counted, the batch sizes the test cuts the rows into, and
f1 = sklearn.metrics.f1_score(y_true, y_pred, average="binary" or per-class, pos_label=positive_label)
accuracy = sklearn.metrics.accuracy_score(y_true, y_pred)
over the counted rows, with y_pred = argmax(logits).
"""
import json
import os

import numpy as np
import sklearn
from sklearn.metrics import accuracy_score, f1_score

rng = np.random.default_rng(20261206)


def case(name, logits, labels, positive_label, batch_sizes):
    logits = np.asarray(logits, dtype=np.float32)
    labels = np.asarray(labels, dtype=np.int64)
    counted = labels != -100
    y_true = labels[counted]
    y_pred = logits.argmax(axis=1)[counted]
    n_classes = logits.shape[1]
    if n_classes == 2:
        f1 = f1_score(y_true, y_pred, average="binary", pos_label=positive_label, zero_division=0)
    else:
        # one class's F1 (average=None gives it per class; labels= fixes the order)
        f1 = f1_score(y_true, y_pred, labels=list(range(n_classes)), average=None, zero_division=0)[positive_label]
    assert sum(batch_sizes) == len(labels)
    return {
        "name": name,
        "positiveLabel": positive_label,
        "logits": [[float(x) for x in row] for row in logits],
        "labels": [int(y) for y in labels],
        "batchSizes": batch_sizes,
        "f1": float(f1),
        "accuracy": float(accuracy_score(y_true, y_pred)),
    }


cases = []
n = 37
labels = rng.integers(0, 2, n)
labels[[3, 11, 30]] = -100
cases.append(case("binary, 3 rows not counted, uneven batches", rng.normal(size=(n, 2)), labels, 1, [8, 8, 8, 8, 5]))
cases.append(case("binary, the other class as positive", rng.normal(size=(n, 2)), rng.integers(0, 2, n), 0, [37]))
n = 50
cases.append(case("4 classes, F1 of class 2", rng.normal(size=(n, 4)), rng.integers(0, 4, n), 2, [16, 16, 18]))
# class 1 is neither present nor predicted: precision and recall are 0/0, sklearn's zero_division gives 0
logits = np.stack([np.abs(rng.normal(size=10)) + 0.1, -np.abs(rng.normal(size=10))], axis=1)
cases.append(case("positive class absent and never predicted", logits, np.zeros(10, dtype=np.int64), 1, [4, 6]))
# every prediction positive, no true positive: precision 0, recall 0/0
cases.append(case("only false positives", logits[:, ::-1], np.zeros(10, dtype=np.int64), 1, [10]))

out = os.path.join(os.path.dirname(__file__), "..", "..", "packages", "trainer", "test", "fixtures", "f1-reference.json")
with open(out, "w") as f:
    json.dump({"generator": "tools/trainer/make_f1_fixture.py", "sklearn": sklearn.__version__, "cases": cases}, f, indent=1)
    f.write("\n")
print("wrote", os.path.normpath(out), [(c["name"], round(c["f1"], 4)) for c in cases])
