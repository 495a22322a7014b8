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
from sklearn.exceptions import (
    InconsistentVersionWarning as _SklearnInconsistentVersionWarning,
)

__all__ = ["InconsistentVersionWarning", "VersionedStateMixin"]

_UNKNOWN = "unknown (saved before versions were recorded)"


class InconsistentVersionWarning(_SklearnInconsistentVersionWarning):
    """Warning raised when a model is loaded under another sklearn_losslab version.

    It subclasses scikit-learn's
    :class:`~sklearn.exceptions.InconsistentVersionWarning`, so a filter that
    turns scikit-learn's warning into an error (``warnings.simplefilter("error",
    sklearn.exceptions.InconsistentVersionWarning)``) catches this one too,
    and code that reads ``original_sklearn_version`` keeps working.

    Parameters
    ----------
    estimator_name : str
        Estimator name.

    current_version : str
        The sklearn_losslab version loading the model.

    original_version : str
        The sklearn_losslab version that saved the model.

    current_sklearn_version : str
        The scikit-learn version loading the model.

    original_sklearn_version : str
        The scikit-learn version the model was saved with.
    """

    def __init__(
        self,
        *,
        estimator_name,
        current_version,
        original_version,
        current_sklearn_version,
        original_sklearn_version,
    ):
        super().__init__(
            estimator_name=estimator_name,
            current_sklearn_version=current_sklearn_version,
            original_sklearn_version=original_sklearn_version,
        )
        self.current_version = current_version
        self.original_version = original_version

    def __str__(self):
        return (
            f"Trying to unpickle estimator {self.estimator_name} from "
            f"sklearn_losslab version {self.original_version} when using version "
            f"{self.current_version}. This might lead to breaking code or invalid "
            "results. Use at your own risk. Retrain the model, or load it under "
            "the version that saved it."
        )


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
