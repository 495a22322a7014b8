"""
==============================================================
Grid search over loss, activation and step size on a DataFrame
==============================================================

``LogisticNet`` is an ordinary scikit-learn classifier, so the loss and the
hidden activation are hyper-parameters like any other. This example searches
loss x activation x learning rate with
:class:`~sklearn.model_selection.GridSearchCV` on a pandas DataFrame of numeric
and categorical columns, prepared by a
:class:`~sklearn.compose.ColumnTransformer` inside the pipeline (so that each
cross-validation fold fits its own scaler and encoder).
"""

# %%
# A DataFrame with numeric and categorical columns
# ------------------------------------------------
# A synthetic subscription data set: will a customer cancel? The answer
# depends non-linearly on the numeric columns and on the plan.
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from sklearn_losslab import LogisticNet, LossCurveDisplay

rng = np.random.default_rng(0)
n = 1500
data = pd.DataFrame(
    {
        "age": rng.uniform(18, 80, n).round(),
        "monthly_fee": rng.gamma(4.0, 10.0, n).round(2),
        "support_calls": rng.poisson(1.5, n),
        "plan": pd.Categorical(
            rng.choice(["basic", "plus", "pro"], n, p=[0.5, 0.3, 0.2])
        ),
        "region": rng.choice(["north", "south", "east", "west"], n),
    }
)
logit = (
    0.8 * data["support_calls"]
    - 2.0
    + 1.5 * np.cos((data["age"] - 18) / 12)
    + 0.03 * (data["monthly_fee"] - 40)
    + data["plan"].map({"basic": 0.8, "plus": 0.0, "pro": -1.0}).astype(float)
)
cancelled = rng.random(n) < 1 / (1 + np.exp(-logit))
data["cancelled"] = np.where(cancelled, "yes", "no")
print(data.head())
print(data["cancelled"].value_counts(normalize=True).round(2))

X = data.drop(columns="cancelled")
y = data["cancelled"]
X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)

# %%
# The pipeline
# ------------
# Numeric columns are standardised and categorical ones one-hot encoded;
# ``early_stopping=True`` holds out 10 % of each training fold, stops when the
# hold-out loss has not improved by ``tol`` for ``n_iter_no_change`` epochs and
# keeps the weights of the best epoch. Here every fit stops that way within
# ``max_iter=300`` epochs (the slowest takes about 210); a smaller budget cuts
# some short, and the fit then says so with a ``ConvergenceWarning``.
numeric = ["age", "monthly_fee", "support_calls"]
categorical = ["plan", "region"]
model = Pipeline(
    [
        (
            "prepare",
            ColumnTransformer(
                [
                    ("scale", StandardScaler(), numeric),
                    ("one_hot", OneHotEncoder(handle_unknown="ignore"), categorical),
                ]
            ),
        ),
        (
            "net",
            LogisticNet(
                (16,),
                batch_size=32,
                max_iter=300,
                early_stopping=True,
                random_state=0,
            ),
        ),
    ]
)

# %%
# The search
# ----------
# Two losses, two hidden activations and two step sizes: eight candidates,
# each cross-validated on three folds.
grid = GridSearchCV(
    model,
    {
        "net__loss": ["mse", "cross_entropy"],
        "net__activation": ["sigmoid", "relu"],
        "net__learning_rate_init": [0.03, 0.3],
    },
    cv=3,
)
grid.fit(X_train, y_train)
print("best:", grid.best_params_, f"cv accuracy {grid.best_score_:.3f}")
print(f"test accuracy of the refitted best pipeline: {grid.score(X_test, y_test):.3f}")

# %%
# The results as a table
# ----------------------
# ``cv_results_`` goes straight into a DataFrame. The MSE networks with sigmoid
# units score lowest, the more so with the small step size.
#
# The bars start at zero, so that their lengths compare; the dashed line is the
# accuracy of always answering the majority class, "no", the baseline any
# model has to beat.
results = pd.DataFrame(grid.cv_results_)
table = results.pivot_table(
    index=["param_net__loss", "param_net__activation"],
    columns="param_net__learning_rate_init",
    values="mean_test_score",
)
print(table.round(3))

fig, ax = plt.subplots(figsize=(7, 4), layout="constrained")
table.plot.barh(ax=ax, xlim=(0, 1))
majority = y_train.value_counts(normalize=True).max()
ax.axvline(majority, color="black", linestyle="--", linewidth=1)
ax.annotate(
    "always 'no'",
    (majority, 1),
    xycoords=("data", "axes fraction"),
    xytext=(3, -3),
    textcoords="offset points",
    va="top",
)
ax.set_xlabel("Mean cross-validated accuracy")
ax.set_ylabel("(loss, activation)")
ax.legend(title="learning_rate_init", loc="upper left", bbox_to_anchor=(1.01, 1))
plt.show()

# %%
# The learning curves of the best pipeline
# ----------------------------------------
# :meth:`~sklearn_losslab.LossCurveDisplay.from_estimator` accepts the refitted
# pipeline and draws the curves of its last step; the dashed line is the
# early-stopping hold-out.
LossCurveDisplay.from_estimator(grid.best_estimator_, metric="accuracy")
plt.show()
