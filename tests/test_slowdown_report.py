"""The report of the single-neuron slowdown: text, dict, HTML page and files."""

import base64
import importlib.util
import sys
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sklearn_losslab import slowdown
from sklearn_losslab.report import (
    slowdown_figures,
    slowdown_html,
    slowdown_report,
    write_slowdown,
)

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
CHECK_OFFLINE = Path(__file__).parents[1] / "docs" / "check_offline.py"


@pytest.fixture(scope="module")
def slow():
    """40 epochs: cross-entropy brings the output below 0.5, MSE does not."""
    return slowdown(epochs=40)


@pytest.fixture(scope="module")
def both():
    """A larger step: both losses bring the output below 0.5."""
    return slowdown(learning_rate=0.6, epochs=80)


@pytest.fixture(scope="module")
def remote_resources():
    spec = importlib.util.spec_from_file_location("check_offline", CHECK_OFFLINE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.remote_resources


class _Images(HTMLParser):
    def __init__(self):
        super().__init__()
        self.images = []

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.images.append(dict(attrs))


def images(page):
    parser = _Images()
    parser.feed(page)
    return parser.images


def one_line(text):
    return " ".join(text.split())


# ------------------------------------------------------------------ text
def test_text_report(slow):
    text = slowdown_report(slow)
    assert "learning rate 0.15, 40 epochs" in text
    assert "mse: never" in text
    first = slow.first_below_half["cross_entropy"]
    assert f"cross_entropy: {first}" in text
    report = slowdown_report(slow, output_dict=True)
    assert {0, first, 40} <= set(report["epochs"])
    outputs, costs = slow.outputs(), slow.costs()
    for epoch, entry in report["epochs"].items():
        assert entry["mse"]["output"] == outputs.loc[epoch, "mse"]
        assert entry["cross_entropy"]["cost"] == costs.loc[epoch, "cross_entropy"]
    chosen = slowdown_report(slow, epochs=[0, 5, 99], output_dict=True)
    assert list(chosen["epochs"]) == [0, 5]
    rows = slowdown_report(slow, epochs=[0, 5]).splitlines()
    assert (
        rows[2].split()
        == "epoch mse a mse cost cross_entropy a cross_entropy cost".split()
    )
    expected = [5, outputs.loc[5, "mse"], costs.loc[5, "mse"]]
    expected += [outputs.loc[5, "cross_entropy"], costs.loc[5, "cross_entropy"]]
    np.testing.assert_allclose([float(v) for v in rows[4].split()], expected, atol=5e-4)
    # The conclusion, wrapped, after the table; every line fits a terminal.
    assert report["conclusion"] in one_line(text)
    assert max(len(line) for line in text.splitlines()[3:]) <= 79


def test_dict_report_holds_the_summary(slow):
    report = slowdown_report(slow, output_dict=True)
    summary = slow.summary()
    assert list(report["summary"]) == ["mse", "cross_entropy"]
    assert report["summary"]["mse"]["first_below_half"] is None
    for loss, entry in report["summary"].items():
        for column, value in summary.loc[loss].items():
            assert entry[column] == (None if pd.isna(value) else value)
    last = report["epochs"][40]
    assert last["mse"]["grad_norm"] is None  # no step after the last epoch
    assert (
        report["epochs"][0]["mse"]["grad_norm"] == summary.at["mse", "start_grad_norm"]
    )


def test_conclusion_reads_the_results_numbers(slow, both):
    s = slow.summary()
    mse, ce = s.loc["mse"], s.loc["cross_entropy"]
    assert slowdown_report(slow, output_dict=True)["conclusion"] == (
        f"Starting from the output a = {mse['start_output']:.3f} for the target 0 "
        f"(sigma'(z) = {mse['start_sigma_prime']:.3g}), cross-entropy needed "
        f"{s.at['cross_entropy', 'first_below_half']} epochs to bring it below "
        "0.5; MSE did not within 40 epochs. The first step's gradient under MSE was "
        f"{mse['grad_vs_cross_entropy']:.3g} times that under cross-entropy (norm "
        f"{mse['start_grad_norm']:.3g} against {ce['start_grad_norm']:.3g}), and "
        f"sigma'(z) = {mse['start_sigma_prime']:.3g} at the start: the factor "
        "MSE's gradient carries and cross-entropy's does not. After 40 epochs "
        f"the output was {mse['final_output']:.3f} under MSE and "
        f"{ce['final_output']:.3f} under cross-entropy."
    )
    first = both.first_below_half
    conclusion = slowdown_report(both, output_dict=True)["conclusion"]
    assert (
        f"MSE needed {first['mse']} epochs and cross-entropy "
        f"{first['cross_entropy']} to bring it below 0.5." in conclusion
    )


def test_conclusion_of_other_starts():
    right = slowdown(w=-2.0, b=-1.0, epochs=3)
    conclusion = slowdown_report(right, output_dict=True)["conclusion"]
    a0 = right.outputs().loc[0, "mse"]
    assert conclusion.startswith(
        f"The neuron started right, with the output a = {a0:.3f} for the target 0 "
        "already below 0.5"
    )
    alone = slowdown_report(slowdown(epochs=3, losses="mse"), output_dict=True)
    assert "MSE did not bring it below 0.5 within 3 epochs." in alone["conclusion"]
    assert "gradient" not in alone["conclusion"]  # no cross-entropy to compare


# ------------------------------------------------------------------ html
def test_html_is_self_contained_and_leads_with_the_conclusion(slow, remote_resources):
    page = slowdown_html(slow, figures=False)
    assert page.startswith("<!DOCTYPE html>") and page.endswith("</html>\n")
    assert remote_resources(page) == []
    assert "<script" not in page and "<link" not in page
    conclusion = slowdown_report(slow, output_dict=True)["conclusion"]
    escaped = conclusion.replace("'", "&#x27;")
    body = page.split("</h1>", 1)[1]
    assert body.lstrip().startswith(f"<p><strong>{escaped}</strong></p>")
    assert not images(page) and "No figures were drawn" in page
    assert "<title>The learning slowdown of one sigmoid neuron</title>" in page


def test_html_without_matplotlib(slow, monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    assert "need matplotlib, which is not installed" in slowdown_html(slow)
    paths = write_slowdown(slow, tmp_path)
    assert sorted(paths) == ["report.html", "slowdown.csv"]
    assert "need matplotlib" in paths["report.html"].read_text(encoding="utf-8")


@pytest.mark.slow
def test_write_slowdown(slow, tmp_path, remote_resources):
    pytest.importorskip("matplotlib")
    paths = write_slowdown(slow, tmp_path)
    assert sorted(paths) == [
        "report.html",
        "slowdown.csv",
        "slowdown.png",
        "slowdown_gradients.png",
    ]
    history = pd.read_csv(paths["slowdown.csv"])
    np.testing.assert_allclose(history["output"], slow.history["output"])
    np.testing.assert_allclose(history["grad_norm"], slow.history["grad_norm"])
    page = paths["report.html"].read_text(encoding="utf-8")
    assert remote_resources(page) == []
    embedded = images(page)
    assert [image["alt"] for image in embedded] == ["slowdown", "slowdown gradients"]
    for image, name in zip(embedded, ["slowdown.png", "slowdown_gradients.png"]):
        src = image["src"]
        assert src.startswith("data:image/png;base64,")
        assert base64.b64decode(src.split(",", 1)[1]) == paths[name].read_bytes()
    # Without figures, none of the earlier run is left behind.
    assert sorted(write_slowdown(slow, tmp_path, figures=False)) == [
        "report.html",
        "slowdown.csv",
    ]
    assert not list(tmp_path.glob("*.png"))


@pytest.mark.slow
def test_figures_legends_hide_no_data(slow):
    pytest.importorskip("matplotlib")
    import matplotlib.pyplot as plt

    from sklearn_losslab.viz._slowdown_report import _gradient_figure

    figures = slowdown_figures(slow)
    assert list(figures) == ["slowdown.png", "slowdown_gradients.png"]
    assert all(png.startswith(PNG_MAGIC) for png in figures.values())
    for figure in (slow.plot(), _gradient_figure(slow)):
        figure.canvas.draw()
        renderer = figure.canvas.get_renderer()
        (legend,) = figure.legends
        box = legend.get_window_extent(renderer)
        for ax in figure.axes:
            assert not box.overlaps(ax.patch.get_window_extent(renderer))
            assert ax.get_xlabel() == "Epoch" and ax.get_ylabel()
            assert ax.get_legend() is None
        texts = [text.get_text() for text in legend.get_texts()]
        assert texts[:2] == ["mse", "cross_entropy"]
        plt.close(figure)
