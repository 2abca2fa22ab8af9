"""Children that a test interrupts with SIGINT, as Ctrl-C in a terminal would.

A parent that ignores SIGINT (a background job of a script, `nohup make test &`) passes that on
to its children, and Python then never raises `KeyboardInterrupt`: the interrupt would be lost
and the test would see the download run to its end. Each such child starts with SIGINT at its
default, as a program started from a terminal does.
"""

from __future__ import annotations

import signal


def sigint_default() -> None:
    """`preexec_fn` for `subprocess.Popen`: SIGINT at its default in the child."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
