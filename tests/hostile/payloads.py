"""What a hostile server sends, and the checks that none of it got through.

`EVIL` carries every payload the issue names: an OSC 52 clipboard write, an OSC 0 window title,
a CSI 2J screen clear, a C1 CSI, bidi overrides and isolates, markup, DEL, NUL and a lone
surrogate. `KEY` is the API key the client sends; its secret part must never be shown, whole or
cut (`SECRET`, checked in windows of 8 characters).
"""

from __future__ import annotations

import base64
import re

KEY = "tml-hostile-9d2f7c41e8b3a6d5c0f1"
SECRET = KEY.removeprefix("tml-hostile-")

CLIPBOARD = "\x1b]52;c;UFdORUQ=\x07"  # would put "PWNED" on the clipboard
TITLE = "\x1b]0;PWNED-TITLE\x07"
CLEAR = "\x1b[2J"
C1_CSI = "\x9b31m"
BIDI = "\u202e\u2066\u2069\u202a"
MARKUP = "[bold red]markup[/]"
EVIL = f"evil{CLIPBOARD}{TITLE}{CLEAR}{C1_CSI}{BIDI}{MARKUP}\x7f\x00\ud800"

_FORBIDDEN = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200b\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
    "\ud800-\udfff]"
)

# In what reaches a terminal, our own escape sequences are everywhere; the server's are these.
TERMINAL_PAYLOADS = {
    "OSC 52 from the server": b"\x1b]52;c;UFdORUQ=",
    "OSC 0 (window title)": b"\x1b]0;",
    "CSI 2J (clear screen)": b"\x1b[2J",
    "C1 CSI": "\x9b".encode(),
    **{f"bidi U+{ord(c):04X}": c.encode() for c in "\u202a\u202b\u202c\u202d\u202e"},
    **{f"bidi U+{ord(c):04X}": c.encode() for c in "\u2066\u2067\u2068\u2069"},
}


def key_fragments(text: str) -> list[str]:
    """Pieces (8 characters or more) of the key's secret part found in `text`."""
    return [SECRET[i : i + 8] for i in range(len(SECRET) - 7) if SECRET[i : i + 8] in text]


def assert_safe_line(text: str) -> None:
    """One line (a final line feed allowed), nothing a terminal would act on, no piece of the
    key."""
    text = text.removesuffix("\n")
    assert "\n" not in text, f"more than one line: {text!r}"
    bad = _FORBIDDEN.findall(text)
    assert not bad, f"raw control characters {bad!r} in {text!r}"
    assert not key_fragments(text), f"the key in {text!r}"


def assert_safe_output(text: str) -> None:
    """Command-line output (any number of lines): no control characters, no piece of the key."""
    for line in text.splitlines():
        bad = _FORBIDDEN.findall(line.removesuffix("\r"))
        assert not bad, f"raw control characters {bad!r} in {line!r}"
    assert not key_fragments(text), f"the key in {text!r}"


def assert_safe_terminal(output: bytes) -> None:
    """Bytes written to a terminal: none of the server's payloads, no piece of the key, and
    every clipboard write (OSC 52, from `y`) holding printable text only."""
    for name, payload in TERMINAL_PAYLOADS.items():
        assert payload not in output, f"{name} reached the terminal"
    text = output.decode("utf-8", "replace")
    assert not key_fragments(text), "the key reached the terminal"
    for encoded in re.findall(rb"\x1b\]52;c;([A-Za-z0-9+/=]*)", output):
        copied = base64.b64decode(encoded).decode("utf-8", "replace")
        assert not _FORBIDDEN.findall(copied), f"a control character on the clipboard: {copied!r}"
        assert not key_fragments(copied), "the key on the clipboard"
