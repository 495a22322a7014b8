"""Sphinx configuration of the sklearn_losslab documentation.

Build (offline, warnings as errors; the gallery runs the examples)::

    python -m sphinx -W --keep-going -b html docs docs/_build/html

The build needs no network, and neither do the built pages: MathJax is served
from the site itself (``sphinx-mathjax-offline``) and no page loads a remote
script (``python docs/check_offline.py docs/_build/html`` checks). Links to
scikit-learn's glossary and API pages are written as plain URLs (see
``_link_to_scikit_learn``); set the environment variable
``LOSSLAB_DOCS_INTERSPHINX=1`` to resolve references to scikit-learn, NumPy,
pandas and matplotlib with intersphinx instead, which downloads their
inventories.
"""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause

import importlib.util
import os
import re
from pathlib import Path

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.directives.other import TocTree
from sphinx.util.docutils import SphinxDirective

import sklearn_losslab

HERE = Path(__file__).parent

project = "sklearn_losslab"
author = "The sklearn_losslab developers"
copyright = "The sklearn_losslab developers"
release = sklearn_losslab.__version__
version = release

extensions = [
    "numpydoc",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    # MathJax served from the built site (_static/mathjax), not from a CDN.
    "sphinx-mathjax-offline",
    "sphinx_gallery.gen_gallery",
]

templates_path = ["_templates"]
exclude_patterns = ["_build", "**.ipynb_checkpoints", "sg_execution_times.rst"]
root_doc = "index"
default_role = "literal"

# -- API reference ------------------------------------------------------------
autosummary_generate = True
autodoc_default_options = {"members": True, "inherited-members": False}
autodoc_typehints = "none"
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
add_module_names = False

# -- Gallery --------------------------------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": "/plot_",
    "doc_module": ("sklearn_losslab",),
    "backreferences_dir": "generated/backreferences",
    "within_subsection_order": "FileNameSortKey",
    "download_all_examples": False,
    "remove_config_comments": True,
    "matplotlib_animations": False,
    "show_memory": False,
    "abort_on_example_error": True,
    "plot_gallery": "True",
    # The execution-times page loads jQuery and DataTables from CDNs; the
    # built site loads no remote script (docs/check_offline.py checks).
    "write_computation_times": False,
}

# -- HTML -------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"sklearn_losslab {release}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "secondary_sidebar_items": ["page-toc"],
    # The search as an icon (Ctrl+K still opens it): with the full search
    # field the header does not fit on one row at 1280 px.
    "navbar_persistent": ["search-button"],
}
#: Pages with no sub-pages: beside them the section navigation would be an
#: empty column; the gallery and the API reference keep theirs.
SINGLE_PAGES = [
    "index",
    "user_guide",
    "losses",
    "how_to_add_a_loss",
    "scaling",
    "onnx",
    "performance",
    "guarantees",
    "cli",
]
html_sidebars = {"**": ["sidebar-nav-bs"], **dict.fromkeys(SINGLE_PAGES, [])}
html_static_path = []
html_show_sourcelink = False

# -- References to other projects --------------------------------------------
SKLEARN_URL = "https://scikit-learn.org/stable/"
#: Labels of scikit-learn's documentation used by docstrings we inherit (the
#: ``set_*_request`` methods of metadata routing).
SKLEARN_LABELS = {"metadata_routing": "metadata_routing.html"}

if os.environ.get("LOSSLAB_DOCS_INTERSPHINX") == "1":
    extensions.append("sphinx.ext.intersphinx")
    intersphinx_mapping = {
        "python": ("https://docs.python.org/3", None),
        "numpy": ("https://numpy.org/doc/stable/", None),
        "scipy": ("https://docs.scipy.org/doc/scipy/", None),
        "pandas": ("https://pandas.pydata.org/pandas-docs/stable/", None),
        "sklearn": (SKLEARN_URL, None),
        "matplotlib": ("https://matplotlib.org/stable/", None),
    }


def _link_to_scikit_learn(app, env, node, contnode):
    """Resolve glossary terms, a few labels and ``sklearn.*`` objects to
    scikit-learn's site.

    Our docstrings use scikit-learn's wording, ``:term:`random_state``` and
    ``:class:`~sklearn.neural_network.MLPClassifier``` included, and inherit
    the ``set_*_request`` methods whose docstrings refer to scikit-learn's user
    guide. Without intersphinx (which needs the network) terms and labels
    would be unresolved references, warnings; here they become plain links.
    """
    target = node.get("reftarget", "")
    if node.get("refdomain") == "std" and node.get("reftype") == "term":
        uri = f"{SKLEARN_URL}glossary.html#term-{target.replace(' ', '-')}"
    elif node.get("refdomain") == "std" and target in SKLEARN_LABELS:
        uri = SKLEARN_URL + SKLEARN_LABELS[target]
    elif node.get("refdomain") == "py" and target.startswith("sklearn."):
        parts = target.split(".")
        # sklearn.module.Object(.method): the page is the object's.
        depth = next(
            (i for i, part in enumerate(parts) if part[:1].isupper()), len(parts) - 1
        )
        page = ".".join(parts[: depth + 1])
        uri = f"{SKLEARN_URL}modules/generated/{page}.html#{target}"
    else:
        return None
    reference = nodes.reference("", "", internal=False, refuri=uri)
    reference += contnode
    return reference


# -- Pages and names that other branches add ------------------------------------
def _has_module(name):
    try:
        return importlib.util.find_spec(name) is not None
    except ImportError:
        return False


#: Pages listed in the table of contents only once they exist: the pages of
#: the benchmark and reliability work, and the command line's page once the
#: command is there (``cli.rst`` is an orphan until then).
OPTIONAL_PAGES = {
    "guarantees": lambda: (HERE / "guarantees.rst").exists(),
    "performance": lambda: (HERE / "performance.rst").exists(),
    "cli": lambda: _has_module("sklearn_losslab.cli"),
}


class OptionalPagesTocTree(TocTree):
    """A toctree that leaves out the ``OPTIONAL_PAGES`` not written yet."""

    def run(self):
        keep = [
            i
            for i, line in enumerate(self.content)
            if line.strip() not in OPTIONAL_PAGES or OPTIONAL_PAGES[line.strip()]()
        ]
        self.content = StringList(
            [self.content[i] for i in keep],
            items=[self.content.items[i] for i in keep],
        )
        return super().run()


class RemainingPublicNames(SphinxDirective):
    """Document the names of ``sklearn_losslab.__all__`` the page does not list.

    The API page lists the public names by topic in autosummary tables. A name
    added to ``__all__`` without being added there (by a branch merged later)
    is documented here with autodoc, so that every public name is in the
    reference and the build never depends on a name that does not exist yet.
    """

    def run(self):
        source = Path(self.env.doc2path(self.env.docname)).read_text()
        listed = set(re.findall(r"^\s{3,}(\w+)\s*$", source, flags=re.MULTILINE))
        remaining = [
            name
            for name in sklearn_losslab.__all__
            if name not in listed and not name.startswith("_")
        ]
        if not remaining:
            return []
        lines = [".. rubric:: Other public names", ""]
        for name in remaining:
            obj = getattr(sklearn_losslab, name)
            kind = "autoclass" if isinstance(obj, type) else "autofunction"
            lines += [f".. {kind}:: sklearn_losslab.{name}", ""]
        container = nodes.container()
        self.state.nested_parse(
            StringList(lines, source="<api: remaining names>"), 0, container
        )
        return container.children


def setup(app):
    app.add_directive("optional-pages-toctree", OptionalPagesTocTree)
    app.add_directive("remaining-public-names", RemainingPublicNames)
    app.connect("missing-reference", _link_to_scikit_learn, priority=900)
