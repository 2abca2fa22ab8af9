"""What a crash shows: the traceback without local variables, every line through the text rule.

The last resort of the command line and of the app (whose own crash screen, Textual's, would
print every frame's local variables: the key among them). The exception messages are redacted
and escaped like any server text, since a message can quote what a server sent.
"""

from __future__ import annotations

import traceback

from lazytinker.text import printable

BUG_REPORT = "this is a bug in lazytinker; please report it with the lines above"


def crash_report(error: BaseException) -> str:
    """The traceback of `error` (no locals), safe to print, ending with what to do."""
    lines = traceback.format_exception(error)
    safe = [printable(part) for chunk in lines for part in chunk.rstrip("\n").split("\n")]
    return "\n".join([*safe, BUG_REPORT]) + "\n"
