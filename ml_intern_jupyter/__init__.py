"""ml-intern-jupyter: an autonomous ML-engineering agent inside Jupyter."""

__version__ = "0.1.0"


def load_ipython_extension(ip):
    """``%load_ext ml_intern_jupyter``: register the magics (litellm is not imported)."""
    from .notebook import load_ipython_extension as load

    load(ip)


def unload_ipython_extension(ip):
    """``%unload_ext ml_intern_jupyter``."""
    from .notebook import unload_ipython_extension as unload

    unload(ip)
