"""Where the time of one LogisticNet epoch goes (issue 5).

For each workload this script builds LogisticNet's real training state (see
``_workloads.TrainingState``: the ``EpochRunner`` and its buffers, the flat
parameter and gradient vectors with their per-layer views, the optimizer, the
generator of the epoch orders) and measures, with one BLAS thread by default:

1. ``EpochRunner.run_epoch`` as a whole, and ``fit`` per epoch. Fits of 1 and
   of ``--fit-epochs`` epochs (by default, as many as take about 0.4 s) split
   ``fit`` into a fixed cost (validation, initialisation) and a cost per
   epoch; what an epoch of ``fit`` costs beyond ``run_epoch`` is the
   per-epoch work of ``EpochLoopMixin._train`` (the shuffle, the divergence
   check, the history row, the stopping rule).
2. The pieces of one epoch: ``_epoch_mirror.mirror_epoch`` repeats ``run_epoch``'s body
   statement for statement, in its order, on the runner's own buffers, with a
   clock between the pieces (gather, GEMMs, bias and activation, output
   delta, bias gradients, gradient norms, optimizer update, the record). The
   clock's own cost is measured and subtracted. What ``run_epoch`` costs
   beyond the sum of the pieces is the loop's own Python (slicing, loop
   control, the per-batch views). Before timing, the mirror replays an epoch
   from the same weights and order as ``run_epoch`` and must end with the same
   weights bit for bit and the same record: the script says so when the loop
   has changed and the mirror no longer follows it.
3. With ``--mlp``, MLPClassifier's pieces on its own internals (gather,
   forward, loss, backward, update), and the "floor" of LogisticNet's epoch:
   its gather plus its GEMMs as a share of MLPClassifier's epoch.
4. With ``--cprofile``, the top functions of a cProfile'd ``fit``.

What the per-epoch record costs is measured by ablation in
``diagnostics_cost.py``.

Usage::

    python benchmarks/profile_epoch.py                     # A,B,C,D, 1 thread
    python benchmarks/profile_epoch.py --workloads B --dtype float32 --mlp
    python benchmarks/profile_epoch.py --workloads A --cprofile --top 25
"""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause

import argparse
import contextlib
import cProfile
import gc
import io
import os
import pstats
import time
import warnings
from statistics import median

import numpy as np
from _epoch_mirror import GATHER, LOOP, PIECES, check_mirror, mirror_epoch, no_lap
from _workloads import WORKLOADS, TrainingState, load_data, make_mlp
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network._base import LOSS_FUNCTIONS
from sklearn.utils import _safe_indexing
from sklearn_losslab._training import EpochRunner
from threadpoolctl import threadpool_limits

clock = time.perf_counter  # --clock cpu: time.process_time


def make_lap():
    """Return ``lap(key)``, which charges the time since the last lap to ``key``,
    and the dict of the times (a closure: about 120 ns a lap)."""
    spent = dict.fromkeys([*PIECES, LOOP], 0.0)
    last = [clock()]

    def lap(key, clock=clock, spent=spent, last=last):
        now = clock()
        spent[key] += now - last[0]
        last[0] = now

    return lap, spent


def lap_cost(number=200_000):
    """Seconds that one lap adds to the interval it closes."""
    lap, _ = make_lap()
    tic = clock()
    for _ in range(number):
        lap(GATHER)
    return (clock() - tic) / number


# ------------------------------------------------------------------- timing
def _seconds(func, *args, collect=True):
    if collect:
        gc.collect()
    tic = clock()
    func(*args)
    return clock() - tic


def time_epochs(s, repeats, counts):
    """Median run_epoch, and the pieces of the mirrored epochs (interleaved).

    No garbage collection between the epochs, as in ``fit``: a full collection
    evicts the caches, which costs C's epoch about 4 ms (25%).
    """
    s.run_epoch()  # warm-up
    whole, bare, runs = [], [], []
    overhead = lap_cost()
    for _ in range(repeats):
        order = s.next_order()  # outside the clock, as in _train
        whole.append(_seconds(s.run_epoch, order, collect=False))
        order = s.next_order()
        with np.errstate(all="ignore"):
            bare.append(_seconds(mirror_epoch, s, order, no_lap, collect=False))
        order = s.next_order()
        lap, spent = make_lap()
        with np.errstate(all="ignore"):
            mirror_epoch(s, order, lap)
        runs.append(spent)
    pieces = {
        key: max(median(r[key] for r in runs) - counts[key] * overhead, 0.0)
        for key in PIECES
        if counts[key]
    }
    return median(whole), median(bare), pieces


def time_fit(s, repeats, epochs):
    """``fit``'s time outside ``run_epoch``: a fixed cost and a cost per epoch.

    ``EpochRunner.run_epoch`` is wrapped with a clock during fits of 1 and of
    ``epochs`` epochs; what is left of each fit is ``fixed + epochs * outside``.
    """
    est, X, y = s.estimator, s.X, s.y
    one, many = est.set_params(max_iter=1), clone(est).set_params(max_iter=epochs)
    inside = [0.0]
    run_epoch = EpochRunner.run_epoch

    def timed_run_epoch(*args, **kwargs):
        tic = clock()
        try:
            return run_epoch(*args, **kwargs)
        finally:
            inside[0] += clock() - tic

    one.fit(X, y)  # warm-up
    total = {1: [], epochs: []}
    rest = {1: [], epochs: []}
    EpochRunner.run_epoch = timed_run_epoch
    try:
        for _ in range(repeats):
            for est_ in (one, many):
                inside[0] = 0.0
                seconds = _seconds(est_.fit, X, y)
                total[est_.max_iter].append(seconds)
                rest[est_.max_iter].append(seconds - inside[0])
    finally:
        EpochRunner.run_epoch = run_epoch
    outside = (median(rest[epochs]) - median(rest[1])) / (epochs - 1)
    shuffle = median(_seconds(s.next_order, collect=False) for _ in range(repeats))
    return {
        "fit per epoch": median(total[epochs]) / epochs,
        "outside": outside,
        "fixed": median(rest[1]) - outside,
        "shuffle": shuffle,
    }


# ---------------------------------------------------------- MLPClassifier
def time_mlp(workload, X, y, repeats, fit_epochs):
    """MLPClassifier's pieces of one epoch, on its own internals."""
    mlp = make_mlp(workload, fit_epochs)
    mlp.fit(X, y)
    fit = median(_seconds(lambda: mlp.fit(X, y)) for _ in range(repeats)) / fit_epochs
    Yb = mlp._label_binarizer.transform(y).astype(bool)
    Yb = Yb.reshape(-1, 1) if Yb.ndim == 1 else Yb
    n, bs = X.shape[0], workload.batch_size
    units = [X.shape[1], *workload.hidden, Yb.shape[1]]
    acts = [X] + [None] * (len(units) - 1)
    deltas = [None] * (len(units) - 1)
    coef_grads = [np.empty((a, b), X.dtype) for a, b in zip(units[:-1], units[1:])]
    intercept_grads = [np.empty(b, X.dtype) for b in units[1:]]
    params = mlp.coefs_ + mlp.intercepts_
    loss_name = "binary_log_loss" if mlp.out_activation_ == "logistic" else "log_loss"
    runs = []
    for _ in range(repeats):
        spent = dict.fromkeys(["gather", "fwd+loss+bwd", "update", "fwd", "loss"], 0)
        idx_all = np.random.RandomState(0).permutation(n)
        for start in range(0, n, bs):
            t0 = clock()
            idx = idx_all[start : start + bs]
            Xb = _safe_indexing(X, idx)
            yb = Yb[idx]
            t1 = clock()
            acts[0] = Xb
            _, cg, ig = mlp._backprop(
                Xb, yb, None, acts, deltas, coef_grads, intercept_grads
            )
            t2 = clock()
            mlp._optimizer.update_params(params, cg + ig)
            t3 = clock()
            mlp._forward_pass(acts)  # again, to split forward / loss / backward
            t4 = clock()
            LOSS_FUNCTIONS[loss_name](yb, acts[-1], None)
            t5 = clock()
            for key, dt in zip(spent, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4)):
                spent[key] += dt
        runs.append(spent)
    med = {k: median(r[k] for r in runs) for k in runs[0]}
    pieces = {
        "gather batch (_safe_indexing)": med["gather"],
        "forward": med["fwd"],
        "loss": med["loss"],
        "backward (incl. output delta)": med["fwd+loss+bwd"] - med["fwd"] - med["loss"],
        "optimizer update": med["update"],
    }
    return {"fit per epoch": fit, "pieces": pieces}


# ----------------------------------------------------------------- reports
def _pct(x, total):
    return f"{100 * x / total:.1f}%"


def _ms(sec):
    return f"{1e3 * sec:.2f}"


def _row(*cells):
    print("| " + " | ".join(str(c) for c in cells) + " |")


def _header(*cells):
    _row(*cells)
    print("|" + "---|" * len(cells))


def report_workload(workload, dtype, args):
    X, y = load_data(workload, np.dtype(dtype))
    s = TrainingState(workload, X, y)
    nb = s.n_batches
    print(f"\n### {workload.describe()}, {dtype}, {nb} batches/epoch\n")
    differs, counts = check_mirror(s)
    if differs:
        print(
            "WARNING: the mirror no longer follows EpochRunner.run_epoch (differs: "
            + ", ".join(differs)
            + "); the pieces below are not those of the current loop.\n"
        )
    else:
        print("mirror check: same weights (bit for bit) and record as run_epoch\n")
    epoch, bare, pieces = time_epochs(s, args.repeats, counts)
    # Fits of about 0.4 s, at least 3 epochs.
    fit_epochs = args.fit_epochs or int(np.clip(round(0.4 / epoch), 3, 20))
    fit = time_fit(s, max(3, args.repeats // 2), fit_epochs)
    print(
        f"run_epoch {_ms(epoch)} ms; fit {_ms(fit['fit per epoch'])} ms per epoch "
        f"over {fit_epochs} epochs ({_ms(fit['fixed'])} ms fixed); the mirror "
        "without clocks "
        f"{_ms(bare)} ms ({bare / epoch - 1:+.1%})\n"
    )
    _header("piece", "kind", "calls", "ms/epoch", "us/batch", "% of run_epoch")
    for key, val in pieces.items():
        us = f"{1e6 * val / nb:.1f}"
        _row(key, PIECES[key], counts[key], _ms(val), us, _pct(val, epoch))
    rest = epoch - sum(pieces.values())
    _row("loop's own Python (run_epoch - pieces)", "loop", "", _ms(rest),
         f"{1e6 * rest / nb:.1f}", _pct(rest, epoch))  # fmt: skip
    outside = fit["outside"]
    _row("per epoch in _train, outside run_epoch", "fit", "", _ms(outside), "",
         _pct(outside, epoch))  # fmt: skip
    _row("  of which the shuffle of the order", "fit", "", _ms(fit["shuffle"]), "",
         _pct(fit["shuffle"], epoch))  # fmt: skip
    _row(f"fit's fixed cost, spread over {fit_epochs} epochs", "fit", "",
         _ms(fit["fixed"] / fit_epochs), "",
         _pct(fit["fixed"] / fit_epochs, epoch))  # fmt: skip
    by_kind = {}
    for key, val in pieces.items():
        by_kind[PIECES[key]] = by_kind.get(PIECES[key], 0.0) + val
    by_kind["loop"] = rest
    print(
        "\nby kind: " + ", ".join(f"{k} {_pct(v, epoch)}" for k, v in by_kind.items())
    )
    floor = sum(v for k, v in pieces.items() if PIECES[k] in ("GEMM", "gather"))
    result = {"run_epoch": epoch, "fit": fit, "pieces": pieces, "n_batches": nb}

    if args.mlp:
        mlp = time_mlp(workload, X, y, max(3, args.repeats // 2), fit_epochs)
        total = mlp["fit per epoch"]
        print(
            f"\nLogisticNet fit / MLPClassifier fit per epoch: "
            f"{fit['fit per epoch'] / total:.2f}; gather + GEMMs alone "
            f"(the floor of this loop): {_ms(floor)} ms = {floor / total:.2f} of "
            f"MLPClassifier's epoch\n"
        )
        print(f"MLPClassifier fit per epoch {_ms(total)} ms\n")
        _header("MLP piece", "ms/epoch", "us/batch", "% of MLP epoch")
        for key, val in mlp["pieces"].items():
            _row(key, _ms(val), f"{1e6 * val / nb:.1f}", _pct(val, total))
        rest = total - sum(mlp["pieces"].values())
        _row("rest (loop, fit set-up)", _ms(rest), "", _pct(rest, total))
        result["mlp"] = mlp

    if args.cprofile:
        est = s.estimator.set_params(max_iter=fit_epochs)
        prof = cProfile.Profile()
        prof.runcall(est.fit, s.X, y)
        buf = io.StringIO()
        pstats.Stats(prof, stream=buf).sort_stats("tottime").print_stats(args.top)
        print("\ncProfile of fit, sorted by own time:\n")
        print("\n".join(buf.getvalue().splitlines()[4:]))
    return result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workloads", default="A,B,C,D")
    parser.add_argument("--dtype", default="float64", choices=["float64", "float32"])
    parser.add_argument("--threads", default="1", choices=["1", "default"])
    parser.add_argument(
        "--clock",
        default="wall",
        choices=["wall", "cpu"],
        help="wall time (perf_counter, 40 ns a call) or process CPU time "
        "(more robust on a busy machine, 200 ns a call)",
    )
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument(
        "--fit-epochs", type=int, default=None, help="default: fits of ~0.4 s"
    )
    parser.add_argument("--mlp", action="store_true", help="also MLPClassifier")
    parser.add_argument("--cprofile", action="store_true")
    parser.add_argument("--top", type=int, default=20)
    args = parser.parse_args(argv)
    global clock
    clock = time.process_time if args.clock == "cpu" else time.perf_counter
    warnings.simplefilter("ignore", ConvergenceWarning)
    limits = (
        threadpool_limits(limits=1) if args.threads == "1" else contextlib.nullcontext()
    )
    print(
        f"threads={args.threads}, clock={args.clock}, repeats={args.repeats}, "
        f"load average {os.getloadavg()[0]:.2f}"
    )
    with limits:
        for name in args.workloads.upper().split(","):
            report_workload(WORKLOADS[name.strip()], args.dtype, args)


if __name__ == "__main__":
    main()
