"""The kernel-agnostic agent core: operations in, events out.

Importing this package imports neither IPython nor litellm; litellm is imported
on the first model call.
"""

from .config import AgentConfig, ConfigError, load_config
from .llm import ModelIdError, ModelRoute, resolve_model
from .session import Session, new_session_id
from .turn import TurnOutcome

__all__ = [
    "AgentConfig",
    "ConfigError",
    "ModelIdError",
    "ModelRoute",
    "Session",
    "TurnOutcome",
    "load_config",
    "new_session_id",
    "resolve_model",
]
