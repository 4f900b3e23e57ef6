"""Load each GGUF model once per runtime; ``llama_cpp`` is imported on first use only."""

from __future__ import annotations

import threading

from .backend import BackendMissing, LlamaBackend
from .engine import LocalModel
from .models import LocalModelError, ModelSpec


class ModelPool:
    """Loaded models by GGUF path (held by the runtime that owns the pool; no module-level state)."""

    def __init__(self) -> None:
        self._models: dict[str, LocalModel] = {}
        self._lock = threading.Lock()
        self.loads = 0
        """How many times a model file was loaded (tests and benchmarks check sharing)."""

    def get(self, spec: ModelSpec) -> LocalModel:
        """The loaded model for ``spec``, loading it on first use (thread-safe, once)."""
        key = str(spec.path)
        with self._lock:
            model = self._models.get(key)
            if model is None:
                try:
                    backend = LlamaBackend(spec.path, spec.n_ctx)
                except BackendMissing as exc:
                    raise LocalModelError(str(exc), "not_installed") from None
                except Exception as exc:  # llama.cpp raises ValueError for unreadable files
                    raise LocalModelError(f"Cannot load {key}: {exc}", "not_found") from exc
                model = LocalModel(backend, spec)
                self._models[key] = model
                self.loads += 1
            return model

    def close(self) -> None:
        """Free every loaded model (one still generating after a short wait is left alone)."""
        with self._lock:
            models, self._models = list(self._models.values()), {}
        for model in models:
            if model.lock.acquire(timeout=1.0):
                try:
                    model.backend.close()
                finally:
                    model.lock.release()

    def loaded(self) -> list[str]:
        """Paths of the models loaded so far."""
        with self._lock:
            return list(self._models)
