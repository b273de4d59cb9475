"""The rule catalog: built-in rules, entry-point plugins and declarative rule files.

Nothing registers itself at import time. The catalog is built on request from an explicit
list (``checks.BUILTIN_RULES``), the ``svclint.rules`` entry-point group, and rule
directories, and it answers lookups by id, id prefix (``SVC2``) or name (what an entry
names is decided in ``selection``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from svclint import distributions
from svclint.lint.rule import CatalogError, Rule, validate_rule_class
from svclint.lint.selection import named_rules

if TYPE_CHECKING:
    from importlib import metadata

ENTRY_POINT_GROUP = "svclint.rules"


@dataclass
class Catalog:
    rules: list[type[Rule]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.rules.sort(key=lambda r: r.id)
        self._by_id = {r.id: r for r in self.rules}
        self._by_name = {r.name: r for r in self.rules}

    def add(self, rule: type[Rule]) -> None:
        problems = validate_rule_class(rule)
        if problems:
            raise CatalogError(f"rule {getattr(rule, '__name__', rule)!r}: {'; '.join(problems)}")
        if rule.id in self._by_id and self._by_id[rule.id] is not rule:
            raise CatalogError(f"rule id {rule.id} is defined twice ({self._by_id[rule.id].origin} and {rule.origin})")
        if rule.name in self._by_name and self._by_name[rule.name] is not rule:
            raise CatalogError(f"rule name {rule.name} is used by {self._by_name[rule.name].id} and {rule.id}")
        self.rules.append(rule)
        self.__post_init__()

    def get(self, key: str) -> type[Rule] | None:
        return self._by_id.get(key.upper()) or self._by_name.get(key)

    def matching(self, selector: str) -> list[type[Rule]]:
        """Rules a select/ignore entry names: an id, an id prefix, a name, or ``ALL``."""
        return named_rules(selector, self.rules)

    def is_known_selector(self, selector: str) -> bool:
        return bool(self.matching(selector))

    def __iter__(self) -> Any:
        return iter(self.rules)

    def __len__(self) -> int:
        return len(self.rules)


def _plugin_rules(value: Any, name: str) -> list[type[Rule]]:
    if isinstance(value, type) and issubclass(value, Rule):
        return [value]
    if isinstance(value, Iterable):
        rules = list(value)
        if all(isinstance(r, type) and issubclass(r, Rule) for r in rules):
            return rules
    raise CatalogError(f"plugin entry point {name!r} must name a svclint Rule class or a list of them")


def load_plugins(entry_points: Sequence[metadata.EntryPoint] | None = None) -> list[type[Rule]]:
    """Rules from installed distributions' ``svclint.rules`` entry points, sorted."""
    if entry_points is None:
        if not distributions.has_entry_points(ENTRY_POINT_GROUP):
            return []  # (without importing importlib.metadata: svclint.distributions)
        from importlib import metadata

        entry_points = list(metadata.entry_points(group=ENTRY_POINT_GROUP))
    rules: list[type[Rule]] = []
    for entry_point in sorted(entry_points, key=lambda e: e.name):
        try:
            loaded = entry_point.load()
        except Exception as error:  # a broken plugin must name itself, not crash svclint
            raise CatalogError(f"cannot load plugin {entry_point.name!r} ({entry_point.value}): {error}") from error
        dist = getattr(entry_point, "dist", None)
        origin = f"plugin:{dist.name}" if dist is not None else f"plugin:{entry_point.name}"
        for rule in _plugin_rules(loaded, entry_point.name):
            if rule.origin == "builtin":
                rule.origin = origin
            rules.append(rule)
    return rules


def build_catalog(
    plugins: bool = True,
    rule_dirs: Sequence[str] = (),
    entry_points: Sequence[metadata.EntryPoint] | None = None,
) -> Catalog:
    """Built-ins, then plugins, then declarative rule files; errors raise CatalogError."""
    from svclint.lint.checks import BUILTIN_RULES
    from svclint.lint.declarative import load_rule_dirs

    catalog = Catalog(list(BUILTIN_RULES))
    if plugins:
        for rule in load_plugins(entry_points):
            catalog.add(rule)
    for rule in load_rule_dirs(rule_dirs):
        catalog.add(rule)
    return catalog


class DeferredCatalog(Catalog):
    """``build_catalog(plugins, rule_dirs)``, built when it is first used.

    A run that reprints a recorded report (``lint.rerun``) never uses its rules: importing
    every rule module and validating the rule files was a fifth of such a run. The run key
    is computed from what the catalog is built from instead (``rerun``: the built-in rule
    files, ``rule_dirs``, the plugins' entry points), which is why ``build`` must return
    exactly that catalog; it may also check it (the CLI checks the config's rule entries
    and SVC004's set-up) and raise.
    """

    def __init__(self, plugins: bool, rule_dirs: Sequence[str], build: Callable[[], Catalog] | None = None) -> None:
        self.plugins = plugins
        self.rule_dirs = tuple(rule_dirs)
        self._build = build or (lambda: build_catalog(plugins, rule_dirs))
        self.built = False

    def __getattr__(self, name: str) -> Any:
        """Only reached while the catalog is not built (its lists are not set yet)."""
        if name in ("rules", "_by_id", "_by_name") and not self.built:
            self.settle()
            return getattr(self, name)
        raise AttributeError(name)

    def __bool__(self) -> bool:  # (``catalog or build_catalog(...)`` must not build it)
        return True

    def settle(self) -> None:
        """Build the catalog now (raising what building or checking it raises)."""
        if not self.built:
            catalog = self._build()
            self.rules, self._by_id, self._by_name = catalog.rules, catalog._by_id, catalog._by_name
            self.built = True
