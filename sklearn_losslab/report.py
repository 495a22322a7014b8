"""Text, markdown and HTML reports of comparisons.

The public path of :mod:`sklearn_losslab.viz.report`, where the code lives.
"""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause

from .viz import report as _module
from .viz.report import *  # noqa: F403

__all__ = _module.__all__
__doc__ = _module.__doc__
