"""Kustomize: render an overlay with the real tool and find the user's file for each object.

The build runs on a temporary wrapper kustomization (``resources: [<the user's dir>]`` plus
``buildMetadata: [originAnnotations]``), so the user's kustomization is never modified and
every object comes back with ``config.kubernetes.io/origin`` naming the file that defines
it (sigs.k8s.io/kustomize api/internal/builtins, ``buildMetadata`` options). The wrapper adds
no transformation, so the output is what the user's own build prints, plus that annotation,
which svclint removes again before checking.

Attribution of a field (see ``Attribution``): the strategic-merge patch files of the
kustomization tree that set it (outermost overlay first), else the resource file that
defines the object (the field, or its deepest existing parent when a transformer added
it), else the kustomization itself (generated objects, remote resources, a failed lookup).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import yaml

from svclint.loading.render import RenderError, ToolMissing, find_tool, run_tool
from svclint.loading.source import (
    Attribution,
    DefinedIn,
    DocumentSpan,
    Source,
    UnreadableFile,
    read_text,
)

KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
ORIGIN_ANNOTATION = "config.kubernetes.io/origin"
_GENERATOR_KEYS = {
    "ConfigMapGenerator": "configMapGenerator",
    "SecretGenerator": "secretGenerator",
    "HelmChartInflationGenerator": "helmCharts",
}


def kustomization_file(directory: str) -> str | None:
    """The kustomization file of ``directory``, if it holds one."""
    for name in KUSTOMIZATION_FILES:
        candidate = os.path.join(directory, name)
        if os.path.isfile(candidate):
            return candidate
    return None


def _read_kustomization(directory: str) -> dict[str, Any]:
    path = kustomization_file(directory)
    if path is None:
        return {}
    try:
        data = yaml.safe_load(read_text(path))
    except (UnreadableFile, yaml.YAMLError):
        return {}
    return data if isinstance(data, dict) else {}


def _local_entries(directory: str, data: dict[str, Any], *keys: str) -> list[str]:
    """Local paths listed under ``keys`` (remote URLs and inline patches are skipped)."""
    out = []
    for key in keys:
        entries = data.get(key)
        for entry in entries if isinstance(entries, list) else []:
            if isinstance(entry, dict):
                entry = entry.get("path")
            if isinstance(entry, str) and "\n" not in entry and "://" not in entry and not entry.startswith("git@"):
                out.append(os.path.normpath(os.path.join(directory, entry)))
    return out


def is_component(directory: str) -> bool:
    """``kind: Component``: it can only be built through ``components:``, not ``resources:``."""
    return _read_kustomization(directory).get("kind") == "Component"


def referenced_directories(directory: str) -> list[str]:
    """Directories this kustomization builds on (``resources``/``bases``/``components``)."""
    data = _read_kustomization(directory)
    return [p for p in _local_entries(directory, data, "resources", "bases", "components") if os.path.isdir(p)]


def patch_files(directory: str) -> list[str]:
    """Strategic-merge patch files of the whole tree, the last applied first."""
    out: list[str] = []
    seen: set[str] = set()

    def visit(current: str) -> None:
        real = os.path.realpath(current)
        if real in seen:
            return
        seen.add(real)
        data = _read_kustomization(current)
        files = _local_entries(current, data, "patchesStrategicMerge", "patches")
        out.extend(p for p in reversed(files) if os.path.isfile(p))
        for child in referenced_directories(current):
            visit(child)

    visit(directory)
    return out


def kustomize_command(kustomize_bin: str | None, what: str) -> list[str]:
    """``kustomize build`` or ``kubectl kustomize``; RenderError when neither is available."""
    candidates = [kustomize_bin] if kustomize_bin else ["kustomize", "kubectl"]
    for name in candidates:
        binary = find_tool(name)
        if binary is not None:
            is_kubectl = os.path.basename(binary).lower().startswith("kubectl")
            return [binary, "kustomize"] if is_kubectl else [binary, "build"]
    if kustomize_bin:
        raise RenderError(f"{what}: --kustomize-bin {kustomize_bin} is not an executable")
    raise ToolMissing(
        f"{what}: needs kustomize or kubectl on PATH to render the kustomization "
        "(or name one with --kustomize-bin)"
    )


@dataclass
class RenderedKustomization:
    text: str
    resolve_origin: Callable[[str], str] | None  # origin path -> absolute path; None: no origins


def render(directory: str, kustomize_bin: str | None, shown: str | None = None) -> RenderedKustomization:
    """Build ``directory`` with origin annotations (without them if the wrapper cannot be built)."""
    what = f"kustomization {shown or directory}"
    command = kustomize_command(kustomize_bin, what)
    target = os.path.realpath(directory)
    with tempfile.TemporaryDirectory(prefix="svclint-kustomize-") as tmp:
        wrapper = os.path.realpath(tmp)
        try:
            relative = os.path.relpath(target, wrapper).replace(os.sep, "/")
        except ValueError:  # another drive on Windows: no wrapper possible
            relative = None
        if relative is not None:
            with open(os.path.join(wrapper, "kustomization.yaml"), "w", encoding="utf-8") as handle:
                key = "components" if is_component(target) else "resources"
                handle.write(f"{key}:\n  - {relative}\nbuildMetadata: [originAnnotations]\n")
            try:
                text = run_tool(command + [wrapper], what)
            except RenderError:
                pass  # e.g. a kind: Component; the plain build below reports real errors
            else:
                return RenderedKustomization(text, lambda path: os.path.normpath(os.path.join(wrapper, path)))
    return RenderedKustomization(run_tool(command + [directory], what), None)


def _scalar(node: yaml.Node | None, *path: str) -> str | None:
    for part in path:
        if not isinstance(node, yaml.MappingNode):
            return None
        node = next((v for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == part), None)
    return node.value if isinstance(node, yaml.ScalarNode) else None


def _best_document(source: Source, kind: str, name: str) -> int | None:
    """Index of the document of ``source`` that defines ``kind``/``name`` before prefixes,
    suffixes and hashes were added: the exact name, else the longest contained name."""
    best: tuple[int, int] | None = None
    for index, node in enumerate(source.documents()):
        if _scalar(node, "kind") != kind:
            continue
        doc_name = _scalar(node, "metadata", "name") or ""
        score = 1_000_000 if doc_name == name else (len(doc_name) if doc_name and doc_name in name else -1)
        if score >= 0 and (best is None or score > best[0]):
            best = (score, index)
    return best[1] if best else None


@dataclass
class Attributor:
    """Builds the Attribution of each rendered object of one kustomization."""

    directory: str
    kustomization: Source
    resolve_origin: Callable[[str], str] | None
    open_source: Callable[[str], Source]  # absolute path -> Source (cached, comments recorded)
    _patches: list[Source] | None = field(default=None, repr=False)

    def _patch_sources(self) -> list[Source]:
        if self._patches is None:
            self._patches = [self.open_source(p) for p in patch_files(self.directory)]
        return self._patches

    def _pinned(self, source: Source, key: str | None = None) -> DefinedIn:
        return DefinedIn(source, DocumentSpan(0), (key,) if key else (), pinned=True)

    def attribute(self, kind: str, name: str, origin_text: str | None) -> Attribution:
        origin = None
        if origin_text and self.resolve_origin is not None:
            try:
                origin = yaml.safe_load(origin_text)
            except yaml.YAMLError:
                origin = None
        if not isinstance(origin, dict) or origin.get("repo"):
            return Attribution(self._pinned(self.kustomization))
        if isinstance(origin.get("configuredIn"), str):  # a generator
            assert self.resolve_origin is not None
            source = self.open_source(self.resolve_origin(origin["configuredIn"]))
            configured_by = origin.get("configuredBy")
            by = configured_by if isinstance(configured_by, dict) else {}
            return Attribution(self._pinned(source, _GENERATOR_KEYS.get(str(by.get("kind")))))
        if not isinstance(origin.get("path"), str):
            return Attribution(self._pinned(self.kustomization))
        assert self.resolve_origin is not None
        source = self.open_source(self.resolve_origin(origin["path"]))
        index = _best_document(source, kind, name)
        if index is None:
            return Attribution(self._pinned(source))
        patches = []
        for patch in self._patch_sources():
            patch_index = _best_document(patch, kind, name)
            if patch_index is not None:
                patches.append(DefinedIn(patch, DocumentSpan(patch_index)))
        return Attribution(DefinedIn(source, DocumentSpan(index)), tuple(patches))
