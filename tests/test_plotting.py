"""LossCurveDisplay and DiagnosticsDisplay, drawn with the Agg backend."""

import subprocess
import sys
import warnings

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_losslab import DiagnosticsDisplay, LogisticNet, LossCurveDisplay
from sklearn_losslab.plotting import METRICS

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _fit(**params):
    X, y = make_classification(
        n_samples=240, n_features=6, n_informative=4, n_classes=3, random_state=0
    )
    X = StandardScaler().fit_transform(X)
    net = LogisticNet(**{"max_iter": 6, "batch_size": 40, "random_state": 0, **params})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return net.fit(X[:200], y[:200], X_val=X[200:], y_val=y[200:])


@pytest.fixture(scope="module")
def nets():
    """Fitted once: two losses on sigmoid units, ReLU, no hidden layer, no val."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        X, y = make_classification(n_samples=100, n_features=4, random_state=1)
        plain = LogisticNet((5,), max_iter=4, random_state=0).fit(X, y)
    return {
        "mse": _fit(hidden_layer_sizes=(8,), activation="sigmoid", loss="mse"),
        "cross_entropy": _fit(hidden_layer_sizes=(8, 4), activation="sigmoid"),
        "relu": _fit(hidden_layer_sizes=(8,), activation="relu"),
        "linear": _fit(hidden_layer_sizes=()),
        "no_validation": plain,
    }


@pytest.mark.slow
def test_importing_the_package_does_not_import_matplotlib():
    code = (
        "import sys, sklearn_losslab, sklearn_losslab.plotting; "
        "assert 'matplotlib' not in sys.modules, 'matplotlib imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# ---------------------------------------------------------------- LossCurveDisplay
@pytest.mark.parametrize("metric", sorted(METRICS))
def test_single_history_draws_train_and_dashed_validation(nets, metric):
    history = nets["mse"].history_
    train_column, val_column, ylabel = METRICS[metric]
    display = LossCurveDisplay.from_history(history, metric=metric)
    train, val = display.lines_
    assert [line.get_label() for line in display.lines_] == ["train", "validation"]
    np.testing.assert_array_equal(train.get_xdata(), history["epoch"])
    np.testing.assert_array_equal(train.get_ydata(), history[train_column])
    np.testing.assert_array_equal(val.get_ydata(), history[val_column])
    assert val.get_linestyle() == "--" and train.get_linestyle() == "-"
    assert val.get_color() == train.get_color()
    assert display.ax_.get_ylabel() == ylabel
    assert display.ax_.get_xlabel() == "Epoch"
    assert display.figure_ is display.ax_.figure
    assert len(display.ax_.get_lines()) == 2


def test_loss_metric_reads_the_objective_and_val_loss(nets):
    net = nets["cross_entropy"]
    display = LossCurveDisplay.from_history(net.history_, metric="loss")
    np.testing.assert_allclose(display.lines_[0].get_ydata(), net.loss_curve_)
    np.testing.assert_allclose(
        display.lines_[1].get_ydata(), -np.asarray(net.validation_scores_)
    )


def test_several_runs_share_one_axes_with_one_colour_each(nets):
    histories = [nets["mse"].history_, nets["cross_entropy"].history_]
    display = LossCurveDisplay.from_history(histories, metric="accuracy")
    labels = [line.get_label() for line in display.lines_]
    assert labels == [
        "run 0 (train)",
        "run 0 (validation)",
        "run 1 (train)",
        "run 1 (validation)",
    ]
    colors = [line.get_color() for line in display.lines_]
    assert colors[0] == colors[1] != colors[2] == colors[3]
    for history, line in zip(histories, display.lines_[::2]):
        np.testing.assert_array_equal(line.get_ydata(), history["train_accuracy"])
    legend = [text.get_text() for text in display.ax_.get_legend().get_texts()]
    assert legend == labels


def test_loss_curves_legend_covers_no_curve_in_a_figure_of_its_own(nets):
    """Many runs: the legend goes right of the axes it made; a caller's keeps it."""
    runs = {f"run {i}": nets[k].history_ for i, k in enumerate(["mse", "relu"] * 6)}
    display = LossCurveDisplay.from_history(runs, metric="accuracy")
    display.figure_.canvas.draw()
    legend = display.ax_.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == [
        f"{label} (train)" if i % 2 == 0 else f"{label} (validation)"
        for label in runs
        for i in range(2)
    ]
    assert not _extent(legend).overlaps(_extent(display.ax_.patch))
    box = display.figure_.bbox  # and the layout kept it in the figure
    assert box.x0 <= _extent(legend).x0 and _extent(legend).x1 <= box.x1
    # More runs than the colour cycle: still a colour each.
    train = display.lines_[::2]
    assert len({matplotlib.colors.to_hex(line.get_color()) for line in train}) == 12
    # Few entries, or axes of the caller: inside, at matplotlib's best place.
    few = LossCurveDisplay.from_history(nets["mse"].history_)
    assert few.ax_.get_legend()._loc == 0  # 'best'
    _, ax = plt.subplots()
    mine = LossCurveDisplay.from_history(runs, ax=ax, validation=False)
    assert mine.ax_.get_legend()._loc == 0


def test_dict_keys_and_explicit_labels_name_the_runs(nets):
    by_key = LossCurveDisplay.from_history(
        {"mse": nets["mse"].history_, "ce": nets["cross_entropy"].history_},
        validation=False,
    )
    assert [line.get_label() for line in by_key.lines_] == ["mse", "ce"]
    named = LossCurveDisplay.from_history(
        [nets["mse"].history_], labels=["a"], metric="mse"
    )
    assert [line.get_label() for line in named.lines_] == [
        "a (train)",
        "a (validation)",
    ]


def test_validation_curve_only_when_recorded_and_asked(nets):
    without = LossCurveDisplay.from_history(nets["no_validation"].history_)
    assert [line.get_label() for line in without.lines_] == ["train"]
    hidden = LossCurveDisplay.from_history(nets["mse"].history_, validation=False)
    assert len(hidden.lines_) == 1


def test_given_axes_and_plot_kwargs_are_used(nets):
    fig, ax = plt.subplots()
    display = LossCurveDisplay.from_history(nets["mse"].history_, ax=ax, linewidth=3.5)
    assert display.ax_ is ax and display.figure_ is fig
    assert all(line.get_linewidth() == 3.5 for line in display.lines_)
    assert display.lines_[1].get_linestyle() == "--"


def test_from_estimator_labels_by_loss_and_unwraps_a_pipeline(nets):
    net = nets["mse"]
    fig, ax = plt.subplots()
    first = LossCurveDisplay.from_estimator(net, ax=ax)
    assert [line.get_label() for line in first.lines_] == [
        "mse (train)",
        "mse (validation)",
    ]
    second = LossCurveDisplay.from_estimator(nets["cross_entropy"], ax=ax)
    assert second.lines_[0].get_color() != first.lines_[0].get_color()
    assert len(ax.get_lines()) == 4

    X, y = make_classification(n_samples=60, n_features=4, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        pipe = make_pipeline(
            StandardScaler(), LogisticNet((3,), max_iter=3, random_state=0)
        ).fit(X, y)
    display = LossCurveDisplay.from_estimator(pipe, metric="mse", label="pipe")
    assert [line.get_label() for line in display.lines_] == ["pipe"]
    np.testing.assert_array_equal(
        display.lines_[0].get_ydata(), pipe[-1].history_["train_mse"]
    )


def test_display_constructor_then_plot():
    display = LossCurveDisplay(
        epochs=[np.arange(1, 4)],
        train_values=[np.array([3.0, 2.0, 1.0])],
        val_values=[None],
        labels=["x"],
    )
    assert display.plot() is display
    np.testing.assert_array_equal(display.lines_[0].get_ydata(), [3, 2, 1])
    display.metric = "f1"
    with pytest.raises(ValueError, match="metric must be one of"):
        display.plot()


def test_loss_curve_errors(nets):
    history = nets["mse"].history_
    with pytest.raises(ValueError, match="metric must be one of"):
        LossCurveDisplay.from_history(history, metric="f1")
    with pytest.raises(ValueError, match="metric must be one of"):
        LossCurveDisplay.from_estimator(nets["mse"], metric="log_loss")
    with pytest.raises(ValueError, match="2 labels for 1 histories"):
        LossCurveDisplay.from_history(history, labels=["a", "b"])
    with pytest.raises(ValueError, match="labels must be None"):
        LossCurveDisplay.from_history({"a": history}, labels=["a"])
    with pytest.raises(ValueError, match="empty"):
        LossCurveDisplay.from_history([])
    with pytest.raises(TypeError, match="pandas DataFrame"):
        LossCurveDisplay.from_history([history["loss"].to_numpy()])
    with pytest.raises(ValueError, match="no column 'train_mse'"):
        LossCurveDisplay.from_history(history.drop(columns="train_mse"), metric="mse")


def test_from_estimator_needs_a_fitted_logistic_net():
    with pytest.raises(NotFittedError):
        LossCurveDisplay.from_estimator(LogisticNet())
    with pytest.raises(NotFittedError):
        LossCurveDisplay.from_estimator(make_pipeline(StandardScaler(), LogisticNet()))
    with pytest.raises(NotFittedError):
        DiagnosticsDisplay.from_estimator(LogisticNet())
    X, y = make_classification(n_samples=40, random_state=0)
    with pytest.raises(TypeError, match="has no history_"):
        LossCurveDisplay.from_estimator(LogisticRegression().fit(X, y))


# -------------------------------------------------------------- DiagnosticsDisplay
def test_diagnostics_panels_plot_the_history_columns(nets):
    history = nets["cross_entropy"].history_  # two hidden layers of sigmoid units
    display = DiagnosticsDisplay.from_history(history)
    assert display.panels_ == [
        "mean_sigma_prime",
        "saturated_output_fraction",
        "grad_norm",
        "hidden",
    ]
    assert len(display.axes_) == 4
    assert display.figure_ is display.axes_[0].figure
    for panel in ("mean_sigma_prime", "saturated_output_fraction"):
        (line,) = display.lines_[panel]
        np.testing.assert_array_equal(line.get_xdata(), history["epoch"])
        np.testing.assert_array_equal(line.get_ydata(), history[panel])
    norms = display.lines_["grad_norm"]
    assert [line.get_label() for line in norms] == ["layer 0", "layer 1", "layer 2"]
    for i, line in enumerate(norms):
        np.testing.assert_array_equal(line.get_ydata(), history[f"grad_norm_{i}"])
    assert len({line.get_linestyle() for line in norms}) == 3
    grad_ax = display.axes_[display.panels_.index("grad_norm")]
    assert grad_ax.get_yscale() == "log"
    # Sigmoid hidden units record saturation only; dead ReLUs are all NaN.
    (hidden,) = display.lines_["hidden"]
    assert hidden.get_label() == "saturated"
    np.testing.assert_array_equal(
        hidden.get_ydata(), history["saturated_hidden_fraction"]
    )


def test_diagnostics_relu_and_no_hidden_layer(nets):
    relu = DiagnosticsDisplay.from_estimator(nets["relu"], label="relu")
    (dead,) = relu.lines_["hidden"]
    assert dead.get_label() == "relu: dead ReLU"
    np.testing.assert_array_equal(
        dead.get_ydata(), nets["relu"].history_["dead_relu_fraction"]
    )
    linear = DiagnosticsDisplay.from_estimator(nets["linear"])
    assert linear.panels_ == [
        "mean_sigma_prime",
        "saturated_output_fraction",
        "grad_norm",
    ]
    assert len(linear.axes_) == 3 and len(linear.lines_["grad_norm"]) == 1


def test_diagnostics_several_runs_keep_one_colour_per_run(nets):
    display = DiagnosticsDisplay.from_history(
        {"mse": nets["mse"].history_, "ce": nets["cross_entropy"].history_}
    )
    sigma = display.lines_["mean_sigma_prime"]
    assert [line.get_label() for line in sigma] == ["mse", "ce"]
    mse_color, ce_color = (line.get_color() for line in sigma)
    assert mse_color != ce_color
    labels = [line.get_label() for line in display.lines_["grad_norm"]]
    assert labels == ["mse: layer 0", "mse: layer 1"] + [
        f"ce: layer {i}" for i in range(3)
    ]
    colors = [line.get_color() for line in display.lines_["grad_norm"]]
    assert colors == [mse_color] * 2 + [ce_color] * 3
    # One legend of the runs for the figure, none repeated in the panels.
    (legend,) = display.figure_.legends
    assert [text.get_text() for text in legend.get_texts()] == ["mse", "ce"]
    assert [h.get_color() for h in legend.legend_handles] == [mse_color, ce_color]
    assert display.axes_[0].get_legend() is None


def _extent(artist):
    return artist.get_window_extent(artist.figure.canvas.get_renderer())


def test_diagnostics_legends_hide_no_data(nets):
    """The legends sit outside every panel, so they cover no curve."""
    display = DiagnosticsDisplay.from_history(
        {"mse": nets["mse"].history_, "ce": nets["cross_entropy"].history_}
    )
    display.figure_.canvas.draw()
    panels = [_extent(ax.patch) for ax in display.axes_]
    keys = {panel: ax.get_legend() for panel, ax in zip(display.panels_, display.axes_)}
    assert keys["mean_sigma_prime"] is None
    assert keys["saturated_output_fraction"] is None
    assert [t.get_text() for t in keys["grad_norm"].get_texts()] == [
        f"layer {i}" for i in range(3)
    ]
    assert [t.get_text() for t in keys["hidden"].get_texts()] == [
        "saturated activations (|z| > 4)"
    ]
    legends = [keys["grad_norm"], keys["hidden"], *display.figure_.legends]
    xlabels = [_extent(ax.xaxis.label) for ax in display.axes_]
    for legend in legends:
        box = _extent(legend)
        assert not any(box.overlaps(panel) for panel in panels)
        assert not any(box.overlaps(label) for label in xlabels)
    for ax in display.axes_:
        assert ax.get_xlabel() == "Epoch" and ax.get_ylabel()
    plt.close(display.figure_)
    # In the user's own axes (no constrained layout) the runs' legend goes
    # to the first panel.
    fig, axes = plt.subplots(1, 4)
    DiagnosticsDisplay.from_history(
        {"mse": nets["mse"].history_, "ce": nets["cross_entropy"].history_},
        axes=axes,
    )
    assert not fig.legends
    assert [t.get_text() for t in axes[0].get_legend().get_texts()] == ["mse", "ce"]
    plt.close(fig)


def test_diagnostics_keys_clear_the_x_labels_with_many_runs(nets):
    """Twelve runs: three rows of legend, panels still as tall as their labels."""
    runs = {f"run {i}": nets[k].history_ for i, k in enumerate(["mse", "relu"] * 6)}
    display = DiagnosticsDisplay.from_history(runs)
    display.figure_.canvas.draw()
    for ax in display.axes_:
        key = ax.get_legend()
        if key is not None:
            assert not _extent(key).overlaps(_extent(ax.xaxis.label))
        ylabel = _extent(ax.yaxis.label)
        assert (
            display.figure_.bbox.y0 <= ylabel.y0 <= ylabel.y1 <= display.figure_.bbox.y1
        )
    (legend,) = display.figure_.legends
    assert not any(
        _extent(legend).overlaps(_extent(ax.xaxis.label)) for ax in display.axes_
    )


def test_diagnostics_given_axes_and_errors(nets):
    history = nets["linear"].history_
    fig, axes = plt.subplots(1, 3)
    display = DiagnosticsDisplay.from_history(history, axes=axes)
    assert list(display.axes_) == list(axes) and display.figure_ is fig
    with pytest.raises(ValueError, match="must hold 3 Axes"):
        DiagnosticsDisplay.from_history(history, axes=axes[:2])
    with pytest.raises(ValueError, match="lacks the diagnostic columns"):
        DiagnosticsDisplay.from_history(history.drop(columns="mean_sigma_prime"))
    with pytest.raises(ValueError, match="lacks the diagnostic columns"):
        DiagnosticsDisplay.from_history(history.drop(columns="grad_norm_0"))


def test_diagnostics_plot_kwargs_override_our_styles(nets):
    display = DiagnosticsDisplay.from_history(
        nets["cross_entropy"].history_, linewidth=2.5, linestyle=":", color="k"
    )
    lines = [line for panel in display.panels_ for line in display.lines_[panel]]
    assert len(lines) == 6  # 2 output panels, 3 layers, 1 hidden line
    assert all(line.get_linewidth() == 2.5 for line in lines)
    assert all(line.get_linestyle() == ":" for line in lines)
    assert all(line.get_color() == "k" for line in lines)
    # Labels stay ours.
    assert display.lines_["grad_norm"][2].get_label() == "layer 2"
