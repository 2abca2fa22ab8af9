"""The views the main screen switches between; each owns its panes, its keys and its data.

- `base`: `View` (what the screen asks of a view) and `PaneView` (a view that is one pane over
  one store collection), the row mark for fresh rows.
- `browse` (`1`): sessions → training runs → checkpoints, drilling in with enter;
  `browse_panes`: those three panes and their keys (`e` on a session, `y`, the checkpoint keys).
- `checkpoint_list`: a pane of checkpoints (the checkpoint keys, `S`/`A`, selection), used by the
  run's checkpoints pane and `all_checkpoints` (`2`).
- `samplers` (`3`), `models` (`4`), `storage` (`5`), `billing` (`6`): one pane each.
- `downloads` (`D`): the downloads screen.

A new view is a module here with a class of a Textual widget and `View`, in that order (or a
`PaneView`), its keys in its own `BINDINGS` (so the key bar and help show them only there), one
entry in `VIEW_CLASSES` (`lazytinker.ui.view_shelf`: built, module and all, when first opened)
and a `view('name')` binding on the screen. A metrics view (`m`), an about-this-server panel, an
audit log or a clean-up planner (`C`, mixing in the checkpoint keys from
`lazytinker.ui.actions.checkpoints`) each fit that shape; a zoomed detail (`z`) is a key on the
panes it zooms.
"""
