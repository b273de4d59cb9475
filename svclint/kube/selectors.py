"""Label selector semantics, exactly as Kubernetes matches them. Pure functions.

Two kinds exist (k8s.io/apimachinery pkg/labels and pkg/apis/meta/v1/helpers.go):

* Service ``spec.selector``: a plain map, matched as an equality subset. A label that is
  missing never matches, even for an empty value. ``{}`` and absent mean "no selector"
  (manual endpoints), never "all pods".
* ``LabelSelector`` (workloads, NetworkPolicy): ``matchLabels`` AND ``matchExpressions``
  (In, NotIn, Exists, DoesNotExist). An empty LabelSelector matches everything. ``NotIn``
  and ``DoesNotExist`` match pods that lack the key.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

OPERATORS = ("In", "NotIn", "Exists", "DoesNotExist")


def service_selector_matches(selector: Mapping[str, str], labels: Mapping[str, str]) -> bool:
    """Equality subset match used by the endpoint controller."""
    for key, value in selector.items():
        if labels.get(key) != value:
            return False
    return True


def label_differences(terms: Iterable[tuple[str, str]], labels: Mapping[str, str]) -> list[str]:
    """How ``labels`` miss each equality term, for "nearest is ..." messages."""
    out = []
    for key, value in terms:
        have = labels.get(key)
        if have is None:
            out.append(f"has no label {key!r}")
        elif have != value:
            out.append(f"has {key}={have}, not {key}={value}")
    return out


class SelectorError(ValueError):
    """A LabelSelector the API server would reject; ``path`` is relative to the selector."""

    def __init__(self, message: str, path: tuple[str | int, ...] = ()) -> None:
        super().__init__(message)
        self.path = path


@dataclass(frozen=True)
class Requirement:
    key: str
    operator: str
    values: frozenset[str]

    def matches(self, labels: Mapping[str, str]) -> bool:
        if self.operator == "In":
            return labels.get(self.key) in self.values
        if self.operator == "NotIn":
            return self.key not in labels or labels[self.key] not in self.values
        if self.operator == "Exists":
            return self.key in labels
        return self.key not in labels  # DoesNotExist

    def __str__(self) -> str:
        if self.operator == "Exists":
            return self.key
        if self.operator == "DoesNotExist":
            return f"!{self.key}"
        op = "in" if self.operator == "In" else "notin"
        return f"{self.key} {op} ({','.join(sorted(self.values))})"


@dataclass(frozen=True)
class LabelSelector:
    match_labels: tuple[tuple[str, str], ...] = ()
    requirements: tuple[Requirement, ...] = ()

    @property
    def is_empty(self) -> bool:
        """Empty selectors select everything (in their scope)."""
        return not self.match_labels and not self.requirements

    def matches(self, labels: Mapping[str, str]) -> bool:
        for key, value in self.match_labels:
            if labels.get(key) != value:
                return False
        return all(r.matches(labels) for r in self.requirements)

    def __str__(self) -> str:
        parts = [f"{k}={v}" for k, v in self.match_labels] + [str(r) for r in self.requirements]
        return ",".join(parts) if parts else "<all>"

    @classmethod
    def parse(cls, data: Any) -> LabelSelector:
        """Parse a LabelSelector mapping; ``None`` is the empty selector."""
        if data is None:
            return cls()
        if not isinstance(data, dict):
            raise SelectorError("a label selector must be a mapping")
        labels = data.get("matchLabels") or {}
        if not isinstance(labels, dict):
            raise SelectorError("matchLabels must be a mapping", ("matchLabels",))
        match_labels = []
        for key, value in labels.items():
            if not isinstance(value, str) or not isinstance(key, str):
                raise SelectorError(
                    f"matchLabels value for {key!r} must be a string", ("matchLabels", str(key))
                )
            match_labels.append((key, value))
        expressions = data.get("matchExpressions") or []
        if not isinstance(expressions, list):
            raise SelectorError("matchExpressions must be a list", ("matchExpressions",))
        requirements = []
        for i, expr in enumerate(expressions):
            at = ("matchExpressions", i)
            if not isinstance(expr, dict):
                raise SelectorError("a match expression must be a mapping", at)
            key, operator, values = expr.get("key"), expr.get("operator"), expr.get("values")
            if not isinstance(key, str) or not key:
                raise SelectorError("key is required", at + ("key",))
            if operator not in OPERATORS:
                raise SelectorError(
                    f"operator {operator!r} is not one of {', '.join(OPERATORS)}", at + ("operator",)
                )
            values = values or []
            if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
                raise SelectorError("values must be a list of strings", at + ("values",))
            if operator in ("In", "NotIn") and not values:
                raise SelectorError(f"values must be non-empty for operator {operator}", at + ("values",))
            if operator in ("Exists", "DoesNotExist") and values:
                raise SelectorError(f"values must be empty for operator {operator}", at + ("values",))
            requirements.append(Requirement(key, operator, frozenset(values)))
        return cls(tuple(sorted(match_labels)), tuple(requirements))

    def equality_terms(self) -> list[tuple[str, str]]:
        """(key, value) pairs every match must carry: usable as index lookups."""
        terms = list(self.match_labels)
        for r in self.requirements:
            if r.operator == "In" and len(r.values) == 1:
                terms.append((r.key, next(iter(r.values))))
        return terms
