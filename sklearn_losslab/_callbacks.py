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


__all__ = ["CallbackSupportMixin"]
