"""The rule catalog for `svclint rules`: one line per rule, or JSON for tools."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from svclint.findings import RuleInfo


def rule_to_dict(rule: RuleInfo) -> dict[str, Any]:
    return {
        "id": rule.id,
        "name": rule.name,
        "summary": rule.summary,
        "severity": str(rule.severity),
        "enabled_by_default": rule.enabled_by_default,
        "origin": rule.origin,
        "tags": list(rule.tags),
        "options": [{"name": o.name, "type": o.type, "default": o.default, "help": o.help} for o in rule.options],
        "documentation": rule.documentation,
    }


def format_rules_json(rules: Sequence[RuleInfo]) -> str:
    return json.dumps([rule_to_dict(rule) for rule in rules], indent=2) + "\n"


def format_rule_list(rules: Sequence[RuleInfo]) -> str:
    """``SVC101  service-selects-nothing  error    summary``, names padded to one column."""
    width = max(len(rule.name) for rule in rules)
    lines = []
    for rule in rules:
        default = "" if rule.enabled_by_default else " (off by default)"
        lines.append(f"{rule.id}  {rule.name:<{width}}  {str(rule.severity):<7}  {rule.summary}{default}")
    return "".join(line + "\n" for line in lines)
