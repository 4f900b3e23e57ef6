"""The model layer: ids, the ``CompletionProvider`` boundary and its three implementations."""

from .errors import ErrorInfo, ModelFailure, ProviderError
from .factory import ProviderFactory
from .ids import EMBEDDED_DEFAULT, KNOWN_MODELS, ModelIdError, default_model_id, default_model_notice, model_help
from .provider import CompletionProvider, ModelRequest, OnText
from .reply import ModelReply, RawToolCall
from .retry import call_model

__all__ = [
    "EMBEDDED_DEFAULT",
    "KNOWN_MODELS",
    "CompletionProvider",
    "ErrorInfo",
    "ModelFailure",
    "ModelIdError",
    "ModelReply",
    "ModelRequest",
    "OnText",
    "ProviderError",
    "ProviderFactory",
    "RawToolCall",
    "call_model",
    "default_model_id",
    "default_model_notice",
    "model_help",
]
