"""Server text on screen: the one rule of `lazytinker.text`, as plain strings or as `Content`.

Our tables paint plain strings as segments and the detail panel, modals and toasts build `Content`
from plain strings, so markup such as `[bold red]` is never interpreted; `printable` handles the
other half (the key redacted, escape sequences, bidi controls and lone surrogates made visible).
"""

from __future__ import annotations

from textual.content import Content

from lazytinker.text import printable, printable_lines

__all__ = ["literal", "printable"]


def literal(text: str, *, multiline: bool = False) -> Content:
    """Text from the server as a literal `Content`: no markup, the one rule applied. With
    `multiline`, line feeds lay the text out over lines (every other control is escaped)."""
    if multiline:
        return Content("\n".join(printable_lines(text)))
    return Content(printable(text))
