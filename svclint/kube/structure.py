"""Shape checks for the fields svclint reasons about (SVC002 when one has the wrong type).

Full schema validation is SVC004's job and is optional; these checks are the minimum that
keeps the graph honest: a ``ports: "80"`` must be reported, not silently read as no ports.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from svclint.kube.model import POD_TEMPLATE_PATHS, K8sObject
from svclint.kube.selectors import LabelSelector, SelectorError
from svclint.loading.source import FieldPath, format_field_path

_MAP, _LIST, _PORT, _INT, _STR = "mapping", "list", "port", "integer", "string"
_EXPECTED = {_MAP: "a mapping", _LIST: "a list", _PORT: "a number or a name", _INT: "an integer", _STR: "a string"}

# kind -> [(path with "*" for every list item, expected shape)]
_SERVICE: list[tuple[FieldPath, str]] = [
    (("spec",), _MAP),
    (("spec", "selector"), _MAP),
    (("spec", "ports"), _LIST),
    (("spec", "ports", "*"), _MAP),
    (("spec", "ports", "*", "port"), _INT),
    (("spec", "ports", "*", "targetPort"), _PORT),
    (("spec", "ports", "*", "nodePort"), _INT),
]

_POD_SPEC = [
    (("spec",), _MAP),
    (("spec", "containers"), _LIST),
    (("spec", "containers", "*"), _MAP),
    (("spec", "containers", "*", "ports"), _LIST),
    (("spec", "containers", "*", "ports", "*"), _MAP),
    (("spec", "containers", "*", "ports", "*", "containerPort"), _INT),
    (("spec", "containers", "*", "ports", "*", "name"), _STR),
    (("spec", "initContainers"), _LIST),
    (("spec", "initContainers", "*"), _MAP),
    (("spec", "initContainers", "*", "ports"), _LIST),
    (("spec", "initContainers", "*", "ports", "*"), _MAP),
]

_TEMPLATE = [(("metadata",), _MAP), (("metadata", "labels"), _MAP)] + _POD_SPEC
_SCALABLE = frozenset({"Deployment", "ReplicaSet", "StatefulSet", "ReplicationController"})
# Workload LabelSelectors (ReplicationController's selector is a plain map).
_LABEL_SELECTORS: dict[str, FieldPath] = {
    **dict.fromkeys(("Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job"), ("spec", "selector")),
    "CronJob": ("spec", "jobTemplate", "spec", "selector"),
}


def _shapes(kind: str) -> list[tuple[FieldPath, str]]:
    if kind == "Service":
        return _SERVICE
    if kind in POD_TEMPLATE_PATHS:
        prefix = POD_TEMPLATE_PATHS[kind]
        out = [(prefix[: i + 1], _MAP) for i in range(len(prefix))]
        out += [(prefix + path, shape) for path, shape in _TEMPLATE]
        if kind != "Pod":
            out.append((("spec", "selector"), _MAP))
        if kind in _SCALABLE:
            out.append((("spec", "replicas"), _INT))
        return out
    return []


def _matches(value: Any, shape: str) -> bool:
    if shape == _MAP:
        return isinstance(value, dict)
    if shape == _LIST:
        return isinstance(value, list)
    if shape == _INT:
        return isinstance(value, int) and not isinstance(value, bool)
    if shape == _STR:
        return isinstance(value, str)
    return isinstance(value, (int, str)) and not isinstance(value, bool)


def _walk(data: Any, path: FieldPath, at: FieldPath = ()) -> Iterator[tuple[FieldPath, Any]]:
    """Values at ``path`` ("*" = every list item), with their concrete paths."""
    if not path:
        yield at, data
        return
    head, rest = path[0], path[1:]
    if head == "*":
        if isinstance(data, list):
            for i, item in enumerate(data):
                yield from _walk(item, rest, at + (i,))
    elif isinstance(data, dict) and head in data:
        yield from _walk(data[head], rest, at + (head,))


def structure_problems(obj: K8sObject) -> list[tuple[FieldPath, str]]:
    """(path, message) for each field that has a shape svclint cannot read."""
    problems: list[tuple[FieldPath, str]] = []
    if "labels" in (obj.data.get("metadata") or {}) and not isinstance(obj.data["metadata"]["labels"], (dict, type(None))):
        problems.append((("metadata", "labels"), "metadata.labels must be a mapping of strings"))
    bad_prefixes: list[FieldPath] = []
    for pattern, shape in _shapes(obj.kind):
        for path, value in _walk(obj.data, pattern):
            if value is None or _matches(value, shape):
                continue
            if any(path[: len(p)] == p for p in bad_prefixes):
                continue
            bad_prefixes.append(path)
            problems.append((path, f"{format_field_path(path)} must be {_EXPECTED[shape]}, not {describe(value)}"))
    problems.extend(_selector_problems(obj))
    return problems


def _selector_problems(obj: K8sObject) -> Iterator[tuple[FieldPath, str]]:
    """Selectors the API server rejects, which would otherwise silently match nothing."""
    at = _LABEL_SELECTORS.get(obj.kind)
    raw = obj.get(at) if at is not None else None
    if at is not None and isinstance(raw, dict):
        try:
            LabelSelector.parse(raw)
        except SelectorError as error:
            path = at + error.path
            yield path, f"{format_field_path(path)}: {error}"
    if obj.kind == "Service":
        selector = obj.get(("spec", "selector"))
        for key, value in (selector.items() if isinstance(selector, dict) else ()):
            if isinstance(value, (dict, list)):
                path = ("spec", "selector", str(key))
                yield path, f"{format_field_path(path)} must be a string, not {describe(value)}"


def describe(value: Any) -> str:
    """``the string '80'``: a value as a message shows it (long strings are shortened)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return f"the string {value[:60] + '...' if len(value) > 60 else value!r}"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    return type(value).__name__
