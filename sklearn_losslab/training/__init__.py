"""The training loop as objects that know nothing of the estimator.

:mod:`._epoch` runs one epoch over the network kernels, :mod:`._record`
measures it, :mod:`._loop` runs the epochs with an optimizer
(:mod:`.optimizers`), a schedule (:mod:`.schedules`) and a stopping rule, and
:mod:`._history` records them. :mod:`._inputs` checks and encodes targets and
weights. Depends on :mod:`sklearn_losslab.nn` only.
"""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause
