"""Ctrl-C: fit keeps the last finished epoch; a stream of partial_fit calls stops."""

import os
import signal
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_classification

from sklearn_losslab import LogisticNet, fit_stream


class _InterruptOnCall:
    """A callback that raises KeyboardInterrupt in the n-th partial_fit call."""

    def __init__(self, call):
        self.call, self.calls = call, 0

    def setup(self, estimator, context):
        pass

    def teardown(self, estimator, context):
        pass

    def on_fit_task_begin(self, estimator, context):
        if context.task_name == "epoch":
            self.calls += 1

    def on_fit_task_end(self, estimator, context):
        if context.task_name == "epoch" and self.calls == self.call:
            raise KeyboardInterrupt
        return False


def _stream():
    X, y = make_classification(n_samples=400, n_features=6, random_state=0)
    return [(X[i : i + 100], y[i : i + 100]) for i in range(0, 400, 100)]


def test_ctrl_c_in_partial_fit_propagates_and_keeps_the_last_finished_batch():
    pytest.importorskip("sklearn.callback")
    stream = _stream()
    twin = LogisticNet((5,), random_state=0)
    for X, y in stream[:2]:
        twin.partial_fit(X, y, classes=[0, 1])
    est = LogisticNet((5,), random_state=0).set_callbacks(_InterruptOnCall(3))
    with pytest.raises(KeyboardInterrupt):
        fit_stream(est, stream, classes=[0, 1], epochs=3)
    assert est.n_iter_ == 2 and len(est.loss_curve_) == 2
    for a, b in zip(est.coefs_ + est.intercepts_, twin.coefs_ + twin.intercepts_):
        np.testing.assert_array_equal(a, b)
    # The stream can go on from there, as if the batch had never been seen.
    est.set_callbacks()
    est.partial_fit(*stream[2])
    twin.partial_fit(*stream[2])
    np.testing.assert_array_equal(
        est.predict_proba(stream[3][0]), twin.predict_proba(stream[3][0])
    )


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT is POSIX")
def test_losslab_compare_stream_exits_130_on_ctrl_c(tmp_path):
    X, y = make_classification(
        n_samples=60_000, n_features=20, n_informative=10, random_state=0
    )
    frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(20)]).assign(y=y)
    path = tmp_path / "big.csv"
    frame.to_csv(path, index=False)
    command = [
        sys.executable, "-m", "sklearn_losslab", "compare", "--stream",
        "--dataset", str(path), "--target", "y", "--max-iter", "200",
        "--chunksize", "2000", "--hidden", "64", "--out", str(tmp_path / "out"),
        "--no-figures",
    ]  # fmt: skip
    # A shell that runs pytest in the background ignores SIGINT, and a child
    # inherits that: give the command the default handler, as a terminal does.
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    # Wait until training is under way (an epoch has finished), then Ctrl-C.
    seen = []
    for line in process.stderr:
        seen.append(line)
        if "epoch 1 done" in line:
            break
    assert process.poll() is None, "".join(seen)
    process.send_signal(signal.SIGINT)
    try:
        _, err = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        pytest.fail("losslab did not stop within 30 s of Ctrl-C")
    assert process.returncode == 130, err
    assert "interrupted" in err
    assert not os.path.exists(tmp_path / "out" / "report.html")
