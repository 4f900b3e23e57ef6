"""ml-intern-jupyter: an autonomous ML-engineering agent inside Jupyter."""

__version__ = "0.1.0"
