"""Saving and loading estimators: the version that saved a model is recorded.

:class:`VersionedStateMixin` adds the versions of sklearn_losslab and
scikit-learn to the state that pickle, joblib and ``skops.io`` save, and warns
with :class:`InconsistentVersionWarning` when a model is loaded under another
version of sklearn_losslab. scikit-learn's ``BaseEstimator`` does the same for
its own estimators only, so the mixin cooperates with it through ``super()``.
"""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause

import warnings

import sklearn

from .exceptions import InconsistentVersionWarning

__all__ = ["VersionedStateMixin"]

_UNKNOWN = "unknown (saved before versions were recorded)"


class VersionedStateMixin:
    """Record package versions in the saved state; warn when loading under another.

    Put it before :class:`~sklearn.base.BaseEstimator` in the bases. The saved
    state gains ``_losslab_version`` and ``_sklearn_version``; both are removed
    again on loading, as scikit-learn does with its own version.
    """

    def __getstate__(self):
        from . import __version__

        state = super().__getstate__()
        return dict(
            state, _losslab_version=__version__, _sklearn_version=sklearn.__version__
        )

    def __setstate__(self, state):
        from . import __version__

        state = dict(state)
        original = state.pop("_losslab_version", _UNKNOWN)
        original_sklearn = state.pop("_sklearn_version", _UNKNOWN)
        if original != __version__:
            warnings.warn(
                InconsistentVersionWarning(
                    estimator_name=type(self).__name__,
                    current_version=__version__,
                    original_version=original,
                    current_sklearn_version=sklearn.__version__,
                    original_sklearn_version=original_sklearn,
                ),
                stacklevel=2,
            )
        super().__setstate__(state)
