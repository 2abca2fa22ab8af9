"""`tinkerscope [OPTIONS]`: resolve the profile, build the client and store, and open the app."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from tinkerscope import __version__


def build_parser() -> argparse.ArgumentParser:
    """The app's command-line options."""
    parser = argparse.ArgumentParser(
        prog="tinkerscope",
        description="A full-screen terminal browser for Tinker-compatible fine-tuning services.",
        epilog="Sub-commands: `tinkerscope serve --help`, `tinkerscope download --help`.",
    )
    parser.add_argument("--version", action="version", version=f"tinkerscope {__version__}")
    parser.add_argument(
        "--demo", action="store_true", help="open the app on a built-in demo server"
    )
    return parser


def main(argv: Sequence[str]) -> int:
    """Run the app; returns the process exit status."""
    build_parser().parse_args(list(argv))
    print("tinkerscope: the app is not built yet (see the issues).", file=sys.stderr)
    return 2
