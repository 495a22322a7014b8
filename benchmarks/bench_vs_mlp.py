"""LogisticNet against MLPClassifier (and SGDClassifier), side by side.

The benchmark of issue 5. For each workload of ``_workloads.py``, data type and
BLAS thread setting it fits every estimator for a fixed number of epochs,
several times, interleaving the estimators so that machine noise hits all of
them, and prints the median time per epoch, the median of the paired ratios
LogisticNet / MLPClassifier (and / SGDClassifier for workload C), the training
accuracies after the same epochs and PASS/FAIL against the targets of the
issue. It also measures, on workload B, the peak extra memory during ``fit``
(each estimator in a fresh process) and the ``predict_proba`` throughput on
1,000,000 rows.

Usage::

    python benchmarks/bench_vs_mlp.py                  # everything, ~5-10 min
    python benchmarks/bench_vs_mlp.py --quick          # fewer repeats/epochs
    python benchmarks/bench_vs_mlp.py --workloads A,D --threads 1 --repeats 7
    python benchmarks/bench_vs_mlp.py --json results.json

Time per epoch is the wall time of ``fit`` divided by the number of epochs, so
it includes each estimator's fixed cost of ``fit`` (validation, encoding the
targets, initialisation) spread over the epochs.

Before and after a change (``--baseline PATH``)::

    git worktree add /work/wt/baseline <commit before the change>
    python benchmarks/bench_vs_mlp.py --baseline /work/wt/baseline --repeats 9

times LogisticNet from this source tree ("new"), LogisticNet from the tree at
PATH ("old") and MLPClassifier, each in a child process of its own (the same
Python and libraries; ``sklearn_losslab`` imported from the tree given by
``PYTHONPATH``, checked), on the same workloads, interleaved one fit at a time
in an order rotated every repeat, and prints the medians of the paired ratios
new/old, new/MLP and old/MLP. It skips the memory and throughput parts.
"""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause

import argparse
import contextlib
import gc
import json
import os
import platform
import re
import subprocess
import sys
import time
import tracemalloc
import warnings
from statistics import median

import numpy as np
import scipy
import sklearn
from _workloads import WORKLOADS, load_data, make_estimators
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from threadpoolctl import threadpool_info, threadpool_limits

SPEED_TARGETS = {"A": 0.25, "B": 0.65, "C": 0.15, "D": 0.25}
"""Largest median ratio LogisticNet / MLPClassifier time per epoch allowed."""
FLOAT32_TARGET = 0.6  # B: LogisticNet float32 time <= 0.6 x its float64 time
ACCURACY_TOLERANCE = 0.01  # |accuracy difference| with MLPClassifier
THROUGHPUT_ROWS = 1_000_000
DTYPES = {"float64": np.float64, "float32": np.float32}
BASELINE_TOLERANCE = 0.03  # issue 10: no workload slower than before by > 3%


# --------------------------------------------------------------- the machine
def machine_info():
    """Describe the CPU, the BLAS and the library versions."""
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        with open("/proc/cpuinfo") as f:
            match = re.search(r"model name\s*:\s*(.+)", f.read())
        if match:
            cpu = match.group(1).strip()
    blas = [
        {k: info.get(k) for k in ("internal_api", "version", "num_threads")}
        | {"architecture": info.get("architecture"), "library": info["prefix"]}
        for info in threadpool_info()
        if info["user_api"] == "blas"
    ]
    return {
        "cpu": cpu,
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "scikit-learn": sklearn.__version__,
        "blas": blas,
    }


def default_threads():
    counts = [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]
    return max(counts, default=1)


def thread_setting(threads):
    """Context manager: one BLAS/OpenMP thread, or the library defaults."""
    if threads == "1":
        return threadpool_limits(limits=1)
    return contextlib.nullcontext()


# -------------------------------------------------------------------- timing
def _fit_seconds(estimator, X, y):
    """Wall-clock and process CPU seconds of ``estimator.fit(X, y)``."""
    gc.collect()
    cpu, wall = time.process_time(), time.perf_counter()
    estimator.fit(X, y)
    return time.perf_counter() - wall, time.process_time() - cpu


def time_workload(workload, dtype_name, threads, repeats, epochs, init):
    """Time every estimator on one workload; return a result dict."""
    X, y = load_data(workload, DTYPES[dtype_name])
    estimators = make_estimators(workload, epochs, init=init)
    labels = list(estimators)
    seconds = {label: [] for label in labels}
    cpu_seconds = {label: [] for label in labels}
    fitted = {}
    with thread_setting(threads):
        for est in estimators.values():  # warm-up: imports, BLAS buffers
            clone(est).set_params(max_iter=1).fit(X, y)
        for r in range(repeats):
            # Rotate the order so no estimator always runs first or last.
            for label in labels[r % len(labels) :] + labels[: r % len(labels)]:
                est = clone(estimators[label])
                wall, cpu = _fit_seconds(est, X, y)
                seconds[label].append(wall / epochs)
                cpu_seconds[label].append(cpu / epochs)
                fitted[label] = est
    for label, est in fitted.items():
        if est.n_iter_ != epochs:
            raise RuntimeError(f"{label} ran {est.n_iter_} epochs, not {epochs}.")
    result = {
        "workload": workload.name,
        "dtype": dtype_name,
        "threads": threads,
        "epochs": epochs,
        "repeats": repeats,
        "seconds_per_epoch": seconds,
        "cpu_seconds_per_epoch": cpu_seconds,
        "median": {label: median(s) for label, s in seconds.items()},
        "median_cpu": {label: median(s) for label, s in cpu_seconds.items()},
        "accuracy": {label: float(est.score(X, y)) for label, est in fitted.items()},
    }
    for times, suffix in ((seconds, ""), (cpu_seconds, "_cpu")):
        ln = np.asarray(times["LogisticNet"])
        for other, key in (("MLPClassifier", "mlp"), ("SGDClassifier", "sgd")):
            if other in times:
                ratio = np.median(ln / np.asarray(times[other]))
                result[f"ratio_{key}{suffix}"] = float(ratio)
    return result


def check_speed(result, clock="wall"):
    suffix = "_cpu" if clock == "cpu" else ""
    ok = result["ratio_mlp" + suffix] <= SPEED_TARGETS[result["workload"]]
    if "ratio_sgd" in result:
        ok = ok and result["ratio_sgd" + suffix] < 1.0
    return ok


def check_accuracy(result):
    acc = result["accuracy"]
    return abs(acc["LogisticNet"] - acc["MLPClassifier"]) <= ACCURACY_TOLERANCE


# ----------------------------------------------------- memory (child process)
def _status_kib(field):
    with open("/proc/self/status") as f:
        return int(re.search(rf"{field}:\s+(\d+)", f.read()).group(1))


def _reset_peak_rss():
    """Reset the kernel's peak-RSS counter (Linux >= 4.0); False if impossible."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def _measure_peak(method, func):
    """Run ``func`` and return its peak extra memory in MiB.

    'rss': the process's peak resident set size during ``func`` minus its
    resident set size just before (everything: numpy arrays, Python objects,
    BLAS buffers). 'tracemalloc': the peak of the memory allocated through
    Python's and numpy's allocators during ``func``.
    """
    gc.collect()
    if method == "tracemalloc":
        tracemalloc.start()
        func()
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return peak / 2**20
    if not _reset_peak_rss():
        raise OSError("cannot reset the peak RSS (/proc/self/clear_refs)")
    before = _status_kib("VmRSS")
    func()
    return (_status_kib("VmHWM") - before) / 2**10


def memory_child(label, dtype_name, method, epochs, rows):
    """In a fresh process: peak extra memory of fit on B, then of predict_proba."""
    warnings.simplefilter("ignore", ConvergenceWarning)
    workload = WORKLOADS["B"]
    X, y = load_data(workload, DTYPES[dtype_name])
    est = make_estimators(workload, epochs)[label]
    # Warm up on a few rows: lazy imports, BLAS buffers, first-call caches.
    clone(est).set_params(max_iter=1).fit(X[:512], y[:512])
    fit_mib = _measure_peak(method, lambda: est.fit(X, y))
    X_big = np.resize(X, (rows, X.shape[1]))
    est.predict_proba(X_big[:512])
    predict_mib = _measure_peak(method, lambda: est.predict_proba(X_big))
    return {"fit": fit_mib, "predict_proba": predict_mib}


def measure_memory(dtype_name, method, epochs, rows):
    """Run :func:`memory_child` for each estimator in its own fresh process."""
    out = {}
    for label in ("LogisticNet", "MLPClassifier"):
        cmd = [
            sys.executable,
            os.path.abspath(__file__),
            "--_memory-child",
            f"{label},{dtype_name},{method},{epochs},{rows}",
        ]
        env = dict(os.environ)
        if method == "rss":
            # A fixed mmap threshold: blocks >= 64 KiB are mapped and unmapped
            # one by one, so the RSS follows the live arrays (glibc's dynamic
            # threshold would keep freed blocks of up to 32 MiB resident).
            env |= {
                "MALLOC_MMAP_THRESHOLD_": "65536",
                "MALLOC_TRIM_THRESHOLD_": "65536",
            }
        proc = subprocess.run(cmd, capture_output=True, text=True, check=True, env=env)
        out[label] = json.loads(proc.stdout.strip().splitlines()[-1])
    return out


# ---------------------------------------------------------------- throughput
def measure_throughput(dtype_name, threads, repeats, rows):
    """predict_proba rows per second on ``rows`` rows of workload B's features."""
    workload = WORKLOADS["B"]
    X, y = load_data(workload, DTYPES[dtype_name])
    X_big = np.resize(X, (rows, X.shape[1]))  # the B rows, repeated
    estimators = {
        label: est.fit(X, y) for label, est in make_estimators(workload, 1).items()
    }
    seconds = {label: [] for label in estimators}
    cpu_seconds = {label: [] for label in estimators}
    with thread_setting(threads):
        for est in estimators.values():
            est.predict_proba(X_big[:1000])
        for _ in range(repeats):
            for label, est in estimators.items():
                gc.collect()
                cpu, wall = time.process_time(), time.perf_counter()
                est.predict_proba(X_big)
                seconds[label].append(time.perf_counter() - wall)
                cpu_seconds[label].append(time.process_time() - cpu)
    rate = {label: rows / median(s) for label, s in seconds.items()}
    cpu_rate = {label: rows / median(s) for label, s in cpu_seconds.items()}
    return {
        "dtype": dtype_name,
        "threads": threads,
        "rows": rows,
        "rows_per_second": rate,
        "rows_per_cpu_second": cpu_rate,
        "ratio": rate["LogisticNet"] / rate["MLPClassifier"],
        "ratio_cpu": cpu_rate["LogisticNet"] / cpu_rate["MLPClassifier"],
    }


# -------------------------------------------- before/after (--baseline PATH)
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def worker_main():
    """A child of ``--baseline``: fit on request, answer one JSON line each.

    Imports ``sklearn_losslab`` from ``PYTHONPATH`` (set by the parent) and the
    workloads from this folder. Requests: ``{"workload", "dtype", "threads",
    "epochs", "init", "label", "warmup", "score"}``.
    """
    out, sys.stdout = sys.stdout, sys.stderr  # stray prints away from the pipe
    import sklearn_losslab

    def answer(obj):
        out.write(json.dumps(obj) + "\n")
        out.flush()

    answer({"file": sklearn_losslab.__file__})
    data = {}
    for line in sys.stdin:
        req = json.loads(line)
        workload = WORKLOADS[req["workload"]]
        key = (req["workload"], req["dtype"])
        if key not in data:
            data[key] = load_data(workload, DTYPES[req["dtype"]])
        X, y = data[key]
        epochs = 1 if req["warmup"] else req["epochs"]
        est = make_estimators(workload, epochs, init=req["init"])[req["label"]]
        with thread_setting(req["threads"]):
            wall, cpu = _fit_seconds(est, X, y)
        reply = {"wall": wall / epochs, "cpu": cpu / epochs, "n_iter": est.n_iter_}
        if req["score"]:
            reply["accuracy"] = float(est.score(X, y))
        answer(reply)


class Worker:
    """A child process that fits one implementation on request."""

    def __init__(self, name, src, label):
        self.name, self.src, self.label = name, os.path.realpath(src), label
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(
            [self.src, *filter(None, [env.get("PYTHONPATH")])]
        )
        self.proc = subprocess.Popen(
            [sys.executable, os.path.abspath(__file__), "--_worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        self.file = self._read()["file"]
        if not os.path.realpath(self.file).startswith(self.src + os.sep):
            self.close()
            raise RuntimeError(
                f"{name}: sklearn_losslab was imported from {self.file}, not from "
                f"{self.src}"
            )

    def _read(self):
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"the {self.name} worker died (see its stderr)")
        return json.loads(line)

    def fit(self, **request):
        self.proc.stdin.write(json.dumps({"label": self.label, **request}) + "\n")
        self.proc.stdin.flush()
        return self._read()

    def close(self):
        self.proc.stdin.close()
        self.proc.wait()


def _tree_version(src):
    """The commit of a source tree, with '+changes' if its package is edited."""
    try:
        head = subprocess.run(
            ["git", "-C", src, "rev-parse", "--short", "HEAD"],
            capture_output=True, text=True, check=True,
        ).stdout.strip()  # fmt: skip
        dirty = subprocess.run(
            ["git", "-C", src, "status", "--porcelain", "--", "sklearn_losslab"],
            capture_output=True, text=True, check=True,
        ).stdout.strip()  # fmt: skip
    except (OSError, subprocess.CalledProcessError):
        return "not a git tree"
    return head + (" +changes" if dirty else "")


def time_pair(workers, request, repeats):
    """Fit with every worker in turn, ``repeats`` times; paired ratios."""
    for worker in workers.values():  # warm-up: imports, data, BLAS buffers
        worker.fit(**request, warmup=True, score=False)
    times = {key: [] for key in workers}
    cpu = {key: [] for key in workers}
    accuracy = {}
    labels = list(workers)
    for r in range(repeats):
        for key in labels[r % len(labels) :] + labels[: r % len(labels)]:
            reply = workers[key].fit(**request, warmup=False, score=r == repeats - 1)
            if reply["n_iter"] != request["epochs"]:
                raise RuntimeError(f"{key} ran {reply['n_iter']} epochs.")
            times[key].append(reply["wall"])
            cpu[key].append(reply["cpu"])
            if "accuracy" in reply:
                accuracy[key] = reply["accuracy"]

    def ratio(t, a, b):
        return float(np.median(np.asarray(t[a]) / np.asarray(t[b])))

    pairs = {"new/old": ("new", "old"), "new/MLP": ("new", "MLP"),
             "old/MLP": ("old", "MLP")}  # fmt: skip
    return {
        **request,
        "repeats": repeats,
        "seconds_per_epoch": times,
        "cpu_seconds_per_epoch": cpu,
        "median": {key: median(t) for key, t in times.items()},
        "ratio": {name: ratio(times, *p) for name, p in pairs.items()},
        "ratio_cpu": {name: ratio(cpu, *p) for name, p in pairs.items()},
        "accuracy": {key: accuracy[key] for key in labels},
    }


def compare_with_baseline(args, names, dtypes, threads_list, repeats, load):
    """``--baseline``: this LogisticNet against another, and both against MLP."""
    workers = {}
    try:
        workers["new"] = Worker("new", REPO, "LogisticNet")
        workers["old"] = Worker("old", args.baseline, "LogisticNet")
        workers["MLP"] = Worker("MLP", REPO, "MLPClassifier")
        trees = {key: workers[key].src for key in ("new", "old")}
        for key, src in trees.items():
            print(f"{key}: {src} ({_tree_version(src)}), {workers[key].file}")
        print()
        results = []
        for threads in threads_list:
            for name in names:
                workload = WORKLOADS[name]
                epochs = args.epochs or (
                    workload.quick_epochs if args.quick else workload.epochs
                )
                for dtype_name in dtypes:
                    request = {"workload": name, "dtype": dtype_name,
                               "threads": threads, "epochs": epochs,
                               "init": args.init}  # fmt: skip
                    r = time_pair(workers, request, repeats)
                    results.append(r)
                    print(
                        f"{name} {dtype_name} threads={threads}: "
                        + ", ".join(f"{k} {v:.4f}" for k, v in r["median"].items())
                        + " s/epoch; "
                        + ", ".join(
                            f"{k} {v:.3f} (cpu {r['ratio_cpu'][k]:.3f})"
                            for k, v in r["ratio"].items()
                        )
                        + "; accuracy "
                        + ", ".join(f"{k} {v:.4f}" for k, v in r["accuracy"].items()),
                        flush=True,
                    )
    finally:
        for worker in workers.values():
            worker.close()
    print(
        f"\n## Before/after: new = {trees['new']}, old = {trees['old']}; "
        f"time per epoch, median of {repeats} paired ratios\n"
    )
    rows = [
        [r["workload"], r["dtype"], _threads_label(r["threads"]),
         *(f"{r['ratio'][k]:.3f}" for k in ("new/old", "new/MLP", "old/MLP"))]
        for r in results
    ]  # fmt: skip
    header = ["workload", "dtype", "threads", "new/old median paired ratio",
              "new/MLP", "old/MLP"]  # fmt: skip
    print(_table(header, rows))
    slower = [
        f"{r['workload']} {r['dtype']} threads={r['threads']} "
        f"({r['ratio']['new/old']:.3f})"
        for r in results
        if r["ratio"]["new/old"] > 1 + BASELINE_TOLERANCE
    ]
    print(
        f"\nnew slower than old by more than {BASELINE_TOLERANCE:.0%}: "
        + (", ".join(slower) if slower else "none")
        + f"; load average {load:.2f} at the start, {os.getloadavg()[0]:.2f} at "
        "the end"
    )
    if args.json:
        with open(args.json, "w") as f:
            json.dump(
                {"machine": machine_info(), "args": vars(args), "trees": trees,
                 "baseline": results},
                f, indent=1,
            )  # fmt: skip


# ---------------------------------------------------------------- reporting
def _pf(ok):
    return "PASS" if ok else "FAIL"


def _threads_label(threads):
    return "1" if threads == "1" else f"default ({default_threads()})"


def _table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def speed_table(results):
    header = [
        "workload", "dtype", "threads", "epochs", "LN s/epoch", "MLP s/epoch",
        "SGD s/epoch", "LN/MLP", "LN/MLP cpu", "target", "LN/SGD", "LN/SGD cpu",
        "acc LN", "acc MLP", "speed", "speed cpu", "accuracy",
    ]  # fmt: skip
    rows = []
    for r in results:
        med, acc = r["median"], r["accuracy"]
        sgd = "SGDClassifier" in med
        # Process CPU time counts spinning BLAS threads: only meaningful with 1.
        one = r["threads"] == "1"
        rows.append(
            [
                r["workload"],
                r["dtype"],
                _threads_label(r["threads"]),
                r["epochs"],
                f"{med['LogisticNet']:.4f}",
                f"{med['MLPClassifier']:.4f}",
                f"{med['SGDClassifier']:.4f}" if sgd else "",
                f"{r['ratio_mlp']:.3f}",
                f"{r['ratio_mlp_cpu']:.3f}" if one else "-",
                f"<= {SPEED_TARGETS[r['workload']]}" + (", < 1 x SGD" if sgd else ""),
                f"{r['ratio_sgd']:.3f}" if sgd else "",
                f"{r['ratio_sgd_cpu']:.3f}" if sgd and one else "",
                f"{acc['LogisticNet']:.4f}",
                f"{acc['MLPClassifier']:.4f}",
                _pf(check_speed(r)),
                _pf(check_speed(r, "cpu")) if one else "-",
                _pf(check_accuracy(r)),
            ]
        )
    return _table(header, rows)


def float32_table(results):
    by_key = {(r["workload"], r["dtype"], r["threads"]): r for r in results}
    rows = []
    for (name, dtype, threads), r32 in by_key.items():
        r64 = by_key.get((name, "float64", threads))
        if dtype != "float32" or r64 is None:
            continue
        ln = r32["median"]["LogisticNet"] / r64["median"]["LogisticNet"]
        mlp = r32["median"]["MLPClassifier"] / r64["median"]["MLPClassifier"]
        target = f"<= {FLOAT32_TARGET}" if name == "B" else ""
        verdict = _pf(ln <= FLOAT32_TARGET) if name == "B" else ""
        rows.append(
            [name, _threads_label(threads), f"{ln:.2f}", f"{mlp:.2f}", target, verdict]
        )
    header = ["workload", "threads", "LN f32/f64", "MLP f32/f64", "target", "result"]
    return _table(header, rows) if rows else ""


def memory_table(memory):
    rows = []
    for dtype, per_method in memory.items():
        for method, per_est in per_method.items():
            ln, mlp = per_est["LogisticNet"], per_est["MLPClassifier"]
            rows.append(
                [
                    dtype,
                    method,
                    f"{ln['fit']:.1f}",
                    f"{mlp['fit']:.1f}",
                    _pf(ln["fit"] <= mlp["fit"]),
                    f"{ln['predict_proba']:.0f}",
                    f"{mlp['predict_proba']:.0f}",
                ]
            )
    header = [
        "dtype", "measure", "fit LN MiB", "fit MLP MiB", "fit: LN <= MLP",
        "predict_proba LN MiB", "predict_proba MLP MiB",
    ]  # fmt: skip
    return _table(header, rows)


def throughput_table(throughput):
    rows = [
        [
            t["dtype"],
            _threads_label(t["threads"]),
            f"{t['rows_per_second']['LogisticNet']:,.0f}",
            f"{t['rows_per_second']['MLPClassifier']:,.0f}",
            f"{t['ratio']:.2f}",
            f"{t['ratio_cpu']:.2f}" if t["threads"] == "1" else "-",
            _pf(t["ratio"] >= 1.0),
        ]
        for t in throughput
    ]
    header = [
        "dtype", "threads", "LN rows/s", "MLP rows/s", "LN/MLP", "LN/MLP cpu", ">= 1"
    ]  # fmt: skip
    return _table(header, rows)


# ---------------------------------------------------------------------- main
def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workloads", default="A,B,C,D", help="e.g. A,B")
    parser.add_argument("--dtypes", default="float64,float32")
    parser.add_argument("--threads", choices=["1", "default", "both"], default="both")
    parser.add_argument("--repeats", type=int, default=None, help="default 5 (3)")
    parser.add_argument(
        "--epochs", type=int, default=None, help="epochs per fit for every workload"
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="3 repeats, fewer epochs and rows, memory for the first dtype only",
    )
    parser.add_argument(
        "--init",
        default="glorot_uniform",
        help="LogisticNet init ('glorot_uniform' is closest to MLPClassifier's)",
    )
    parser.add_argument("--no-memory", action="store_true")
    parser.add_argument("--no-throughput", action="store_true")
    parser.add_argument(
        "--memory-method",
        choices=["rss", "tracemalloc", "both"],
        default="both",
    )
    parser.add_argument("--rows", type=int, default=None, help="predict_proba rows")
    parser.add_argument("--json", metavar="PATH", help="write all results here")
    parser.add_argument(
        "--baseline",
        metavar="PATH",
        help="source tree of another LogisticNet (e.g. a git worktree of the "
        "commit before a change): time it against this one, paired",
    )
    parser.add_argument("--_memory-child", dest="memory_child", help=argparse.SUPPRESS)
    parser.add_argument("--_worker", dest="worker", action="store_true",
                        help=argparse.SUPPRESS)  # fmt: skip
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    warnings.simplefilter("ignore", ConvergenceWarning)
    if args.memory_child:
        label, dtype_name, method, epochs, rows = args.memory_child.split(",")
        out = memory_child(label, dtype_name, method, int(epochs), int(rows))
        print(json.dumps(out))
        return
    if args.worker:
        worker_main()
        return

    start = time.perf_counter()
    repeats = args.repeats or (3 if args.quick else 5)
    rows = args.rows or (200_000 if args.quick else THROUGHPUT_ROWS)
    names = [w.strip().upper() for w in args.workloads.split(",") if w.strip()]
    dtypes = [d.strip() for d in args.dtypes.split(",") if d.strip()]
    threads_list = ["1", "default"] if args.threads == "both" else [args.threads]
    info = machine_info()
    print(f"CPU: {info['cpu']} ({info['cpu_count']} CPUs); Python {info['python']}")
    print(
        f"numpy {info['numpy']}, scipy {info['scipy']}, "
        f"scikit-learn {info['scikit-learn']}"
    )
    for blas in info["blas"]:
        print(
            f"BLAS: {blas['library']} ({blas['internal_api']} {blas['version']}, "
            f"{blas['architecture']}), {blas['num_threads']} threads by default"
        )
    for name in names:
        print("  " + WORKLOADS[name].describe())
    load = os.getloadavg()[0]
    print(f"repeats={repeats}, LogisticNet init={args.init!r}, load average {load:.2f}")
    if load > 0.5:
        print(
            "WARNING: the machine is busy; wall times are noisy. The 'cpu' columns "
            "(process CPU time) are less sensitive to other processes."
        )
    print()
    if args.baseline:
        compare_with_baseline(args, names, dtypes, threads_list, repeats, load)
        return

    results = []
    for threads in threads_list:
        for name in names:
            workload = WORKLOADS[name]
            epochs = args.epochs or (
                workload.quick_epochs if args.quick else workload.epochs
            )
            for dtype_name in dtypes:
                r = time_workload(
                    workload, dtype_name, threads, repeats, epochs, args.init
                )
                results.append(r)
                print(
                    f"{name} {dtype_name} threads={threads}: "
                    + ", ".join(f"{k} {v:.4f}" for k, v in r["median"].items())
                    + f" s/epoch; LN/MLP {r['ratio_mlp']:.3f}",
                    flush=True,
                )

    memory = {}
    if not args.no_memory and "B" in names:
        methods = (
            ["rss", "tracemalloc"]
            if args.memory_method == "both"
            else [args.memory_method]
        )
        epochs = 1 if args.quick else 2
        for dtype_name in dtypes[:1] if args.quick else dtypes:
            memory[dtype_name] = {
                m: measure_memory(dtype_name, m, epochs, rows) for m in methods
            }
            print(f"memory {dtype_name}: {memory[dtype_name]}", flush=True)

    throughput = []
    if not args.no_throughput and "B" in names:
        for threads in threads_list:
            for dtype_name in dtypes:
                t = measure_throughput(dtype_name, threads, max(3, repeats - 2), rows)
                throughput.append(t)
                print(f"throughput {dtype_name} threads={threads}: {t}", flush=True)

    print("\n## Time per epoch (median), ratio = median of paired ratios\n")
    print(speed_table(results))
    f32 = float32_table(results)
    if f32:
        print("\n## float32 / float64 time per epoch (LogisticNet)\n")
        print(f32)
    if memory:
        print(
            "\n## Peak extra memory on B, each estimator in a fresh process "
            f"(fit: {1 if args.quick else 2} epochs; predict_proba: {rows:,} rows)\n"
        )
        print(memory_table(memory))
    if throughput:
        print(f"\n## predict_proba throughput, {rows:,} rows of B's features\n")
        print(throughput_table(throughput))
    elapsed = time.perf_counter() - start
    print(
        f"\nTotal benchmark time: {elapsed:.0f} s; load average at the end "
        f"{os.getloadavg()[0]:.2f}"
    )

    if args.json:
        with open(args.json, "w") as f:
            json.dump(
                {
                    "machine": info,
                    "args": vars(args),
                    "speed": results,
                    "memory": memory,
                    "throughput": throughput,
                    "elapsed_seconds": elapsed,
                    "load_average": [load, os.getloadavg()[0]],
                },
                f,
                indent=1,
            )


if __name__ == "__main__":
    main()
