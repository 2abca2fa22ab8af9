"""Making server text safe to show: control characters become visible escapes.

Server strings are data. Our tables paint plain strings as segments and the detail panel builds
`Content` from plain strings, so markup such as `[bold red]` is never interpreted; this module
handles the other half, escape sequences and other control characters, which must show as typed
rather than move the cursor or recolour the terminal.
"""

from __future__ import annotations

_CONTROL = {c: f"\\x{c:02x}" for c in (*range(0x00, 0x20), *range(0x7F, 0xA0))}
_CONTROL[0x09] = "\\t"
_CONTROL[0x0A] = "\\n"
_CONTROL[0x0D] = "\\r"
_CONTROL.update({c: f"\\u{c:04x}" for c in (0x2028, 0x2029, 0x200B, 0x200E, 0x200F, 0x202E)})


def printable(text: str) -> str:
    """The text with every control character shown as an escape (`\\x1b`, `\\n`)."""
    return text.translate(_CONTROL)
