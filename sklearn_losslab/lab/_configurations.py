"""The configurations of a comparison: their parameters, labels and scorers.

:func:`configurations` crosses the losses, the activations, the other
parameters and the label-noise rates into ``{label: params}``;
:func:`configuration_label` names one. Used by
:func:`~sklearn_losslab.compare_losses` and the streamed comparison.
"""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause

import itertools

from sklearn.pipeline import Pipeline

from .._logistic_net import LogisticNet
from ..nn.activations import ACTIVATIONS
from ..nn.losses import LOSSES, Loss

__all__ = [
    "check_scoring_names",
    "configuration_label",
    "configurations",
    "display_params",
    "find_logistic_net",
    "loss_name",
]

#: The key of the label-noise rate in a configuration's parameters; it is a
#: setting of the comparison, not a parameter of the estimator.
NOISE = "label_noise"


def find_logistic_net(estimator):
    """Return the LogisticNet of an estimator and its parameter prefix.

    Parameters
    ----------
    estimator : LogisticNet or Pipeline
        A LogisticNet, or a Pipeline (possibly nested) whose last step is one.

    Returns
    -------
    net : LogisticNet
        The LogisticNet itself (not a copy).

    prefix : str
        What to put before its parameter names in ``set_params``: ``''`` or
        for example ``'logisticnet__'``.
    """
    prefix, step = "", estimator
    while isinstance(step, Pipeline):
        name, step = step.steps[-1]
        prefix += f"{name}__"
    if not isinstance(step, LogisticNet):
        raise TypeError(
            "estimator must be a LogisticNet or a Pipeline whose last step is a "
            f"LogisticNet, got {type(estimator).__name__}"
            + (f" ending in {type(step).__name__}." if prefix else ".")
        )
    return step, prefix


def configurations(losses, activations, param_grid, base, prefix, noise_rates=()):
    """Return ``{label: params}`` for every combination, in the given order.

    With more than one ``noise_rates``, each combination is repeated at each
    rate, its params ending with ``label_noise``.
    """
    losses = [losses] if isinstance(losses, (str, Loss)) else list(losses)
    activations = [activations] if isinstance(activations, str) else list(activations)
    if not losses or not activations:
        raise ValueError("losses and activations must not be empty.")
    for loss in losses:
        known = isinstance(loss, Loss) or loss in LOSSES or loss in LOSSES.aliases
        if not known:
            raise ValueError(
                f"Unknown loss {loss!r}; expected one of {sorted(LOSSES)} (or "
                f"{', '.join(map(repr, LOSSES.aliases))}) or a Loss instance."
            )
    for activation in activations:
        if activation not in ACTIVATIONS:
            raise ValueError(
                f"Unknown activation {activation!r}; expected one of "
                f"{sorted(ACTIVATIONS)}."
            )
    grid = {"loss": losses, "activation": activations}
    valid = {k[len(prefix) :] for k in base.get_params() if k.startswith(prefix)}
    for key, values in (param_grid or {}).items():
        if key in grid or key not in valid:
            raise ValueError(
                f"param_grid key {key!r} is not a LogisticNet parameter other "
                "than loss and activation."
            )
        if isinstance(values, str) or not hasattr(values, "__iter__"):
            raise ValueError(f"param_grid[{key!r}] must be a sequence of values.")
        grid[key] = list(values)
    if len(noise_rates) > 1:
        grid[NOISE] = list(noise_rates)
    result = {}
    for combination in itertools.product(*grid.values()):
        params = dict(zip(grid, combination))
        label = configuration_label(params)
        if label in result:
            raise ValueError(f"The configuration {label!r} is given twice.")
        result[label] = params
    return result


def configuration_label(params):
    """The label of a configuration: ``'mse / relu / max_iter=10'``."""
    parts = [loss_name(params["loss"]), params["activation"]]
    parts += [f"{k}={v!r}" for k, v in list(params.items())[2:]]
    return " / ".join(parts)


def loss_name(loss):
    """The name of a loss given as a string or a Loss instance."""
    return loss.name if isinstance(loss, Loss) else loss


def display_params(params):
    """The parameters as the folds table shows them (a loss by its name)."""
    return {k: loss_name(v) if k == "loss" else v for k, v in params.items()}


def check_scoring_names(scoring):
    """Validate ``scoring``; return a list of names or a dict of scorers."""
    if isinstance(scoring, str):
        return [scoring]
    if isinstance(scoring, dict):
        if not scoring:
            raise ValueError("scoring must not be empty.")
        return dict(scoring)
    scoring = list(scoring)
    if not scoring or not all(isinstance(s, str) for s in scoring):
        raise ValueError("scoring must be a str, a non-empty list of str or a dict.")
    if len(set(scoring)) != len(scoring):
        raise ValueError(f"scoring has duplicated names: {scoring}.")
    return scoring
