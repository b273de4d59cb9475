"""Settings of one run, after config files and CLI flags are layered."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from svclint.findings import Severity


@dataclass(frozen=True)
class Limits:
    """Bounds that keep hostile input cheap. Configurable under ``limits:``."""

    max_depth: int = 200
    max_expanded_nodes: int = 1_000_000
    max_document_bytes: int = 64 * 1024 * 1024


@dataclass(frozen=True)
class WorkloadIdentity:
    """Where a cluster component lives (ingress controller, kube-dns) for the routing model."""

    namespace: str
    labels: tuple[tuple[str, str], ...]


DEFAULT_INGRESS_CONTROLLER = WorkloadIdentity(
    "ingress-nginx", (("app.kubernetes.io/name", "ingress-nginx"),)
)
DEFAULT_KUBE_DNS = WorkloadIdentity("kube-system", (("k8s-app", "kube-dns"),))


@dataclass(frozen=True)
class HelmChartOptions:
    """Config ``helm: {charts: {DIR: {values: [...], set: [...]}}}``: how one chart is rendered."""

    values: tuple[str, ...] = ()
    set: tuple[str, ...] = ()


@dataclass(frozen=True)
class UnitConfig:
    """Config ``units: [{name: N, paths: [GLOB...]}]``: one deployment unit, by globs."""

    name: str  # with ``each``: a prefix for the unit names (usually "")
    paths: tuple[str, ...]
    root: str  # the globs are relative to this directory (the config's)
    each: bool = False  # one unit per path the globs match, named after it


@dataclass
class Settings:
    default_namespace: str = "default"
    node_port_range: tuple[int, int] = (30000, 32767)
    kube_version: str | None = None
    exclude: tuple[str, ...] = ()
    exclude_root: str | None = None  # ``exclude`` is relative to this (the config's directory)
    cli_exclude: tuple[str, ...] = ()  # --exclude: relative to the working directory
    project_paths: tuple[str, ...] = ()  # config `paths:`: graph scope in hook mode
    select: tuple[str, ...] | None = None  # None: the rules enabled by default
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    rule_config: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> severity/options
    rule_dirs: tuple[str, ...] = ()
    fail_on: Severity | None = Severity.ERROR  # None: never fail
    jobs: int = 0  # 0: automatic
    limits: Limits = field(default_factory=Limits)
    ingress_controller: WorkloadIdentity = DEFAULT_INGRESS_CONTROLLER
    kube_dns: WorkloadIdentity = DEFAULT_KUBE_DNS
    plugins: bool = True
    config_path: str | None = None
    kustomize_bin: str | None = None  # None: kustomize, else kubectl, on PATH
    helm_charts: tuple[str, ...] = ()  # chart directories rendered with `helm template`
    schema_dirs: tuple[str, ...] = ()  # extra JSON schemas for SVC004 (custom resources)
    # -- issue 17: units, Helm values, .gitignore, empty runs (docs/inputs.md) --
    helm_values: tuple[str, ...] = ()  # --helm-values: for every chart rendered
    helm_set: tuple[str, ...] = ()  # --helm-set KEY=VALUE: for every chart rendered
    helm_chart_options: dict[str, HelmChartOptions] = field(default_factory=dict)  # real chart path -> config
    helm_chart_root: str | None = None  # the chart piped `helm template` output came from
    gitignore: bool = True  # inside a git work tree, skip what git ignores
    units: tuple[UnitConfig, ...] = ()  # configured deployment units (loading.units)
    allow_empty: bool = False  # a run that finds no object exits 0, not 2
    only_units: tuple[str, ...] = ()  # --unit: check only these units


def parse_port_range(text: str) -> tuple[int, int]:
    """``30000-32767`` (or a single port) as kube-apiserver's --service-node-port-range."""
    parts = str(text).split("-")
    try:
        if len(parts) == 1:
            low = high = int(parts[0])
        elif len(parts) == 2:
            low, high = int(parts[0]), int(parts[1])
        else:
            raise ValueError
    except ValueError:
        raise ValueError(f"invalid port range {text!r}: expected LOW-HIGH, e.g. 30000-32767") from None
    if not (1 <= low <= high <= 65535):
        raise ValueError(f"invalid port range {text!r}: ports must be 1-65535 and LOW <= HIGH")
    return low, high
