"""Gradient-descent optimizers.

The public path of :mod:`sklearn_losslab.training.optimizers`, where the code lives.
"""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause

from .training import optimizers as _module
from .training.optimizers import *  # noqa: F403

__all__ = _module.__all__
__doc__ = _module.__doc__
