"""Documents -> Kubernetes objects: the object's identity, its namespace, its shape (SVC002).

A document with neither apiVersion nor kind is not Kubernetes (a CI config, Helm values)
and is only counted. A ``*List`` contributes its items. Each object gets its namespace the
way the API server defaults it, and the fields svclint reasons about are checked for shape
(``kube.structure``) so rules can trust them.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from svclint.findings import Location, ObjectRef
from svclint.kube.model import (
    CLUSTER_SCOPED_KINDS,
    K8sObject,
    qualified_kind,
    string_map,
)
from svclint.kube.structure import describe, structure_problems
from svclint.loading import foreign
from svclint.loading.directives import Directive
from svclint.loading.loader import Document, Reader, ReadProblem, SkippedInput
from svclint.loading.parsing import ParsedFile
from svclint.loading.source import (
    FieldPath,
    Source,
    format_field_path,
    parse_field_path,
)
from svclint.loading.unrendered import Labels
from svclint.parallel import gc_paused
from svclint.settings import Settings


@dataclass(frozen=True)
class ObjectProblem:
    """A document that is not a complete object, or a field of the wrong type (SVC002)."""

    location: Location
    message: str
    ref: ObjectRef | None = None
    field_path: str = ""


LoadProblem = ReadProblem | ObjectProblem


@dataclass
class LoadResult:
    """Everything a run loaded: the objects, the problems, and the files they came from."""

    objects: list[K8sObject] = field(default_factory=list)
    problems: list[LoadProblem] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    skipped_documents: int = 0  # documents that are not Kubernetes objects
    skipped_in: dict[str, int] = field(default_factory=dict)  # of them, per display path (kube.loadparts)
    comments: dict[str, list[Directive]] = field(default_factory=dict)
    files: int = 0
    notes: list[str] = field(default_factory=list)  # what the loader says once (symlinks not followed)
    templates: dict[str, list[tuple[int, int]]] = field(default_factory=dict)  # SVC005 documents' lines
    elsewhere: dict[tuple[str, str], str] = field(default_factory=dict)  # (ns, Service) -> another unit of the run defining it (SVC501)
    # (unit, namespace, labels) of the pod templates of the run's other units (lint/checks/otherunits.py)
    pods_elsewhere: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    # (input, literal labels) of the kustomizations and charts not rendered (loading/unrendered.py)
    unrendered: list[tuple[str, Labels]] = field(default_factory=list)
    unrendered_elsewhere: list[tuple[str, Labels]] = field(default_factory=list)  # the other units'


def load(
    paths: Sequence[str],
    settings: Settings,
    stdin_bytes: bytes | None = None,
    cwd: str | None = None,
    discovered: bool = False,
) -> LoadResult:
    """Load every manifest under ``paths`` (``-`` reads ``stdin_bytes``); ``discovered``:
    ``paths`` is already discovery's list (``api.load_units``), not walked again."""
    with gc_paused():
        reader = Reader(paths, settings, stdin_bytes, cwd or os.getcwd(), discovered=discovered)
        return _collect(reader, reader.documents(), settings)


def load_parsed(source: Source, parsed: ParsedFile, settings: Settings) -> LoadResult:
    """One file's part of a load, from its parsed text: the language server re-loads only the
    file being edited and joins the parts (the objects are the same as ``load`` makes)."""
    with gc_paused():
        reader = Reader((), settings)
        return _collect(reader, reader.parsed_documents(source, parsed), settings)


def _collect(reader: Reader, documents: Iterable[Document], settings: Settings) -> LoadResult:
    """The objects of ``documents`` and what ``reader`` learnt reading them (after the last)."""
    result = LoadResult()
    object_problems: list[LoadProblem] = []
    for document in documents:
        _add_document(result, object_problems, document, settings)
    result.problems = _by_file([*reader.problems, *object_problems], reader.sources)
    result.unrendered = reader.unrendered
    result.sources = reader.sources
    result.comments = reader.comments
    result.files = reader.files
    result.notes = reader.notes
    result.templates = reader.templates
    return result


def _by_file(problems: list[LoadProblem], sources: list[Source]) -> list[LoadProblem]:
    """``problems`` grouped by file, in the order of ``sources`` (each file's in the order
    found; those of no file last), so that a load joined from per-file parts
    (``kube.loadparts``) is this load. Findings are sorted by file first: no report changes."""
    order = {source.path: index for index, source in enumerate(sources)}
    last = len(order)
    return sorted(problems, key=lambda problem: order.get(problem.location.path, last))


def _add_document(result: LoadResult, problems: list[LoadProblem], document: Document, settings: Settings) -> None:
    first_object, first_problem = len(result.objects), len(problems)
    _add_data(result, problems, document, settings)
    if document.attributor is None:
        return
    for obj in result.objects[first_object:]:
        obj.attribution = document.attributor(obj.manifest_kind, obj.name)
    attributed = {obj.ref: obj for obj in result.objects[first_object:]}
    for i in range(first_problem, len(problems)):
        problem = problems[i]
        if not isinstance(problem, ObjectProblem):  # a note: at the kustomization
            problems[i] = replace(problem, location=document.fallback or problem.location)
            continue
        owner = attributed.get(problem.ref) if problem.ref is not None else None
        if owner is not None:
            location = owner.location(parse_field_path(problem.field_path))
        else:
            location = document.fallback or problem.location
        problems[i] = replace(problem, location=location)


def _problem(document: Document, path: FieldPath, message: str, ref: ObjectRef | None = None) -> ObjectProblem:
    source = document.source
    line, column = source.locate(document.loaded.span, path)
    return ObjectProblem(source.location(line, column), message, ref, format_field_path(path))


def _skip(result: LoadResult, document: Document) -> None:
    """Count a document that is not a Kubernetes object, and the file it is in."""
    result.skipped_documents += 1
    path = document.source.path
    result.skipped_in[path] = result.skipped_in.get(path, 0) + 1


def _add_data(result: LoadResult, problems: list[LoadProblem], document: Document, settings: Settings) -> None:
    data = document.loaded.data
    if data is None:
        return  # empty document
    if not isinstance(data, dict) or ("apiVersion" not in data and "kind" not in data):
        _skip(result, document)  # CI configs, Helm values, playbooks: not Kubernetes
        return
    if "kind" not in data and document.source.path.rsplit("/", 1)[-1] == "Chart.yaml":
        _skip(result, document)  # a Helm chart's metadata (apiVersion: v2, no kind)
        return
    if foreign.other_versioned_file(data) or foreign.helm_repository_index(data):
        _skip(result, document)  # apiVersion: 1, or a chart repository index (loading.foreign)
        return
    if foreign.is_tool_config(data) or foreign.unknown_without_metadata(data):
        _skip(result, document)  # another tool's configuration (loading.foreign)
        if not foreign.is_tool_config(data):
            message = (
                f"not checked: {data['kind']} of {data['apiVersion']} has no metadata, so it is not a Kubernetes "
                "object (another tool's file?); add metadata.name if it is a custom resource"
            )
            problems.append(SkippedInput(_problem(document, ("kind",), message).location, message))
        return
    _add_items(result, problems, document, data, (), settings, depth=0)


# ``kubectl get -o yaml|json`` writes ``kind: List`` (items keep their kind) or a typed list
# (``PodList``, ``ServiceList``...) whose items carry no kind or apiVersion: the API server
# leaves them out (k8s.io/apimachinery pkg/runtime/serializer: typed lists encode items
# without TypeMeta). An item without them takes the list's: PodList -> Pod, same apiVersion.
MAX_LIST_NESTING = 8


def _add_items(
    result: LoadResult,
    problems: list[LoadProblem],
    document: Document,
    data: dict[str, Any],
    base: FieldPath,
    settings: Settings,
    depth: int,
) -> None:
    """``data`` as one object, or the items of a (possibly nested) list."""
    kind, items = data.get("kind"), data.get("items")
    if not (isinstance(kind, str) and kind.endswith("List") and isinstance(items, list)) or depth > MAX_LIST_NESTING:
        _add_object(result, problems, document, data, base, settings)
        return
    item_kind = kind[: -len("List")] if kind != "List" else None
    api_version = data.get("apiVersion")
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            problems.append(_problem(document, base + ("items", i), f"{kind} item {i} is not an object mapping"))
            continue
        if item_kind and ("kind" not in item or "apiVersion" not in item):
            item = {**item}
            item.setdefault("kind", item_kind)
            if isinstance(api_version, str):
                item.setdefault("apiVersion", api_version)
        _add_items(result, problems, document, item, base + ("items", i), settings, depth + 1)


def _add_object(
    result: LoadResult,
    problems: list[LoadProblem],
    document: Document,
    data: dict[str, Any],
    base: FieldPath,
    settings: Settings,
) -> None:
    api_version, kind, metadata = data.get("apiVersion"), data.get("kind"), data.get("metadata")
    if not isinstance(kind, str) or not kind:
        what = "is missing" if kind is None else "must be a non-empty string"
        at = base + (("kind",) if "kind" in data else ())
        problems.append(_problem(document, at, f"kind {what}: not a complete Kubernetes object"))
        return
    if not isinstance(api_version, str) or not api_version:
        what = "is missing" if api_version is None else "must be a non-empty string"
        at = base + (("apiVersion",) if "apiVersion" in data else ())
        problems.append(_problem(document, at, f"apiVersion {what} on this {kind}"))
        return
    if not isinstance(metadata, dict):
        at = base + (("metadata",) if "metadata" in data else ())
        message = (
            f"metadata is missing on this {kind}"
            if "metadata" not in data
            else f"metadata of this {kind} must be a mapping with a name, not {describe(metadata)}"
        )
        problems.append(_problem(document, at, message))
        return
    name = metadata.get("name")
    if not isinstance(name, str) or not name:
        generate_name = metadata.get("generateName")
        if isinstance(generate_name, str) and generate_name:
            name = generate_name + "*"
        else:
            at = base + (("metadata", "name") if "name" in metadata else ("metadata",))
            problems.append(_problem(document, at, f"metadata.name (or generateName) is required on this {kind}"))
            return
    namespace = metadata.get("namespace")
    if namespace is not None and not isinstance(namespace, str):
        problems.append(_problem(document, base + ("metadata", "namespace"), "metadata.namespace must be a string"))
        return
    kind = qualified_kind(kind, api_version)
    if kind in CLUSTER_SCOPED_KINDS:
        namespace = None
    elif not namespace:
        namespace = settings.default_namespace
    obj = K8sObject(
        api_version=api_version,
        kind=kind,
        name=name,
        namespace=namespace,
        data=data,
        source=document.source,
        span=document.loaded.span,
        doc_index=document.index,
        base_path=base,
        labels=string_map(metadata.get("labels")),
        annotations=string_map(metadata.get("annotations")),
    )
    for path, message in structure_problems(obj):
        problems.append(_problem(document, base + path, message, obj.ref))
    result.objects.append(obj)
