"""Uniform label noise on training folds, and the accuracy it leaves.

:func:`flip_labels` flips an exact share of a training fold's labels, each to
another class drawn uniformly, from a seed; the noise of one fold is nested
across rates (the labels flipped at 20% are among those flipped at 40%), so
a sweep varies the rate alone. :func:`noise_sweep` tabulates a comparison's
test scores against the rate. Test folds are never touched: they are not
passed here.
"""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause

from numbers import Real

import numpy as np

from ._configurations import NOISE, configuration_label

__all__ = ["check_label_noise", "flip_labels", "noise_sweep"]


def check_label_noise(label_noise):
    """Return the rates of ``label_noise`` (a rate or a sequence) as a list."""
    rates = [label_noise] if isinstance(label_noise, Real) else list(label_noise)
    if not rates:
        raise ValueError("label_noise must be a rate or a non-empty list of rates.")
    for rate in rates:
        if isinstance(rate, bool) or not isinstance(rate, Real) or not 0 <= rate < 1:
            raise ValueError(f"label_noise rates must be in [0, 1), got {rate!r}.")
    if len(set(rates)) != len(rates):
        raise ValueError(f"label_noise has duplicated rates: {rates}.")
    return [float(rate) for rate in rates]


def flip_labels(y, rate, seed):
    """Flip ``round(rate * len(y))`` labels of ``y``, each to another class.

    The samples to flip are the first of a random permutation of ``y``, and
    each flipped label moves by a random offset of 1 to ``n_classes - 1`` in
    the sorted classes of ``y``, so it lands uniformly on one of the other
    classes. Both are drawn from ``seed`` alone, whatever the rate: for the
    same seed, the samples flipped at a lower rate are also flipped, to the
    same classes, at a higher one.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Class labels of a training fold.

    rate : float
        The share of the labels to flip, in [0, 1).

    seed : int or numpy.random.SeedSequence
        Seeds the samples and the classes they are flipped to.

    Returns
    -------
    noisy : ndarray of shape (n_samples,)
        A copy of ``y`` with the flipped labels.

    flipped : ndarray of shape (n_flipped,)
        The indices of the flipped samples.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_losslab.lab._label_noise import flip_labels
    >>> y = np.array([0, 0, 1, 1, 2, 2, 0, 1])
    >>> noisy, flipped = flip_labels(y, 0.25, seed=0)
    >>> len(flipped), bool((noisy[flipped] != y[flipped]).all())
    (2, True)
    """
    y = np.asarray(y)
    if y.ndim != 1:
        raise ValueError("label_noise needs single-label classes (a 1-D y).")
    classes, codes = np.unique(y, return_inverse=True)
    if len(classes) < 2 and rate > 0:
        raise ValueError("label_noise needs at least two classes in a training fold.")
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(y))
    offsets = rng.integers(1, max(len(classes), 2), size=len(y))
    flipped = np.sort(order[: int(round(rate * len(y)))])
    noisy = y.copy()
    noisy[flipped] = classes[(codes[flipped] + offsets[flipped]) % len(classes)]
    return noisy, flipped


def noise_sweep(comparison, metric=None):
    """Tabulate the test score against the label-noise rate.

    Parameters
    ----------
    comparison : LossComparison
        A comparison whose configurations sweep ``label_noise``.

    metric : str, default=None
        A scoring name; None is ``comparison.metric``.

    Returns
    -------
    table : pandas.DataFrame
        One row per configuration: ``configuration`` (the label without the
        rate), ``label_noise``, ``mean`` and ``std`` (``ddof=0``) of
        ``test_<metric>`` over the folds, in the order compared. Empty when
        the comparison is not a sweep.
    """
    import pandas as pd

    metric = comparison._metric(metric)
    scores = comparison.scores(metric)
    rows = []
    for label, params in comparison.configurations.items():
        if NOISE not in params:
            continue
        others = {k: v for k, v in params.items() if k != NOISE}
        values = scores[label].to_numpy(dtype=float)
        rows.append(
            {
                "configuration": configuration_label(others),
                "label_noise": params[NOISE],
                "mean": values.mean(),
                "std": values.std(),
            }
        )
    return pd.DataFrame(rows, columns=["configuration", "label_noise", "mean", "std"])
