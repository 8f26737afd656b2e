"""``python -m govkb``."""

from govkb.cli import entry

entry()
