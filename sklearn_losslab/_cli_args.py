"""The ``losslab`` command line's readers of option values.

Each turns one option string into the value the command needs, or raises an
:class:`~sklearn_losslab.io._datasets.InputError` that the command prints as
one line.
"""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause

__all__ = ["check_ranges", "hidden_sizes", "names", "rates"]


def names(value, registry, what):
    from .io._datasets import InputError

    names = [name.strip() for name in value.split(",") if name.strip()]
    if not names:
        raise InputError(f"no {what} given")
    aliases = getattr(registry, "aliases", {})
    for name in names:
        if name not in registry and name not in aliases:
            raise InputError(
                f"unknown {what} {name!r}; choose from {', '.join(sorted(registry))}"
            )
    if len(set(names)) != len(names):
        raise InputError(f"a {what} is given twice in {value!r}")
    return names


def rates(value):
    from .io._datasets import InputError
    from .lab._label_noise import check_label_noise

    try:
        return check_label_noise([float(v) for v in value.split(",") if v.strip()])
    except ValueError as exc:
        raise InputError(f"--label-noise {value!r}: {exc}".rstrip(".")) from None


def hidden_sizes(value):
    from .io._datasets import InputError

    try:
        sizes = [int(v) for v in value.split(",") if v.strip()]
    except ValueError:
        raise InputError(
            f"--hidden takes comma-separated layer sizes such as 64,32, got {value!r}"
        ) from None
    if sizes == [0]:
        return ()
    if not sizes or min(sizes) < 1:
        raise InputError(f"--hidden sizes must be >= 1 (or just 0), got {value!r}")
    return tuple(sizes)


def check_ranges(args):
    from .io._datasets import InputError

    checks = [
        (args.cv >= 2, f"--cv must be at least 2, got {args.cv}"),
        (args.max_iter >= 1, f"--max-iter must be at least 1, got {args.max_iter}"),
        (args.batch_size >= 1, "--batch-size must be at least 1"),
        (args.chunksize >= 1, "--chunksize must be at least 1"),
        (0 < args.test_fraction < 1, "--test-fraction must be between 0 and 1"),
        (0 < args.target_accuracy <= 1, "--target-accuracy must be in (0, 1]"),
    ]
    for ok, message in checks:
        if not ok:
            raise InputError(message)
