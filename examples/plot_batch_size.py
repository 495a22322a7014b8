"""
==================================================
Mini-batch size: gradient noise and time per epoch
==================================================

The loss is an average over all the training data, and so is its gradient;
computing it exactly at every step takes a pass over the whole data set. A
mini-batch of ``B`` samples drawn at random gives an estimate of the gradient
at a fraction of the cost. This example measures the two sides of that trade:

- the noise of the mini-batch gradient, which falls like ``1 / sqrt(B)``;
- the time of an epoch, which falls as ``B`` grows because there are fewer,
  larger steps, until the per-step overhead no longer matters;

and what they mean for training: small batches take many noisy steps per
epoch, large batches few accurate ones.
"""

# %%
# Data and a partly trained model
# -------------------------------
# The digits data, standardised. The gradient noise is measured on a network
# without hidden layer (softmax regression), whose gradient is the study note's
# formula for every sample ``i``: ``x_i (a_i - y_i)``, with ``a_i`` from
# ``predict_proba`` and ``y_i`` one-hot. The model is trained for one epoch
# first, so the gradient is that of a typical training step.
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from sklearn_losslab import LogisticNet, LossCurveDisplay

X, y = load_digits(return_X_y=True)
X_train, X_val, y_train, y_val = train_test_split(X, y, stratify=y, random_state=0)
scaler = StandardScaler().fit(X_train)
X_train, X_val = scaler.transform(X_train), scaler.transform(X_val)
n = len(X_train)

softmax = LogisticNet(hidden_layer_sizes=(), random_state=0)
softmax.partial_fit(X_train, y_train, classes=np.unique(y))

# %%
# The noise of a mini-batch gradient
# ----------------------------------
# Each sample's gradient with respect to the weights and biases, stacked into
# one row per sample; the full gradient is their mean. For each batch size,
# 300 batches are drawn without replacement and compared with the full
# gradient. For batches drawn at random, the expected squared error is
# ``(n - B) / (n - 1) * tr(Sigma) / B``, ``Sigma`` being the covariance of the
# per-sample gradients: the measured points should lie on that curve.
residual = softmax.predict_proba(X_train) - np.eye(10)[y_train]
per_sample = np.hstack(
    [np.einsum("ij,ik->ijk", X_train, residual).reshape(n, -1), residual]
)
full = per_sample.mean(axis=0)
trace_sigma = ((per_sample - full) ** 2).sum(axis=1).mean()

rng = np.random.default_rng(0)
batch_sizes = np.array([1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024])
measured = []
for B in batch_sizes:
    errors = [
        np.linalg.norm(per_sample[rng.choice(n, B, replace=False)].mean(axis=0) - full)
        for _ in range(300)
    ]
    measured.append(np.sqrt(np.mean(np.square(errors))) / np.linalg.norm(full))
theory = np.sqrt((n - batch_sizes) / (n - 1) * trace_sigma / batch_sizes)
theory /= np.linalg.norm(full)

fig, ax = plt.subplots(figsize=(6, 4), layout="constrained")
ax.loglog(batch_sizes, measured, "o", label="measured (300 batches)")
ax.loglog(batch_sizes, theory, label="(n - B) / (n - 1) tr(Sigma) / B")
ax.set_xlabel("Batch size B")
ax.set_ylabel("RMS error of the batch gradient\n/ norm of the full gradient")
ax.set_title("Gradient noise")
ax.legend()
plt.show()
for B, noise in zip(batch_sizes, measured):
    print(f"B = {B:>4}: relative gradient error {noise:.2f}")

# %%
# With a batch of one sample the gradient estimate is several times larger than
# the gradient itself; a batch of 64 brings the error to about the size of the
# gradient, and only batches close to ``n`` are nearly exact.
#
# Time per epoch
# --------------
# A network with 32 ReLU hidden units trained for 15 epochs at each batch
# size; ``history_`` records the wall-clock time of every epoch. The numbers
# depend on the machine; they are measured with one BLAS thread, so that they
# show the cost of the steps and not the thread scheduling of a busy machine
# (on a network this small, BLAS threads cost more than they save).
timed = [1, 4, 16, 64, 256, n]
histories = {}
with threadpool_limits(limits=1, user_api="blas"), warnings.catch_warnings():
    # A fixed number of epochs, on purpose: only the iteration-limit
    # warning is expected. A SaturationWarning (a stuck fit) would show.
    warnings.filterwarnings(
        "ignore", "Stochastic Optimizer: Maximum iterations", ConvergenceWarning
    )
    for B in timed:
        net = LogisticNet(
            (32,),
            batch_size=B,
            learning_rate_init=0.05,
            max_iter=15,
            tol=0,
            random_state=0,
        )
        histories[f"B = {B}"] = net.fit(
            X_train, y_train, X_val=X_val, y_val=y_val
        ).history_

seconds = np.array([history["time_s"].median() for history in histories.values()])
steps = np.ceil(n / np.array(timed))
fig, ax = plt.subplots(figsize=(6, 4), layout="constrained")
ax.loglog(timed, seconds, "o-", label="measured")
ax.loglog(timed, seconds[0] * steps / steps[0], ":", label="proportional to n / B")
ax.set_xlabel("Batch size B")
ax.set_ylabel("Median time per epoch (s)")
ax.set_title("Time per epoch")
ax.legend()
plt.show()
for B, s, k in zip(timed, seconds, steps):
    print(f"B = {B:>4}: {k:>5.0f} steps, {1e3 * s:7.2f} ms per epoch")

# %%
# For small batches the time is proportional to the number of steps: each step
# costs a fixed overhead (a few Python calls and small matrix products) that
# does not depend on ``B``. Beyond a few hundred samples the arithmetic itself
# dominates and larger batches save little more.
#
# What it means for training
# --------------------------
# Per epoch, small batches make the most progress: many steps, each a noisy
# but useful estimate. With one sample per step the noise is large enough to
# make the validation accuracy wander. The full batch takes a single exact step
# per epoch and is the slowest to learn per epoch, and per second as well.
fig, (ax_epoch, ax_time) = plt.subplots(1, 2, figsize=(11, 4), layout="constrained")
LossCurveDisplay.from_history(
    histories, metric="accuracy", ax=ax_epoch, validation=False
)
ax_epoch.set_title("Training accuracy per epoch")
for label, history in histories.items():
    ax_time.plot(history["time_s"].cumsum(), history["val_accuracy"], label=label)
ax_time.set_xscale("log")
ax_time.set_xlabel("Time since the start (s, log scale)")
ax_time.set_ylabel("Validation accuracy")
ax_time.set_title("Validation accuracy against time")
ax_time.legend()
plt.show()
