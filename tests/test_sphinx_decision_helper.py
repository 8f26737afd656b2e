"""The decision helper's HTML and data (govkb.sphinx.decision_helper), without a browser."""

from __future__ import annotations

import json
import re
from pathlib import Path

from govkb.load import load_knowledge_base
from govkb.sphinx.decision_helper import helper_data, helper_html, helper_node

REPO = Path(__file__).resolve().parent.parent


def test_helper_data_and_html() -> None:
    kb = load_knowledge_base(REPO).kb
    policy = kb.policy_by_id["LMG_SOLICIT"]
    data = helper_data(kb, policy)
    assert data["versions"] == [{
        "effective": "2026-03-01", "version": kb.policy_by_id["LMG_SOLICIT"].version, "strike_window_days": 90, "appeal_window_days": 183,
        "steps": [{"strike": 1, "action": "ACT_EDUCATION_NOTICE", "action_title": "Education notice"},
                  {"strike": 2, "action": "ACT_GIFTING_SUSPEND", "action_title": "Gifting suspension", "duration_days": 7},
                  {"strike": 3, "action": "ACT_MONETIZATION_SUSPEND", "action_title": "Monetization suspension",
                   "duration_days": 30},
                  {"strike": 4, "action": "ACT_MONETIZATION_TERMINATE", "action_title": "Termination of monetization"}],
    }]
    assert {r["id"]: r["severe_start"] for r in data["rules"]}["LMG_SOLICIT_03"] == 3
    html = helper_html(kb, policy)
    blob = re.search(r'<script type="application/json" class="govkb-decide-data">(.*?)</script>', html, re.S)
    assert json.loads(blob.group(1).replace("<\\/", "</")) == data
    assert html.count("<option ") == len(policy.rules)
    assert helper_node(kb, policy).astext() == html
