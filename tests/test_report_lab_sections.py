"""The report's held-out, calibration, confusion and label-noise sections."""

import io

import numpy as np
import pytest
from sklearn.datasets import load_iris

from sklearn_losslab import LogisticNet, compare_losses
from sklearn_losslab.report import (
    comparison_figures,
    comparison_html,
    comparison_report,
)

REASON = "not defined for linear outputs (hinge)"
NEW_FIGURES = [
    "heldout_curves.png",
    "label_noise.png",
    "reliability.png",
    "confusion_matrices.png",
]


@pytest.fixture(scope="module")
def result():
    X, y = load_iris(return_X_y=True)
    return compare_losses(
        X, y, losses=("cross_entropy", "hinge"), activations="relu", cv=3,
        label_noise=[0, 0.3], temperature_scaling=True, random_state=0,
    )  # fmt: skip


def test_linear_outputs_read_not_defined_in_every_report(result):
    text = comparison_report(result)
    markdown = comparison_report(result, markdown=True)
    page = comparison_html(result, figures=False)
    hinge = [label for label in result.labels if label.startswith("hinge")]
    for shown in (text, markdown, page):
        assert f"log loss, ECE, Brier score: {REASON}" in shown
        assert "nan" not in shown.replace("nanc", "")
    for label in hinge:
        line = next(ln for ln in text.splitlines() if ln.startswith(label))
        assert "  n/a  " in line  # the log loss column
    on_loss = comparison_report(result, metric="neg_log_loss")
    assert f"Log loss: {REASON}" in " ".join(on_loss.split())
    report = comparison_report(result, output_dict=True)
    assert report["configurations"][hinge[0]]["undefined"] == [
        "neg_log_loss", "ece", "brier", "log_loss",
    ]  # fmt: skip


def test_the_calibration_table(result):
    text = comparison_report(result)
    table = text[text.index("Calibration:") : text.index("Held-out curves")]
    header = table.splitlines()[2]
    assert header.split()[1:4] == ["ECE", "Brier", "log"]
    assert "T" in header.split() and "ECE after T" in header
    assert "10 equal-width bins of the top-label confidence" in " ".join(table.split())
    for _, row in result.summary.iterrows():
        lines = [ln for ln in table.splitlines() if ln.startswith(row.configuration)]
        if row.loss == "hinge":  # no probabilities: said under the summary
            assert not lines
            continue
        line = lines[0]
        expected = [
            f"{row[f'{c}_mean']:.3f} ± {row[f'{c}_std']:.3f}"
            for c in ("ece", "brier", "log_loss", "temperature", "ece_scaled")
        ]
        for cell in expected:
            assert cell in line
    assert "Calibration" not in comparison_report(
        compare_losses(
            *load_iris(return_X_y=True),
            estimator=LogisticNet((2,), max_iter=2),
            losses="hinge",
            activations="relu",
            cv=2,
        )  # fmt: skip
    )


def test_the_heldout_best_epochs(result):
    text = comparison_report(result)
    table = text[text.index("Held-out curves, best epoch:") :]
    for _, row in result.summary.iterrows():
        line = next(ln for ln in table.splitlines() if ln.startswith(row.configuration))
        cells = line[len(row.configuration) :].split()
        assert cells == [
            f"{row.val_best_epoch:g}",
            f"{row.val_best_accuracy:.3f}",
            f"{row.val_final_accuracy:.3f}",
            f"{row.val_best_epoch_loss:g}",
        ]
    page = comparison_html(result, figures=False)
    assert page.index("<h2>Summary</h2>") < page.index("<h2>Calibration</h2>")
    assert page.index("<h2>Calibration</h2>") < page.index("<h2>Held-out curves</h2>")


def test_the_new_figures(result):
    import matplotlib.pyplot as plt

    figures = comparison_figures(result)
    for name in NEW_FIGURES:
        image = plt.imread(io.BytesIO(figures[name]))
        height, width = image.shape[:2]
        assert width >= 600 and height >= 400, name
        assert image[..., :3].std() > 0.05, f"{name} is blank"
    page = comparison_html(result, figures=figures)
    for name in NEW_FIGURES:
        assert f'alt="{name[:-4].replace("_", " ")}"' in page


def test_no_sweep_no_noise_figure_and_ten_classes_legible():
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    X, y = X[:300], y[:300]
    got = compare_losses(
        X, y, estimator=LogisticNet((8,), max_iter=3), losses="cross_entropy",
        activations=("relu", "tanh"), cv=2, random_state=0,
    )  # fmt: skip
    figures = comparison_figures(got)
    assert "label_noise.png" not in figures
    import matplotlib.pyplot as plt

    image = plt.imread(io.BytesIO(figures["confusion_matrices.png"]))
    # Two panels side by side, each wide enough for 10 columns of counts.
    assert image.shape[1] >= 2 * 10 * 30
    assert np.trace(got.confusion_matrices["cross_entropy / relu"]) > 0
