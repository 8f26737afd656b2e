"""Subcommands: each module exposes ``register(subparsers)`` and a ``run(args) -> int``."""

from __future__ import annotations

import argparse
from typing import Any

COMMAND_MODULES: tuple[str, ...] = ("check", "new", "codeowners", "impact", "review", "decide", "metrics")


def register_all(subparsers: "argparse._SubParsersAction[Any]", only: str | None = None) -> None:
    """Register every command, or only the command ``only`` when it is one (a run of one
    command then imports no other command's module)."""
    import importlib

    for name in (only,) if only in COMMAND_MODULES else COMMAND_MODULES:
        importlib.import_module(f"govkb.commands.{name}").register(subparsers)
