"""Start-up, health, capabilities and telemetry routes, plus fast 404s for compute endpoints."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Request
from fastapi.responses import JSONResponse

from lazytinker import __version__
from lazytinker.api.models import (
    AuthTokenResponse,
    ClientConfigResponse,
    DynamicConfigResponse,
    GetServerCapabilitiesResponse,
    HealthResponse,
    TelemetryResponse,
)
from lazytinker.server.auth import CallerDep, mint_jwt
from lazytinker.server.catalog import MODELS
from lazytinker.server.state import state_of
from lazytinker.server.structs import answers, struct_json

__all__ = ["COMPUTE_ENDPOINTS", "common_router", "compute_router", "tinker_startup_router"]

# protocol.md §5: the stand-in does not train or sample; these answer 404 with a JSON reason.
# The tinker flavor serves the session lifecycle, create_model, load_weights, get_info,
# save_weights_external and retrieve_future for real (lifecycle.py, training.py, registered first).
COMPUTE_ENDPOINTS = (
    "create_session",
    "session_heartbeat",
    "create_model",
    "load_weights",
    "get_info",
    "unload_model",
    "forward",
    "forward_backward",
    "optim_step",
    "save_weights",
    "save_weights_for_sampler",
    "save_weights_external",
    "retrieve_future",
    "retrieve_futures",
    "cancel_future",
    "create_sampling_session",
    "join_sampling_session",
    "sample",
    "asample",
    "create_custom_loss",
)

common_router = APIRouter(prefix="/api/v1")
tinker_startup_router = APIRouter(prefix="/api/v1")
compute_router = APIRouter(prefix="/api/v1", include_in_schema=False)


@tinker_startup_router.post("/client/config", responses=answers(ClientConfigResponse))
def client_config(
    request: Request, caller: CallerDep, body: Annotated[dict[str, Any] | None, Body()] = None
) -> JSONResponse:
    """Start-up configuration; JWT mode is switched on here."""
    state = state_of(request)
    answer = ClientConfigResponse(
        pjwt_auth_enabled=state.config.jwt,
        use_pyqwest_transport=True,
        billing_exception_max_pause_duration_sec=5,
        server_name="lazytinker stand-in",
        server_version=__version__,
    )
    return struct_json(answer)


@tinker_startup_router.post("/client/dynamic_config", responses=answers(DynamicConfigResponse))
def dynamic_config(
    caller: CallerDep, body: Annotated[dict[str, Any] | None, Body()] = None
) -> JSONResponse:
    """Dynamic configuration: the defaults."""
    return struct_json(DynamicConfigResponse())


@tinker_startup_router.post(
    "/auth/token",
    responses={**answers(AuthTokenResponse), 404: {"description": "No JWT mode"}},
)
def auth_token(
    request: Request, caller: CallerDep, body: Annotated[dict[str, Any] | None, Body()] = None
) -> JSONResponse:
    """Exchange an API key for a JWT (only when the server was started in JWT mode)."""
    state = state_of(request)
    if not state.config.jwt:
        return JSONResponse({"detail": "JWT authentication is not enabled"}, status_code=404)
    return struct_json(AuthTokenResponse(jwt=mint_jwt(state, caller)))


@common_router.post("/telemetry", response_model=TelemetryResponse)
def telemetry(
    caller: CallerDep, body: Annotated[dict[str, Any] | None, Body()] = None
) -> TelemetryResponse:
    """Accept and drop SDK telemetry."""
    return TelemetryResponse(status="accepted")


@common_router.get("/healthz", response_model=HealthResponse)
def healthz() -> HealthResponse:
    """Liveness; needs no key."""
    return HealthResponse(status="ok")


@common_router.get("/get_server_capabilities", response_model=GetServerCapabilitiesResponse)
def capabilities(request: Request, caller: CallerDep) -> JSONResponse:
    """The base models on offer (hpcai: names only)."""
    if state_of(request).flavor == "hpcai":
        models: list[dict[str, Any]] = [{"model_name": m.name} for m in MODELS]
    else:
        models = [
            {
                "model_name": m.name,
                "max_context_length": m.max_context_length,
                "trainable": True,
                "sampleable": True,
            }
            for m in MODELS
        ]
    return JSONResponse({"supported_models": models})


def _compute(name: str) -> Any:
    def endpoint() -> JSONResponse:
        return JSONResponse(
            {"detail": f"{name} is a compute endpoint; the stand-in does not train or sample"},
            status_code=404,
        )

    endpoint.__name__ = f"compute_{name}"
    endpoint.__doc__ = f"`{name}`: not served by the stand-in (404)."
    return endpoint


for _name in COMPUTE_ENDPOINTS:
    compute_router.add_api_route(f"/{_name}", _compute(_name), methods=["POST"])
compute_router.add_api_route(
    "/sessions/{session_id}/finish", _compute("sessions/finish"), methods=["POST"]
)
