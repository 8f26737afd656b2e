"""Validate parsed YAML against govkb's JSON Schemas and say what is wrong in plain words.

The schemas ship in ``govkb/schemas/`` and are the documentation of the formats.  Each
``jsonschema`` error becomes a KB105 finding at the ``path:line:column`` of the offending
node, found through the :class:`~govkb.load.yamlsource.Locator`.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any, Iterator

from govkb.findings import Finding, finding
from govkb.load.yamlsource import JsonPath, Locator, dotted

if TYPE_CHECKING:  # jsonschema is imported only when a document is invalid (~70 ms saved per run)
    import jsonschema
    from jsonschema.exceptions import ValidationError

SCHEMA_NAMES: tuple[str, ...] = ("policy", "catalog", "sop")


@lru_cache(maxsize=None)
def load_schema(name: str) -> dict[str, Any]:
    """The JSON Schema ``name`` (policy, catalog or sop) shipped inside the package."""
    text = resources.files("govkb.schemas").joinpath(f"{name}.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@lru_cache(maxsize=None)
def _fast_validator(name: str) -> Any:
    """jsonschema-rs (a sphinx-needs dependency) answers "valid?" ~50x faster; None if absent."""
    try:
        import jsonschema_rs
    except ImportError:  # pragma: no cover - jsonschema-rs ships with sphinx-needs
        return None
    return jsonschema_rs.validator_for(load_schema(name), validate_formats=True)


@lru_cache(maxsize=None)
def _validator(name: str) -> jsonschema.protocols.Validator:
    import jsonschema

    schema = load_schema(name)
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def validate(name: str, data: Any, locator: Locator, subject: str = "") -> list[Finding]:
    """KB105 findings for every way ``data`` breaks schema ``name``, sorted by position."""
    fast = _fast_validator(name)
    if fast is not None and fast.is_valid(data):
        return []
    # Invalid (or no fast validator): jsonschema's errors carry what the messages need.
    findings = []
    for error in _validator(name).iter_errors(data):
        for leaf in _leaves(error):
            path = tuple(leaf.absolute_path)
            findings.append(_to_finding(leaf, path, locator, subject))
    return sorted(findings, key=lambda f: f.sort_key)


def _leaves(error: ValidationError) -> Iterator[ValidationError]:
    """For oneOf/anyOf errors, the most relevant sub-error; otherwise the error itself."""
    if error.context:
        from jsonschema.exceptions import best_match

        best = best_match(error.context)
        if best is not None:
            yield from _leaves(best)
            return
    yield error


def _to_finding(error: ValidationError, path: JsonPath, locator: Locator, subject: str) -> Finding:
    field = dotted(path)
    validator = error.validator
    location = locator.at(path)
    # jsonschema types these as "maybe unset"; an error from iter_errors always has them.
    instance: Any = error.instance
    schema: dict[str, Any] = error.schema if isinstance(error.schema, dict) else {}
    expected: Any = error.validator_value
    if validator == "required":
        missing = _first_missing(instance, expected)
        message = f"{field}: missing required field '{missing}'"
    elif validator == "additionalProperties":
        allowed = sorted(schema.get("properties", {}))
        extra = sorted(k for k in instance if k not in allowed) if isinstance(instance, dict) else []
        if extra:
            location = locator.key_at(path + (extra[0],))
        where = f"{field}: " if path else ""
        message = f"{where}unknown field '{', '.join(extra)}'; allowed fields are: {', '.join(allowed)}"
    elif validator == "type":
        message = f"{field} must be {_article(expected)}, not {_json_type(instance)} ({_short(instance)})"
    elif validator == "enum":
        options = ", ".join(str(v) for v in expected)
        message = f"{field} is {_short(instance)}; it must be one of: {options}"
    elif validator == "pattern":
        described = schema.get("description", "")
        message = f"{field} is {_short(instance)}, which is not of the expected form. {described}".strip()
    elif validator == "minItems":
        message = f"{field} needs at least {expected} item(s), it has {len(instance)}"
    elif validator in ("minProperties", "maxProperties"):
        message = f"{field} must hold exactly one catalog (a single top-level key named like the file)"
    elif validator == "uniqueItems":
        message = f"{field} lists the same value twice"
    elif validator in ("minimum", "maximum"):
        bound = "at least" if validator == "minimum" else "at most"
        message = f"{field} is {_short(instance)}; it must be {bound} {expected}"
    elif validator in ("minLength", "maxLength"):
        bound = "at least" if validator == "minLength" else "at most"
        message = f"{field} must be {bound} {expected} characters long"
    elif validator == "format":
        message = f"{field} is {_short(instance)}, which is not a valid {expected}"
    else:
        message = f"{field}: {error.message}"
    return finding("KB105", location, message, subject)


def _first_missing(instance: Any, required: Any) -> str:
    instance = instance if isinstance(instance, dict) else {}
    for name in required:
        if name not in instance:
            return str(name)
    return "?"


def _json_type(value: Any) -> str:
    if value is None:
        return "empty (null)"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    return "a mapping"


def _article(expected: Any) -> str:
    names = {"string": "text", "integer": "a whole number", "number": "a number", "array": "a list",
             "object": "a mapping", "boolean": "true or false", "null": "empty"}
    if isinstance(expected, list):
        return " or ".join(names.get(str(e), str(e)) for e in expected)
    return names.get(expected, str(expected))


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
