"""`tinkerscope download PATH…`: download checkpoints without the UI, for scripts."""

from __future__ import annotations

import sys
from collections.abc import Sequence


def main(argv: Sequence[str]) -> int:
    """Download the named checkpoints; returns the process exit status."""
    print("tinkerscope download: not built yet", file=sys.stderr)
    return 2
