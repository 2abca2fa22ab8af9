"""Fixtures of the download tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.client_asgi import ScriptedApp, serve


@pytest.fixture
def scripted() -> Iterator[tuple[ScriptedApp, str]]:
    """A scripted API server and its URL."""
    app = ScriptedApp()
    with serve(app) as url:
        yield app, url
