"""Sphinx configuration: small on purpose; the govkb extension sets up the rest."""

project = "LIVE Monetization Governance knowledge base"
author = "LIVE Monetization Governance"
copyright = "2026, LIVE Monetization Governance (reference policy set)"
root_doc = "docs/index"
extensions = ["myst_parser", "sphinx_needs", "govkb.sphinx"]
# Pages: reference pages, SOPs, and the policy/catalog YAML files (rendered by govkb.sphinx).
include_patterns = ["docs/**", "sop/**", "policies/**"]
exclude_patterns = [
    "_build", ".venv", "**/.venv", ".*", "**/.*", "README.md", "tests", "benchmarks", "tooling",
    ".github", ".ci", "**/.pytest_cache",
]
html_theme = "furo"
html_title = "LIVE Monetization Governance"
