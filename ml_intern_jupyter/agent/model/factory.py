"""Model ids -> providers; what providers share (the litellm module, the embedded runtime).

One :class:`ProviderFactory` serves every session of a front end (a kernel, the CLI), so the
embedded model is loaded once and litellm imported once, without module-level state.
:meth:`ProviderFactory.check` says whether an id can really be used before it is kept.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Mapping
from pathlib import Path

from ...embedded import INSTALL_HINT, EmbeddedRuntime, LocalModelError, resolve_spec
from .embedded import EmbeddedProvider
from .ids import KNOWN_MODELS, ModelIdError, model_help, resolve_model
from .litellm_provider import LitellmLoader, LitellmProvider
from .provider import CompletionProvider
from .scripted import ScriptedProvider, script_path


class ProviderFactory:
    """Makes the provider for a model id.

    ``env`` is the environment the model layer reads (``os.environ`` over the ``.env`` files),
    ``cwd`` the directory relative script and GGUF paths start from.
    """

    def __init__(
        self,
        env: Mapping[str, str],
        *,
        cwd: Path | None = None,
        loader: LitellmLoader | None = None,
        runtime: EmbeddedRuntime | None = None,
    ) -> None:
        self.env = env
        self.cwd = cwd
        self.loader = loader or LitellmLoader()
        self._runtime = runtime

    @property
    def runtime(self) -> EmbeddedRuntime:
        """The embedded runtime (created on first use; it loads nothing until a call)."""
        if self._runtime is None:
            self._runtime = EmbeddedRuntime()
        return self._runtime

    def create(self, model_id: str) -> CompletionProvider:
        """The provider for ``model_id`` (only parses it; raises ``ModelIdError`` for an empty id)."""
        route = resolve_model(model_id, self.env)
        if route.kind == "scripted":
            return ScriptedProvider(route.model_id, self.cwd)
        if route.kind == "embedded":
            return EmbeddedProvider(route.model_id, self.runtime)
        return LitellmProvider(route, self.loader, self.env)

    def check(self, model_id: str) -> None:
        """Raise :class:`ModelIdError` (one line, with examples) unless ``model_id`` can be used.

        Checks the known prefixes, that a script or GGUF file exists, that the embedded
        extra is installed, and litellm's provider list. Blocking: it may import litellm.
        """
        route = resolve_model(model_id, self.env)
        if route.kind == "scripted":
            path = script_path(route.model_id, self.cwd)
            if not path.is_file():
                raise ModelIdError(f"No script file at {path} for {model_id!r}. Write the file, or check the path.")
        elif route.kind == "embedded":
            self._check_embedded(route.target)
        elif route.kind == "litellm":
            self._check_litellm(route.litellm_model)

    def _check_embedded(self, name: str) -> None:
        try:
            resolve_spec(name, self.cwd)
        except LocalModelError as exc:
            raise ModelIdError(str(exc)) from None
        if importlib.util.find_spec("llama_cpp") is None:
            raise ModelIdError(f"local/{name} needs llama-cpp-python, which is not installed. {INSTALL_HINT}")

    def _check_litellm(self, model: str) -> None:
        litellm = self.loader.get()
        providers = {str(getattr(p, "value", p)) for p in litellm.provider_list}
        prefix, _, rest = model.partition("/")
        if (rest and prefix in providers) or model in litellm.model_cost:
            return
        if rest:
            problem = f"{prefix!r} is neither a provider litellm knows nor one of ours"
        else:
            problem = "it has no provider prefix and litellm does not know the name"
        examples = ", ".join(KNOWN_MODELS[:3])
        raise ModelIdError(f"Unknown model {model!r}: {problem}. Try e.g. {examples}. {model_help()}")

    def close(self) -> None:
        """Free the embedded models (the front end is shutting down)."""
        if self._runtime is not None:
            self._runtime.close()
