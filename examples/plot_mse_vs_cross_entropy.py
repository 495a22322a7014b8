"""
======================================
MSE vs cross-entropy on handwritten digits
======================================

The same network, sigmoid hidden units, trained with the two losses of the
study note. Cross-entropy's gradient at the output is ``a - y``; the MSE
gradient carries the extra factor ``sigma'(z) = a (1 - a)``, which vanishes
when an output unit saturates, so MSE learns more slowly.
"""

# %%
# Train both networks with the same seed and settings
# ---------------------------------------------------
import warnings

from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from sklearn_losslab import LogisticNet

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)
scaler = StandardScaler().fit(X_train)
X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)

nets = {}
for loss in ["mse", "cross_entropy"]:
    net = LogisticNet(
        (32,),
        activation="sigmoid",
        loss=loss,
        batch_size=32,
        max_iter=30,
        tol=0,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        nets[loss] = net.fit(X_train, y_train)
    print(
        f"{loss:>13}: test accuracy {net.score(X_test, y_test):.3f}, "
        f"final training loss {net.loss_:.4f}"
    )

# %%
# The training loss per epoch
# ---------------------------
# The two losses live on different scales, so each curve is divided by its
# first value: the question is how fast each one falls.
try:
    import matplotlib.pyplot as plt
except ImportError:  # matplotlib is the optional [plot] extra
    plt = None

if plt is not None:
    fig, ax = plt.subplots(figsize=(6, 4))
    for loss, net in nets.items():
        curve = [value / net.loss_curve_[0] for value in net.loss_curve_]
        ax.plot(range(1, len(curve) + 1), curve, label=loss)
    ax.set_xlabel("epoch")
    ax.set_ylabel("training loss / first epoch's")
    ax.set_title("Sigmoid hidden units, 32 units, batch 32")
    ax.legend()
    plt.show()
