"""The library entry points: return data, never print or exit."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from svclint.findings import Finding, LintReport
from svclint.kube.graph import ManifestGraph
from svclint.kube.objects import LoadResult, load
from svclint.lint import replay, rerun
from svclint.lint.catalog import Catalog, build_catalog
from svclint.lint.engine import LintResult, run
from svclint.lint.report_data import build_report
from svclint.lint.selection import decide
from svclint.loading import units as unit_rules
from svclint.loading.discovery import Skipped, discover, display_path
from svclint.loading.gitignore import work_tree
from svclint.loading.loader import SkippedInput, skipped_input
from svclint.loading.render import RenderError, helm, kustomize
from svclint.parallel import gc_paused
from svclint.settings import Settings

if TYPE_CHECKING:  # the routing package is imported only when asked for
    from svclint.routing.model import RoutingModel


@gc_paused()
def lint_paths(
    paths: Sequence[str],
    settings: Settings | None = None,
    *,
    stdin_bytes: bytes | None = None,
    report_only: Sequence[str] | None = None,
    catalog: Catalog | None = None,
    cwd: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> LintResult:
    """Load ``paths``, find its deployment units (``loading.units``) and run the enabled rules
    on each unit's graph; findings several units share are reported once, naming them.

    ``report_only`` (display paths) keeps only findings located in those files while the
    graph is still built from every path: that is how the pre-commit hook stays right when
    it is given a few changed files.

    ``progress`` is told what is being read and checked (the CLI shows it on a terminal).

    The cyclic garbage collector is paused for the call (``parallel.gc_paused``): loading and
    checking only build one large acyclic structure, which collection passes would re-scan.
    """
    return _lint_units(
        paths, settings, stdin_bytes=stdin_bytes, report_only=report_only, catalog=catalog, cwd=cwd, progress=progress
    )[0]


def _lint_units(
    paths: Sequence[str],
    settings: Settings | None = None,
    *,
    stdin_bytes: bytes | None = None,
    report_only: Sequence[str] | None = None,
    catalog: Catalog | None = None,
    cwd: str | None = None,
    prepare: Callable[[ManifestGraph], object] | None = None,
    progress: Callable[[str], None] | None = None,
    discovered: tuple[list[str], Skipped] | None = None,
    keeper: replay.Keeper | None = None,
) -> tuple[LintResult, list[tuple[str, LintResult]]]:
    """``lint_paths``, with each unit's own result (its graph) beside the combined one;
    ``keeper`` takes the findings of a run of one unit for the next (``lint.replay``)."""
    settings = settings or Settings()
    catalog = catalog or build_catalog(settings.plugins, settings.rule_dirs)
    tell = progress or _quiet
    loaded = load_units(paths, settings, stdin_bytes=stdin_bytes, cwd=cwd or os.getcwd(), progress=tell, discovered=discovered)
    rules = len(decide(catalog, settings)) if progress else 0
    if len(loaded) == 1 and not settings.only_units:
        tell(f"checking {len(loaded[0][1].objects):,} objects with {rules} rules")
        only = run(loaded[0][1], catalog, settings, report_only, prepare, keeper=keeper)
        return only, [(loaded[0][0].name, only)]
    graphs = [ManifestGraph(result.objects, settings.pod_sources) for _, result in loaded]
    tell_other_units([(unit.name, result, graph) for (unit, result), graph in zip(loaded, graphs)])
    results = []
    for number, ((unit, result), graph) in enumerate(zip(loaded, graphs), 1):
        tell(f"checking unit {number}/{len(loaded)} ({len(result.objects):,} objects, {rules} rules)")
        results.append((unit.name, run(result, catalog, settings, report_only, prepare, graph=graph)))
    findings = unit_rules.merge_findings([(name, result.findings) for name, result in results])
    findings = unused_in_every_unit(findings, results)
    findings.sort(key=lambda f: f.sort_key())
    combined = _combined([result.load for _, result in results])
    crashes = list({crash.rule_id: crash for _, result in results for crash in result.crashes}.values())
    active = results[0][1].active if results else []
    return LintResult(
        findings, combined, ManifestGraph(combined.objects, settings.pod_sources), active, catalog, crashes,
        sum(result.suppressed for _, result in results),
    ), results


def tell_other_units(units: list[tuple[str, LoadResult, ManifestGraph]]) -> None:
    """Tell each unit's load (by name, with its graph) which Services and pod templates only
    other units hold, and the labels of the charts and kustomizations they could not render:
    a unit of Services alone may be applied with another's workloads (lint/checks/otherunits.py)."""
    defined: dict[tuple[str, str], list[str]] = {}
    pods: list[tuple[str, str, dict[str, str]]] = []
    for name, _load, graph in units:
        for service in graph.of_kind("Service"):
            defined.setdefault((service.namespace or "", service.name), []).append(name)
        pods.extend((name, t.namespace or "", t.labels) for t in graph.pod_templates)
    for name, result, _ in units:
        result.elsewhere = {key: names[0] for key, names in defined.items() if name not in names}
        result.pods_elsewhere = [entry for entry in pods if entry[0] != name]
        result.unrendered_elsewhere = [entry for other, load, _ in units if other != name for entry in load.unrendered]


def unused_in_every_unit(findings: list[Finding], results: list[tuple[str, LintResult]]) -> list[Finding]:
    """A rule that judges suppressions (SVC007) speaks of a file, not a graph: a suppression
    used in one unit holding the file is used; keep its finding only if every unit said so."""
    after = {entry.rule.id for _, result in results for entry in result.active if entry.rule.after_suppression}
    if not after:
        return findings
    holding: dict[str, set[str]] = {}
    for name, result in results:
        for source in result.load.sources:
            holding.setdefault(source.path, set()).add(name)
    return [f for f in findings if f.rule_id not in after or holding.get(f.location.path, set()) <= set(f.units)]


def _quiet(status: str) -> None:
    """The progress callback when nobody listens."""


def load_units(
    paths: Sequence[str],
    settings: Settings,
    *,
    stdin_bytes: bytes | None = None,
    cwd: str | None = None,
    progress: Callable[[str], None] = _quiet,
    discovered: tuple[list[str], Skipped] | None = None,
) -> list[tuple[unit_rules.Unit, LoadResult]]:
    """Each deployment unit of ``paths`` with what it loads (``loading.units`` has the rule).

    Plain files are parsed once and shared out; a kustomization, a chart or stdin is loaded
    on its own. ``settings.only_units`` keeps the units ``--unit`` names (UnitError if one
    is unknown). ``discovered``: ``discover_inputs``' answer, when the caller already has it.
    """
    cwd = cwd or os.getcwd()
    inputs, skipped = discovered or discover_inputs(paths, settings, cwd)
    progress(f"reading {len(inputs):,} files")
    shown = {i: display_path(i, cwd) if i != "-" else "-" for i in inputs}
    units: list[unit_rules.Unit] = []
    rest = inputs
    if settings.units:
        config_root = os.path.dirname(settings.config_path) if settings.config_path else cwd
        relative = {i: display_path(i, config_root) if i != "-" else "-" for i in inputs}
        units, rest = unit_rules.configured_units(inputs, settings.units, relative)
    rendered = [i for i in rest if i == "-" or os.path.isdir(i)]
    units += [unit_rules.Unit(shown[i], (i,), rendered=True) for i in rendered]
    units += [unit_rules.Unit(display_path(c, cwd), (), rendered=True, chart=c) for c in settings.helm_charts]
    # Files named on the command line are one unit, unless a directory of the run holds them
    # (the pre-commit hook names the changed files next to the project's paths).
    walked_dirs = tuple(os.path.realpath(p) + os.sep for p in paths if p != "-" and os.path.isdir(p))
    named = {
        real
        for p in paths
        if p != "-" and os.path.isfile(p) and not (real := os.path.realpath(p)).startswith(walked_dirs)
    }
    plain = [i for i in rest if i not in rendered]
    explicit = [i for i in plain if os.path.realpath(i) in named] if named else []
    walked = [i for i in plain if os.path.realpath(i) not in named] if named else plain
    if explicit:
        units.append(unit_rules.Unit(_files_name(explicit, shown, cwd), tuple(explicit)))
    loaded: list[tuple[unit_rules.Unit, LoadResult]] = []
    if walked:
        plain_load = load(walked, replace(settings, helm_charts=()), cwd=cwd, discovered=True)
        identities = _identities(plain_load)
        separate = _gitops_directories(plain_load, cwd)
        split = unit_rules.split_plain([shown[i] for i in walked], identities, separate)
        by_shown = {shown[i]: i for i in walked}
        if len(split) == 1:
            loaded.append((unit_rules.Unit(split[0][0], tuple(walked)), plain_load))
        else:
            for name, members in split:
                loaded.append((unit_rules.Unit(name, tuple(by_shown[m] for m in members)), _subset(plain_load, set(members))))
            loaded[0][1].skipped_documents = plain_load.skipped_documents  # counted once, not per file
    chosen = unit_rules.choose([*units, *(unit for unit, _ in loaded)], settings.only_units)
    kept = {unit.name for unit in chosen}
    result = [(unit, r) for unit, r in loaded if unit.name in kept]
    for unit in units:
        if unit.name not in kept:
            continue
        unit_settings = replace(settings, helm_charts=(unit.chart,) if unit.chart else ())
        progress(f"rendering {unit.name}")
        result.append((unit, load(list(unit.inputs), unit_settings, stdin_bytes=stdin_bytes, cwd=cwd)))
    if not result:  # nothing at all: one empty unit, so the report says so
        result.append((unit_rules.Unit(".", ()), load([], replace(settings, helm_charts=()), cwd=cwd)))
    result.sort(key=lambda item: item[0].name)
    problems, notes = skipped_input(skipped)  # said once, by the first unit
    result[0][1].problems.extend(problems)
    result[0][1].notes.extend(notes)
    return result


def discover_inputs(paths: Sequence[str], settings: Settings, cwd: str) -> tuple[list[str], Skipped]:
    """The files and directories a run reads, and what discovery skipped."""
    skipped = Skipped()
    inputs = discover(
        paths, settings.exclude, cwd, settings.exclude_root, settings.cli_exclude, skipped, settings.follow_symlinks,
        gitignore=settings.gitignore,
    ) if paths else []
    return inputs, skipped


def _identities(result: LoadResult) -> dict[str, dict[unit_rules.Identity, str]]:
    """What each file defines, with a digest of each object defined in several files."""
    files_of: dict[unit_rules.Identity, set[str]] = {}
    for obj in result.objects:
        files_of.setdefault((obj.kind, obj.namespace, obj.name), set()).add(obj.source.path)
    identities: dict[str, dict[unit_rules.Identity, str]] = {}
    for obj in result.objects:
        identity = (obj.kind, obj.namespace, obj.name)
        shared = len(files_of[identity]) > 1
        digest = json.dumps(obj.data, sort_keys=True, default=str) if shared else ""
        identities.setdefault(obj.source.path, {})[identity] = digest
    return identities


def _files_name(files: list[str], shown: dict[str, str], cwd: str) -> str:
    """Files named on the command line: one unit, named after their common directory."""
    if len(files) == 1:
        return shown[files[0]]
    common = os.path.commonpath([os.path.dirname(os.path.abspath(f)) for f in files])
    return display_path(common, cwd)


def _gitops_directories(result: LoadResult, cwd: str) -> list[str]:
    """Display paths of the directories GitOps objects deploy (relative to the repository:
    the git work tree holding ``cwd``, else ``cwd``), if they exist and hold no overlay or chart."""
    paths = unit_rules.gitops_paths((obj.kind, obj.data) for obj in result.objects)
    if not paths:
        return []
    root = work_tree(cwd) or cwd
    out = []
    for path in paths:
        directory = os.path.join(root, path)
        if os.path.isdir(directory) and kustomize.kustomization_file(directory) is None and not helm.is_chart(directory):
            out.append(display_path(directory, cwd))
    return out


def _subset(result: LoadResult, files: set[str]) -> LoadResult:
    """The part of a load that comes from ``files`` (display paths): one plain unit."""
    return LoadResult(
        objects=[o for o in result.objects if o.source.path in files],
        problems=[p for p in result.problems if p.location.path in files],
        sources=[s for s in result.sources if s.path in files],
        skipped_documents=0,
        comments={path: c for path, c in result.comments.items() if path in files},
        files=len(files),
        templates={path: t for path, t in result.templates.items() if path in files},
    )


def _combined(results: Sequence[LoadResult]) -> LoadResult:
    """The loads of every unit as one, for the report's counts and the files' text (a file
    shared by units counts once)."""
    combined = LoadResult()
    seen_objects: set[int] = set()
    seen_sources: set[int] = set()
    for result in results:
        combined.objects.extend(o for o in result.objects if id(o) not in seen_objects)
        seen_objects.update(id(o) for o in result.objects)
        combined.sources.extend(s for s in result.sources if id(s) not in seen_sources)
        seen_sources.update(id(s) for s in result.sources)
        combined.problems.extend(result.problems)
        combined.skipped_documents += result.skipped_documents
        combined.notes.extend(note for note in result.notes if note not in combined.notes)
        for path, comments in result.comments.items():
            combined.comments.setdefault(path, comments)
    combined.files = len({s.path for s in combined.sources})
    return combined


@gc_paused()  # the graph is alive while the report is built: see lint_paths
def lint_report(
    paths: Sequence[str],
    settings: Settings | None = None,
    *,
    stdin_bytes: bytes | None = None,
    report_only: Sequence[str] | None = None,
    catalog: Catalog | None = None,
    cwd: str | None = None,
    documentation: bool = True,
    progress: Callable[[str], None] | None = None,
) -> LintReport:
    """``lint_paths`` as the plain data every formatter in ``svclint.report`` takes.

    ``documentation=False`` leaves the rules' documentation out, for formats that don't show it.

    With a cache (``settings.cache_dir``), a run whose inputs, settings and rules are all
    unchanged returns the report recorded by the previous such run (``lint.rerun``).
    """
    settings = settings or Settings()
    cwd = cwd or os.getcwd()
    record, discovered = None, None
    if settings.cache and settings.cache_dir and stdin_bytes is None and paths:
        catalog = catalog or build_catalog(settings.plugins, settings.rule_dirs)
        discovered = discover_inputs(paths, settings, cwd)
        record = rerun.open_record(
            paths, settings, catalog, *discovered, cwd=cwd, report_only=report_only, documentation=documentation
        )
        recorded = record.report() if record is not None else None
        if record is not None and recorded is not None:
            record.close()
            if progress is not None:  # what the run would show, though it is a reread
                progress(f"reading {len(discovered[0]):,} files")
                progress(f"checking {recorded.objects:,} objects with {len(recorded.rules)} rules")
            return recorded
    replayed = replay.prepare(record, settings, cwd, discovered[0]) if record is not None and discovered else None
    if replayed is not None:
        assert catalog is not None
        keeper: replay.Keeper | None = replayed.keeper
        if progress is not None:
            progress(f"reading {len(replayed.changed):,} changed files")
            progress(f"checking {len(replayed.load.objects):,} objects with {len(decide(catalog, settings))} rules")
        result = run(replayed.load, catalog, settings, report_only, graph=replayed.graph, keeper=keeper)
        units = [(replayed.unit, result)]
    else:
        keeper = replay.Keeper() if record is not None else None
        result, units = _lint_units(
            paths, settings, stdin_bytes=stdin_bytes, report_only=report_only, catalog=catalog, cwd=cwd, progress=progress,
            discovered=discovered, keeper=keeper,
        )
    report = build_report(result, documentation)
    if record is not None:
        # Not with a crash (it may not happen again) or GitOps paths (units depend on directories outside the inputs).
        if not report.crashes and not unit_rules.gitops_paths((obj.kind, obj.data) for obj in result.load.objects):
            files = {source.path: source.fs_path for source in result.load.sources if source.fs_path}
            record.store(report, files)
            if keeper is not None and len(units) == 1:
                replay.keep(record, settings, units[0][0], result.load, result.graph, keeper, replayed)
        record.close()
    return report


@dataclass
class Review:
    """One side of ``svclint diff``: the report, and each unit's graph (for its routing model)."""

    report: LintReport
    units: list[tuple[str, ManifestGraph]]


@gc_paused()
def review(
    paths: Sequence[str], settings: Settings, *, catalog: Catalog | None = None, cwd: str | None = None, documentation: bool = False
) -> Review:
    """Lint ``paths`` as ``lint_report`` does and keep each unit's graph with its routing model
    (``routing.model.routing_model``, cached on the graph), built before the rules run so the
    SVC4xx rules, in this process or the forked one, use the same one."""
    from svclint.routing.model import routing_model

    def prepare(graph: ManifestGraph) -> object:  # before the rules fork: built once, shared with SVC4xx
        return routing_model(graph, settings)

    combined, units = _lint_units(paths, settings, catalog=catalog, cwd=cwd, prepare=prepare)
    return Review(build_report(combined, documentation), [(name, result.graph) for name, result in units])


def analyze(
    paths: Sequence[str],
    settings: Settings | None = None,
    *,
    stdin_bytes: bytes | None = None,
    cwd: str | None = None,
) -> RoutingModel:
    """Load ``paths`` and build the routing model (NetworkPolicies, Services, entry points) of
    its one deployment unit, or of the one ``--unit`` names (UnitError otherwise)."""
    from svclint.routing.model import routing_model

    settings = settings or Settings()
    loaded = load_units(paths, settings, stdin_bytes=stdin_bytes, cwd=cwd or os.getcwd())
    unit_rules.choose([unit for unit, _ in loaded], (), one=True)  # UnitError unless one
    result = loaded[0][1]
    for problem in result.problems:  # a matrix without the overlay's objects would mislead
        if isinstance(problem, SkippedInput) and problem.render_error:
            raise RenderError(problem.render_error)
    model = routing_model(ManifestGraph(result.objects, settings.pod_sources), settings)
    model.load_problems = len(result.problems)
    return model

