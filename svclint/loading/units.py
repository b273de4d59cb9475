"""Deployment units: which inputs of a run are applied together, so each is checked as one graph.

A repository root holds things that are never applied together: two overlays of one base,
dev and prod copies of the same app, a chart, alternative variants of a Service. Checked as
one graph they cross-match (dev's Service "selects" prod's pods, the copies are SVC003
duplicates). The rule, in the order it is applied (docs/inputs.md says the same):

1. ``units:`` in the config names units by globs (``each: true``: one unit per path the
   globs match); a file may be in several. Inputs no configured unit names go through the
   rules below.
2. Every rendered input is its own unit: each Kustomize overlay (a kustomization no other
   kustomization of the run uses as a base or component), each Helm chart, standard input.
3. Files named on the command line form one unit.
4. Directories an Argo CD Application/ApplicationSet or a Flux Kustomization of the run
   names (``spec.source.path``, ``spec.sources[].path``, ``spec.template.spec.source.path``,
   ``spec.path``) are each their own unit.
5. The other files are one unit, except where *alternatives* split it (``split_plain``): two
   sibling directories (or a directory's own files and one of its subdirectories) that
   define an object of the same kind, namespace and name are alternatives, not one
   deployment (``_alternatives``), unless they are exact copies. A directory with
   alternatives anywhere below it is split: each subdirectory is a unit of its own (split
   again by this rule) and the files directly in it are one more unit.
   Files of one directory stay together (``kubectl apply -f DIR``), except copies of a whole
   app: two files of one directory sharing at least ``WHOLE_APP_OBJECTS`` objects that are
   not exact copies of each other (``aks-store-all-in-one.yaml`` beside
   ``aks-store-quickstart.yaml``; argo-cd's ``install.yaml`` beside
   ``install-with-hydrator.yaml``, which adds objects), and variants (two files defining
   exactly the same ``VARIANT_OBJECTS`` or more objects, differently: a Deployment and its
   Service per model size) are each a unit of their own (``_direct_units``); in a directory
   of examples (``EXAMPLE_DIRECTORIES`` in its path) any two files defining one object
   differently are.

Each unit is loaded and checked on its own (``api``); ``merge_findings`` reports a finding
that several units share (a base file's line seen through two overlays) once, naming them.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from itertools import combinations
from typing import Any

from svclint.findings import Finding
from svclint.settings import UnitConfig

Identity = tuple[str, str | None, str]  # kind, namespace, name


@dataclass(frozen=True)
class Unit:
    """One deployment unit: a name users see, and the inputs that make it."""

    name: str
    inputs: tuple[str, ...]  # files, kustomization or chart directories, "-"
    rendered: bool = False  # a kustomization, a chart or stdin: loaded on its own
    chart: str = ""  # a --helm-chart directory (no inputs: the chart is rendered on its own)


def _matched_prefix(display: str, pattern: str) -> str | None:
    """The leading part of ``display`` that ``pattern`` matches component by component
    (``fixtures/rules/*/*`` matches ``fixtures/rules/SVC003/bad.cross-file`` of
    ``fixtures/rules/SVC003/bad.cross-file/a.yaml``), or None."""
    parts, wanted = _parts(display), _parts(pattern.rstrip("/"))
    if wanted and wanted[-1] == "**":
        wanted = wanted[:-1]
    if not wanted or len(wanted) > len(parts):
        return None
    if all(fnmatch.fnmatchcase(p, w) for p, w in zip(parts, wanted)):
        return "/".join(parts[: len(wanted)])
    return None


def glob_match(display: str, pattern: str) -> bool:
    """A ``units:`` glob matches a path, or a directory above it (``envs/dev``, ``envs/dev/**``),
    component by component: ``*`` stays within one directory."""
    return _matched_prefix(display, pattern) is not None


def configured_units(
    inputs: Sequence[str], configured: Sequence[UnitConfig], display: Mapping[str, str]
) -> tuple[list[Unit], list[str]]:
    """Units named in the config, and the inputs none of them names.

    ``display`` maps an input to its path relative to the config's directory.
    """
    units = []
    named: set[str] = set()
    for entry in configured:
        if entry.each:  # one unit per path the globs match (a file, or a directory of files)
            groups: dict[str, list[str]] = {}
            for i in inputs:
                prefix = next((m for p in entry.paths if (m := _matched_prefix(display[i], p)) is not None), None)
                if prefix is not None:
                    groups.setdefault(prefix, []).append(i)
            for prefix in sorted(groups):
                named.update(groups[prefix])
                units.append(Unit(f"{entry.name}{prefix}", tuple(groups[prefix])))
            continue
        members = [i for i in inputs if any(glob_match(display[i], p) for p in entry.paths)]
        named.update(members)
        if members:
            units.append(Unit(entry.name, tuple(members)))
    return units, [i for i in inputs if i not in named]


def gitops_paths(objects: Iterable[tuple[str, dict[str, Any]]]) -> list[str]:
    """Paths (relative to the repository root) that GitOps objects of the run deploy.

    ``objects``: (kind, data). Argo CD (argoproj.io) Application ``spec.source.path`` and
    ``spec.sources[].path``, ApplicationSet ``spec.template.spec.source(s)``; Flux
    (kustomize.toolkit.fluxcd.io) Kustomization ``spec.path``. Templated paths (``{{path}}``)
    name no directory and are left out.
    """
    found: list[str] = []

    def add(source: Any) -> None:
        path = source.get("path") if isinstance(source, dict) else None
        if isinstance(path, str) and path and "{{" not in path and "://" not in path:
            found.append(os.path.normpath(path.lstrip("/")).replace(os.sep, "/"))

    for kind, data in objects:
        api_version = str(data.get("apiVersion", ""))
        spec = data.get("spec")
        if not isinstance(spec, dict):
            continue
        if api_version.startswith("argoproj.io/") and kind in ("Application", "ApplicationSet"):
            if kind == "ApplicationSet":
                template = spec.get("template")
                spec = template.get("spec") if isinstance(template, dict) else None
                if not isinstance(spec, dict):
                    continue
            add(spec.get("source"))
            sources = spec.get("sources")
            for source in sources if isinstance(sources, list) else []:
                add(source)
        elif api_version.startswith("kustomize.toolkit.fluxcd.io/") and kind == "Kustomization":
            add(spec)
    return sorted({p for p in found if p not in (".", "")})


def _parts(path: str) -> tuple[str, ...]:
    return tuple(p for p in path.split("/") if p not in ("", "."))


Defined = Mapping[str, Mapping[Identity, str]]  # file -> identity -> digest of the object's content


def split_plain(files: Sequence[str], identities: Defined, separate: Sequence[str] = ()) -> list[tuple[str, list[str]]]:
    """Plain files (display paths) as units: (name, files), by rules 4 and 5 of the module doc.

    ``identities`` holds the objects each file defines, each with a digest of its content
    (only objects defined in more than one file need a real one); ``separate`` the
    directories GitOps objects name (each its own unit, split again inside).
    """
    remaining = [(_parts(f), f) for f in files]
    units: list[tuple[str, list[str]]] = []
    for directory in sorted(separate, key=lambda d: -len(_parts(d))):  # the deepest first
        prefix = _parts(directory)
        inside = [(parts, f) for parts, f in remaining if parts[: len(prefix)] == prefix]
        if inside:
            taken = {f for _, f in inside}
            remaining = [(parts, f) for parts, f in remaining if f not in taken]
            units.extend(_split(prefix, inside, identities))
    if remaining:
        units.extend(_split((), remaining, identities))
    return sorted(units, key=lambda unit: unit[0])


_DIRECT = "\0files"  # the files directly in a directory, as an entry beside its subdirectories


def _split(
    prefix: tuple[str, ...], files: list[tuple[tuple[str, ...], str]], identities: Defined
) -> list[tuple[str, list[str]]]:
    """The alternatives rule at the directory ``prefix`` (recursively).

    A directory with no alternatives anywhere below it (subdirectories, or its own files
    against a subdirectory: web/guestbook/*.yaml beside web/guestbook/all-in-one/) is one unit.
    Otherwise each of its subdirectories is checked on its own (split again inside) and the
    files directly in it are one more unit, named after it. (Joining those files to every
    alternative instead was tried: in a folder of standalone examples it makes each
    example see the others.) Files of one directory are never alternatives to each other:
    `kubectl apply -f DIR` applies them together, so two of them defining one object are
    SVC003 duplicates.
    """
    depth = len(prefix)
    direct = [f for parts, f in files if len(parts) == depth + 1]
    subdirs: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for parts, file in files:
        if len(parts) > depth + 1:
            subdirs.setdefault(parts[depth], []).append((parts, file))
    subunits = {name: _split(prefix + (name,), members, identities) for name, members in subdirs.items()}
    defined: dict[str, dict[Identity, set[str]]] = {}
    for name, members in subdirs.items():
        digests = defined[name] = {}
        for _, file in members:
            for identity, digest in identities.get(file, {}).items():
                digests.setdefault(identity, set()).add(digest)
    if direct and subdirs:  # the files directly here are one more entry: all-in-one/ beside its parts
        digests = defined[_DIRECT] = {}
        for file in direct:
            for identity, digest in identities.get(file, {}).items():
                digests.setdefault(identity, set()).add(digest)
    holders: dict[Identity, list[str]] = {}  # only directories sharing an object can clash
    for name in sorted(defined):
        for identity in defined[name]:
            holders.setdefault(identity, []).append(name)
    pairs = {pair for names in holders.values() if len(names) > 1 for pair in combinations(names, 2)}
    alternatives = any(_alternatives(defined[a], defined[b]) for a, b in sorted(pairs))
    root = "/" if files[0][1].startswith("/") else ""
    here = root + "/".join(prefix) or "."
    direct_units = _direct_units(here, direct, identities)
    if not alternatives and len(direct_units) <= 1 and all(len(units) == 1 for units in subunits.values()):
        if not direct and len(subdirs) == 1:
            return next(iter(subunits.values()))  # named after the deepest common directory
        return [(here, sorted(f for _, f in files))]
    return [unit for sub in subunits.values() for unit in sub] + direct_units


# Two files of one directory defining this many of the same objects are two copies of an app
# (an all-in-one and a quickstart), not one deployment: an accidental duplicate is an object
# or two pasted into a second file, which SVC003 keeps reporting. Two files defining exactly
# the same objects, at least two, differently are variants of one app (a Deployment and its
# Service per model size: tgi-2b.yaml, tgi-7b.yaml), also applied one at a time; two
# one-object files stay SVC003 (which of them is meant cannot be told from the files).
WHOLE_APP_OBJECTS = 3
VARIANT_OBJECTS = 2
# In a directory of examples (a path segment named so), each file is an example applied on
# its own, as their READMEs say (strimzi's packaging/examples, ECK's config/samples): two
# files defining one object differently are variants even when it is their only object.
EXAMPLE_DIRECTORIES = frozenset({"example", "examples", "sample", "samples"})


def _direct_units(here: str, direct: list[str], identities: Defined) -> list[tuple[str, list[str]]]:
    """The files directly in a directory as units: one, unless some are copies of a whole app.

    Such a copy is a unit of its own, named by its file; the directory's other files are one
    more unit, named after the directory."""
    copies: set[str] = set()
    examples = any(part.lower() in EXAMPLE_DIRECTORIES for part in _parts(here))
    for a, b in combinations(sorted(direct), 2):
        first, second = identities.get(a, {}), identities.get(b, {})
        shared = [i for i in first.keys() & second.keys() if i[0] != "Namespace"]
        changed = any(first[i] != second[i] for i in shared)
        whole_app = len(shared) >= WHOLE_APP_OBJECTS and (first.keys() != second.keys() or changed)
        variant = len(shared) >= VARIANT_OBJECTS and first.keys() == second.keys() and changed
        example = examples and bool(shared) and (first.keys() != second.keys() or changed)
        if whole_app or variant or example:
            copies.update((a, b))
    rest = sorted(f for f in direct if f not in copies)
    return [(file, [file]) for file in sorted(copies)] + ([(here, rest)] if rest else [])


def _alternatives(a: Mapping[Identity, set[str]], b: Mapping[Identity, set[str]]) -> bool:
    """Two sibling directories are alternatives, not parts of one deployment, when they
    define an object of the same kind, namespace and name, unless they are exact copies
    (the same objects with the same content: a pasted duplicate, which SVC003 reports).
    A variant that adds an object to a copy is an alternative. An identical Namespace in
    both is how separate apps each declare where they live, and counts for nothing."""
    shared = {i for i in a.keys() & b.keys() if not (i[0] == "Namespace" and a[i] == b[i])}
    if not shared:
        return False
    return a.keys() != b.keys() or any(a[i] != b[i] for i in shared)


class UnitError(Exception):
    """``--unit`` names no unit of the run, or a command that needs one unit got several."""


def choose(units: Sequence[Unit], wanted: Sequence[str], one: bool = False) -> list[Unit]:
    """The units ``--unit`` names (all without it); ``one``: exactly one (matrix, explain)."""
    names = [u.name for u in units]
    missing = [w for w in wanted if w not in names]
    if missing:
        raise UnitError(f"--unit {missing[0]}: no such unit; this run's units: {', '.join(names) or 'none'}")
    chosen = [u for u in units if u.name in wanted] if wanted else list(units)
    if one and len(chosen) > 1:
        raise UnitError(f"these paths hold {len(chosen)} deployment units; name one with --unit: {', '.join(names)}")
    return chosen


def merge_findings(per_unit: Sequence[tuple[str, Sequence[Finding]]]) -> list[Finding]:
    """Findings of every unit; one that several units share (same rule, place and field, as a
    base file's line seen through two overlays) is kept once, naming every unit."""
    merged: list[Finding] = []
    first: dict[tuple[Any, ...], tuple[int, str]] = {}  # key -> (index in merged, unit that added it)
    for unit, findings in per_unit:
        for finding in findings:
            key = (finding.rule_id, finding.location, finding.field_path)
            known = first.get(key)
            if known is not None and known[1] != unit:
                index = known[0]
                if unit not in merged[index].units:
                    merged[index] = replace(merged[index], units=merged[index].units + (unit,))
                continue
            first.setdefault(key, (len(merged), unit))
            merged.append(replace(finding, units=(unit,)))
    return merged
