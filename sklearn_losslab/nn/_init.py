"""Weight initialisation.

Pure numpy. ``init='auto'`` asks each activation for its initialisation
family (:attr:`~sklearn_losslab.activations.Activation.init`): He for the
layers that feed ReLU-like units, Glorot for the others (the output layer
included).
"""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np

from .activations import ACTIVATIONS

__all__ = ["INITS", "init_params"]

INITS = (
    "auto",
    "glorot_uniform",
    "glorot_normal",
    "he_uniform",
    "he_normal",
    "normal",
)
"""The ``init`` option strings."""


def _layer_init(init, activation, is_output):
    """Resolve ``init='auto'`` for one layer from the activation's family."""
    if init != "auto":
        return init
    if not is_output and activation.init == "he":
        return "he_uniform"
    return "glorot_uniform"


def init_params(layer_units, *, init, activation, rng, dtype):
    """Draw initial weights and biases.

    Parameters
    ----------
    layer_units : list of int
        Units per layer, input and output included.

    init : str
        One of :data:`INITS`. 'auto' uses He initialisation for layers that
        feed units whose activation belongs to the He family (ReLU, leaky
        ReLU) and Glorot for the others (the output layer included). 'normal'
        draws weights and biases from N(0, 1); the other schemes start biases
        at zero.

    activation : activation object or str
        Hidden activation (or its name in
        :data:`~sklearn_losslab.activations.ACTIVATIONS`), used by 'auto'
        (its ``init`` attribute).

    rng : numpy.random.RandomState
        Source of randomness.

    dtype : numpy dtype
        dtype of the returned arrays.

    Returns
    -------
    coefs, intercepts : list of ndarray
    """
    if isinstance(activation, str):
        activation = ACTIVATIONS[activation]
    coefs, intercepts = [], []
    n_layers = len(layer_units) - 1
    for i in range(n_layers):
        fan_in, fan_out = layer_units[i], layer_units[i + 1]
        scheme = _layer_init(init, activation, is_output=i == n_layers - 1)
        shape = (fan_in, fan_out)
        bias = np.zeros(fan_out)
        if scheme == "normal":
            coef = rng.standard_normal(shape)
            bias = rng.standard_normal(fan_out)
        elif scheme == "glorot_uniform":
            bound = np.sqrt(6.0 / (fan_in + fan_out))
            coef = rng.uniform(-bound, bound, shape)
        elif scheme == "glorot_normal":
            coef = rng.normal(0.0, np.sqrt(2.0 / (fan_in + fan_out)), shape)
        elif scheme == "he_uniform":
            bound = np.sqrt(6.0 / fan_in)
            coef = rng.uniform(-bound, bound, shape)
        elif scheme == "he_normal":
            coef = rng.normal(0.0, np.sqrt(2.0 / fan_in), shape)
        else:
            raise ValueError(f"Unknown init {init!r}.")
        coefs.append(coef.astype(dtype))
        intercepts.append(bias.astype(dtype))
    return coefs, intercepts
