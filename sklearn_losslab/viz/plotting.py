"""Plots of a training run as scikit-learn Display objects.

:class:`~sklearn_losslab.LossCurveDisplay` draws the per-epoch training and
validation curves of the loss, the cross-entropy, the MSE or the accuracy;
:class:`~sklearn_losslab.DiagnosticsDisplay` draws output saturation, gradient
norms and hidden-unit health. Both read the ``history_`` DataFrame of
:class:`~sklearn_losslab.LogisticNet` and follow the Display API of
scikit-learn (:class:`~sklearn.metrics.RocCurveDisplay`): the constructor takes
the data, ``plot`` draws it and stores the matplotlib objects, and the
``from_estimator`` / ``from_history`` class methods do both. matplotlib is
imported only when something is drawn.
"""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause

from ._diagnostics import DiagnosticsDisplay
from ._loss_curves import METRICS, LossCurveDisplay

__all__ = ["METRICS", "DiagnosticsDisplay", "LossCurveDisplay"]
