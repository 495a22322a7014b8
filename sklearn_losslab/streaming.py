"""Training on data larger than memory, one batch at a time.

The public path of :mod:`sklearn_losslab.io.streaming`, where the code lives.
"""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause

from .io import streaming as _module
from .io.streaming import *  # noqa: F403

__all__ = _module.__all__
__doc__ = _module.__doc__
