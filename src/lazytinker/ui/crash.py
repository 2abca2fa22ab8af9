"""Textual's crash screen, made safe: no local variables, every message through the text rule.

Textual prints an unhandled exception with `show_locals=True`: every frame's variables, the API
key and the JWT among them (a `token` in the transport, a header dict). Ours shows the frames and
the messages, redacted and escaped like any server text.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from lazytinker.crash import BUG_REPORT
from lazytinker.text import printable

if TYPE_CHECKING:
    # Imported when a crash happens: rich.traceback brings pygments (~20 ms of start-up).
    from rich.traceback import Trace, Traceback


def _safe_trace(trace: Trace) -> Trace:
    from rich.traceback import Trace

    stacks = []
    for stack in trace.stacks:
        syntax = stack.syntax_error
        if syntax is not None:
            syntax = dataclasses.replace(
                syntax, line=printable(syntax.line), msg=printable(syntax.msg)
            )
        stacks.append(
            dataclasses.replace(
                stack,
                exc_value=printable(stack.exc_value),
                syntax_error=syntax,
                frames=[dataclasses.replace(f, locals=None) for f in stack.frames],
                notes=[printable(n) for n in stack.notes],
            )
        )
    return Trace(stacks=stacks)


def crash_traceback(error: BaseException) -> Traceback:
    """A Rich traceback of `error` without locals, its messages redacted and escaped."""
    import rich
    from rich.traceback import Traceback

    trace = Traceback.extract(type(error), error, error.__traceback__, show_locals=False)
    return Traceback(_safe_trace(trace), show_locals=False, width=None, suppress=[rich])


__all__ = ["BUG_REPORT", "crash_traceback"]
