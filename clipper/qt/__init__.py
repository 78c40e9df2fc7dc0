"""The desktop app: the only package of Clipper that imports PySide6 (a thin layer over the core)."""
