"""The Tinker service: wire models, checkpoint paths, the async client, errors and downloads."""
