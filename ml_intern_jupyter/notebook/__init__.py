"""The notebook front: magics, rendering, approval widgets, kernel tools.

Everything that knows IPython lives here; the core (agent/, tools/, traces/) does not.
"""

from __future__ import annotations

from typing import Any

from .transform import await_intern_magics


def load_ipython_extension(ip: Any) -> None:
    """Register ``%%intern``/``%intern`` and the await transformer (idempotent)."""
    from .magics import InternMagics

    if await_intern_magics not in ip.input_transformers_post:
        ip.input_transformers_post.append(await_intern_magics)
    if "InternMagics" not in ip.magics_manager.registry:
        ip.register_magics(InternMagics)


def unload_ipython_extension(ip: Any) -> None:
    """Remove the transformer and put the kernel's streams back (the magics stay: IPython has no unregister)."""
    if await_intern_magics in ip.input_transformers_post:
        ip.input_transformers_post.remove(await_intern_magics)
    magics = ip.magics_manager.registry.pop("InternMagics", None)
    if magics is not None:
        magics.agent.close()
