"""govkb: load, check and publish a policies + SOPs knowledge base."""

__version__ = "0.1.0"
