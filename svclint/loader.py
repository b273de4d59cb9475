"""Discover manifest files and load them into K8sObjects; problems become findings.

Loading is the expensive part of a run, so it is spread over worker processes when the
input is large (fork, one batch of files per task). Workers return plain data; file texts
stay on disk until a finding needs a location.
"""

from __future__ import annotations

import gc
import marshal
import os
import pickle
import sys
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, fields, replace
from typing import Any, Iterable, Iterator, Sequence

import pathspec

from .model import CLUSTER_SCOPED_KINDS, K8sObject, ObjectRef, qualified_kind, string_map
from .render import helm, kustomize
from .settings import Settings
from .source import (
    STDIN_NAME,
    DocumentSpan,
    FieldPath,
    Location,
    Source,
    UnreadableFile,
    decode_manifest,
    format_field_path,
    parse_field_path,
    read_manifest,
)
from .structure import describe, structure_problems
from .suppress import Directive, find_comment_directives
from .yamlload import Limits, LoadedDocument, YamlProblem, parse_stream

MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")
# pathspec >= 0.12.1 names git's own semantics "gitignore"; older releases only "gitwildmatch".
try:
    pathspec.PathSpec.from_lines("gitignore", [])
    _GITIGNORE_STYLE = "gitignore"
except (KeyError, LookupError):  # pragma: no cover - older pathspec
    _GITIGNORE_STYLE = "gitwildmatch"
PARALLEL_MIN_BYTES = 4 * 1024 * 1024
BATCH_FILES = 256  # files per worker task: small enough to overlap, large enough to amortise


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


class DiscoveryError(Exception):
    """A path given on the command line does not exist."""


def _is_hidden(name: str) -> bool:
    return name.startswith(".") and name not in (".", "..")


def display_path(path: str, cwd: str) -> str:
    """Repository-style path: relative to ``cwd`` when inside it, with forward slashes."""
    absolute = os.path.abspath(path)
    try:
        rel = os.path.relpath(absolute, cwd)
    except ValueError:
        rel = absolute
    if rel.startswith(".."):
        rel = absolute
    return rel.replace(os.sep, "/")


def discover(
    paths: Sequence[str],
    exclude: Iterable[str] = (),
    cwd: str | None = None,
    exclude_root: str | None = None,
    cli_exclude: Iterable[str] = (),
) -> list[str]:
    """Manifest files under ``paths`` in a stable order; ``-`` stands for stdin.

    Explicit files are always taken; directories are walked recursively for .yaml, .yml
    and .json, skipping hidden directories and files, excluded globs (gitignore syntax) and
    symlink loops. ``exclude`` patterns (from a config file) are relative to
    ``exclude_root``, the config's directory; ``cli_exclude`` (``--exclude``) to ``cwd``.
    """
    cwd = cwd or os.getcwd()
    specs = [
        (base, pathspec.PathSpec.from_lines(_GITIGNORE_STYLE, patterns))
        for base, patterns in ((exclude_root or cwd, list(exclude)), (cwd, list(cli_exclude)))
        if patterns
    ]
    found: list[str] = []
    seen: set[str] = set()

    def excluded(path: str, is_dir: bool = False) -> bool:
        suffix = "/" if is_dir else ""
        return any(spec.match_file(display_path(path, base) + suffix) for base, spec in specs)

    def add(path: str, real: str | None = None) -> None:
        key = real or (os.path.realpath(path) if path != "-" else "-")
        if key not in seen:
            seen.add(key)
            found.append(path)

    for path in paths:
        if path == "-":
            add(path)
            continue
        if not os.path.exists(path) and not os.path.islink(path):
            raise DiscoveryError(f"{path}: no such file or directory")
        if os.path.basename(path) in kustomize.KUSTOMIZATION_FILES and os.path.isfile(path):
            path = os.path.dirname(path) or "."
        if not os.path.isdir(path):
            if not excluded(path):
                add(path)
            continue
        visited: set[tuple[int, int]] = set()
        in_directory: list[str] = []
        real_paths: dict[str, str] = {}
        overlays: list[str] = []  # kustomization directories: rendered, not walked
        for root, dirs, files in os.walk(path, followlinks=True):
            try:
                stat = os.stat(root)
            except OSError:
                continue
            if (stat.st_dev, stat.st_ino) in visited:
                dirs[:] = []
                continue
            visited.add((stat.st_dev, stat.st_ino))
            if kustomize.kustomization_file(root):
                overlays.append(root)
                dirs[:] = []
                continue
            real_root = os.path.realpath(root)
            dirs[:] = sorted(
                d for d in dirs if not _is_hidden(d) and not excluded(os.path.join(root, d), True)
            )
            for name in sorted(files):
                full = os.path.join(root, name)
                if _is_hidden(name) or not name.endswith(MANIFEST_SUFFIXES):
                    continue
                if os.path.isdir(full) or excluded(full):
                    continue
                if os.path.exists(full) and not os.path.isfile(full):
                    continue  # a FIFO, socket or device named *.yaml: reading it could block
                in_directory.append(full)
                if not os.path.islink(full):  # its realpath, without resolving every parent again
                    real_paths[full] = os.path.join(real_root, name)
        for full in sorted(in_directory, key=lambda p: p.split(os.sep)):
            add(full, real_paths.get(full))
        # A base (or component) is rendered through the overlays that use it, not again alone.
        used = {os.path.realpath(d) for o in overlays for d in kustomize.referenced_directories(o)}
        for overlay in overlays:
            if os.path.realpath(overlay) not in used:
                add(overlay)
    return found


# -- parsing (runs in worker processes) -------------------------------------------------


@dataclass
class ParsedFile:
    fs_path: str | None
    documents: list[LoadedDocument]
    yaml_problems: list[YamlProblem]
    read_error: str | None = None
    read_error_at: tuple[int, int] = (1, 1)  # 1-based line, column of a decoding error
    lossy: bool = False  # documents that were not UTF-8 were blanked before parsing
    comments: list[Directive] = field(default_factory=list)  # ignore directives
    template_marks: bool = True  # "{{" occurs in the text (SVC005 looks only at those files)


def parse_file(fs_path: str, limits: Limits) -> ParsedFile:
    try:
        if os.path.isdir(fs_path):
            raise UnreadableFile("is a directory, not a manifest file")
        size = os.path.getsize(fs_path)
        if size > limits.max_document_bytes:
            raise UnreadableFile(
                f"file is {size} bytes, over the limit of {limits.max_document_bytes} bytes"
            )
        text, undecodable = read_manifest(fs_path, limits.max_document_bytes)
    except UnreadableFile as error:
        return ParsedFile(fs_path, [], [], str(error), (error.line, error.column))
    except OSError as error:
        return ParsedFile(fs_path, [], [], f"cannot read file: {error.strerror or error}")
    return parse_text(fs_path, text, limits, undecodable)


def parse_text(fs_path: str | None, text: str, limits: Limits, undecodable: list[UnreadableFile]) -> ParsedFile:
    parsed = parse_stream(text, limits)
    problems = [YamlProblem(e.line, e.column, str(e)) for e in undecodable] + parsed.problems
    return ParsedFile(
        fs_path,
        parsed.documents,
        problems,
        comments=find_comment_directives(text),
        lossy=bool(undecodable),
        template_marks="{{" in text,
    )


def parse_bytes(raw: bytes, limits: Limits) -> tuple[str, ParsedFile]:
    """Standard input: the same checks as a file; also returns the decoded text."""
    try:
        if len(raw) > limits.max_document_bytes:
            raise UnreadableFile(f"input is over the limit of {limits.max_document_bytes} bytes")
        text, undecodable = decode_manifest(raw)
    except UnreadableFile as error:
        return "", ParsedFile(None, [], [], str(error), (error.line, error.column))
    return text, parse_text(None, text, limits, undecodable)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector, restoring its state afterwards.

    Loading allocates millions of small objects and frees none of them, and the rules only
    add to that graph: each collection pass would re-scan all of it (a full pass on the
    50k-object benchmark tree costs about a second, and allocation triggers several), to find
    no garbage. Reference counting still frees everything that is dropped.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _parse_batch(batch: list[str], limits: Limits) -> list[ParsedFile]:
    with gc_paused():
        return [parse_file(path, limits) for path in batch]


# Results travel from the workers as marshal data: plain dicts, lists and scalars are all a
# parsed document holds, and marshal writes and reads them 5-20x faster than pickle writes
# and reads the same data as dataclasses (measured on the 50k-object benchmark tree:
# 0.1 s instead of 1.7 s to write, 0.3 s instead of 1.8 s to read, per half of the files).


def _fields(cls: Any) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))


# Field by field, in declaration order, so a field added to any of these classes travels too.
_FILE_FIELDS, _DOC_FIELDS = _fields(ParsedFile), _fields(LoadedDocument)
_SPAN_FIELDS, _PROBLEM_FIELDS = _fields(DocumentSpan), _fields(YamlProblem)


def _pack(parsed: ParsedFile) -> tuple[Any, ...]:
    state = dict(vars(parsed))
    documents = []
    for document in parsed.documents:
        values = dict(vars(document))
        values["span"] = tuple(getattr(document.span, name) for name in _SPAN_FIELDS)
        documents.append(tuple(values[name] for name in _DOC_FIELDS))
    state["documents"] = documents
    state["yaml_problems"] = [tuple(getattr(p, name) for name in _PROBLEM_FIELDS) for p in parsed.yaml_problems]
    return tuple(state[name] for name in _FILE_FIELDS)


def _unpack(packed: tuple[Any, ...]) -> ParsedFile:
    state = dict(zip(_FILE_FIELDS, packed))
    documents = []
    for values in state["documents"]:
        document = dict(zip(_DOC_FIELDS, values))
        document["span"] = DocumentSpan(*document["span"])
        documents.append(LoadedDocument(**document))
    state["documents"] = documents
    state["yaml_problems"] = [YamlProblem(*values) for values in state["yaml_problems"]]
    return ParsedFile(**state)


def _parse_batch_packed(batch: list[str], limits: Limits) -> tuple[bool, bytes]:
    """A worker's task: (is_marshal, payload) for one batch of files."""
    parsed = _parse_batch(batch, limits)
    with gc_paused():
        try:
            return True, marshal.dumps([_pack(p) for p in parsed])
        except ValueError:  # a value marshal cannot write: pickle handles everything
            return False, pickle.dumps(parsed, protocol=pickle.HIGHEST_PROTOCOL)


def _unpack_batch(result: tuple[bool, bytes]) -> list[ParsedFile]:
    is_marshal, payload = result
    if not is_marshal:
        return pickle.loads(payload)  # noqa: S301 - written by our own forked worker
    return [_unpack(state) for state in marshal.loads(payload)]


def _parse_all(files: list[str], limits: Limits, jobs: int) -> Iterator[ParsedFile]:
    """Every file parsed, in the order given.

    With several jobs, consecutive batches are parsed by worker processes while the caller
    turns the batches already returned into objects: the parent's share of the work (about
    a quarter) overlaps the parsing instead of following it.
    """
    if jobs == 0:
        total = 0
        for path in files:
            try:
                total += os.path.getsize(path)
            except OSError:
                pass
            if total >= PARALLEL_MIN_BYTES:
                break
        jobs = min(os.cpu_count() or 1, 4) if total >= PARALLEL_MIN_BYTES else 1
    if jobs <= 1 or len(files) < 2 or sys.platform == "win32":
        yield from _parse_batch(files, limits)
        return
    size = max(1, min(BATCH_FILES, -(-len(files) // (jobs * 4))))
    batches = [files[i : i + size] for i in range(0, len(files), size)]
    done = 0
    try:
        import multiprocessing

        context = multiprocessing.get_context("fork")
        pool = ProcessPoolExecutor(max_workers=jobs, mp_context=context)
        try:
            for batch_result in pool.map(_parse_batch_packed, batches, [limits] * len(batches)):
                for parsed in _unpack_batch(batch_result):
                    done += 1
                    yield parsed
        finally:  # closed early (an error, Ctrl-C): do not parse the batches nobody will read
            pool.shutdown(wait=True, cancel_futures=True)
    except (OSError, RuntimeError):  # no fork, no semaphores, a worker died: the rest here
        yield from _parse_batch(files[done:], limits)


# -- objects --------------------------------------------------------------------------------


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
    parsed_files = _parse_all(disk_files, settings.limits, settings.jobs)
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
