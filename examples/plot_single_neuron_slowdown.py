"""
===================================
The single-neuron learning slowdown
===================================

One sigmoid neuron, one input ``x = 1``, one target ``y = 0``: the smallest
network that shows why mean squared error learns slowly from a bad start. With
``a = sigma(w x + b)`` the gradients of the two costs with respect to the
weight are

- MSE, ``J = 1/2 (a - y)^2``: ``dJ/dw = (a - y) sigma'(z) x``;
- cross-entropy, ``J = -[y ln a + (1 - y) ln(1 - a)]``: ``dJ/dw = (a - y) x``.

They differ by the factor ``sigma'(z) = a (1 - a)``, which is tiny when the
neuron is confidently wrong. The experiment is the one of Nielsen's "Neural
Networks and Deep Learning", chapter 3: step size 0.15, 300 epochs, from a
mild start (``w = 0.6, b = 0.9``) and a saturated one (``w = b = 2``).
"""

# %%
# Training one neuron, one epoch at a time
# ----------------------------------------
# ``LogisticNet(hidden_layer_sizes=())`` is a single layer of output units; a
# binary target gives one sigmoid unit. The first ``partial_fit`` call sets the
# starting weights, and each call is one gradient step on the one sample.
# ``alpha=0`` removes the L2 penalty so the costs are exactly the two above.
import matplotlib.pyplot as plt
import numpy as np

from sklearn_losslab import LogisticNet

X, y = [[1.0]], [0]
EPOCHS = 300


def train(loss, w, b):
    neuron = LogisticNet(
        hidden_layer_sizes=(),
        loss=loss,
        learning_rate_init=0.15,
        alpha=0.0,
        shuffle=False,
    )
    neuron.partial_fit(X, y, classes=[0, 1], coefs_init=[[[w]]], intercepts_init=[[b]])
    outputs = [neuron.predict_proba(X)[0, 1]]
    for _ in range(EPOCHS - 1):
        neuron.partial_fit(X, y)
        outputs.append(neuron.predict_proba(X)[0, 1])
    return neuron, np.array(outputs)


starts = {"w = 0.6, b = 0.9": (0.6, 0.9), "w = b = 2": (2.0, 2.0)}
runs = {
    (start, loss): train(loss, *weights)
    for start, weights in starts.items()
    for loss in ["mse", "cross_entropy"]
}
for (start, loss), (_, outputs) in runs.items():
    print(
        f"{start:>16}, {loss:>13}: output {outputs[0]:.3f} after one step, "
        f"{outputs[49]:.3f} after 50, {outputs[-1]:.3f} after {EPOCHS}"
    )

# %%
# The output per epoch
# --------------------
# From the mild start both losses bring the output towards 0 at once. From the
# saturated start (``a = 0.98``) the cross-entropy neuron learns just as fast,
# while the MSE neuron barely moves for over 100 epochs: it is as wrong as it
# can be, yet learns the slowest.
fig, axes = plt.subplots(1, 2, figsize=(10, 4), sharey=True, layout="constrained")
epochs = np.arange(1, EPOCHS + 1)
for ax, start in zip(axes, starts):
    for loss in ["mse", "cross_entropy"]:
        ax.plot(epochs, runs[start, loss][1], label=loss)
    ax.set_title(f"Start {start}")
    ax.set_xlabel("Epoch")
    ax.legend()
axes[0].set_ylabel("Output a after the epoch (target 0)")
plt.show()

# %%
# The factor that makes the difference
# ------------------------------------
# ``history_`` records, for every epoch, the mean of ``a (1 - a)`` over the
# output units (``mean_sigma_prime``) and the gradient norm of each layer
# (``grad_norm_0``, for the pair ``(dJ/dw, dJ/db)``). For the saturated start
# the MSE gradient is smaller than the cross-entropy gradient by exactly
# ``sigma'(z)`` at the same weights: 0.018 at the start, 56 times smaller.
saturated_mse = runs["w = b = 2", "mse"][0].history_
saturated_ce = runs["w = b = 2", "cross_entropy"][0].history_
a0 = 1 / (1 + np.exp(-4.0))
print(f"sigma'(z) at w = b = 2: {a0 * (1 - a0):.4f}")
print(
    "first-epoch gradient ratio MSE / cross-entropy: "
    f"{saturated_mse['grad_norm_0'].iloc[0] / saturated_ce['grad_norm_0'].iloc[0]:.4f}"
)

fig, (ax_sigma, ax_grad) = plt.subplots(1, 2, figsize=(10, 4), layout="constrained")
for loss, history in [("mse", saturated_mse), ("cross_entropy", saturated_ce)]:
    ax_sigma.plot(history["epoch"], history["mean_sigma_prime"], label=loss)
    ax_grad.plot(history["epoch"], history["grad_norm_0"], label=loss)
ax_sigma.set_title("sigma'(z) = a (1 - a), start w = b = 2")
ax_grad.set_title("Gradient norm of (w, b)")
ax_grad.set_yscale("log")
for ax in (ax_sigma, ax_grad):
    ax.set_xlabel("Epoch")
    ax.legend()
plt.show()

# %%
# The MSE neuron's gradient first grows as the output leaves the flat end of
# the sigmoid, which is why its curve of ``a`` above bends down late. The
# cross-entropy gradient, ``a - y``, is largest when the neuron is most wrong
# and shrinks as it learns: it learns fast exactly when it should.
