"""One loader per collection: each reads its part of the server into the shared `StoreState`."""

from lazytinker.store.loaders.base import Loader
from lazytinker.store.loaders.checkpoints import RunCheckpointsLoader, UserCheckpointsLoader
from lazytinker.store.loaders.lookup import Lookup
from lazytinker.store.loaders.registry import Loaders
from lazytinker.store.loaders.runs import RunsLoader
from lazytinker.store.loaders.samplers import SamplersLoader
from lazytinker.store.loaders.server import BillingLoader, ModelsLoader, StorageLoader
from lazytinker.store.loaders.sessions import SessionsLoader

__all__ = [
    "BillingLoader",
    "Loader",
    "Loaders",
    "Lookup",
    "ModelsLoader",
    "RunCheckpointsLoader",
    "RunsLoader",
    "SamplersLoader",
    "SessionsLoader",
    "StorageLoader",
    "UserCheckpointsLoader",
]
