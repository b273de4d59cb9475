"""In-manifest suppressions: the object annotation and the trailing line comment.

* ``metadata.annotations["svclint.io/ignore"]: "SVC101,nodeport-conflict"`` silences those
  rules for findings on that object (ids, prefixes, names, or ``all``). Annotations survive
  Helm and Kustomize rendering.
* ``# svclint: ignore[SVC201]`` (or a bare ``# svclint: ignore``) at the end of the line a
  finding points at silences it there; ``# svclint: ignore-next-line[SVC201]`` on the line
  before does the same.

A suppression that silences nothing is reported as SVC007 unused-suppression, so stale ones
do not pile up.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from svclint.findings import Location
from svclint.kube.model import K8sObject
from svclint.lint.rule import Rule, RuleContext
from svclint.lint.selection import named_rules, names_rule
from svclint.loading.directives import Directive, parse_names

ANNOTATION = "svclint.io/ignore"


@dataclass
class Suppression:
    """One annotation or comment, and whether it silenced anything."""

    names: tuple[str, ...]
    location: Location
    obj: K8sObject | None = None  # for annotations
    used: bool = False


@dataclass
class Suppressions:
    """Every suppression of a run, looked up by object and by (file, line)."""

    by_object: dict[int, Suppression] = field(default_factory=dict)
    by_line: dict[tuple[str, int], list[Suppression]] = field(default_factory=dict)  # by the line covered

    @classmethod
    def collect(cls, objects: list[K8sObject], comments: dict[str, list[Directive]]) -> Suppressions:
        out = cls()
        for obj in objects:
            value = obj.annotations.get(ANNOTATION)
            if value is not None:
                where = obj.location(("metadata", "annotations", ANNOTATION))
                out.by_object[id(obj)] = Suppression(parse_names(value), where, obj)
        for path, directives in comments.items():
            for line, column, names, covered in directives:
                out.by_line.setdefault((path, covered), []).append(Suppression(names, Location(path, line, column)))
        return out

    def silences(self, rule_id: str, rule_name: str, path: str, line: int, obj: K8sObject | None) -> bool:
        hit = False
        if obj is not None:
            annotation = self.by_object.get(id(obj))
            if annotation is not None and names_rule(annotation.names, rule_id, rule_name):
                annotation.used = True
                hit = True
        for comment in self.by_line.get((path, line), ()):
            if names_rule(comment.names, rule_id, rule_name):
                comment.used = True
                hit = True
        return hit

    def unused(self, rules: Sequence[type[Rule]], enabled_ids: frozenset[str]) -> list[Suppression]:
        """Suppressions that silenced nothing although a rule they name ran, or that name no
        rule of ``rules`` (the catalog)."""
        out = []
        comments = [comment for on_line in self.by_line.values() for comment in on_line]
        for suppression in list(self.by_object.values()) + comments:
            if suppression.used:
                continue
            named: set[str] = set()
            for name in suppression.names:
                named.update(r.id for r in named_rules(name, rules))
            if named & enabled_ids or not named:
                out.append(suppression)
        return sorted(out, key=lambda s: s.location)


@dataclass
class SuppressionContext(RuleContext):
    """What a rule that runs after suppression (``Rule.after_suppression``) sees besides the
    graph: every suppression of the run, each marked with whether it silenced a finding."""

    suppressions: Suppressions = field(default_factory=Suppressions)
    rules: tuple[type[Rule], ...] = ()  # the catalog
    enabled_ids: frozenset[str] = frozenset()  # the rules that ran
    all_rules_ran: bool = True  # False when a rule crashed: the suppressions it would have used are unknown
