"""The stand-in Tinker server: `lazytinker serve` and the app's `--demo`."""

from lazytinker.api.models import build_models

build_models()
