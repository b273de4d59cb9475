"""The workspace the language server checks: every file of ``svclint check ROOT``, kept in memory.

The first load is ``api.load_units``, as ``check`` does (config, units, gitignore, the parse
cache). Each plain file's part of its unit's load (objects, problems, comments) is kept on
its own, so an edit re-parses only that file and the unit's load is joined again from the
parts. A unit rendered by kustomize or helm reads its files from disk: it is loaded again
when a file is saved, not while typing.

``check(focus)`` runs the rules of the units holding the focus files and asks only for the
findings located there (``RuleContext.focus``); ``check()`` re-checks everything. The
findings of every unit are kept per file, so a focused run of one unit joins the others'
last findings for that file the way ``check`` merges units.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from svclint.api import load_units, tell_other_units, unused_in_every_unit
from svclint.findings import Finding, RuleCrash
from svclint.kube.graph import ManifestGraph
from svclint.kube.loadparts import LoadParts, join_parts, split_load
from svclint.kube.objects import LoadResult, load_parsed
from svclint.lint.catalog import Catalog
from svclint.lint.engine import LintResult, run
from svclint.loading import units as unit_rules
from svclint.loading.discovery import display_path
from svclint.loading.parsing import parse_bytes, parse_file
from svclint.loading.source import Source
from svclint.parallel import gc_paused
from svclint.routing.model import follow
from svclint.settings import Settings


@dataclass
class FilePart:
    """One plain file's part of its unit's load, and the text it was loaded from (None: disk)."""

    fs_path: str
    path: str  # display path, relative to the workspace root
    load: LoadResult
    text: str | None = None


@dataclass
class UnitState:
    """One deployment unit: its plain files' parts, or its rendered load as a whole."""

    unit: unit_rules.Unit
    files: list[str] = field(default_factory=list)  # fs paths of the plain files, in load order
    rendered: LoadResult | None = None
    extra: LoadResult = field(default_factory=LoadResult)  # what belongs to no one file (kube.loadparts)
    findings: dict[str, list[Finding]] = field(default_factory=dict)  # display path -> last findings
    result: LintResult | None = None  # the last run (its active rules, for SVC007 across units)
    paths: frozenset[str] = frozenset()  # display paths whose findings this unit can hold


class Workspace:
    """The files, units and last findings of one workspace root."""

    def __init__(self, root: str, settings: Settings, catalog: Catalog) -> None:
        self.root = os.path.abspath(root)
        self.settings = settings
        self.catalog = catalog
        self.units: list[UnitState] = []
        self.parts: dict[str, FilePart] = {}  # fs path -> part (plain files)
        self._built: dict[int, tuple[LoadResult, ManifestGraph]] = {}  # id(unit state) -> its load and graph
        self._last: dict[int, ManifestGraph] = {}  # id(unit state) -> its last graph, to build the next from
        self.crashes: list[RuleCrash] = []  # rules that raised since the caller last took them

    # -- loading ------------------------------------------------------------------------------

    def reload(self) -> None:
        """Load everything again as ``svclint check`` does (files added, removed, a save).

        What is loaded lives until the next reload: it is frozen out of the cyclic garbage
        collector's passes (``gc.freeze``), which would otherwise re-scan all of it while
        a check allocates (a second and more per edit at 10k objects)."""
        gc.unfreeze()
        with gc_paused():
            self._reload()
        gc.collect()
        gc.freeze()

    def _reload(self) -> None:
        overrides = {fs: part.text for fs, part in self.parts.items() if part.text is not None}
        targets = list(self.settings.project_paths) or ["."]
        loaded = load_units(targets, self.settings, cwd=self.root)
        self.units, self.parts, self._built, self._last = [], {}, {}, {}
        for unit, result in loaded:
            state = UnitState(unit)
            if unit.rendered or unit.chart:
                state.rendered = result
                state.paths = frozenset(_rendered_paths(result))
            else:
                self._split(state, result)
            self.units.append(state)
        for fs_path, text in overrides.items():
            if fs_path in self.parts:
                self.set_text(fs_path, text)

    def _split(self, state: UnitState, result: LoadResult) -> None:
        """Cut a plain unit's load into one part per file (``kube.loadparts``)."""
        split = split_load(result)
        for path in split.files:
            load = split.parts[path]
            source = load.sources[0]
            fs_path = os.path.abspath(source.fs_path or source.path)
            self.parts[fs_path] = FilePart(fs_path, path, load)
            state.files.append(fs_path)
        state.extra = split.extra
        state.paths = frozenset(split.files)

    def path_of(self, fs_path: str) -> str:
        return display_path(fs_path, self.root)

    def knows(self, fs_path: str) -> bool:
        """A plain file of the workspace (checked as it is typed)."""
        return os.path.abspath(fs_path) in self.parts

    def set_text(self, fs_path: str, text: str | None) -> bool:
        """Load one file again from ``text`` (an editor's buffer) or, with None, from disk.
        False when the file is not one of the workspace's plain files, or nothing changed."""
        fs_path = os.path.abspath(fs_path)
        part = self.parts.get(fs_path)
        if part is None:
            return False
        if text is not None and text == part.text:
            return False
        if text is None:
            parsed = parse_file(fs_path, self.settings.limits)
            source = Source(part.path, fs_path)
        else:
            decoded, parsed = parse_bytes(text.encode("utf-8", "surrogatepass"), self.settings.limits)
            parsed.fs_path = fs_path
            source = Source(part.path, fs_path, _text=decoded)
            source.lossy = parsed.lossy
        source.template_marks = parsed.template_marks
        part.load = load_parsed(source, parsed, self.settings)
        part.text = text
        self._built = {}  # every unit: another unit's SVC501 may name this file's Services
        return True

    def unit_load(self, state: UnitState) -> LoadResult:
        """A unit's load joined from its files' parts, in the order ``load`` reads them."""
        if state.rendered is not None:
            return state.rendered
        parts = [self.parts[fs_path] for fs_path in state.files]
        return join_parts(LoadParts([part.path for part in parts], {part.path: part.load for part in parts}, state.extra))

    # -- checking -----------------------------------------------------------------------------

    def check(self, focus: Iterable[str] | None = None) -> dict[str, list[Finding]]:
        """Findings per display path: of the ``focus`` paths only, or (None) of every file.

        The cyclic garbage collector is paused meanwhile (``parallel.gc_paused``: a check
        allocates much and frees little); the graph of the previous check goes when it runs again."""
        with gc_paused():
            return self._check(focus)

    def _check(self, focus: Iterable[str] | None) -> dict[str, list[Finding]]:
        wanted = frozenset(focus) if focus is not None else None
        states = [
            state for state in self.units
            # a rendered unit changes on reload only; a plain unit without the files holds none of their findings
            if wanted is None or (state.rendered is None and wanted & state.paths)
        ]
        if len(self.units) > 1 and any(key not in self._built for key in map(_key, self.units)):
            tell_other_units([(state.unit.name, *self._joined(state)) for state in self.units])
        # A focused run is short: forking half of the rules off (``--jobs``) costs more than it saves.
        settings = self.settings if wanted is None else replace(self.settings, jobs=1)
        for state in states:
            load, graph = self._joined(state)
            result = run(load, self.catalog, settings, focus=wanted, graph=graph)
            state.result = result
            self.crashes.extend(crash for crash in result.crashes if crash not in self.crashes)
            if wanted is None:
                state.findings = {}
            else:
                for path in wanted:
                    state.findings[path] = []
            for finding in result.findings:
                state.findings.setdefault(finding.location.path, []).append(finding)
        return self.findings(wanted)

    def _joined(self, state: UnitState) -> tuple[LoadResult, ManifestGraph]:
        """The unit's load and graph, built again only after one of its files changed (the
        graph caches the routing model: a second focused run on it does not rebuild that)."""
        built = self._built.get(_key(state))
        if built is None:
            load = self.unit_load(state)
            last = self._last.get(_key(state))
            graph = ManifestGraph(load.objects, self.settings.pod_sources, previous=last)
            if last is not None:
                follow(graph, last)
            built = self._built[_key(state)] = (load, graph)
            self._last[_key(state)] = graph
        return built

    def findings(self, paths: Iterable[str] | None = None) -> dict[str, list[Finding]]:
        """The last findings of ``paths`` (None: every file), merged across units as ``check`` does."""
        if paths is None:
            every: set[str] = set()
            for state in self.units:
                every.update(state.paths)
                every.update(state.findings)
            paths = every
        out = {}
        for path in paths:
            per_unit = [(state.unit.name, state.findings.get(path, [])) for state in self.units]
            if len(self.units) == 1:
                found = list(per_unit[0][1])
            else:
                found = unit_rules.merge_findings(per_unit)
                results = [(state.unit.name, state.result) for state in self.units if state.result is not None]
                found = unused_in_every_unit(found, results)
            found.sort(key=Finding.sort_key)
            out[path] = found
        return out

    def graph_of(self, path: str) -> ManifestGraph | None:
        """The graph of the unit holding ``path`` (hover reads it)."""
        for state in self.units:
            if path in state.paths:
                return self._joined(state)[1]
        return None


def _key(state: UnitState) -> int:
    return id(state)


def _rendered_paths(result: LoadResult) -> set[str]:
    """The files a rendered unit reads, its segments' template files among them."""
    paths = {source.path for source in result.sources}
    for source in result.sources:
        paths.update(segment.path for segment in source.segments)
    return paths
