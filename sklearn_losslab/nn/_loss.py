"""The base class of the losses: the protocol the training loop asks of a loss.

See :mod:`sklearn_losslab.losses` for the protocol and the built-in losses.
"""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause

import functools
import inspect

import numpy as np

from .activations import OUTPUT_ACTIVATIONS

__all__ = ["Loss"]

_VALUE_METHODS = ("loss", "loss_from_logits", "loss_from_outputs")


def _default_output(y_prob):
    return "sigmoid" if y_prob.shape[1] == 1 else "softmax"


def _name(loss):
    return getattr(loss, "name", type(loss).__name__)


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
    activation (``'sigmoid'``, ``'softmax'`` or ``'identity'``; with
    ``'identity'`` the output is the logits themselves).

    Attributes
    ----------
    name : str
        A short name, used in reports.

    title : str or None
        How the loss reads in a sentence ("cross-entropy"); None reads as
        :attr:`name`.

    outputs : tuple of str
        The output activations the loss is defined on; ``('sigmoid',
        'softmax')`` by default. :meth:`resolve_output` rejects the others.

    fused_outputs : tuple of str
        Output activations for which the gradient with respect to the output
        pre-activations is exactly ``y_prob - y_true``. Leave it empty unless
        that identity holds; it is checked by the package's tests for the
        built-in losses.
    """

    name = "loss"
    title = None
    fused_outputs = ()
    outputs = ("sigmoid", "softmax")

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        own = vars(cls)
        # A fast form is inherited only together with the formula it speeds up.
        if "loss" in own or "loss_from_logits" in own:
            if "loss_from_outputs" not in own:
                cls.loss_from_outputs = Loss.loss_from_outputs
        if "loss" in own and "loss_from_logits" not in own:
            cls.loss_from_logits = Loss.loss_from_logits
        if set(own) & set(_VALUE_METHODS) and "_value_params" not in own:
            # A new formula may depend on every parameter (value_key).
            cls._value_params = Loss._value_params
        if "gradient" in own:
            if "fused_outputs" not in own:
                cls.fused_outputs = ()
            if "delta" not in own:
                cls.delta = Loss.delta

    def _validate_params(self):
        """Raise a ValueError for invalid parameters (called by ``fit``)."""

    def resolve_output(self, output_activation, n_classes, multilabel):
        """Return the output activation to train with, or raise a ValueError.

        Resolves :class:`~sklearn_losslab.LogisticNet`'s
        ``output_activation='auto'``: one sigmoid unit for binary targets,
        one per label for a multilabel indicator matrix, a softmax for
        multiclass targets. Rejects the activations not in :attr:`outputs`
        and a softmax for multilabel targets.

        Parameters
        ----------
        output_activation : str
            The ``output_activation`` parameter.

        n_classes : int
            Number of classes (of labels, for a multilabel target).

        multilabel : bool
            Whether the target is a multilabel indicator matrix.

        Returns
        -------
        output_activation : str
        """
        if output_activation == "auto":
            if "sigmoid" in self.outputs and (n_classes == 2 or multilabel):
                return "sigmoid"
            if "softmax" in self.outputs and not multilabel:
                return "softmax"
            output_activation = self.outputs[0]
        if output_activation not in self.outputs:
            allowed = " or ".join(repr(o) for o in self.outputs)
            raise ValueError(
                f"loss={_name(self)!r} is defined on {allowed} outputs only, not "
                f"on output_activation={output_activation!r}. Use "
                "output_activation='auto'."
            )
        if output_activation == "softmax" and multilabel:
            raise ValueError(
                "output_activation='softmax' cannot be used with a multilabel "
                "target: the labels are not mutually exclusive. Use 'sigmoid' "
                "or 'auto'."
                + (
                    ""
                    if "sigmoid" in self.outputs
                    else f" loss={_name(self)!r} needs a softmax: choose another loss."
                )
            )
        return output_activation

    def max_curvature(self, output_activation, n_outputs):
        """Return a bound on the loss's curvature in the logits, or None.

        The largest eigenvalue of the Hessian of the per-sample loss with
        respect to the output pre-activations, over all logits: 1/2 for the
        softmax cross-entropy. ``learning_rate_init='auto'`` divides the
        default step of the gradient-descent solvers by ``curvature / (1/2)``
        where it exceeds 1/2, so that a loss whose gradient grows with the
        logits (squared losses on linear outputs) takes as stable a step as
        the cross-entropy, and further where the inputs' largest second
        moment ``lambda`` would make ``rate * curvature * lambda`` exceed 1.
        None (the default) leaves the step unchanged.

        Parameters
        ----------
        output_activation : str
            The resolved output activation.

        n_outputs : int
            Number of output units.

        Returns
        -------
        curvature : float or None
        """
        return None

    def n_outputs(self, n_classes, multilabel, output_activation):
        """Return the number of output units.

        One per class (per label), except for binary single-label targets
        with sigmoid outputs: one unit, the probability of the second class.

        Parameters
        ----------
        n_classes : int
            Number of classes (of labels, for a multilabel target).

        multilabel : bool
            Whether the target is a multilabel indicator matrix.

        output_activation : str
            The resolved output activation.

        Returns
        -------
        n_outputs : int
        """
        if n_classes == 2 and not multilabel and output_activation == "sigmoid":
            return 1
        return n_classes

    def loss(self, y_true, y_prob, output_activation):
        """Return the loss of each sample, summed over the output units.

        Parameters
        ----------
        y_true : ndarray of shape (n_samples, n_outputs)
            One-hot encoded targets (or a multilabel indicator matrix).

        y_prob : ndarray of shape (n_samples, n_outputs)
            Output of the network.

        output_activation : {'sigmoid', 'softmax', 'identity'}
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

        output_activation : {'sigmoid', 'softmax', 'identity'}
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

        output_activation : {'sigmoid', 'softmax', 'identity'}
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

        output_activation : {'sigmoid', 'softmax', 'identity'}
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

        output_activation : {'sigmoid', 'softmax', 'identity'}, default=None
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
