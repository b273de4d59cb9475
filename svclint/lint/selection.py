"""Which rules a selector names, which rules run, which rules a suppression covers.

One vocabulary for every place a user names rules: ``select``/``ignore`` entries, the
config's rule selectors, ``svclint.io/ignore`` annotations and ``# svclint: ignore[...]``
comments. An entry names a rule by its id or its name (exactly), by an id prefix (``SVC2``),
or names every rule (``ALL``); ids, prefixes and ``ALL`` are case-insensitive, names are not.

Selection follows flake8: ``select`` (or the rules enabled by default) and ``ignore`` take
such entries; when a rule matches both, the more specific entry wins (``ALL`` least, then the
longer prefix, an exact id or name most); ``rules: {ID: {enabled: ...}}`` in the config has
the last word. A rule that is off by default is turned on only by naming it (its id, its
name, or ``ALL``), never by a prefix.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from svclint.findings import Severity
from svclint.lint.rule import Rule
from svclint.settings import Settings


class Naming(enum.Enum):
    """How an entry names a rule."""

    ALL = "all"
    ID = "id"
    NAME = "name"
    PREFIX = "prefix"


def names_all(entry: str) -> bool:
    """Whether ``entry`` is ``ALL`` (in any case), which names every rule, known or not."""
    return entry.upper() == "ALL"


def naming(entry: str, rule_id: str, rule_name: str) -> Naming | None:
    """How ``entry`` names the rule ``rule_id``/``rule_name`` (None: it does not)."""
    if names_all(entry):
        return Naming.ALL
    key = entry.upper()
    if key == rule_id:
        return Naming.ID
    if entry == rule_name:
        return Naming.NAME
    if rule_id.startswith(key):
        return Naming.PREFIX
    return None


ALL_SPECIFICITY = 0
EXACT_SPECIFICITY = 100  # above any id prefix (ids are at most 8 characters)


def specificity(entry: str, rule_id: str, rule_name: str) -> int | None:
    """How specifically ``entry`` names the rule, for flake8's "the more specific wins"."""
    how = naming(entry, rule_id, rule_name)
    if how is None:
        return None
    if how is Naming.ALL:
        return ALL_SPECIFICITY
    if how is Naming.PREFIX:
        return len(entry)
    return EXACT_SPECIFICITY


def names_rule(names: Iterable[str], rule_id: str, rule_name: str) -> bool:
    """Whether any of ``names`` (a suppression's) names the rule."""
    return any(naming(name, rule_id, rule_name) is not None for name in names)


def named_rules(entry: str, rules: Iterable[type[Rule]]) -> list[type[Rule]]:
    """The rules one entry stands for, on its own: every rule for ``ALL``; the rule with
    exactly that id, else the rule with exactly that name; else those with that id prefix.

    An empty list means the entry names no rule (a typo, reported as such).
    """
    by_name: type[Rule] | None = None
    matched: list[type[Rule]] = []
    for rule in rules:
        how = naming(entry, rule.id, rule.name)
        if how is Naming.ID:
            return [rule]
        if how is Naming.NAME:
            if by_name is None:
                by_name = rule
        elif how is not None:
            matched.append(rule)
    return [by_name] if by_name is not None else matched


@dataclass(frozen=True)
class ActiveRule:
    """A rule that runs, with the severity and options the configuration gives it."""

    rule: type[Rule]
    severity: Severity
    options: dict[str, Any]


def _selected(rule: type[Rule], settings: Settings) -> bool:
    best_select = ALL_SPECIFICITY if settings.select is None and rule.enabled_by_default else -1
    for entry in (settings.select or ()) + settings.extend_select:
        spec = specificity(entry, rule.id, rule.name)
        if spec is None:
            continue
        # Off by default: only ALL or an exact id or name (an empty entry counts as ALL).
        if not rule.enabled_by_default and spec not in (ALL_SPECIFICITY, EXACT_SPECIFICITY):
            continue
        best_select = max(best_select, spec)
    best_ignore = -1
    for entry in settings.ignore:
        spec = specificity(entry, rule.id, rule.name)
        if spec is not None:
            best_ignore = max(best_ignore, spec)
    return best_select >= 0 and best_select > best_ignore


def decide(rules: Iterable[type[Rule]], settings: Settings) -> list[ActiveRule]:
    """The rules that run (in the catalog's order), each with its severity and options."""
    active = []
    for rule in rules:
        enabled = _selected(rule, settings)
        entry = settings.rule_config.get(rule.id) or settings.rule_config.get(rule.name) or {}
        if "enabled" in entry:
            enabled = bool(entry["enabled"])
        if not enabled:
            continue
        severity = Severity.parse(entry["severity"]) if "severity" in entry else rule.severity
        options = rule.default_options()
        options.update({k: v for k, v in entry.items() if k not in ("severity", "enabled")})
        active.append(ActiveRule(rule, severity, options))
    return active
