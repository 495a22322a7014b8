"""Text, markdown and HTML reports of comparisons.

The public path of :mod:`sklearn_losslab.viz.report`, where the code lives.
"""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause

from .viz import report as _module
from .viz._multi_html import (
    datasets_comparison_figures,
    datasets_comparison_html,
    write_datasets_comparison,
)
from .viz._multi_report import datasets_comparison_report
from .viz.report import *  # noqa: F403

__all__ = [
    *_module.__all__,
    "datasets_comparison_figures",
    "datasets_comparison_html",
    "datasets_comparison_report",
    "write_datasets_comparison",
]
__doc__ = _module.__doc__
