"""Packages that import a re-exported name's submodule on first use (`lazytinker.lazy`): every
name of `__all__` still resolves, to the object its submodule defines, and importing the package
alone imports none of them (the app's start-up pays only for what its first screen uses)."""

from __future__ import annotations

import importlib
import subprocess
import sys
from types import ModuleType

import pytest

LAZY_PACKAGES = (
    "lazytinker.api.models",
    "lazytinker.api.endpoints",
    "lazytinker.local",
    "lazytinker.ui.modals",
)


def _package(name: str) -> ModuleType:
    return importlib.import_module(name)


@pytest.mark.parametrize("name", LAZY_PACKAGES)
def test_every_exported_name_resolves_to_its_submodules_object(name: str) -> None:
    package = _package(name)
    homes: dict[str, tuple[str, ...]] = package._HOMES
    listed = {export for names in homes.values() for export in names}
    assert listed == set(package.__all__)
    for home, names in homes.items():
        module = importlib.import_module(f"{name}.{home}")
        for export in names:
            assert getattr(package, export) is getattr(module, export)


@pytest.mark.parametrize("name", LAZY_PACKAGES)
def test_an_unknown_name_is_an_attribute_error(name: str) -> None:
    with pytest.raises(AttributeError, match="no_such_name"):
        _ = _package(name).no_such_name
    with pytest.raises(ImportError):
        exec(f"from {name} import no_such_name", {})


@pytest.mark.parametrize("name", LAZY_PACKAGES)
def test_star_import_brings_every_name(name: str) -> None:
    namespace: dict[str, object] = {}
    exec(f"from {name} import *", namespace)
    assert set(_package(name).__all__) <= set(namespace)


START_IMPORTS = (
    "from lazytinker.api.client import TinkerAPI",
    "from lazytinker.api.models import TrainingRun",
    "from lazytinker.local import LocalLogs",
    "from lazytinker.store import Store",
)
START_UNUSED = (
    "lazytinker.api.models.usage",
    "lazytinker.api.models.checkpoint_calls",
    "lazytinker.api.models.server_info",
    "lazytinker.api.models.session_details",
    "lazytinker.api.training_models",
    "lazytinker.api.endpoints.training",
    "lazytinker.api.endpoints.usage",
    "lazytinker.api.probe",
    "lazytinker.api.transfer",
    "lazytinker.local.folder",
    "lazytinker.local.checkpoints",
)
UI_IMPORTS = ("from lazytinker.ui.app import LazytinkerApp",)
UI_UNUSED = (
    "lazytinker.ui.views.all_checkpoints",
    "lazytinker.ui.views.audit",
    "lazytinker.ui.views.metrics",
    "lazytinker.ui.views.planner",
    "lazytinker.ui.views.downloads",
    "lazytinker.ui.modals.confirm",
    "lazytinker.ui.modals.delete",
    "lazytinker.ui.modals.sort",
    "lazytinker.ui.modals.quit",
    "lazytinker.ui.help",
    "lazytinker.ui.about",
    "lazytinker.ui.zoom",
    "lazytinker.ui.commands",
    "lazytinker.api.models.usage",
    "lazytinker.api.models.checkpoint_calls",
    "lazytinker.api.models.server_info",
    "lazytinker.api.models.session_details",
)


@pytest.mark.parametrize(
    ("imports", "used", "unused"),
    [
        (START_IMPORTS, "lazytinker.api.models.runs", START_UNUSED),
        (UI_IMPORTS, "lazytinker.ui.views.browse", UI_UNUSED),
    ],
    ids=["store-and-client", "ui"],
)
def test_the_start_up_imports_leave_unused_areas_alone(
    imports: tuple[str, ...], used: str, unused: tuple[str, ...]
) -> None:
    """What the first screen never calls is not imported with the store and the client, nor
    with the UI: the other views, the modals and the screens a key opens come when first used
    (`lazytinker.ui.view_shelf`, `lazytinker.ui.modals`)."""
    listing = 'print(" ".join(m for m in sys.modules if m.startswith("lazytinker")))'
    code = "\n".join(("import sys", *imports, listing))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-500:]
    loaded = set(done.stdout.split())
    assert used in loaded
    assert not loaded & set(unused)


def test_build_models_builds_every_area() -> None:
    """The server builds every wire model up front, whichever areas were imported so far."""
    code = (
        "import sys\n"
        "from lazytinker.api.models import build_models\n"
        "build_models()\n"
        "assert 'lazytinker.api.models.usage' in sys.modules\n"
        "from lazytinker.api.models import AuditLogResponse\n"
        "assert AuditLogResponse.__pydantic_complete__\n"
        "assert not AuditLogResponse.model_config.get('defer_build')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-800:]


async def test_the_client_builds_an_endpoint_group_once_when_first_used() -> None:
    from lazytinker.api.client import TinkerAPI
    from lazytinker.api.endpoints.usage import UsageEndpoints
    from lazytinker.api.target import ServerTarget, StaticKey

    async with TinkerAPI(ServerTarget("http://127.0.0.1:9", StaticKey("tml-x"))) as api:
        assert "usage" not in vars(api)
        usage = api.usage
        assert isinstance(usage, UsageEndpoints)
        assert usage.transport is api.transport
        assert api.usage is usage
