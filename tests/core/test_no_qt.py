"""The core and the CLI stand alone: importing them never loads Qt."""

import subprocess
import sys

CORE_MODULES = [
    "clipper", "clipper.cli", "clipper.core.pipeline", "clipper.core.frontmatter",
    "clipper.core.fsutil", "clipper.core.paths",
]


def test_core_never_imports_qt():
    pkgs = ", ".join(repr(m) for m in CORE_MODULES)
    code = (
        "import importlib, pkgutil, sys, clipper.core\n"
        f"for m in [{pkgs}]: importlib.import_module(m)\n"
        "for info in pkgutil.walk_packages(clipper.core.__path__, 'clipper.core.'):\n"
        "    importlib.import_module(info.name)\n"
        "bad = [m for m in sys.modules if m.startswith(('PySide6', 'shiboken6'))]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_cli_version():
    out = subprocess.run([sys.executable, "-m", "clipper", "--version"], capture_output=True,
                         text=True, check=True)
    import clipper

    assert out.stdout.strip() == f"clipper {clipper.__version__}"


def test_child_processes_follow_the_apps_setting_not_its_imports():
    """Importing PySide6 alone changes nothing; the app's word (native threads run) stops forking."""
    code = (
        "import sys\n"
        "import PySide6.QtCore  # noqa: F401\n"
        "from clipper.core import limits\n"
        "before = limits.forks_here()\n"
        "limits.set_native_threads()\n"
        "assert not limits.forks_here()\n"
        "assert before == sys.platform.startswith('linux'), before\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
