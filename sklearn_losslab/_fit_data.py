"""LogisticNet's checks of the training and validation data, and its monitor.

A mixin of :class:`~sklearn_losslab.LogisticNet`: scikit-learn's
``validate_data`` for ``X`` (which records ``n_features_in_`` and
``feature_names_in_``), then the targets, classes, output layer, sample and
class weights, checked and encoded with the functions of
:mod:`sklearn_losslab.training._inputs`. The validation data is monitored
after each epoch through the hook that :meth:`TrainingDataMixin._monitor`
gives the training loop.
"""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import column_or_1d, validate_data

from .nn import _kernels as net
from .training._inputs import (
    check_hidden_layer_sizes,
    check_no_text,
    check_penalty_scale,
    check_same_classes,
    check_sample_weight,
    class_weighted,
    encode_targets,
    labels_to_numpy,
    quiet_finiteness_check,
    sorted_classes,
)
from .training._record import OutputSums

__all__ = ["TrainingDataMixin", "Validation"]


class Validation:
    """A validation set, encoded for the network and raw for scorers."""

    def __init__(self, X, Y, sample_weight, X_raw, y_raw):
        self.X, self.Y, self.sample_weight = X, Y, sample_weight
        self.X_raw, self.y_raw = X_raw, y_raw


class TrainingDataMixin:
    """Validation of the data given to fit and partial_fit."""

    def _validate_training_data(self, X, y, sample_weight, reset, incremental):
        self._loss_object()._validate_params()
        y = labels_to_numpy(y)
        check_no_text(X)
        with quiet_finiteness_check():
            X, y = validate_data(
                self,
                X,
                y,
                accept_sparse=["csr", "csc"],
                multi_output=True,
                dtype=(np.float64, np.float32),
                reset=reset,
            )
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        check_classification_targets(y)
        multilabel = y.ndim == 2 and type_of_target(y) == "multilabel-indicator"
        if y.ndim == 2 and not multilabel:
            raise ValueError(
                "Multiclass-multioutput targets are not supported; y must be "
                "1-D class labels or a multilabel indicator matrix."
            )
        if reset:
            if not incremental:  # partial_fit set classes_ from `classes`
                self.classes_ = (
                    np.arange(y.shape[1]) if multilabel else sorted_classes(y)
                )
            self._multilabel = multilabel
            if not multilabel and len(self.classes_) < 2:
                raise ValueError(
                    "This solver needs samples of at least 2 classes in the data, "
                    f"but the data contains only one class: {self.classes_[0]!r}."
                )
            loss = self._loss_object()
            # 'auto' and the units depend on the loss (hinge: linear outputs).
            self.out_activation_ = loss.resolve_output(
                self.output_activation, len(self.classes_), multilabel
            )
            self.n_outputs_ = loss.n_outputs(
                len(self.classes_), multilabel, self.out_activation_
            )
        if incremental or not reset:
            check_same_classes(self, y, multilabel, subset=incremental)

        if sample_weight is not None:
            sample_weight = check_sample_weight(sample_weight, X, dtype=X.dtype)
        if not (incremental or multilabel) and sample_weight is not None:
            if len(np.unique(y[sample_weight > 0])) < 2:
                raise ValueError(
                    "This solver needs samples of at least 2 classes with a "
                    "positive sample_weight, but the weighted data contains only "
                    "one class."
                )
        if self.class_weight is not None:
            if multilabel:
                raise ValueError(
                    "class_weight is not supported for multilabel targets."
                )
            sample_weight = class_weighted(
                self.class_weight, self.classes_, y, sample_weight, incremental
            )
        if sample_weight is not None and self.alpha:
            check_penalty_scale(self.alpha, sample_weight)
        Y = encode_targets(y, self.classes_, self.n_outputs_, multilabel)
        hidden = check_hidden_layer_sizes(self.hidden_layer_sizes)
        layer_units = [X.shape[1], *hidden, self.n_outputs_]
        if reset:
            self.n_layers_ = len(layer_units)
        elif [c.shape[1] for c in self.coefs_] != layer_units[1:]:
            raise ValueError(
                f"hidden_layer_sizes={self.hidden_layer_sizes!r} does not match the "
                "fitted network; warm_start and partial_fit need the same "
                "architecture."
            )
        return X, y, Y, sample_weight, layer_units

    def _validation_set(self, X_val, y_val, dtype):
        if X_val is None or y_val is None:
            raise ValueError("X_val and y_val must be given together.")
        X_raw, y_raw = X_val, y_val
        check_no_text(X_val, "X_val")
        with quiet_finiteness_check():
            X = validate_data(
                self, X_val, accept_sparse=["csr", "csc"], reset=False, dtype=dtype
            )
        y = labels_to_numpy(y_val)
        y = column_or_1d(y) if np.ndim(y) == 1 or np.shape(y)[1] == 1 else np.asarray(y)
        if len(y) != X.shape[0]:
            raise ValueError(
                f"X_val and y_val have different numbers of samples: {X.shape[0]} "
                f"and {len(y)}."
            )
        check_same_classes(self, y, self._multilabel, subset=True)
        Y = encode_targets(y, self.classes_, self.n_outputs_, self._multilabel)
        return Validation(X, Y, None, X_raw, y_raw)

    def _monitor(self, validation, network, sync=None):
        """The loop's validation hook: the ``val_*`` values after an epoch.

        ``sync(progress)`` brings the fitted attributes up to date before a
        scorer predicts with the estimator.
        """
        loss = network.loss

        def monitor(progress=None):
            # As in training: the weights of a diverging fit overflow here too,
            # and the loop, not a RuntimeWarning, reports the divergence.
            with np.errstate(over="ignore", invalid="ignore"):
                acts, z = net.forward(
                    validation.X,
                    network.coefs,
                    network.intercepts,
                    network.hidden,
                    network.output,
                )
                sums = OutputSums().add(
                    validation.Y,
                    z,
                    acts[-1],
                    network.output.name,
                    loss,
                    validation.sample_weight,
                    self._multilabel,
                )
                val = sums.means()
            row = {
                "val_loss": sums.loss / sums.weight if sums.weight > 0 else np.nan,
                "val_cross_entropy": val["cross_entropy"],
                "val_mse": val["mse"],
                "val_accuracy": val["accuracy"],
            }
            if self.scoring == "loss":
                row["val_score"] = -row["val_loss"]
                return row
            from sklearn.metrics import check_scoring

            if sync is not None:
                sync(progress)
            scorer = check_scoring(self, scoring=self.scoring)
            kwargs = {}
            if validation.sample_weight is not None:
                kwargs["sample_weight"] = validation.sample_weight
            with np.errstate(all="ignore"):
                row["val_score"] = float(
                    scorer(self, validation.X_raw, validation.y_raw, **kwargs)
                )
            return row

        return monitor
