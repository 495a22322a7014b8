"""Learning-rate schedules.

The public path of :mod:`sklearn_losslab.training.schedules`, where the code lives.
"""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause

from .training import schedules as _module
from .training.schedules import *  # noqa: F403

__all__ = _module.__all__
__doc__ = _module.__doc__
