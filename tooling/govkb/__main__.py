"""``python -m govkb``."""

from govkb.cli import main

raise SystemExit(main())
