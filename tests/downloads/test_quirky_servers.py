"""Archives as quirky real servers serve them, played by the stand-in (`--quirks`): a `file://`
URL of a server-side folder is explained in one line naming the scheme; a `.tar.gz` whose first
member has the empty name extracts."""

from __future__ import annotations

from pathlib import Path

import pytest

from lazytinker.api.client import TinkerAPI
from lazytinker.api.download import (
    CheckpointDownload,
    DownloadError,
    download_checkpoint,
    new_fetcher,
)
from lazytinker.api.paths import CheckpointRef, Flavor
from lazytinker.config import Profile
from tests.conftest import StartServer
from tests.downloads.common import names


async def _smallest(api: TinkerAPI, kind: str) -> CheckpointRef:
    found = (await api.list_user_checkpoints(limit=1000)).checkpoints
    chosen = min((c for c in found if c.checkpoint_type == kind), key=lambda c: c.size_bytes or 0)
    return CheckpointRef.parse(chosen.path)


@pytest.mark.parametrize("flavor", ["tinker", "hpcai"])
async def test_a_file_url_archive_is_explained_naming_the_scheme(
    start_server: StartServer, tmp_path: Path, flavor: Flavor
) -> None:
    tinker = start_server(quirks=("file-archive",))
    async with TinkerAPI(Profile("t", "tinker", tinker.url, "tml-demo").target()) as api:
        ref = await _smallest(api, "sampler" if flavor == "tinker" else "training")
    server = (
        tinker if flavor == "tinker" else start_server(flavor="hpcai", quirks=("file-archive",))
    )
    ref = ref if flavor == "tinker" else ref.with_flavor("hpcai")
    async with TinkerAPI(Profile("t", flavor, server.url, "tml-demo").target()) as api:
        with pytest.raises(DownloadError) as caught:
            await download_checkpoint(api, new_fetcher(), CheckpointDownload(ref, tmp_path))
    message = str(caught.value)
    assert "file:// URL (a path on the server's own disk)" in message
    assert "\n" not in message
    assert names(tmp_path) == []


async def test_an_archive_whose_first_member_has_no_name_extracts(
    start_server: StartServer, tmp_path: Path
) -> None:
    server = start_server(quirks=("empty-member",))
    async with TinkerAPI(Profile("t", "tinker", server.url, "tml-demo").target()) as api:
        ref = await _smallest(api, "sampler")
        result = await download_checkpoint(api, new_fetcher(), CheckpointDownload(ref, tmp_path))
    assert names(result.path) == [
        "adapter_config.json",
        "adapter_model.safetensors",
        "checkpoint_complete",
    ]
    assert names(tmp_path) == [result.path.name]
