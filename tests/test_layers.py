"""The architecture as rules: dependencies point one way, modules stay small."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "sklearn_losslab"

#: Layers from the bottom up; a module may import its own layer and those below.
LAYERS = ["nn", "training", "estimator", "io", "lab", "viz", "cli"]
#: Top-level modules that only re-export a layer's public module (any layer).
PUBLIC_PATHS = {
    "activations",
    "losses",
    "optimizers",
    "schedules",
    "compare",
    "report",
    "plotting",
    "streaming",
    "onnx",
    "calibration",
}


def layer_of(parts):
    """The layer of a module, from its dotted path inside the package."""
    if len(parts) > 1 and parts[0] in LAYERS:
        return parts[0]
    name = parts[0]
    if name == "exceptions":
        return "nn"  # every layer may raise the package's exceptions
    if name in ("cli", "__main__", "__init__") or name.startswith("_cli_"):
        return "cli"  # the command line and its helper modules
    if name in PUBLIC_PATHS:
        return "cli"  # the top: may import anything
    return "estimator"  # _logistic_net, _fitting, exceptions, ...


def modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        if parts[-1] == "__init__" and len(parts) > 1:
            parts = parts[:-1] + ("__init__",)
        yield path, parts


def package_imports(path, parts):
    """Dotted paths (inside the package) of what a module imports."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    here = list(parts[:-1])
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = here[: len(here) - node.level + 1]
                target = base + (node.module.split(".") if node.module else [])
            elif node.module and node.module.startswith("sklearn_losslab"):
                target = node.module.split(".")[1:]
            else:
                continue
            if node.level and not node.module:  # from . import name, name
                for alias in node.names:
                    yield base + [alias.name]
            else:
                yield target
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("sklearn_losslab."):
                    yield alias.name.split(".")[1:]


def third_party_imports(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            yield node.module.split(".")[0]


@pytest.mark.parametrize("path, parts", list(modules()), ids=lambda v: str(v))
def test_imports_point_down(path, parts):
    layer = LAYERS.index(layer_of(parts))
    for target in package_imports(path, parts):
        if target == ["__version__"]:
            continue
        target_layer = LAYERS.index(layer_of(target))
        assert target_layer <= layer, (
            f"{'.'.join(parts)} ({LAYERS[layer]}) imports {'.'.join(target)} "
            f"({LAYERS[target_layer]}), a layer above it"
        )


@pytest.mark.parametrize(
    "path", sorted((PACKAGE / "nn").glob("*.py")), ids=lambda p: p.name
)
def test_the_math_never_imports_scikit_learn(path):
    assert "sklearn" not in set(third_party_imports(path))


@pytest.mark.parametrize("path, parts", list(modules()), ids=lambda v: str(v))
def test_modules_stay_small(path, parts):
    n_lines = len(path.read_text(encoding="utf-8").splitlines())
    assert n_lines <= 450, f"{path.name} has {n_lines} lines"


def test_the_layers_are_folders():
    folders = {p.name for p in PACKAGE.iterdir() if p.is_dir() and p.name[0] != "_"}
    assert set(LAYERS) - {"estimator", "cli"} <= folders
