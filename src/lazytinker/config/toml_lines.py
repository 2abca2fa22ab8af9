"""Where each key of a TOML file is written, so a refusal can name the line.

`tomllib` gives values without positions. A config file is short and plain (table headers, one
`key = value` per line), so a line scan finds every key of the forms we document: `[table]` and
`[table.sub]` headers, `key = …`, quoted keys, and dotted keys (`ui.refresh = 1`). A key written
some other way (inside an inline table) has no line, and the message goes without one.
"""

from __future__ import annotations

import re

KeyPath = tuple[str, ...]

_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_ASSIGN = re.compile(
    r"""^\s*((?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*'))*)\s*="""
)
_PART = re.compile(r"""[A-Za-z0-9_-]+|"[^"]*"|'[^']*'""")


def _parts(dotted: str) -> KeyPath:
    return tuple(p.strip("\"'") for p in _PART.findall(dotted))


def key_lines(text: str) -> dict[KeyPath, int]:
    """The 1-based line of every key and table header: `("ui", "refresh") -> 4`."""
    found: dict[KeyPath, int] = {}
    table: KeyPath = ()
    in_multiline = False
    for number, line in enumerate(text.splitlines(), start=1):
        # A multi-line string's lines are values, not keys.
        if in_multiline:
            if line.count('"""') % 2 or line.count("'''") % 2:
                in_multiline = False
            continue
        header = _HEADER.match(line)
        if header:
            table = _parts(header.group(1))
            found.setdefault(table, number)
            continue
        assign = _ASSIGN.match(line)
        if assign:
            found.setdefault(table + _parts(assign.group(1)), number)
            rest = line[assign.end() :]
            if rest.count('"""') % 2 or rest.count("'''") % 2:
                in_multiline = True
    return found
