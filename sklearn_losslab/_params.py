"""The constraints of LogisticNet's parameters, as scikit-learn validates them."""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause

from numbers import Integral, Real

import numpy as np
from sklearn.metrics import get_scorer_names
from sklearn.utils._param_validation import Interval, Options, StrOptions

from .nn._init import INITS
from .nn.activations import ACTIVATIONS, OUTPUT_ACTIVATIONS
from .nn.losses import LOSSES, Loss
from .training.optimizers import OPTIMIZERS
from .training.schedules import SCHEDULES

__all__ = ["PARAMETER_CONSTRAINTS"]

PARAMETER_CONSTRAINTS = {
    "hidden_layer_sizes": [
        "array-like",
        Interval(Integral, 1, None, closed="left"),
    ],
    "activation": [StrOptions(set(ACTIVATIONS))],
    "loss": [StrOptions({*LOSSES, *LOSSES.aliases}), Loss],
    "output_activation": [StrOptions({"auto", *OUTPUT_ACTIVATIONS})],
    "init": [StrOptions(set(INITS))],
    "solver": [StrOptions(set(OPTIMIZERS))],
    "alpha": [Interval(Real, 0, None, closed="left")],
    "batch_size": [
        StrOptions({"auto"}),
        Interval(Integral, 1, None, closed="left"),
    ],
    "learning_rate": [StrOptions(set(SCHEDULES))],
    "learning_rate_init": [
        StrOptions({"auto"}),
        Interval(Real, 0, None, closed="neither"),
    ],
    "power_t": [Interval(Real, 0, None, closed="left")],
    "max_iter": [Interval(Integral, 1, None, closed="left")],
    "shuffle": ["boolean"],
    "random_state": ["random_state"],
    "tol": [Interval(Real, 0, None, closed="left")],
    "n_iter_no_change": [
        Interval(Integral, 1, None, closed="left"),
        Options(Real, {np.inf}),
    ],
    "verbose": ["verbose"],
    "warm_start": ["boolean"],
    "momentum": [Interval(Real, 0, 1, closed="both")],
    "beta_1": [Interval(Real, 0, 1, closed="left")],
    "beta_2": [Interval(Real, 0, 1, closed="left")],
    "epsilon": [Interval(Real, 0, None, closed="neither")],
    "early_stopping": ["boolean"],
    "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
    "scoring": [StrOptions({"loss"}), StrOptions(set(get_scorer_names()))],
    "class_weight": [StrOptions({"balanced"}), dict, None],
}
