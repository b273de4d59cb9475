"""Declarative single-object rules: YAML files with metadata, docs and a JSON Schema.

Semantics: every object whose kind is in ``match.kinds`` must **satisfy** ``schema``. Each
validation error is one finding, located at the failing field (``ValidationError.
absolute_path`` walked through ``K8sObject.location``; a missing field points at its
parent). Messages come from the failing subschema's ``x-message``, else the rule's
``message``, else jsonschema's own text, with placeholders filled in.

Rule files are validated against ``schemas/rule.schema.json`` and their ``schema`` against
its JSON Schema meta-schema; a bad file raises ``RuleFileError`` naming the file and line.
The built-in ``rules/`` directory (shipped as ``svclint/_rules``) is always read; users add
directories with ``--rules-dir`` or ``rule-dirs:``. The built-in files are svclint's own,
validated by its tests (tests/test_declarative_rules.py) rather than on every run (about
20 ms a run), and a rule's validator is compiled when the rule first meets an object it
matches, so a run that checks none (a replay whose changed files hold none: the rules are
``per_object``) does not import jsonschema (30 ms).
"""

from __future__ import annotations

import functools
import json
import os
import string
from collections.abc import Callable, Iterator, Sequence
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from svclint.findings import Severity
from svclint.kube.model import K8sObject
from svclint.kube.validation import go_value
from svclint.lint.rule import CatalogError, Rule, RuleContext, Violation
from svclint.lint.rulefiles import builtin_rules_dir, rule_files
from svclint.lint.yamllines import yaml_line_of
from svclint.loading.nesting import nesting_error
from svclint.loading.source import FieldPath, UnreadableFile, format_field_path, read_manifest
from svclint.loading.yamlload import parse_stream
from svclint.settings import Limits

if TYPE_CHECKING:
    import jsonschema

PLACEHOLDERS = frozenset({"value", "field", "kind", "name", "namespace", "object", "error", "missing"})
MESSAGE_KEY = "x-message"
RULE_FILE_LIMITS = Limits(max_depth=100, max_expanded_nodes=100_000, max_document_bytes=1024 * 1024)


class RuleFileError(CatalogError):
    """A declarative rule file that cannot be used; the message starts with ``file:line:``."""


class SchemaRule(Rule):
    """Base of the classes built from rule files (see the module docstring)."""

    kinds: ClassVar[tuple[str, ...]] = ()
    schema: ClassVar[dict[str, Any]]
    message: ClassVar[str | None] = None
    per_object = True  # one object's data at a time (lint/perobject.py)
    _validator: ClassVar[Any] = None

    @classmethod
    def validator(cls) -> Any:
        """The schema's validator (regular expressions matched in linear time), compiled once."""
        if cls._validator is None:
            import jsonschema
            import referencing

            from svclint.lint.saferegex import linear_validator

            validator_class = jsonschema.validators.validator_for(cls.schema, default=jsonschema.Draft202012Validator)
            # No registry entries and no retrieval: a $ref reaches nothing outside the rule file.
            cls._validator = linear_validator(validator_class)(cls.schema, registry=referencing.Registry())
        return cls._validator

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        validator = None  # compiled for the first matched object: a replay's changed file may hold none
        for obj in ctx.focused_kind(*self.kinds):
            validator = validator or self.validator()
            seen: set[tuple[FieldPath, str]] = set()
            for error in validator.iter_errors(obj.data):
                path: FieldPath = tuple(error.absolute_path)
                text = self.render(error, obj, path)
                if (path, text) not in seen:
                    seen.add((path, text))
                    yield ctx.report(text, obj, path)

    def render(self, error: jsonschema.ValidationError, obj: K8sObject, path: FieldPath) -> str:
        own = error.schema.get(MESSAGE_KEY) if isinstance(error.schema, dict) else None
        template = own or self.message or "{error}"
        missing = ""
        required = error.validator_value
        if error.validator == "required" and isinstance(error.instance, dict) and isinstance(required, list):
            missing = ", ".join(str(p) for p in required if p not in error.instance)
        values = {
            "value": _show(error.instance),
            "field": format_field_path(path) or "the object",
            "kind": obj.kind,
            "name": obj.name,
            "namespace": obj.namespace or "",
            "object": str(obj.ref),
            "error": error.message,
            "missing": missing,
        }
        return template.format_map(values)


def _show(value: Any) -> str:
    if isinstance(value, (dict, list)):
        text = json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
        return text if len(text) <= 80 else text[:77] + "..."
    return go_value(value)


def _plain(value: Any) -> Any:
    """ruamel's commented containers as plain dicts and lists (what jsonschema expects)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _messages(schema: Any, path: tuple[Any, ...]) -> Iterator[tuple[tuple[Any, ...], str]]:
    """Every ``x-message`` in a schema, with its path (for placeholder checks)."""
    if isinstance(schema, dict):
        for key, value in schema.items():
            if key == MESSAGE_KEY and isinstance(value, str):
                yield path + (key,), value
            else:
                yield from _messages(value, path + (key,))
    elif isinstance(schema, list):
        for i, value in enumerate(schema):
            yield from _messages(value, path + (i,))


def _reference_problems(schema: Any, at: tuple[Any, ...]) -> Iterator[tuple[tuple[Any, ...], str]]:
    """``$ref``s that leave the rule file. jsonschema would fetch ``http(s)://`` and read
    ``file://`` references at lint time (its deprecated automatic retrieval); a repository's
    rule file must not make svclint open a connection or read a local file."""
    if isinstance(schema, list):
        for index, item in enumerate(schema):
            yield from _reference_problems(item, at + (index,))
    elif isinstance(schema, dict):
        for key, value in schema.items():
            if key in ("$ref", "$dynamicRef", "$recursiveRef") and isinstance(value, str) and not value.startswith("#"):
                yield at + (key,), (
                    f"{value!r} points outside the rule file; svclint resolves only references "
                    "inside it (\"#/$defs/...\") and never fetches or reads another schema"
                )
            elif key not in ("enum", "const", "examples", "default"):
                yield from _reference_problems(value, at + (key,))


def _references(schema: Any, at: tuple[Any, ...]) -> Iterator[tuple[tuple[Any, ...], str, str]]:
    """(path, keyword, value) of every reference keyword in ``schema``."""
    if isinstance(schema, list):
        for index, item in enumerate(schema):
            yield from _references(item, at + (index,))
    elif isinstance(schema, dict):
        for key, value in schema.items():
            if key in ("$ref", "$dynamicRef", "$recursiveRef", "$id") and isinstance(value, str):
                yield at + (key,), key, value
            elif key not in ("enum", "const", "examples", "default"):
                yield from _references(value, at + (key,))


def _unresolvable(schema: Any, at: tuple[Any, ...]) -> Iterator[tuple[tuple[Any, ...], str]]:
    """Internal ``$ref``s that point nowhere (``#/$defs/typo``): an error at load time, not a
    rule that crashes on every object (found by fuzzing). Skipped when a subschema sets its
    own ``$id`` (references are then relative to it)."""
    found = list(_references(schema, at))
    if not isinstance(schema, dict) or any(keyword == "$id" and path != at + ("$id",) for path, keyword, _ in found):
        return
    import referencing
    import referencing.exceptions
    import referencing.jsonschema

    specification = referencing.jsonschema.specification_with(
        str(schema.get("$schema", "")), default=referencing.jsonschema.DRAFT202012
    )
    resolver = referencing.Registry().resolver_with_root(specification.create_resource(schema))
    for path, keyword, value in found:
        if keyword == "$ref":
            try:
                resolver.lookup(value)
            except referencing.exceptions.Unresolvable:
                yield path, f"{value!r} points to nothing in this rule file"


def _placeholder_problem(template: str) -> str | None:
    try:
        fields = [(f, spec, conv) for _, f, spec, conv in string.Formatter().parse(template) if f is not None]
    except ValueError as error:
        return f"bad message template: {error} (write {{{{ and }}}} for literal braces)"
    unknown = sorted({f for f, _, _ in fields if f not in PLACEHOLDERS})
    if unknown:
        return f"unknown placeholder {{{unknown[0]}}} (known: {', '.join(sorted(PLACEHOLDERS))})"
    if any(spec or conv for _, spec, conv in fields):
        return "placeholders take no format spec or conversion"
    return None


def _meta_schema() -> dict[str, Any]:
    text = resources.files("svclint").joinpath("schemas/rule.schema.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def load_rule_file(path: Path, origin: str, validate: bool = True) -> type[Rule]:
    """Build the rule class a file defines; ``origin`` is how the file is named in messages.
    ``validate=False`` (svclint's own files only) leaves out checking it against the rule
    file schema, and its schema against the meta-schema.

    Cached per file version: the catalog is built on every run, and a rule class is immutable.
    """
    try:
        stat = path.stat()
    except OSError as error:
        raise RuleFileError(f"{origin}:1: cannot read rule file: {error.strerror or error}") from None
    return _load_rule_file(path, origin, stat.st_mtime_ns, stat.st_size, validate)


@functools.lru_cache(maxsize=256)
def _load_rule_file(path: Path, origin: str, mtime_ns: int, size: int, validate: bool) -> type[Rule]:
    def fail(line: int, message: str) -> RuleFileError:
        return RuleFileError(f"{origin}:{line}: {message}")

    try:
        text, undecodable = read_manifest(str(path), RULE_FILE_LIMITS.max_document_bytes)
    except UnreadableFile as error:
        raise fail(error.line, f"cannot read rule file: {error}") from None
    if undecodable:
        raise fail(undecodable[0].line, f"cannot read rule file: {undecodable[0]}")
    try:
        # libyaml, YAML 1.1 like the manifests the schemas are matched against; this pass
        # only names the line of a syntax error (and is guarded against deep nesting).
        too_deep = nesting_error(text, RULE_FILE_LIMITS.max_depth)
        if too_deep is not None:
            raise too_deep
        yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # syntax only: values below
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise fail(mark.line + 1 if mark is not None else 1, f"invalid YAML: {getattr(error, 'problem', error)}") from None
    # The data, with the manifests' bounds (alias expansion, depth, size): a rule file is
    # repository input too. Lines come from ruamel only for an error.
    stream = parse_stream(text, RULE_FILE_LIMITS)
    if stream.problems:
        # The manifests' limit names (limits.max-expanded-nodes) do not apply: these are fixed.
        message = stream.problems[0].message.replace("; limits.max-expanded-nodes", " (a fixed limit for rule files)")
        raise fail(stream.problems[0].line, f"invalid YAML: {message}")
    data = stream.documents[0].data if len(stream.documents) == 1 else None
    if not isinstance(data, dict):
        raise fail(1, "a rule file must be a mapping with id, name, summary, severity, match, schema, documentation")

    plain = _plain(data)
    if validate:
        _validate(plain, text, fail)
    attrs: dict[str, Any] = {
        "__doc__": plain["documentation"],
        "__module__": __name__,
        "id": plain["id"],
        "name": plain["name"],
        "summary": plain["summary"],
        "severity": Severity.parse(plain["severity"]),
        "enabled_by_default": plain.get("enabled-by-default", True),
        "tags": tuple(plain.get("tags", ())),
        "origin": origin,
        "kinds": tuple(plain["match"]["kinds"]),
        "schema": plain["schema"],
        "message": plain.get("message"),
    }
    return type(f"Declarative{plain['id']}", (SchemaRule,), attrs)


def _validate(plain: dict[str, Any], text: str, fail: Callable[[int, str], RuleFileError]) -> None:
    """Raise the first problem of a rule file: against the rule file schema, its schema against
    its meta-schema, references leaving it, unsafe regular expressions, message placeholders."""
    import jsonschema

    from svclint.lint.saferegex import regex_problems

    def line_of(at: tuple[Any, ...]) -> int:
        try:
            return yaml_line_of(YAML(typ="rt").load(text))(at)
        except (YAMLError, TypeError, ValueError):  # ruamel refuses what libyaml read (a mapping as a key)
            return 1

    invalid = jsonschema.exceptions.best_match(jsonschema.Draft202012Validator(_meta_schema()).iter_errors(plain))
    if invalid is not None:
        where = format_field_path(tuple(invalid.absolute_path))
        raise fail(line_of(tuple(invalid.absolute_path)), f"{where + ': ' if where else ''}{invalid.message}")
    schema = plain["schema"]
    validator_class = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
    try:
        validator_class.check_schema(schema)
    except jsonschema.exceptions.SchemaError as error:
        at = ("schema",) + tuple(error.absolute_path)
        raise fail(line_of(at), f"{format_field_path(at)}: not a valid JSON Schema: {error.message}") from None
    for at, refused in _reference_problems(schema, ("schema",)):
        raise fail(line_of(at), f"{format_field_path(at)}: {refused}")
    for at, refused in _unresolvable(schema, ("schema",)):
        raise fail(line_of(at), f"{format_field_path(at)}: {refused}")
    for at, refused in regex_problems(schema):
        raise fail(line_of(("schema",) + at), f"{format_field_path(('schema',) + at)}: {refused}")
    templates = list(_messages(schema, ("schema",)))
    if "message" in plain:
        templates.insert(0, (("message",), plain["message"]))
    for at, template in templates:
        problem = _placeholder_problem(template)
        if problem:
            raise fail(line_of(at), f"{format_field_path(at)}: {problem}")


def _display(path: Path) -> str:
    """A user rule file as messages name it: relative to the working directory when inside it."""
    try:
        return os.path.relpath(path) if not os.path.relpath(path).startswith("..") else str(path)
    except ValueError:  # another drive on Windows
        return str(path)


def load_rule_dirs(dirs: Sequence[str]) -> list[type[Rule]]:
    """Rules defined by ``*.yaml`` files in ``dirs`` (the built-in ``rules/`` is always read)."""
    rules: list[type[Rule]] = []
    builtin = builtin_rules_dir()
    if builtin is not None:
        rules.extend(load_rule_file(p, f"rules/{p.name}", validate=False) for p in rule_files(builtin))
    for directory in dirs:
        folder = Path(directory)
        if not folder.is_dir():
            raise RuleFileError(f"rule directory {directory} does not exist or is not a directory")
        if builtin is not None and folder.resolve() == builtin.resolve():
            continue
        rules.extend(load_rule_file(p, _display(p)) for p in rule_files(folder))
    return rules
