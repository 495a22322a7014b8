"""Calibration of predicted probabilities: ECE, Brier score, temperature scaling.

The public path of :mod:`sklearn_losslab.lab._calibration` and
:mod:`sklearn_losslab.lab._temperature`, where the code lives; the same
functions :func:`~sklearn_losslab.compare_losses` reports with.
"""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause

from .lab._calibration import (
    ReliabilityCurve,
    brier_score,
    expected_calibration_error,
    reliability_curve,
)
from .lab._temperature import apply_temperature, fit_temperature, temperature_nll

__all__ = [
    "ReliabilityCurve",
    "apply_temperature",
    "brier_score",
    "expected_calibration_error",
    "fit_temperature",
    "reliability_curve",
    "temperature_nll",
]
