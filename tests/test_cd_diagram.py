"""CriticalDifferenceDisplay (viz/_cd_diagram), drawn with the Agg backend."""

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from sklearn_losslab.lab._ranks import compare_ranks
from sklearn_losslab.viz._cd_diagram import CriticalDifferenceDisplay

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _scores(n_configurations, n_datasets=15, seed=0):
    rng = np.random.RandomState(seed)
    names = [
        f"{loss} / {act}"
        for loss in ("cross_entropy", "mse", "squentropy", "focal")
        for act in ("relu", "sigmoid", "tanh")
    ][:n_configurations]
    values = 0.03 * np.arange(n_configurations) + 0.04 * rng.normal(
        size=(n_datasets, n_configurations)
    )
    return pd.DataFrame(values, columns=names)


def _overlap(a, b):
    return a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1


@pytest.mark.parametrize("n_configurations", [2, 3, 7, 12])
def test_labels_are_legible(n_configurations):
    display = CriticalDifferenceDisplay.from_scores(_scores(n_configurations))
    display.figure_.canvas.draw()
    axes_box = display.ax_.get_window_extent()
    boxes = [text.get_window_extent() for text in display.labels_.values()]
    for i, box in enumerate(boxes):
        assert axes_box.x0 <= box.x0 and box.x1 <= axes_box.x1, "label cut off"
        assert not any(_overlap(box, other) for other in boxes[i + 1 :])
    # No line of the diagram touches a label.
    for line in display.ax_.get_lines():
        path = line.get_path().transformed(line.get_transform())
        assert not any(path.intersects_bbox(box, filled=False) for box in boxes)


def test_the_diagram_shows_the_comparison():
    scores = _scores(7)
    comparison = compare_ranks(scores)
    display = CriticalDifferenceDisplay.from_scores(scores)
    ranks = comparison.average_ranks
    for name, rank in ranks.items():
        assert display.labels_[name].get_text() == f"{name} ({rank:.2f})"
    # The best half is labelled on the left, the others on the right.
    sides = [display.labels_[name].get_ha() for name in ranks.index]
    assert sides == ["right"] * 4 + ["left"] * 3
    # One bar per group, from its best to its worst average rank.
    assert len(display.bars_) == len(comparison.groups) > 0
    for bar, group in zip(display.bars_, comparison.groups):
        assert_allclose(
            bar.get_xdata(), [ranks[group[0]] - 0.04, ranks[group[-1]] + 0.04]
        )
    texts = [text.get_text() for text in display.ax_.texts]
    assert [str(i) for i in range(1, 8)] == [t for t in texts if t.isdigit()]
    assert f"CD = {comparison.critical_difference:.2f} (α = 0.05)" in texts
    # The CD bar is drawn to the scale of the rank axis.
    (cd_bar,) = [
        line for line in display.ax_.get_lines() if line.get_linewidth() == 1.5
    ]
    assert np.ptp(cd_bar.get_xdata()) == pytest.approx(comparison.critical_difference)


def test_from_comparison_on_a_given_axes():
    scores = _scores(3)
    _, ax = plt.subplots(figsize=(8, 3))
    display = CriticalDifferenceDisplay.from_comparison(
        compare_ranks(scores, alpha=0.1, greater_is_better=False), ax=ax
    )
    assert display.ax_ is ax and display.alpha == 0.1
    assert not ax.axison
    assert display.average_ranks.index[0] == scores.mean().idxmin()
