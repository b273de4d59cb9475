"""Parsing files into documents, in worker processes when the input is large.

Workers return plain data (marshal, falling back to pickle); file texts stay on disk until a
finding needs a location. Batches are consumed in order while later ones are still parsed
(the pool, and when it pays, are ``parallel``'s).
"""

from __future__ import annotations

import marshal
import os
import pickle
from collections.abc import Generator
from dataclasses import dataclass, field, fields
from functools import partial
from typing import Any

from svclint.loading.cache import ParseCache
from svclint.loading.directives import Directive, find_comment_directives
from svclint.loading.source import (
    DocumentSpan,
    UnreadableFile,
    decode_manifest,
    read_bytes,
)
from svclint.loading.yamlload import LoadedDocument, YamlProblem, parse_stream
from svclint.parallel import gc_paused, jobs_for_parsing, map_in_workers
from svclint.settings import Limits


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
    cache_entry: str | None = None  # the cache entry of these bytes (their located positions are kept by it)


def parse_file(fs_path: str, limits: Limits, cache: ParseCache | None = None) -> ParsedFile:
    if cache is None:
        raw = _read(fs_path, limits)
        return raw if isinstance(raw, ParsedFile) else _parse_raw(fs_path, raw, limits)
    return _unpack(_parse_file_packed(fs_path, limits, cache))


def _read(fs_path: str, limits: Limits) -> bytes | ParsedFile:
    """The file's bytes, or the ParsedFile of a file that cannot be read."""
    try:
        if os.path.isdir(fs_path):
            raise UnreadableFile("is a directory, not a manifest file")
        size = os.path.getsize(fs_path)
        if size > limits.max_document_bytes:
            raise UnreadableFile(
                f"file is {size} bytes, over the limit of {limits.max_document_bytes} bytes"
            )
        return read_bytes(fs_path, limits.max_document_bytes)
    except UnreadableFile as error:
        return ParsedFile(fs_path, [], [], str(error), (error.line, error.column))
    except OSError as error:
        return ParsedFile(fs_path, [], [], f"cannot read file: {error.strerror or error}")


def _parse_raw(fs_path: str, raw: bytes, limits: Limits) -> ParsedFile:
    try:
        text, undecodable = decode_manifest(raw)
    except UnreadableFile as error:
        return ParsedFile(fs_path, [], [], str(error), (error.line, error.column))
    return parse_text(fs_path, text, limits, undecodable)


def _parse_file_packed(fs_path: str, limits: Limits, cache: ParseCache | None) -> tuple[Any, ...]:
    """One file as packed data, from the cache when its bytes were parsed before (an entry
    is the packed file without its path: a renamed or copied file hits too)."""
    known = cache.entry_of_unchanged(fs_path) if cache is not None else None  # not read again
    if known is not None:
        name, entry = known
        if isinstance(entry, tuple) and len(entry) == len(_FILE_FIELDS):
            return (fs_path, *entry[1:_CACHE_ENTRY], name)
    raw = _read(fs_path, limits)
    if isinstance(raw, ParsedFile):  # unreadable: said again on every run, never cached
        return _pack(raw)
    if cache is None:
        return _pack(_parse_raw(fs_path, raw, limits))
    name = cache.entry_name(raw)
    entry = cache.get_entry(name)
    if isinstance(entry, tuple) and len(entry) == len(_FILE_FIELDS):
        return (fs_path, *entry[1:_CACHE_ENTRY], name)
    packed = _pack(_parse_raw(fs_path, raw, limits))
    if packed[_READ_ERROR] is None:
        cache.put_entry(name, (None, *packed[1:]))
        return (*packed[:_CACHE_ENTRY], name)
    return packed


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


def _parse_batch(batch: list[str], limits: Limits, cache: ParseCache | None = None) -> list[ParsedFile]:
    with gc_paused():
        parsed = [parse_file(path, limits, cache) for path in batch]
    if cache is not None:
        cache.flush()  # one pack per batch
    return parsed


# Results travel from the workers as marshal data: plain dicts, lists and scalars are all a
# parsed document holds, and marshal writes and reads them 5-20x faster than pickle writes
# and reads the same data as dataclasses (measured on the 50k-object benchmark tree:
# 0.1 s instead of 1.7 s to write, 0.3 s instead of 1.8 s to read, per half of the files).


def _fields(cls: Any) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))


# Field by field, in declaration order, so a field added to any of these classes travels too.
_FILE_FIELDS, _DOC_FIELDS = _fields(ParsedFile), _fields(LoadedDocument)
_SPAN_FIELDS, _PROBLEM_FIELDS = _fields(DocumentSpan), _fields(YamlProblem)
_READ_ERROR = _FILE_FIELDS.index("read_error")
_CACHE_ENTRY = _FILE_FIELDS.index("cache_entry")
assert _CACHE_ENTRY == len(_FILE_FIELDS) - 1  # the last field: an entry is the rest


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


Batch = tuple[bool, bytes, dict[str, Any]]


def _parse_batch_packed(batch: list[str], limits: Limits, cache: ParseCache | None = None) -> Batch:
    """A worker's task: (is_marshal, payload, the places of the entries it wrote: one pack)."""
    with gc_paused():
        packed = [_parse_file_packed(path, limits, cache) for path in batch]
        added = cache.take_unpublished() if cache is not None else {}
        try:
            return True, marshal.dumps(packed), added
        except ValueError:  # a value marshal cannot write: pickle handles everything
            return False, pickle.dumps([_unpack(p) for p in packed], protocol=pickle.HIGHEST_PROTOCOL), added


def _unpack_batch(result: Batch, cache: ParseCache | None = None) -> list[ParsedFile]:
    is_marshal, payload, added = result
    if cache is not None and added:
        cache.add_unpublished(added)  # indexed by this process at the end of the run
    if not is_marshal:
        parsed: list[ParsedFile] = pickle.loads(payload)  # noqa: S301 - written by our own forked worker
        return parsed
    return [_unpack(state) for state in marshal.loads(payload)]


def parse_all(
    files: list[str], limits: Limits, jobs: int, cache: ParseCache | None = None
) -> Generator[ParsedFile, None, None]:
    """Every file parsed, in the order given (from ``cache`` where it has the file's bytes).

    With several jobs, consecutive batches are parsed by worker processes while the caller
    turns the batches already returned into objects: the parent's share of the work (about
    a quarter) overlaps the parsing instead of following it. Workers read the cache and
    write a pack per batch; this process indexes the new entries at the end (and prunes the
    cache to its size bound).
    """
    if cache is not None:
        cache.index()  # read once here, before the workers fork: they inherit it
    try:
        yield from map_in_workers(
            partial(_parse_batch_packed, limits=limits, cache=cache),
            files,
            jobs_for_parsing(jobs, files),
            receive=partial(_unpack_batch, cache=cache),
            here=partial(_parse_batch, limits=limits, cache=cache),
        )
    finally:  # (the reader closes this generator after taking the last file)
        if cache is not None:
            cache.publish()
