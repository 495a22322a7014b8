"""Plots of a training run as scikit-learn Display objects.

The public path of :mod:`sklearn_losslab.viz.plotting`, where the code lives.
"""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause

from .viz import plotting as _module
from .viz._cd_diagram import CriticalDifferenceDisplay
from .viz._reliability import ReliabilityDisplay
from .viz.plotting import *  # noqa: F403

__all__ = [*_module.__all__, "CriticalDifferenceDisplay", "ReliabilityDisplay"]
__doc__ = _module.__doc__
