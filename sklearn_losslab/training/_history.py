"""The per-epoch record of a model's training, with checkpoints to roll back to.

:class:`History` keeps its rows in plain containers (a dict of lists and two
lists), which the estimator stores as its own attributes (``history_``,
``loss_curve_``, ``validation_scores_``), so saved models hold no object of
this package but the estimator. Rows are appended in place; a checkpoint is
the lengths of the records, and rolling back to it drops what was appended
since, in O(1) per record.
"""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np

__all__ = ["History"]


class History:
    """Per-epoch records across all the calls to fit and partial_fit.

    Parameters
    ----------
    columns : dict of str to list, default=None
        The ``history_`` columns recorded so far, updated in place.

    loss_curve : list of float, default=None
        Training loss of each epoch, updated in place.

    validation_scores : list of float or None, default=None
        Score on the validation data of each epoch that had some; None
        until an epoch had.
    """

    def __init__(self, columns=None, loss_curve=None, validation_scores=None):
        self.columns = {} if columns is None else columns
        self.loss_curve = [] if loss_curve is None else loss_curve
        self.validation_scores = validation_scores

    def __len__(self):
        return len(self.loss_curve)

    def append(self, row):
        """Record one epoch.

        Parameters
        ----------
        row : dict
            The epoch's values; must hold ``loss``, may hold ``val_score``.
            A column the row lacks gets NaN; a new column is NaN for the
            earlier epochs. Columns keep their order of first appearance.
        """
        n_before = len(self.loss_curve)
        self.loss_curve.append(row["loss"])
        if "val_score" in row:
            if self.validation_scores is None:
                self.validation_scores = []
            self.validation_scores.append(row["val_score"])
        columns = self.columns
        for key in row:
            if key not in columns:  # a new column: NaN for the earlier epochs
                columns[key] = [np.nan] * n_before
        for key, column in columns.items():
            column.append(row.get(key, np.nan))

    def checkpoint(self):
        """Return the lengths of the records, to roll back to.

        Returns
        -------
        checkpoint : tuple
        """
        scores = self.validation_scores
        return (
            len(self.loss_curve),
            None if scores is None else len(scores),
            {key: len(column) for key, column in self.columns.items()},
        )

    def rollback(self, checkpoint):
        """Drop every epoch recorded since ``checkpoint``.

        Parameters
        ----------
        checkpoint : tuple
            From :meth:`checkpoint`.
        """
        n_losses, n_scores, lengths = checkpoint
        del self.loss_curve[n_losses:]
        if n_scores is None:
            self.validation_scores = None
        elif self.validation_scores is not None:
            del self.validation_scores[n_scores:]
        for key in list(self.columns):
            if key in lengths:
                del self.columns[key][lengths[key] :]
            else:
                del self.columns[key]

    def frame(self):
        """Return the records as a pandas DataFrame, one row per epoch."""
        import pandas as pd

        return pd.DataFrame(self.columns)
