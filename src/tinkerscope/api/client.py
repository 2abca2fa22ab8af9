"""The async Tinker REST client (design.md §2)."""
