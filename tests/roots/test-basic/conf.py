"""A tiny knowledge base built by the govkb Sphinx tests."""

project = "govkb test-basic"
root_doc = "docs/index"
extensions = ["myst_parser", "sphinx_needs", "govkb.sphinx"]
exclude_patterns = ["_build"]
