"""The single-neuron learning slowdown: MSE against cross-entropy.

The study note's (and Nielsen's chapter 3) argument in one neuron: a sigmoid
unit with input 1 and target 0 starts from a large weight and bias, so its
output is near 1 and saturated. The MSE gradient carries ``sigma'(z) = a (1 -
a)``, nearly zero there, so MSE first barely moves; the cross-entropy gradient
is ``a - y`` and learns fastest when it is most wrong. :func:`slowdown` trains
that neuron with each loss, with the real :class:`~sklearn_losslab.LogisticNet`
(``hidden_layer_sizes=()``, one ``partial_fit`` per epoch), and records the
output and the cost of every epoch.
"""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause

from numbers import Integral, Real

import numpy as np
import pandas as pd
from scipy.special import expit

from .._logistic_net import LogisticNet
from ..nn.losses import LOSSES

__all__ = ["SlowdownResult", "slowdown"]


class SlowdownResult:
    """Result of :func:`slowdown`.

    Attributes
    ----------
    history : pandas.DataFrame
        One row per loss and epoch, ``epoch`` 0 being the start: ``loss``,
        ``epoch``, ``output`` (the neuron's output ``a`` after that many
        epochs), ``cost`` (the trained loss at ``a``), ``w`` and ``b``.

    first_below_half : dict of str to int or None
        Per loss, the first epoch whose output is below 0.5 (the neuron then
        predicts the target class 0), or None if it never is.

    estimators : dict of str to LogisticNet
        The trained single-neuron networks.

    settings : dict
        ``w``, ``b``, ``learning_rate``, ``epochs``, ``x`` and ``y``.
    """

    def __init__(self, history, first_below_half, estimators, settings):
        self.history = history
        self.first_below_half = first_below_half
        self.estimators = estimators
        self.settings = settings

    def outputs(self):
        """Return the outputs as a table of epochs by losses (a DataFrame)."""
        return self._table("output")

    def costs(self):
        """Return the costs as a table of epochs by losses (a DataFrame)."""
        return self._table("cost")

    def _table(self, values):
        table = self.history.pivot(index="epoch", columns="loss", values=values)
        return table[list(self.first_below_half)]

    def plot(self, *, axes=None):
        """Plot the output and the cost of each loss per epoch.

        Needs matplotlib (the ``plot`` extra).

        Parameters
        ----------
        axes : array-like of two matplotlib Axes, default=None
            Where to draw the outputs and the costs; None makes a new figure.

        Returns
        -------
        figure : matplotlib.figure.Figure
            The figure holding ``axes``.
        """
        import matplotlib.pyplot as plt

        if axes is None:
            _, axes = plt.subplots(1, 2, figsize=(10, 4), layout="constrained")
        ax_out, ax_cost = axes
        for loss, group in self.history.groupby("loss", sort=False):
            (line,) = ax_out.plot(group["epoch"], group["output"], label=loss)
            ax_cost.plot(group["epoch"], group["cost"], label=loss)
            epoch = self.first_below_half[loss]
            if epoch is not None:
                ax_out.axvline(epoch, color=line.get_color(), linestyle=":")
        ax_out.axhline(0.5, color="grey", linewidth=0.8)
        ax_out.set(xlabel="epoch", ylabel="output a", title="Output (target 0)")
        ax_cost.set(xlabel="epoch", ylabel="cost", title="Cost of the trained loss")
        s = self.settings
        ax_out.figure.suptitle(
            f"One sigmoid neuron: w = {s['w']:g}, b = {s['b']:g}, "
            f"learning rate = {s['learning_rate']:g}"
        )
        for ax in axes:
            ax.legend()
        return ax_out.figure

    def __repr__(self):
        reached = ", ".join(f"{k}: {v}" for k, v in self.first_below_half.items())
        return f"{type(self).__name__}(first epoch below 0.5 -> {reached})"


def slowdown(
    *,
    w=2.0,
    b=2.0,
    learning_rate=0.15,
    epochs=300,
    x=1.0,
    losses=("mse", "cross_entropy"),
):
    """Train one sigmoid neuron with each loss and record how fast it learns.

    The neuron computes ``a = sigmoid(w * x + b)`` and is trained by plain
    gradient descent on the single sample ``(x, 0)``: a
    :class:`~sklearn_losslab.LogisticNet` with ``hidden_layer_sizes=()``,
    started at ``(w, b)`` by ``coefs_init`` / ``intercepts_init`` and
    trained by one ``partial_fit`` call per epoch (``alpha=0``, constant
    learning rate). With the defaults the output starts at
    ``sigmoid(4) = 0.982``: MSE, whose gradient ``a * a (1 - a)`` (for the
    target 0) is tiny at saturation, takes far longer than cross-entropy,
    whose gradient is ``a``, to bring it below 0.5.

    Parameters
    ----------
    w, b : float, default=2.0
        The starting weight and bias.

    learning_rate : float, default=0.15
        The gradient-descent step (``learning_rate_init``).

    epochs : int, default=300
        Number of epochs (gradient steps) per loss.

    x : float, default=1.0
        The input. The target is always 0 (the class the neuron must learn
        to predict), as in the study note.

    losses : sequence of {'mse', 'cross_entropy'}, default=('mse', 'cross_entropy')
        The losses to train with.

    Returns
    -------
    result : SlowdownResult
        ``history`` (output and cost per loss and epoch), ``first_below_half``
        (per loss, the first epoch with output below 0.5, or None) and the
        trained ``estimators``.

    References
    ----------
    Nielsen, M. (2015). "Neural Networks and Deep Learning", chapter 3,
    "The cross-entropy cost function".

    Examples
    --------
    >>> from sklearn_losslab import slowdown
    >>> result = slowdown()
    >>> result.first_below_half
    {'mse': 232, 'cross_entropy': 17}
    >>> result.outputs().loc[[0, 100, 300]].round(3)
    loss     mse  cross_entropy
    epoch
    0      0.982          0.982
    100    0.964          0.041
    300    0.203          0.012
    """
    for name, value in (("w", w), ("b", b), ("x", x), ("learning_rate", learning_rate)):
        if isinstance(value, bool) or not isinstance(value, Real):
            raise TypeError(f"{name} must be a real number, got {value!r}.")
    if not learning_rate > 0:
        raise ValueError(f"learning_rate must be > 0, got {learning_rate!r}.")
    if isinstance(epochs, bool) or not isinstance(epochs, Integral) or epochs < 1:
        raise ValueError(f"epochs must be an integer >= 1, got {epochs!r}.")
    losses = [losses] if isinstance(losses, str) else list(losses)
    for loss in losses:
        if loss not in LOSSES:
            raise ValueError(
                f"Unknown loss {loss!r}; expected one of {sorted(LOSSES)}."
            )
        if "sigmoid" not in LOSSES[loss].outputs:
            raise ValueError(
                f"loss {loss!r} is not defined on the experiment's sigmoid output unit."
            )

    X, target = np.array([[float(x)]]), np.array([0])
    one_hot = np.zeros((1, 1))
    frames, first_below_half, estimators = [], {}, {}
    for loss in losses:
        net = LogisticNet(
            hidden_layer_sizes=(),
            loss=loss,
            solver="sgd",
            learning_rate="constant",
            learning_rate_init=learning_rate,
            alpha=0.0,
            batch_size=1,
            shuffle=False,
        )
        weights, biases = [float(w)], [float(b)]
        outputs = [float(expit(w * x + b))]
        for epoch in range(epochs):
            if epoch == 0:
                net.partial_fit(
                    X,
                    target,
                    classes=[0, 1],
                    coefs_init=[np.array([[float(w)]])],
                    intercepts_init=[np.array([float(b)])],
                )
            else:
                net.partial_fit(X, target)
            outputs.append(float(net.predict_proba(X)[0, 1]))
            weights.append(float(net.coefs_[0][0, 0]))
            biases.append(float(net.intercepts_[0][0]))
        outputs = np.asarray(outputs)
        costs = [
            LOSSES[loss].value(one_hot, [[a]], output_activation="sigmoid")
            for a in outputs
        ]
        below = np.flatnonzero(outputs < 0.5)
        first_below_half[loss] = int(below[0]) if below.size else None
        estimators[loss] = net
        frames.append(
            pd.DataFrame(
                {
                    "loss": loss,
                    "epoch": np.arange(epochs + 1),
                    "output": outputs,
                    "cost": costs,
                    "w": weights,
                    "b": biases,
                }
            )
        )
    settings = dict(w=w, b=b, learning_rate=learning_rate, epochs=epochs, x=x, y=0)
    history = pd.concat(frames, ignore_index=True)
    return SlowdownResult(history, first_below_half, estimators, settings)
