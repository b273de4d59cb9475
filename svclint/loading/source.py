"""Where things are: source files, field paths, and 1-based locations.

Loading is done once, fast, without positions (see ``yamlload``). Positions are needed
only for the few documents that have findings, so a ``Source`` re-composes its text with
libyaml on the first ``locate`` call and keeps the node trees for later calls.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import yaml
from yaml.constructor import SafeConstructor

from svclint.findings import Location
from svclint.loading.composer import Loader
from svclint.loading.nesting import COMPOSE_SAFE_DEPTH, nesting_error
from svclint.loading.positions import PositionMemo, position_key

PathPart = str | int
FieldPath = tuple[PathPart, ...]

STDIN_NAME = "<stdin>"


class UnreadableFile(Exception):
    """A file that cannot be read as UTF-8 text; the message says why, and where if known."""

    def __init__(self, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.line = line
        self.column = column


# YAML's line breaks (libyaml counts these, and only these, in its marks). str.splitlines
# also splits at \v, \f and \x1c-\x1e, which would shift every later line number.
_LINE = re.compile(r"[^\r\n\x85\u2028\u2029]*(?:\r\n|[\r\n\x85\u2028\u2029])|[^\r\n\x85\u2028\u2029]+$")
LINE_BREAKS = "\r\n\x85\u2028\u2029"


def split_lines(text: str, keepends: bool = False) -> list[str]:
    """``str.splitlines`` with YAML's line breaks, so line numbers agree with the parser."""
    lines = _LINE.findall(text)
    return lines if keepends else [line.rstrip(LINE_BREAKS) for line in lines]


_BREAK = re.compile(r"\r\n|[\r\n\x85\u2028\u2029]")


def line_column(text: str, index: int) -> tuple[int, int]:
    """1-based (line, column) of ``text[index]``, counting lines as YAML does."""
    line, start = 1, 0
    for match in _BREAK.finditer(text, 0, index):
        line, start = line + 1, match.end()
    return line, index - start + 1


_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


_DOCUMENT_START = re.compile(rb"^(?=---(?:[ \t\r]|$))", re.MULTILINE)


class _NulByte(Exception):
    """A NUL byte in a document after the first: that document is skipped."""

    def __init__(self, start: int) -> None:
        super().__init__("NUL byte")
        self.start = start


def decode_manifest(raw: bytes) -> tuple[str, list[UnreadableFile]]:
    """UTF-8 text (byte order marks dropped) and the documents that are not UTF-8.

    kubectl splits a stream into documents before decoding each, so a stray Latin-1 byte
    costs only its own document: that document is blanked (its lines kept, so every other
    line number holds) and reported. Binary and UTF-16 input raise UnreadableFile.
    """
    if raw.startswith(_UTF16_BOMS):
        raise UnreadableFile("UTF-16 text (byte order mark); svclint reads UTF-8: re-save the file as UTF-8")
    chunks = _DOCUMENT_START.split(raw) if b"\0" in raw else []
    if b"\0" in next((c for c in chunks if c.strip()), b""):
        raise UnreadableFile("binary file (contains NUL bytes), not YAML text")
    if not chunks:
        try:
            return _drop_boms(raw.decode("utf-8-sig")), []
        except UnicodeDecodeError:
            chunks = _DOCUMENT_START.split(raw)
    parts: list[str] = []
    problems: list[UnreadableFile] = []
    line = 1
    for chunk in chunks:
        try:
            if b"\0" in chunk:  # a NUL after the first document costs only its own (as kubectl)
                raise _NulByte(chunk.index(b"\0"))
            text = chunk.decode("utf-8-sig")
        except (UnicodeDecodeError, _NulByte) as error:
            before = chunk[: error.start].decode("utf-8-sig", "replace")
            at_line, column = line_column(before, len(before))
            at_line += line - 1
            what = "a NUL byte" if isinstance(error, _NulByte) else f"not valid UTF-8: byte 0x{chunk[error.start]:02x}"
            problems.append(
                UnreadableFile(
                    f"{what} at line {at_line}, column {column};"
                    f" this document is skipped{'' if isinstance(error, _NulByte) else ' (save the file as UTF-8)'}",
                    at_line,
                    column,
                )
            )
            # Blank the document but keep each of its lines, so later line numbers hold.
            lines = split_lines(chunk.decode("utf-8", "replace"), keepends=True)
            text = "".join("\n" if part.endswith(tuple(LINE_BREAKS)) else " " for part in lines)
        parts.append(text)
        line += len(_BREAK.findall(text))
    return _drop_boms("".join(parts)), problems


def _drop_boms(text: str) -> str:
    if "\ufeff" in text:
        # Files concatenated with `cat` keep each one's BOM at the start of a line; kubectl
        # splits documents first, and go-yaml skips a BOM at the start of each.
        text = text.replace("\n\ufeff", "\n")
    return text


def read_manifest(fs_path: str, max_bytes: int | None = None) -> tuple[str, list[UnreadableFile]]:
    """A file's text and its undecodable documents, refusing more than ``max_bytes`` (a pipe
    or /dev/zero has no size to check beforehand, so the read itself is bounded)."""
    return decode_manifest(read_bytes(fs_path, max_bytes))


def read_bytes(fs_path: str, max_bytes: int | None = None) -> bytes:
    """A file's bytes, at most ``max_bytes`` (UnreadableFile says why not)."""
    try:
        with open(fs_path, "rb") as handle:
            raw = handle.read() if max_bytes is None else handle.read(max_bytes + 1)
    except OSError as error:
        raise UnreadableFile(f"cannot read file: {error.strerror or error}") from None
    if max_bytes is not None and len(raw) > max_bytes:
        raise UnreadableFile(f"file is over the limit of {max_bytes} bytes (limits.max-document-bytes)")
    return raw


def read_text(fs_path: str, max_bytes: int | None = None) -> str:
    """The text the loader parsed (documents that are not UTF-8 blanked)."""
    return read_manifest(fs_path, max_bytes)[0]

_PATH_TOKEN = re.compile(r"\[(\d+)\]|\[\"((?:[^\"\\]|\\.)*)\"\]|\.?([^.\[\]]+)")


def parse_field_path(text: str) -> FieldPath:
    """Parse ``spec.ports[1].nodePort`` (or ``metadata.labels["app.kubernetes.io/name"]``)."""
    parts: list[PathPart] = []
    for match in _PATH_TOKEN.finditer(text):
        index, quoted, name = match.groups()
        if index is not None:
            parts.append(int(index))
        elif quoted is not None:
            parts.append(quoted.replace('\\"', '"'))
        else:
            parts.append(name)
    return tuple(parts)


def key_text(key: object) -> str:
    """A mapping key as YAML writes it: ``null``, ``true``, ``1.5``, or the string itself."""
    if key is None or isinstance(key, bool):
        return {None: "null", True: "true", False: "false"}[key]
    return str(key)


def format_field_path(path: FieldPath) -> str:
    """Inverse of ``parse_field_path``; keys with dots or brackets are quoted."""
    out = []
    for part in path:
        if isinstance(part, int) and not isinstance(part, bool):
            out.append(f"[{part}]")
            continue
        if not isinstance(part, str):  # a mapping key written `~:`, `true:` or `1.5:`
            part = key_text(part)
        if re.fullmatch(r"[^.\[\]\"]+", part):
            out.append(f".{part}" if out else part)
        else:
            escaped = part.replace('"', '\\"')
            out.append(f'["{escaped}"]')
    return "".join(out)


@dataclass(frozen=True)
class DocumentSpan:
    """Where one YAML document came from: the whole-file stream, or a chunk of it.

    A chunk is used only when the file as a whole did not parse: each ``---`` separated
    part is then parsed on its own so one bad document cannot hide the others.
    """

    stream_index: int  # index among the documents of ``text`` below
    line_offset: int = 0  # added to 0-based lines of ``text``
    text: str | None = None  # None: the Source's own text


@dataclass(frozen=True)
class Segment:
    """Lines of a rendered stream that come from another file (Helm's ``# Source:``).

    Line ``first_line`` of the stream and every later line (up to the next segment) are
    reported in ``path``, at ``line - line_offset``.
    """

    first_line: int  # 1-based line of the stream where the segment starts
    path: str
    line_offset: int


def _child(node: yaml.Node, part: PathPart) -> tuple[yaml.Mark, yaml.Node] | None:
    """(mark, node) of ``part`` under ``node``: a mapping entry at its key, an item at itself."""
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and _key_is(key_node, part):
                return key_node.start_mark, value_node
    elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
        return node.value[part].start_mark, node.value[part]
    return None


def _key_is(key_node: yaml.ScalarNode, part: object) -> bool:
    if isinstance(part, str):
        return bool(key_node.value == part)
    try:  # a key written `~:`, `true:` or `1.5:` (rare: only then is the key constructed)
        return bool(SafeConstructor().construct_object(key_node) == part)
    except (yaml.YAMLError, ValueError, KeyError):
        return False


@dataclass(eq=False)
class Source:
    """One input file (or stdin) and lazily composed node trees for locating fields.

    The text of a file is read again only when a finding needs a location or a comment:
    the fast load runs in worker processes and does not ship file texts back.
    """

    path: str  # as displayed and reported (relative to the working directory when inside it)
    fs_path: str | None = None  # where to read the text again; None for stdin
    _text: str | None = field(default=None, repr=False)
    _nodes: dict[int, list[yaml.Node | None]] = field(default_factory=dict, repr=False)
    segments: tuple[Segment, ...] = ()  # rendered output attributed to its template files
    lossy: bool = False  # documents that were not UTF-8 are blanked in ``text``
    template_marks: bool = True  # False when the text is known to hold no "{{"
    memo: PositionMemo | None = field(default=None, repr=False)  # positions kept between runs

    def __getstate__(self) -> dict[str, object]:
        """Pickled (``lint.replay``'s snapshots) without what is this run's: the text of a file
        on disk (read again when needed), composed nodes, the link to this run's positions."""
        state = dict(self.__dict__)
        state.update(_nodes={}, memo=None)
        if self.fs_path:
            state["_text"] = None
        return state

    @property
    def text(self) -> str:
        if self._text is None:
            try:
                if self.fs_path:
                    raw = read_bytes(self.fs_path)
                    if self.memo is not None:
                        self.memo.verify(raw)
                    self._text, undecodable = decode_manifest(raw)
                    self.lossy = bool(undecodable)
                else:
                    self._text = ""
            except UnreadableFile:
                self._text = ""
        return self._text

    def location(self, line: int, column: int = 1) -> Location:
        """The reported Location of 1-based ``line``: in this file, or in the file a
        rendered segment came from (the segment's own line numbers)."""
        for segment in reversed(self.segments):
            if line >= segment.first_line:
                return Location(segment.path, max(1, line - segment.line_offset), column)
        return Location(self.path, line, column)

    def _compose(self, span: DocumentSpan) -> yaml.Node | None:
        text = self.text if span.text is None else span.text
        key = -1 if span.text is None else span.line_offset
        nodes = self._nodes.get(key)
        if nodes is None:
            nodes = []
            if nesting_error(text, COMPOSE_SAFE_DEPTH) is not None:
                self._nodes[key] = nodes  # changed on disk since loading: no locations
                return None
            loader = Loader(text)
            try:
                while loader.check_node():
                    nodes.append(loader.get_node())
            except yaml.YAMLError:
                pass  # documents before the error stay locatable
            except RecursionError:
                pass
            finally:
                loader.dispose()
            self._nodes[key] = nodes
        return nodes[span.stream_index] if span.stream_index < len(nodes) else None

    def locate(self, span: DocumentSpan, path: FieldPath) -> tuple[int, int]:
        """1-based (line, column) of ``path`` in a document, or of its deepest existing parent.

        A mapping entry is located at its key (``nodePort:``), a sequence item at the item.
        """
        line, column, _ = self.find(span, path)
        return line, column

    def find(self, span: DocumentSpan, path: FieldPath) -> tuple[int, int, bool]:
        """Like ``locate``, plus whether the whole ``path`` exists in the document."""
        if self.memo is None:
            return self._find(span, path)
        key = position_key((span.text is None, span.stream_index, span.line_offset), path, False)
        known = self.memo.get(key)
        if known is None:
            known = self._find(span, path)
            self.memo.put(key, known)
        line, column, found = known
        return line, column, found

    def _find(self, span: DocumentSpan, path: FieldPath) -> tuple[int, int, bool]:
        node = self._compose(span)
        if node is None:
            return span.line_offset + 1, 1, False
        mark = node.start_mark
        found = 0
        for part in path:
            child = _child(node, part)
            if child is None:
                break
            child_mark, node = child
            mark = child_mark
            found += 1
        return mark.line + 1 + span.line_offset, mark.column + 1, found == len(path)

    def documents(self) -> list[yaml.Node | None]:
        """Composed nodes of every document of the whole text (for attribution)."""
        self._compose(DocumentSpan(0))
        return list(self._nodes.get(-1, []))

    def value_location(self, span: DocumentSpan, path: FieldPath) -> tuple[int, int] | None:
        """1-based (line, column) of the *value* at ``path`` when it exists."""
        if self.memo is None:
            return self._value_location(span, path)
        key = position_key((span.text is None, span.stream_index, span.line_offset), path, True)
        known = self.memo.get(key)
        if known is None:
            known = self._value_location(span, path) or ()
            self.memo.put(key, known)
        return (known[0], known[1]) if known else None

    def _value_location(self, span: DocumentSpan, path: FieldPath) -> tuple[int, int] | None:
        node = self.value_node(span, path)
        if node is None:
            return None
        return node.start_mark.line + 1 + span.line_offset, node.start_mark.column + 1

    def value_node(self, span: DocumentSpan, path: FieldPath) -> yaml.Node | None:
        """The composed node of the value at ``path`` (its text and style, as written)."""
        node = self._compose(span)
        for part in path:
            if node is None:
                return None
            child = _child(node, part)
            nxt = child[1] if child is not None else None
            node = nxt
        return node


@dataclass(frozen=True)
class DefinedIn:
    """A document of another file that defines (part of) a rendered object.

    ``pinned`` documents are reported at ``base_path`` whatever field is asked for (a
    kustomization's ``configMapGenerator`` entry defines a whole generated object).
    """

    source: Source
    span: DocumentSpan
    base_path: FieldPath = ()
    pinned: bool = False


@dataclass(frozen=True)
class Attribution:
    """Where to report the fields of a rendered object (kustomize): the user's files.

    A field is reported in the first ``patches`` document that sets it (the file that
    changed it last), otherwise in the ``resource`` document at the field or its deepest
    existing parent.
    """

    resource: DefinedIn
    patches: tuple[DefinedIn, ...] = ()

    def locate(self, path: FieldPath) -> Location:
        # A patch names its target (kind, metadata.name): only the fields it sets are its own.
        names_target = len(path) < 2 or path in (("metadata", "name"), ("metadata", "namespace"))
        for patch in () if names_target else self.patches:
            line, column, found = patch.source.find(patch.span, patch.base_path + path)
            if found:
                return patch.source.location(line, column)
        where = self.resource
        line, column, _ = where.source.find(where.span, where.base_path + (() if where.pinned else path))
        return where.source.location(line, column)
