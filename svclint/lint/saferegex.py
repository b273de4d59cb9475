"""Regular expressions of rule files, matched in linear time.

A rule file is repository input, and so is every string its ``pattern`` meets. Python's
``re`` backtracks: ``^(a+)+$`` against 33 ``a`` and a ``!`` runs for minutes, and ``re`` has
no timeout. So a rule schema's regexes (``pattern``, the keys of ``patternProperties``, and
through them ``additionalProperties``) run on RE2 (google-re2), whose matching time is
linear in the text. RE2 has no backreferences and no lookaround; a pattern that needs them
is a rule-file error at load time, naming the file and line, not a hang at lint time.
JSON Schema's own regex dialect (ECMA-262) has those features too, but its common subset
(classes, anchors, alternation, counted repetition) is RE2's.

``unevaluatedProperties`` next to ``patternProperties`` is refused as well: jsonschema
evaluates it with ``re`` internally, outside these keyword functions.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

import jsonschema
import re2  # google-re2: no type hints (ignored in pyproject.toml)

_OPTIONS = re2.Options()
_OPTIONS.log_errors = False  # a refused pattern is our error message, not a line on stderr


class PatternError(ValueError):
    """A regex RE2 cannot run (the message says why)."""


@functools.lru_cache(maxsize=1024)
def compile_pattern(pattern: str) -> Any:
    """The RE2 program for ``pattern``; PatternError when RE2 cannot compile it."""
    try:
        return re2.compile(pattern, _OPTIONS)
    except re2.error as error:
        reason = error.args[0].decode("utf-8", "replace") if error.args and isinstance(error.args[0], bytes) else str(error)
        raise PatternError(
            f"regex {pattern!r} cannot run in linear time ({reason}); svclint matches rule patterns "
            "with RE2, which has no backreferences or lookaround"
        ) from None


def _search(pattern: str, text: str) -> bool:
    return compile_pattern(pattern).search(text) is not None


def _pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Iterator[jsonschema.ValidationError]:
    if validator.is_type(instance, "string") and not _search(pattern, instance):
        yield jsonschema.ValidationError(f"{instance!r} does not match {pattern!r}")


def _pattern_properties(validator: Any, patterns: Any, instance: Any, schema: Any) -> Iterator[jsonschema.ValidationError]:
    if not validator.is_type(instance, "object"):
        return
    for pattern, subschema in patterns.items():
        for key, value in instance.items():
            if _search(pattern, key):
                yield from validator.descend(value, subschema, path=key, schema_path=pattern)


def _additional_properties(validator: Any, additional: Any, instance: Any, schema: Any) -> Iterator[jsonschema.ValidationError]:
    """jsonschema's own keyword with the extras found by RE2 (same messages)."""
    if not validator.is_type(instance, "object"):
        return
    properties = schema.get("properties", {})
    patterns = list(schema.get("patternProperties", {}))
    extras = [k for k in instance if k not in properties and not any(_search(p, k) for p in patterns)]
    if validator.is_type(additional, "object"):
        for extra in extras:
            yield from validator.descend(instance[extra], additional, path=extra)
    elif not additional and extras:
        if patterns:
            verb = "does" if len(extras) == 1 else "do"
            joined = ", ".join(repr(each) for each in sorted(extras))
            listed = ", ".join(repr(each) for each in sorted(patterns))
            yield jsonschema.ValidationError(f"{joined} {verb} not match any of the regexes: {listed}")
        else:
            names = sorted(extras, key=str)
            verb = "was" if len(names) == 1 else "were"
            yield jsonschema.ValidationError(
                f"Additional properties are not allowed ({', '.join(repr(n) for n in names)} {verb} unexpected)"
            )


def linear_validator(validator_class: Any) -> Any:
    """``validator_class`` with its regex keywords matched by RE2."""
    return jsonschema.validators.extend(  # type: ignore[no-untyped-call]
        validator_class,
        {"pattern": _pattern, "patternProperties": _pattern_properties, "additionalProperties": _additional_properties},
    )


def _first(schema: Any, keyword: str, at: tuple[Any, ...] = ()) -> tuple[Any, ...] | None:
    """Path of the first ``keyword`` in ``schema`` (subschemas included), or None."""
    if isinstance(schema, dict):
        if keyword in schema:
            return at + (keyword,)
        items: Any = ((k, v) for k, v in schema.items() if k not in ("enum", "const", "examples", "default"))
    elif isinstance(schema, list):
        items = enumerate(schema)
    else:
        return None
    for key, value in items:
        found = _first(value, keyword, at + (key,))
        if found is not None:
            return found
    return None


def _regexes(schema: Any, at: tuple[Any, ...]) -> Iterator[tuple[tuple[Any, ...], str]]:
    if isinstance(schema, list):
        for index, item in enumerate(schema):
            yield from _regexes(item, at + (index,))
        return
    if not isinstance(schema, dict):
        return
    if isinstance(schema.get("pattern"), str):
        yield at + ("pattern",), schema["pattern"]
    if isinstance(schema.get("patternProperties"), dict):
        for key in schema["patternProperties"]:
            yield at + ("patternProperties", key), str(key)
    for key, value in schema.items():
        if key not in ("enum", "const", "examples", "default") and isinstance(value, (dict, list)):
            yield from _regexes(value, at + (key,))


def regex_problems(schema: Any) -> Iterator[tuple[tuple[Any, ...], str]]:
    """(path, message) for each regex of ``schema`` that RE2 cannot run, and for
    ``unevaluatedProperties`` where ``patternProperties`` occurs (see the module docstring)."""
    for at, pattern in _regexes(schema, ()):
        try:
            compile_pattern(pattern)
        except PatternError as error:
            yield at, str(error)
    unevaluated = _first(schema, "unevaluatedProperties")
    if unevaluated is not None and _first(schema, "patternProperties") is not None:
        yield unevaluated, (
            "unevaluatedProperties together with patternProperties is not supported: jsonschema "
            "would match the patterns without a time bound"
        )
