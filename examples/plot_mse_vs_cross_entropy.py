"""
==========================================
MSE vs cross-entropy on handwritten digits
==========================================

The same network, 32 sigmoid hidden units and a softmax output, trained on the
digits data with the two losses of the study note. Cross-entropy's gradient
at the output is ``a - y``; the MSE gradient goes through the output
activation's Jacobian, whose diagonal ``sigma'(z) = a (1 - a)`` vanishes when
an output unit saturates, so MSE learns more slowly. Both runs record the same
measurements in ``history_``, so the two losses can be compared on common
ground: the cross-entropy and the accuracy, on training and validation data.
"""

# %%
# Train both networks with the same seed and settings
# ---------------------------------------------------
# A validation set passed to ``fit`` is monitored after every epoch and never
# trained on. ``tol=0`` runs all 40 epochs.
import warnings

import matplotlib.pyplot as plt
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from sklearn_losslab import DiagnosticsDisplay, LogisticNet, LossCurveDisplay

X, y = load_digits(return_X_y=True)
X_train, X_val, y_train, y_val = train_test_split(X, y, stratify=y, random_state=0)
scaler = StandardScaler().fit(X_train)
X_train, X_val = scaler.transform(X_train), scaler.transform(X_val)


def train(loss, **params):
    net = LogisticNet(
        (32,),
        activation="sigmoid",
        loss=loss,
        batch_size=32,
        max_iter=40,
        tol=0,
        random_state=0,
        **params,
    )
    with warnings.catch_warnings():
        # A fixed number of epochs, on purpose: only the iteration-limit
        # warning is expected. A SaturationWarning (a stuck fit) would show.
        warnings.filterwarnings(
            "ignore", "Stochastic Optimizer: Maximum iterations", ConvergenceWarning
        )
        return net.fit(X_train, y_train, X_val=X_val, y_val=y_val)


nets = {loss: train(loss) for loss in ["mse", "cross_entropy"]}
for loss, net in nets.items():
    print(
        f"{loss:>13}: validation accuracy {net.score(X_val, y_val):.3f}, "
        f"final training loss {net.loss_:.4f}"
    )

# %%
# Learning curves on common ground
# --------------------------------
# Each loss is measured on its own scale, so the curves of ``loss`` cannot be
# compared directly. But every run records the cross-entropy and the accuracy
# whichever loss it minimises: the network trained on cross-entropy reaches in
# a handful of epochs the accuracy the MSE network needs all 40 for. Dashed
# lines are the validation data.
histories = {loss: net.history_ for loss, net in nets.items()}
fig, (ax_ce, ax_acc) = plt.subplots(1, 2, figsize=(10, 4), layout="constrained")
LossCurveDisplay.from_history(histories, metric="cross_entropy", ax=ax_ce)
LossCurveDisplay.from_history(histories, metric="accuracy", ax=ax_acc)
ax_ce.set_title("Cross-entropy, whichever loss is trained")
ax_acc.set_title("Accuracy")
plt.show()

# %%
# Saturation and gradients
# ------------------------
# :class:`~sklearn_losslab.DiagnosticsDisplay` draws what ``history_`` records
# about the outputs and the gradients. The mean of ``a (1 - a)`` over the
# output units is the factor the MSE gradient is multiplied by. As a network
# becomes confident it falls and outputs saturate (``a (1 - a) < 0.01``): for
# a correct output that is harmless, for a wrong one it is the slowdown. The
# cross-entropy network gets there first, because its gradient, ``a - y``
# times the input, does not carry the factor at all; its gradient norms are
# larger throughout.
DiagnosticsDisplay.from_history(histories)
plt.show()

# %%
# A saturated start
# -----------------
# ``init='normal'`` draws weights and biases from N(0, 1), the classic large
# start: with 64 standardised inputs, hidden pre-activations have a standard
# deviation near 8, so over half of the hidden activations start saturated
# (``|z| > 4``), and so do many outputs, confidently right or confidently
# wrong. A larger step size (0.5) is used for both losses.
saturated = {
    loss: train(loss, init="normal", learning_rate_init=0.5)
    for loss in ["mse", "cross_entropy"]
}
for loss, net in saturated.items():
    first = net.history_.iloc[0]
    print(
        f"{loss:>13}: first epoch, {first['saturated_hidden_fraction']:.0%} of "
        f"hidden activations and {first['saturated_output_fraction']:.0%} of "
        f"outputs saturated; validation accuracy after 40 epochs "
        f"{net.score(X_val, y_val):.3f}"
    )

# %%
# From the saturated start the gap widens: the MSE network's confidently wrong
# outputs receive gradients scaled down by their small ``sigma'(z)``, and it
# ends far behind.
fig, axes = plt.subplots(1, 2, figsize=(10, 4), layout="constrained")
saturated_histories = {loss: net.history_ for loss, net in saturated.items()}
LossCurveDisplay.from_history(saturated_histories, metric="accuracy", ax=axes[0])
axes[0].set_title("Accuracy from a saturated start")
LossCurveDisplay.from_history(
    saturated_histories, metric="cross_entropy", ax=axes[1], validation=False
)
axes[1].set_title("Training cross-entropy")
plt.show()

# %%
# The diagnostics of the saturated start show the hidden layer's share of
# saturated activations staying high for both losses (dashed lines): the
# output loss does not change the hidden units' own ``sigma'``, which is one
# reason the study note suggests ReLU hidden units.
DiagnosticsDisplay.from_history(saturated_histories)
plt.show()
