"""Load each GGUF model once per process; ``llama_cpp`` is imported on first use only."""

from __future__ import annotations

import atexit
import importlib
import threading
from types import ModuleType

from .engine import LocalModel
from .models import INSTALL_HINT, LocalModelError, ModelSpec


def import_llama_cpp() -> ModuleType:
    """``import llama_cpp``, or a :class:`LocalModelError` saying how to install it."""
    try:
        return importlib.import_module("llama_cpp")
    except ImportError as exc:
        raise LocalModelError(f"llama-cpp-python is not installed ({exc}). {INSTALL_HINT}", "not_installed") from None


class ModelPool:
    """Loaded models by GGUF path. Lives on the provider instance (no module-level state)."""

    def __init__(self) -> None:
        self._models: dict[str, LocalModel] = {}
        self._lock = threading.Lock()
        self.loads = 0
        """How many times a model file was loaded (tests and benchmarks check sharing)."""
        # Free llama.cpp objects before interpreter teardown; their __del__ fails once modules are gone.
        atexit.register(self.close)

    def get(self, spec: ModelSpec) -> LocalModel:
        """The loaded model for ``spec``, loading it on first use (thread-safe, once)."""
        key = str(spec.path)
        with self._lock:
            model = self._models.get(key)
            if model is None:
                llama_cpp = import_llama_cpp()
                try:
                    llama = llama_cpp.Llama(model_path=key, n_ctx=spec.n_ctx, flash_attn=True, verbose=False)
                except Exception as exc:  # llama.cpp raises ValueError for unreadable files
                    raise LocalModelError(f"Cannot load {key}: {exc}", "not_found") from exc
                model = LocalModel(llama, llama_cpp, spec)
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
                    model.llama.close()
                finally:
                    model.lock.release()

    def loaded(self) -> list[str]:
        """Paths of the models loaded so far."""
        with self._lock:
            return list(self._models)
