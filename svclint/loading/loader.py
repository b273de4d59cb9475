"""Read manifests into documents, each with the source to locate its fields in.

Discovery (``discovery``) decides which files are read and parsing (``parsing``) turns them
into documents, in worker processes for large inputs; this module walks the files in
order, renders kustomizations and Helm charts, and says for every document which file a
user edits to change it. Turning documents into Kubernetes objects is ``kube.objects``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial

from svclint.findings import Location
from svclint.loading.cache import open_cache
from svclint.loading.directives import Directive, find_comment_directives
from svclint.loading.discovery import Skipped, discover, display_path
from svclint.loading.parsing import ParsedFile, parse_all, parse_bytes, parse_text
from svclint.loading.positions import PositionStore
from svclint.loading.render import RenderError, ToolMissing, helm, kustomize, remote
from svclint.loading.source import STDIN_NAME, Attribution, Source
from svclint.loading.unrendered import Labels, written_labels
from svclint.loading.yamlload import LoadedDocument, parse_stream
from svclint.settings import Settings


@dataclass(frozen=True)
class SyntaxProblem:
    """A file or document that cannot be read or parsed (SVC001)."""

    location: Location
    message: str


@dataclass(frozen=True)
class TemplateProblem:
    """A document that does not parse because it is an unrendered template (SVC005)."""

    location: Location
    message: str


@dataclass(frozen=True)
class SkippedInput:
    """Input that was not checked, and why (SVC009, a note): a kustomization or chart that
    could not be rendered, another tool's file that looks like an object."""

    location: Location
    message: str
    render_error: str = ""  # a kustomization or chart not rendered: the renderer's error


ReadProblem = SyntaxProblem | TemplateProblem | SkippedInput
AttributeObject = Callable[[str, str], Attribution]  # (kind as written, name) -> the user's file


@dataclass
class Document:
    """One parsed document and where it came from.

    A document rendered by kustomize has an ``attributor`` (it names the file that defines
    an object) and a ``fallback`` location for problems that belong to no object.
    """

    source: Source
    index: int
    loaded: LoadedDocument
    attributor: AttributeObject | None = None
    fallback: Location | None = None


@dataclass
class Reader:
    """Walks the files of a run in order; ``documents()`` yields as parsing proceeds.

    Problems, sources and suppression comments accumulate on the reader while it is
    iterated, so the caller can build objects from one document while workers parse the
    next files.
    """

    paths: Sequence[str]
    settings: Settings
    stdin_bytes: bytes | None = None
    cwd: str = ""
    problems: list[ReadProblem] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    comments: dict[str, list[Directive]] = field(default_factory=dict)
    files: int = 0
    notes: list[str] = field(default_factory=list)  # said once on stderr, not findings
    templates: dict[str, list[tuple[int, int]]] = field(default_factory=dict)  # path -> template line ranges
    unrendered: list[tuple[str, Labels]] = field(default_factory=list)  # inputs not rendered, their literal labels
    discovered: bool = False  # ``paths`` is already discovery's list of files

    def documents(self) -> Iterator[Document]:
        settings = self.settings
        cwd = self.cwd or os.getcwd()
        if self.discovered:
            files = list(self.paths)
        else:
            skipped = Skipped()
            files = discover(
                self.paths, settings.exclude, cwd, settings.exclude_root, settings.cli_exclude, skipped,
                settings.follow_symlinks, gitignore=settings.gitignore,
            )
            self.report_skipped(skipped)
        directories = {f for f in files if f != "-" and os.path.isdir(f)}  # kustomizations, charts
        disk_files = [f for f in files if f != "-" and f not in directories]
        # Disk files come back in order, each as soon as its batch is parsed (the generator
        # owns the worker pool; it is closed below, or by refcounting if a step raises).
        cache = open_cache(settings.cache_dir, settings.limits) if settings.cache and settings.cache_dir and disk_files else None
        parsed_files = parse_all(disk_files, settings.limits, settings.jobs, cache)
        positions = PositionStore(settings.cache_dir, settings.limits) if cache is not None and settings.cache_dir else None
        for path in files:
            if path == "-":
                text, parsed = parse_bytes(self.stdin_bytes or b"", settings.limits)
                root = settings.helm_chart_root
                resolve = helm.chart_file_resolver(root, lambda p: display_path(p, cwd)) if root else None
                source = Source(STDIN_NAME, None, text, segments=helm.helm_segments(text, resolve) if resolve else helm.helm_segments(text))
                source.lossy = parsed.lossy
            elif path in directories:
                self.files += 1
                if kustomize.kustomization_file(path) is None and helm.is_chart(path):
                    yield from self._helm_chart(path, cwd)
                else:
                    yield from self._kustomization(path, cwd)
                continue
            else:
                parsed = next(parsed_files)
                source = Source(display_path(path, cwd), path)
                source.template_marks = parsed.template_marks
                if positions is not None and parsed.cache_entry is not None:
                    source.memo = positions.memo(parsed.cache_entry)
            self.files += 1
            self.sources.append(source)
            yield from self._parsed(source, parsed)
        parsed_files.close()
        if cache is not None:
            cache.close()
        for chart in settings.helm_charts:
            self.files += 1
            yield from self._helm_chart(chart, cwd)

    def _not_rendered(self, fs_path: str, cwd: str, error: RenderError, how: str) -> None:
        """A kustomization or chart that could not be rendered: one note at the top of its
        kustomization.yaml or Chart.yaml (kept as a source: SARIF hashes its lines); the run goes on."""
        location = Location(display_path(fs_path, cwd), 1)
        if os.path.isfile(fs_path):
            self.sources.append(Source(location.path, fs_path))
        self.problems.append(SkippedInput(location, f"not checked: {error}{how}", str(error)))
        directory = os.path.dirname(fs_path) if os.path.isfile(fs_path) else fs_path
        self.unrendered.append((display_path(directory, cwd), written_labels(directory)))

    def _text(self, source: Source, text: str) -> Iterator[Document]:
        parsed = parse_text(None, text, self.settings.limits, [])
        self.files += 1
        self.sources.append(source)
        yield from self._parsed(source, parsed)

    def _helm_chart(self, chart: str, cwd: str) -> Iterator[Document]:
        """``helm template CHART``, each document attributed to its template file."""
        settings = self.settings
        options = settings.helm_chart_options.get(os.path.realpath(chart))
        values = settings.helm_values + (options.values if options else ())
        set_values = settings.helm_set + (options.set if options else ())
        try:
            text = helm.render_chart(chart, values=values, set_values=set_values, shown=display_path(chart, cwd))
        except RenderError as error:
            chart_yaml = os.path.join(chart, "Chart.yaml")
            self._not_rendered(chart_yaml if os.path.isfile(chart_yaml) else chart, cwd, error, "")
            return
        resolve = helm.chart_file_resolver(chart, lambda p: display_path(p, cwd))
        source = Source(display_path(chart, cwd), None, text, segments=helm.helm_segments(text, resolve))
        yield from self._text(source, text)

    def _kustomization(self, directory: str, cwd: str) -> Iterator[Document]:
        """Render a kustomization; every object is attributed to the file that defines it."""
        if self._refuse_remote(directory, cwd):
            return
        kustomization_path = kustomize.kustomization_file(directory) or directory
        shown = display_path(directory, cwd)
        try:
            kustomize.kustomize_command(self.settings.kustomize_bin, f"kustomization {shown}")
        except ToolMissing as error:  # (a --kustomize-bin that cannot run stays a usage error)
            how = f"; or render it yourself: kubectl kustomize {shown} | svclint check -"
            self._not_rendered(kustomization_path, cwd, error, how)
            return
        try:
            rendered = kustomize.render(directory, self.settings.kustomize_bin, shown)
        except RenderError as error:  # the build failed: the rest of the run is still checked
            self._not_rendered(kustomization_path, cwd, error, "")
            return
        sources: dict[str, Source] = {}

        def open_source(fs_path: str) -> Source:
            source = sources.get(fs_path)
            if source is None:
                source = sources[fs_path] = Source(display_path(fs_path, cwd), fs_path)
                self._add_comments(source, find_comment_directives(source.text))
            return source

        kustomization = open_source(os.path.abspath(kustomization_path))
        attributor = kustomize.Attributor(directory, kustomization, rendered.resolve_origin, open_source)
        stream = parse_stream(rendered.text, self.settings.limits)
        rendered_source = Source(kustomization.path, None, rendered.text)
        self.sources.append(rendered_source)
        for problem in stream.problems:  # kustomize prints valid YAML, but a resource may be a template
            kind = TemplateProblem if problem.template else SyntaxProblem
            self.problems.append(kind(kustomization.location(1), problem.message))
        for doc_index, document in enumerate(stream.documents):
            origin = None
            if rendered.resolve_origin is not None and isinstance(document.data, dict):
                metadata = document.data.get("metadata")
                annotations = metadata.get("annotations") if isinstance(metadata, dict) else None
                if isinstance(metadata, dict) and isinstance(annotations, dict):
                    origin = annotations.pop(kustomize.ORIGIN_ANNOTATION, None)
                    if not annotations:
                        del metadata["annotations"]
            yield Document(
                rendered_source,
                doc_index,
                document,
                partial(attributor.attribute, origin_text=origin if isinstance(origin, str) else None),
                kustomization.location(1),
            )
        self.sources.extend(sources[path] for path in sorted(sources))  # the files findings point into

    def report_skipped(self, skipped: Skipped) -> None:
        problems, notes = skipped_input(skipped)
        self.problems.extend(problems)
        self.notes.extend(notes)

    def _refuse_remote(self, directory: str, cwd: str) -> bool:
        """Without --allow-remote, a kustomization tree that names remote resources is not
        built: one SVC009 note at each remote entry (``render.remote``), the rest is checked."""
        refused = [] if self.settings.allow_remote else remote.remote_references(directory)
        for reference in refused:
            location = Location(display_path(reference.file, cwd), reference.line, reference.column)
            self.problems.append(SkippedInput(location, f"not checked: {reference.message}", reference.message))
        for path in sorted({reference.file for reference in refused}):
            self.sources.append(Source(display_path(path, cwd), path))
        return bool(refused)

    def parsed_documents(self, source: Source, parsed: ParsedFile) -> Iterator[Document]:
        """The documents of one file parsed elsewhere (the language server's edited buffer)."""
        self.files += 1
        self.sources.append(source)
        return self._parsed(source, parsed)

    def _parsed(self, source: Source, parsed: ParsedFile) -> Iterator[Document]:
        self._add_comments(source, parsed.comments)
        if parsed.read_error is not None:
            line, column = parsed.read_error_at
            self.problems.append(SyntaxProblem(Location(source.path, line, column), parsed.read_error))
            return
        for problem in parsed.yaml_problems:
            location = source.location(problem.line, problem.column)
            if problem.not_manifest:
                message = f"not checked: {source.path} is not valid YAML ({problem.message}) and names no apiVersion or kind, so it holds no Kubernetes object"
                self.problems.append(SkippedInput(location, message))
                continue
            kind = TemplateProblem if problem.template else SyntaxProblem
            self.problems.append(kind(location, problem.message))
        for doc_index, document in enumerate(parsed.documents):
            if document.template_lines is not None:
                first, last = (source.location(line) for line in document.template_lines)
                if first.path == last.path:
                    self.templates.setdefault(first.path, []).append((first.line, last.line))
            yield Document(source, doc_index, document)

    def _add_comments(self, source: Source, comments: list[Directive]) -> None:
        """Record ``# svclint: ignore`` comments at the locations findings are reported at."""
        for line, column, names, covered in comments:
            location = source.location(line, column)
            target = location if covered == line else source.location(covered)
            if target.path == location.path:
                self.comments.setdefault(location.path, []).append((location.line, location.column, names, target.line))


def skipped_input(skipped: Skipped) -> tuple[list[SyntaxProblem], list[str]]:
    """What discovery left out, said once: an unlistable directory is an SVC001 (its files are
    missing from the graph); the symlinks not followed are one note naming them."""
    problems = [
        SyntaxProblem(Location(path, 1, 1), f"cannot list this directory: {reason}; its files are not checked")
        for path, reason in skipped.unlistable
    ]
    notes = []
    if skipped.outside_links:
        links = sorted(set(skipped.outside_links))
        notes.append(
            f"not following {len(links)} symlink{'s' if len(links) != 1 else ''} that lead{'s' if len(links) == 1 else ''} "
            f"outside the checked directories: {', '.join(links)}"
        )
    if skipped.test_data:
        found = sorted(set(skipped.test_data))
        notes.append(
            f"not walking {len(found)} test fixture director{'ies' if len(found) != 1 else 'y'} named testdata "
            f"(name one to check it): {', '.join(found)}"
        )
    return problems, notes
