"""Train and compare neural-network classifiers under different loss functions."""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause

from ._logistic_net import LogisticNet
from ._persistence import InconsistentVersionWarning
from ._training import DivergenceError
from .compare import LossComparison, compare_losses
from .losses import CrossEntropy, Loss, MeanSquaredError
from .plotting import DiagnosticsDisplay, LossCurveDisplay
from .slowdown import SlowdownResult, slowdown
from .streaming import fit_stream

__version__ = "0.1.0.dev0"

__all__ = [
    "CrossEntropy",
    "DiagnosticsDisplay",
    "DivergenceError",
    "InconsistentVersionWarning",
    "LogisticNet",
    "Loss",
    "LossComparison",
    "LossCurveDisplay",
    "MeanSquaredError",
    "SlowdownResult",
    "__version__",
    "compare_losses",
    "fit_stream",
    "slowdown",
]
