"""``defer(*names)``: modules that a library imports but a note never needs run only when used;
``lazy_compile(pattern, flags)``: a regular expression compiled on its first use.

bs4 imports soupsieve (CSS selectors: ~0.1 s of regular expressions compiled at import) and
chardet (guessing the encoding of bytes); readability imports chardet too. Clipper hands both
libraries text and never selects by CSS, so every `clipper extract` process paid for them for
nothing. A deferred module is in ``sys.modules`` with its spec (name, file, package path) but
its code runs on the first look-up of any other attribute, so nothing changes for a caller that
does use it. (importlib.util.LazyLoader is no help: on Python 3.11 its module runs as soon as
the ``import`` statement reads ``__spec__``.)

The phrase lists of pasted text (a few thousand characters of alternatives) took a tenth of a
second to compile in every process, also in one that imports only saved pages, which never use
most of them: ``lazy_compile`` pays that where a pattern is used.
"""

from __future__ import annotations

import importlib.util
import re
import sys
import threading
import types

_LOCK = threading.RLock()


class _Deferred(types.ModuleType):
    def __getattr__(self, attr):  # only for attributes the module does not have yet
        _run(self)
        return getattr(self, attr)


def _run(module) -> None:
    """Run a deferred module's code (once)."""
    with _LOCK:
        if type(module) is _Deferred:
            module.__class__ = types.ModuleType
            try:
                module.__spec__.loader.exec_module(module)
            except BaseException:
                sys.modules.pop(module.__name__, None)  # as a failed import: tried afresh next time
                raise


def defer(*names: str) -> None:
    """Make the later ``import NAME`` of each module lazy (no-op when it is already imported, not
    installed, or its loader cannot run a module it did not create). For a submodule
    (``package.module``) its package is imported at once, and the submodule only deferred."""
    for name in names:
        if name in sys.modules:
            continue
        try:
            spec = importlib.util.find_spec(name)  # (imports the package of a submodule)
        except (ImportError, ValueError):
            continue
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            continue
        module = importlib.util.module_from_spec(spec)
        module.__class__ = _Deferred
        sys.modules[name] = module
        package, _, child = name.rpartition(".")
        if package:  # (as the import system binds a submodule it loads)
            setattr(sys.modules[package], child, module)


def defer_functions(name: str, *functions: str) -> None:
    """As :func:`defer`, for a module others import functions from (``from NAME import f`` reads
    the attribute at once, which would run the module): each of ``functions`` is a stand-in that
    runs the module at its first call and then calls the module's own function. (ftfy imports
    wcwidth's two functions to lay out text in a terminal, which Clipper never asks of it.)"""
    defer(name)
    module = sys.modules.get(name)
    if type(module) is not _Deferred:
        return
    for attr in functions:
        module.__dict__[attr] = _stand_in(module, attr)


def _stand_in(module, attr: str):
    def call(*args, **kwargs):
        _run(module)
        return getattr(module, attr)(*args, **kwargs)

    call.__name__ = call.__qualname__ = attr
    return call


def is_deferred(name: str) -> bool:
    """Whether module ``name`` is imported but its code has not run yet."""
    return type(sys.modules.get(name)) is _Deferred


_PATTERN_ATTRIBUTES = ("match", "search", "fullmatch", "sub", "subn", "split", "findall", "finditer",
                       "pattern", "flags", "groups", "groupindex", "scanner")


class LazyPattern:
    """A compiled pattern's stand-in: compiled on the first use of any of its attributes, which
    are then its own (later calls cost what calls of the compiled pattern cost)."""

    def __init__(self, pattern: str, flags: int = 0):
        self._source = (pattern, flags)

    def __getattr__(self, attr):  # only until compiled (then the attributes are set)
        if attr.startswith("__") or attr == "_source":
            raise AttributeError(attr)
        compiled = re.compile(*self._source)
        for name in _PATTERN_ATTRIBUTES:
            setattr(self, name, getattr(compiled, name))
        return getattr(compiled, attr)

    def __repr__(self) -> str:
        return f"LazyPattern({self._source[0][:40]!r})"


def lazy_compile(pattern: str, flags: int = 0) -> LazyPattern:
    """``re.compile(pattern, flags)``, done when the pattern is first used."""
    return LazyPattern(pattern, flags)
