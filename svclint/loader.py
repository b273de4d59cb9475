"""Load manifests into K8sObjects; problems become findings.

Discovery (``discovery``) decides which files are read and parsing (``parsing``) turns them
into documents, in worker processes for large inputs; this module builds the objects,
renders kustomizations and Helm charts, and attributes every object to the file to edit.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from typing import Any, Sequence

from .discovery import DiscoveryError, discover, display_path
from .model import CLUSTER_SCOPED_KINDS, K8sObject, ObjectRef, qualified_kind, string_map
from .parsing import ParsedFile, gc_paused, parse_bytes, parse_text, parse_all
from .render import helm, kustomize
from .settings import Settings
from .source import (
    STDIN_NAME,
    DocumentSpan,
    FieldPath,
    Location,
    Source,
    format_field_path,
    parse_field_path,
)
from .structure import describe, structure_problems
from .suppress import Directive, find_comment_directives
from .yamlload import LoadedDocument, parse_stream

__all__ = ["DiscoveryError", "LoadProblem", "LoadResult", "discover", "display_path", "gc_paused", "load"]


@dataclass(frozen=True)
class LoadProblem:
    """A problem found while loading: SVC001 (syntax) or SVC002 (invalid object)."""

    rule_id: str
    location: Location
    message: str
    ref: ObjectRef | None = None
    field_path: str = ""


@dataclass
class LoadResult:
    objects: list[K8sObject] = field(default_factory=list)
    problems: list[LoadProblem] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    skipped_documents: int = 0  # documents that are not Kubernetes objects
    comments: dict[str, list[Directive]] = field(default_factory=dict)
    files: int = 0


def load(
    paths: Sequence[str], settings: Settings, stdin_bytes: bytes | None = None, cwd: str | None = None
) -> LoadResult:
    """Load every manifest under ``paths`` (``-`` reads ``stdin_bytes``)."""
    with gc_paused():
        return _load(paths, settings, stdin_bytes, cwd)


def _load(paths: Sequence[str], settings: Settings, stdin_bytes: bytes | None, cwd: str | None) -> LoadResult:
    cwd = cwd or os.getcwd()
    files = discover(paths, settings.exclude, cwd, settings.exclude_root, settings.cli_exclude)
    directories = {f for f in files if f != "-" and os.path.isdir(f)}  # kustomizations
    disk_files = [f for f in files if f != "-" and f not in directories]
    result = LoadResult()
    # Disk files come back in order, each as soon as its batch is parsed (the generator
    # owns the worker pool; it is closed below, or by refcounting if a step raises).
    parsed_files = parse_all(disk_files, settings.limits, settings.jobs)
    for path in files:
        if path == "-":
            text, parsed = parse_bytes(stdin_bytes or b"", settings.limits)
            source = Source(STDIN_NAME, None, text, segments=helm.helm_segments(text))
            source.lossy = parsed.lossy
        elif path in directories:
            result.files += 1
            _add_kustomization(result, path, settings, cwd)
            continue
        else:
            parsed = next(parsed_files)
            source = Source(display_path(path, cwd), path)
            source.template_marks = parsed.template_marks
        result.files += 1
        result.sources.append(source)
        _add_parsed(result, source, parsed, settings)
    parsed_files.close()
    for chart in settings.helm_charts:
        _add_helm_chart(result, chart, settings, cwd)
    return result


def _add_text(result: LoadResult, source: Source, text: str, settings: Settings) -> None:
    parsed = parse_text(None, text, settings.limits, [])
    result.files += 1
    result.sources.append(source)
    _add_parsed(result, source, parsed, settings)


def _add_helm_chart(result: LoadResult, chart: str, settings: Settings, cwd: str) -> None:
    """``helm template CHART``, each document attributed to its template file."""
    text = helm.render_chart(chart)
    resolve = helm.chart_file_resolver(chart, lambda p: display_path(p, cwd))
    source = Source(display_path(chart, cwd), None, text, segments=helm.helm_segments(text, resolve))
    _add_text(result, source, text, settings)


def _add_kustomization(result: LoadResult, directory: str, settings: Settings, cwd: str) -> None:
    """Render a kustomization and attribute every object to the file that defines it."""
    rendered = kustomize.render(directory, settings.kustomize_bin)
    kustomization_path = kustomize.kustomization_file(directory) or directory
    sources: dict[str, Source] = {}

    def open_source(fs_path: str) -> Source:
        source = sources.get(fs_path)
        if source is None:
            source = sources[fs_path] = Source(display_path(fs_path, cwd), fs_path)
            add_comments(result, source, find_comment_directives(source.text))
        return source

    kustomization = open_source(os.path.abspath(kustomization_path))
    attributor = kustomize.Attributor(directory, kustomization, rendered.resolve_origin, open_source)
    stream = parse_stream(rendered.text, settings.limits)
    rendered_source = Source(kustomization.path, None, rendered.text)
    result.sources.append(rendered_source)
    for problem in stream.problems:  # kustomize prints valid YAML; kept for completeness
        result.problems.append(LoadProblem("SVC001", kustomization.location(1), problem.message))
    for doc_index, document in enumerate(stream.documents):
        origin = None
        if rendered.resolve_origin is not None and isinstance(document.data, dict):
            metadata = document.data.get("metadata")
            annotations = metadata.get("annotations") if isinstance(metadata, dict) else None
            if isinstance(annotations, dict):
                origin = annotations.pop(kustomize.ORIGIN_ANNOTATION, None)
                if not annotations:
                    del metadata["annotations"]
        first_object, first_problem = len(result.objects), len(result.problems)
        _add_document(result, rendered_source, doc_index, document, settings)
        for obj in result.objects[first_object:]:
            obj.attribution = attributor.attribute(obj.manifest_kind, obj.name, origin if isinstance(origin, str) else None)
        attributed = {obj.ref: obj for obj in result.objects[first_object:]}
        for i in range(first_problem, len(result.problems)):
            problem = result.problems[i]
            owner = attributed.get(problem.ref) if problem.ref is not None else None
            if owner is not None:
                location = owner.location(parse_field_path(problem.field_path))
            else:
                location = kustomization.location(1)
            result.problems[i] = replace(problem, location=location)
    result.sources.extend(sources[path] for path in sorted(sources))  # the files findings point into


def _add_parsed(result: LoadResult, source: Source, parsed: ParsedFile, settings: Settings) -> None:
    add_comments(result, source, parsed.comments)
    if parsed.read_error is not None:
        line, column = parsed.read_error_at
        result.problems.append(LoadProblem("SVC001", Location(source.path, line, column), parsed.read_error))
        return
    for problem in parsed.yaml_problems:
        result.problems.append(
            LoadProblem(problem.rule_id, source.location(problem.line, problem.column), problem.message)
        )
    for doc_index, document in enumerate(parsed.documents):
        _add_document(result, source, doc_index, document, settings)


def add_comments(result: LoadResult, source: Source, comments: list[Directive]) -> None:
    """Record ``# svclint: ignore`` comments at the locations findings are reported at."""
    for line, column, names in comments:
        location = source.location(line, column)
        result.comments.setdefault(location.path, []).append((location.line, location.column, names))


def _problem(source: Source, span: DocumentSpan, path: FieldPath, message: str, ref: ObjectRef | None = None) -> LoadProblem:
    line, column = source.locate(span, path)
    return LoadProblem("SVC002", source.location(line, column), message, ref, format_field_path(path))


def _add_document(result: LoadResult, source: Source, doc_index: int, document: LoadedDocument, settings: Settings) -> None:
    data = document.data
    if data is None:
        return  # empty document
    if not isinstance(data, dict) or ("apiVersion" not in data and "kind" not in data):
        result.skipped_documents += 1  # CI configs, Helm values, playbooks: not Kubernetes
        return
    if "kind" not in data and source.path.rsplit("/", 1)[-1] == "Chart.yaml":
        result.skipped_documents += 1  # a Helm chart's metadata (apiVersion: v2, no kind)
        return
    kind = data.get("kind")
    items = data.get("items")
    if isinstance(kind, str) and kind.endswith("List") and isinstance(items, list):
        for i, item in enumerate(items):
            if not isinstance(item, dict):
                result.problems.append(
                    _problem(source, document.span, ("items", i), f"{kind} item {i} is not an object mapping")
                )
                continue
            _add_object(result, source, doc_index, document.span, item, ("items", i), settings)
        return
    _add_object(result, source, doc_index, document.span, data, (), settings)


def _add_object(
    result: LoadResult,
    source: Source,
    doc_index: int,
    span: DocumentSpan,
    data: dict[str, Any],
    base: FieldPath,
    settings: Settings,
) -> None:
    api_version, kind, metadata = data.get("apiVersion"), data.get("kind"), data.get("metadata")
    if not isinstance(kind, str) or not kind:
        what = "is missing" if kind is None else "must be a non-empty string"
        at = base + (("kind",) if "kind" in data else ())
        result.problems.append(_problem(source, span, at, f"kind {what}: not a complete Kubernetes object"))
        return
    if not isinstance(api_version, str) or not api_version:
        what = "is missing" if api_version is None else "must be a non-empty string"
        at = base + (("apiVersion",) if "apiVersion" in data else ())
        result.problems.append(_problem(source, span, at, f"apiVersion {what} on this {kind}"))
        return
    if not isinstance(metadata, dict):
        at = base + (("metadata",) if "metadata" in data else ())
        message = (
            f"metadata is missing on this {kind}"
            if "metadata" not in data
            else f"metadata of this {kind} must be a mapping with a name, not {describe(metadata)}"
        )
        result.problems.append(_problem(source, span, at, message))
        return
    name = metadata.get("name")
    if not isinstance(name, str) or not name:
        generate_name = metadata.get("generateName")
        if isinstance(generate_name, str) and generate_name:
            name = generate_name + "*"
        else:
            at = base + (("metadata", "name") if "name" in metadata else ("metadata",))
            result.problems.append(
                _problem(source, span, at, f"metadata.name (or generateName) is required on this {kind}")
            )
            return
    namespace = metadata.get("namespace")
    if namespace is not None and not isinstance(namespace, str):
        result.problems.append(
            _problem(source, span, base + ("metadata", "namespace"), "metadata.namespace must be a string")
        )
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
        source=source,
        span=span,
        doc_index=doc_index,
        base_path=base,
        labels=string_map(metadata.get("labels")),
        annotations=string_map(metadata.get("annotations")),
    )
    for path, message in structure_problems(obj):
        result.problems.append(_problem(source, span, base + path, message, obj.ref))
    result.objects.append(obj)
