"""The ``losslab`` command line: compare losses, show the single-neuron slowdown.

``losslab compare`` cross-validates LogisticNet under each loss and hidden
activation, prints the summary table and writes tables, figures and a
self-contained HTML report to a folder; ``losslab slowdown`` runs the
single-neuron demonstration and writes its report to a folder of its own.
Also available as ``python -m sklearn_losslab``.
Bad input ends with a one-line ``losslab: error: ...`` and exit code 2.
"""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause

import argparse
import os
import sys
import warnings

from . import __version__
from ._cli_datasets import DATASETS_HELP

__all__ = ["build_parser", "main"]

COMPARE_HELP = """\
Cross-validate LogisticNet (standardised numeric columns, one-hot encoded
text columns) under each loss and hidden activation, on the same stratified
folds. Print the verdict first: which configurations are indistinguishable
from the best and by how much the others differ, with 95% intervals, by the
corrected resampled t-test (Nadeau and Bengio, 2003) with Holm's adjustment
over all the pairs (with a --label-noise sweep, at each rate: over that rate's
pairs); then the summary (scores, epochs run, epochs to the target training
accuracy) and the pairwise tests. Write summary.csv, folds.csv,
tests.csv, PNG figures and a self-contained report.html to --out.
"""

STREAM_HELP = """\
With --stream, --dataset must be a CSV or Parquet file, which is never loaded
whole. A first pass reads it chunk by chunk (--chunksize rows each; for
Parquet, one batch per --chunksize rows of a row group) to check it and to
collect the classes and the mean and variance of the feature columns, which
must be numeric (missing values become the mean). A --test-fraction of the
rows, spread evenly through the file (every fifth row for 0.2), is held out;
each configuration's LogisticNet is trained with fit_stream for --max-iter
epochs over the rest of each chunk and scored once on the held-out rows. No
cross-validation (--cv and --n-jobs are ignored) and so no significance
test: the report says so. The chunks are read in file order: shuffle a file
sorted by class or time beforehand. An error in the file names its row
(counted from 1 after the header) or line.
"""


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line, without the usage."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


#: Each command's default output folder: its own, so that neither overwrites
#: the other's report.html.
DEFAULT_OUT = {
    "compare": "losslab-output",
    "slowdown": os.path.join("losslab-output", "slowdown"),
}


def _add_common(parser, command):
    parser.add_argument(
        "--out",
        default=DEFAULT_OUT[command],
        metavar="DIR",
        help="folder for the tables, figures and report.html (default: %(default)s)",
    )
    parser.add_argument(
        "--no-figures", action="store_true", help="write no PNG figures"
    )
    parser.add_argument(
        "-q", "--quiet", action="store_true", help="print nothing but errors"
    )


def build_parser():
    """Return the argument parser of the ``losslab`` command."""
    from .nn.losses import LOSSES

    parser = _Parser(
        prog="losslab",
        description="Does cross-entropy beat MSE here, and why? Measure it.",
    )
    parser.add_argument(
        "--version", action="version", version=f"%(prog)s {__version__}"
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    compare = commands.add_parser(
        "compare",
        help="cross-validate each loss and activation; write a report",
        description=COMPARE_HELP,
        epilog=STREAM_HELP + "\n" + DATASETS_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    compare.add_argument(
        "--dataset",
        action="append",
        help="digits, breast_cancer, iris, wine, or a CSV/Parquet file "
        "(default: digits); several, comma-separated or repeated, are compared "
        "over datasets (see below)",
    )
    compare.add_argument("--target", help="the class column of a file")
    compare.add_argument(
        "--losses",
        default="mse,cross_entropy",
        help="comma-separated, from " + ", ".join(LOSSES) + " (default: %(default)s)",
    )
    compare.add_argument(
        "--activations",
        default="sigmoid,relu",
        help="hidden activations, comma-separated (default: %(default)s)",
    )
    compare.add_argument(
        "--hidden",
        default="32",
        help="hidden layer sizes, comma-separated; 0 for none (default: %(default)s)",
    )
    compare.add_argument("--cv", type=int, default=5, help="folds (default: 5)")
    compare.add_argument(
        "--max-iter", type=int, default=40, help="epochs per fit (default: 40)"
    )
    compare.add_argument(
        "--batch-size", type=int, default=32, help="mini-batch size (default: 32)"
    )
    compare.add_argument(
        "--target-accuracy",
        type=float,
        default=0.9,
        help="training accuracy whose first epoch is reported (default: 0.9)",
    )
    compare.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    compare.add_argument(
        "--n-jobs", type=int, default=None, help="folds fitted in parallel"
    )
    compare.add_argument(
        "--label-noise",
        default="0",
        metavar="RATES",
        help="share of each training fold's labels flipped to another class; "
        "several, comma-separated, for a sweep, e.g. 0,0.2,0.4 (default: 0)",
    )
    compare.add_argument(
        "--temperature-scaling",
        action="store_true",
        help="also report calibration after temperature scaling, fitted on 20%% "
        "of each training fold held out of training",
    )
    compare.add_argument(
        "--stream", action="store_true", help="train chunk by chunk (see below)"
    )
    compare.add_argument(
        "--test-fraction",
        type=float,
        default=0.2,
        help="with --stream, share of rows held out (default: 0.2)",
    )
    compare.add_argument(
        "--chunksize",
        type=int,
        default=10_000,
        help="with --stream, rows per chunk (default: 10000)",
    )
    _add_common(compare, "compare")
    compare.set_defaults(func=_compare)

    slow = commands.add_parser(
        "slowdown",
        help="the single-neuron demo: why MSE learns slowly when saturated",
        description=(
            "Train one sigmoid neuron (input 1, target 0) from (w, b) with MSE "
            "and with cross-entropy; print its output and cost per epoch, the "
            "epoch each loss brings the output below 0.5 and the conclusion in "
            "words; write slowdown.csv, the figures slowdown.png and "
            "slowdown_gradients.png, and a self-contained report.html to --out."
        ),
    )
    slow.add_argument("--w", type=float, default=2.0, help="start weight (default: 2)")
    slow.add_argument("--b", type=float, default=2.0, help="start bias (default: 2)")
    slow.add_argument(
        "--learning-rate", type=float, default=0.15, help="(default: 0.15)"
    )
    slow.add_argument("--epochs", type=int, default=300, help="(default: 300)")
    _add_common(slow, "slowdown")
    slow.set_defaults(func=_slowdown)
    return parser


def main(argv=None):
    """Run the ``losslab`` command and return its exit code.

    Parameters
    ----------
    argv : list of str, default=None
        The arguments; None reads ``sys.argv[1:]``.

    Returns
    -------
    code : int
        0 on success, 2 on bad input (after printing one line to stderr),
        130 when interrupted.
    """
    from .io._datasets import InputError

    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # --help, --version and usage errors
        return exc.code if isinstance(exc.code, int) else 0
    if "matplotlib.pyplot" not in sys.modules:
        os.environ.setdefault("MPLBACKEND", "Agg")  # files only, no window
    try:
        with warnings.catch_warnings():
            if args.quiet:
                warnings.simplefilter("ignore")
            warnings.showwarning = _WarningPrinter()
            return args.func(args)
    except KeyboardInterrupt:
        print("losslab: interrupted", file=sys.stderr)
        return 130
    except (InputError, OSError, ImportError, ValueError) as exc:
        # The notes too (fit_stream's names the batch), all on one line.
        text = " ".join([str(exc), *getattr(exc, "__notes__", [])])
        message = " ".join(text.split()) or type(exc).__name__
        print(f"losslab: error: {message}", file=sys.stderr)
        return 2


class _WarningPrinter:
    """Print each distinct warning once, as one ``losslab: warning:`` line."""

    def __init__(self):
        self.seen = set()

    def __call__(self, message, category, filename, lineno, file=None, line=None):
        lines = [text.strip() for text in str(message).splitlines() if text.strip()]
        text = lines[0] if len(lines) == 1 else f"{lines[0]} ... {lines[-1]}"
        if text not in self.seen:
            self.seen.add(text)
            print(f"losslab: warning: {text}", file=sys.stderr)


def _compare(args):
    from sklearn.pipeline import make_pipeline

    from ._cli_args import check_ranges, hidden_sizes, names, rates
    from ._cli_datasets import compare_many, dataset_names
    from ._logistic_net import LogisticNet
    from .io._datasets import (
        NAMED_DATASETS,
        InputError,
        check_class_target,
        check_file,
        describe_preprocessing,
        load_dataset,
        preprocessor,
    )
    from .io.streaming import batches_from_file
    from .lab._stream_compare import compare_losses_stream
    from .lab.compare import compare_losses
    from .nn.activations import ACTIVATIONS
    from .nn.losses import LOSSES
    from .viz.report import comparison_report, write_comparison

    losses = names(args.losses, LOSSES, "loss")
    activations = names(args.activations, ACTIVATIONS, "activation")
    check_ranges(args)
    net = LogisticNet(
        hidden_sizes(args.hidden),
        batch_size=args.batch_size,
        max_iter=args.max_iter,
        random_state=args.seed,
    )
    noise = rates(args.label_noise)
    n_configurations = len(losses) * len(activations) * len(noise)
    datasets = dataset_names(args.dataset)
    if len(datasets) > 1:
        return compare_many(args, datasets, net, losses, activations, noise)
    args.dataset = datasets[0]
    if args.stream:
        if noise != [0.0] or args.temperature_scaling:
            raise InputError("--label-noise and --temperature-scaling need no --stream")
        if args.dataset in NAMED_DATASETS:
            raise InputError("--stream needs a CSV or Parquet file as --dataset")
        path = check_file(args.dataset, args.target)
        batches = batches_from_file(path, target=args.target, rows=args.chunksize)
        description = f"{path.name} (target {args.target!r}, streamed)"
        with _Progress(n_configurations * args.max_iter, args.quiet) as progress:
            _note(args, f"streaming {path.name}: {n_configurations} configurations")
            result = compare_losses_stream(
                batches,
                net,
                losses=losses,
                activations=activations,
                epochs=args.max_iter,
                test_fraction=args.test_fraction,
                target_accuracy=args.target_accuracy,
                progress=progress.update,
            )
    else:
        X, y, description = load_dataset(args.dataset, args.target)
        y = check_class_target(y, args.target or "target", min_per_class=args.cv)
        preprocessing = describe_preprocessing(X)
        _note(
            args,
            f"{description}: {n_configurations} configurations x {args.cv} folds",
        )
        with _Progress(n_configurations, args.quiet) as progress:
            result = compare_losses(
                X,
                y,
                estimator=make_pipeline(preprocessor(X), net),
                losses=losses,
                activations=activations,
                cv=args.cv,
                target_accuracy=args.target_accuracy,
                n_jobs=args.n_jobs,
                random_state=args.seed,
                progress=progress.update,
                label_noise=noise if len(noise) > 1 else noise[0],
                temperature_scaling=args.temperature_scaling,
            )
    result.settings = {"dataset": description, **result.settings}
    if not args.stream:  # the estimator without the preprocessing, said in words
        result.settings["estimator"] = repr(net)
        result.settings["preprocessing"] = preprocessing
    paths = write_comparison(
        result,
        args.out,
        title=f"Loss comparison on {description}",
        figures=False if args.no_figures else None,
    )
    if not args.quiet:
        print(comparison_report(result), end="")
        print(f"\nWrote {', '.join(paths)} to {args.out}")
    return 0


def _slowdown(args):
    from .lab.slowdown import slowdown
    from .viz.report import slowdown_report, write_slowdown

    result = slowdown(
        w=args.w, b=args.b, learning_rate=args.learning_rate, epochs=args.epochs
    )
    paths = write_slowdown(result, args.out, figures=False if args.no_figures else None)
    if not args.quiet:
        print(slowdown_report(result), end="")
        print(f"\nWrote {', '.join(paths)} to {args.out}")
    return 0


def _note(args, message):
    if not args.quiet:
        print(f"losslab: {message}", file=sys.stderr, flush=True)


class _Progress:
    """Progress on stderr: rich's bar on a terminal, plain lines otherwise."""

    def __init__(self, total, quiet):
        self.total, self.quiet = total, quiet
        self._bar = None

    def __enter__(self):
        if self.quiet or not sys.stderr.isatty():
            return self
        try:
            from rich.console import Console
            from rich.progress import Progress
        except ImportError:
            return self
        self._bar = Progress(console=Console(file=sys.stderr), transient=True)
        self._bar.start()
        self._task = self._bar.add_task("comparing", total=self.total)
        return self

    def update(self, done, total, label):
        if self.quiet:
            return
        if self._bar is not None:
            self._bar.update(self._task, completed=done, description=label)
        else:
            print(
                f"losslab: [{done}/{total}] {label} done", file=sys.stderr, flush=True
            )

    def __exit__(self, *exc_info):
        if self._bar is not None:
            self._bar.stop()
        return False
