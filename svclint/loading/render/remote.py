"""Remote references in a kustomization tree, found before kustomize runs.

kustomize fetches what a kustomization names remotely: an ``http(s)://`` resource is a GET,
a git URL (``https://host/org/repo//dir?ref=x``, ``git@host:org/repo``, ``github.com/org/
repo``, ``ssh://``, ``git::``) a ``git fetch``, and a ``helmCharts`` entry with a ``repo``
a chart download (sigs.k8s.io/kustomize api/loader/fileloader.go ``Load``/``New``,
api/internal/git/repospec.go ``NewRepoSpecFromURL``). In CI on a pull request that is the
repository choosing which hosts the job connects to. So svclint reads the kustomization
files itself first (the one being built and every local base and component under it) and
refuses the build when any of them names something remote, unless the user gave
``--allow-remote`` on the command line.

A pure function of the files: it runs no tool and opens no connection.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

import yaml

from svclint.loading.nesting import nesting_error
from svclint.loading.render.kustomize import kustomization_file

# Fields whose entries are paths kustomize loads (a string, or a mapping with `path`).
_PATH_LISTS = (
    "resources", "bases", "components", "crds", "configurations", "generators", "transformers",
    "validators", "patchesStrategicMerge", "patches", "patchesJson6902", "replacements",
)
_DIRECTORY_LISTS = ("resources", "bases", "components")  # local ones are walked too
_MAX_BYTES = 1024 * 1024
_MAX_DEPTH = 100
# `github.com/org/repo`, `gitlab.example.com:8443/org/repo`: a host name where a path starts.
_HOST_PATH = re.compile(r"^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+(:\d+)?/")


@dataclass(frozen=True)
class RemoteReference:
    """One remote entry: the kustomization file that names it, where, and what."""

    file: str
    line: int
    column: int
    field: str
    value: str

    @property
    def message(self) -> str:
        return (
            f"{self.field} entry {self.value!r} is remote; svclint does not let a kustomization make it "
            "connect to the network, so this kustomization is not built (give --allow-remote to allow it)"
        )


def is_remote(value: str, directory: str) -> bool:
    """Whether kustomize would fetch ``value`` (named in a kustomization in ``directory``)."""
    if "\n" in value:  # an inline patch or generator, not a path
        return False
    if "://" in value or value.startswith(("git@", "git::", "gh:")):
        return True
    return bool(_HOST_PATH.match(value)) and not os.path.exists(os.path.join(directory, value))


def _compose(path: str) -> yaml.Node | None:
    """The kustomization's node tree (marks give lines), or None when it does not parse:
    kustomize then fails on its own, without fetching anything."""
    try:
        with open(path, "rb") as handle:
            raw = handle.read(_MAX_BYTES + 1)
        text = raw.decode("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None
    if len(raw) > _MAX_BYTES or nesting_error(text, _MAX_DEPTH) is not None:
        return None
    try:
        return yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (yaml.YAMLError, RecursionError):
        return None


def _entries(node: yaml.Node) -> list[tuple[str, yaml.ScalarNode]]:
    """(field, scalar) for every path-like entry of a kustomization mapping node."""
    out: list[tuple[str, yaml.ScalarNode]] = []
    if not isinstance(node, yaml.MappingNode):
        return out
    for key, value in node.value:
        field = key.value if isinstance(key, yaml.ScalarNode) else None
        if field in _PATH_LISTS and isinstance(value, yaml.SequenceNode):
            for item in value.value:
                if isinstance(item, yaml.ScalarNode):
                    out.append((field, item))
                elif isinstance(item, yaml.MappingNode):
                    out.extend((f"{field}[].{k.value}", v) for k, v in item.value
                               if isinstance(k, yaml.ScalarNode) and k.value == "path" and isinstance(v, yaml.ScalarNode))
        elif field == "openapi" and isinstance(value, yaml.MappingNode):
            out.extend(("openapi.path", v) for k, v in value.value
                       if isinstance(k, yaml.ScalarNode) and k.value == "path" and isinstance(v, yaml.ScalarNode))
        elif field in ("helmCharts", "helmChartInflationGenerator") and isinstance(value, yaml.SequenceNode):
            for item in value.value:
                if isinstance(item, yaml.MappingNode):
                    out.extend((f"{field}[].{k.value}", v) for k, v in item.value
                               if isinstance(k, yaml.ScalarNode) and k.value in ("repo", "chartRepoUrl")
                               and isinstance(v, yaml.ScalarNode) and v.value)
    return out


def remote_references(directory: str) -> list[RemoteReference]:
    """Every remote entry in the kustomization of ``directory`` and in the local bases and
    components it builds on, in the order kustomize reads them (each file once)."""
    found: list[RemoteReference] = []
    seen: set[str] = set()

    def visit(current: str) -> None:
        real = os.path.realpath(current)
        path = kustomization_file(current)
        if real in seen or path is None:
            return
        seen.add(real)
        root = _compose(path)
        if root is None:
            return
        for field, node in _entries(root):
            value = str(node.value)
            if field.startswith("helm") or is_remote(value, current):
                mark = node.start_mark
                found.append(RemoteReference(path, mark.line + 1, mark.column + 1, field, value))
            elif field in _DIRECTORY_LISTS:
                local = os.path.normpath(os.path.join(current, value))
                if os.path.isdir(local):
                    visit(local)

    visit(directory)
    return found
