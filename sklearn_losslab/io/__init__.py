"""Data and models in and out: file batches, ``fit_stream``, datasets, ONNX.

Public as :mod:`sklearn_losslab.streaming`, :func:`sklearn_losslab.fit_stream`
and :mod:`sklearn_losslab.onnx`.
"""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause
