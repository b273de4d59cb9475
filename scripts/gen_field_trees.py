#!/usr/bin/env python3
"""Regenerate ``svclint/kube/fieldtrees.json``, the compact field trees SVC008 checks against.

Source: the strict JSON schemas of the pinned ``kubernetes-validate`` (generated from the
Kubernetes OpenAPI, one folder per minor version). For every built-in kind of the API
groups svclint reasons about, the tree keeps only what an unknown-field and wrong-type
check needs: each struct's field names and each field's type (scalar, list of, map of,
another struct). Descriptions, enums, patterns and ``required`` stay with SVC004.

Every distinct struct body is stored once; each struct name lists, per version range, which
body it has (version deltas), so thirteen versions cost little more than one.

    python scripts/gen_field_trees.py            # rewrite the file
    python scripts/gen_field_trees.py --check    # exit 1 when the file is stale

tests/test_field_trees.py runs the generator and compares its output with the shipped file.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from typing import Any

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUTPUT = os.path.join(ROOT, "svclint", "kube", "fieldtrees.json")
PINNED = "1.37.0"  # kubernetes-validate version the shipped file was generated from

# API groups whose kinds are checked ("" is the core group).
GROUPS = ("", "apps", "batch", "networking.k8s.io", "policy", "autoscaling", "discovery.k8s.io")

# Definitions with a fixed meaning: int-or-string, quantity (string or number), free-form.
SPECIAL = {
    "io.k8s.apimachinery.pkg.util.intstr.IntOrString": "io",
    "io.k8s.apimachinery.pkg.api.resource.Quantity": "q",
    "io.k8s.apimachinery.pkg.runtime.RawExtension": "x",
    "io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1": "x",
    "io.k8s.apimachinery.pkg.apis.meta.v1.Time": "s",
    "io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime": "s",
}
_SCALARS = {"string": "s", "integer": "i", "number": "n", "boolean": "b"}
_VERSION_DIR = re.compile(r"^v(\d+)\.(\d+)\.\d+-local-strict$")
_PREFIXES = ("io.k8s.api.", "io.k8s.apimachinery.pkg.apis.", "io.k8s.apimachinery.pkg.")


def short(name: str) -> str:
    """``io.k8s.api.core.v1.ServicePort`` -> ``core.v1.ServicePort``."""
    for prefix in _PREFIXES:
        if name.startswith(prefix):
            return name[len(prefix):]
    return name


def schema_root() -> str:
    import kubernetes_validate

    return os.path.join(os.path.dirname(kubernetes_validate.__file__), "kubernetes-json-schema")


def source_version() -> str:
    from importlib.metadata import version

    return version("kubernetes-validate")


class _Version:
    """One Kubernetes version's definitions turned into compact types."""

    def __init__(self, definitions: dict[str, Any]) -> None:
        self.definitions = definitions
        self.structs: dict[str, dict[str, Any]] = {}

    def ref(self, target: str) -> Any:
        name = target.rsplit("/", 1)[-1]
        if name in SPECIAL:
            return SPECIAL[name]
        schema = self.definitions[name]
        if "properties" not in schema or schema.get("additionalProperties", False) is not False:
            return self.inline(schema, named=True)
        if short(name) not in self.structs:
            self.structs[short(name)] = {}  # placeholder: recursive structs (JSONSchemaProps)
            self.structs[short(name)] = {key: self.type(value) for key, value in sorted(schema["properties"].items())}
        return "@" + short(name)

    def type(self, schema: dict[str, Any]) -> Any:
        if "$ref" in schema:
            return self.ref(schema["$ref"])
        return self.inline(schema, named=False)

    def inline(self, schema: dict[str, Any], named: bool) -> Any:
        if "oneOf" in schema or "anyOf" in schema:
            options = sorted(
                {t for option in schema.get("oneOf", schema.get("anyOf", [])) for t in _types(option)}
            )
            if options == ["integer", "string"]:
                return "io"
            if options == ["number", "string"]:
                return "q"
            return "x"
        types = _types(schema)
        if len(types) != 1:
            return "x"
        kind = types[0]
        if kind in _SCALARS:
            return _SCALARS[kind]
        if kind == "array":
            items = schema.get("items")
            return ["l", self.type(items)] if isinstance(items, dict) else ["l", "x"]
        if kind == "object":
            extra = schema.get("additionalProperties")
            if isinstance(extra, dict) and "properties" not in schema:
                return ["m", self.type(extra)]
            return "x"  # free-form (or an inline struct: none exist in the core schemas)
        return "x"


def _types(schema: dict[str, Any]) -> list[str]:
    value = schema.get("type", [])
    names = value if isinstance(value, list) else [value]
    return [n for n in names if n != "null"]


def _kinds(definitions: dict[str, Any]) -> dict[str, str]:
    """``apps/v1 Deployment`` -> definition name, for the kinds of GROUPS (no ``*List``)."""
    out = {}
    for name, schema in definitions.items():
        for gvk in schema.get("x-kubernetes-group-version-kind", []):
            group, version, kind = gvk.get("group", ""), gvk["version"], gvk["kind"]
            if group not in GROUPS or kind.endswith("List") or "properties" not in schema:
                continue
            if "metadata" not in schema["properties"]:
                continue  # options and status-only types (DeleteOptions, WatchEvent)
            out[f"{group}/{version} {kind}" if group else f"{version} {kind}"] = name
    return out


def generate(root: str, source: str) -> dict[str, Any]:
    versions: dict[tuple[int, int], str] = {}
    for entry in os.listdir(root):
        match = _VERSION_DIR.match(entry)
        if match:
            versions[(int(match.group(1)), int(match.group(2)))] = os.path.join(root, entry)
    ordered = sorted(versions)
    bodies: list[str] = []
    body_index: dict[str, int] = {}
    per_version_structs: list[dict[str, int]] = []
    per_version_kinds: list[dict[str, str]] = []
    for key in ordered:
        with open(os.path.join(versions[key], "_definitions.json"), encoding="utf-8") as handle:
            definitions = json.load(handle)["$defs"]
        converted = _Version(definitions)
        kinds = {}
        for kind, name in sorted(_kinds(definitions).items()):
            kinds[kind] = converted.ref("#/" + name)[1:]
        structs = {}
        for name, body in converted.structs.items():
            text = json.dumps(body, sort_keys=True, separators=(",", ":"))
            if text not in body_index:
                body_index[text] = len(bodies)
                bodies.append(text)
            structs[name] = body_index[text]
        per_version_structs.append(structs)
        per_version_kinds.append(kinds)
    return {
        "source": f"kubernetes-validate {source} (strict JSON schemas from the Kubernetes OpenAPI)",
        "generator": "scripts/gen_field_trees.py",
        "versions": [f"{major}.{minor}" for major, minor in ordered],
        "kinds": _deltas(per_version_kinds),
        "structs": _deltas(per_version_structs),
        "bodies": [json.loads(text) for text in bodies],
    }


def _deltas(per_version: list[dict[str, Any]]) -> dict[str, list[list[Any]]]:
    """name -> [[first version index, value (None: absent)], ...] at each change."""
    out: dict[str, list[list[Any]]] = {}
    for name in sorted({n for table in per_version for n in table}):
        changes: list[list[Any]] = []
        previous: Any = None
        for index, table in enumerate(per_version):
            value = table.get(name)
            if (not changes and value is not None) or (changes and value != previous):
                changes.append([index, value])
            previous = value
        out[name] = changes
    return out


def render(data: dict[str, Any]) -> str:
    """One struct body per line: small, and diffs of a regeneration stay readable."""
    lines = ["{"]
    for key in ("source", "generator", "versions", "kinds", "structs"):
        lines.append(f"{json.dumps(key)}: {json.dumps(data[key], sort_keys=True, separators=(',', ':'))},")
    lines.append('"bodies": [')
    bodies = [json.dumps(body, sort_keys=True, separators=(",", ":")) for body in data["bodies"]]
    lines.append(",\n".join(bodies))
    lines.append("]}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when the shipped file differs")
    args = parser.parse_args(argv)
    text = render(generate(schema_root(), source_version()))
    if args.check:
        with open(OUTPUT, encoding="utf-8") as handle:
            stale = handle.read() != text
        if stale:
            print(f"{OUTPUT} is stale: run python scripts/gen_field_trees.py", file=sys.stderr)
        return 1 if stale else 0
    with open(OUTPUT, "w", encoding="utf-8") as handle:
        handle.write(text)
    print(f"wrote {OUTPUT} ({len(text) // 1024} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
