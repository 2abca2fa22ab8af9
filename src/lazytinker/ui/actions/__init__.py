"""What keys do, apart from where they are shown.

- `checkpoints`: publish/unpublish, TTL, delete, save, as flows (`CheckpointActions`) and as the
  keys of any widget that holds checkpoints (`CheckpointKeys`).
- `copy`: `y` on any pane whose rows have a path or id.
- `downloads`: starting downloads (the `s` flow, a session's trace export).

A view declares the keys that work in it by mixing these in (see `lazytinker.ui.views`); the
key bar and the `?` help then follow focus, showing only what works where the user is.
"""
