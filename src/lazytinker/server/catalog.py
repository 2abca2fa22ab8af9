"""Fixed facts of the stand-in world: the base models it offers and the people in it."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ME", "MODELS", "ORG_NAME", "OTHER", "PROJECTS", "BaseModel", "Identity", "model_named"]


@dataclass(frozen=True)
class BaseModel:
    """A base model on the capabilities list; `params_b` drives checkpoint sizes."""

    name: str
    params_b: float
    max_context_length: int
    hidden: int
    layers: int


MODELS: tuple[BaseModel, ...] = (
    BaseModel("meta-llama/Llama-3.2-1B", 1.2, 131072, 2048, 16),
    BaseModel("meta-llama/Llama-3.2-3B", 3.2, 131072, 3072, 28),
    BaseModel("meta-llama/Llama-3.1-8B", 8.0, 131072, 4096, 32),
    BaseModel("meta-llama/Llama-3.1-8B-Instruct", 8.0, 131072, 4096, 32),
    BaseModel("meta-llama/Llama-3.3-70B-Instruct", 70.6, 131072, 8192, 80),
    BaseModel("Qwen/Qwen3-4B-Instruct-2507", 4.0, 262144, 2560, 36),
    BaseModel("Qwen/Qwen3-8B", 8.2, 131072, 4096, 36),
    BaseModel("Qwen/Qwen3-30B-A3B", 30.5, 131072, 2048, 48),
    BaseModel("Qwen/Qwen3-235B-A22B-Instruct-2507", 235.0, 262144, 4096, 94),
    BaseModel("openai/gpt-oss-20b", 21.0, 131072, 2880, 24),
    BaseModel("deepseek-ai/DeepSeek-V3.1", 671.0, 131072, 7168, 61),
)

_BY_NAME = {model.name: model for model in MODELS}


def model_named(name: str) -> BaseModel:
    """The catalogue entry of a base model (a default-sized one for unknown names)."""
    return _BY_NAME.get(name, MODELS[2])


@dataclass(frozen=True)
class Identity:
    """Someone who owns sessions: `urn` is what the wire calls the owner."""

    urn: str
    email: str
    name: str
    org_id: str


ME = Identity("tml:user:demo", "demo@example.com", "Demo User", "org-lazytinker")
OTHER = Identity("tml:user:ana", "ana@example.com", "Ana Teammate", "org-lazytinker")
PROJECTS: tuple[str, ...] = ("proj-research", "proj-prod", "proj-eval")
ORG_NAME = "Lazytinker Demo Lab"
