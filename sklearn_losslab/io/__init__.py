"""Data in and out: batches read from files, ``fit_stream``, the CLI's datasets.

Public as :mod:`sklearn_losslab.streaming` and :func:`sklearn_losslab.fit_stream`.
"""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause
