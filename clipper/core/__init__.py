"""GUI-free core of Clipper: decoding, extraction, conversion, vault, index and search.

Nothing in this package may import PySide6 (tests/core/test_no_qt.py checks it).
"""
