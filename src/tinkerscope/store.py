"""The reactive store: the one source of truth for what the UI shows (design.md §3)."""
