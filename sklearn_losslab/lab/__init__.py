"""The loss lab: cross-validated comparisons, their statistics, the slowdown demo.

Public as :func:`sklearn_losslab.compare_losses`, :mod:`sklearn_losslab.compare`
and :func:`sklearn_losslab.slowdown`.
"""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause
