"""The stand-in Tinker server: `lazytinker serve` and the app's `--demo`."""

import lazytinker.api.training_models  # noqa: F401  (its models must exist before they are built)
from lazytinker.api.models import build_models

build_models()
