"""
==========================================================
Why the loss, not the accuracy, is what training minimises
==========================================================

The accuracy is what we care about, so why not train on it? The study note's
answer: the accuracy changes in steps. Nudge a weight and, until some sample
crosses the decision boundary, the number of correct predictions does not
move at all; then it jumps. Its derivative is zero almost everywhere and
undefined at the jumps, so gradient descent gets no signal from it. The loss
changes continuously with every weight, and its gradient says which way to
go and how far.
"""

# %%
# A fitted logistic model on 100 samples
# --------------------------------------
# ``hidden_layer_sizes=()`` is a single sigmoid unit (logistic regression),
# so the prediction depends on two weights and a bias. Full-batch gradient
# descent with a large step is run to convergence: the minimum of the
# cross-entropy, the weights of an unpenalised
# :class:`~sklearn.linear_model.LogisticRegression`.
import copy

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_classification
from sklearn.metrics import log_loss

from sklearn_losslab import LogisticNet

X, y = make_classification(
    n_samples=100,
    n_features=2,
    n_informative=2,
    n_redundant=0,
    class_sep=0.7,
    random_state=3,
)
net = LogisticNet(
    hidden_layer_sizes=(),
    alpha=0.0,
    learning_rate_init=1.0,
    max_iter=2000,
    tol=1e-9,
    n_iter_no_change=20,
    random_state=0,
).fit(X, y)
w_fitted = net.coefs_[0][0, 0]
print(f"fitted w_0 = {w_fitted:.3f}, accuracy {net.score(X, y):.2f}")

# %%
# Accuracy and loss as functions of one weight
# --------------------------------------------
# Keep the other weight and the bias, move ``w_0`` and measure both on the
# training data.
probe = copy.deepcopy(net)


def measure(w):
    probe.coefs_[0][0, 0] = w
    proba = probe.predict_proba(X)
    return probe.score(X, y), log_loss(y, proba, labels=[0, 1])


weights = np.linspace(w_fitted - 3, w_fitted + 3, 1201)
accuracy, loss = np.array([measure(w) for w in weights]).T

fig, (ax_acc, ax_loss) = plt.subplots(
    2, 1, figsize=(7, 6), sharex=True, layout="constrained"
)
ax_acc.plot(weights, accuracy, drawstyle="steps-mid")
ax_acc.set_ylabel("Accuracy")
ax_acc.set_title("Accuracy: flat steps, then jumps")
ax_loss.plot(weights, loss, color="C1")
ax_loss.set_ylabel("Cross-entropy")
ax_loss.set_title("Loss: smooth, with a slope everywhere")
ax_loss.set_xlabel("w_0")
for ax in (ax_acc, ax_loss):
    ax.axvline(w_fitted, color="gray", linestyle=":")
plt.show()

# %%
# A small step
# ------------
# Start from a weight still far from the minimum, ``w_0 = 1.5`` below the
# fitted one, as during training, and move it by 0.001: the accuracy stays
# exactly the same (no sample changes side), while the loss changes by an
# amount proportional to the step. The finite difference matches the study
# note's derivative of the cross-entropy cost,
# ``dJ/dw = 1/n sum_x x (sigma(z) - y)``, which says how to move ``w_0``.
step = 1e-3
w_start = w_fitted - 1.5
acc_before, loss_before = measure(w_start)
acc_after, loss_after = measure(w_start + step)
print(f"accuracy: {acc_before:.2f} -> {acc_after:.2f}")
print(f"loss:     {loss_before:.6f} -> {loss_after:.6f}")

probe.coefs_[0][0, 0] = w_start + 0.5 * step
formula = np.mean(X[:, 0] * (probe.predict_proba(X)[:, 1] - y))
print(
    f"dJ/dw_0: finite difference {(loss_after - loss_before) / step:.5f}, "
    f"formula {formula:.5f}"
)

# %%
# The slopes along the whole range
# --------------------------------
# The accuracy's finite differences are zero except at isolated jumps, where
# they are huge: no direction to follow. The loss's derivative is the formula
# above, and gradient descent follows it down to the minimum, where it is zero:
# the fitted weight.
slope_acc = np.gradient(accuracy, weights)
slopes = []
for w in weights:
    probe.coefs_[0][0, 0] = w
    slopes.append(np.mean(X[:, 0] * (probe.predict_proba(X)[:, 1] - y)))

fig, (ax_acc, ax_loss) = plt.subplots(
    2, 1, figsize=(7, 5), sharex=True, layout="constrained"
)
ax_acc.plot(weights, slope_acc)
ax_acc.set_ylabel("d accuracy / d w_0")
ax_loss.plot(weights, slopes, color="C1")
ax_loss.axhline(0, color="gray", linewidth=0.8)
ax_loss.set_ylabel("dJ / d w_0")
ax_loss.set_xlabel("w_0")
for ax in (ax_acc, ax_loss):
    ax.axvline(w_fitted, color="gray", linestyle=":")
plt.show()
