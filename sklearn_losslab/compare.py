"""Comparing losses and activations with cross-validation.

The public path of :mod:`sklearn_losslab.lab.compare`, where the code lives.
"""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause

from .lab import compare as _module
from .lab._multi import (
    DatasetsComparison,
    DatasetsVerdict,
    FriedmanResult,
    RankComparison,
    compare_datasets,
)
from .lab.compare import *  # noqa: F403

__all__ = [
    *_module.__all__,
    "DatasetsComparison",
    "DatasetsVerdict",
    "FriedmanResult",
    "RankComparison",
    "compare_datasets",
]
__doc__ = _module.__doc__
