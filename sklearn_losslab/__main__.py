"""``python -m sklearn_losslab``: the ``losslab`` command line."""

# Authors: The sklearn_losslab developers
# SPDX-License-Identifier: BSD-3-Clause

from .cli import main

if __name__ == "__main__":
    raise SystemExit(main())
