"""The about-this-server panel (`i`, listed in `?`): flavor, base URL, identity, what the server
offers, lacks or refuses and why, its own name and version if it says, and how fast it answers.

Opening it asks the server about what no answer has decided yet (reads only: `Store.probe`);
`r` asks again. The text is built by `about_text` from the store alone, so tests read it too.
"""

from __future__ import annotations

from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from lazytinker.api.timing import TIMED
from lazytinker.store import Capability, Change, HandshakeState, Store, Support
from lazytinker.ui import format as fmt
from lazytinker.ui.text import printable

Part = str | tuple[str, str]
LABEL = "$text-muted"
MARKS: dict[Support, tuple[str, str]] = {
    Support.SUPPORTED: ("✓", "$text-success"),
    Support.MISSING: ("✗", "$text-error"),
    Support.FORBIDDEN: ("⊘", "$text-warning"),
    Support.UNKNOWN: ("?", "$text-muted"),
}
FALLBACK_OF: dict[Capability, str] = {
    Capability.SESSION_SEARCH: "sessions",
    Capability.USER_CHECKPOINTS: "user_checkpoints",
    Capability.MODELS: "models",
}
"""The collection that falls back when a capability is missing."""


def _ms(seconds: float | None) -> str:
    return "—" if seconds is None else f"{seconds * 1000:.0f} ms"


def _row(label: str, value: str, style: str = "") -> list[Part]:
    text = printable(value)
    return [(f"  {label:<13}", LABEL), (text, style) if style else text, "\n"]


def _identity_rows(store: Store) -> list[Part]:
    """Who the key is: one row each for its name, organisation and e-mail (on one row they
    wrapped at 80 columns), else one row of what is known."""
    me = store.identity
    if me is None:
        return _row("identity", _identity(store))
    details = me.details
    return [
        *_row("key", me.name or fmt.UNKNOWN),
        *_row("organisation", details.org_details.name or fmt.UNKNOWN),
        *_row("e-mail", details.user_details.email or fmt.UNKNOWN),
    ]


def _identity(store: Store) -> str:
    whoami = getattr(store.api, "whoami", None)
    if whoami is not None:
        return f"{whoami.email or whoami.user_urn} ({whoami.org_urn or 'no organisation'})"
    why = store.why_not(Capability.IDENTITY) or store.errors.get("identity")
    return f"unknown: {why}" if why else "not known yet"


def _server(store: Store) -> str:
    said = getattr(store.api, "server_identity", {}) or {}
    parts = [said[k] for k in ("name", "version") if k in said]
    if "header" in said:
        parts.append(f"Server: {said['header']}")
    return " · ".join(parts) or "it does not say"


def _timing(store: Store) -> str:
    timing = getattr(store.api, "timing", None)
    if timing is None or not timing.count:
        return "no answer yet"
    shown = min(timing.count, TIMED)
    return f"{_ms(timing.fastest)} fastest, {_ms(timing.median)} median (last {shown} answers)"


def _handshake(store: Store) -> str:
    state = store.handshake_state
    if state is HandshakeState.FAILED:
        error = getattr(getattr(store.api, "transport", None), "handshake_error", None)
        return f"failed: {error}" if error else "failed"
    return state.value


def about_text(store: Store) -> Content:
    """Everything the panel says, from the store alone."""
    parts: list[Part] = [("Server\n", "bold")]
    parts += _row("flavor", store.flavor)
    parts += _row("base URL", store.display_url)
    parts += _row("connection", store.connection.value)
    parts += _row("handshake", _handshake(store))
    parts += _identity_rows(store)
    parts += _row("server says", _server(store))
    parts += _row("answers in", _timing(store))
    parts += [
        "\n",
        ("What it offers", "bold"),
        ("  ✓ yes  ✗ missing  ⊘ refused  ? not tried\n", LABEL),
    ]
    for capability, learned in store.learned().items():
        mark, style = MARKS[learned.support]
        reason = learned.reason
        if learned.support is Support.UNKNOWN:
            reason = f"not tried yet (the {store.flavor} preset expects it)"
        elif learned.assumed:
            reason = reason or f"the {store.flavor} preset does not expect it"
        fallback = store.fallbacks.get(FALLBACK_OF.get(capability, ""))
        if learned.support is Support.MISSING and fallback is not None:
            reason += f"; instead: {fallback.detail}"
        parts += [("  " + mark + " ", style), (f"{capability.value:<20}", style)]
        parts += [(printable(reason), LABEL), "\n"]
    others = {name: f for name, f in store.fallbacks.items() if name not in FALLBACK_OF.values()}
    if others:
        parts += ["\n", ("Also\n", "bold")]
        for name, fallback in sorted(others.items()):
            parts += _row(name.replace("_", " "), fallback.detail)
    return Content.assemble(*parts)


class AboutScreen(ModalScreen[None]):
    """The about-this-server panel; esc, q or i closes it, r asks the server again."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,i", "close", "Close", id="close_about"),
        Binding("r", "probe", "Ask again", id="probe"),
    ]

    DEFAULT_CSS = """
    AboutScreen { align: center middle; }
    AboutScreen > VerticalScroll { width: 110; max-width: 95%; height: auto; max-height: 90%;
        border: round $accent; background: $surface; padding: 0 1; }
    """

    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store
        self.body = Static("", id="about", markup=False)

    def compose(self) -> ComposeResult:
        """The panel's text, in a scroll."""
        with VerticalScroll() as scroll:
            scroll.border_title = Content("About this server")
            scroll.border_subtitle = Content("r ask again · esc close")
            yield self.body

    def on_mount(self) -> None:
        """Show what is known, follow what is learned, and ask about the rest."""
        self.redraw()
        self._unsubscribe = self.store.subscribe(self._changed)
        self._probe()

    def on_unmount(self) -> None:
        """Stop following the store."""
        self._unsubscribe()

    def _changed(self, change: Change) -> None:
        if change.collection in ("capabilities", "identity", "status", "clock"):
            self.redraw()

    def redraw(self) -> None:
        """Paint the panel from the store."""
        self.body.update(about_text(self.store))

    def action_probe(self) -> None:
        """`r`: ask the server again about everything a read can decide."""
        self._probe(everything=True)

    @work(group="probe", exclusive=True)
    async def _probe(self, everything: bool = False) -> None:
        self.body.border_title = "asking the server…"
        await self.store.probe(everything)
        if self.store.identity is None:
            await self.store.load_identity()
        self.body.border_title = None
        self.redraw()

    def action_close(self) -> None:
        """Close the panel."""
        self.dismiss(None)
