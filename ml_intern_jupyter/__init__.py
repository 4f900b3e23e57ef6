"""ml-intern-jupyter: an autonomous ML-engineering agent inside Jupyter."""

from ._version import __version__

__all__ = ["__version__", "_jupyter_labextension_paths", "load_ipython_extension", "unload_ipython_extension"]


def _jupyter_labextension_paths():
    """Where JupyterLab finds the prebuilt sidebar extension (``jupyter labextension develop``)."""
    return [{"src": "labextension", "dest": "ml-intern-jupyter"}]


def load_ipython_extension(ip):
    """``%load_ext ml_intern_jupyter``: register the magics (litellm is not imported)."""
    from .notebook import load_ipython_extension as load

    load(ip)


def unload_ipython_extension(ip):
    """``%unload_ext ml_intern_jupyter``."""
    from .notebook import unload_ipython_extension as unload

    unload(ip)
