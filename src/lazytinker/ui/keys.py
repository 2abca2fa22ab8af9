"""The app's keys as the user has them: what a binding id is pressed with now (after the config's
`[keys]` remaps), for every text that names a key (status line hints, messages, help)."""

from __future__ import annotations

from textual.binding import Binding
from textual.dom import DOMNode


def key_for(node: DOMNode, binding_id: str, default: str) -> str:
    """The key that runs binding `binding_id`, as shown (`space`, `^s`, `P`): the user's remap
    from the config if there is one, else `default`."""
    try:
        app = node.app
    except Exception:  # not attached to an app yet (a widget built before mounting)
        return default
    remapped = getattr(app, "keys", {}).get(binding_id)
    key = remapped.split(",")[0].strip() if remapped else default
    return app.get_key_display(Binding(key, "", show=False))
