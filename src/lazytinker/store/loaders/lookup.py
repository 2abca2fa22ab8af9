"""Reading one checkpoint on demand: its weights info, or the checkpoint a typed path names."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lazytinker.api.errors import LazytinkerError, NotFoundError
from lazytinker.api.paths import CheckpointRef
from lazytinker.store.capabilities import Capabilities
from lazytinker.store.keyed import Change
from lazytinker.store.loaders.base import Loader
from lazytinker.store.loaders.checkpoints import RunCheckpointsLoader
from lazytinker.store.protocol import StoreAPI
from lazytinker.store.state import StoreState

if TYPE_CHECKING:
    from lazytinker.api.models import Checkpoint


class Lookup(Loader):
    """Fills `state.weights_info` and finds the checkpoint behind a `tinker://` path."""

    def __init__(
        self,
        state: StoreState,
        api: StoreAPI,
        capabilities: Capabilities,
        checkpoints: RunCheckpointsLoader,
    ) -> None:
        super().__init__(state, api, capabilities)
        self.checkpoints = checkpoints

    async def load_weights_info(self, path: str) -> None:
        """Read (once) what loading a checkpoint needs: base model, rank, trained modules."""
        weights_info = self.state.weights_info
        if path in weights_info:
            return
        try:
            ref = CheckpointRef.parse(path)
            weights_info[path] = await self.api.get_weights_info(ref)
        except (LazytinkerError, ValueError) as error:
            weights_info[path] = str(error)
        self.state.announce(Change("weights_info", updated=(path,)))

    async def find_path(self, text: str) -> Checkpoint:
        """Find the checkpoint a typed path names, reading its run; raises a one-line error."""
        ref = CheckpointRef.parse(text.strip())
        path = ref.with_flavor(self.api.flavor).path
        found = self.state.find_checkpoint(path)
        if found is not None:
            return found
        await self.checkpoints.load(ref.run_id)
        found = self.state.run_checkpoints(ref.run_id).get(path)
        if found is None:
            raise NotFoundError(f"No checkpoint {path} on {self.api.host}", host=self.api.host)
        return found
