"""``python -m convviz.engine.warmup``: fill numba's cache with every engine loop.

``scripts/setup.sh`` runs it once at install time. The work is done in
:mod:`._warm` (which the package imports), so that running this module as a
script does not import it twice.
"""

from __future__ import annotations

import sys

from ._warm import main, warm_up

__all__ = ["main", "warm_up"]

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
