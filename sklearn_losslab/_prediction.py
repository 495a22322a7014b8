"""LogisticNet's prediction methods: logits, labels and probabilities, exactly.

A mixin of :class:`~sklearn_losslab.LogisticNet`. The logits come from the
overflow-free forward pass of :mod:`.nn._predict`; labels, probabilities and
their logarithms are computed from them without ever overflowing.
"""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
from scipy.special import expit, log_expit, log_softmax, logsumexp
from sklearn.utils._available_if import available_if
from sklearn.utils.validation import assert_all_finite, check_is_fitted, validate_data

from .nn._predict import forward_logits, unscale
from .nn.activations import ACTIVATIONS, OUTPUT_ACTIVATIONS
from .training._inputs import (
    check_no_text,
    check_sample_weight,
    labels_to_numpy,
    quiet_finiteness_check,
)

__all__ = ["PredictionMixin"]


def _check_proba(self):
    """available_if's check: linear outputs give scores, not probabilities."""
    if hasattr(self, "out_activation_"):
        output = self.out_activation_
    elif self.output_activation != "auto":
        output = self.output_activation
    else:  # 'auto' is linear for the losses defined on linear outputs only
        try:
            output = self._loss_object().outputs[0]
        except Exception:  # an invalid loss: fit will say so
            return True
    if output == "identity":
        raise AttributeError(
            "probability estimates are not available with linear outputs "
            "(output_activation='identity', which 'auto' chooses for the hinge "
            "losses): the network outputs scores, not probabilities. Use "
            "decision_function, or a loss and output_activation defined on "
            "probabilities."
        )
    return True


class PredictionMixin:
    """decision_function, predict, predict_proba, predict_log_proba and score."""

    def _scaled_logits(self, X):
        """Validate ``X``; return the logits as ``(u, e)``, meaning ``u * 2**e``.

        Rows whose logits could overflow are computed with exact power-of-two
        scaling (see :mod:`.nn._predict`); the others have ``e = 0``.
        """
        check_is_fitted(self)
        check_no_text(X)
        with quiet_finiteness_check():
            X = validate_data(
                self,
                X,
                accept_sparse=["csr", "csc"],
                reset=False,
                dtype=self.coefs_[0].dtype,
            )
        return forward_logits(
            X,
            self.coefs_,
            self.intercepts_,
            ACTIVATIONS[self.activation],
            OUTPUT_ACTIVATIONS[self.out_activation_],
        )

    def decision_function(self, X):
        """Return the output pre-activations (logits) of the network.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            For a binary problem, the log-odds of ``classes_[1]`` (with
            linear outputs, the score of ``classes_[1]``: positive means
            ``classes_[1]``); otherwise one column per class (or label). A
            logit beyond the range of the floating-point type is returned as
            ``+-inf``; the predictions and probabilities are still computed
            exactly.
        """
        u, e = self._scaled_logits(X)
        if u.shape[1] == 1:
            return unscale(u[:, 0], e)
        if len(self.classes_) == 2 and not self._multilabel:
            return unscale(u[:, 1] - u[:, 0], e)
        return unscale(u, e[:, np.newaxis])

    def predict(self, X):
        """Predict class labels (or a multilabel indicator matrix).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_labels)
            The predicted classes.
        """
        # Each row of u is its logits times a positive power of two: the signs
        # and the arg-maxima are those of the logits, overflow or not.
        u, _ = self._scaled_logits(X)
        if self._multilabel:
            return (u > 0).astype(int)
        if u.shape[1] == 1:
            return self.classes_[(u[:, 0] > 0).astype(int)]
        return self.classes_[np.argmax(u, axis=1)]

    @available_if(_check_proba)
    def predict_log_proba(self, X):
        """Return the logarithm of the class probabilities, computed exactly.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            Log-probabilities, ordered as ``classes_``; computed from the logits
            with log-sigmoid / log-softmax, so they are finite at saturation,
            and never NaN, however large the input.

        Raises
        ------
        AttributeError
            With linear outputs (``out_activation_ == 'identity'``), which
            give scores and no probabilities.
        """
        return self._log_proba(*self._scaled_logits(X))

    def _log_proba(self, u, e):
        """Log-probabilities from the scaled logits ``u * 2**e``."""
        if self.out_activation_ == "softmax":
            if e.any():  # softmax needs only the logits' differences within a row
                u = unscale(u - u.max(axis=1, keepdims=True), e[:, np.newaxis])
            return log_softmax(u, axis=1)
        z = unscale(u, e[:, np.newaxis])
        if self._multilabel:
            return log_expit(z)
        if z.shape[1] == 1:
            return np.column_stack([log_expit(-z[:, 0]), log_expit(z[:, 0])])
        # Several sigmoid units for one label: normalise the probabilities.
        log_p = log_expit(z)
        lost = np.isneginf(log_p).all(axis=1)
        if lost.any():
            # Every unit's logit overflowed to -inf. As z -> -inf, expit(z) ~ exp(z),
            # so the normalised probabilities tend to the softmax of the logits.
            u_lost = u[lost]
            log_p[lost] = log_softmax(
                unscale(u_lost - u_lost.max(axis=1, keepdims=True), e[lost, None]),
                axis=1,
            )
        return log_p - logsumexp(log_p, axis=1, keepdims=True)

    @available_if(_check_proba)
    def predict_proba(self, X):
        """Return probability estimates.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Probabilities ordered as ``classes_``. With several sigmoid output
            units for single-label classes the unit outputs are normalised to
            sum to 1. For multilabel targets, the probability of each label.

        Raises
        ------
        AttributeError
            With linear outputs (``out_activation_ == 'identity'``), which
            give scores and no probabilities.
        """
        u, e = self._scaled_logits(X)
        normalised_units = self.out_activation_ == "sigmoid" and not (
            self._multilabel or u.shape[1] == 1
        )
        if normalised_units:  # the careful way, in logs
            return np.exp(self._log_proba(u, e))
        scaled = e != 0
        if not scaled.any():
            return self._proba(u)
        # Rows that needed rescaling take the log path; the others stay as if
        # they were alone.
        proba = np.empty((len(u), max(2, u.shape[1])), dtype=u.dtype)
        proba[scaled] = np.exp(self._log_proba(u[scaled], e[scaled]))
        proba[~scaled] = self._proba(u[~scaled])
        return proba

    def _proba(self, z):
        """Probabilities from logits ``z`` (softmax or independent sigmoids)."""
        if self.out_activation_ == "softmax":
            return OUTPUT_ACTIVATIONS["softmax"].forward(z, out=z)
        if self._multilabel:
            return expit(z, out=z)
        return np.column_stack([expit(-z[:, 0]), expit(z[:, 0])])

    def score(self, X, y, sample_weight=None):
        """Return the mean accuracy on the given test data and labels.

        In multi-label classification, this is the subset accuracy: each
        sample's label set must be predicted exactly.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Test samples.

        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            True labels for `X`; missing labels raise a ValueError.

        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights; checked as in :meth:`fit` (non-negative, finite,
            not all zero).

        Returns
        -------
        score : float
            Mean accuracy of ``self.predict(X)`` w.r.t. `y`.
        """
        y = labels_to_numpy(y)
        with quiet_finiteness_check():
            assert_all_finite(y, input_name="y")
        if sample_weight is not None:
            sample_weight = check_sample_weight(sample_weight, X)
        return super().score(X, y, sample_weight=sample_weight)
