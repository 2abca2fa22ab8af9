"""The Tinker service: wire models, checkpoint paths, the async client, errors and downloads.

- `client.TinkerAPI`: the facade the store calls, given a `target.ServerTarget`;
- `transport` (with `auth`, `handshake`, `responses`, `retry`): one service's HTTP;
- `endpoints/`: one group of calls per area; `capabilities`: what a service offers;
- `models/`, `paths`, `errors`, `paging`: shared vocabulary (the server uses `models` and `paths`);
- `download` (with `stream`, `partfile`, `transfer`, `extract`): checkpoints and traces to disk.
"""
