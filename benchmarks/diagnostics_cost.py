"""How cheaply can per-epoch training diagnostics be recorded? (issue 5)

A later change records, per epoch, the training cross-entropy, MSE and
accuracy, per-layer gradient norms, the output saturation ``a (1 - a)``, the
fraction of dead ReLU units and of saturated sigmoid/tanh units, at most ~10%
of an epoch. This script measures candidate ways of computing each quantity on
LogisticNet's real buffers (after a forward and backward pass on a full batch)
and prints, per workload, the cost per batch, per epoch (if done every batch),
and as a share of the current epoch and of the *target* epoch (the target
ratio of issue 5 times MLPClassifier's measured time per epoch).

Three strategies are timed:

- per batch: compute on each batch's buffers;
- per chunk: keep the batch logits in a chunk buffer (one copy per batch, or
  none if the forward pass writes there) and compute the output quantities
  once per chunk of rows, vectorised;
- probe: once per epoch, a forward pass on a fixed subsample of rows that
  computes every hidden-unit statistic.

Usage::

    python benchmarks/diagnostics_cost.py [--workloads A,B,C,D] [--dtype float64]
"""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause

import argparse
import time
import warnings
from functools import partial
from statistics import median

import numpy as np
from _workloads import WORKLOADS, load_data, make_mlp, training_state
from sklearn.exceptions import ConvergenceWarning
from threadpoolctl import threadpool_limits

from sklearn_losslab import _network as net

TARGETS = {"A": 0.25, "B": 0.65, "C": 0.15, "D": 0.25}
SATURATION = 0.01  # a unit is saturated when f'(z) / max f' < 1%


def _per_call(func, number=300):
    func()
    rounds = []
    for _ in range(5):
        tic = time.process_time()
        for _ in range(number):
            func()
        rounds.append((time.process_time() - tic) / number)
    return median(rounds)


def _row(*cells):
    print("| " + " | ".join(str(c) for c in cells) + " |")


def _header(*cells):
    _row(*cells)
    print("|" + "---|" * len(cells))


def _rowmax(z, out):
    np.copyto(out, z[:, 0])
    for j in range(1, z.shape[1]):
        np.maximum(out, z[:, j], out=out)
    return out


def candidates(s):
    """Return ``[(quantity, method, strategy, callable)]`` on real buffers."""
    r = s.runner
    bs = r.batch_size
    Xb = np.ascontiguousarray(s.X[:bs])
    Yf = r.y_float
    np.copyto(Yf, s.Y[:bs])
    with np.errstate(all="ignore"):
        acts, z = net.forward(
            Xb, s.coefs, s.intercepts, r.hidden, r.output, r.acts, r.z_out
        )
        delta = net.output_delta(Yf, acts, r.output, r.loss, None, r.deltas[-1])
        net.backward(acts, delta, s.coefs, r.hidden, 0.0, 1.0 / bs, r.deltas, *s.grads)
    a_out = acts[-1]
    hidden = acts[1:-1]
    coef_grads, intercept_grads = s.grads
    k = z.shape[1]
    tmp = np.empty_like(z)
    out = []

    def add(quantity, method, strategy, func, *args, **kwargs):
        out.append((quantity, method, strategy, partial(func, *args, **kwargs)))

    # --- training loss and accuracy, per batch
    add(
        "cross-entropy",
        "loss_from_logits(...).sum() (current)",
        "batch",
        lambda: float(r.loss.loss_from_logits(Yf, z, r.output.name).sum()),
    )
    if k == 1:

        def ce_fast():
            np.abs(z, out=tmp)
            np.negative(tmp, out=tmp)
            np.exp(tmp, out=tmp)
            np.log1p(tmp, out=tmp)
            return float(tmp.sum() + np.maximum(z, 0, out=tmp).sum() - np.vdot(Yf, z))

        add(
            "cross-entropy",
            "max(z,0) + log1p(exp(-|z|)) - y z, buffers",
            "batch",
            ce_fast,
        )
    else:
        mx, sm = np.empty(bs, z.dtype), np.empty(bs, z.dtype)
        ones = np.ones(k, z.dtype)

        def ce_fast():
            _rowmax(z, mx)
            np.subtract(z, mx[:, None], out=tmp)
            np.exp(tmp, out=tmp)
            np.dot(tmp, ones, out=sm)
            np.log(sm, out=sm)
            return float(mx.sum() + sm.sum() - np.vdot(Yf, z))

        add(
            "cross-entropy",
            "max + log(sum exp(z - max)) - y.z, buffers",
            "batch",
            ce_fast,
        )

        def ce_reuse():
            np.log(sm, out=sm)
            return float(mx.sum() + sm.sum() - np.vdot(Yf, z))

        add("cross-entropy", "reusing the softmax's max and sum", "batch", ce_reuse)
    add(
        "MSE",
        "0.5 * |a - y|^2 via subtract + vdot",
        "batch",
        lambda: 0.5 * float(np.vdot(np.subtract(a_out, Yf, out=tmp), tmp)),
    )
    add(
        "MSE",
        "0.5 * m^2 * |delta|^2 (delta = (a - y)/m, CE)",
        "batch",
        lambda: 0.5 * bs * bs * float(np.vdot(delta, delta)),
    )
    add(
        "accuracy",
        "EpochRunner.hits + count_nonzero (current)",
        "batch",
        lambda: float(np.count_nonzero(r.hits(Yf, z))),
    )
    # --- output saturation
    add(
        "output saturation mean a(1-a)",
        "sum(a) - a.a",
        "batch",
        lambda: float(a_out.sum() - np.vdot(a_out, a_out)),
    )
    # --- gradient norms
    add(
        "gradient norms (all layers)",
        "vdot(g, g) per weight and bias array",
        "batch",
        lambda: [float(np.vdot(g, g)) for g in coef_grads + intercept_grads],
    )
    add(
        "gradient norms (all layers)",
        "vdot(g, g) per weight array",
        "batch",
        lambda: [float(np.vdot(g, g)) for g in coef_grads],
    )
    # --- hidden units
    if hidden:
        counts = [np.zeros(h.shape[1], np.intp) for h in hidden]

        def dead():
            for h, c in zip(hidden, counts):
                c += np.count_nonzero(h, axis=0)

        add(
            "dead ReLU (per-unit active counts)",
            "count_nonzero(a, axis=0), accumulated",
            "batch",
            dead,
        )
        ones_m = np.ones(bs, z.dtype)
        sums = [np.zeros(h.shape[1], z.dtype) for h in hidden]
        col = [np.empty(h.shape[1], z.dtype) for h in hidden]

        def dead_blas():
            for h, acc, c in zip(hidden, sums, col):
                np.dot(ones_m, h, out=c)
                acc += c

        add(
            "dead ReLU (per-unit active counts)",
            "ones @ a (BLAS), accumulated; dead iff 0",
            "batch",
            dead_blas,
        )

        def dead_max():
            for h, acc, c in zip(hidden, sums, col):
                np.max(h, axis=0, out=c)
                np.maximum(acc, c, out=acc)

        add(
            "dead ReLU (per-unit active counts)",
            "max(a, axis=0), accumulated",
            "batch",
            dead_max,
        )
        add(
            "zero-activation fraction",
            "count_nonzero(a) per layer",
            "batch",
            lambda: [np.count_nonzero(h) for h in hidden],
        )
        bufs = [np.empty_like(h) for h in hidden]

        def saturated_tanh():
            return [
                np.count_nonzero(np.abs(h, out=b) > 1 - SATURATION)
                for h, b in zip(hidden, bufs)
            ]

        add(
            "saturated tanh fraction",
            "count_nonzero(|a| > 0.99)",
            "batch",
            saturated_tanh,
        )

        def saturated_sigmoid():
            res = []
            for h, b in zip(hidden, bufs):
                np.subtract(h, 0.5, out=b)
                np.abs(b, out=b)
                res.append(np.count_nonzero(b > 0.5 - SATURATION / 4))
            return res

        add(
            "saturated sigmoid fraction",
            "count_nonzero(|a - 0.5| > 0.4975)",
            "batch",
            saturated_sigmoid,
        )
        add(
            "mean sigmoid derivative a(1-a)",
            "sum(a) - a.a per layer",
            "batch",
            lambda: [float(h.sum() - np.vdot(h, h)) for h in hidden],
        )
        add(
            "mean tanh derivative 1-a^2",
            "a.a per layer",
            "batch",
            lambda: [float(np.vdot(h, h)) for h in hidden],
        )
    # --- per chunk: one copy per batch, then vectorised per chunk
    chunk_rows = min(8192, s.X.shape[0])
    zc = np.empty((chunk_rows, k), z.dtype)
    add(
        "logits into a chunk buffer",
        "np.copyto(zc[rows], z)",
        "batch",
        np.copyto,
        zc[:bs],
        z,
    )
    return out, (zc, chunk_rows)


def chunk_candidates(s, zc, rows):
    """Output quantities computed once per chunk of ``rows`` logits."""
    Y = s.Y[:rows]
    Yf = Y.astype(zc.dtype)
    zc[...] = np.random.RandomState(0).standard_normal(zc.shape)
    t = np.empty_like(zc)
    k = zc.shape[1]
    out = []
    if k == 1:

        def ce():
            np.abs(zc, out=t)
            np.negative(t, out=t)
            np.exp(t, out=t)
            np.log1p(t, out=t)
            return float(t.sum() + np.maximum(zc, 0, out=t).sum() - np.vdot(Yf, zc))

        def prob():
            from scipy.special import expit

            return expit(zc, out=t)
    else:
        mx, sm = np.empty(rows, zc.dtype), np.empty(rows, zc.dtype)
        ones = np.ones(k, zc.dtype)

        def ce():
            _rowmax(zc, mx)
            np.subtract(zc, mx[:, None], out=t)
            np.exp(t, out=t)
            np.dot(t, ones, out=sm)
            np.log(sm, out=sm)
            return float(mx.sum() + sm.sum() - np.vdot(Yf, zc))

        def prob():
            _rowmax(zc, mx)
            np.subtract(zc, mx[:, None], out=t)
            np.exp(t, out=t)
            np.dot(t, ones, out=sm)
            return np.divide(t, sm[:, None], out=t)

    out.append(("cross-entropy", "chunk: stable log-sum-exp / softplus", ce))
    out.append(
        (
            "accuracy",
            "chunk: sign or argmax vs labels",
            (lambda: np.count_nonzero((zc > 0) == Y))
            if k == 1
            else (lambda: np.count_nonzero(zc.argmax(axis=1) == Y.argmax(axis=1))),
        )
    )
    out.append(
        ("probabilities (for MSE, saturation)", "chunk: sigmoid / softmax", prob)
    )
    out.append(
        (
            "MSE",
            "chunk: |p - y|^2 (after probabilities)",
            lambda: float(np.vdot(np.subtract(t, Yf, out=t), t)),
        )
    )
    out.append(
        (
            "output saturation mean a(1-a)",
            "chunk: sum(p) - p.p (after probabilities)",
            lambda: float(t.sum() - np.vdot(t, t)),
        )
    )
    return out  # fmt: skip


def probe_cost(s, rows):
    """One forward pass on ``rows`` samples with every hidden-unit statistic."""
    r = s.runner
    Xp = np.ascontiguousarray(s.X[:rows])
    acts_buf, z_buf, _ = net.allocate(s.units, rows, s.X.dtype)

    def probe():
        with np.errstate(all="ignore"):
            acts, _ = net.forward(
                Xp, s.coefs, s.intercepts, r.hidden, r.output, acts_buf, z_buf
            )
        for h in acts[1:-1]:
            np.count_nonzero(h, axis=0)  # dead units
            np.count_nonzero(np.abs(h) > 1 - SATURATION)  # saturated (tanh form)
        return acts

    return _per_call(probe, 20)  # fmt: skip


def report(workload, dtype):
    X, y = load_data(workload, np.dtype(dtype))
    s = training_state(workload, X, y)
    n_batches = -(-X.shape[0] // s.runner.batch_size)
    rng = np.random.RandomState(0)
    with np.errstate(all="ignore"):
        args = (s.coefs, s.intercepts, s.grads, s.optimizer)
        s.runner.run_epoch(s.X, s.Y, None, rng.permutation(X.shape[0]), *args)
        epochs = []
        for _ in range(3):
            order = rng.permutation(X.shape[0])
            tic = time.process_time()
            s.runner.run_epoch(s.X, s.Y, None, order, *args)
            epochs.append(time.process_time() - tic)
    epoch = median(epochs)
    E = max(2, workload.epochs // 3)
    mlp = make_mlp(workload, E)
    tic = time.process_time()
    mlp.fit(X, y)
    target = TARGETS[workload.name] * (time.process_time() - tic) / E
    print(
        f"\n### {workload.describe()}, {dtype}: {n_batches} batches/epoch; "
        f"current run_epoch {1e3 * epoch:.2f} ms; target epoch "
        f"{1e3 * target:.2f} ms ({TARGETS[workload.name]} x MLPClassifier)\n"
    )
    _header(
        "quantity", "method", "when", "us/call", "ms/epoch", "% current epoch",
        "% target epoch",
    )  # fmt: skip

    def line(quantity, method, when, sec, per_epoch):
        _row(
            quantity, method, when, f"{1e6 * sec:.1f}", f"{1e3 * per_epoch:.3f}",
            f"{100 * per_epoch / epoch:.1f}%", f"{100 * per_epoch / target:.1f}%",
        )  # fmt: skip

    rows, (zc, chunk_rows) = candidates(s)
    for quantity, method, _, func in rows:
        with np.errstate(all="ignore"):
            sec = _per_call(func)
        line(quantity, method, "every batch", sec, sec * n_batches)
    n_chunks = -(-X.shape[0] // chunk_rows)
    for quantity, method, func in chunk_candidates(s, zc, chunk_rows):
        with np.errstate(all="ignore"):
            sec = _per_call(func, 50)
        line(quantity, method, f"per {chunk_rows} rows", sec, sec * n_chunks)
    if len(s.units) > 2:
        for rows_ in (512, 2048):
            rows_ = min(rows_, X.shape[0])
            sec = probe_cost(s, rows_)
            line(
                "all hidden-unit statistics", f"forward on {rows_} fixed rows",
                "once per epoch", sec, sec,
            )  # fmt: skip


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workloads", default="A,B,C,D")
    parser.add_argument("--dtype", default="float64", choices=["float64", "float32"])
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore", ConvergenceWarning)
    with threadpool_limits(limits=1):
        for name in args.workloads.upper().split(","):
            report(WORKLOADS[name.strip()], args.dtype)


if __name__ == "__main__":
    main()
