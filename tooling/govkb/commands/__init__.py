"""Subcommands: each module exposes ``register(subparsers)`` and a ``run(args) -> int``."""

from __future__ import annotations

import argparse
from typing import Any

COMMAND_MODULES: tuple[str, ...] = ("check", "new", "codeowners", "impact", "review", "decide", "metrics")


def register_all(subparsers: "argparse._SubParsersAction[Any]") -> None:
    import importlib

    for name in COMMAND_MODULES:
        importlib.import_module(f"govkb.commands.{name}").register(subparsers)
