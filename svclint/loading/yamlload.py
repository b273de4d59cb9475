"""Fast YAML -> Python documents, the way kubectl reads them.

Why not ruamel.yaml's round-trip loader for everything: it is 20x slower than libyaml on a
realistic tree (reference: yaml-loaders.md), and positions are only needed for documents
with findings (``Source.locate`` re-composes those lazily). So the hot path composes nodes
with libyaml (C) and converts them with a small walker instead of PyYAML's generator-based
constructor. Scalars follow YAML 1.1 like kubectl's go-yaml (``yes`` is a bool, ``0755`` is
octal), except timestamps, which stay strings as they do in sigs.k8s.io/yaml.

The walker is also where hostile input is bounded: nesting depth, alias expansion (a
"billion laughs" document shares nodes; we count the expanded size instead of expanding),
duplicate keys (kubectl rejects them) and unknown tags (never constructed: a
``!!python/object`` tag is just a mapping or string here).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, cast

import yaml
from yaml.constructor import SafeConstructor

from svclint.loading import foreign
from svclint.loading.composer import Loader
from svclint.loading.nesting import NestingError, nesting_error
from svclint.loading.source import (
    LINE_BREAKS,
    DocumentSpan,
    key_text,
    line_column,
    split_lines,
)
from svclint.loading.templates import first_action, first_placeholder, template_placeholder, unrendered_message
from svclint.settings import Limits

_Loader = Loader  # libyaml with cheap tag resolution (see composer.py)

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_MERGE = "tag:yaml.org,2002:merge"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_ScalarNode, _SequenceNode = yaml.ScalarNode, yaml.SequenceNode  # exact classes: the composer makes no subclasses

_MAX_INT_BITS = 14_000  # 10**4214: under Python's int-to-str limit of 4,300 digits
_DOC_SEPARATOR = re.compile(r"^(?:---|\.\.\.)(?:[ \t].*)?$")


@dataclass
class LoadedDocument:
    """One parsed document with the span that can re-compose it for locations."""

    span: DocumentSpan
    line: int  # 1-based line where the document's content starts
    data: Any
    template_lines: tuple[int, int] | None = None  # a template (SVC005): its first and last line


@dataclass
class YamlProblem:
    """A syntax-level problem: becomes an SVC001 finding."""

    line: int
    column: int
    message: str
    template: bool = False  # True: a document that does not parse because it is a template (SVC005)
    not_manifest: bool = False  # a syntax error in a text that names no apiVersion or kind (SVC009)


@dataclass
class ParsedStream:
    documents: list[LoadedDocument] = field(default_factory=list)
    problems: list[YamlProblem] = field(default_factory=list)


class _DocumentTooLarge(Exception):
    def __init__(self, message: str, mark: yaml.Mark | None) -> None:
        super().__init__(message)
        self.mark = mark


def _short(value: str, limit: int = 40) -> str:
    return repr(value if len(value) <= limit else value[:limit] + "...")


class _AliasExpansion(_DocumentTooLarge):
    """Raised at the anchored node whose aliases pushed the expanded size over the limit."""


class _Walker:
    """Converts one composed document to plain dicts, lists and scalars."""

    _constructor = SafeConstructor()

    def __init__(self, limits: Limits, line_offset: int, aliases: bool = True) -> None:
        self.limits = limits
        self.line_offset = line_offset
        self.aliases = aliases  # False: the text has no ``*`` so no node is reached twice
        self.memo: dict[int, tuple[Any, int]] = {}
        self.expanded = 0
        self.problems: list[YamlProblem] = []  # duplicate keys, invalid tagged values
        self.mapping_key: yaml.Node | None = None  # first key that is a mapping: ``{{x}}`` parsed

    def convert(self, node: yaml.Node) -> Any:
        value, _ = self._node(node, 0)
        return value

    def _problem(self, node: yaml.Node, message: str) -> None:
        mark = node.start_mark
        self.problems.append(YamlProblem(mark.line + 1 + self.line_offset, mark.column + 1, message))

    def _scalar(self, node: yaml.ScalarNode) -> Any:
        tag = node.tag
        value = node.value
        if tag == _STR:
            return value
        try:  # free in CPython 3.11 unless it raises
            if tag == _INT:
                if value.isdigit() and (value[0] != "0" or len(value) == 1):  # 0755 is octal
                    return int(value)
                number: int = self._constructor.construct_yaml_int(node)
                # 0x/0o/0b/base-60 of more than ~4,300 decimal digits: kubectl's go-yaml reads
                # any integer past 64 bits as a string (gopkg.in/yaml.v2 resolve.go: ParseInt,
                # ParseUint and ParseFloat all fail), and Python's str() of it would raise in
                # every rule that formats it. So it is the text, like a long decimal above.
                return value if number.bit_length() > _MAX_INT_BITS else number
            if tag == _BOOL:
                return self._constructor.construct_yaml_bool(node)
            if tag == _NULL:
                return None
            if tag == _FLOAT:
                return self._constructor.construct_yaml_float(node)
        except (ValueError, KeyError, IndexError):
            return self._invalid_scalar(node)
        return value  # timestamps, binary, custom and unknown tags: the text itself

    def _invalid_scalar(self, node: yaml.ScalarNode) -> str:
        """An explicitly tagged value that is not of its tag (``!!int abc``), or an integer
        of more digits than Python converts: kubectl's go-yaml rejects the first and reads
        the second as a string, so do we; the document is kept with the text."""
        value: str = node.value
        digits = value.lstrip("+-").replace("_", "")
        if digits.isascii() and digits.isdigit():
            return value
        tag = "!!" + node.tag.rsplit(":", 1)[-1]
        self._problem(node, f"cannot read {_short(value)} as {tag}; remove the tag or fix the value")
        return value

    def _node(self, node: yaml.Node, depth: int) -> tuple[Any, int]:
        if type(node) is _ScalarNode:
            return self._scalar(node), 1
        if depth >= self.limits.max_depth:
            raise _DocumentTooLarge(
                f"nesting deeper than {self.limits.max_depth} levels", node.start_mark
            )
        cached = self.memo.get(id(node)) if self.aliases else None
        if cached is not None:  # an alias: shared, counted as if expanded (only aliases
            # count: a large document without aliases is bounded by max_document_bytes)
            self._count(cached[1], node)
            return cached
        if type(node) is _SequenceNode:
            items = []
            size = 1
            for child in node.value:
                if type(child) is _ScalarNode:  # most items: no call for the (value, size) pair
                    items.append(child.value if child.tag == _STR else self._scalar(child))
                    size += 1
                    continue
                value, child_size = self._node(child, depth + 1)
                items.append(value)
                size += child_size
            result: tuple[Any, int] = (items, size)
        else:
            result = self._mapping(cast(yaml.MappingNode, node), depth)  # the only kind left
        if self.aliases:
            self.memo[id(node)] = result
        return result

    def _count(self, size: int, node: yaml.Node) -> None:
        self.expanded += size
        if self.expanded > self.limits.max_expanded_nodes:
            raise _AliasExpansion(
                f"expand this document to more than {self.limits.max_expanded_nodes} "
                "nodes (an alias bomb?); limits.max-expanded-nodes",
                node.start_mark,
            )

    def _mapping(self, node: yaml.MappingNode, depth: int) -> tuple[dict[Any, Any], int]:
        mapping: dict[Any, Any] = {}
        merged: list[dict[Any, Any]] = []
        size = 1
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                value, child_size = self._node(value_node, depth + 1)
                size += child_size
                sources = value if isinstance(value, list) else [value]
                if not all(isinstance(s, dict) for s in sources):
                    # go-yaml: "map merge requires map or sequence of maps as the value"
                    self._problem(value_node, "merge key << needs a mapping or a list of mappings")
                merged.extend(s for s in sources if isinstance(s, dict))
                continue
            if type(key_node) is _ScalarNode and key_node.tag == _STR:  # most keys
                key = key_node.value
            else:
                key, _ = self._node(key_node, depth + 1)
                if isinstance(key_node, yaml.MappingNode) and self.mapping_key is None:
                    self.mapping_key = key_node
                if not isinstance(key, (str, int, float, bool, type(None))):
                    key = str(key)
            if type(value_node) is _ScalarNode:  # a leaf: no call for the (value, size) pair
                value = value_node.value if value_node.tag == _STR else self._scalar(value_node)
                size += 1
            else:
                value, child_size = self._node(value_node, depth + 1)
                size += child_size
            if key in mapping:
                self._problem(key_node, f'mapping key "{key_text(key)}" already defined; kubectl rejects duplicate keys')
            mapping[key] = value
        if merged:
            # YAML merge keys: explicit keys win, earlier merged mappings win over later ones.
            combined: dict[Any, Any] = {}
            for source in reversed(merged):
                combined.update(source)
            combined.update(mapping)
            mapping = combined
        return mapping, size


def _token_at(text: str, index: int, indicator: str) -> str | None:
    """The anchor (``&name``) or alias (``*name``) written at ``index``, if one is."""
    if index < 0 or not text.startswith(indicator, index):
        return None
    match = re.match(r"[&*][^\s,\[\]{}]+", text[index : index + 256])
    return match.group() if match else None


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [child for pair in node.value for child in pair]
    return node.value if isinstance(node, yaml.SequenceNode) else []


def _cyclic_node(root: yaml.Node) -> yaml.Node | None:
    """A node that contains itself through an alias (only called once a limit was hit)."""
    open_nodes: set[int] = {id(root)}
    done: set[int] = set()
    stack = [(root, iter(_children(root)))]
    while stack:
        node, children = stack[-1]
        child = next(children, None)
        if child is None:
            open_nodes.discard(id(node))
            done.add(id(node))
            stack.pop()
        elif id(child) in open_nodes:
            return child
        elif id(child) not in done and not isinstance(child, yaml.ScalarNode):
            open_nodes.add(id(child))
            stack.append((child, iter(_children(child))))
    return None


def _reader_problem(error: yaml.reader.ReaderError, line_offset: int, text: str) -> YamlProblem:
    """libyaml reports a forbidden character by UTF-8 byte offset; turn it into line/column."""
    before = text.encode("utf-8", "surrogatepass")[: error.position].decode("utf-8", "replace")
    line, column = line_column(before, len(before))
    return YamlProblem(
        line + line_offset,
        column,
        f"character U+{error.character:04X} is not allowed in YAML ({error.reason}); remove it",
    )


def _problem_from_error(error: Exception, line_offset: int, text: str = "") -> YamlProblem:
    if isinstance(error, yaml.reader.ReaderError) and isinstance(error.character, int):
        return _reader_problem(error, line_offset, text)
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    context_mark = getattr(error, "context_mark", None)
    if mark is not None and context_mark is not None and not text[mark.index :].strip():
        # The parser ran into the end of the document (an unclosed bracket or quote): the
        # construct that was left open is where the user has to look.
        mark = context_mark
    problem = getattr(error, "problem", None)
    context = getattr(error, "context", None)
    message = problem or str(error)
    if context and problem:
        message = f"{problem} ({context})"
    if mark is None:
        return YamlProblem(line_offset + 1, 1, message)
    alias = _token_at(text, mark.index, "*") if problem == "found undefined alias" else None
    if alias:
        message = f"alias {alias} is not defined in this document (anchors do not cross ---)"
    if mark.index < len(text) and text[mark.index] == "\t":
        message += "; YAML does not allow tabs for indentation, use spaces"
    if text.strip() and not text[mark.index :].strip():
        # Still at the end with nothing open to point at: the last line of the document,
        # not a line after the end of the file.
        line, _ = line_column(text, len(text.rstrip()))
        return YamlProblem(line + line_offset, 1, message)
    return YamlProblem(mark.line + 1 + line_offset, mark.column + 1, message)


def _too_many_objects(line: int, limits: Limits) -> YamlProblem:
    return YamlProblem(
        line, 1,
        f"more than {limits.max_objects_per_file} Kubernetes objects in this file; this one and the rest "
        "of the file are not checked (limits.max-objects-per-file)",
    )


def _parse(text: str, limits: Limits, chunk: bool, line_offset: int, objects: list[int] | None = None) -> ParsedStream:
    """Parse a whole stream; raises yaml errors to the caller on syntax problems.

    ``objects`` counts the Kubernetes objects of the file so far (shared by its chunks):
    past ``limits.max_objects_per_file`` the rest of the file is one problem, so a huge
    file costs bounded memory and keeps the findings of what was read."""
    out = ParsedStream()
    objects = objects if objects is not None else [0]
    too_deep = nesting_error(text, limits.max_depth)
    if too_deep is not None:
        raise too_deep
    loader = _Loader(text)
    aliases = "*" in text
    # Once per stream, not per document: a scan of the whole text in the loop made a file of
    # N tiny documents cost N times its size (100,000 documents: minutes).
    template_marks = "{{" in text or "${" in text
    try:
        index = 0
        while loader.check_node():
            node = loader.get_node()
            span = DocumentSpan(index, line_offset, text if chunk else None)
            line = node.start_mark.line + 1 + line_offset
            walker = _Walker(limits, line_offset, aliases)
            try:
                data = walker.convert(node)
            except _DocumentTooLarge as too_large:
                mark, message = too_large.mark, str(too_large)
                cyclic = _cyclic_node(node)
                if cyclic is not None:  # `&a [*a]`: PyYAML composes a cycle, go-yaml refuses it
                    mark, message = cyclic.start_mark, "an alias refers to the node that contains it"
                elif isinstance(too_large, _AliasExpansion):
                    anchor = _token_at(text, mark.index if mark else -1, "&")
                    message = f"aliases of {anchor} {message}" if anchor else f"aliases {message}"
                out.problems.append(
                    YamlProblem(
                        (mark.line if mark else 0) + 1 + line_offset,
                        (mark.column if mark else 0) + 1,
                        message,
                    )
                )
                data = None
            if isinstance(data, dict) and "kind" in data:
                objects[0] += 1
                if objects[0] > limits.max_objects_per_file:
                    out.problems.append(_too_many_objects(line, limits))
                    break
            out.problems.extend(walker.problems)
            # Another tool's file (an eksctl ClusterConfig naming ``${EKS_CLUSTER_NAME}``) is skipped
            # later as a whole (loading.foreign), so it is no template of a manifest either.
            templated = template_marks and not (isinstance(data, dict) and foreign.is_tool_config(data))
            placeholder = _template_placeholder(node, walker, data, text, line_offset) if templated else None
            template_lines = None
            if placeholder is not None:  # one SVC005; the other rules' findings in it are dropped
                out.problems.append(placeholder)
                template_lines = (line, node.end_mark.line + 1 + line_offset)
            out.documents.append(LoadedDocument(span, line, data, template_lines))
            index += 1
    finally:
        loader.dispose()
    return out


def _node_at(node: yaml.Node, path: tuple[str | int, ...]) -> yaml.Node:
    """The node at ``path`` (as deep as it exists): where a template placeholder is reported."""
    for part in path:
        child = None
        if isinstance(node, yaml.MappingNode):
            child = next((v for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == part), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            child = node.value[part]
        if child is None:
            break
        node = child
    return node


def _template_placeholder(
    node: yaml.Node, walker: _Walker, data: Any, text: str, line_offset: int
) -> YamlProblem | None:
    """SVC005 for a document that parsed but is a template (``templates.template_placeholder``,
    or a mapping key that is a mapping: ``replicas: {{x}}`` is a flow mapping in a flow
    mapping, which no manifest holds and kubectl's YAML-to-JSON conversion rejects)."""
    path = template_placeholder(data)
    candidates = [n for n in (walker.mapping_key, _node_at(node, path) if path is not None else None) if n is not None]
    if not candidates:
        return None
    mark = min((n.start_mark for n in candidates), key=lambda m: (m.line, m.column))
    lines = split_lines(text)
    line = lines[mark.line] if mark.line < len(lines) else ""
    start = mark.column - 1 if 0 < mark.column <= len(line) and line[mark.column - 1] == "{" else mark.column
    found = first_placeholder(line[start:])  # a mapping key ``{x}`` starts at the second brace
    action, column = (found[1], start + found[0]) if found else ("{{", mark.column + 1)
    return YamlProblem(mark.line + 1 + line_offset, column, unrendered_message(action), template=True)


def split_documents(text: str) -> list[tuple[int, str]]:
    """Split a stream at ``---`` / ``...`` lines: (0-based first line, chunk text)."""
    chunks: list[tuple[int, str]] = []
    start = 0
    current: list[str] = []
    for number, line in enumerate(split_lines(text, keepends=True)):
        if _DOC_SEPARATOR.match(line.rstrip(LINE_BREAKS)) and line.startswith(("---", "...")):
            if current:
                chunks.append((start, "".join(current)))
            start = number
            current = [line] if line.startswith("---") else []
            if not current:
                start = number + 1
            continue
        current.append(line)
    if current:
        chunks.append((start, "".join(current)))
    return chunks


# A Kubernetes object names its apiVersion and kind; a text that names neither anywhere (a
# data file: a MongoDB import's ``{rating: 5}`` lines, in Istio's samples) is no manifest,
# whatever its syntax, so its syntax error is a note that it was not checked, not an SVC001.
NAMES_AN_OBJECT = re.compile(r"""\b(?:apiVersion|kind)["']?\s*:""")


def parse_stream(text: str, limits: Limits = Limits()) -> ParsedStream:
    """Every document of ``text``; syntax errors become problems, never exceptions.

    When the stream fails, each ``---`` chunk is parsed separately so that one broken
    document does not hide the findings of its neighbours.
    """
    try:
        return _parse(text, limits, chunk=False, line_offset=0)
    except (yaml.YAMLError, RecursionError):
        pass
    out = ParsedStream()
    objects = [0]
    for first_line, chunk_text in split_documents(text):
        if objects[0] > limits.max_objects_per_file:
            break
        try:
            parsed = _parse(chunk_text, limits, chunk=True, line_offset=first_line, objects=objects)
        except yaml.YAMLError as error:
            action = None if isinstance(error, NestingError) else first_action(chunk_text)
            if action is not None:  # not YAML yet: one SVC005 instead of syntax errors
                out.problems.append(YamlProblem(first_line + action[0] + 1, action[1], unrendered_message(action[2]), template=True))
            else:
                problem = _problem_from_error(error, first_line, chunk_text)
                problem.not_manifest = not NAMES_AN_OBJECT.search(text)
                out.problems.append(problem)
            continue
        except RecursionError:
            out.problems.append(
                YamlProblem(first_line + 1, 1, "document is nested too deeply to parse")
            )
            continue
        out.documents.extend(parsed.documents)
        out.problems.extend(parsed.problems)
    return out
