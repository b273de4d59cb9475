"""SVC006 implicit-yaml-type."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator
from typing import Any

import yaml

from svclint.findings import Severity
from svclint.kube.model import POD_TEMPLATE_PATHS, K8sObject
from svclint.lint.rule import Rule, RuleContext, Violation
from svclint.loading.source import FieldPath

# How kubectl types a plain scalar: sigs.k8s.io/yaml YAMLToJSON decodes with its goyaml.v2
# fork, whose resolve.go reads YAML 1.1 bools (including y/n), nulls, ints in any Go base
# (0755 is octal, 0x1F, 0o17, 0b101; underscores dropped) and floats (1.10, 1e3, .inf).
# Unlike PyYAML it has no sexagesimal numbers (1:30 stays a string) and keeps dates apart.
_BOOLS = {
    **dict.fromkeys(("y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"), True),
    **dict.fromkeys(("n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"), False),
}
_NULLS = ("", "~", "null", "Null", "NULL")
_INFINITIES = {".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF", ".nan", ".NaN", ".NAN"}
_GO_INT = re.compile(r"[-+]?(?:0[xX][0-9a-fA-F]+|0[oO]?[0-7]+|0[bB][01]+|[1-9][0-9]*|0)")
_YAML_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
_DATE = re.compile(r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}")


def kubectl_type(text: str) -> str | None:
    """``bool``/``null``/``int``/``float`` when kubectl reads this plain scalar as not a string."""
    if text in _BOOLS:
        return "bool"
    if text in _NULLS:
        return "null"
    if text in _INFINITIES:
        return "float"
    if not text or text[0] not in "+-.0123456789" or _DATE.match(text):
        return None
    plain = text.replace("_", "")
    if _GO_INT.fullmatch(plain):
        if _fits_64_bits(plain):
            return "int"
        # gopkg.in/yaml.v2 resolve.go: past 64 bits ParseInt and ParseUint fail; a decimal is
        # then read by ParseFloat (a float unless it overflows), anything else stays a string.
        if _YAML_FLOAT.fullmatch(plain) and math.isfinite(float(plain)):
            return "float"
        return None
    if _YAML_FLOAT.fullmatch(plain):
        return "float"
    return None


def _fits_64_bits(plain: str) -> bool:
    """Whether Go's ParseInt or ParseUint (base 0, 64 bits) reads this integer literal.

    The length is checked first: a 64-bit number has at most 64 binary digits, and
    converting thousands of digits is what makes Python's int-to-str limit raise later."""
    digits = plain.lstrip("+-")
    if len(digits) > 66:
        return False
    base = {"0x": 16, "0X": 16, "0o": 8, "0O": 8, "0b": 2, "0B": 2}.get(digits[:2])
    number = int(digits[2:], base) if base else int(digits, 8 if len(digits) > 1 and digits.startswith("0") else 10)
    return -(2**63) <= (-number if plain.startswith("-") else number) < 2**64


# PyYAML's implicit resolver (typed here: the stubs leave ``resolve`` untyped).
_resolve: Callable[[type[yaml.Node], str, tuple[bool, bool]], str] = yaml.resolver.Resolver().resolve


def _was_quoted(value: str) -> bool:
    """A loaded string that, written plain, PyYAML would not read as a string: it was quoted
    (or a block scalar). Saves re-reading the file for every ``"true"`` and ``"8080"``."""
    return _resolve(yaml.ScalarNode, value, (True, False)) != "tag:yaml.org,2002:str"


def _go_number(plain: str) -> int | float:
    """The number Go's strconv gives for a plain scalar kubectl reads as int/float."""
    sign = -1 if plain.startswith("-") else 1
    digits = plain.lstrip("+-")
    prefixes = {"0x": 16, "0X": 16, "0o": 8, "0O": 8, "0b": 2, "0B": 2}
    if digits[:2] in prefixes and _GO_INT.fullmatch(plain):
        return sign * int(digits[2:], prefixes[digits[:2]])
    if _GO_INT.fullmatch(plain):
        return sign * int(digits, 8 if len(digits) > 1 and digits.startswith("0") else 10)
    return float(plain)


def _describe(kind: str, text: str) -> str:
    if kind == "bool":
        return f"the boolean {str(_BOOLS[text]).lower()}"
    if kind == "null":
        return "null"
    if text in _INFINITIES:
        return "a special float"
    number = _go_number(text.replace("_", ""))
    if isinstance(number, float) and number.is_integer() and abs(number) < 1e16:
        shown = str(int(number))
    else:
        shown = str(number)
    digits = text.lstrip("+-")
    octal = isinstance(number, int) and len(digits) > 1 and digits[0] == "0" and digits[1].isdigit()
    return f"the number {shown}{' (octal)' if octal else ''}"


def _string_fields(obj: K8sObject) -> Iterator[tuple[FieldPath, str, str, Any]]:
    """(path, what, key, value) of every field of ``obj`` that Kubernetes types as a string."""
    metadata_paths: list[FieldPath] = [("metadata",)]
    template = POD_TEMPLATE_PATHS.get(obj.kind)
    if template is not None and template:
        metadata_paths.append(template + ("metadata",))
    claims = obj.get(("spec", "volumeClaimTemplates")) if obj.kind == "StatefulSet" else None
    for i in range(len(claims) if isinstance(claims, list) else 0):
        metadata_paths.append(("spec", "volumeClaimTemplates", i, "metadata"))
    for meta in metadata_paths:
        for field, what in (("labels", "label"), ("annotations", "annotation")):
            yield from _map_values(obj, meta + (field,), what)
    if obj.kind == "Service":
        yield from _map_values(obj, ("spec", "selector"), "selector")
    yield from _match_labels(obj.data, ())
    if obj.kind == "ConfigMap":
        yield from _map_values(obj, ("data",), "ConfigMap data")
    if obj.kind == "Secret":
        yield from _map_values(obj, ("stringData",), "Secret stringData")
    if template is not None:
        spec = obj.get(template + ("spec",))
        for group in ("initContainers", "containers", "ephemeralContainers"):
            containers = spec.get(group) if isinstance(spec, dict) else None
            for i, container in enumerate(containers if isinstance(containers, list) else []):
                env = container.get("env") if isinstance(container, dict) else None
                for j, var in enumerate(env if isinstance(env, list) else []):
                    if isinstance(var, dict) and "value" in var:
                        name = var.get("name")
                        path = template + ("spec", group, i, "env", j, "value")
                        what = f"env {name} value" if isinstance(name, str) else "env value"
                        yield path, what, "value", var["value"]


def _map_values(obj: K8sObject, path: FieldPath, what: str) -> Iterator[tuple[FieldPath, str, str, Any]]:
    mapping = obj.get(path)
    if isinstance(mapping, dict):
        for key, value in mapping.items():
            if isinstance(key, str):
                yield path + (key,), f"{what} {key}", key, value


def _match_labels(data: Any, path: FieldPath) -> Iterator[tuple[FieldPath, str, str, Any]]:
    """Every ``matchLabels`` entry, wherever a selector sits. A CRD's schema names a field
    ``matchLabels`` under ``properties`` (``type: object``, ``x-kubernetes-preserve-unknown-fields:
    true``): that is a schema, not labels, and its booleans are meant (knative's CRDs)."""
    if isinstance(data, dict):
        for key, value in data.items():
            if key == "openAPIV3Schema":
                continue
            if key == "matchLabels" and isinstance(value, dict) and not (path and path[-1] == "properties"):
                for label, label_value in value.items():
                    if isinstance(label, str):
                        yield path + (key, label), f"matchLabels {label}", label, label_value
            elif isinstance(value, (dict, list)):
                yield from _match_labels(value, path + (key,))
    elif isinstance(data, list):
        for i, item in enumerate(data):
            yield from _match_labels(item, path + (i,))


class ImplicitYamlType(Rule):
    """## What it does
    Reports a value that Kubernetes types as a string but that YAML 1.1, the way kubectl
    parses manifests, reads as a boolean, a number or null: label, annotation and selector
    values (`enabled: yes`, `version: 1.10`), container `env` values and ConfigMap data. The
    message quotes the value as written and gives the fix: quote it.

    kubectl's parser (the goyaml.v2 fork in sigs.k8s.io/yaml) reads `yes`/`no`/`on`/`off`
    and also `y`/`n` as booleans, `0755` as octal 493, `1.10` as 1.1 and `1e3` as 1000.
    An empty value or `~` is not reported (it becomes the empty string, which is usually
    what was meant); a spelled-out `null` is.

    ## Why is this bad?
    The API server rejects the object ("cannot unmarshal bool into Go struct field ...
    of type string"), or, for `null`, silently stores an empty string. Worse, `version:
    1.10` turned into the number 1.1 no longer says what was written.
    """

    id = "SVC006"
    name = "implicit-yaml-type"
    summary = "A string field holds a value YAML 1.1 reads as a boolean, number or null"
    severity = Severity.WARNING
    per_object = True  # one object's fields only (lint/perobject.py)
    tags = ("input",)

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        for obj in ctx.focused(ctx.load.objects):
            for path, what, key, value in _string_fields(obj):
                if isinstance(value, str) and (kubectl_type(value) is None or _was_quoted(value)):
                    continue  # a string to kubectl too: nothing to re-read
                if value is None or isinstance(value, (dict, list)):
                    if value is not None:
                        continue
                node = obj.value_node(path)
                if node is None or getattr(node, "style", None) not in (None, "") or not isinstance(node.value, str):
                    continue  # quoted and block scalars are strings (libyaml gives plain ones style "")
                if not node.tag.startswith("tag:yaml.org,2002:"):
                    continue  # a custom tag: not a value kubectl types implicitly
                text = node.value
                kind = kubectl_type(text)
                if kind is None or (kind == "null" and text in ("", "~")):
                    continue
                consequence = (
                    "the empty string is stored instead" if kind == "null" else "the API server rejects a non-string here"
                )
                yield ctx.report(
                    f"{what}: {text} is read as {_describe(kind, text)} by YAML 1.1 (as kubectl parses it), "
                    f"and {consequence}; quote it: {key}: \"{text}\"",
                    obj,
                    at=path,
                    location=obj.value_location(path),
                )
