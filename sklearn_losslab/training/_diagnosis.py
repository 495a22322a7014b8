"""Telling a fit that is stuck from one that converged, from its history.

Run at the end of ``fit`` on the epochs of the call. Each finding names what
was measured; the estimator turns them into one
:class:`~sklearn_losslab.exceptions.SaturationWarning` with what to do.
"""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause

import math

__all__ = ["stuck_findings", "stuck_message"]

#: Share of training samples misclassified with every output saturated.
STUCK_OUTPUTS = 0.10
#: Share of hidden units dead (ReLU) or activations saturated (sigmoid, tanh).
STUCK_HIDDEN = 0.90
#: The loss "has not moved" when it changed by less than this share since
#: the second epoch...
STILL_LOSS = 1e-3
#: ...and the accuracy is at most the majority share plus this.
MAJORITY_MARGIN = 0.01


def _finite(value):
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def stuck_findings(
    columns, first, *, majority_share=None, activation="", label_noise=0.0
):
    """What says that training is stuck, measured on the epochs from ``first``.

    Parameters
    ----------
    columns : dict of str to list
        The ``history_`` columns.

    first : int
        Index of the call's first epoch in the columns.

    majority_share : float, default=None
        Accuracy of always predicting the most frequent class (None: unknown,
        as for multilabel targets).

    activation : str, default=''
        The hidden activation's name, for the wording.

    label_noise : float, default=0.0
        The known share of flipped training labels (a comparison's
        ``label_noise``): a model that resists the flips misclassifies that
        share of the training samples confidently, so only a share of stuck
        outputs beyond it counts.

    Returns
    -------
    findings : list of str
        Empty when nothing says training is stuck.
    """
    n = len(columns["loss"]) - first
    if n < 1:
        return []

    def last(key):
        values = columns.get(key)
        return values[-1] if values else None

    findings = []
    stuck, sigma = last("stuck_output_fraction"), last("mean_sigma_prime")
    if _finite(stuck) and stuck > STUCK_OUTPUTS + label_noise:
        findings.append(
            f"{stuck:.0%} of the training samples are misclassified with every "
            f"output unit saturated (a (1 - a) < 0.01; the mean sigma'(z) of the "
            f"outputs is {sigma:.2g})"
        )
    dead = last("dead_relu_fraction")
    if _finite(dead) and dead >= STUCK_HIDDEN:
        findings.append(f"{dead:.0%} of the {activation} units are dead")
    saturated = last("saturated_hidden_fraction")
    if _finite(saturated) and saturated >= STUCK_HIDDEN:
        findings.append(
            f"{saturated:.0%} of the {activation} activations are saturated (|z| > 4)"
        )
    losses = columns["loss"][first:]
    accuracy = last("train_accuracy")
    if n >= 5 and majority_share is not None and _finite(accuracy):
        moved = abs(losses[-1] - losses[1])
        if moved <= STILL_LOSS * abs(losses[1]) and (
            accuracy <= majority_share + MAJORITY_MARGIN
        ):
            findings.append(
                f"the training loss has not moved since epoch 2 ({losses[1]:.4g} "
                f"-> {losses[-1]:.4g}) and the training accuracy ({accuracy:.3f}) "
                "is no better than always predicting the most frequent class "
                f"({majority_share:.3f})"
            )
    return findings


def stuck_message(findings, *, loss_name, fixed_rate, max_iter_reached):
    """The warning's text: what was measured, then what to do."""
    advice = [
        "scale the inputs (e.g. make_pipeline(StandardScaler(), LogisticNet()))"
        + (", or leave learning_rate_init='auto', which does" if fixed_rate else ""),
        "use a smaller learning_rate_init",
    ]
    if loss_name != "cross_entropy":
        advice.append(
            "use loss='cross_entropy', whose gradient a - y does not vanish "
            "when the outputs saturate"
        )
    ending = " (and the maximum number of iterations was reached)"
    return (
        "Training is stuck, not converged: "
        + "; ".join(findings)
        + (ending if max_iter_reached else "")
        + ". What to do: "
        + "; or ".join(advice)
        + "."
    )
