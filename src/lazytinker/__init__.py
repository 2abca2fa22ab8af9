"""lazytinker: a full-screen terminal browser for Tinker-compatible fine-tuning services."""

__version__ = "0.1.0"
