"""Per-object rule results kept between runs: rules whose findings depend on one object and
its own file (``Rule.per_object``) run only on the files that changed.

A run with a cache keeps, for every file parsed through the cache, the findings each
per-object rule made on its objects (the object named by its index in the file, locations
without the file's path: a renamed or copied file hits too). They are kept in one record
per rule setup, named by a keyed hash of what the findings depend on besides the file
(``rerun.rules_salt``: svclint's code, the settings, the rule catalog; and each rule's
``shared_inputs``), and looked up by the file's parse entry name (a keyed hash of its
bytes). The next run runs the per-object rules only on the objects of files that are not
in the record, on a graph of those objects alone, and takes the other files' findings
from the record. Everything after the rules (suppressions, SVC007, template filtering,
sorting) sees the same findings, with the same objects, as in a run without the cache.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from svclint.findings import Finding, Location, ObjectRef, RuleCrash, Severity
from svclint.kube.graph import ManifestGraph
from svclint.kube.model import K8sObject
from svclint.kube.objects import LoadResult
from svclint.lint.catalog import Catalog
from svclint.lint.rerun import rules_salt
from svclint.lint.rule import RuleContext
from svclint.lint.selection import ActiveRule
from svclint.loading.cache import ParseCache, open_cache
from svclint.loading.source import Source
from svclint.settings import Settings

RECORD_PREFIX = "obj-"
KEEP_RECORDS = 4
MAX_KEPT_FILES = 50_000  # file contents a record holds beyond those of the run
_FORMAT = "svclint-per-object-1"

Outcome = Any  # engine.Outcome: list[(Finding, K8sObject | None)] or a RuleCrash
CheckAll = Callable[[list[ActiveRule], ManifestGraph, LoadResult, Settings], list[Outcome]]


def check_keeping(
    checked: list[ActiveRule],
    graph: ManifestGraph,
    load: LoadResult,
    settings: Settings,
    catalog: Catalog,
    check_all: CheckAll,
) -> list[Outcome]:
    """``check_all(checked, graph, load, settings)``, the per-object rules' findings taken
    from the cache for files that did not change."""
    per_object = [entry for entry in checked if entry.rule.per_object]
    if not per_object or not settings.cache or not settings.cache_dir:
        return check_all(checked, graph, load, settings)
    files: dict[int, tuple[Source, list[K8sObject]]] = {}  # id(source) -> its objects, in order
    for obj in load.objects:
        if obj.attribution is None and obj.source.memo is not None:
            files.setdefault(id(obj.source), (obj.source, []))[1].append(obj)
    cache = open_cache(settings.cache_dir, settings.limits) if files else None
    if cache is None:
        return check_all(checked, graph, load, settings)
    try:
        return _check(checked, per_object, graph, load, settings, catalog, check_all, files, cache)
    finally:
        cache.close()


def _check(
    checked: list[ActiveRule],
    per_object: list[ActiveRule],
    graph: ManifestGraph,
    load: LoadResult,
    settings: Settings,
    catalog: Catalog,
    check_all: CheckAll,
    files: dict[int, tuple[Source, list[K8sObject]]],
    cache: ParseCache,
) -> list[Outcome]:
    ids = [entry.rule.id for entry in per_object]
    name = _record_name(cache, per_object, graph, load, settings, catalog)
    kept = cache.get(name)
    kept = kept if isinstance(kept, dict) and kept.get("") == _FORMAT else {}
    hits: dict[int, dict[str, list[Any]]] = {}
    for key, (source, _objects) in files.items():
        results = kept.get(_entry(source))
        if isinstance(results, dict) and all(rule_id in results for rule_id in ids):
            hits[key] = results
    if not hits:  # nothing kept (a cold cache): every rule on every object, as without a cache
        outcomes = dict(zip([entry.rule.id for entry in checked], check_all(checked, graph, load, settings)))
        computed = [outcomes[entry.rule.id] for entry in per_object]
    else:  # the per-object rules see only the objects of files not kept
        others = [entry for entry in checked if not entry.rule.per_object]
        outcomes = dict(zip([entry.rule.id for entry in others], check_all(others, graph, load, settings)))
        fresh = [obj for obj in load.objects if id(obj.source) not in hits or obj.attribution is not None]
        computed = check_all(per_object, ManifestGraph(fresh, settings.pod_sources), replace(load, objects=fresh), settings)
    for entry, outcome in zip(per_object, computed):
        if isinstance(outcome, RuleCrash):
            outcomes[entry.rule.id] = outcome
            continue
        merged = list(outcome)
        for key, results in hits.items():
            source, objects = files[key]
            merged.extend((_finding(plain, source.path), objects[index]) for plain, index in results[entry.rule.id])
        outcomes[entry.rule.id] = merged
    if not any(isinstance(outcome, RuleCrash) for outcome in computed):
        _store(cache, name, kept, files, hits, per_object, computed)
    return [outcomes[entry.rule.id] for entry in checked]


def _entry(source: Source) -> str:
    assert source.memo is not None
    return source.memo.entry


def _record_name(
    cache: ParseCache,
    per_object: Sequence[ActiveRule],
    graph: ManifestGraph,
    load: LoadResult,
    settings: Settings,
    catalog: Catalog,
) -> str:
    digest = hashlib.blake2b(_FORMAT.encode(), digest_size=20, key=cache.key)
    digest.update(cache.salt)
    digest.update(rules_salt(settings, catalog))
    for entry in per_object:
        shared = entry.rule.shared_inputs(RuleContext(graph, load, settings, entry.options))
        digest.update(repr((entry.rule.id, sorted(entry.options.items()), shared)).encode())
    return RECORD_PREFIX + digest.hexdigest()


def _store(
    cache: ParseCache,
    name: str,
    kept: dict[str, Any],
    files: dict[int, tuple[Source, list[K8sObject]]],
    hits: dict[int, dict[str, list[Any]]],
    per_object: list[ActiveRule],
    computed: list[Outcome],
) -> None:
    """Keep this run's per-object findings of every file parsed through the cache."""
    fresh: dict[int, dict[str, list[Any]]] = {
        key: {entry.rule.id: [] for entry in per_object} for key in files if key not in hits
    }
    where = {id(obj): (key, index) for key, (_source, objects) in files.items() if key in fresh for index, obj in enumerate(objects)}
    unkeepable: set[int] = set()
    for entry, outcome in zip(per_object, computed):
        for finding, obj in outcome:
            found = where.get(id(obj)) if obj is not None else None
            if found is None:
                continue  # an object of no cached file (rendered): computed every run
            key, index = found
            plain = _plain(finding, files[key][0].path)
            if plain is None:
                unkeepable.add(key)
            else:
                fresh[key][entry.rule.id].append((plain, index))
    # Other units of the run (each runs the rules on its own graph) share the record: their
    # files stay, up to a bound past which only this run's files are kept.
    record: dict[str, Any] = dict(kept) if len(kept) <= max(MAX_KEPT_FILES, 4 * len(files)) else {}
    record[""] = _FORMAT
    changed = False
    for key, (source, _objects) in files.items():
        if key not in hits and key not in unkeepable:
            record[_entry(source)] = fresh[key]
            changed = True
        elif key in hits and _entry(source) not in record:
            record[_entry(source)] = hits[key]
            changed = True
    if not changed and len(record) == len(kept):
        return
    cache.put(name, record)
    cache.keep_newest(RECORD_PREFIX, KEEP_RECORDS)


def _plain(finding: Finding, path: str) -> tuple[Any, ...] | None:
    """The finding as marshal data without its file's path; None if it points elsewhere."""
    if finding.location.path != path or any(at.path != path for at, _ in finding.related) or finding.units:
        return None
    obj = finding.object
    return (
        finding.rule_id, finding.rule_name, int(finding.severity), finding.message,
        (finding.location.line, finding.location.column), finding.field_path,
        None if obj is None else (obj.kind, obj.namespace, obj.name, obj.group),
        [((at.line, at.column), message) for at, message in finding.related],
    )


def _finding(plain: Any, path: str) -> Finding:
    rule_id, rule_name, severity, message, (line, column), field_path, obj, related = plain
    return Finding(
        rule_id, rule_name, Severity(severity), message, Location(path, line, column), field_path,
        None if obj is None else ObjectRef(*obj),
        tuple((Location(path, at_line, at_column), text) for (at_line, at_column), text in related),
    )
