"""scikit-learn's callback API (1.9+) where it exists, a silent stand-in elsewhere.

With scikit-learn 1.9 or newer, :class:`~sklearn_losslab.LogisticNet` inherits
:class:`sklearn.callback.CallbackSupportMixin`, so ``set_callbacks`` accepts
:class:`sklearn.callback.ProgressBar` and :class:`sklearn.callback.ScoringMonitor`,
also when they are set on a Pipeline or a GridSearchCV around it. With older
versions the estimator has no ``set_callbacks`` and the hooks below do nothing.
"""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause

try:
    from sklearn.callback import CallbackSupportMixin
except ImportError:  # scikit-learn < 1.9: no callback API

    class _NoCallbackContext:
        def subcontext(self, **kwargs):
            return self

        def call_on_fit_task_begin(self, **kwargs):
            return self

        def call_on_fit_task_end(self, **kwargs):
            return False

    class CallbackSupportMixin:  # type: ignore[no-redef]
        """Stand-in without callbacks for scikit-learn versions before 1.9."""

        def _init_callback_context(self, **kwargs):
            return _NoCallbackContext()


__all__ = ["CallbackSupportMixin", "EpochCallbacks"]


class EpochCallbacks:
    """scikit-learn's callback context, as the training loop's epoch hooks.

    ``sync(progress)`` is called at the end of each epoch, before the
    callbacks: it stores the progress in the estimator's fitted attributes
    (``n_iter_``, ``loss_curve_``...), which callbacks read.
    """

    def __init__(self, estimator, context, X_raw, y_raw, metadata, progress, sync):
        self.estimator, self.context = estimator, context
        self.kwargs = {"estimator": estimator, "X": X_raw, "y": y_raw}
        self.metadata, self.progress, self.sync = metadata, progress, sync
        self.epoch = None

    def reconstruction_attributes(self):
        est = self.estimator
        return {
            "coefs_": [c.copy() for c in est.coefs_],
            "intercepts_": [b.copy() for b in est.intercepts_],
            "n_iter_": self.progress.n_iter,
        }

    def begin(self):
        self.context.call_on_fit_task_begin(**self.kwargs, metadata=self.metadata)

    def end(self):
        return self.context.call_on_fit_task_end(
            **self.kwargs,
            metadata=self.metadata,
            reconstruction_attributes=self.reconstruction_attributes,
        )

    def epoch_begin(self):
        self.epoch = self.context.subcontext(task_name="epoch")
        self.epoch.call_on_fit_task_begin(**self.kwargs, metadata=self.metadata)

    def epoch_end(self, progress):
        self.sync(progress)
        return self.epoch.call_on_fit_task_end(
            **self.kwargs,
            metadata=self.metadata,
            reconstruction_attributes=self.reconstruction_attributes,
        )
