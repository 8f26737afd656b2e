"""Expected failures: raise :class:`FatalError`; the CLI prints it and exits 2."""

from __future__ import annotations


class FatalError(RuntimeError):
    """A usage or environment problem that stops a command (not a finding in a user file)."""
