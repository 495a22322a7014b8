"""Activation functions, each written next to its derivative.

The public path of :mod:`sklearn_losslab.nn.activations`, where the code lives.
"""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause

from .nn import activations as _module
from .nn.activations import *  # noqa: F403

__all__ = _module.__all__
__doc__ = _module.__doc__
