"""Vault commands: import, search, tags, tag, reindex (all take --vault)."""

from __future__ import annotations


def register(sub) -> None:
    pass
