"""``EpochRunner.run_epoch``'s body, repeated statement for statement.

``profile_epoch.py`` times the pieces of an epoch by running
:func:`mirror_epoch`, a copy of the body of
``sklearn_losslab._training.EpochRunner.run_epoch`` with a call to ``lap(key)``
after each piece. Keep it in step with the loop: :func:`check_mirror` replays
an epoch both ways from the same weights and order and lists what differs (the
weights must be the same bit for bit).
"""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause

import math

import numpy as np
import scipy.sparse as sp
from scipy.special import expit
from sklearn_losslab._training import EpochRecord, OutputSums, hidden_health

from sklearn_losslab import _network as net
from sklearn_losslab import _training

#: The pieces of an epoch, in the loop's order, with their kind.
PIECES = {
    "gather batch (X.take, Y.take, Y to float)": "gather",
    "forward: hidden GEMMs (a @ W)": "GEMM",
    "forward: hidden bias + activation": "elementwise",
    "forward: output GEMM (a @ W)": "GEMM",
    "forward: output bias + activation": "elementwise",
    "hidden health (first batch)": "record",
    "sample weights into the record": "record",
    "L2 penalty of the loss": "record",
    "output delta (p - y, times lr / m)": "elementwise",
    "backward: weight-gradient GEMMs (a.T @ delta)": "GEMM",
    "backward: L2 gradient": "elementwise",
    "backward: bias gradients (ones @ delta)": "GEMV",
    "backward: delta GEMMs (delta @ W.T)": "GEMM",
    "backward: activation derivative": "elementwise",
    "gradient norms (sampled batches)": "record",
    "optimizer update": "update",
    "record: OutputSums.add per block": "record",
}
LOOP = "(between pieces)"  # laps not attributed to a piece: the loop's Python
(
    GATHER, F_GEMM, F_ACT, O_GEMM, O_ACT, HEALTH, WEIGHTS, PENALTY, DELTA,
    B_GEMM_W, B_L2, B_BIAS, B_GEMM_D, B_ACT, NORMS, UPDATE, RECORD,
) = PIECES  # fmt: skip


# ------------------------------------------------------------------- mirror
def mirror_epoch(s, order, lap):
    """``EpochRunner.run_epoch``'s body, statement for statement, with laps.

    ``lap(key)`` charges the time since the previous lap to ``key``. Keep this
    function in step with ``_training.EpochRunner.run_epoch``:
    :func:`check_mirror` tells when it is not.
    """
    self = s.runner
    X, Y, sample_weight = s.X, s.Y, s.sample_weight
    coefs, intercepts = s.coefs, s.intercepts
    coef_grads, intercept_grads = s.coef_grads, s.intercept_grads
    optimizer = s.optimizer
    lap(LOOP)
    n = X.shape[0]
    bs = self.batch_size
    sparse = sp.issparse(X)
    params, flat_grads = [s.flat], [s.flat_grad]
    n_layers = len(coefs)
    hidden_coefs = list(zip(coefs[:-1], intercepts[:-1]))
    W_out, b_out = coefs[-1], intercepts[-1]
    z_block, a_block, Y_block, w_block = (
        self.z_block,
        self.a_block,
        self.Y_block,
        self.w_block,
    )
    block_rows = len(z_block)
    outputs = OutputSums()
    weighted = sample_weight is not None
    alpha = self.alpha
    output, loss, name = self.output, self.loss, self.output.name
    fused = name in loss.fused_outputs
    hidden_forward, hidden_backward = self.hidden.forward, self.hidden.backward
    output_forward = expit if name == "sigmoid" else output.forward
    dot, copyto = np.dot, np.copyto

    def measure(rows):
        outputs.add(
            Y_block[:rows],
            z_block[:rows],
            a_block[:rows],
            name,
            loss,
            w_block[:rows] if weighted else None,
            self.multilabel,
        )

    stride = max(1, -(-n // bs) // _training.GRAD_NORM_BATCHES)
    norm_sums = [0.0] * n_layers
    n_measured = 0
    penalty_sum = 0.0
    health = None
    apply_scaled = getattr(optimizer, "apply_scaled", None)
    scale = optimizer.learning_rate if apply_scaled else 1.0
    buffers = self._batch_buffers(bs)
    pos = 0
    for batch, start in enumerate(range(0, n, bs)):
        stop = min(start + bs, n)
        m = stop - start
        if m != bs:
            buffers = self._batch_buffers(m)
        x_buf, Yf, hidden_out, deltas, ones = buffers
        rows = slice(pos, pos + m)
        lap(LOOP)
        if order is None:
            Xb = X[start:stop]
            Yb = Y_block[rows]
            copyto(Yb, Y[start:stop])
            swb = None if sample_weight is None else sample_weight[start:stop]
        else:
            idx = order[start:stop]
            Xb = X[idx] if sparse else X.take(idx, 0, x_buf, "clip")
            Yb = Y.take(idx, 0, Y_block[rows], "clip")
            swb = None if sample_weight is None else sample_weight[idx]
        copyto(Yf, Yb)
        lap(GATHER)

        a = Xb
        for (W, b), h in zip(hidden_coefs, hidden_out):
            if a is Xb and sparse:
                h[...] = Xb @ W
            else:
                dot(a, W, h)
            lap(F_GEMM)
            h += b
            hidden_forward(h, h)
            a = h
            lap(F_ACT)
        z, p = z_block[rows], a_block[rows]
        lap(LOOP)
        if a is Xb and sparse:
            z[...] = Xb @ W_out
        else:
            dot(a, W_out, z)
        lap(O_GEMM)
        z += b_out
        output_forward(z, p)
        lap(O_ACT)
        if health is None:
            health = hidden_health(hidden_out, self.hidden.name)
            lap(HEALTH)
        total = m
        if weighted:
            w_block[rows] = swb
            total = float(swb.sum())
            lap(WEIGHTS)
        pos += m
        if total > 0:
            if alpha:
                penalty_sum += net.penalty(coefs, alpha, 1.0)
                lap(PENALTY)
            d = deltas[-1]
            lap(LOOP)
            if fused:
                np.subtract(p, Yf, out=d)
            else:
                d[...] = output.vjp(p, loss.gradient(Yf, p, name))
            if weighted:
                d *= (swb * (scale / total))[:, np.newaxis]
            else:
                d *= scale / m
            lap(DELTA)
            for i in range(n_layers - 1, -1, -1):
                a_prev = hidden_out[i - 1] if i else Xb
                lap(LOOP)
                if i == 0 and sparse:
                    coef_grads[0][...] = Xb.T @ d
                else:
                    dot(a_prev.T, d, coef_grads[i])
                lap(B_GEMM_W)
                if alpha:
                    coef_grads[i] += (alpha * (scale / total)) * coefs[i]
                    lap(B_L2)
                dot(ones, d, intercept_grads[i])
                lap(B_BIAS)
                if i:
                    d_prev = deltas[i - 1]
                    dot(d, coefs[i].T, d_prev)
                    lap(B_GEMM_D)
                    d = hidden_backward(a_prev, d_prev)
                    lap(B_ACT)
            if batch % stride == 0:
                n_measured += 1
                for i in range(n_layers):
                    norm_sums[i] += (
                        math.sqrt(
                            float(np.vdot(coef_grads[i], coef_grads[i]))
                            + float(np.vdot(intercept_grads[i], intercept_grads[i]))
                        )
                        / scale
                    )
                lap(NORMS)
            if apply_scaled:
                apply_scaled(params, flat_grads)
            else:
                optimizer.update_params(params, flat_grads)
            lap(UPDATE)
        if pos == block_rows:
            measure(pos)
            pos = 0
            lap(RECORD)
    if pos:
        measure(pos)
        pos = 0
        lap(RECORD)

    grad_norms = (
        np.array(norm_sums) / n_measured if n_measured else np.full(n_layers, np.nan)
    )
    lap(LOOP)
    return EpochRecord(outputs, penalty_sum, grad_norms, health)


def no_lap(key):
    pass


def check_mirror(s):
    """Replay an epoch with ``run_epoch`` and with the mirror: same result?

    Returns a list of what differs (empty when the mirror follows the loop)
    and the number of laps of each piece in an epoch.
    """
    order = s.next_order().copy()
    start = s.snapshot()
    loop = s.run_epoch(order)
    after_loop = s.flat.copy()
    s.restore(start)
    counts = dict.fromkeys(PIECES, 0)

    def count(key):
        if key in counts:
            counts[key] += 1

    with np.errstate(all="ignore"):
        mirror = mirror_epoch(s, order, count)
    differs = []
    if not np.array_equal(after_loop, s.flat, equal_nan=True):
        diff = np.max(np.abs(after_loop - s.flat))
        differs.append(f"weights after the epoch (max |difference| {diff:.3g})")
    a, b = vars(loop.outputs), vars(mirror.outputs)
    differs += [f"OutputSums.{k}" for k in a if not np.isclose(a[k], b[k])]
    if not np.allclose(loop.grad_norms, mirror.grad_norms, equal_nan=True):
        differs.append("gradient norms")
    if not np.allclose(loop.hidden_health, mirror.hidden_health, equal_nan=True):
        differs.append("hidden health")
    if loop.penalty != mirror.penalty:
        differs.append("penalty")
    return differs, counts
