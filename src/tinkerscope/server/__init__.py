"""The stand-in Tinker server: `tinkerscope serve` and the app's `--demo`."""

from tinkerscope.api.models import build_models

build_models()
