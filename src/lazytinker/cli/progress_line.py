"""The download command's progress line: one line on stderr, redrawn in place, never wider than
the terminal (so it never wraps into the scrollback).

What fits is chosen by priority: the checkpoint (its path shortened from the middle, its name
kept), then the percentage, the bytes, the rate, the ETA, and a bar when there is room. Several
downloads in one run are numbered `[2/3]`. Everything shown passes through `printable`, so a
name cannot move the cursor.
"""

from __future__ import annotations

import os
from typing import TextIO

from lazytinker import human
from lazytinker.api.download import Progress
from lazytinker.ui.text import printable

__all__ = ["ProgressLine", "fit_progress", "render_progress", "shorten_middle", "size_text"]

_ELLIPSIS = "…"
_WAITING = frozenset({"resolving", "building", "exporting", "verifying", "extracting"})
_MIN_WIDTH = 20


def shorten_middle(text: str, width: int) -> str:
    """`text` in at most `width` characters, cut in the middle; the last path segment (the
    checkpoint's name) is kept whole while it fits."""
    if len(text) <= width:
        return text
    if width <= 1:
        return _ELLIPSIS[:width]
    segments = text.split("/")
    # The kind and the name (`weights/step-0100`) when there is room, else the name alone.
    for tail in ("/".join(segments[-2:]), segments[-1]):
        if tail != text and len(tail) + 2 <= width and (len(tail) + 10 <= width or "/" not in tail):
            head = width - len(tail) - 1
            return text[:head] + _ELLIPSIS + text[-len(tail) :]
    keep = width - 1
    return text[: keep - keep // 2] + _ELLIPSIS + text[len(text) - keep // 2 :]


def size_text(value: float) -> str:
    """Bytes in the app's one size unit (decimal, `882.7 MB`), as the listings show them."""
    return human.size(value)


def _clock(seconds: float) -> str:
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def render_progress(event: Progress, width: int = 24) -> str:
    """The whole line for `event`, with a bar `width` characters wide (no limit on its length)."""
    name = printable(event.file or "")
    if event.phase in _WAITING:
        return f"{name} {_waiting(event)}"
    parts = _parts(event, width)
    return f"{name} {' '.join(parts)}"


def fit_progress(event: Progress, width: int = 80, prefix: str = "") -> str:
    """One line of at most `width` characters describing `event`."""
    width = max(_MIN_WIDTH, width)
    name = printable(event.file or "")
    if event.phase in _WAITING:
        status = _waiting(event)
        room = width - len(prefix) - len(status) - 1
        if room < 8:
            return (prefix + status)[:width]
        return f"{prefix}{shorten_middle(name, room)} {status}"
    parts = _parts(event, 20)
    # Drop the least useful parts until the name gets a readable share of the line.
    while parts and width - len(prefix) - len(" ".join(parts)) - 1 < min(24, len(name)):
        parts.pop()
    tail = " ".join(parts)
    room = width - len(prefix) - len(tail) - (1 if tail else 0)
    line = f"{prefix}{shorten_middle(name, room)}"
    return f"{line} {tail}" if tail else line


def _waiting(event: Progress) -> str:
    if event.phase == "building":
        wait = f", asking again in {event.retry_after:g} s" if event.retry_after else ""
        return f"(the server is preparing it{wait})"
    if event.phase == "exporting":
        return f"({printable(event.detail or 'exporting')})"
    if event.phase == "verifying":
        return "(verifying)"
    if event.phase == "extracting":
        return "(extracting)"
    return "(starting)"


def _parts(event: Progress, bar: int) -> list[str]:
    """Percentage, bytes, rate, ETA, bar: most useful first."""
    parts: list[str] = []
    fraction = event.fraction
    if fraction is not None:
        parts.append(f"{fraction:4.0%}")
        parts.append(f"{size_text(event.done)} / {size_text(event.total or 0)}")
    else:
        parts.append(size_text(event.done))
    if event.rate:
        parts.append(f"{size_text(event.rate)}/s")
    if event.eta is not None:
        parts.append(f"ETA {_clock(event.eta)}")
    if fraction is not None and bar:
        filled = int(fraction * bar)
        parts.append("[" + "#" * filled + "-" * (bar - filled) + "]")
    return parts


class ProgressLine:
    """A one-line progress display redrawn in place on a terminal."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.shown = False
        self.prefix = ""

    def width(self) -> int:
        """The terminal's width now, less one column (some terminals wrap at the last one)."""
        try:
            columns = os.get_terminal_size(self.stream.fileno()).columns
        except (OSError, ValueError):
            columns = 80
        return max(_MIN_WIDTH, columns - 1)

    def update(self, event: Progress) -> None:
        """Redraw the line for one progress event."""
        self.stream.write("\r" + fit_progress(event, self.width(), self.prefix) + "\x1b[K")
        self.stream.flush()
        self.shown = True

    def clear(self) -> None:
        """Remove the line, so the next message starts on a clean line."""
        if self.shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self.shown = False
