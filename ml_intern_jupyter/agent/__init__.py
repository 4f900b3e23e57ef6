"""The kernel-agnostic agent core: operations in, events out.

Importing this package imports neither IPython nor litellm; litellm is imported (in a worker
thread) on the first model call.
"""

from .builder import BuiltSession, FrontEnd, build_session
from .config import AgentConfig, ConfigError, load_config
from .model import ModelIdError, ProviderFactory
from .session import Session, SessionStatus, new_session_id
from .turn import TurnOutcome

__all__ = [
    "AgentConfig",
    "BuiltSession",
    "ConfigError",
    "FrontEnd",
    "ModelIdError",
    "ProviderFactory",
    "Session",
    "SessionStatus",
    "TurnOutcome",
    "build_session",
    "load_config",
    "new_session_id",
]
