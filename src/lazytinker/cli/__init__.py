"""The command line: `lazytinker [APP OPTIONS]`, `lazytinker serve …`, `lazytinker download …`.

Each sub-command lives in its own module and is imported only when used, so that starting the app
does not pay for the server's imports and `serve` does not pay for Textual's.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from importlib.util import find_spec

SERVER_EXTRA_MISSING = (
    "lazytinker: {what} needs the server extra, which is not installed: "
    "pipx install 'lazytinker[server]' (or pip install 'lazytinker[server]')"
)


def server_extra_missing() -> bool:
    """True when the stand-in server's dependencies (the `server` extra) are not installed."""
    return any(find_spec(name) is None for name in ("fastapi", "uvicorn"))


EXIT_CRASH = 70


def main(argv: Sequence[str] | None = None) -> int:
    """Dispatch to the sub-command named by the first argument; the app is the default.

    Anything that escapes is printed without local variables and through the text rule (the
    key redacted), never as Python's raw traceback.
    """
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        return _dispatch(args)
    except Exception as error:  # the last resort: every expected failure is handled below it
        from lazytinker.crash import crash_report

        sys.stderr.write(crash_report(error))
        return EXIT_CRASH


def _dispatch(args: list[str]) -> int:
    if args and args[0] == "serve":
        if server_extra_missing():
            print(SERVER_EXTRA_MISSING.format(what="lazytinker serve"), file=sys.stderr)
            return 2
        from lazytinker.server.cli import main as serve_main

        return serve_main(args[1:])
    if args and args[0] == "download":
        from lazytinker.cli.app import _lighten_imports

        _lighten_imports()  # the same imports skipped as for the app: ~0.1 s of CPU per run
        from lazytinker.cli.download import main as download_main

        return download_main(args[1:])
    from lazytinker.cli.app import main as launch_main

    return launch_main(args)
