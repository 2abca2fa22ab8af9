"""The stand-in Tinker server: `tinkerscope serve` and the app's `--demo`."""
