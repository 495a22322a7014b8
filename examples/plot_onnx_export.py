"""
===================================================
Exporting to ONNX and predicting with onnxruntime
===================================================

A model is trained in Python and often deployed elsewhere: ONNX is the usual
format, and onnxruntime runs it without Python, scikit-learn or this package.
:func:`sklearn_losslab.onnx.to_onnx` converts a fitted
:class:`~sklearn_losslab.LogisticNet`, alone or inside a Pipeline, through
skl2onnx. This example trains a Pipeline on the digits, exports it, runs the
graph in onnxruntime and compares its predictions with the Pipeline's own.
It needs the ``onnx`` extra (``python -m pip install -e ".[onnx]"``).
"""

# %%
# Train
# -----
# A scaler and a network with one hidden layer of ReLU units, trained on three
# quarters of the digits; the graph will be checked on the other quarter.
import matplotlib.pyplot as plt
import numpy as np
import onnxruntime as ort
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_losslab import LogisticNet
from sklearn_losslab.onnx import to_onnx

X, y = load_digits(return_X_y=True)
X = X.astype(np.float32)
X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)
pipe = make_pipeline(
    StandardScaler(),
    LogisticNet((32,), activation="relu", batch_size=32, tol=1e-3, random_state=0),
)
pipe.fit(X_train, y_train)
print(f"test accuracy {pipe.score(X_test, y_test):.3f}")

# %%
# Export
# ------
# ``to_onnx`` needs the fitted model and a row of input, whose width and dtype
# fix the graph's input ``X``: float32 here, the usual type for onnxruntime.
# The result is an ``onnx.ModelProto``; ``SerializeToString()`` gives the bytes
# to write to a ``.onnx`` file.
onx = to_onnx(pipe, X_train[:1])
print("input:", [i.name for i in onx.graph.input])
print("outputs:", [o.name for o in onx.graph.output])
print("nodes:", [node.op_type for node in onx.graph.node])
print(f"{len(onx.SerializeToString()) / 1024:.1f} KiB")

# %%
# The scaler is a ``Scaler`` node; each layer of the network is a ``Gemm``
# node followed by its activation, and the output a ``Softmax``. The labels
# are the arg-max of the logits, looked up in ``classes_`` (``Gather``).
#
# Predict with onnxruntime
# ------------------------
session = ort.InferenceSession(
    onx.SerializeToString(), providers=["CPUExecutionProvider"]
)
label, proba = session.run(None, {"X": X_test})

print("labels equal to predict:", np.array_equal(label, pipe.predict(X_test)))
difference = np.abs(proba - pipe.predict_proba(X_test))
print(f"largest probability difference: {difference.max():.2g}")

# %%
# The labels are the same and the probabilities differ by float32 rounding.
# Each test row's largest difference, on a log scale:
fig, ax = plt.subplots(figsize=(6, 3))
ax.semilogy(np.sort(difference.max(axis=1)), ".", markersize=3)
ax.axhline(1e-5, color="k", linestyle="--", linewidth=1, label="tolerance of the tests")
ax.legend(loc="lower right")
ax.set_xlabel("test rows, sorted")
ax.set_ylabel("max |onnxruntime - predict_proba|")
ax.set_title("onnxruntime against predict_proba (float32 graph)")
fig.tight_layout()
plt.show()

# %%
# The confident rows, whose probabilities are all within rounding of 0 or 1,
# differ least (a row where both agree to the last bit has a difference of 0,
# left out of the log scale); elsewhere the difference is float32's rounding
# of a probability near 1, about ``6e-8``, or a few such roundings.
#
# With skl2onnx directly
# ----------------------
# skl2onnx converts a Pipeline with a LogisticNet step once the converter is
# registered (``to_onnx`` above did it). Called directly, skl2onnx returns the
# probabilities as one ``{label: probability}`` dict per row by default.
import skl2onnx

from sklearn_losslab.onnx import register

register()
onx = skl2onnx.to_onnx(pipe, X_train[:1])
session = ort.InferenceSession(
    onx.SerializeToString(), providers=["CPUExecutionProvider"]
)
label, proba = session.run(None, {"X": X_test[:2]})
print(label)
print({k: round(v, 3) for k, v in proba[0].items()})
