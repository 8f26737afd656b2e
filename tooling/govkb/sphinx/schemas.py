"""Publish the JSON Schemas that ship with govkb: shown on a page, copied next to the site.

``{govkb-schema} policy`` renders ``govkb/schemas/policy.schema.json`` as a JSON block with a
link to the raw file, which the HTML build copies to ``_schemas/`` in the output directory.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schemas"
OUTPUT_DIR = "_schemas"
logger = logging.getLogger(__name__)


def schema_names() -> list[str]:
    return sorted(p.name.removesuffix(".schema.json") for p in SCHEMA_DIR.glob("*.schema.json"))


class SchemaDirective(SphinxDirective):
    """``{govkb-schema} NAME``: the schema's title and description, a download link, the JSON."""

    required_arguments = 1

    def run(self) -> list[nodes.Node]:
        name = self.arguments[0].strip()
        path = SCHEMA_DIR / f"{name}.schema.json"
        if not path.is_file():
            logger.warning("govkb-schema: no schema %r (schemas: %s)", name, ", ".join(schema_names()),
                           location=self.get_location(), type="govkb", subtype="schema")
            return []
        self.env.note_dependency(str(path))
        text = path.read_text(encoding="utf-8")
        schema = json.loads(text)
        result: list[nodes.Node] = []
        intro = nodes.paragraph()
        if schema.get("description"):
            intro += nodes.Text(f"{schema['description']} ")
        uri = f"{self._root_prefix()}{OUTPUT_DIR}/{path.name}"
        intro += nodes.reference("", f"Download {path.name}", refuri=uri, classes=["govkb-schema-link"])
        result.append(intro)
        block = nodes.literal_block(text, text, language="json", classes=["govkb-schema"])
        result.append(block)
        return result

    def _root_prefix(self) -> str:
        depth = self.env.docname.count("/")
        return "../" * depth


def copy_schemas(app: Sphinx, exception: Exception | None) -> None:
    """``build-finished``: put the schema files in the HTML output under ``_schemas/``."""
    if exception is not None or app.builder.format != "html":
        return
    target = Path(app.outdir) / OUTPUT_DIR
    target.mkdir(parents=True, exist_ok=True)
    for path in sorted(SCHEMA_DIR.glob("*.schema.json")):
        shutil.copyfile(path, target / path.name)


def setup_schemas(app: Sphinx) -> None:
    app.add_directive("govkb-schema", SchemaDirective)
    app.connect("build-finished", copy_schemas)

