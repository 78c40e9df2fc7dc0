"""Build hook only (metadata lives in pyproject.toml): ship the top-level ``resources/`` folder.

A wheel (``pip install .``, also non-editable) gets a copy of ``resources/`` as the package
data folder ``clipper/_resources``, where ``clipper.resources`` looks first. Editable installs
need no copy: they find ``resources/`` next to the package in the checkout.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent


class BuildPyWithResources(build_py):
    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return
        src = HERE / "resources"
        if not src.is_dir():
            raise SystemExit(f"resources folder missing: {src} (is this a complete checkout?)")
        dst = Path(self.build_lib) / "clipper" / "_resources"
        if dst.exists():
            shutil.rmtree(dst)
        shutil.copytree(src, dst, ignore=shutil.ignore_patterns("*~", ".*", "__pycache__"))


setup(cmdclass={"build_py": BuildPyWithResources})
