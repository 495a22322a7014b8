"""
==================================
Adding a loss: Poly-1 and a hinge
==================================

``LogisticNet(loss=...)`` takes, besides the names of the nine built-in
losses, an instance of :class:`~sklearn_losslab.Loss`. This example adds two
losses that are *not* built in, hook by hook, as described in
:ref:`how_to_add_a_loss`:

- the Poly-1 loss of Leng et al. (2022), the cross-entropy plus
  ``epsilon (1 - p)`` for the probability ``p`` of the true class, on sigmoid
  or softmax outputs;
- the multiclass hinge of Weston & Watkins (1999), on linear outputs.
"""

# %%
# The minimum: ``loss`` and ``gradient``
# --------------------------------------
# A loss receives the one-hot targets ``y_true`` and the network's output
# ``y_prob``, one row per sample and one column per output unit, and the name
# of the output activation. ``loss`` returns the loss of each sample, summed
# over the units; ``gradient`` its derivative with respect to each output.
# For Poly-1, with ``p`` the probability the network gives to the true side
# (``a`` for a positive sigmoid unit, ``1 - a`` for a negative one; ``a_c``
# for a softmax),
#
# .. math:: \ell = -\ln p + \epsilon (1 - p), \qquad
#    \frac{\partial \ell}{\partial p} = -\frac{1}{p} - \epsilon .
#
# The parameter is a constructor argument stored under its own name, as in
# a scikit-learn estimator; ``_validate_params`` is called by ``fit``.
import warnings

import matplotlib.pyplot as plt
import numpy as np
from scipy.special import log_expit, log_softmax
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.preprocessing import StandardScaler

from sklearn_losslab import CrossEntropy, LogisticNet, Loss, compare_losses
from sklearn_losslab.activations import OUTPUT_ACTIVATIONS


class Poly1(Loss):
    """Poly-1 loss: cross-entropy plus ``epsilon * (1 - p)``."""

    name = "poly1"

    def __init__(self, epsilon=1.0):
        self.epsilon = epsilon

    def _validate_params(self):
        if not self.epsilon >= -1:
            raise ValueError(f"epsilon must be >= -1, got {self.epsilon!r}.")

    def loss(self, y_true, y_prob, output_activation):
        a = np.clip(y_prob, 1e-12, 1 - 1e-12)
        per_unit = y_true * (-np.log(a) + self.epsilon * (1 - a))
        if output_activation == "sigmoid":
            per_unit += (1 - y_true) * (-np.log1p(-a) + self.epsilon * a)
        return per_unit.sum(axis=1)

    def gradient(self, y_true, y_prob, output_activation):
        a = np.clip(y_prob, 1e-12, 1 - 1e-12)
        grad = y_true * (-1 / a - self.epsilon)
        if output_activation == "sigmoid":
            grad += (1 - y_true) * (1 / (1 - a) + self.epsilon)
        return grad


# %%
# Check the gradient before training
# ----------------------------------
# A wrong gradient raises no error; training just goes badly. Compare it with
# central finite differences of ``loss``, for both output activations.
def finite_differences(loss, y_true, y_prob, output, h=1e-6):
    numeric = np.empty_like(y_prob)
    for idx in np.ndindex(y_prob.shape):
        up, down = y_prob.copy(), y_prob.copy()
        up[idx] += h
        down[idx] -= h
        row = idx[0]
        numeric[idx] = (
            loss.loss(y_true, up, output)[row] - loss.loss(y_true, down, output)[row]
        ) / (2 * h)
    return numeric


rng = np.random.default_rng(0)
for output, y_true in [
    ("sigmoid", (rng.random((5, 3)) < 0.5).astype(float)),
    ("softmax", np.eye(3)[rng.integers(0, 3, 5)]),
]:
    y_prob = rng.uniform(0.05, 0.95, (5, 3))
    numeric = finite_differences(Poly1(), y_true, y_prob, output)
    error = np.abs(Poly1().gradient(y_true, y_prob, output) - numeric).max()
    print(f"{output}: largest gradient error {error:.1e}")

# %%
# That is all a loss needs: ``LogisticNet`` back-propagates ``gradient``
# through the output activation's Jacobian, records the loss in ``history_``
# and clones the loss with the estimator.
X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)
scaler = StandardScaler().fit(X_train)
X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)


def fit(loss, **params):
    net = LogisticNet(
        (32,), loss=loss, batch_size=32, max_iter=20, tol=0, random_state=0, **params
    )
    with warnings.catch_warnings():
        # A fixed number of epochs, on purpose: only the iteration-limit
        # warning is expected.
        warnings.filterwarnings(
            "ignore", "Stochastic Optimizer: Maximum iterations", ConvergenceWarning
        )
        return net.fit(X_train, y_train)


minimal = fit(Poly1(epsilon=1.0))
print(f"Poly-1 (minimal): test accuracy {minimal.score(X_test, y_test):.3f}")


# %%
# The exact forms: ``loss_from_logits``, ``loss_from_outputs``, ``delta``
# -----------------------------------------------------------------------
# The minimal loss clips the probabilities before the logarithm and pays for
# a product with the output Jacobian at every mini-batch. Three optional hooks
# do better. ``loss_from_logits`` computes the value from the pre-activations
# ``z`` with log-sigmoid and log-softmax, exactly and finitely even where
# ``a`` rounds to 0 or 1 (the reference objective uses it);
# ``loss_from_outputs`` gives the same value from ``z`` and the outputs of
# the forward pass (the per-epoch record uses it; by default it calls
# ``loss_from_logits``). ``delta`` writes the gradient with respect to ``z``,
# where back-propagation starts, into ``out``. For Poly-1 it is the
# cross-entropy's ``a - y`` weighted by ``1 + epsilon p``, for either output
# activation (``p`` per unit for sigmoid units, per sample for a softmax):
#
# .. math:: \frac{\partial \ell}{\partial z} = (1 + \epsilon p)(a - y).
#
# The subclass changes no formula, so it keeps the parent's ``loss`` and
# ``gradient``: a fast form sits next to the formula it speeds up.
class ExactPoly1(Poly1):
    """Poly-1 computed from the logits, with its delta in closed form."""

    @staticmethod
    def _log_p(y_true, z, output_activation):
        """Log-probability of the true side: per unit, or per sample."""
        if output_activation == "sigmoid":
            return log_expit((2 * y_true - 1) * z)
        return (y_true * log_softmax(z, axis=1)).sum(axis=1, keepdims=True)

    def loss_from_logits(self, y_true, z, output_activation):
        log_p = self._log_p(y_true, z, output_activation)
        return (-log_p + self.epsilon * -np.expm1(log_p)).sum(axis=1)

    def delta(self, y_true, z, y_prob, output, out):
        p = np.exp(self._log_p(y_true, z, output.name))
        np.subtract(y_prob, y_true, out=out)
        out *= 1 + self.epsilon * p
        return out


# %%
# Each hook must agree with the formula it replaces. Here the closed-form
# ``delta`` is compared with the generic one (``gradient`` times the output
# Jacobian, which ``Poly1`` uses), and the exact value with the clipped one.
z = rng.normal(scale=3, size=(6, 4))
for output, y_true in [
    ("sigmoid", (rng.random((6, 4)) < 0.5).astype(float)),
    ("softmax", np.eye(4)[rng.integers(0, 4, 6)]),
]:
    activation = OUTPUT_ACTIVATIONS[output]
    a = activation.forward(z)
    generic = Poly1().delta(y_true, z, a, activation, np.empty_like(z))
    exact = ExactPoly1().delta(y_true, z, a, activation, np.empty_like(z))
    value_gap = np.abs(
        ExactPoly1().loss_from_logits(y_true, z, output)
        - Poly1().loss(y_true, a, output)
    ).max()
    print(
        f"{output}: delta differs by {np.abs(generic - exact).max():.1e}, "
        f"value by {value_gap:.1e}"
    )

exact = fit(ExactPoly1(epsilon=1.0))
gap = max(np.abs(w1 - w2).max() for w1, w2 in zip(minimal.coefs_, exact.coefs_))
print(f"Poly-1 (exact hooks): test accuracy {exact.score(X_test, y_test):.3f}")
print(f"largest difference between the two networks' weights: {gap:.1e}")


# %%
# Fast forms are inherited only with their formula
# ------------------------------------------------
# Poly-1 is the cross-entropy plus a term, so it is tempting to subclass
# :class:`~sklearn_losslab.CrossEntropy`. That is safe: a subclass that
# overrides ``loss`` gets the generic ``loss_from_logits`` and
# ``loss_from_outputs`` (computed from its own ``loss``), and one that
# overrides ``gradient`` loses the parent's ``fused_outputs`` (the exact
# ``a - y`` shortcut) and its ``delta``. It never trains on the parent's
# shortcut by accident.
class Poly1FromCrossEntropy(CrossEntropy):
    name = "poly1"

    def __init__(self, epsilon=1.0):
        self.epsilon = epsilon

    loss = Poly1.loss
    gradient = Poly1.gradient


print("CrossEntropy.fused_outputs:", CrossEntropy.fused_outputs)
print("Poly1FromCrossEntropy.fused_outputs:", Poly1FromCrossEntropy.fused_outputs)
print(
    "loss_from_logits is the generic one:",
    Poly1FromCrossEntropy.loss_from_logits is Loss.loss_from_logits,
)

# %%
# Parameters in a grid search
# ---------------------------
# :class:`~sklearn_losslab.Loss` provides ``get_params`` and ``set_params``
# from the constructor's arguments, so a grid search reaches the loss's
# parameters as ``loss__<parameter>``, and ``cv_results_`` shows each loss by
# its ``repr``. ``epsilon=0`` is the cross-entropy.
search = GridSearchCV(
    LogisticNet((32,), loss=ExactPoly1(), batch_size=32, max_iter=10, random_state=0),
    {"loss__epsilon": [-1.0, 0.0, 1.0, 2.0]},
    cv=3,
)
with warnings.catch_warnings():
    warnings.filterwarnings(
        "ignore", "Stochastic Optimizer: Maximum iterations", ConvergenceWarning
    )
    search.fit(X_train, y_train)
for params, score, std in zip(
    search.cv_results_["params"],
    search.cv_results_["mean_test_score"],
    search.cv_results_["std_test_score"],
):
    print(f"epsilon = {params['loss__epsilon']:>4}: accuracy {score:.3f} ± {std:.3f}")


# %%
# The grid search only ranks means of three folds. To ask whether a new loss
# does better than a built-in one, give both to
# :func:`~sklearn_losslab.compare_losses`: it cross-validates them on the same
# folds and decides with the corrected resampled t-test (all nine built-in
# losses are compared in :ref:`sphx_glr_auto_examples_plot_loss_zoo.py`).
comparison = compare_losses(
    X,
    y,
    losses=["cross_entropy", ExactPoly1(epsilon=1.0)],
    activations=("relu",),
    random_state=0,
)
print(comparison.verdict)


# %%
# A loss on linear outputs
# ------------------------
# The multiclass hinge of Weston & Watkins sums the margin violations of
# every wrong class ``j`` against the true class ``c``, where the built-in
# ``'hinge'`` (Crammer & Singer) keeps only the largest:
#
# .. math:: \ell(y, z) = \sum_{j \ne c} \max(0, 1 + z_j - z_c).
#
# Its subgradient with respect to the scores is 1 at each violating ``j``
# and minus their number at ``c``. It is defined on the scores themselves,
# so ``outputs = ("identity",)``: then ``output_activation='auto'`` resolves
# to linear outputs, and any other choice is rejected. ``resolve_output``
# also rejects multilabel targets, which have no single true class; the
# default ``n_outputs`` gives one unit per class (two for a binary target,
# where the loss is the hinge of the difference of the two scores).
class WestonWatkinsHinge(Loss):
    """Multiclass hinge of Weston & Watkins (1999), on linear outputs."""

    name = "weston_watkins"
    outputs = ("identity",)

    def resolve_output(self, output_activation, n_classes, multilabel):
        if multilabel:
            raise ValueError("The Weston-Watkins hinge needs single-label targets.")
        return super().resolve_output(output_activation, n_classes, multilabel)

    @staticmethod
    def _margins(y_true, z):
        z_true = (y_true * z).sum(axis=1, keepdims=True)
        return (1 + z - z_true) * (1 - y_true)  # 0 at the true class

    def loss(self, y_true, y_prob, output_activation):
        # With linear outputs, the network's output y_prob is the scores z.
        return np.maximum(0, self._margins(y_true, y_prob)).sum(axis=1)

    def gradient(self, y_true, y_prob, output_activation):
        violated = (self._margins(y_true, y_prob) > 0).astype(float)
        return violated - y_true * violated.sum(axis=1, keepdims=True)


# %%
# A network trained on it predicts the class of the largest score, and has
# no ``predict_proba``: scores are not probabilities (wrap it in
# :class:`~sklearn.calibration.CalibratedClassifierCV` to get some).
nets = {
    "Weston-Watkins": fit(WestonWatkinsHinge()),
    "Crammer-Singer ('hinge')": fit("hinge"),
    "Poly-1": exact,
}
ww = nets["Weston-Watkins"]
print("output activation:", ww.out_activation_, "| has predict_proba:", end=" ")
print(hasattr(ww, "predict_proba"))
for label, net in nets.items():
    print(f"{label:>24}: test accuracy {net.score(X_test, y_test):.3f}")

# %%
# Learning curves
# ---------------
# Every run records the accuracy whatever loss it minimises, so the three
# losses can be followed on common ground.
fig, ax = plt.subplots(figsize=(6.5, 4), layout="constrained")
for label, net in nets.items():
    ax.plot(net.history_["epoch"], net.history_["train_accuracy"], label=label)
ax.set_xlabel("Epoch")
ax.set_ylabel("Training accuracy")
ax.set_ylim(0.8, 1.0)
ax.legend(title="Loss")
plt.show()

# %%
# References
# ----------
# - Z. Leng, M. Tan, C. Liu, E. D. Cubuk, X. Shi, S. Cheng and D. Anguelov,
#   "PolyLoss: A Polynomial Expansion Perspective of Classification Loss
#   Functions", ICLR 2022.
# - J. Weston and C. Watkins, "Support Vector Machines for Multi-Class
#   Pattern Recognition", ESANN 1999.
