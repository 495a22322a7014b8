"""Display objects and reports: what a comparison looks like to a reader.

Public as :mod:`sklearn_losslab.plotting` and :mod:`sklearn_losslab.report`.
matplotlib is imported only when something is drawn.
"""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause
