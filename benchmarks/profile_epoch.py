"""Where the time of one LogisticNet epoch goes (issue 5).

For each workload this script builds LogisticNet's real training state (see
``_workloads.TrainingState``: the loop that ``LogisticNet._training_loop``
builds for ``fit``, with its ``EpochRunner``, ``Network``, buffers, flat
parameter and gradient vectors, optimizer and generator of the epoch orders)
and measures, with one BLAS thread by default:

1. ``EpochRunner.run_epoch`` as a whole, and ``fit`` per epoch. Fits of 1 and
   of ``--fit-epochs`` epochs (by default, as many as take about 0.4 s) split
   ``fit`` into a fixed cost (validation, initialisation, wiring) and a cost
   per epoch; what an epoch of ``fit`` costs beyond ``run_epoch`` is the
   per-epoch work of ``TrainingLoop`` (the shuffle, the divergence check, the
   history row, the stopping rule).
2. The pieces of one epoch, by timing the real kernels as the loop calls
   them: during an epoch, a clock wraps ``Network.forward``,
   ``Network.output_delta``, ``Network.backward`` and ``Network.penalty`` (as
   attributes of the runner's network instance, which ``run_epoch`` looks up
   at the start of each epoch), the activations the network calls inside them
   (its ``_hidden_forward``, ``_output_forward`` and ``_hidden_backward``),
   ``OutputSums.add`` (on the class), ``hidden_health`` (the attribute of
   ``sklearn_losslab.training._epoch``) and the optimizer's ``apply_scaled`` /
   ``update_params`` (on the instance). The cost of a wrapper call is measured
   and subtracted. What ``run_epoch`` costs beyond these pieces is the loop's
   own Python, the gradient norms and the batch gather; the gather (the same
   ``X.take(idx, 0, buffer, 'clip')`` calls on the runner's buffers) and the
   gradient norms (the same ``np.vdot`` calls on its gradients) are timed
   alone, outside the loop, to split that remainder. The script warns when a
   wrapped kernel was not called (the loop no longer calls it through the
   wrapped attribute).
3. ``fit``'s fixed cost on the digits (workload D): ``fit`` with
   ``max_iter=1`` against MLPClassifier's ``fit`` with ``max_iter=1``,
   interleaved, the median of the paired ratios.
4. With ``--mlp``, MLPClassifier's pieces on its own internals (gather,
   forward, loss, backward, update), and the gather plus the GEMM pieces of
   LogisticNet's epoch as a share of MLPClassifier's epoch.
5. With ``--cprofile``, the top functions of a cProfile'd ``fit``.

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
import math
import os
import pstats
import time
import warnings
from statistics import median

import numpy as np
import scipy.sparse as sp
from _workloads import WORKLOADS, TrainingState, load_data, make_logistic_net, make_mlp
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network._base import LOSS_FUNCTIONS
from sklearn.utils import _safe_indexing
from threadpoolctl import threadpool_limits

from sklearn_losslab.training import _epoch
from sklearn_losslab.training._epoch import EpochRunner
from sklearn_losslab.training._record import OutputSums

clock = time.perf_counter  # --clock cpu: time.process_time

#: The rows of the table of an epoch: key, label, kind. The rows of kind
#: "total" are the sums of the rows indented under them, not counted again in
#: "by kind".
ROWS = [
    ("forward", "forward (Network.forward), all", "total"),
    ("forward own", "  GEMMs and bias adds", "GEMM"),
    ("hidden activation", "  hidden activation", "elementwise"),
    ("output activation", "  output activation", "elementwise"),
    ("health", "hidden health (first batch)", "record"),
    ("penalty", "L2 penalty of the loss", "record"),
    ("delta", "output delta (Network.unscaled_output_delta)", "elementwise"),
    ("backward", "backward (Network.backward), all", "total"),
    ("backward own", "  GEMMs, bias gradients, L2, fused SGD step", "GEMM"),
    ("hidden derivative", "  hidden activation derivative", "elementwise"),
    ("update", "optimizer update (apply_scaled: norm batches only)", "update"),
    ("record", "record: OutputSums.add per block", "record"),
    ("norms", "gradient norms (same np.vdot calls, alone)", "record"),
    ("gather", "gather (same X.take/Y.take calls, alone)", "gather"),
    ("loop", "loop's own Python (the rest of run_epoch)", "loop"),
]
#: Wrapped kernels and the wrapped kernels called inside them.
NESTED = {
    "forward": ("hidden activation", "output activation"),
    "backward": ("hidden derivative",),
}
#: Kernels every epoch must call (a warning otherwise).
REQUIRED = ("forward", "delta", "backward", "update", "record", "health")
#: The pieces that add up to run_epoch with "loop" (the others are inside them).
TOP = (
    "forward", "health", "penalty", "delta", "backward", "update", "record",
    "norms", "gather",
)  # fmt: skip


# ------------------------------------------------------------------- timing
def _seconds(func, *args, collect=True):
    if collect:
        gc.collect()
    tic = clock()
    func(*args)
    return clock() - tic


class Timer:
    """Wraps functions with a clock; ``spent[key]`` and ``calls[key]`` add up."""

    def __init__(self):
        self.spent, self.calls = {}, {}

    def wrap(self, key, func):
        spent, calls, now = self.spent, self.calls, clock
        spent.setdefault(key, 0.0)
        calls.setdefault(key, 0)

        def timed(*args, **kwargs):
            tic = now()
            try:
                return func(*args, **kwargs)
            finally:
                spent[key] += now() - tic
                calls[key] += 1

        return timed


def wrapper_cost(number=100_000, repeats=5):
    """What a wrapper call adds: to the time charged to its key, and in all.

    Returns ``(charged, full)`` in seconds per call: how much more a wrapped
    call charges to its key than the bare call takes, and how much longer
    the wrapped call takes than the bare one (what it adds to an enclosing
    wrapped kernel).
    """

    def noop(a, b, c, d):
        pass

    def loop(f):
        tic = clock()
        for _ in rng:
            f(1, 2, 3, 4)
        return clock() - tic

    rng = range(number)
    empty, bare, wrapped, charged = [], [], [], []
    for _ in range(repeats):
        tic = clock()
        for _ in rng:
            pass
        empty.append(clock() - tic)
        bare.append(loop(noop))
        timer = Timer()
        wrapped.append(loop(timer.wrap("noop", noop)))
        charged.append(timer.spent["noop"])
    bare_call = (median(bare) - median(empty)) / number
    return (
        median(charged) / number - bare_call,
        (median(wrapped) - median(bare)) / number,
    )


@contextlib.contextmanager
def patched(patches):
    """Set ``obj.name = value`` for each ``(obj, name, value)``; undo after."""
    saved = []
    try:
        for obj, name, value in patches:
            own = name in vars(obj)
            saved.append((obj, name, own, getattr(obj, name) if own else None))
            setattr(obj, name, value)
        yield
    finally:
        for obj, name, own, old in reversed(saved):
            if own:
                setattr(obj, name, old)
            else:
                delattr(obj, name)


def kernel_patches(s, timer):
    """Wrap the real kernels where ``run_epoch`` finds them."""
    net, opt, wrap = s.network, s.optimizer, timer.wrap
    patches = [
        (net, "forward", wrap("forward", net.forward)),
        # output_delta calls it too: wrapping it alone counts every delta once.
        (net, "unscaled_output_delta", wrap("delta", net.unscaled_output_delta)),
        (net, "backward", wrap("backward", net.backward)),
        (net, "penalty", wrap("penalty", net.penalty)),
        (net, "_hidden_forward", wrap("hidden activation", net._hidden_forward)),
        (net, "_hidden_backward", wrap("hidden derivative", net._hidden_backward)),
        (_epoch, "hidden_health", wrap("health", _epoch.hidden_health)),
        (OutputSums, "add", wrap("record", OutputSums.add)),
        (opt, "update_params", wrap("update", opt.update_params)),
    ]
    if net._output_forward is not None:
        patches.append(
            (net, "_output_forward", wrap("output activation", net._output_forward))
        )
    if hasattr(opt, "apply_scaled"):
        patches.append((opt, "apply_scaled", wrap("update", opt.apply_scaled)))
    return patches


def gather_seconds(s, order):
    """The batch gather of ``run_epoch`` alone: the same calls, same buffers."""
    r, X, Y, sw = s.runner, s.X, s.Y, s.sample_weight
    n, bs = X.shape[0], r.batch_size
    sparse = sp.issparse(X)
    batches = [
        (order[i : i + bs], r.x_buf[:m], r.Y_block[:m])
        for i in range(0, n, bs)
        for m in [min(bs, n - i)]
    ]
    tic = clock()
    for idx, x_buf, Yb in batches:
        if sparse:
            X[idx]
        else:
            X.take(idx, 0, x_buf, "clip")
        Y.take(idx, 0, Yb, "clip")
        if sw is not None:
            sw[idx]
    return clock() - tic


def norms_seconds(s):
    """The gradient norms of ``run_epoch`` alone, on the runner's gradients."""
    stride = max(1, s.n_batches // _epoch.GRAD_NORM_BATCHES)
    coef_grads, intercept_grads = s.grads
    vdot, sqrt = np.vdot, math.sqrt
    tic = clock()
    for _ in range(0, s.n_batches, stride):
        for c, b in zip(coef_grads, intercept_grads):
            sqrt(float(vdot(c, c)) + float(vdot(b, b)))
    return clock() - tic


def corrected(timer, charged, full):
    """The pieces of one wrapped epoch, wrapper costs subtracted."""
    spent, calls = timer.spent, timer.calls
    out = {k: spent[k] - calls[k] * charged for k in spent}
    for outer, inner in NESTED.items():
        nested = [k for k in inner if k in out]
        out[outer] -= sum(calls[k] for k in nested) * full
        out[outer + " own"] = out[outer] - sum(out[k] for k in nested)
    return out, dict(calls)


def time_epochs(s, repeats):
    """Median run_epoch, and the pieces of wrapped epochs (interleaved).

    No garbage collection between the epochs, as in ``fit``: a full collection
    evicts the caches, which costs C's epoch about 4 ms (25%).
    """
    s.run_epoch()  # warm-up
    charged, full = wrapper_cost()
    whole, wrapped, runs, calls = [], [], [], None
    for _ in range(repeats):
        order = s.next_order()  # outside the clock, as in TrainingLoop
        whole.append(_seconds(s.run_epoch, order, collect=False))
        order = s.next_order()
        timer = Timer()
        with patched(kernel_patches(s, timer)):
            wrapped.append(_seconds(s.run_epoch, order, collect=False))
        pieces, calls = corrected(timer, charged, full)
        pieces["gather"] = gather_seconds(s, s.next_order())
        pieces["norms"] = norms_seconds(s)
        runs.append(pieces)
    pieces = {key: median(r[key] for r in runs) for key in runs[0]}
    epoch = median(whole)
    pieces["loop"] = epoch - sum(v for k, v in pieces.items() if k in TOP)
    overhead = {
        "expected": sum(calls.values()) * full,
        "measured": median(wrapped) - epoch,
    }
    return epoch, pieces, calls, overhead


@contextlib.contextmanager
def run_epoch_clock():
    """Wrap ``EpochRunner.run_epoch`` with a clock; yields ``[seconds inside]``."""
    inside = [0.0]
    run_epoch = EpochRunner.run_epoch

    def timed_run_epoch(*args, **kwargs):
        tic = clock()
        try:
            return run_epoch(*args, **kwargs)
        finally:
            inside[0] += clock() - tic

    EpochRunner.run_epoch = timed_run_epoch
    try:
        yield inside
    finally:
        EpochRunner.run_epoch = run_epoch


def time_fit(s, repeats, epochs):
    """``fit``'s time outside ``run_epoch``: a fixed cost and a cost per epoch.

    ``EpochRunner.run_epoch`` is wrapped with a clock during fits of 1 and of
    ``epochs`` epochs; what is left of each fit is ``fixed + epochs * outside``.
    """
    est, X, y = s.estimator, s.X, s.y
    one, many = est.set_params(max_iter=1), clone(est).set_params(max_iter=epochs)
    one.fit(X, y)  # warm-up
    total = {1: [], epochs: []}
    rest = {1: [], epochs: []}
    with run_epoch_clock() as inside:
        for _ in range(repeats):
            for est_ in (one, many):
                inside[0] = 0.0
                seconds = _seconds(est_.fit, X, y)
                total[est_.max_iter].append(seconds)
                rest[est_.max_iter].append(seconds - inside[0])
    outside = (median(rest[epochs]) - median(rest[1])) / (epochs - 1)
    shuffle = median(_seconds(s.next_order, collect=False) for _ in range(repeats))
    return {
        "fit per epoch": median(total[epochs]) / epochs,
        "outside": outside,
        "fixed": median(rest[1]) - outside,
        "shuffle": shuffle,
    }


def fixed_cost_vs_mlp(dtype, repeats):
    """``fit`` with ``max_iter=1`` on the digits (D), LogisticNet and MLPClassifier.

    The two are fitted in turn (the order swapped every repeat); returns the
    medians, the median of the paired ratios, and LogisticNet's time inside
    and outside ``run_epoch``.
    """
    workload = WORKLOADS["D"]
    X, y = load_data(workload, np.dtype(dtype))
    ln, mlp = make_logistic_net(workload, 1), make_mlp(workload, 1)
    times = {"ln": [], "mlp": [], "ln inside": []}
    with warnings.catch_warnings(), run_epoch_clock() as inside:
        warnings.simplefilter("ignore", ConvergenceWarning)
        ln.fit(X, y)  # warm-up
        mlp.fit(X, y)
        for r in range(repeats):
            for key in ("ln", "mlp") if r % 2 else ("mlp", "ln"):
                inside[0] = 0.0
                times[key].append(_seconds((ln if key == "ln" else mlp).fit, X, y))
                if key == "ln":
                    times["ln inside"].append(inside[0])
    ln_t, mlp_t = np.array(times["ln"]), np.array(times["mlp"])
    inside_t = np.array(times["ln inside"])
    return {
        "LogisticNet": float(np.median(ln_t)),
        "MLPClassifier": float(np.median(mlp_t)),
        "ratio": float(np.median(ln_t / mlp_t)),
        "LogisticNet run_epoch": float(np.median(inside_t)),
        "LogisticNet outside run_epoch": float(np.median(ln_t - inside_t)),
        "repeats": repeats,
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
    epoch, pieces, calls, overhead = time_epochs(s, args.repeats)
    missing = [k for k in REQUIRED if not calls.get(k)]
    if len(s.units) > 2 and not calls.get("hidden activation"):
        missing.append("hidden activation")
    if missing:
        print(
            "WARNING: run_epoch did not call these wrapped kernels: "
            + ", ".join(missing)
            + "; their time is counted as the loop's own Python.\n"
        )
    # Fits of about 0.4 s, at least 3 epochs.
    fit_epochs = args.fit_epochs or int(np.clip(round(0.4 / epoch), 3, 20))
    fit = time_fit(s, max(3, args.repeats // 2), fit_epochs)
    print(
        f"run_epoch {_ms(epoch)} ms; fit {_ms(fit['fit per epoch'])} ms per epoch "
        f"over {fit_epochs} epochs ({_ms(fit['fixed'])} ms fixed); the wrappers "
        f"add {_ms(overhead['measured'])} ms to a wrapped epoch "
        f"({_ms(overhead['expected'])} ms expected from their measured cost, "
        "subtracted from the pieces)\n"
    )
    _header("piece", "kind", "calls", "ms/epoch", "us/batch", "% of run_epoch")
    for key, label, kind in ROWS:
        if key not in pieces or (key in calls and not calls[key]):
            continue
        val = pieces[key]
        n_calls = calls.get(key, calls.get(key.removesuffix(" own"), ""))
        _row(label, kind, n_calls, _ms(val), f"{1e6 * val / nb:.1f}",
             _pct(val, epoch))  # fmt: skip
    outside = fit["outside"]
    _row("per epoch in TrainingLoop, outside run_epoch", "fit", "", _ms(outside),
         "", _pct(outside, epoch))  # fmt: skip
    _row("  of which the shuffle of the order", "fit", "", _ms(fit["shuffle"]), "",
         _pct(fit["shuffle"], epoch))  # fmt: skip
    _row(f"fit's fixed cost, spread over {fit_epochs} epochs", "fit", "",
         _ms(fit["fixed"] / fit_epochs), "",
         _pct(fit["fixed"] / fit_epochs, epoch))  # fmt: skip
    by_kind = {}
    for key, _, kind in ROWS:
        if kind != "total" and key in pieces:
            by_kind[kind] = by_kind.get(kind, 0.0) + pieces[key]
    print(
        "\nby kind: " + ", ".join(f"{k} {_pct(v, epoch)}" for k, v in by_kind.items())
    )
    floor = by_kind.get("GEMM", 0.0) + by_kind.get("gather", 0.0)
    result = {"run_epoch": epoch, "fit": fit, "pieces": pieces, "n_batches": nb}

    if args.mlp:
        mlp = time_mlp(workload, X, y, max(3, args.repeats // 2), fit_epochs)
        total = mlp["fit per epoch"]
        print(
            f"\nLogisticNet fit / MLPClassifier fit per epoch: "
            f"{fit['fit per epoch'] / total:.2f}; the gather and the GEMM pieces "
            f"(GEMMs with their bias adds and bias gradients) alone: {_ms(floor)} "
            f"ms = {floor / total:.2f} of MLPClassifier's epoch\n"
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


def report_fixed_cost(dtype, repeats):
    f = fixed_cost_vs_mlp(dtype, repeats)
    print(
        f"\n### fit's fixed cost: fit(max_iter=1) on the digits (D), {dtype}\n\n"
        f"LogisticNet {_ms(f['LogisticNet'])} ms (run_epoch "
        f"{_ms(f['LogisticNet run_epoch'])} ms, the rest "
        f"{_ms(f['LogisticNet outside run_epoch'])} ms); MLPClassifier "
        f"{_ms(f['MLPClassifier'])} ms; LogisticNet / MLPClassifier "
        f"{f['ratio']:.2f} (median of {f['repeats']} paired ratios)"
    )
    return f


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
    parser.add_argument(
        "--no-fixed-cost",
        action="store_true",
        help="skip fit(max_iter=1) on the digits against MLPClassifier's",
    )
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
        if not args.no_fixed_cost:
            report_fixed_cost(args.dtype, 3 * args.repeats)


if __name__ == "__main__":
    main()
