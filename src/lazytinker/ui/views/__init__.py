"""The views the main screen switches between; each owns its panes, its keys and its data.

- `base`: `View` (what the screen asks of a view) and `PaneView` (a view that is one pane over
  one store collection), the row mark for fresh rows.
- `browse` (`1`): sessions → training runs → checkpoints, drilling in with enter;
  `browse_panes`: those three panes and their keys (`e` on a session, `y`, the checkpoint keys).
- `checkpoint_list`: a pane of checkpoints (the checkpoint keys, `S`/`A`, selection), used by the
  run's checkpoints pane and `all_checkpoints` (`2`).
- `samplers` (`3`), `models` (`4`), `storage` (`5`), `billing` (`6`): one pane each.
- `downloads` (`D`): the downloads screen.

A new view is a module here with a `View` subclass (keys in its `BINDINGS`, so the key bar and
help show them only there), one entry in `MainScreen.views` and a `view('name')` binding on the
screen; a zoomed detail (`z`), a metrics view (`m`), an about-this-server panel or an audit log
each fit that shape.
"""
