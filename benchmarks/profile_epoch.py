"""Where the time of one LogisticNet epoch goes (issue 5).

For each workload this script builds LogisticNet's real training state (the
``EpochRunner`` and its buffers, the parameters, the optimizer) and measures:

1. ``EpochRunner.run_epoch`` itself, and ``fit`` per epoch (the difference is
   the per-epoch work of ``LogisticNet._train`` plus ``fit``'s fixed cost);
2. the pieces of one epoch, walking the batches in ``run_epoch``'s order and
   calling the package's own functions (``_network.forward``,
   ``loss_from_logits``, ``EpochRunner.hits``, ``_network.output_delta``,
   ``_network.backward``, ``optimizer.update_params``) with a clock between
   them; what ``run_epoch`` costs beyond their sum is the loop's Python
   overhead;
3. the statements inside ``forward`` and ``backward`` one by one on full
   batches (matrix products, bias additions, activations), to split GEMM
   time from elementwise time;
4. with ``--mlp``, MLPClassifier's pieces the same way (gather, forward, loss,
   backward, update) on its own internals;
5. with ``--cprofile``, the top functions of a cProfile'd ``fit``.

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
import pstats
import time
import warnings
from functools import partial
from statistics import median

import numpy as np
from _workloads import WORKLOADS, load_data, make_mlp, training_state
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network._base import LOSS_FUNCTIONS
from sklearn.utils import _safe_indexing
from threadpoolctl import threadpool_limits

from sklearn_losslab import _network as net

clock = time.process_time  # --clock wall: time.perf_counter
PIECES = [
    "gather batch",
    "forward",
    "loss",
    "accuracy",
    "output delta",
    "backward",
    "optimizer update",
]


def _median_seconds(func, repeats):
    times = []
    for _ in range(repeats):
        gc.collect()
        tic = clock()
        func()
        times.append(clock() - tic)
    return median(times)


def _clock_overhead():
    n = 100_000
    tic = clock()
    for _ in range(n):
        clock()
    return (clock() - tic) / n


# ----------------------------------------------------------- whole epochs
def time_whole(s, repeats, fit_epochs):
    """Median run_epoch time, and fit time per epoch."""
    r = s.runner
    args = (s.coefs, s.intercepts, s.grads, s.optimizer)
    n = s.X.shape[0]

    def one_epoch():
        with np.errstate(all="ignore"):
            r.run_epoch(s.X, s.Y, None, s.rng.permutation(n), *args)

    one_epoch()  # warm-up
    run_epoch = _median_seconds(one_epoch, repeats)
    est = s.estimator.set_params(max_iter=fit_epochs)
    X, y = s.X, s.y
    est.fit(X, y)
    fit = _median_seconds(lambda: est.fit(X, y), max(3, repeats // 2)) / fit_epochs
    return {"run_epoch": run_epoch, "fit per epoch": fit}


# ------------------------------------------------------- pieces of an epoch
def time_pieces(s):
    """One epoch in run_epoch's order, with a clock between the pieces."""
    r, X, Y = s.runner, s.X, s.Y
    coefs, intercepts = s.coefs, s.intercepts
    coef_grads, intercept_grads = s.grads
    params, flat_grads = coefs + intercepts, coef_grads + intercept_grads
    loss, name = r.loss, r.output.name
    n, bs = X.shape[0], r.batch_size
    order = s.rng.permutation(n)
    spent = dict.fromkeys(PIECES, 0.0)
    n_batches = 0
    with np.errstate(all="ignore"):
        for start in range(0, n, bs):
            t0 = clock()
            stop = min(start + bs, n)
            m = stop - start
            idx = order[start:stop]
            Xb = np.take(X, idx, axis=0, out=r.x_buf[:m])
            Yb = np.take(Y, idx, axis=0, out=r.y_buf[:m])
            Yf = r.y_float[:m]
            np.copyto(Yf, Yb)
            t1 = clock()
            acts, z_out = net.forward(
                Xb, coefs, intercepts, r.hidden, r.output, r.acts, r.z_out
            )
            t2 = clock()
            float(loss.loss_from_logits(Yf, z_out, name).sum())
            t3 = clock()
            float(np.count_nonzero(r.hits(Yf, z_out)))
            t4 = clock()
            delta = net.output_delta(Yf, acts, r.output, loss, None, r.deltas[-1])
            t5 = clock()
            net.backward(
                acts,
                delta,
                coefs,
                r.hidden,
                r.alpha,
                1.0 / m,
                r.deltas,
                coef_grads,
                intercept_grads,
            )
            t6 = clock()
            s.optimizer.update_params(params, flat_grads)
            t7 = clock()
            for key, dt in zip(
                PIECES,
                (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4, t6 - t5, t7 - t6),
            ):
                spent[key] += dt
            n_batches += 1
    return spent, n_batches


def time_pieces_median(s, repeats):
    runs = [time_pieces(s) for _ in range(repeats)]
    n_batches = runs[0][1]
    overhead = _clock_overhead()
    return {
        key: max(median(run[0][key] for run in runs) - n_batches * overhead, 0.0)
        for key in PIECES
    }, n_batches


# ---------------------------------------- the statements of forward/backward
def _per_call(func, number):
    """Median seconds per call of ``func`` over 5 rounds of ``number`` calls."""
    func()
    rounds = []
    for _ in range(5):
        tic = clock()
        for _ in range(number):
            func()
        rounds.append((clock() - tic) / number)
    return median(rounds)


def statement_costs(s, number):
    """Seconds per call of each statement of forward and backward (full batch)."""
    r = s.runner
    bs = r.batch_size
    Xb = np.ascontiguousarray(s.X[:bs])
    Yf = r.y_float[:bs]
    np.copyto(Yf, s.Y[:bs])
    coefs, intercepts = s.coefs, s.intercepts
    coef_grads, intercept_grads = s.grads
    with np.errstate(all="ignore"):
        acts, z_out = net.forward(
            Xb, coefs, intercepts, r.hidden, r.output, r.acts, r.z_out
        )
        delta = net.output_delta(Yf, acts, r.output, r.loss, None, r.deltas[-1])
    last = len(coefs) - 1
    rows = []

    def add(label, kind, func, *args, **kwargs):
        with np.errstate(all="ignore"):
            sec = _per_call(partial(func, *args, **kwargs), number)
        rows.append((label, kind, sec))

    for i in range(last + 1):
        a_in, w, b = acts[i], coefs[i], intercepts[i]
        z = r.z_out if i == last else acts[i + 1]
        shape = f"({a_in.shape[0]}x{a_in.shape[1]})@({w.shape[0]}x{w.shape[1]})"
        add(f"forward L{i}: matmul {shape}", "gemm", net._matmul, a_in, w, z)
        add(f"forward L{i}: += bias", "elementwise", np.add, z, b, out=z)
        if i < last:
            add(
                f"forward L{i}: {r.hidden.name}",
                "elementwise",
                r.hidden.forward,
                z,
                out=z,
            )
    add(
        f"forward: output {r.output.name}",
        "elementwise",
        r.output.forward,
        z_out,
        out=acts[-1],
    )
    add(
        "output_delta (a - y) / n",
        "elementwise",
        net.output_delta,
        Yf,
        acts,
        r.output,
        r.loss,
        None,
        r.deltas[-1],
    )
    for i in range(last, -1, -1):
        d = delta if i == last else r.deltas[i]
        add(
            f"backward L{i}: grad W = a.T @ delta",
            "gemm",
            np.dot,
            acts[i].T,
            d,
            out=coef_grads[i],
        )
        add(
            f"backward L{i}: grad b = sum(delta)",
            "elementwise",
            np.sum,
            d,
            axis=0,
            out=intercept_grads[i],
        )
        if i > 0:
            prev = r.deltas[i - 1]
            add(f"backward L{i}: delta @ W.T", "gemm", np.dot, d, coefs[i].T, out=prev)
            add(
                f"backward L{i}: {r.hidden.name}.backward",
                "elementwise",
                r.hidden.backward,
                acts[i],
                prev,
            )
    add(
        "loss_from_logits(...).sum()",
        "bookkeeping",
        lambda: float(r.loss.loss_from_logits(Yf, z_out, r.output.name).sum()),
    )
    add(
        "hits + count_nonzero",
        "bookkeeping",
        lambda: float(np.count_nonzero(r.hits(Yf, z_out))),
    )
    params = s.coefs + s.intercepts
    flat = list(coef_grads) + list(intercept_grads)
    add("optimizer.update_params", "update", s.optimizer.update_params, params, flat)
    return rows


# ---------------------------------------------------------- MLPClassifier
def time_mlp(workload, X, y, repeats, fit_epochs):
    """MLPClassifier's pieces of one epoch, on its own internals."""
    mlp = make_mlp(workload, fit_epochs)
    mlp.fit(X, y)
    fit = _median_seconds(lambda: mlp.fit(X, y), max(3, repeats // 2)) / fit_epochs
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
    keys = ["gather batch", "forward + loss + backward", "optimizer update"]
    runs, split = [], []
    for _ in range(repeats):
        spent = dict.fromkeys(keys, 0.0)
        fwd = lossing = 0.0
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
            spent["gather batch"] += t1 - t0
            spent["forward + loss + backward"] += t2 - t1
            spent["optimizer update"] += t3 - t2
            fwd += t4 - t3
            lossing += t5 - t4
        runs.append(spent)
        split.append((fwd, lossing))
    pieces = {k: median(run[k] for run in runs) for k in keys}
    fwd, lossing = median(f for f, _ in split), median(lo for _, lo in split)
    pieces = {
        "gather batch": pieces["gather batch"],
        "forward": fwd,
        "loss": lossing,
        "backward (incl. output delta)": (
            pieces["forward + loss + backward"] - fwd - lossing
        ),
        "optimizer update": pieces["optimizer update"],
    }
    return {"fit per epoch": fit, "pieces": pieces}


# ----------------------------------------------------------------- reports
def _pct(x, total):
    return f"{100 * x / total:.1f}%"


def _row(*cells):
    print("| " + " | ".join(str(c) for c in cells) + " |")


def _header(*cells):
    _row(*cells)
    print("|" + "---|" * len(cells))


def report_workload(workload, dtype, args):
    X, y = load_data(workload, np.dtype(dtype))
    s = training_state(workload, X, y)
    s.y = y
    whole = time_whole(s, args.repeats, args.fit_epochs)
    pieces, n_batches = time_pieces_median(s, args.repeats)
    epoch = whole["run_epoch"]
    ms = lambda sec: f"{1e3 * sec:.2f}"  # noqa: E731
    us_batch = lambda sec: f"{1e6 * sec / n_batches:.1f}"  # noqa: E731
    print(f"\n### {workload.describe()}, {dtype}, {n_batches} batches/epoch\n")
    print(f"fit per epoch {ms(whole['fit per epoch'])} ms; run_epoch {ms(epoch)} ms\n")
    _header("piece", "ms/epoch", "us/batch", "% of run_epoch")
    for key, val in pieces.items():
        _row(key, ms(val), us_batch(val), _pct(val, epoch))
    rest = epoch - sum(pieces.values())
    _row(
        "loop overhead (run_epoch - pieces)",
        ms(rest),
        us_batch(rest),
        _pct(rest, epoch),
    )
    outside = whole["fit per epoch"] - epoch
    _row(
        "outside run_epoch (fit/epoch - run_epoch)",
        ms(outside),
        "",
        _pct(outside, epoch),
    )

    rows = statement_costs(s, args.number)
    print()
    _header(
        "statement (one full batch)", "kind", "us/call", "ms/epoch", "% of run_epoch"
    )
    by_kind = {}
    for label, kind, sec in rows:
        per_epoch = sec * n_batches
        by_kind[kind] = by_kind.get(kind, 0.0) + per_epoch
        _row(label, kind, f"{1e6 * sec:.1f}", ms(per_epoch), _pct(per_epoch, epoch))
    sums = [f"{k} {ms(v)} ms ({_pct(v, epoch)})" for k, v in by_kind.items()]
    print("\nsum by kind: " + ", ".join(sums))
    result = {"whole": whole, "pieces": pieces, "n_batches": n_batches}

    if args.mlp:
        mlp = time_mlp(workload, X, y, args.repeats, args.fit_epochs)
        total = mlp["fit per epoch"]
        print(f"\nMLPClassifier fit per epoch {ms(total)} ms\n")
        _header("MLP piece", "ms/epoch", "us/batch", "% of MLP epoch")
        for key, val in mlp["pieces"].items():
            _row(key, ms(val), us_batch(val), _pct(val, total))
        rest = total - sum(mlp["pieces"].values())
        _row(
            "rest (loop, loss bookkeeping, fit setup)", ms(rest), "", _pct(rest, total)
        )
        result["mlp"] = mlp

    if args.cprofile:
        est = s.estimator.set_params(max_iter=args.fit_epochs)
        prof = cProfile.Profile()
        prof.runcall(est.fit, X, y)
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
        default="cpu",
        choices=["cpu", "wall"],
        help="process CPU time (robust on a busy machine) or wall time",
    )
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--fit-epochs", type=int, default=3)
    parser.add_argument("--number", type=int, default=200, help="calls per timing")
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
    with limits:
        for name in args.workloads.upper().split(","):
            report_workload(WORKLOADS[name.strip()], args.dtype, args)


if __name__ == "__main__":
    main()
