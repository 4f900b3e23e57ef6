"""The package version (a bottom module: the core imports it instead of the package root)."""

__version__ = "0.1.0"
