"""
=============================
Adding a loss: the focal loss
=============================

``LogisticNet(loss=...)`` takes, besides the names of the built-in losses, an
instance of :class:`~sklearn_losslab.Loss`. A subclass implements two methods,
the loss of each sample and its gradient with respect to the network output;
the package does the rest (back-propagation through the output activation,
mini-batches, ``history_``, cloning for cross-validation).

The focal loss of Lin et al. (2017) down-weights the samples the network
already gets right: for a true class predicted with probability ``p`` it is
``-(1 - p)^gamma ln p`` instead of the cross-entropy's ``-ln p``. With
``gamma = 0`` it is the cross-entropy.
"""

# %%
# The loss
# --------
# With sigmoid output units each unit is a binary problem and contributes
# ``-[y (1 - a)^g ln a + (1 - y) a^g ln(1 - a)]``; with a softmax output only
# the true class's term ``-(1 - a)^g ln a`` remains. The gradient is the
# derivative of that expression with respect to ``a``. Probabilities are
# clipped away from 0 and 1 before the logarithm (the study note's small
# delta). The ``name`` appears in reports; ``fused_outputs`` stays empty, so
# the gradient is multiplied by the output activation's Jacobian.
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import balanced_accuracy_score, recall_score
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.preprocessing import StandardScaler

from sklearn_losslab import LogisticNet, Loss, LossCurveDisplay


class FocalLoss(Loss):
    """Focal loss; ``gamma=0`` is the cross-entropy."""

    name = "focal"

    def __init__(self, gamma=2.0):
        self.gamma = gamma

    def loss(self, y_true, y_prob, output_activation):
        a = np.clip(y_prob, 1e-12, 1 - 1e-12)
        g = self.gamma
        per_unit = y_true * (1 - a) ** g * np.log(a)
        if output_activation == "sigmoid":
            per_unit += (1 - y_true) * a**g * np.log1p(-a)
        return -per_unit.sum(axis=1)

    def gradient(self, y_true, y_prob, output_activation):
        a = np.clip(y_prob, 1e-12, 1 - 1e-12)
        g = self.gamma
        grad = y_true * (g * (1 - a) ** (g - 1) * np.log(a) - (1 - a) ** g / a)
        if output_activation == "sigmoid":
            grad += (1 - y_true) * (a**g / (1 - a) - g * a ** (g - 1) * np.log1p(-a))
        return grad


# %%
# Check the gradient before training
# ----------------------------------
# A wrong gradient trains silently badly, so compare it with central finite
# differences of the loss. The package's own tests run the same check through
# a whole network (``tests/test_custom_loss.py``).
rng = np.random.default_rng(0)
for output, y_true in [
    ("sigmoid", (rng.random((5, 3)) < 0.5).astype(float)),
    ("softmax", np.eye(3)[rng.integers(0, 3, 5)]),
]:
    y_prob = rng.uniform(0.05, 0.95, (5, 3))
    loss, h = FocalLoss(gamma=2), 1e-6
    numeric = np.empty_like(y_prob)
    for idx in np.ndindex(y_prob.shape):
        up, down = y_prob.copy(), y_prob.copy()
        up[idx] += h
        down[idx] -= h
        row = idx[0]
        numeric[idx] = (
            loss.loss(y_true, up, output)[row] - loss.loss(y_true, down, output)[row]
        ) / (2 * h)
    error = np.abs(loss.gradient(y_true, y_prob, output) - numeric).max()
    print(f"{output}: largest gradient error {error:.1e}")

# %%
# What gamma does
# ---------------
# The loss of one sample against the probability given to its true class.
# Well-classified samples (``p`` near 1) contribute almost nothing once
# ``gamma`` is above 1, so training concentrates on the hard ones.
p = np.linspace(0.01, 1, 200)[:, np.newaxis]
fig, ax = plt.subplots(figsize=(6, 4), layout="constrained")
for gamma in [0, 0.5, 1, 2, 5]:
    values = FocalLoss(gamma).loss(np.ones_like(p), p, "softmax")
    ax.plot(p[:, 0], values, label=f"gamma = {gamma}")
ax.set_xlabel("Probability of the true class")
ax.set_ylabel("Loss of the sample")
ax.set_ylim(0, 5)
ax.legend()
plt.show()

# %%
# Training with it
# ----------------
# An imbalanced problem, 90 % of one class: the cross-entropy is dominated by
# the many easy majority samples. The focal loss is passed as ``loss`` like a
# built-in one; ``history_`` records it as ``loss`` and the cross-entropy
# alongside, so both runs can be compared on the same scale.
X, y = make_classification(
    n_samples=3000,
    n_features=10,
    n_informative=5,
    weights=[0.9],
    class_sep=0.6,
    random_state=0,
)
X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)
scaler = StandardScaler().fit(X_train)
X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)

nets = {}
with warnings.catch_warnings():
    # A fixed number of epochs, on purpose: only the iteration-limit
    # warning is expected. A SaturationWarning (a stuck fit) would show.
    warnings.filterwarnings(
        "ignore", "Stochastic Optimizer: Maximum iterations", ConvergenceWarning
    )
    for name, loss in [("cross_entropy", "cross_entropy"), ("focal", FocalLoss(2))]:
        nets[name] = LogisticNet(
            (32,), loss=loss, batch_size=64, max_iter=40, tol=0, random_state=0
        ).fit(X_train, y_train, X_val=X_test, y_val=y_test)
for name, net in nets.items():
    predicted = net.predict(X_test)
    print(
        f"{name:>13}: minority-class recall {recall_score(y_test, predicted):.3f}, "
        f"balanced accuracy {balanced_accuracy_score(y_test, predicted):.3f}"
    )

LossCurveDisplay.from_history(
    {name: net.history_ for name, net in nets.items()}, metric="cross_entropy"
)
plt.show()

# %%
# The focal network ends with a higher cross-entropy: it does not push the
# easy samples' probabilities to 1. Whether that helps depends on the problem;
# like any other hyper-parameter, the choice can be left to cross-validation.
#
# In a grid search
# ----------------
# Loss instances are cloned (deep-copied) with the estimator, so they can be
# grid values next to the built-in names.
search = GridSearchCV(
    LogisticNet((32,), batch_size=64, max_iter=40, random_state=0),
    {"loss": ["cross_entropy", FocalLoss(gamma=1), FocalLoss(gamma=2)]},
    scoring="balanced_accuracy",
    cv=3,
)
with warnings.catch_warnings():
    # A fixed number of epochs, on purpose: only the iteration-limit
    # warning is expected. A SaturationWarning (a stuck fit) would show.
    warnings.filterwarnings(
        "ignore", "Stochastic Optimizer: Maximum iterations", ConvergenceWarning
    )
    search.fit(X_train, y_train)
for params, score in zip(
    search.cv_results_["params"], search.cv_results_["mean_test_score"]
):
    print(f"{params['loss']!r:>20}: balanced accuracy {score:.3f}")
print("best:", search.best_params_)
