"""PyYAML's YAML 1.1 scalar resolution and forbidden characters, without importing PyYAML.

The fast path (:mod:`govkb.load.fastyaml`) must type every plain scalar exactly as
PyYAML's ``SafeLoader`` would, but a run whose files all take the fast path should not
pay for importing PyYAML.  The implicit resolvers below are PyYAML's own (``yaml/resolver.py``
of PyYAML 6, the pinned version), in its order; ``tests/test_load_yaml11.py`` holds them
equal to the installed PyYAML's, pattern for pattern, so an upgrade that changes them
fails the tests instead of changing what govkb reads.
"""

from __future__ import annotations

import re
from functools import cache

STR = "tag:yaml.org,2002:str"

_IMPLICIT: list[tuple[str, re.Pattern[str], str | list[str]]] = [
    ("tag:yaml.org,2002:bool", re.compile(r'''^(?:yes|Yes|YES|no|No|NO
                    |true|True|TRUE|false|False|FALSE
                    |on|On|ON|off|Off|OFF)$''', re.X), "yYnNtTfFoO"),
    ("tag:yaml.org,2002:float", re.compile(r'''^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?
                    |\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?
                    |[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*
                    |[-+]?\.(?:inf|Inf|INF)
                    |\.(?:nan|NaN|NAN))$''', re.X), "-+0123456789."),
    ("tag:yaml.org,2002:int", re.compile(r'''^(?:[-+]?0b[0-1_]+
                    |[-+]?0[0-7_]+
                    |[-+]?(?:0|[1-9][0-9_]*)
                    |[-+]?0x[0-9a-fA-F_]+
                    |[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$''', re.X), "-+0123456789"),
    ("tag:yaml.org,2002:merge", re.compile(r'^(?:<<)$'), ["<"]),
    ("tag:yaml.org,2002:null", re.compile(r'''^(?: ~
                    |null|Null|NULL
                    | )$''', re.X), ["~", "n", "N", ""]),
    ("tag:yaml.org,2002:timestamp", re.compile(r'''^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]
                    |[0-9][0-9][0-9][0-9] -[0-9][0-9]? -[0-9][0-9]?
                     (?:[Tt]|[ \t]+)[0-9][0-9]?
                     :[0-9][0-9] :[0-9][0-9] (?:\.[0-9]*)?
                     (?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$''', re.X), "0123456789"),
    ("tag:yaml.org,2002:value", re.compile(r'^(?:=)$'), ["="]),
    ("tag:yaml.org,2002:yaml", re.compile(r'^(?:!|&|\*)$'), "!&*"),
]


def _by_first_character() -> dict[str, list[tuple[str, re.Pattern[str]]]]:
    table: dict[str, list[tuple[str, re.Pattern[str]]]] = {}
    for tag, pattern, first in _IMPLICIT:
        for char in first:
            table.setdefault(char, []).append((tag, pattern))
    return table


IMPLICIT_RESOLVERS = _by_first_character()  # as PyYAML's Resolver.yaml_implicit_resolvers


def resolve(value: str, implicit: tuple[bool, bool] = (True, False)) -> str:
    """``yaml.resolver.Resolver().resolve(ScalarNode, value, implicit)``: the tag of a scalar
    (``implicit[0]``: it was plain, not quoted)."""
    if implicit[0]:
        for tag, pattern in IMPLICIT_RESOLVERS.get(value[:1], ()):
            if pattern.match(value):
                return tag
    return STR


@cache
def non_printable() -> re.Pattern[str]:
    """PyYAML's ``Reader.NON_PRINTABLE``: a character YAML forbids (compiled when first
    needed: only text that is not ASCII is searched)."""
    return re.compile("[^\x09\x0A\x0D\x20-\x7E\x85\xA0-\uD7FF\uE000-\uFFFD\U00010000-\U0010ffff]")
