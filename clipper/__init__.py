"""Clipper: web articles into clean Markdown notes, found again in milliseconds.

The public Python API is :class:`clipper.Library` (imported lazily so that
``import clipper`` stays cheap and never pulls in Qt).
"""

__version__ = "0.1.0"

__all__ = ["Library", "__version__"]


def __getattr__(name):
    if name == "Library":
        from clipper.core.library import Library

        return Library
    raise AttributeError(f"module 'clipper' has no attribute {name!r}")
