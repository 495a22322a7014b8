"""docs/check_offline.py, the docs step's check that built pages work offline."""

import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).parents[1] / "docs" / "check_offline.py"


@pytest.fixture(scope="module")
def check():
    spec = importlib.util.spec_from_file_location("check_offline", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    "tag",
    [
        '<script src="https://cdn.jsdelivr.net/npm/mathjax@4/tex-mml-chtml.js">',
        '<script defer src="http://code.jquery.com/jquery.js">',
        '<script src="//cdn.datatables.net/1.13.6/js/jquery.dataTables.min.js">',
        '<SCRIPT SRC=" HTTPS://example.org/a.js ">',
        '<link rel="stylesheet" href="https://cdn.example.org/bootstrap.css">',
        '<link rel="preload" as="script" href="//cdn.example.org/a.js">',
        '<img src="https://example.org/badge.svg">',
        '<iframe src="https://example.org/embed">',
    ],
)
def test_remote_resources_are_found(check, tag):
    assert len(check.remote_resources(f"<html><head>{tag}</head></html>")) == 1


@pytest.mark.parametrize(
    "tag",
    [
        '<script src="_static/mathjax/tex-chtml.js">',
        '<script src="../_static/scripts/theme.js?digest=1">',
        '<script>window.MathJax = {"url": "https://example.org"}</script>',
        '<link rel="stylesheet" href="_static/styles/theme.css">',
        '<link rel="canonical" href="https://example.org/docs/">',
        '<a href="https://scikit-learn.org/stable/glossary.html">glossary</a>',
        '<img src="data:image/png;base64,iVBORw0KGgo=">',
        '<img src="file:///tmp/figure.png">',
    ],
)
def test_local_resources_and_links_pass(check, tag):
    assert check.remote_resources(f"<html><body>{tag}</body></html>") == []


def test_main_fails_on_a_page_with_a_remote_script(check, tmp_path, capsys):
    (tmp_path / "ok.html").write_text('<script src="_static/a.js"></script>')
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "bad.html").write_text(
        '<script src="https://code.jquery.com/jquery-3.7.0.js"></script>'
    )
    assert check.main(["check_offline.py", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "sub/bad.html: remote <script> https://code.jquery.com/" in out
    assert "ok.html" not in out


def test_main_passes_local_pages_and_refuses_an_empty_folder(check, tmp_path):
    assert check.main(["check_offline.py", str(tmp_path)]) == 2
    (tmp_path / "index.html").write_text('<script src="_static/a.js"></script>')
    assert check.main(["check_offline.py", str(tmp_path)]) == 0
