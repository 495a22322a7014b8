"""The single-neuron learning slowdown: MSE against cross-entropy.

The study note's (and Nielsen's chapter 3) argument in one neuron: a sigmoid
unit with input 1 and target 0 starts from a large weight and bias, so its
output is near 1 and saturated. The MSE gradient carries ``sigma'(z) = a (1 -
a)``, nearly zero there, so MSE first barely moves; the cross-entropy gradient
is ``a - y`` and learns fastest when it is most wrong. :func:`slowdown` trains
that neuron with each loss, with the real :class:`~sklearn_losslab.LogisticNet`
(``hidden_layer_sizes=()``, one ``partial_fit`` per epoch), and records the
output, the cost, ``sigma'(z)`` and the gradient norm of every epoch.
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
        epochs), ``cost`` (the trained loss at ``a``), ``w``, ``b``,
        ``sigma_prime`` (``sigma'(z) = a (1 - a)``) and ``grad_norm`` (the
        norm of the gradient of the cost with respect to ``(w, b)`` at these
        weights, that is of the next step, as the estimator recorded it in
        ``history_["grad_norm_0"]``; NaN on the last row, after which no step
        was taken).

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

    def summary(self):
        """Return what each loss achieved, one row per loss (a DataFrame).

        Returns
        -------
        summary : pandas.DataFrame
            Indexed by loss: ``first_below_half`` (nullable integer, NA when
            the output never went below 0.5), ``start_output``,
            ``start_sigma_prime`` and ``start_grad_norm`` (before the first
            step), ``grad_vs_cross_entropy`` (``start_grad_norm`` divided by
            that of cross-entropy, NaN when cross-entropy was not trained),
            ``final_output`` and ``final_cost`` (after the last epoch).
        """
        start = self.history[self.history["epoch"] == 0].set_index("loss")
        last = self.history["epoch"].max()
        final = self.history[self.history["epoch"] == last].set_index("loss")
        losses = list(self.first_below_half)
        summary = pd.DataFrame(
            {
                "first_below_half": pd.array(
                    [self.first_below_half[loss] for loss in losses], dtype="Int64"
                ),
                "start_output": start.loc[losses, "output"].to_numpy(),
                "start_sigma_prime": start.loc[losses, "sigma_prime"].to_numpy(),
                "start_grad_norm": start.loc[losses, "grad_norm"].to_numpy(),
                "final_output": final.loc[losses, "output"].to_numpy(),
                "final_cost": final.loc[losses, "cost"].to_numpy(),
            },
            index=pd.Index(losses, name="loss"),
        )
        reference = (
            summary.loc["cross_entropy", "start_grad_norm"]
            if "cross_entropy" in summary.index
            else np.nan
        )
        summary.insert(
            4, "grad_vs_cross_entropy", summary["start_grad_norm"] / reference
        )
        return summary

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
            The figure holding ``axes``. One legend names the losses, under
            the panels (in the first axes when the figure given has no
            constrained layout).
        """
        import matplotlib.pyplot as plt
        from matplotlib.layout_engine import ConstrainedLayoutEngine

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
        ax_out.set(
            xlabel="Epoch",
            ylabel="output a = sigmoid(w x + b)",
            title="Output (target 0)",
            ylim=(0, 1),
        )
        ax_cost.set(
            xlabel="Epoch", ylabel="cost at a", title="Cost of the trained loss"
        )
        ax_cost.set_ylim(bottom=0)
        s = self.settings
        figure = ax_out.figure
        figure.suptitle(
            f"One sigmoid neuron: w = {s['w']:g}, b = {s['b']:g}, "
            f"learning rate = {s['learning_rate']:g}"
        )
        handles, labels = ax_out.get_legend_handles_labels()
        key = plt.Line2D([], [], color="grey", linestyle=":")
        handles.append(key)
        labels.append("first epoch with a < 0.5")
        # Under the panels, outside the data, when the layout makes room.
        if isinstance(figure.get_layout_engine(), ConstrainedLayoutEngine):
            figure.legend(
                handles, labels, loc="outside lower center", ncols=3, frameon=False
            )
        else:
            ax_out.legend(handles, labels, loc="best", fontsize="small")
        return figure

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
        ``history`` (output, cost, ``sigma'(z)`` and gradient norm per loss
        and epoch), ``first_below_half``
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
        # Row k of history_ holds the gradient of step k + 1, taken from the
        # weights of our row k; no step follows the last row.
        grad_norms = [*net.history_["grad_norm_0"].to_numpy(dtype=float), np.nan]
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
                    "sigma_prime": outputs * (1 - outputs),
                    "grad_norm": grad_norms,
                }
            )
        )
    settings = dict(w=w, b=b, learning_rate=learning_rate, epochs=epochs, x=x, y=0)
    history = pd.concat(frames, ignore_index=True)
    return SlowdownResult(history, first_below_half, estimators, settings)
