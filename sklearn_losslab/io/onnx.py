"""Export a fitted :class:`~sklearn_losslab.LogisticNet` to ONNX.

The graph is built by `skl2onnx <https://onnx.ai/sklearn-onnx/>`_, to which
this module adds a parser, a shape calculator and a converter for
LogisticNet (:func:`register`), so that a LogisticNet converts on its own
(:func:`to_onnx`) and as a step of a scikit-learn Pipeline
(``skl2onnx.to_onnx(pipeline, X)``).

The converter reads only the public fitted attributes: ``coefs_``,
``intercepts_``, ``activation``, ``out_activation_``, ``classes_``, and whether
the model was fitted on a multilabel indicator matrix. The graph has two
outputs:

- ``label``: what :meth:`~sklearn_losslab.LogisticNet.predict` returns, taken
  from the logits as ``predict`` does (the sign of the one sigmoid unit of a
  binary problem, the arg-max of several units, one sign per label for
  multilabel targets);
- ``probabilities``: what :meth:`~sklearn_losslab.LogisticNet.predict_proba`
  returns (``[1 - p, p]`` for one sigmoid unit; the softmax; several sigmoid
  units for one label normalised to sum to 1; one sigmoid per label for
  multilabel targets). An output activation ``'identity'`` has no
  probabilities: the second output is then ``scores``, the logits.

skl2onnx and onnx are imported only when a function of this module is called
(install them with the ``onnx`` extra), so importing the module needs neither.
"""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
from sklearn.utils.validation import check_is_fitted

from .._logistic_net import LogisticNet
from ..nn.activations import ACTIVATIONS

__all__ = ["register", "to_onnx"]

#: skl2onnx's name for the operator of a LogisticNet.
ALIAS = "SklearnLossLabLogisticNet"

#: Options a LogisticNet accepts in skl2onnx's ``options``, MLPClassifier's:
#: ``zipmap`` (how the probabilities are returned), ``nocl`` (labels are the
#: indices 0, 1, ... of ``classes_``) and ``output_class_labels`` (one more
#: output, ``classes_``).
OPTIONS = {
    "zipmap": [True, False, "columns"],
    "nocl": [False, True],
    "output_class_labels": [False, True],
}

#: ONNX operators of the hidden activations, keyed by the ``activation`` string;
#: 'leaky_relu' is written as the package computes it (see ``_hidden``).
HIDDEN_OPERATORS = {
    "identity": "Identity",
    "sigmoid": "Sigmoid",
    "logistic": "Sigmoid",
    "tanh": "Tanh",
    "relu": "Relu",
}

_INSTALL_HINT = (
    "ONNX export needs skl2onnx, onnx and onnxruntime: install the 'onnx' "
    'extra, for example python -m pip install -e ".[onnx]" from the repository.'
)


def to_onnx(model, X_sample, *, target_opset=None, zipmap=False):
    """Convert a fitted LogisticNet, or a Pipeline holding one, to ONNX.

    Registers the converter (:func:`register`) and calls
    :func:`skl2onnx.to_onnx`.

    Parameters
    ----------
    model : LogisticNet or estimator
        A fitted :class:`~sklearn_losslab.LogisticNet`, or a fitted estimator
        that skl2onnx converts with LogisticNet steps in it, such as
        ``make_pipeline(StandardScaler(), LogisticNet())``.

    X_sample : array-like of shape (n_samples, n_features)
        A few rows of input; only their number of columns and their dtype
        are used. The graph has one input, ``X``, of that width (a DataFrame
        is taken as its values; for one input per column, as a
        ColumnTransformer needs, call :func:`register` and
        :func:`skl2onnx.to_onnx` with the DataFrame). A float64 sample gives a
        graph in float64; any other a graph in float32, the usual type for
        onnxruntime (the weights of a float64 model are then rounded to
        float32).

    target_opset : int or dict, default=None
        The ONNX opset of the graph, as in :func:`skl2onnx.to_onnx`. None
        takes the latest one skl2onnx has been tested with.

    zipmap : {False, True, 'columns'}, default=False
        How the probabilities are returned. False: one tensor of shape
        (n_samples, n_classes), ordered as ``classes_``. True: a list of
        dicts ``{label: probability}``, one per sample, skl2onnx's default
        for classifiers. 'columns': one output per class. Ignored for an
        output activation 'identity', which has no probabilities.

    Returns
    -------
    onx : onnx.ModelProto
        The model. Its input is ``X``; its outputs are ``label`` and
        ``probabilities`` (``scores`` for an output activation 'identity'),
        or ``output_label`` and ``output_probability`` with ``zipmap=True``.

    Raises
    ------
    ImportError
        If skl2onnx or onnx is not installed.

    sklearn.exceptions.NotFittedError
        If ``model`` is a LogisticNet that is not fitted.

    See Also
    --------
    register : Register LogisticNet with skl2onnx, for ``skl2onnx.to_onnx``.

    Notes
    -----
    The graph computes the ordinary forward pass in its dtype.
    :meth:`~sklearn_losslab.LogisticNet.predict` rescales the rows whose
    pre-activations would overflow the dtype; the graph does not, so for
    inputs that large (beyond about ``1e38`` in float32 after the weights)
    the two can differ. Short of that, the probabilities agree with
    ``predict_proba`` to float32 rounding and the labels agree with
    ``predict`` except where a logit is within rounding of a tie.

    Examples
    --------
    >>> import pytest
    >>> ort = pytest.importorskip("onnxruntime")  # needs the 'onnx' extra
    >>> import numpy as np
    >>> from sklearn.datasets import load_iris
    >>> from sklearn_losslab import LogisticNet
    >>> from sklearn_losslab.onnx import to_onnx
    >>> X, y = load_iris(return_X_y=True)
    >>> X = X.astype(np.float32)
    >>> clf = LogisticNet((8,), max_iter=50, random_state=0).fit(X, y)
    >>> onx = to_onnx(clf, X[:1])
    >>> session = ort.InferenceSession(
    ...     onx.SerializeToString(), providers=["CPUExecutionProvider"])
    >>> label, proba = session.run(None, {"X": X[:3]})
    >>> label
    array([0, 0, 0]...)
    >>> bool(np.abs(proba - clf.predict_proba(X[:3])).max() < 1e-5)
    True
    """
    skl2onnx = _import_skl2onnx()
    if isinstance(model, LogisticNet):
        check_is_fitted(model)
    register()
    X = np.asarray(X_sample)
    if X.dtype not in (np.float32, np.float64):
        X = X.astype(np.float32)
    return skl2onnx.to_onnx(
        model,
        X,
        target_opset=target_opset,
        options={LogisticNet: {"zipmap": zipmap}},
    )


def register():
    """Register LogisticNet with skl2onnx.

    After this call, :func:`skl2onnx.to_onnx` and
    :func:`skl2onnx.convert_sklearn` convert a fitted
    :class:`~sklearn_losslab.LogisticNet`, alone or as a step of a Pipeline,
    with the option ``zipmap`` (``True``, the default, ``False`` or
    ``'columns'``) as for MLPClassifier. :func:`to_onnx` calls it; call it
    yourself before using skl2onnx directly. Calling it again is harmless.

    Raises
    ------
    ImportError
        If skl2onnx or onnx is not installed.

    Examples
    --------
    >>> import pytest
    >>> skl2onnx = pytest.importorskip("skl2onnx")  # needs the 'onnx' extra
    >>> import numpy as np
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sklearn_losslab import LogisticNet
    >>> from sklearn_losslab.onnx import register
    >>> X, y = load_iris(return_X_y=True)
    >>> pipe = make_pipeline(StandardScaler(), LogisticNet(tol=1e-3)).fit(X, y)
    >>> register()
    >>> onx = skl2onnx.to_onnx(pipe, X[:1].astype(np.float32))
    >>> [output.name for output in onx.graph.output]
    ['output_label', 'output_probability']
    """
    skl2onnx = _import_skl2onnx()
    skl2onnx.update_registered_converter(
        LogisticNet,
        ALIAS,
        _calculate_output_shapes,
        _convert,
        parser=_parse,
        options=OPTIONS,
    )


def _import_skl2onnx():
    try:
        import onnx  # noqa: F401
        import skl2onnx
    except ImportError as exc:
        raise ImportError(_INSTALL_HINT) from exc
    return skl2onnx


# -- skl2onnx's three steps: parse, infer shapes, convert ------------------------
def _parse(scope, model, inputs, custom_parsers=None):
    """Declare the operator and its outputs (label, probabilities or scores)."""
    check_is_fitted(model)
    if model.out_activation_ != "identity":
        # skl2onnx's classifier parser: label and probabilities, then the
        # ZipMap the option asks for.
        from skl2onnx._parse import _parse_sklearn_classifier

        return _parse_sklearn_classifier(
            scope, model, inputs, custom_parsers=custom_parsers
        )
    # Raw logits are no probabilities: nothing to zip.
    from skl2onnx.common.data_types import Int64TensorType, guess_tensor_type

    operator = scope.declare_local_operator(ALIAS, model)
    operator.inputs = inputs
    operator.outputs.append(scope.declare_local_variable("label", Int64TensorType()))
    operator.outputs.append(
        scope.declare_local_variable("scores", guess_tensor_type(inputs[0].type))
    )
    return operator.outputs


def _calculate_output_shapes(operator):
    from skl2onnx.common.data_types import (
        DoubleTensorType,
        FloatTensorType,
        Int64TensorType,
        StringTensorType,
    )
    from skl2onnx.common.utils import (
        check_input_and_output_numbers,
        check_input_and_output_types,
    )

    check_input_and_output_numbers(operator, input_count_range=1, output_count_range=2)
    check_input_and_output_types(
        operator, good_input_types=[FloatTensorType, DoubleTensorType, Int64TensorType]
    )
    model = operator.raw_operator
    n = operator.inputs[0].get_first_dimension()
    if _is_multilabel(model):
        label = Int64TensorType([n, len(model.classes_)])
    elif _class_labels(operator.scope_inst, model).dtype == np.int64:
        label = Int64TensorType([n])
    else:
        label = StringTensorType([n])
    if model.out_activation_ == "identity":
        n_columns = model.coefs_[-1].shape[1]
    else:
        n_columns = len(model.classes_)
    double = isinstance(operator.inputs[0].type, DoubleTensorType)
    second = (DoubleTensorType if double else FloatTensorType)([n, n_columns])
    operator.outputs[0].set_type(label)
    operator.outputs[1].set_type(second)


def _convert(scope, operator, container):
    from onnx import TensorProto
    from skl2onnx.common.data_types import DoubleTensorType

    model = operator.raw_operator
    double = isinstance(operator.inputs[0].type, DoubleTensorType)
    graph = _Graph(scope, container, np.float64 if double else np.float32)
    proto = TensorProto.DOUBLE if double else TensorProto.FLOAT

    a = graph.node("Cast", [operator.inputs[0].full_name], to=proto)
    n_layers = len(model.coefs_)
    for i, (W, b) in enumerate(zip(model.coefs_, model.intercepts_)):
        z = graph.node("Gemm", [a, graph.constant(W), graph.constant(b)])
        if i < n_layers - 1:
            a = _hidden(graph, model.activation, z)

    label, second = (output.full_name for output in operator.outputs)
    _labels(graph, model, z, label)
    _probabilities(graph, model, z, second)


def _hidden(graph, activation, z):
    if activation == "leaky_relu":
        # max(z, slope * z) with the slope in the graph's dtype, the package's
        # formula; ONNX's LeakyRelu takes its slope as a float32 attribute.
        slope = ACTIVATIONS["leaky_relu"].negative_slope
        return graph.node("Max", [z, graph.node("Mul", [z, graph.constant(slope)])])
    if activation not in HIDDEN_OPERATORS:
        raise NotImplementedError(f"No ONNX conversion for activation={activation!r}.")
    return graph.node(HIDDEN_OPERATORS[activation], [z])


def _labels(graph, model, z, output):
    """What ``predict`` returns, from the logits ``z`` as ``predict`` takes it."""
    from onnx import TensorProto

    if _is_multilabel(model):
        positive = graph.node("Greater", [z, graph.constant(0.0)])
        graph.node("Cast", [positive], output, to=TensorProto.INT64)
        return
    if model.coefs_[-1].shape[1] == 1:
        column = graph.node("Reshape", [z, graph.constant([-1], np.int64)])
        positive = graph.node("Greater", [column, graph.constant(0.0)])
        index = graph.node("Cast", [positive], to=TensorProto.INT64)
    else:
        index = graph.node("ArgMax", [z], axis=1, keepdims=0)
    classes = _class_labels(graph.scope, model)
    graph.node("Gather", [graph.constant(classes, classes.dtype), index], output)


def _probabilities(graph, model, z, output):
    """What ``predict_proba`` returns (the logits for an 'identity' output)."""
    out_activation = model.out_activation_
    if out_activation == "identity":
        graph.node("Identity", [z], output)
    elif out_activation == "softmax":
        graph.node("Softmax", [z], output, axis=1)
    elif out_activation != "sigmoid":
        raise NotImplementedError(
            f"No ONNX conversion for out_activation_={out_activation!r}."
        )
    elif _is_multilabel(model):
        graph.node("Sigmoid", [z], output)
    elif model.coefs_[-1].shape[1] == 1:  # one unit, p = sigmoid(z): [1 - p, p]
        negative = graph.node("Sigmoid", [graph.node("Neg", [z])])
        graph.node("Concat", [negative, graph.node("Sigmoid", [z])], output, axis=1)
    else:
        # Several sigmoid units for one label, normalised: p_k / sum_j p_j is
        # the softmax of log p = log sigmoid(z) = min(z, 0) - log(1 + exp(-|z|)),
        # which stays finite where every p_k underflows.
        exp = graph.node("Exp", [graph.node("Neg", [graph.node("Abs", [z])])])
        log1p = graph.node("Log", [graph.node("Add", [graph.constant(1.0), exp])])
        minimum = graph.node("Min", [z, graph.constant(0.0)])
        log_p = graph.node("Sub", [minimum, log1p])
        graph.node("Softmax", [log_p], output, axis=1)


def _is_multilabel(model):
    # Whether the model was fitted on an indicator matrix; classes_ and
    # n_outputs_ alone do not tell (classes_ = [0, 1, 2] with three sigmoid
    # units is also a single-label model).
    return bool(model._multilabel)


def _class_labels(scope, model):
    """``classes_`` as int64 or str, the two label types of ONNX classifiers.

    With the option ``nocl``, the indices of the classes.
    """
    from skl2onnx.common.utils_classifier import get_label_classes

    classes = np.asarray(get_label_classes(scope, model))
    if classes.dtype.kind in "biu":
        return classes.astype(np.int64)
    if classes.dtype.kind == "f" and np.array_equal(classes, np.round(classes)):
        return classes.astype(np.int64)
    if classes.dtype.kind in "US" or all(isinstance(c, str) for c in classes):
        return classes.astype(str)
    raise ValueError(
        "ONNX class labels must be integers or strings; classes_ is "
        f"{model.classes_!r}."
    )


class _Graph:
    """Adds nodes and constants to skl2onnx's container with unique names."""

    def __init__(self, scope, container, dtype):
        self.scope, self.container, self.dtype = scope, container, dtype

    def constant(self, value, dtype=None):
        from onnx import TensorProto
        from onnx.helper import np_dtype_to_tensor_dtype

        value = np.asarray(value, dtype=self.dtype if dtype is None else dtype)
        name = self.scope.get_unique_variable_name("constant")
        if value.dtype.kind == "U":
            onnx_type = TensorProto.STRING
            content = [s.encode("utf-8") for s in value.ravel()]
        else:
            onnx_type, content = np_dtype_to_tensor_dtype(value.dtype), value.ravel()
        self.container.add_initializer(name, onnx_type, list(value.shape), content)
        return name

    def node(self, op_type, inputs, output=None, **attributes):
        if output is None:
            output = self.scope.get_unique_variable_name(op_type.lower())
        self.container.add_node(
            op_type,
            inputs,
            output,
            name=self.scope.get_unique_operator_name(op_type),
            **attributes,
        )
        return output
