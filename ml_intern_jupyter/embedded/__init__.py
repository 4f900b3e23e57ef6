"""The embedded offline model: GGUF files served in-process by llama.cpp (extra ``[local]``).

- ``backend``: every ``llama_cpp`` call (and the internals relied on, checked by a contract test).
- ``models``: model names and GGUF paths -> :class:`~.models.ModelSpec`, install hints.
- ``engine``: one loaded model behind a lock: prompts, streaming, option scoring.
- ``pool``: loads each model once per runtime; ``runtime``: the shared entry point.
- ``transcript``: OpenAI messages -> plain chat messages a small model understands.
- ``fit``: context-window-aware truncation of those messages.
- ``dialect``, ``fewshot``: the plain-text tool-call format and its few-shot examples.
- ``decide``: the decision step (answer, or which tool).
- ``arguments``, ``pycode``, ``shcode``: argument generation, validation and retries.
- ``respond``: one request end to end, as a stream of pieces (text, tool call, finish).
- ``bridge``: runs that stream in a worker thread and hands it to asyncio.

This package knows nothing of the agent: ``agent/model/embedded.py`` adapts it to the
``CompletionProvider`` Protocol. ``llama_cpp`` is imported only when a model is first loaded.
"""

from .backend import INSTALL_HINT, BackendMissing
from .models import LocalModelError, resolve_spec
from .respond import Finish, Piece, PromptTooLong, Request, Text, ToolUse
from .runtime import EmbeddedRuntime

__all__ = [
    "INSTALL_HINT",
    "BackendMissing",
    "EmbeddedRuntime",
    "Finish",
    "LocalModelError",
    "Piece",
    "PromptTooLong",
    "Request",
    "Text",
    "ToolUse",
    "resolve_spec",
]
