"""Train and compare neural-network classifiers under different loss functions."""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause

from . import losses as _losses  # noqa: F401  (the classes' public __module__)
from ._logistic_net import LogisticNet
from .exceptions import DivergenceError, InconsistentVersionWarning, SaturationWarning
from .io.streaming import fit_stream
from .lab._multi import DatasetsComparison, compare_datasets
from .lab.compare import LossComparison, compare_losses
from .lab.slowdown import SlowdownResult, slowdown
from .nn.losses import CrossEntropy, Loss, MeanSquaredError
from .viz._cd_diagram import CriticalDifferenceDisplay
from .viz.plotting import DiagnosticsDisplay, LossCurveDisplay

__version__ = "0.1.0.dev0"

__all__ = [
    "CriticalDifferenceDisplay",
    "CrossEntropy",
    "DatasetsComparison",
    "DiagnosticsDisplay",
    "DivergenceError",
    "InconsistentVersionWarning",
    "LogisticNet",
    "Loss",
    "LossComparison",
    "LossCurveDisplay",
    "MeanSquaredError",
    "SaturationWarning",
    "SlowdownResult",
    "__version__",
    "compare_datasets",
    "compare_losses",
    "fit_stream",
    "slowdown",
]
