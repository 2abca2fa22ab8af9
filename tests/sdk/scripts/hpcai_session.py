"""Run by the hpcai SDK's own interpreter: list, download and delete; print what it saw as JSON.

Needs HPCAI_BASE_URL and HPCAI_API_KEY. Uses only the SDK's public API, unmodified.
"""

import io
import json
import sys
import tarfile
import warnings

import hpcai

warnings.simplefilter("ignore")


def main(run_id: str, checkpoint_name: str) -> None:
    rest = hpcai.ServiceClient().create_rest_client()
    out = {}
    runs = rest.list_training_runs(limit=100).result()
    out["runs"] = [run.training_run_id for run in runs.training_runs]
    out["runs_total"] = runs.cursor.total_count
    listed = rest.list_checkpoints(run_id).result()
    out["checkpoints"] = [c.checkpoint_path for c in listed.checkpoints]
    path = next(c.checkpoint_path for c in listed.checkpoints if c.checkpoint_id == checkpoint_name)
    data = rest.download_checkpoint_archive_by_checkpoint_path(path).result()
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        out["archive_members"] = tar.getnames()
        out["archive_config"] = json.loads(tar.extractfile("adapter_config.json").read())
    out["archive_bytes"] = len(data)
    rest.delete_checkpoint_by_checkpoint_path(path).result()
    after = rest.list_checkpoints(run_id).result()
    out["after_delete"] = [c.checkpoint_path for c in after.checkpoints]
    out["deleted"] = path
    print(json.dumps(out))


main(sys.argv[1], sys.argv[2])
