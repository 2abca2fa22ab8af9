"""The floor of our stack's start-up: the least a Textual + httpx + pydantic app can do.

Run by `benchmarks/startup.py`, never on its own: it reads TINKER_BASE_URL and TINKER_API_KEY,
makes the same three requests our app makes before its first rows (the SDK's two handshake
calls, then the first page of runs), parses the page with a pydantic model, and paints the run
ids into one Static. No store, no panes, no styling: what is left is importing the libraries,
Textual's first frames, and the round trips. Our app's start-up cannot go below this.
"""

from __future__ import annotations

import os
import sys
import types

# The same two import savings our app's start path makes (lazytinker.cli.app).
sys.modules.setdefault("httpx._main", types.ModuleType("httpx._main"))
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")

import httpx  # noqa: E402
import pydantic  # noqa: E402
from textual.app import App, ComposeResult  # noqa: E402
from textual.widgets import Static  # noqa: E402


class Run(pydantic.BaseModel):
    """One run, as little of it as the page needs."""

    training_run_id: str


class RunsPage(pydantic.BaseModel):
    """The first page of `GET /api/v1/training_runs`."""

    training_runs: list[Run]


class FloorApp(App[None]):
    """One Static, filled with the first page's run ids."""

    def compose(self) -> ComposeResult:
        """The only widget."""
        yield Static("", id="rows", markup=False)

    async def on_mount(self) -> None:
        """Handshake, first page, paint."""
        headers = {"X-API-Key": os.environ["TINKER_API_KEY"]}
        body = {"sdk_version": "0.38.0"}
        async with httpx.AsyncClient(
            base_url=os.environ["TINKER_BASE_URL"], headers=headers
        ) as client:
            await client.post("/api/v1/client/config", json=body)
            await client.post("/api/v1/client/dynamic_config", json=body)
            response = await client.get("/api/v1/training_runs", params={"limit": 100})
        page = RunsPage.model_validate_json(response.content)
        rows = "\n".join(run.training_run_id for run in page.training_runs[:40])
        self.query_one("#rows", Static).update(rows)


if __name__ == "__main__":
    FloorApp().run()
