"""
=============================================
The focal loss on an imbalanced problem
=============================================

The focal loss of Lin et al. (2017) down-weights the samples the network
already gets right: for a true class predicted with probability ``p`` it is
``-(1 - p)^gamma ln p`` instead of the cross-entropy's ``-ln p``. With
``gamma = 0`` it is the cross-entropy. It is built in, as ``loss='focal'``
(``gamma=2``) or :class:`FocalLoss(gamma=...) <sklearn_losslab.losses.FocalLoss>`;
its gradient and the other losses are in :ref:`losses`. To write a loss that
is not built in, see :ref:`sphx_glr_auto_examples_plot_custom_loss.py`.
"""

# %%
# What gamma does
# ---------------
# The loss of one sample against the probability given to its true class.
# Well-classified samples (``p`` near 1) contribute almost nothing once
# ``gamma`` is above 1, so training concentrates on the hard ones.
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import balanced_accuracy_score, recall_score
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.preprocessing import StandardScaler

from sklearn_losslab import LogisticNet, LossCurveDisplay
from sklearn_losslab.losses import FocalLoss

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
# the many easy majority samples. ``loss='focal'`` trains with ``gamma=2``;
# ``history_`` records the focal loss as ``loss`` and the cross-entropy
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
    for name in ["cross_entropy", "focal"]:
        nets[name] = LogisticNet(
            (32,), loss=name, batch_size=64, max_iter=40, tol=0, random_state=0
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
# A loss is a parameter object, like an estimator: a grid search reaches its
# parameters as ``loss__<parameter>``. ``gamma=0`` is the cross-entropy.
search = GridSearchCV(
    LogisticNet((32,), loss=FocalLoss(), batch_size=64, max_iter=40, random_state=0),
    {"loss__gamma": [0.0, 1.0, 2.0, 5.0]},
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
for params, score, std in zip(
    search.cv_results_["params"],
    search.cv_results_["mean_test_score"],
    search.cv_results_["std_test_score"],
):
    print(f"gamma = {params['loss__gamma']}: balanced accuracy {score:.3f} ± {std:.3f}")
print("best:", search.best_params_)

# %%
# The grid search picks the highest mean of three folds, which is not a test:
# differences of the size of the spreads above can come from the folds alone.
# :func:`~sklearn_losslab.compare_losses` compares losses with the corrected
# resampled t-test (:ref:`sphx_glr_auto_examples_plot_loss_zoo.py`).
#
# The grid could mix names and instances as well, for example
# ``{"loss": ["cross_entropy", FocalLoss(gamma=1), FocalLoss(gamma=2)]}``.
