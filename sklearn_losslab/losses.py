"""Loss functions: a value and a gradient with respect to the network output.

The public path of :mod:`sklearn_losslab.nn.losses`, where the code lives.
"""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause

from .nn import losses as _module
from .nn.losses import *  # noqa: F403

__all__ = _module.__all__
__doc__ = _module.__doc__
