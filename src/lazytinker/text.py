"""The one rule for showing text we did not write: secrets out, control characters made visible.

Every piece of text that came from a server or from a file the user did not write (ids, names,
metadata, paths, error details, file names in an archive) passes through `printable` before it is
shown, by the TUI (table cells, detail, toasts, modals, header, error lines) and by the command
line (stdout, stderr, the progress line). It does two things, in this order:

1. **Redact** every secret the process holds (the API key, the JWT it was exchanged for), so a
   server that echoes the key back in a detail or a field name cannot put it on screen. It runs
   before anything cuts the text, so a truncated cell never shows the first half of a key.
2. **Escape** what a terminal would act on or what would reorder what the reader sees: C0 and C1
   controls and DEL (`\\x1b`, `\\x9b`, `\\n`), bidirectional overrides and isolates
   (U+202A-U+202E, U+2066-U+2069, and the marks U+200E, U+200F, U+061C), line and paragraph
   separators, zero-width space, and lone surrogates (which cannot even be encoded to UTF-8).
   Each becomes a visible escape such as `\\x1b` or `\\u202e`; everything else is kept.

The result contains only printable characters and backslashes, so applying the rule twice
changes nothing. Markup stays literal because the UI never parses this text as markup.

This module imports nothing of the app: `api/`, `store/`, `ui/` and `cli/` all use it.
"""

from __future__ import annotations

import threading

REDACTED = "***"
MIN_SECRET_LENGTH = 8
"""Shorter strings are not remembered as secrets: redacting `abc` everywhere would garble every
message, and no real key is that short (tinker keys start with `tml-` and run to dozens)."""

_ESCAPES: dict[int, str] = {c: f"\\x{c:02x}" for c in (*range(0x00, 0x20), *range(0x7F, 0xA0))}
_ESCAPES[0x09] = "\\t"
_ESCAPES[0x0A] = "\\n"
_ESCAPES[0x0D] = "\\r"
_ESCAPES.update(
    {
        c: f"\\u{c:04x}"
        for c in (
            0x061C,  # arabic letter mark
            0x200B,  # zero width space
            0x200E,  # left-to-right mark
            0x200F,  # right-to-left mark
            0x2028,  # line separator
            0x2029,  # paragraph separator
            *range(0x202A, 0x202F),  # embeddings and overrides
            *range(0x2066, 0x206A),  # isolates
            0xFEFF,  # byte order mark / zero width no-break space
            *range(0xD800, 0xE000),  # lone surrogates (from `\\ud800` in JSON)
        )
    }
)

_secrets: tuple[str, ...] = ()
"""Longest first: a JWT may hold the key's text."""
_secrets_lock = threading.Lock()


def remember_secret(secret: str | None) -> None:
    """Redact `secret` from all text shown from now on (the key, a JWT); short ones are ignored."""
    global _secrets
    if secret and len(secret) >= MIN_SECRET_LENGTH and secret not in _secrets:
        with _secrets_lock:
            _secrets = tuple(sorted({*_secrets, secret}, key=len, reverse=True))


def forget_secrets() -> None:
    """Forget every remembered secret (for tests that start over)."""
    global _secrets
    with _secrets_lock:
        _secrets = ()


def redact(text: str) -> str:
    """`text` with every remembered secret replaced by `***`."""
    for secret in _secrets:
        if secret in text:
            text = text.replace(secret, REDACTED)
    return text


def escape_controls(text: str) -> str:
    """`text` with control, bidi and surrogate characters shown as visible escapes."""
    # Every character escaped is one `str.isprintable` refuses: the common case costs one scan.
    if text.isprintable():
        return text
    return text.translate(_ESCAPES)


def printable(text: object) -> str:
    """The one rule: `text` (anything, made a `str`) redacted, then with controls escaped."""
    as_text = text if isinstance(text, str) else str(text)
    return escape_controls(redact(as_text))


def printable_lines(text: str) -> list[str]:
    """`printable` for text we lay out over several lines: split on `\\n`, each line made safe.

    For our own messages that quote server text; a line feed never reaches the terminal as a
    byte (the UI lays lines out itself), so keeping the line structure is safe.
    """
    return [printable(line) for line in redact(text).split("\n")]


def one_line(text: object, limit: int | None = None) -> str:
    """`printable`, with runs of whitespace folded to one space, then cut to `limit` characters
    (after redacting: a cut never leaves half a key)."""
    as_text = text if isinstance(text, str) else str(text)
    folded = " ".join(redact(as_text).split())
    safe = escape_controls(folded)
    if limit is not None and len(safe) > limit:
        safe = safe[: max(limit - 1, 0)] + "…"
    return safe
