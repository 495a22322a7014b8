"""ONNX export: the graph, run by onnxruntime, against predict and predict_proba.

Every configuration is fitted on the first rows and compared on held-out rows:
the labels must be those of ``predict`` exactly, the probabilities within 1e-5
of ``predict_proba`` (float32 graph).
"""

import copy
import importlib
import sys

import numpy as np
import pytest
from sklearn.datasets import make_classification, make_multilabel_classification
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import sklearn_losslab
from sklearn_losslab import LogisticNet
from sklearn_losslab.activations import ACTIVATIONS

# Short fits on purpose: the weights only need to be trained away from their
# initialisation, not converged.
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

REASON = (
    "ONNX export needs the 'onnx' extra (skl2onnx, onnx, onnxruntime): "
    'python -m pip install -e ".[onnx]"'
)
ATOL = 1e-5
N_TRAIN = 160

_X, _Y = make_classification(
    n_samples=240, n_features=6, n_informative=4, n_classes=3, random_state=0
)
X = StandardScaler().fit_transform(_X)
_XM, YM = make_multilabel_classification(
    n_samples=240, n_features=6, n_classes=3, random_state=0
)
XM = StandardScaler().fit_transform(_XM)

LABELS = {
    "int": np.array([-1, 4, 9]),  # not the indices 0, 1, 2
    "str": np.array(["cat", "dog", "emu"]),
}

#: name -> (n_classes, output_activation); 'multilabel' is fitted on YM.
TARGETS = {
    "binary-sigmoid": (2, "sigmoid"),  # one unit
    "binary-softmax": (2, "softmax"),
    "multiclass-softmax": (3, "softmax"),
    "multiclass-sigmoid": (3, "sigmoid"),  # three units, normalised
    "multilabel": (None, "sigmoid"),
}


@pytest.fixture(scope="module")
def ort():
    pytest.importorskip("skl2onnx", reason=REASON)
    return pytest.importorskip("onnxruntime", reason=REASON)


def data(target, labels="int", dtype=np.float32):
    """``(X_train, y_train, X_test)`` of a target, in ``dtype``."""
    n_classes, _ = TARGETS[target]
    if n_classes is None:
        Xd, y = XM, YM
    else:
        Xd, y = X, LABELS[labels][np.minimum(_Y, n_classes - 1)]
    Xd = Xd.astype(dtype)
    return Xd[:N_TRAIN], y[:N_TRAIN], Xd[N_TRAIN:]


def fit(target, labels="int", dtype=np.float32, **params):
    X_train, y_train, X_test = data(target, labels, dtype)
    params = {
        "hidden_layer_sizes": (5,),
        "solver": "adam",
        "learning_rate_init": 0.05,
        "max_iter": 20,
        "random_state": 0,
        "output_activation": TARGETS[target][1],
        **params,
    }
    model = LogisticNet(**params)
    return model.fit(X_train, y_train), X_test


def run(ort, onx, X):
    session = ort.InferenceSession(
        onx.SerializeToString(), providers=["CPUExecutionProvider"]
    )
    return session.run(None, {"X": X.astype(np.float32)})


def assert_parity(ort, model, X_test, onx=None):
    """Assert the graph's labels and probabilities against the model's."""
    from sklearn_losslab.onnx import to_onnx

    onx = to_onnx(model, X_test[:1].astype(np.float32)) if onx is None else onx
    label, proba = run(ort, onx, X_test)
    expected_label, expected_proba = model.predict(X_test), model.predict_proba(X_test)
    # The comparison means something only if the model predicts several
    # labels and probabilities away from uniform.
    assert len(np.unique(expected_label)) > 1
    assert np.ptp(expected_proba) > 0.2
    assert label.shape == expected_label.shape
    np.testing.assert_array_equal(label, expected_label)
    assert proba.dtype == np.float32
    np.testing.assert_allclose(proba, expected_proba, rtol=0, atol=ATOL)


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_every_hidden_activation(ort, activation):
    # The hidden layers and the output are converted independently: each
    # activation is checked on one target, each target below on its own.
    model, X_test = fit("multiclass-softmax", activation=activation)
    assert_parity(ort, model, X_test)


@pytest.mark.parametrize("hidden_layer_sizes", [(), (6, 4)])
@pytest.mark.parametrize("target", TARGETS)
def test_every_target(ort, target, hidden_layer_sizes):
    model, X_test = fit(target, hidden_layer_sizes=hidden_layer_sizes)
    assert len(model.coefs_) == len(hidden_layer_sizes) + 1
    assert_parity(ort, model, X_test)


@pytest.mark.parametrize("labels, dtype", [("str", np.float32), ("int", np.float64)])
@pytest.mark.parametrize("target", [t for t in TARGETS if t != "multilabel"])
def test_labels_and_model_dtypes(ort, target, labels, dtype):
    # A float64 model gives a float32 graph from a float32 sample.
    model, X_test = fit(target, labels, dtype, activation="tanh")
    assert model.coefs_[0].dtype == dtype
    assert_parity(ort, model, X_test)


def test_leaky_relu_slope_is_in_the_graph(ort):
    # The slope matters here: with ReLU's zero slope instead of 0.01 the
    # probabilities differ by more than the tolerance.
    model, X_test = fit("multiclass-softmax", activation="leaky_relu")
    as_relu = copy.deepcopy(model)
    as_relu.activation = "relu"
    assert np.abs(as_relu.predict_proba(X_test) - model.predict_proba(X_test)).max() > (
        10 * ATOL
    )
    assert_parity(ort, model, X_test)


def test_float64_graph(ort):
    from sklearn_losslab.onnx import to_onnx

    model, X_test = fit("multiclass-sigmoid", dtype=np.float64)
    onx = to_onnx(model, X_test[:1])
    assert onx.graph.input[0].type.tensor_type.elem_type == 11  # DOUBLE
    session = ort.InferenceSession(
        onx.SerializeToString(), providers=["CPUExecutionProvider"]
    )
    label, proba = session.run(None, {"X": X_test})
    np.testing.assert_array_equal(label, model.predict(X_test))
    np.testing.assert_allclose(proba, model.predict_proba(X_test), rtol=0, atol=1e-12)


@pytest.mark.parametrize("target", ["multiclass-softmax", "multiclass-sigmoid"])
def test_large_inputs_stay_finite(ort, target):
    # Logits in the tens of thousands: every sigmoid unit of a row saturates,
    # to 0 for most, where normalising p / sum(p) would divide 0 by 0.
    from sklearn_losslab.onnx import to_onnx

    model, X_test = fit(target, activation="relu")
    X_large = X_test * 1e4
    assert np.abs(model.decision_function(X_large)).max() > 1e3
    label, proba = run(ort, to_onnx(model, X_large[:1]), X_large)
    assert np.isfinite(proba).all()
    np.testing.assert_array_equal(label, model.predict(X_large))
    np.testing.assert_allclose(proba, model.predict_proba(X_large), rtol=0, atol=ATOL)


# Linear outputs: the hinge losses ('auto' gives them one unit for a binary
# target) and the squared loss on identity outputs (one unit per class).
LINEAR = {
    "hinge-binary": ("binary-sigmoid", {"loss": "hinge", "output_activation": "auto"}),
    "hinge-multiclass": (
        "multiclass-softmax",
        {"loss": "squared_hinge", "output_activation": "auto"},
    ),
    "mse-binary": ("binary-softmax", {"loss": "mse", "output_activation": "identity"}),
    "mse-multiclass": (
        "multiclass-softmax",
        {"loss": "mse", "output_activation": "identity"},
    ),
    "mse-multilabel": ("multilabel", {"loss": "mse", "output_activation": "identity"}),
}


@pytest.mark.parametrize("case", LINEAR)
def test_identity_output_gives_labels_and_logits(ort, case):
    """Linear outputs export labels and raw scores, and no probabilities.

    The labels come from the scores alone (signs, arg-max), as the model's
    own ``predict``; the scores are its ``decision_function``.
    """
    from sklearn_losslab.onnx import to_onnx

    target, params = LINEAR[case]
    model, X_test = fit(target, **params)
    assert model.out_activation_ == "identity"
    assert not hasattr(model, "predict_proba")
    expected_label = model.predict(X_test)
    logits = model.decision_function(X_test)
    onx = to_onnx(model, X_test[:1], zipmap=True)  # no probabilities to zip
    assert [o.name for o in onx.graph.output] == ["label", "scores"]
    label, scores = run(ort, onx, X_test)
    assert len(np.unique(expected_label)) > 1
    np.testing.assert_array_equal(label, expected_label)
    assert scores.shape == (len(X_test), model.n_outputs_)
    if case == "mse-binary":  # two units; decision_function is z_1 - z_0
        scores = scores[:, 1] - scores[:, 0]
    np.testing.assert_allclose(scores.reshape(logits.shape), logits, atol=ATOL * 10)


def test_pipeline_with_scaler_through_skl2onnx(ort):
    import skl2onnx

    from sklearn_losslab.onnx import register

    _, y_train, _ = data("multiclass-softmax", "str")
    pipe = make_pipeline(
        StandardScaler(), LogisticNet((5,), max_iter=30, random_state=0)
    )
    pipe.fit(_X[:N_TRAIN], y_train)  # the raw features: the scaler matters
    X_test = _X[N_TRAIN:]
    register()
    onx = skl2onnx.to_onnx(pipe, X_test[:1].astype(np.float32))
    label, proba = run(ort, onx, X_test)  # zipmap: one dict per row
    np.testing.assert_array_equal(label, pipe.predict(X_test))
    classes = list(pipe.classes_)
    proba = np.array([[row[c] for c in classes] for row in proba])
    np.testing.assert_allclose(proba, pipe.predict_proba(X_test), rtol=0, atol=ATOL)
    # The scaler is in the graph: the network alone gives other probabilities.
    net = pipe[-1]
    assert np.abs(net.predict_proba(X_test) - pipe.predict_proba(X_test)).max() > 0.1


def test_pipeline_through_to_onnx(ort):
    from sklearn_losslab.onnx import to_onnx

    X_train, y_train, X_test = data("binary-sigmoid")
    pipe = make_pipeline(
        StandardScaler(), LogisticNet((5,), max_iter=30, random_state=0)
    ).fit(X_train * 10 + 3, y_train)
    assert_parity(ort, pipe, X_test * 10 + 3, onx=to_onnx(pipe, X_test[:1]))


@pytest.mark.parametrize(
    "options, names",
    [
        ({"zipmap": "columns"}, ["output_label", "scat", "sdog", "semu"]),
        ({"zipmap": False, "nocl": True}, ["label", "probabilities"]),
        (
            {"zipmap": False, "output_class_labels": True},
            ["label", "probabilities", "class_labels"],
        ),
    ],
)
def test_skl2onnx_options(ort, options, names):
    import skl2onnx

    from sklearn_losslab.onnx import register

    model, X_test = fit("multiclass-sigmoid", "str")
    register()
    onx = skl2onnx.to_onnx(model, X_test[:1], options={LogisticNet: options})
    assert [o.name for o in onx.graph.output] == names
    label, *probabilities = run(ort, onx, X_test)
    expected = model.predict(X_test)
    if options.get("nocl"):
        expected = np.searchsorted(model.classes_, expected)
    np.testing.assert_array_equal(label, expected)
    if options.get("output_class_labels"):
        np.testing.assert_array_equal(probabilities.pop(), model.classes_)
    proba = np.column_stack(probabilities)  # one array, or one column per class
    np.testing.assert_allclose(proba, model.predict_proba(X_test), rtol=0, atol=ATOL)


def test_not_fitted(ort):
    from sklearn_losslab.onnx import to_onnx

    with pytest.raises(NotFittedError):
        to_onnx(LogisticNet(), X[:1])


@pytest.mark.parametrize("missing", ["skl2onnx", "onnx"])
def test_imports_without_the_extra(monkeypatch, missing):
    # Runs without the extra too: the module imports without skl2onnx and onnx,
    # and the export says what to install.
    monkeypatch.setitem(sys.modules, missing, None)  # makes `import missing` fail
    monkeypatch.delitem(sys.modules, "sklearn_losslab.onnx", raising=False)
    monkeypatch.delattr(sklearn_losslab, "onnx", raising=False)
    module = importlib.import_module("sklearn_losslab.onnx")
    for call in [lambda: module.to_onnx(LogisticNet(), X[:1]), module.register]:
        with pytest.raises(ImportError, match=r"install the 'onnx' extra"):
            call()
