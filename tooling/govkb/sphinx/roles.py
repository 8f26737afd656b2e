"""The ``{pv}`` role: a policy value (duration, window, threshold) taken from the YAML.

``{pv}`LMG_SOLICIT.step2.duration``` renders ``KnowledgeBase.policy_value(key).text``, so
SOP prose cannot drift from the policy.  The page notes a dependency on the files the value
comes from, so editing the policy re-reads the page.  The value is the one in force on the
build's day; each later scheduled value follows as " (from DATE: NEW VALUE)".  An unknown key is rendered literally and
warned about at the source line with the message of check KB207, from the same function (the finding reporter leaves
KB207 to this role for the pages it read).
"""

from __future__ import annotations

from docutils import nodes
from docutils.nodes import Node, system_message
from sphinx.util import logging
from sphinx.util.docutils import SphinxRole

from govkb.asof import upcoming_values
from govkb.checks.references import unknown_value_message
from govkb.model import KnowledgeBase
from govkb.sphinx.kbstate import absolute, knowledge_base

logger = logging.getLogger(__name__)


class PolicyValueRole(SphinxRole):
    """``{pv}`KEY``` -> the value's text, in a ``govkb-pv`` span."""

    def run(self) -> tuple[list[Node], list[system_message]]:
        key = self.text.strip()
        kb = knowledge_base(self.env)
        value = kb.policy_value(key)
        if value is None:
            subject = kb.policy_by_id.get(key.partition(".")[0]) or kb.rule_by_id.get(key.partition(".")[0])
            if subject is not None:  # re-read when the key appears in the policy
                self.env.note_dependency(absolute(self.env, subject.location.path))
            logger.warning(unknown_value_message(kb, key), type="govkb", subtype="KB207",
                           location=self.get_location())
            return [nodes.literal(self.rawtext, key, classes=["govkb-pv", "govkb-pv-unknown"])], []
        for path in _value_paths(kb, key, value.location.path):
            self.env.note_dependency(absolute(self.env, path))
        result: list[Node] = [nodes.inline(self.rawtext, value.text, classes=["govkb-pv"])]
        for effective, later in upcoming_values(kb, key):
            result.append(nodes.inline("", f" (from {effective}: {later.text})", classes=["govkb-pv-upcoming"]))
        return result, []


def _value_paths(kb: KnowledgeBase, key: str, value_path: str) -> list[str]:
    """The files a value's text depends on: its policy and, for ladder steps, the actions catalog."""
    paths = [value_path] if value_path else []
    if ".step" in key:
        paths.append(kb.catalog_path("actions"))
    return paths
