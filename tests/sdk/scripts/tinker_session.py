"""Run by the tinker SDK's own interpreter: drive the stand-in and print what the SDK saw as JSON.

Needs TINKER_BASE_URL and TINKER_API_KEY. Uses only the SDK's public API, unmodified.
"""

import json
import warnings

import tinker

warnings.simplefilter("ignore")


def main() -> None:
    rest = tinker.ServiceClient().create_rest_client()
    out = {}
    runs = rest.list_training_runs(limit=100).result()
    out["runs"] = [run.training_run_id for run in runs.training_runs]
    out["runs_total"] = runs.cursor.total_count
    accessible = rest.list_training_runs(limit=100, access_scope="accessible").result()
    out["accessible_total"] = accessible.cursor.total_count
    run_id = runs.training_runs[0].training_run_id
    out["run"] = rest.get_training_run(run_id).result().model_dump(mode="json")
    listed = rest.list_checkpoints(run_id).result()
    out["run_checkpoints"] = [c.tinker_path for c in listed.checkpoints]
    mine = rest.list_user_checkpoints(limit=1000).result()
    out["user_checkpoints"] = [c.tinker_path for c in mine.checkpoints]
    out["user_total"] = mine.cursor.total_count

    target = next(c for c in listed.checkpoints if not c.public)
    path = target.tinker_path
    out["target"] = path

    def current():
        again = rest.list_checkpoints(run_id).result().checkpoints
        return next((c for c in again if c.tinker_path == path), None)

    rest.publish_checkpoint_from_tinker_path(path).result()
    out["public_after_publish"] = current().public
    rest.unpublish_checkpoint_from_tinker_path(path).result()
    out["public_after_unpublish"] = current().public
    rest.set_checkpoint_ttl_from_tinker_path(path, 7200).result()
    out["expires_after_ttl"] = current().expires_at.isoformat()
    rest.set_checkpoint_ttl_from_tinker_path(path, None).result()
    out["expires_after_clear"] = current().expires_at
    info = rest.get_weights_info_by_tinker_path(path).result()
    out["weights_info"] = info.model_dump(mode="json")

    sessions = rest.list_sessions().result().sessions
    out["sessions"] = sessions
    session = rest.get_session(sessions[0]).result()
    out["session"] = session.model_dump(mode="json")
    sampler = rest.get_sampler(session.sampler_ids[0]).result()
    out["sampler"] = sampler.model_dump(mode="json")
    models = rest.get_server_capabilities().result().supported_models
    out["models"] = [model.model_name for model in models]

    rest.delete_checkpoint_from_tinker_path(path).result()
    out["present_after_delete"] = current() is not None
    print(json.dumps(out))


main()
