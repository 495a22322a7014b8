"""What the per-epoch record of the training loop costs (issue 5).

Every epoch of ``LogisticNet.fit`` records a row of ``history_``: the training
loss, cross-entropy, MSE and accuracy, the output saturation (all measured by
``OutputSums.add`` of ``sklearn_losslab.training._record`` on blocks of
recorded outputs), per-layer gradient norms (sampled on ``GRAD_NORM_BATCHES``
batches), the hidden-unit health of the epoch's first batch
(``hidden_health``), then ``TrainingLoop`` turns the sums into means and
appends the row to its ``History``. The training issue asks that this record cost at
most about 10% of an epoch on small batches.

This script measures that cost by ablation, on LogisticNet's real training
state (``_workloads.TrainingState``), in one process, with one BLAS thread:
``EpochRunner.run_epoch`` is timed as it is and with parts of the record
switched off by monkeypatching ``sklearn_losslab.training._epoch`` and
``OutputSums`` for the duration of one epoch:

- ``OutputSums.add`` replaced by a no-op (all the output metrics, the
  training loss included);
- ``OutputSums.add`` reduced to the training loss (the trained loss's own
  ``loss_from_outputs``, as ``add`` computes it), the one metric that
  ``loss_curve_`` and the stopping rule need (what the diagnostics cost
  beyond it);
- ``GRAD_NORM_BATCHES`` made tiny, so that only the first batch is measured;
  the cost of the ``k`` sampled batches is ``k / (k - 1)`` times the time
  saved (the one that is left is counted back);
- ``hidden_health`` replaced by a function returning NaNs;
- everything above at once.

The variants are interleaved (one epoch each, in an order rotated every
repeat), and each cost is the median of the paired differences with the
unpatched epoch of the same repeat, shown with a 95% confidence interval of
that median (from the order statistics of the differences). The per-epoch
work of ``TrainingLoop`` on the record (``means()``, the row,
``History.append``) is timed directly: it does not depend on the data.

Usage::

    python benchmarks/diagnostics_cost.py                 # A,B,C,D, float64
    python benchmarks/diagnostics_cost.py --workloads A,D --batch-size 16
    python benchmarks/diagnostics_cost.py --dtype float32 --budget 40
"""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause

import argparse
import contextlib
import dataclasses
import os
import time
import warnings

import numpy as np
from _workloads import WORKLOADS, TrainingState, load_data
from sklearn.exceptions import ConvergenceWarning
from threadpoolctl import threadpool_limits

from sklearn_losslab.training import _epoch
from sklearn_losslab.training._history import History
from sklearn_losslab.training._record import OutputSums

SHARE_LIMIT = 0.10  # the training issue: at most ~10% of an epoch
clock = time.perf_counter  # --clock cpu: time.process_time


def _no_add(self, *args, **kwargs):
    return self


def _loss_only_add(
    self, Y, z, a, output_name, loss, sample_weight=None, multilabel=False
):
    """``OutputSums.add`` reduced to the training loss and the total weight.

    The loss's own fast per-sample value, as ``add`` computes it (for
    cross-entropy, ``CrossEntropy().loss_from_outputs(Y, z, a, output_name)``).
    """
    w = sample_weight
    Yf = Y.astype(z.dtype)
    per_sample = loss.loss_from_outputs(Yf, z, a, output_name)
    self.loss += float(per_sample.sum() if w is None else w @ per_sample)
    self.weight += len(z) if w is None else float(w.sum())
    return self


def _no_health(hidden, activation):
    return np.nan, np.nan


#: What each variant patches: (object, attribute, replacement).
OFF_OUTPUTS = [(OutputSums, "add", _no_add)]
LOSS_ONLY = [(OutputSums, "add", _loss_only_add)]
ONE_NORM = [(_epoch, "GRAD_NORM_BATCHES", 1e-300)]  # stride inf: batch 0 only
OFF_HEALTH = [(_epoch, "hidden_health", _no_health)]
VARIANTS = {
    "as is": [],
    "outputs off": OFF_OUTPUTS,
    "loss only": LOSS_ONLY,
    "norms on 1 batch": ONE_NORM,
    "health off": OFF_HEALTH,
    "all off": OFF_OUTPUTS + ONE_NORM + OFF_HEALTH,
}


@contextlib.contextmanager
def patched(patches):
    saved = [(obj, attr, getattr(obj, attr)) for obj, attr, _ in patches]
    for obj, attr, value in patches:
        setattr(obj, attr, value)
    try:
        yield
    finally:
        for obj, attr, value in saved:
            setattr(obj, attr, value)


def timed_epoch(s, patches):
    order = s.next_order()  # outside the clock, as in TrainingLoop
    with patched(patches):
        tic = clock()
        s.run_epoch(order)
        return clock() - tic


def n_norm_batches(s):
    """How many batches the loop measures gradient norms on."""
    stride = max(1, s.n_batches // _epoch.GRAD_NORM_BATCHES)
    return len(range(0, s.n_batches, stride))


def history_row_seconds(s, epochs, repeats=50):
    """Seconds per epoch of ``TrainingLoop``'s work on the record.

    ``OutputSums.means()``, a copy of a history row (for the row's
    construction) and ``History.append``, for the ``epochs`` epochs of one fit
    from an empty ``History`` (the cost of an append grows with the rows
    already recorded); the fastest of ``repeats`` such fits.
    """
    est = s.estimator.set_params(max_iter=2)
    est.fit(s.X, s.y)
    row = {key: column[-1] for key, column in est._history.items()}
    outputs = s.run_epoch().outputs
    best = np.inf
    for _ in range(repeats):
        history = History()
        tic = time.perf_counter()
        for _ in range(epochs):
            outputs.means()
            history.append({**row})
        best = min(best, (time.perf_counter() - tic) / epochs)
    return best


def measure(workload, dtype, budget):
    X, y = load_data(workload, np.dtype(dtype))
    s = TrainingState(workload, X, y)
    for patches in VARIANTS.values():  # warm-up
        timed_epoch(s, patches)
    epoch = timed_epoch(s, [])
    repeats = int(np.clip(budget / (epoch * len(VARIANTS)), 9, 1001))
    names = list(VARIANTS)
    times = {name: [] for name in names}
    for r in range(repeats):
        for name in names[r % len(names) :] + names[: r % len(names)]:
            times[name].append(timed_epoch(s, VARIANTS[name]))
    base = np.array(times["as is"])
    saved = {name: base - np.array(t) for name, t in times.items() if name != "as is"}
    k = n_norm_batches(s)
    scale = k / (k - 1) if k > 1 else np.nan
    costs = {
        "output metrics (OutputSums.add)": saved["outputs off"],
        "  of which beyond the training loss": saved["loss only"],
        f"gradient norms ({k} batches)": saved["norms on 1 batch"] * scale,
        "hidden health (first batch)": saved["health off"],
        "all of the loop's record together": saved["all off"]
        + saved["norms on 1 batch"] * (scale - 1),
    }
    return {
        "workload": workload,
        "dtype": dtype,
        "n_batches": s.n_batches,
        "repeats": repeats,
        "epoch": float(np.median(base)),
        "costs": costs,
        "history row": history_row_seconds(s, workload.epochs),
    }


def median_ci(values):
    """The median and a 95% confidence interval for it (order statistics)."""
    v = np.sort(values)
    n = len(v)
    k = max(int(np.floor((n - 1.96 * np.sqrt(n)) / 2)), 0)
    return float(np.median(v)), float(v[k]), float(v[n - 1 - k])


def _row(*cells):
    print("| " + " | ".join(str(c) for c in cells) + " |")


def report(res):
    epoch = res["epoch"]
    print(
        f"\n### {res['workload'].describe()}, {res['dtype']}: "
        f"{res['n_batches']} batches/epoch, run_epoch {1e3 * epoch:.2f} ms "
        f"(median of {res['repeats']} interleaved repeats)\n"
    )
    _row("part of the record", "ms/epoch", "% of run_epoch", "95% CI of the %")
    print("|---|---|---|---|")

    def pct(x):
        return 100 * x / epoch

    for label, diffs in res["costs"].items():
        med, low, high = median_ci(diffs)
        _row(
            label,
            f"{1e3 * med:.3f}",
            f"{pct(med):.1f}%",
            f"{pct(low):.1f}% to {pct(high):.1f}%",
        )
    hist = res["history row"]
    _row("history row in TrainingLoop (means, row, append)", f"{1e3 * hist:.3f}",
         f"{pct(hist):.1f}%", "")  # fmt: skip
    total = float(np.median(res["costs"]["all of the loop's record together"])) + hist
    beyond = (
        total
        - float(np.median(res["costs"]["output metrics (OutputSums.add)"]))
        + float(np.median(res["costs"]["  of which beyond the training loss"]))
    )
    verdict = "PASS" if total <= SHARE_LIMIT * epoch else "ABOVE 10%"
    print(
        f"\nrecord in total: {1e3 * total:.3f} ms = {pct(total):.1f}% of an epoch "
        f"({verdict}); without the training loss (needed by loss_curve_ and "
        f"the stopping rule): {pct(beyond):.1f}%"
    )
    return {"total": pct(total), "beyond the loss": pct(beyond)}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workloads", default="A,B,C,D")
    parser.add_argument("--dtype", default="float64", choices=["float64", "float32"])
    parser.add_argument(
        "--batch-size", type=int, default=None, help="override the workloads'"
    )
    parser.add_argument(
        "--budget", type=float, default=20.0, help="seconds of epochs per workload"
    )
    parser.add_argument("--clock", default="wall", choices=["wall", "cpu"])
    args = parser.parse_args(argv)
    global clock
    clock = time.process_time if args.clock == "cpu" else time.perf_counter
    warnings.simplefilter("ignore", ConvergenceWarning)
    print(f"1 BLAS thread, clock={args.clock}, load average {os.getloadavg()[0]:.2f}")
    summary = {}
    with threadpool_limits(limits=1):
        for name in args.workloads.upper().split(","):
            workload = WORKLOADS[name.strip()]
            if args.batch_size:
                workload = dataclasses.replace(workload, batch_size=args.batch_size)
            summary[workload.name] = report(measure(workload, args.dtype, args.budget))
    print("\n| workload | record, % of an epoch | beyond the training loss |")
    print("|---|---|---|")
    for name, shares in summary.items():
        _row(name, f"{shares['total']:.1f}%", f"{shares['beyond the loss']:.1f}%")


if __name__ == "__main__":
    main()
