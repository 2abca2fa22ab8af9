"""`tinkerscope serve`: run the stand-in Tinker server."""

from __future__ import annotations

import sys
from collections.abc import Sequence


def main(argv: Sequence[str]) -> int:
    """Run the server; returns the process exit status."""
    print("tinkerscope serve: not built yet", file=sys.stderr)
    return 2
