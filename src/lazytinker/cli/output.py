"""What the command line writes: every line through the one text rule (`lazytinker.text`).

Server text (an error's detail, a file name from an external-weights map) reaches stdout, stderr
and the progress line only through here: the key redacted, control and bidi characters escaped,
so a server cannot set the clipboard, retitle the window or clear the screen through a script's
output either. JSON lines are escaped by `json.dumps` (ASCII only) and redacted.
"""

from __future__ import annotations

import json
import sys
from typing import Any, TextIO

from lazytinker.text import one_line, printable, redact

EXIT_USAGE = 2


def say(text: str, stream: TextIO | None = None) -> None:
    """Write one line of text (safe) and flush it."""
    out = sys.stdout if stream is None else stream
    print(printable(text), file=out, flush=True)


def warn(prog: str, message: object, stream: TextIO | None = None) -> None:
    """Write `prog: message` as one safe line on stderr."""
    out = sys.stderr if stream is None else stream
    print(f"{prog}: {one_line(message)}", file=out, flush=True)


def refuse(prog: str, message: object) -> int:
    """A start-up refusal: one line on stderr; returns the exit status (2)."""
    warn(prog, message)
    return EXIT_USAGE


def json_line(record: dict[str, Any], stream: TextIO | None = None) -> None:
    """Write one JSON object on one line (ASCII, the key redacted)."""
    out = sys.stdout if stream is None else stream
    print(redact(json.dumps(record, ensure_ascii=True)), file=out, flush=True)
