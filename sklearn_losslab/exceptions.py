"""The exceptions and warnings of sklearn_losslab."""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause

from sklearn.exceptions import ConvergenceWarning
from sklearn.exceptions import (
    InconsistentVersionWarning as _SklearnInconsistentVersionWarning,
)

__all__ = ["DivergenceError", "InconsistentVersionWarning", "SaturationWarning"]


class DivergenceError(ValueError, ArithmeticError):
    """Raised when training produces a non-finite loss or non-finite weights.

    The estimator keeps the weights of the last epoch that finished with
    finite values.
    """


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


class SaturationWarning(ConvergenceWarning):
    """Warning raised when a fit ends stuck rather than converged.

    Raised once by ``fit`` when its last epoch shows output units saturated on
    the wrong side, most hidden units dead or saturated, or a loss that has not
    moved since the second epoch with the accuracy of a constant model. Its
    message names what was measured and what to do. A subclass of
    :class:`~sklearn.exceptions.ConvergenceWarning`, so the filters that
    silence (or raise) that warning apply to this one too.
    """
