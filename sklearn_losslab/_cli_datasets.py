"""``losslab compare`` on several datasets: the ranks over them and their report.

:func:`dataset_names` reads the ``--dataset`` values (comma-separated or
repeated); with more than one, :func:`compare_many` loads each, runs
:func:`~sklearn_losslab.compare_datasets` and writes the report of
:func:`~sklearn_losslab.report.write_datasets_comparison`. Part of the
command line (:mod:`sklearn_losslab.cli`).
"""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause

from pathlib import Path

__all__ = ["DATASETS_HELP", "compare_many", "dataset_names"]

DATASETS_HELP = """\
Several datasets: give --dataset a comma-separated list (--dataset
iris,wine,breast_cancer) or repeat it. Each dataset is compared as it would
be alone (the same losses, activations, network and settings, on stratified
folds of its own); then the configurations are ranked by their mean test
accuracy on each dataset and the ranks are tested as Demšar (2006) recommends:
the Friedman test (the Wilcoxon signed-rank test for two configurations),
then Holm's comparisons with the best-ranked and Nemenyi's critical
difference. The verdict over the datasets is printed first; with few datasets
it says how little the test can find. CSV or Parquet files may be among the
datasets when they share one --target column name; each file is preprocessed
as when alone. --stream takes one file only. --out gets scores.csv (datasets x
configurations), ranks.csv, summary.csv, critical_difference.png and
report.html, and a folder per dataset with its own report.
"""


def dataset_names(values):
    """Return the datasets of the ``--dataset`` values, in order.

    Each value is split at its commas, unless it names an existing file.
    None (no ``--dataset``) is the default, digits.
    """
    from .io._datasets import InputError

    names = []
    for value in values or ["digits"]:
        if Path(value).is_file():
            names.append(value)
        else:
            names += [name.strip() for name in value.split(",") if name.strip()]
    if not names:
        raise InputError("--dataset names no dataset")
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        raise InputError(f"--dataset gives {', '.join(twice)} twice")
    return names


def compare_many(args, names, net, losses, activations, rates=(0.0,)):
    """Run ``losslab compare`` over several datasets; return the exit code.

    ``rates`` are the label-noise rates of ``--label-noise``.
    """
    from sklearn.pipeline import make_pipeline

    from .cli import _note, _Progress
    from .io._datasets import (
        NAMED_DATASETS,
        InputError,
        check_class_target,
        describe_preprocessing,
        load_dataset,
        table_preprocessor,
    )
    from .lab._multi import compare_datasets
    from .viz._multi_html import write_datasets_comparison
    from .viz._multi_report import datasets_comparison_report

    if args.stream:
        raise InputError("--stream takes one file as --dataset, not several")
    files = [name for name in names if name not in NAMED_DATASETS]
    if args.target is not None and not files:
        raise InputError("--target is only for files, and every --dataset is named")
    keys = _keys(names)
    datasets, described = {}, {}
    for name in names:
        target = args.target if name in files else None
        X, y, description = load_dataset(name, target)
        y = check_class_target(y, target or "target", min_per_class=args.cv)
        described[keys[name]] = description, describe_preprocessing(X)
        datasets[keys[name]] = (_as_frame(X), y)
    n_configurations = len(losses) * len(activations) * len(rates)
    _note(
        args,
        f"{len(names)} datasets ({', '.join(datasets)}): {n_configurations} "
        f"configurations x {args.cv} folds each",
    )
    with _Progress(n_configurations * len(names), args.quiet) as progress:
        result = compare_datasets(
            datasets,
            estimator=make_pipeline(table_preprocessor(), net),
            losses=losses,
            activations=activations,
            cv=args.cv,
            target_accuracy=args.target_accuracy,
            label_noise=list(rates) if len(rates) > 1 else rates[0],
            temperature_scaling=args.temperature_scaling,
            n_jobs=args.n_jobs,
            random_state=args.seed,
            progress=progress.update,
        )
    for key, comparison in result.comparisons.items():
        description, preprocessing = described[key]
        comparison.settings.update(
            dataset=description, estimator=repr(net), preprocessing=preprocessing
        )
    paths = write_datasets_comparison(
        result,
        args.out,
        title=f"Loss comparison over {len(names)} datasets",
        figures=False if args.no_figures else None,
    )
    if not args.quiet:
        print(datasets_comparison_report(result, per_dataset=False), end="")
        folders = [p for p in paths if p.endswith("/")]
        files = [p for p in paths if not p.endswith("/")]
        print(
            f"\nWrote {', '.join(files)} and a folder per dataset with its own "
            f"report ({', '.join(folders)}) to {args.out}"
        )
    return 0


def _keys(names):
    """Short names for the report: the dataset name, or a file's name."""
    short = {name: Path(name).name for name in names}
    counts = list(short.values())
    return {
        name: key if counts.count(key) == 1 else name for name, key in short.items()
    }


def _as_frame(X):
    """A DataFrame, so that one column-finding preprocessing fits every dataset."""
    import pandas as pd

    if isinstance(X, pd.DataFrame):
        return X
    return pd.DataFrame(X, columns=[f"x{i}" for i in range(X.shape[1])])
