"""Kubernetes JSON schemas for SVC004, from the ``kubernetes-validate`` package (optional).

``pip install 'svclint[schemas]'`` installs them (Kubernetes 1.25-1.37, strict variants that
reject unknown fields, generated from the upstream OpenAPI; Apache-2.0). Each version's
shared ``_definitions.json`` is read once and each (version, apiVersion, kind) validator is
built once per process: validating 10,000 objects then costs what jsonschema itself costs.

Custom resources have no schema here; ``--schema-dir`` adds schemas named like the bundled
ones (``prometheusrule-monitoring-v1.json``) or like the CRDs-catalog
(``monitoring.coreos.com/prometheusrule_v1.json``).
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import jsonschema
from referencing import Registry, Resource

_VERSION_DIR = re.compile(r"^v(\d+)\.(\d+)\.\d+-local-strict$")


class SchemaSetupError(Exception):
    """The requested schemas cannot be used (a usage error, exit 2)."""


def bundled_root() -> str | None:
    """The schema folder of the installed ``kubernetes-validate``, or None."""
    try:
        import kubernetes_validate
    except ImportError:
        return None
    root = os.path.join(os.path.dirname(kubernetes_validate.__file__), "kubernetes-json-schema")
    return root if os.path.isdir(root) else None


def bundled_versions(root: str) -> dict[tuple[int, int], str]:
    """(major, minor) -> strict schema folder."""
    out = {}
    for name in os.listdir(root):
        match = _VERSION_DIR.match(name)
        if match:
            out[(int(match.group(1)), int(match.group(2)))] = os.path.join(root, name)
    return out


def parse_version(text: str) -> tuple[int, int]:
    match = re.fullmatch(r"v?(\d+)\.(\d+)(?:\.\d+)?", text.strip())
    if not match:
        raise SchemaSetupError(f"--kube-version {text!r}: expected MAJOR.MINOR such as 1.31")
    return int(match.group(1)), int(match.group(2))


def schema_file_name(api_version: str, kind: str) -> str:
    """``networking.k8s.io/v1`` Ingress -> ``ingress-networking-v1.json`` (kubernetes-validate's scheme)."""
    group_version = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)
    return f"{kind.lower()}-{group_version}.json"


@dataclass
class SchemaSet:
    """The validators of one Kubernetes version plus user schemas, built lazily and cached."""

    folder: str | None
    version: tuple[int, int] | None
    extra_dirs: tuple[str, ...] = ()
    _validators: dict[tuple[str, str], Any] = field(default_factory=dict)
    _registry: Registry | None = None

    @property
    def version_text(self) -> str:
        return f"{self.version[0]}.{self.version[1]}" if self.version else "custom"

    def _base_registry(self) -> Registry:
        if self._registry is None:
            registry: Registry = Registry()
            if self.folder is not None:
                with open(os.path.join(self.folder, "_definitions.json"), encoding="utf-8") as handle:
                    registry = Resource.from_contents(json.load(handle)) @ registry
            self._registry = registry
        return self._registry

    def _find(self, api_version: str, kind: str) -> str | None:
        group, _, version = api_version.rpartition("/")
        candidates = [os.path.join(d, schema_file_name(api_version, kind)) for d in self.extra_dirs]
        candidates += [os.path.join(d, group or "core", f"{kind.lower()}_{version}.json") for d in self.extra_dirs]
        if self.folder is not None:
            candidates.append(os.path.join(self.folder, schema_file_name(api_version, kind)))
        return next((c for c in candidates if os.path.isfile(c)), None)

    def validator(self, api_version: str, kind: str) -> Any | None:
        """The compiled validator for this apiVersion/kind, or None when no schema exists."""
        key = (api_version, kind)
        if key not in self._validators:
            path = self._find(api_version, kind)
            validator = None
            if path is not None:
                try:
                    with open(path, encoding="utf-8") as handle:
                        schema = json.load(handle)
                except (OSError, ValueError) as error:
                    raise SchemaSetupError(f"schema {path} cannot be read: {error}") from None
                # "$ref": "/api/_definitions.json#..." resolves against the schema's $id
                # (https://kubernetes.io/api/<kind>/<version>): the shared registry has it.
                cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
                validator = cls(schema, registry=self._base_registry())
            self._validators[key] = validator
        return self._validators[key]


@lru_cache(maxsize=8)
def load_schema_set(kube_version: str | None, extra_dirs: tuple[str, ...]) -> SchemaSet | None:
    """The schemas to validate against; None when no schema source is available at all.

    Without ``kube_version`` the newest bundled version is used; otherwise the newest
    bundled version not newer than it (an older minor has the same fields or fewer).
    """
    for directory in extra_dirs:
        if not os.path.isdir(directory):
            raise SchemaSetupError(f"--schema-dir {directory}: not a directory")
    root = bundled_root()
    if root is None:
        return SchemaSet(None, None, extra_dirs) if extra_dirs else None
    versions = bundled_versions(root)
    if not versions:
        return SchemaSet(None, None, extra_dirs) if extra_dirs else None
    if kube_version is None:
        chosen = max(versions)
    else:
        wanted = parse_version(kube_version)
        older = [v for v in versions if v <= wanted]
        if not older:
            oldest = min(versions)
            raise SchemaSetupError(
                f"--kube-version {kube_version}: the installed schemas start at {oldest[0]}.{oldest[1]}"
            )
        chosen = max(older)
    return SchemaSet(versions[chosen], chosen, extra_dirs)
