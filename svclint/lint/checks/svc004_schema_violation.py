"""SVC004 schema-violation."""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from svclint.findings import Severity
from svclint.kube.fieldcheck import field_problems
from svclint.kube.fieldtree import field_tree
from svclint.kube.structure import describe
from svclint.lint.checks.svc008_unknown_field import UnknownField
from svclint.lint.rule import Rule, RuleContext, Violation
from svclint.lint.selection import decide
from svclint.loading.source import FieldPath, format_field_path

if TYPE_CHECKING:
    import jsonschema

INSTALL_HINT = "pip install 'svclint[schemas]' (Kubernetes JSON schemas), or give --schema-dir DIR"

_TYPE_NAMES = {"string": "a string", "integer": "an integer", "number": "a number", "boolean": "a boolean",
               "object": "a mapping", "array": "a list"}


def _types(schema_type: Any) -> list[str]:
    names = schema_type if isinstance(schema_type, list) else [schema_type]
    return [n for n in names if n != "null"]


def _expected(types: list[str]) -> str:
    words = [_TYPE_NAMES.get(t, t) for t in dict.fromkeys(types)]
    return " or ".join(words)


def _explain(error: jsonschema.ValidationError) -> Iterator[tuple[FieldPath, str]]:
    """(path of the offending field, message) for one validation error."""
    path: FieldPath = tuple(error.absolute_path)
    where = format_field_path(path) or "the object"
    schema, instance = error.schema, error.instance
    if (
        error.validator == "additionalProperties"
        and error.validator_value is False
        and isinstance(schema, Mapping)  # always, for additionalProperties: said for the type checker
        and isinstance(instance, Mapping)
    ):
        known = sorted(schema.get("properties", {}))
        for key in sorted(set(instance) - set(known), key=str):
            hint = difflib.get_close_matches(str(key), known, n=1, cutoff=0.6)
            hint_text = f"; did you mean {hint[0]!r}?" if hint else f"; {where} has no such field"
            yield path + (key,), f"unknown field {format_field_path(path + (key,))}{hint_text}"
        return
    if error.validator == "type" or (
        error.validator in ("oneOf", "anyOf") and error.context and all(c.validator == "type" for c in error.context)
    ):
        types = _types(error.validator_value) if error.validator == "type" else [
            t for c in error.context or () for t in _types(c.validator_value)
        ]
        yield path, f"{where} must be {_expected(types)}, not {describe(error.instance)}"
        return
    if error.validator == "required":
        missing = error.message.split("'")[1] if "'" in error.message else error.message
        yield path, f"{format_field_path(path + (missing,))} is required"
        return
    if error.validator in ("oneOf", "anyOf") and error.context:
        from jsonschema.exceptions import best_match

        yield from _explain(best_match(error.context))
        return
    yield path, f"{where}: {error.message}"


class SchemaViolation(Rule):
    """## What it does
    Validates every object against the Kubernetes JSON schema of its apiVersion and kind for
    `--kube-version` (default: the newest installed, 1.37 with kubernetes-validate 1.37), in
    strict mode: unknown fields (`targetport`, `selectors`), wrong types (`port: "80"`) and
    missing required fields are reported at the exact field, with the nearest known field
    name for a typo.

    Custom resources are skipped unless `--schema-dir DIR` has their schema (named
    `prometheusrule-monitoring-v1.json` or, as in the CRDs-catalog, `monitoring.coreos.com/
    prometheusrule_v1.json`). The schemas come from the optional `kubernetes-validate`
    package: `pip install 'svclint[schemas]'`. Selecting this rule without them is a usage
    error (exit 2) that says so; it never passes silently.

    Unknown fields and wrong types of the built-in kinds are also found, by default and
    without the schemas, by SVC008 (unknown-field); when both rules run, this one leaves
    the fields SVC008 reports to it and adds what SVC008 does not check: required fields,
    enums, patterns, and custom resources with `--schema-dir`.

    Off by default: it roughly triples the time of `check` on large inputs (see the
    benchmark table); turn it on with `--extend-select SVC004` or in the config.

    ## Why is this bad?
    kubectl rejects unknown and mistyped fields (server-side field validation is strict
    since Kubernetes 1.27), and older clients silently drop them: `targetport: 8080` is
    lost and the Service sends traffic to its `port` instead.
    """

    id = "SVC004"
    name = "schema-violation"
    summary = "Object does not match the Kubernetes JSON schema (unknown field, wrong type)"
    severity = Severity.ERROR
    namespaced = True
    enabled_by_default = False
    tags = ("input", "schema")

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        # imported here: jsonschema costs every run 30 ms, and this rule is off by default
        from svclint.kube.schemas import SchemaSetupError, load_schema_set

        schemas = load_schema_set(ctx.settings.kube_version, ctx.settings.schema_dirs)
        if schemas is None:
            raise SchemaSetupError(f"SVC004 needs the Kubernetes JSON schemas: {INSTALL_HINT}")
        tree = field_tree(ctx.settings.kube_version) if decide([UnknownField], ctx.settings) else None
        for obj in ctx.load.objects:
            validator = schemas.validator(obj.api_version, obj.manifest_kind)
            if validator is None:
                continue  # a custom resource (or a kind this version does not have)
            found: dict[FieldPath, str] = {}
            # SVC008 runs: the fields it reports (and everything under them) are its findings, and
            # so are the other unknown keys of a mapping it reports and a field it says is misspelled.
            problems = field_problems(obj, tree) if tree is not None else ()
            covered = [p.path for p in problems]
            unknown_in = {p.path[:-1] for p in problems if p.unknown}
            misspelt = {(p.path[:-1], p.meant) for p in problems if p.meant}
            for error in validator.iter_errors(obj.data):
                if error.validator == "required" and isinstance(error.validator_value, list):
                    where = tuple(error.absolute_path)
                    if any((where, name) in misspelt for name in error.validator_value):
                        continue
                for path, message in _explain(error):
                    if any(path[: len(c)] == c for c in covered):
                        continue
                    if message.startswith("unknown field") and path[:-1] in unknown_in:
                        continue
                    found.setdefault(path, message)
            for path, message in sorted(found.items(), key=lambda item: [str(p) for p in item[0]]):
                yield ctx.report(
                    f"{message} ({obj.manifest_kind} {obj.api_version}, Kubernetes {schemas.version_text} schema)", obj, at=path
                )
