"""Export to ONNX.

The public path of :mod:`sklearn_losslab.io.onnx`, where the code lives.
"""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause

from .io import onnx as _module
from .io.onnx import *  # noqa: F403

__all__ = _module.__all__
__doc__ = _module.__doc__
