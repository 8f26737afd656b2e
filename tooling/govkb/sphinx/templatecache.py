"""The HTML templates' compiled code, kept between builds (Jinja's own bytecode cache).

Sphinx compiles the theme's Jinja templates (Furo's page, its sidebar parts, Sphinx's basic
layout: about 16) in every build, also after editing one SOP, where it was ~0.1 CPU-s of a
build that writes one page.  Jinja can keep the compiled code of each template in a file
(``FileSystemBytecodeCache``) and uses it only while the template's source is the same: each
entry is named by the template's name and file, and holds a checksum of its source and the
Python version, so an edited or replaced template (a theme upgrade, a ``templates_path``
override) is compiled again.

What else the code depends on is the Jinja environment Sphinx set up (its class, options and
extensions) and the Jinja and Sphinx versions: :func:`environment_salt` names the cache's
folder after them, so another set-up never reads this one's code; folders of earlier salts
are removed.  The folder lives in the build's doctree directory (under ``_build/``, never in
the sources).  A damaged entry is compiled again.
"""

from __future__ import annotations

import hashlib
import shutil
import sys
from pathlib import Path
from typing import Any

import jinja2
import sphinx
from jinja2.bccache import Bucket, FileSystemBytecodeCache
from sphinx.application import Sphinx

CACHE_DIR = "govkb-templates"
# Environment settings the generated code depends on (jinja2.Environment's own options).
_OPTIONS = ("block_start_string", "block_end_string", "variable_start_string", "variable_end_string",
            "comment_start_string", "comment_end_string", "line_statement_prefix", "line_comment_prefix",
            "trim_blocks", "lstrip_blocks", "newline_sequence", "keep_trailing_newline", "optimized",
            "autoescape", "finalize", "is_async", "sandboxed")


class TemplateCodeCache(FileSystemBytecodeCache):
    """Jinja's file cache, where an entry that cannot be read is a miss (it is compiled again)."""

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:  # noqa: BLE001 - a damaged or foreign file: compile the template again
            bucket.reset()


def _stable(value: object) -> str:
    """A setting as text that is the same in every process (a function by its name, not its address)."""
    if callable(value):
        return f"{getattr(value, '__module__', '')}.{getattr(value, '__qualname__', type(value).__qualname__)}"
    return repr(value)


def environment_salt(environment: jinja2.Environment) -> str:
    """A digest of what, besides a template's source, its compiled code depends on."""
    parts: list[Any] = [jinja2.__version__, sphinx.__version__, sys.version,
                        f"{type(environment).__module__}.{type(environment).__qualname__}",
                        sorted(environment.extensions)]
    parts += [(name, _stable(getattr(environment, name, None))) for name in _OPTIONS]
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:16]


def keep_template_code(app: Sphinx) -> None:
    """``builder-inited``: the builder's Jinja environment reads and writes compiled templates."""
    environment = getattr(getattr(app.builder, "templates", None), "environment", None)
    if not isinstance(environment, jinja2.Environment) or environment.bytecode_cache is not None:
        return
    top = Path(app.doctreedir) / CACHE_DIR
    folder = top / environment_salt(environment)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for other in top.iterdir():
            if other != folder and other.is_dir():
                shutil.rmtree(other, ignore_errors=True)
    except OSError:  # no cache where the build cannot write: templates are compiled as before
        return
    environment.bytecode_cache = TemplateCodeCache(str(folder))


def setup_templatecache(app: Sphinx) -> None:
    app.connect("builder-inited", keep_template_code)
