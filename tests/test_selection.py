"""Selection: how an entry names a rule, which rules run, what a suppression covers."""

from __future__ import annotations

from typing import Any

import pytest

from svclint.findings import Severity
from svclint.lint.catalog import Catalog
from svclint.lint.rule import Option, Rule
from svclint.lint.selection import (
    Naming,
    decide,
    named_rules,
    names_all,
    names_rule,
    naming,
    specificity,
)
from svclint.settings import Settings


def _rule(rule_id: str, rule_name: str, on: bool = True, **extra: Any) -> type[Rule]:
    attrs = {"id": rule_id, "name": rule_name, "summary": "A rule", "severity": Severity.WARNING}
    return type(rule_id, (Rule,), {**attrs, "enabled_by_default": on, **extra})


SELECTS_NOTHING = _rule("SVC101", "service-selects-nothing", options=(Option("depth", int, 3, "How deep"),))
WITHOUT_ENDPOINTS = _rule("SVC102", "service-without-endpoints")
MULTIPLE = _rule("SVC109", "service-selects-multiple-workloads", on=False)
NODEPORT = _rule("SVC201", "nodeport-out-of-range", severity=Severity.ERROR)
LOOKALIKE = _rule("ACME001", "svc101")  # a plugin whose name is another rule's id, lower-cased
RULES = [SELECTS_NOTHING, WITHOUT_ENDPOINTS, MULTIPLE, NODEPORT, LOOKALIKE]


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ("ALL", Naming.ALL),
        ("all", Naming.ALL),
        ("aLl", Naming.ALL),
        ("SVC101", Naming.ID),
        ("svc101", Naming.ID),
        ("service-selects-nothing", Naming.NAME),
        ("Service-Selects-Nothing", None),  # names are case-sensitive
        ("SVC1", Naming.PREFIX),
        ("svc10", Naming.PREFIX),
        ("SVC", Naming.PREFIX),
        ("", Naming.PREFIX),  # the empty prefix
        ("SVC2", None),
        ("SVC1011", None),
        ("service-selects", None),  # no name prefixes
    ],
)
def test_naming(entry: str, expected: Naming | None) -> None:
    assert naming(entry, "SVC101", "service-selects-nothing") is expected


@pytest.mark.parametrize(
    ("entry", "expected"),
    [("ALL", 0), ("", 0), ("S", 1), ("SVC1", 4), ("svc10", 5), ("SVC101", 100), ("service-selects-nothing", 100), ("SVC2", None)],
)
def test_specificity_orders_all_then_longer_prefixes_then_exact(entry: str, expected: int | None) -> None:
    assert specificity(entry, "SVC101", "service-selects-nothing") == expected


@pytest.mark.parametrize(("entry", "expected"), [("ALL", True), ("all", True), ("All", True), ("al", False), ("ALL,", False)])
def test_names_all(entry: str, expected: bool) -> None:
    assert names_all(entry) is expected


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (("all",), True),
        (("SVC1",), True),
        (("svc1",), True),
        (("SVC2", "service-selects-nothing"), True),
        (("SVC2", "nodeport-out-of-range"), False),
        ((), False),
    ],
)
def test_suppression_names(names: tuple[str, ...], expected: bool) -> None:
    assert names_rule(names, "SVC101", "service-selects-nothing") is expected


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ("ALL", ["SVC101", "SVC102", "SVC109", "SVC201", "ACME001"]),
        ("SVC1", ["SVC101", "SVC102", "SVC109"]),
        ("svc10", ["SVC101", "SVC102", "SVC109"]),
        ("SVC109", ["SVC109"]),
        ("nodeport-out-of-range", ["SVC201"]),
        ("svc101", ["SVC101"]),  # an exact id wins over a rule of that name
        ("SVC9", []),
        ("nodeport", []),
        ("", ["SVC101", "SVC102", "SVC109", "SVC201", "ACME001"]),
    ],
)
def test_named_rules(entry: str, expected: list[str]) -> None:
    assert [r.id for r in named_rules(entry, RULES)] == expected


def test_catalog_matching_is_named_rules_in_catalog_order() -> None:
    catalog = Catalog(list(RULES))
    assert [r.id for r in catalog.matching("ALL")] == ["ACME001", "SVC101", "SVC102", "SVC109", "SVC201"]
    assert catalog.is_known_selector("SVC2") and not catalog.is_known_selector("SVC3")


def _active(**settings: Any) -> list[str]:
    return [a.rule.id for a in decide(RULES, Settings(**settings))]


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({}, ["SVC101", "SVC102", "SVC201", "ACME001"]),
        ({"select": ("SVC1",)}, ["SVC101", "SVC102"]),  # a prefix does not turn on SVC109
        ({"select": ("SVC109",)}, ["SVC109"]),
        ({"select": ("service-selects-multiple-workloads",)}, ["SVC109"]),
        ({"select": ("ALL",)}, ["SVC101", "SVC102", "SVC109", "SVC201", "ACME001"]),
        ({"select": ("",)}, ["SVC101", "SVC102", "SVC109", "SVC201", "ACME001"]),  # the empty entry is as broad as ALL
        ({"extend_select": ("SVC109",)}, ["SVC101", "SVC102", "SVC109", "SVC201", "ACME001"]),
        ({"extend_select": ("SVC10",)}, ["SVC101", "SVC102", "SVC201", "ACME001"]),
        ({"select": (), "extend_select": ("SVC2",)}, ["SVC201"]),
        ({"ignore": ("SVC1",)}, ["SVC201", "ACME001"]),
        ({"select": ("SVC101",), "ignore": ("SVC1",)}, ["SVC101"]),  # the longer entry wins
        ({"select": ("SVC1",), "ignore": ("SVC101",)}, ["SVC102"]),
        ({"select": ("SVC10",), "ignore": ("SVC10",)}, []),  # a tie ignores
        ({"ignore": ("ALL",), "extend_select": ("service-selects-nothing",)}, ["SVC101"]),
        ({"select": ("svc101",)}, ["SVC101", "ACME001"]),  # SVC101 by id, ACME001 by name
        ({"rule_config": {"SVC101": {"enabled": False}}}, ["SVC102", "SVC201", "ACME001"]),
        ({"ignore": ("ALL",), "rule_config": {"nodeport-out-of-range": {"enabled": True}}}, ["SVC201"]),
        ({"rule_config": {"SVC109": {"enabled": True}}}, ["SVC101", "SVC102", "SVC109", "SVC201", "ACME001"]),
        # An empty entry under the id falls back to the one under the name.
        ({"rule_config": {"SVC101": {}, "service-selects-nothing": {"enabled": False}}}, ["SVC102", "SVC201", "ACME001"]),
    ],
)
def test_decide_which_rules_run(settings: dict[str, Any], expected: list[str]) -> None:
    assert _active(**settings) == expected


def test_decide_severity_and_options() -> None:
    config = {"SVC101": {"severity": "note", "depth": 5, "enabled": True}}
    (selects_nothing, nodeport) = decide(RULES, Settings(select=("SVC101", "SVC201"), rule_config=config))
    assert (selects_nothing.severity, selects_nothing.options) == (Severity.NOTE, {"depth": 5})
    assert (nodeport.severity, nodeport.options) == (Severity.ERROR, {})
    (default,) = decide(RULES, Settings(select=("SVC101",)))
    assert (default.severity, default.options) == (Severity.WARNING, {"depth": 3})
