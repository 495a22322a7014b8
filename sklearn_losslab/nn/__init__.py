"""The network's math, numpy only: activations, losses, initialisation, kernels.

Nothing here imports scikit-learn. The public modules are reached as
:mod:`sklearn_losslab.activations` and :mod:`sklearn_losslab.losses`.
"""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause
