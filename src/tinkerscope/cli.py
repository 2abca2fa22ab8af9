"""The command line: `tinkerscope [APP OPTIONS]`, `tinkerscope serve …`, `tinkerscope download …`.

Each sub-command lives in its own module and is imported only when used, so that starting the app
does not pay for the server's imports and `serve` does not pay for Textual's.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    """Dispatch to the sub-command named by the first argument; the app is the default."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == "serve":
        from tinkerscope.server.cli import main as serve_main

        return serve_main(args[1:])
    if args and args[0] == "download":
        from tinkerscope.download_cli import main as download_main

        return download_main(args[1:])
    from tinkerscope.launch import main as launch_main

    return launch_main(args)
