"""A plain unit's load cut into one part per file, and joined again.

The language server re-loads only the file being edited, and a cached run where a few files
changed (``lint.replay``) re-loads only those; both keep every other file's part and join.
A part holds what one file contributes (objects, problems, its source, ignore comments,
template lines, documents that are not Kubernetes); what belongs to no one file (problems
located elsewhere, the loader's notes, the counts and what other units hold) stays in
``extra``. Joining puts the files' problems first, in file order, then ``extra``'s:
``kube.objects`` orders a whole load's problems the same way, so a joined load and a load
of the same files are equal.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from svclint.kube.objects import LoadResult


@dataclass
class LoadParts:
    """``files`` (display paths, in load order), each file's part, and the rest."""

    files: list[str] = field(default_factory=list)
    parts: dict[str, LoadResult] = field(default_factory=dict)
    extra: LoadResult = field(default_factory=LoadResult)

    def copy(self) -> LoadParts:
        """A copy whose files may be given other parts; the parts themselves are shared."""
        return LoadParts(list(self.files), dict(self.parts), self.extra)


def split_load(load: LoadResult) -> LoadParts:
    """Cut ``load`` (one plain unit, not rendered) into per-file parts."""
    split = LoadParts()
    for source in load.sources:
        split.files.append(source.path)
        split.parts[source.path] = LoadResult(
            sources=[source], files=1, skipped_documents=load.skipped_in.get(source.path, 0)
        )
    for obj in load.objects:
        split.parts[obj.source.path].objects.append(obj)
    for problem in load.problems:
        owner = split.parts.get(problem.location.path)
        (owner if owner is not None else split.extra).problems.append(problem)
    for path, comments in load.comments.items():
        owner = split.parts.get(path)
        if owner is not None:
            owner.comments[path] = comments
    for path, lines in load.templates.items():
        owner = split.parts.get(path)
        if owner is not None:
            owner.templates[path] = lines
    extra = split.extra
    extra.notes = list(load.notes)
    extra.files = load.files - len(split.files)
    extra.skipped_documents = load.skipped_documents - sum(load.skipped_in.get(path, 0) for path in split.files)
    extra.elsewhere, extra.pods_elsewhere = load.elsewhere, load.pods_elsewhere
    extra.unrendered, extra.unrendered_elsewhere = load.unrendered, load.unrendered_elsewhere
    return split


def join_parts(split: LoadParts) -> LoadResult:
    """The unit's load from its parts, as ``load`` would make it from the same files."""
    extra = split.extra
    joined = LoadResult(
        notes=list(extra.notes),
        files=extra.files,
        skipped_documents=extra.skipped_documents,
        elsewhere=extra.elsewhere,
        pods_elsewhere=extra.pods_elsewhere,
        unrendered=extra.unrendered,
        unrendered_elsewhere=extra.unrendered_elsewhere,
    )
    for path in split.files:
        part = split.parts[path]
        joined.objects.extend(part.objects)
        joined.problems.extend(part.problems)
        joined.sources.extend(part.sources)
        joined.comments.update(part.comments)
        joined.templates.update(part.templates)
        joined.files += part.files
        joined.skipped_documents += part.skipped_documents
        if part.skipped_documents:
            joined.skipped_in[path] = part.skipped_documents
    joined.problems.extend(extra.problems)
    return joined
