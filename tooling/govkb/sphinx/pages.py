"""Policy and catalog YAML files are pages: a source parser renders them from the model.

``.yaml`` is a source suffix of its own (``govkb``): ``policies/<stem>.yaml`` is the page
``policies/<stem>`` and ``policies/catalog/<name>.yaml`` the page ``policies/catalog/<name>``.
The parser ignores the text Sphinx read and looks the file up in the loaded KnowledgeBase by
path, writes MyST (:mod:`policy_page`, :mod:`catalog_page`) and hands it to the MyST parser.
Nothing generated is written into the source tree.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from docutils import nodes
from myst_parser.parsers.sphinx_ import MystParser
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment

from govkb.load import CATALOG_DIR, POLICY_DIR
from govkb.model.catalog import CATALOG_NAMES
from govkb.model import KnowledgeBase
from govkb.sphinx import markup as md
from govkb.sphinx.catalog_page import catalog_markdown
from govkb.sphinx.kbstate import absolute, knowledge_base, source_path
from govkb.sphinx.policy_page import policy_markdown, setup_policy_page

FILETYPE = "govkb"
# Catalog pages that list policies are re-read when any policy page is.
CATALOGS_LISTING_POLICIES = ("actions", "features", "areas")


def page_markdown(kb: KnowledgeBase, path: str) -> tuple[str, list[str]]:
    """(MyST text, model paths the page depends on) for the YAML source at ``path``."""
    pure = PurePosixPath(path)
    if str(pure.parent) == CATALOG_DIR and pure.stem in CATALOG_NAMES:
        policies = [p.path for p in kb.policies] if pure.stem in CATALOGS_LISTING_POLICIES else []
        return catalog_markdown(kb, pure.stem), policies
    policy = kb.policy_by_path.get(path)
    if policy is not None:
        catalogs = [kb.catalog_path(name) for name in ("actions", "features", "markets", "kpis")]
        return policy_markdown(kb, policy), catalogs
    # The loader already reported why (a finding the build turns into a warning).
    return (f"# {md.text(pure.stem)}\n\n`{path}` is not a policy govkb could load; "
            "run `govkb check` for the reason.\n"), []


class YamlPageParser(MystParser):
    """Renders a policy or catalog page from the KnowledgeBase, then parses it as MyST."""

    supported = (FILETYPE,)

    def parse(self, inputstring: str, document: nodes.document) -> None:
        env: BuildEnvironment = document.settings.env
        text, dependencies = page_markdown(knowledge_base(env), source_path(env, env.docname))
        for path in dependencies:
            env.note_dependency(absolute(env, path))
        super().parse(text, document)


def outdated_catalogs(app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str],
                      removed: set[str]) -> list[str]:
    """``env-get-outdated``: a policy page added, changed or removed re-reads the listing catalogs."""
    touched = added | changed | removed
    if not any(d.startswith(POLICY_DIR + "/") and not d.startswith(CATALOG_DIR + "/") for d in touched):
        return []
    return [f"{CATALOG_DIR}/{name}" for name in CATALOGS_LISTING_POLICIES]


def setup_pages(app: Sphinx) -> None:
    app.add_source_suffix(".yaml", FILETYPE)
    app.add_source_parser(YamlPageParser)
    setup_policy_page(app)
    app.connect("env-get-outdated", outdated_catalogs)
