"""Run by the tinker SDK's own interpreter: the 0.38 routes the app uses, through the SDK's
public API (and its CLI's auth client), unmodified. Prints what the SDK saw as JSON.

Needs TINKER_BASE_URL and TINKER_API_KEY.
"""

import json
import os
import warnings

import httpx
import tinker
from tinker.cli.auth_api import TinkerAuthApi

warnings.simplefilter("ignore")


def main() -> None:
    rest = tinker.RestClient()
    out = {}
    research = rest.list_training_runs(limit=100, project_id="proj-research").result()
    out["research_runs"] = [run.training_run_id for run in research.training_runs]
    mine = rest.list_user_checkpoints(limit=1000).result()
    source = next(c for c in mine.checkpoints if c.checkpoint_type == "sampler")
    out["source"] = source.tinker_path
    copied = rest.copy_weights(source.tinker_path, "proj-eval", ttl_seconds=7200).result()
    out["copied"] = copied
    copy_run = copied.removeprefix("tinker://").split("/")[0]
    out["copy_run"] = rest.get_training_run(copy_run).result().model_dump(mode="json")
    out["copy_checkpoints"] = [
        c.model_dump(mode="json") for c in rest.list_checkpoints(copy_run).result().checkpoints
    ]
    session = research.training_runs[0].training_run_id.split(":")[0]
    out["moved_session"] = session
    rest.assign_session_project(session, "proj-eval").result()
    in_eval = rest.list_training_runs(limit=100, project_id="proj-eval").result()
    out["eval_runs"] = [run.training_run_id for run in in_eval.training_runs]
    log = tinker.AdminClient().get_audit_log().result()
    out["audit"] = [entry.model_dump(mode="json") for entry in log.entries]
    with httpx.Client() as client:
        me = TinkerAuthApi(client).get_self_api_key(os.environ["TINKER_API_KEY"])
    out["apikey_me"] = me.model_dump(mode="json")
    print(json.dumps(out))


main()
