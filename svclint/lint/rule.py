"""The rule plugin API: what a rule declares, what it receives, what it yields.

A rule is a class with metadata and a ``check(ctx)`` generator. It never sets its own id
or severity on a finding: the engine stamps both from the catalog and the configuration
(the yamllint model), so users can change a severity without touching rule code.

Third-party packages expose rules through the ``svclint.rules`` entry-point group; an entry
point may name a Rule subclass or an iterable of them.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, TypeAlias

from svclint.findings import Location, Severity
from svclint.kube.model import K8sObject, PodTemplate
from svclint.lint.examples import example_sections
from svclint.loading.source import FieldPath, format_field_path, parse_field_path

if TYPE_CHECKING:
    from svclint.kube.graph import ManifestGraph
    from svclint.kube.objects import LoadResult
    from svclint.settings import Settings

RULE_ID = re.compile(r"^[A-Z]{2,5}\d{3}$")
RULE_NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
DOC_SECTIONS = ("What it does", "Why is this bad?", "Example", "Use instead")


class CatalogError(Exception):
    """A plugin or rule file that cannot be loaded; the message names it."""


@dataclass(frozen=True)
class Option:
    """A typed rule option, settable under ``rules: {ID: {name: value}}`` in the config."""

    name: str
    type: type
    default: Any
    help: str

    def coerce(self, value: Any) -> Any:
        if self.type is list:
            if not isinstance(value, list):
                raise ValueError(f"option {self.name!r} must be a list")
            return value
        if self.type is bool:
            if not isinstance(value, bool):
                raise ValueError(f"option {self.name!r} must be true or false")
            return value
        if self.type is int:
            if not isinstance(value, int) or isinstance(value, bool):
                raise ValueError(f"option {self.name!r} must be an integer")
            return value
        if not isinstance(value, self.type):
            raise ValueError(f"option {self.name!r} must be of type {self.type.__name__}")
        return value


@dataclass(frozen=True)
class Related:
    """Another place involved in a finding (the other Service of a nodePort conflict)."""

    message: str
    obj: K8sObject | None = None
    at: str | FieldPath = ()
    location: Location | None = None

    def resolve(self) -> Location:
        if self.location is not None:
            return self.location
        assert self.obj is not None, "Related needs an object or a location"
        return self.obj.location(self.at)


@dataclass(frozen=True)
class Replacement:
    """A did-you-mean an editor can apply: at field ``at`` of the object, ``old`` becomes
    ``new``; ``key``: the text is the field's key (a misspelt field name), else its value."""

    at: FieldPath
    old: str
    new: str
    key: bool = False


@dataclass(frozen=True)
class Violation:
    """What a rule yields: a message at a field of an object (or at an explicit location)."""

    message: str
    obj: K8sObject | None = None
    at: str | FieldPath = ()
    location: Location | None = None
    related: tuple[Related, ...] = ()
    # The input may not hold the whole answer (an unmodelled custom resource may create the
    # pods): the finding is reported as a note whatever the rule's severity.
    uncertain: bool = False
    fix: Replacement | None = None  # the did-you-mean as an edit (the language server offers it)

    @property
    def field_path(self) -> str:
        return self.at if isinstance(self.at, str) else format_field_path(self.at)


@dataclass
class RuleContext:
    """What a rule sees: the whole graph, the load result, settings and its own options."""

    graph: ManifestGraph
    load: LoadResult
    settings: Settings
    options: Mapping[str, Any] = field(default_factory=dict)
    # The display paths whose findings are wanted (the language server: the edited file), or
    # None for all. A rule may skip subjects outside it (``focused``); the engine drops the
    # findings located elsewhere, so a rule that ignores the focus is still right, only slower.
    focus: frozenset[str] | None = None
    _ids: set[int] | None = field(default=None, init=False, repr=False, compare=False)  # in_focus's, once per context

    def in_focus(self, obj: K8sObject) -> bool:
        """Whether findings at ``obj`` can land in the focus (a rendered object: it may)."""
        if self.focus is None:
            return True
        if self._ids is None:
            self._ids = self._focused_ids()
        return id(obj) in self._ids

    def focused(self, objects: Iterable[K8sObject]) -> Iterable[K8sObject]:
        """``objects`` less those whose findings cannot land in the focus."""
        if self.focus is None:
            return objects
        ids = self._focused_ids()
        return [obj for obj in objects if id(obj) in ids]

    def focused_kind(self, *kinds: str) -> Iterable[K8sObject]:
        """``focused(graph.of_kind(*kinds))``, taken from the few objects in focus rather than
        by testing every object of the kinds (the language server asks on every edit)."""
        if self.focus is None:
            return self.graph.of_kind(*kinds)
        by_kind = self._focus_index()[1]
        return [obj for kind in kinds for obj in by_kind.get(kind, ())]

    def _focused_ids(self) -> set[int]:
        return self._focus_index()[0]

    def _focus_index(self) -> tuple[set[int], dict[str, list[K8sObject]]]:
        """The objects of the graph in focus (their ids, and by kind in graph order), worked out
        once per graph and focus (every rule asks) from the graph's objects by file: a replay's
        rules ask with a different focus each, a few files of thousands."""
        cached: tuple[frozenset[str] | None, set[int], dict[str, list[K8sObject]]] | None = getattr(
            self.graph, "_focused_ids", None
        )
        if cached is None or cached[0] != self.focus:
            by_file, anywhere = _objects_by_file(self.graph)
            focus = self.focus or frozenset()
            found = sorted(
                (*anywhere, *(entry for path in focus for entry in by_file.get(path, ()))), key=lambda entry: entry[0]
            )
            by_kind: dict[str, list[K8sObject]] = {}
            for _, obj in found:
                by_kind.setdefault(obj.kind, []).append(obj)
            cached = (self.focus, {id(obj) for _, obj in found}, by_kind)
            self.graph._focused_ids = cached  # type: ignore[attr-defined]
        return cached[1], cached[2]

    def report(
        self,
        message: str,
        obj: K8sObject | PodTemplate | None = None,
        at: str | FieldPath = (),
        related: Iterable[Related] = (),
        location: Location | None = None,
        uncertain: bool = False,
        fix: Replacement | None = None,
    ) -> Violation:
        """Build a Violation; a PodTemplate's ``at`` is relative to the template."""
        if isinstance(obj, PodTemplate):
            parts = parse_field_path(at) if isinstance(at, str) else at
            return Violation(message, obj.owner, obj.path + parts, location, tuple(related), uncertain, fix)
        return Violation(message, obj, at, location, tuple(related), uncertain, fix)


class Rule:
    """Base class of every rule. Subclasses set the metadata and implement ``check``.

    The class docstring is the rule's documentation, in Markdown, with the sections
    ``## What it does``, ``## Why is this bad?``, ``## Example`` and ``## Use instead``.
    svclint's own rules leave out the last two: ``documentation()`` adds them from the
    rule's ``fixtures/rules/<ID>/bad.yaml`` and ``good.yaml``.
    """

    id: ClassVar[str]
    name: ClassVar[str]
    summary: ClassVar[str]
    severity: ClassVar[Severity]
    enabled_by_default: ClassVar[bool] = True
    options: ClassVar[tuple[Option, ...]] = ()
    tags: ClassVar[tuple[str, ...]] = ()
    origin: ClassVar[str] = "builtin"  # builtin, plugin:<dist>, or the declarative file
    # True: runs once the other rules' findings are suppressed, with a SuppressionContext
    # (lint.suppress) that tells which suppressions were used; its findings are not suppressed.
    after_suppression: ClassVar[bool] = False
    # True: each finding depends only on one object, its own file and the settings (never on
    # other objects), so a run with a cache runs the rule only on files that changed and
    # keeps the rest (lint/perobject.py). ``shared_inputs`` names anything else it reads.
    per_object: ClassVar[bool] = False
    # True: a finding in a file depends only on that file, on the objects of the namespaces
    # the file's objects are in, and elsewhere at most on which
    # objects exist (kind, group, namespace, name) and where: never on other namespaces'
    # content, a cluster-scoped object or the run's other units. A cached run after a change
    # re-checks only the files sharing a namespace with the changed ones (lint/replay.py).
    namespaced: ClassVar[bool] = False

    def check(self, ctx: RuleContext) -> Iterable[Violation]:
        raise NotImplementedError

    @classmethod
    def shared_inputs(cls, ctx: RuleContext) -> object:
        """For a ``per_object`` rule: what else of the run its findings depend on (a repr-able
        value; kept results are used only while it is the same)."""
        return None

    @classmethod
    def affected_files(
        cls,
        before: ManifestGraph,
        after: ManifestGraph,
        changed_before: Sequence[K8sObject],
        changed_after: Sequence[K8sObject],
        settings: Settings,
    ) -> frozenset[str] | None:
        """For a rule neither ``per_object`` nor ``namespaced``: the files (display paths) whose
        findings may differ between a check of ``before`` and one of ``after``, whose objects
        differ by ``changed_before`` (gone) and ``changed_after`` (new); a cached run re-checks
        only those (lint/replay.py). None, the default: every file."""
        return None

    @classmethod
    def documentation(cls) -> str:
        """The docstring; svclint's own rules add their Example and Use instead from their fixtures."""
        doc = inspect.cleandoc(cls.__doc__ or "")
        if is_bundled(cls):
            doc += example_sections(cls.id)
        return doc

    @classmethod
    def default_options(cls) -> dict[str, Any]:
        return {o.name: o.default for o in cls.options}


def is_bundled(rule: type[Rule]) -> bool:
    """svclint's own rule: built in, or one of the rule files shipped in ``rules/``."""
    return rule.origin == "builtin" or rule.origin.startswith("rules/")


def validate_rule_class(rule: type[Rule]) -> list[str]:
    """Problems with a rule's metadata (used for plugins and by the catalog test)."""
    problems = []
    for attr in ("id", "name", "summary", "severity"):
        if not hasattr(rule, attr):
            problems.append(f"missing {attr}")
    if problems:
        return problems
    if not RULE_ID.match(rule.id):
        problems.append(f"id {rule.id!r} must look like SVC123")
    if not RULE_NAME.match(rule.name):
        problems.append(f"name {rule.name!r} must be kebab-case")
    if not isinstance(rule.severity, Severity):
        problems.append("severity must be a Severity")
    return problems


Placed: TypeAlias = "list[tuple[int, K8sObject]]"  # objects with their index in the graph


def _objects_by_file(graph: ManifestGraph) -> tuple[dict[str, Placed], Placed]:
    """The graph's plain objects by display path, and those a finding may land anywhere from
    (rendered: their findings may be located in a template), each with its graph index."""
    cached: tuple[dict[str, Placed], Placed] | None = getattr(graph, "_objects_by_file", None)
    if cached is None:
        by_file: dict[str, Placed] = {}
        anywhere: Placed = []
        for index, obj in enumerate(graph.objects):
            if obj.attribution is not None or obj.source.segments:
                anywhere.append((index, obj))
            else:
                by_file.setdefault(obj.source.path, []).append((index, obj))
        cached = (by_file, anywhere)
        graph._objects_by_file = cached  # type: ignore[attr-defined]
    return cached
