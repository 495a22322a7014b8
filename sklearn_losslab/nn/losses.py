"""Loss functions: a value and a gradient with respect to the network output.

A loss is an instance of :class:`Loss`. It exposes, per sample,

- ``loss(y_true, y_prob, output_activation)``: the loss of each sample, summed
  over the output units;
- ``gradient(y_true, y_prob, output_activation)``: its gradient with respect to
  the network output ``y_prob`` (the activations of the output layer);
- ``loss_from_logits(y_true, z, output_activation)``: the same loss computed
  from the output pre-activations ``z``, so a loss can be exact at saturation
  (cross-entropy uses log-sigmoid and log-softmax there and never takes
  ``log(0)``); the reference objective uses this one;
- ``loss_from_outputs(y_true, z, y_prob, output_activation)``: the same value
  again, from the logits *and* the outputs the forward pass already has. The
  training loop's per-epoch record uses this one; a loss may override it with
  a faster exact form (cross-entropy needs one logarithm and no exponential);
- ``delta(y_true, z, y_prob, output, out)``: the gradient with respect to the
  output pre-activations, written into ``out``: what back-propagation starts
  from.

The default ``delta`` multiplies ``gradient`` by the Jacobian of the output
activation. For a loss whose ``fused_outputs`` names the output activation,
that product is exactly ``y_prob - y_true`` and is used directly: the
cross-entropy shortcut of the study note, valid only for its matched outputs.

A fast form is inherited only together with the formula it speeds up: a
subclass that overrides ``loss`` (or ``loss_from_logits``) without overriding
the faster forms gets the generic ones, computed from its own formula, and one
that overrides ``gradient`` loses the inherited ``fused_outputs`` shortcut.
So ``class MyLoss(CrossEntropy)`` with a new ``loss`` can never train on the
parent's shortcut by accident, while a subclass that changes nothing in the
math keeps every fast path.

Losses are parameter objects in scikit-learn's style: ``get_params`` and
``set_params`` return and set their constructor arguments, so
:func:`sklearn.base.clone` copies them and a grid search reaches them as
``loss__<parameter>``.

The built-in losses are in the registry :data:`LOSSES`, keyed by the option
string of :class:`~sklearn_losslab.LogisticNet`'s ``loss`` parameter.
"""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause

import functools
import inspect

import numpy as np

from .activations import OUTPUT_ACTIVATIONS

__all__ = ["LOSSES", "CrossEntropy", "Loss", "MeanSquaredError"]


_VALUE_METHODS = ("loss", "loss_from_logits", "loss_from_outputs")


def _default_output(y_prob):
    return "sigmoid" if y_prob.shape[1] == 1 else "softmax"


def _as_2d(a):
    a = np.asarray(a)
    return a.reshape(-1, 1) if a.ndim == 1 else a


class Loss:
    """Base class for the losses :class:`~sklearn_losslab.LogisticNet` trains on.

    Subclass it and implement :meth:`loss` and :meth:`gradient` to add a loss
    without editing the package; pass an instance as
    ``LogisticNet(loss=MyLoss())``. Both methods receive the one-hot (or
    multilabel indicator) targets ``y_true`` and the network output ``y_prob``,
    each of shape ``(n_samples, n_outputs)``, and the name of the output
    activation (``'sigmoid'`` or ``'softmax'``).

    Attributes
    ----------
    name : str
        A short name, used in reports.

    fused_outputs : tuple of str
        Output activations for which the gradient with respect to the output
        pre-activations is exactly ``y_prob - y_true``. Leave it empty unless
        that identity holds; it is checked by the package's tests for the
        built-in losses.
    """

    name = "loss"
    fused_outputs = ()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        own = vars(cls)
        # A fast form is inherited only together with the formula it speeds up.
        if "loss" in own or "loss_from_logits" in own:
            if "loss_from_outputs" not in own:
                cls.loss_from_outputs = Loss.loss_from_outputs
        if "loss" in own and "loss_from_logits" not in own:
            cls.loss_from_logits = Loss.loss_from_logits
        if "gradient" in own:
            if "fused_outputs" not in own:
                cls.fused_outputs = ()
            if "delta" not in own:
                cls.delta = Loss.delta

    def loss(self, y_true, y_prob, output_activation):
        """Return the loss of each sample, summed over the output units.

        Parameters
        ----------
        y_true : ndarray of shape (n_samples, n_outputs)
            One-hot encoded targets (or a multilabel indicator matrix).

        y_prob : ndarray of shape (n_samples, n_outputs)
            Output of the network.

        output_activation : {'sigmoid', 'softmax'}
            Activation of the output layer that produced ``y_prob``.

        Returns
        -------
        loss : ndarray of shape (n_samples,)
        """
        raise NotImplementedError

    def gradient(self, y_true, y_prob, output_activation):
        """Return the gradient of :meth:`loss` with respect to ``y_prob``.

        Parameters
        ----------
        y_true : ndarray of shape (n_samples, n_outputs)
            One-hot encoded targets (or a multilabel indicator matrix).

        y_prob : ndarray of shape (n_samples, n_outputs)
            Output of the network.

        output_activation : {'sigmoid', 'softmax'}
            Activation of the output layer that produced ``y_prob``.

        Returns
        -------
        gradient : ndarray of shape (n_samples, n_outputs)
            Row ``i`` is the derivative of the loss of sample ``i``.
        """
        raise NotImplementedError

    def loss_from_logits(self, y_true, z, output_activation):
        """Return :meth:`loss` computed from the output pre-activations ``z``.

        The default applies the output activation and calls :meth:`loss`;
        override it where a more exact formula exists.

        Parameters
        ----------
        y_true : ndarray of shape (n_samples, n_outputs)
            One-hot encoded targets (or a multilabel indicator matrix).

        z : ndarray of shape (n_samples, n_outputs)
            Pre-activations of the output layer.

        output_activation : {'sigmoid', 'softmax'}
            Activation of the output layer.

        Returns
        -------
        loss : ndarray of shape (n_samples,)
        """
        y_prob = OUTPUT_ACTIVATIONS[output_activation].forward(z)
        return self.loss(y_true, y_prob, output_activation)

    def loss_from_outputs(self, y_true, z, y_prob, output_activation):
        """Return :meth:`loss` from the logits ``z`` and the outputs ``y_prob``.

        The training loop's record calls this with what the forward pass
        already computed. The default is :meth:`loss_from_logits`; override
        it where the outputs make an exact value cheaper.

        Parameters
        ----------
        y_true : ndarray of shape (n_samples, n_outputs)
            One-hot encoded targets (or a multilabel indicator matrix).

        z : ndarray of shape (n_samples, n_outputs)
            Pre-activations of the output layer.

        y_prob : ndarray of shape (n_samples, n_outputs)
            The output activation of ``z``.

        output_activation : {'sigmoid', 'softmax'}
            Activation of the output layer.

        Returns
        -------
        loss : ndarray of shape (n_samples,)
        """
        return self.loss_from_logits(y_true, z, output_activation)

    def delta(self, y_true, z, y_prob, output, out):
        """Write the gradient of :meth:`loss` w.r.t. the pre-activations into ``out``.

        The default is the chain rule, ``output.vjp(y_prob, gradient)``, or
        exactly ``y_prob - y_true`` when ``output.name`` is in
        :attr:`fused_outputs`.

        Parameters
        ----------
        y_true : ndarray of shape (n_samples, n_outputs)
            One-hot encoded targets (or a multilabel indicator matrix), as
            floats.

        z : ndarray of shape (n_samples, n_outputs)
            Pre-activations of the output layer.

        y_prob : ndarray of shape (n_samples, n_outputs)
            The output activation of ``z``.

        output : activation object
            The output activation (from
            :data:`~sklearn_losslab.activations.OUTPUT_ACTIVATIONS`).

        out : ndarray of shape (n_samples, n_outputs)
            Where the gradient is written.

        Returns
        -------
        out : ndarray of shape (n_samples, n_outputs)
        """
        if output.name in self.fused_outputs:
            return np.subtract(y_prob, y_true, out=out)
        out[...] = output.vjp(y_prob, self.gradient(y_true, y_prob, output.name))
        return out

    def value_key(self):
        """Return a hashable that two losses share when their values agree.

        The per-epoch record computes the values of the training loss and of
        the reference metrics (cross-entropy and MSE) once per distinct key:
        the most derived class that defines a value method, and the
        parameters that enter the value (:meth:`get_params` by default).

        Returns
        -------
        key : tuple
        """
        owner = next(
            c for c in type(self).__mro__ if set(vars(c)) & set(_VALUE_METHODS)
        )
        params = tuple(sorted(self._value_params().items(), key=lambda kv: kv[0]))
        return (owner, params)

    def _value_params(self):
        return self.get_params()

    @classmethod
    @functools.cache
    def _param_names(cls):
        init = cls.__init__
        if init is object.__init__:
            return []
        params = inspect.signature(init).parameters.values()
        return sorted(
            p.name
            for p in params
            if p.name != "self" and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
        )

    def get_params(self, deep=True):
        """Get the parameters of this loss (its constructor arguments).

        Parameters
        ----------
        deep : bool, default=True
            Unused; losses hold no nested objects. Present for scikit-learn's
            :func:`~sklearn.base.clone`.

        Returns
        -------
        params : dict
            Parameter names mapped to their values.
        """
        return {name: getattr(self, name) for name in self._param_names()}

    def set_params(self, **params):
        """Set the parameters of this loss.

        Parameters
        ----------
        **params : dict
            Loss parameters.

        Returns
        -------
        self : Loss
            This loss.
        """
        valid = self._param_names()
        for name, value in params.items():
            if name not in valid:
                raise ValueError(
                    f"Invalid parameter {name!r} for loss {self!r}. Valid "
                    f"parameters are: {valid!r}."
                )
            setattr(self, name, value)
        return self

    def value(self, y_true, y_prob, *, output_activation=None, sample_weight=None):
        """Return the (weighted) mean of :meth:`loss` over the samples.

        Parameters
        ----------
        y_true : array-like of shape (n_samples, n_outputs) or (n_samples,)
            One-hot encoded targets; a 1-D array is one output unit.

        y_prob : array-like of shape (n_samples, n_outputs) or (n_samples,)
            Network output; a 1-D array is one output unit.

        output_activation : {'sigmoid', 'softmax'}, default=None
            Activation of the output layer. None means ``'sigmoid'`` for one
            output unit and ``'softmax'`` for several.

        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        value : float
        """
        y_true, y_prob = _as_2d(y_true), _as_2d(y_prob)
        if output_activation is None:
            output_activation = _default_output(y_prob)
        per_sample = self.loss(y_true, y_prob, output_activation)
        return float(np.average(per_sample, weights=sample_weight))

    def __repr__(self):
        params = inspect.signature(type(self).__init__).parameters
        args = ", ".join(
            f"{name}={getattr(self, name)!r}"
            for name in params
            if name != "self" and hasattr(self, name)
        )
        return f"{type(self).__name__}({args})"


def _row_dot(A, B):
    """Row-wise dot products of two (n, k) arrays."""
    if A.shape[1] == 1:
        return A[:, 0] * B[:, 0]
    return np.einsum("ij,ij->i", A, B)


def _row_sum(A):
    """Row sums of an (n, k) array (a matrix-vector product for k > 1)."""
    if A.shape[1] == 1:
        return A[:, 0]
    return A @ np.ones(A.shape[1], A.dtype)


class MeanSquaredError(Loss):
    r"""Half the squared error, summed over output units: the study note's MSE.

    .. math::
        \ell(y, a) = \frac{1}{2} \sum_k (a_k - y_k)^2, \qquad
        \frac{\partial \ell}{\partial a_k} = a_k - y_k

    Averaged over ``n`` samples this is :math:`J = \frac{1}{2n}\sum (a - y)^2`.
    Through a sigmoid output the gradient with respect to the pre-activation
    carries the factor :math:`\sigma'(z) = a (1 - a)`, which vanishes when the
    unit saturates: the learning slowdown.
    """

    name = "mse"

    def loss(self, y_true, y_prob, output_activation):
        diff = y_prob - y_true
        return 0.5 * np.einsum("ij,ij->i", diff, diff)

    def gradient(self, y_true, y_prob, output_activation):
        return y_prob - y_true

    def loss_from_outputs(self, y_true, z, y_prob, output_activation):
        diff = y_prob - y_true
        return 0.5 * _row_dot(diff, diff)


class CrossEntropy(Loss):
    r"""Cross-entropy: binary for sigmoid outputs, categorical for softmax.

    With sigmoid output units (summed over units),

    .. math:: \ell(y, a) = -\sum_k [y_k \ln a_k + (1 - y_k) \ln(1 - a_k)],

    and with a softmax output, :math:`\ell(y, a) = -\sum_k y_k \ln a_k`.
    For either matched output the gradient with respect to the pre-activations
    is :math:`a - y` (``fused_outputs``).

    Parameters
    ----------
    eps : float or 'auto', default='auto'
        The small delta of the study note: probabilities are clipped to
        ``[eps, 1 - eps]`` before the logarithm in :meth:`loss` and
        :meth:`gradient`. 'auto' uses the machine epsilon of ``y_prob``'s
        dtype, as :func:`sklearn.metrics.log_loss` does. The training path uses
        :meth:`loss_from_logits`, which needs no clipping.
    """

    name = "cross_entropy"
    fused_outputs = ("sigmoid", "softmax")

    def __init__(self, eps="auto"):
        self.eps = eps

    def _clip(self, y_prob):
        eps = np.finfo(y_prob.dtype).eps if self.eps == "auto" else self.eps
        return np.clip(y_prob, eps, 1 - eps)

    def loss(self, y_true, y_prob, output_activation):
        a = self._clip(np.asarray(y_prob, dtype=float))
        per_unit = y_true * np.log(a)
        if output_activation == "sigmoid":
            per_unit += (1 - y_true) * np.log1p(-a)
        return -per_unit.sum(axis=1)

    def gradient(self, y_true, y_prob, output_activation):
        a = self._clip(np.asarray(y_prob, dtype=float))
        grad = -y_true / a
        if output_activation == "sigmoid":
            grad += (1 - y_true) / (1 - a)
        return grad

    def loss_from_logits(self, y_true, z, output_activation):
        if output_activation == "sigmoid":
            # -[y log s(z) + (1 - y) log s(-z)] = log(1 + e^z) - y z, stably.
            per_unit = np.logaddexp(0, z) - y_true * z
        else:
            per_unit = -y_true * OUTPUT_ACTIVATIONS["softmax"].log_forward(z)
        return per_unit.sum(axis=1)

    def loss_from_outputs(self, y_true, z, y_prob, output_activation):
        """Cross-entropy from the logits and the outputs, exactly, cheaply.

        Exact and finite at saturation like :meth:`loss_from_logits`, but it
        reuses the outputs of the forward pass, so it costs one logarithm per
        sigmoid unit (one per sample for a softmax) and no exponential:

        - sigmoid: the sum over units of ``softplus(z) - y z``, with
          ``softplus(z) = max(z, 0) - log(max(a, 1 - a))``, a logarithm of a
          number in ``[1/2, 1]``;
        - softmax: ``logsumexp(z) sum(y) - y . z``, with
          ``logsumexp(z) = z_j - log(a_j)`` for the largest output
          ``a_j >= 1 / n_outputs``.
        """
        a = y_prob
        y_dot_z = _row_dot(y_true, z)
        if output_activation == "sigmoid":
            softplus = np.maximum(a, 1 - a)
            np.log(softplus, out=softplus)
            np.subtract(np.maximum(z, 0), softplus, out=softplus)
            return _row_sum(softplus) - y_dot_z
        flat_top = z.argmax(axis=1) + z.shape[1] * np.arange(len(z))
        log_normaliser = z.ravel().take(flat_top) - np.log(a.ravel().take(flat_top))
        return log_normaliser * _row_sum(y_true) - y_dot_z

    def _value_params(self):
        # eps clips probabilities in loss() only; the values from the logits
        # and outputs do not depend on it.
        return {}


# The public path of these classes, as in the pickles and skops files of
# models trained on a loss instance (and the names skops asks to trust).
for _cls in (Loss, MeanSquaredError, CrossEntropy):
    _cls.__module__ = "sklearn_losslab.losses"
del _cls

LOSSES = {"mse": MeanSquaredError(), "cross_entropy": CrossEntropy()}
"""Built-in losses, keyed by the ``loss`` option string."""
