"""Comma lists of names for `--without` and `--quirks`, checked against the names on offer."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

__all__ = ["CompatSpecError", "parse_names"]


class CompatSpecError(ValueError):
    """A `--without` group or `--quirks` name the server does not know."""


def parse_names(
    option: str, names: str | Iterable[str], valid: Mapping[str, object]
) -> tuple[str, ...]:
    """The names of a comma list (or sequence), in order and without repeats; unknown ones refused.

    The error names every valid choice, so a typo is fixed from the message alone.
    """
    items = names.split(",") if isinstance(names, str) else list(names)
    wanted: list[str] = []
    for item in (name.strip() for name in items):
        if not item:
            continue
        if item not in valid:
            choices = ", ".join(valid)
            raise CompatSpecError(f"{option}: unknown name {item!r}; valid names: {choices}")
        if item not in wanted:
            wanted.append(item)
    return tuple(wanted)
