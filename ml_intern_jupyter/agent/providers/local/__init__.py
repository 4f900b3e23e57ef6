"""Helpers of the embedded llama.cpp provider (``local/<name-or-gguf-path>``).

- ``models``: model names and GGUF paths → :class:`~.models.ModelSpec`, install hints.
- ``engine``: one loaded ``llama_cpp.Llama`` behind a lock: prompts, streaming, option scoring.
- ``pool``: loads each model once per process (lazy ``llama_cpp`` import).
- ``transcript``: OpenAI messages → plain chat messages a small model understands.
- ``fit``: context-window-aware truncation of those messages.
- ``dialect``, ``fewshot``: the plain-text tool-call format and its few-shot examples.
- ``decide``: the decision step (answer, or which tool).
- ``arguments``, ``pycode``: argument generation, validation and retries; checks for code.
- ``respond``: one request end to end, as a stream of pieces (text, tool call, finish).
- ``bridge``: runs that stream in a worker thread and hands it to asyncio.

``llama_cpp`` is imported only when a model is first loaded.
"""
