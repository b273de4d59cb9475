"""Serialise sarif-om objects to SARIF JSON values.

sarif-om has no serialiser; its companion ``jschema_to_python.to_json`` drops every value
equal to an attrs default, and ``Result.level`` defaults to ``"warning"``, so an explicit
warning would vanish and readers would fall back to the rule's default level (SARIF
§3.27.10). Here a field is left out only when it is None or still holds one of sarif-om's
placeholder defaults (``-1`` indexes, ``"en-US"``, the default ``contents`` lists), and the
fields whose defaults carry meaning are always written.
"""

from __future__ import annotations

from typing import Any

import attr

# Written even when equal to sarif-om's default: their absence changes what a reader infers.
ALWAYS_WRITTEN = frozenset({"level", "kind", "enabled"})

# sarif-om 1.0.4 was generated from a pre-release schema that called this property "state".
RENAMED = {("Suppression", "state"): "status"}


def _default(field: Any) -> Any:
    default = field.default
    if isinstance(default, attr.Factory):  # type: ignore[arg-type]
        return default.factory()
    return default


def to_sarif(value: Any) -> Any:
    """A sarif-om object (or a plain value holding some) as a JSON-ready value."""
    if attr.has(type(value)):
        out: dict[str, Any] = {}
        for field in attr.fields(type(value)):
            item = getattr(value, field.name)
            if item is None:
                continue
            if field.default is not attr.NOTHING and field.name not in ALWAYS_WRITTEN and item == _default(field):
                continue
            name = RENAMED.get((type(value).__name__, field.name)) or field.metadata.get("schema_property_name", field.name)
            out[name] = to_sarif(item)
        return out
    if isinstance(value, dict):
        return {str(key): to_sarif(item) for key, item in value.items() if item is not None}
    if isinstance(value, (list, tuple)):
        return [to_sarif(item) for item in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise TypeError(f"cannot serialise {type(value).__name__} into SARIF")
