"""Settings of one run, after config files and CLI flags are layered."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from svclint.findings import Severity

# Measured: a file of 408k small Services peaked at 3.8 GB, about 9 KiB per object.
BYTES_PER_OBJECT = 10 * 1024


def _default_max_objects() -> int:
    """Objects one file may hold: what a quarter of the machine's memory holds, within
    10,000-1,000,000 (a memory-aware bound; the ceiling is CEILINGS')."""
    try:
        memory = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, OSError, ValueError):  # not POSIX
        memory = 4 * 1024**3
    return max(10_000, min(1_000_000, memory // 4 // BYTES_PER_OBJECT))


@dataclass(frozen=True)
class Limits:
    """Bounds that keep hostile input cheap. Configurable under ``limits:``, never past
    ``CEILINGS`` (config.schema.json says the same maxima): a repository's config cannot
    lift them. Config and rule files are read with their own, smaller, fixed limits."""

    max_depth: int = 200
    max_expanded_nodes: int = 1_000_000
    max_document_bytes: int = 64 * 1024 * 1024
    max_objects_per_file: int = _default_max_objects()


CEILINGS = Limits(
    max_depth=400, max_expanded_nodes=10_000_000, max_document_bytes=256 * 1024 * 1024, max_objects_per_file=1_000_000
)


@dataclass(frozen=True)
class WorkloadIdentity:
    """Where a cluster component lives (ingress controller, kube-dns) for the routing model."""

    namespace: str
    labels: tuple[tuple[str, str], ...]
    namespace_labels: tuple[tuple[str, str], ...] = ()  # labels of its namespace when the input has no Namespace object


@dataclass(frozen=True)
class PodSource:
    """A custom resource kind a team declares as a pod source (config ``pod-sources:``).

    Paths are dotted field paths inside the custom resource; ``fixed_labels`` are labels the
    operator adds to every pod (``{name}`` in a value stands for the resource's name).
    """

    kind: str
    group: str
    labels: str | None = "spec.template.metadata.labels"
    containers: str | None = "spec.template.spec.containers"
    replicas: str | None = "spec.replicas"
    default_replicas: int = 1
    fixed_labels: tuple[tuple[str, str], ...] = ()
    ports: tuple[tuple[str, int, str], ...] = ()  # (name, containerPort, protocol) every pod declares


DEFAULT_INGRESS_CONTROLLER = WorkloadIdentity(
    "ingress-nginx", (("app.kubernetes.io/name", "ingress-nginx"),)
)
DEFAULT_KUBE_DNS = WorkloadIdentity("kube-system", (("k8s-app", "kube-dns"),))
# OpenShift's default router: the IngressController "default" runs in openshift-ingress,
# its pods labelled by cluster-ingress-operator (pkg/operator/controller/names.go ControllerDeploymentLabel);
# policies admit it by the namespace labels OpenShift documents for ingress traffic
# (policy-group.network.openshift.io/ingress, and the legacy network.openshift.io/policy-group: ingress).
DEFAULT_OPENSHIFT_ROUTER = WorkloadIdentity(
    "openshift-ingress",
    (("ingresscontroller.operator.openshift.io/deployment-ingresscontroller", "default"),),
    (("network.openshift.io/policy-group", "ingress"), ("policy-group.network.openshift.io/ingress", "")),
)


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


@dataclass(frozen=True)
class CallsConfig:
    """``calls:`` of the config: how Service references are read (docs/routing.md, "Calls")."""

    cluster_domain: str = "cluster.local"
    ignore_variables: tuple[str, ...] = ()  # globs of env names never read as references
    host_variables: tuple[str, ...] = ()  # globs of env names whose bare value is a Service name


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
    openshift_router: WorkloadIdentity = DEFAULT_OPENSHIFT_ROUTER  # the source of Route traffic
    pod_sources: tuple[PodSource, ...] = ()  # custom resources the config declares as pod sources
    plugins: bool = True
    config_path: str | None = None
    kustomize_bin: str | None = None  # None: kustomize, else kubectl, on PATH
    helm_charts: tuple[str, ...] = ()  # chart directories rendered with `helm template`
    schema_dirs: tuple[str, ...] = ()  # extra JSON schemas for SVC004 (custom resources)
    allow_remote: bool = False  # --allow-remote only (never a config file): kustomize may fetch
    follow_symlinks: bool = False  # --follow-symlinks only: also those leading out of the checked tree
    # -- issue 17: units, Helm values, .gitignore, empty runs (docs/inputs.md) --
    helm_values: tuple[str, ...] = ()  # --helm-values: for every chart rendered
    helm_set: tuple[str, ...] = ()  # --helm-set KEY=VALUE: for every chart rendered
    helm_chart_options: dict[str, HelmChartOptions] = field(default_factory=dict)  # real chart path -> config
    helm_chart_root: str | None = None  # the chart piped `helm template` output came from
    gitignore: bool = True  # inside a git work tree, skip what git ignores
    units: tuple[UnitConfig, ...] = ()  # configured deployment units (loading.units)
    allow_empty: bool = False  # a run that finds no object exits 0, not 2
    only_units: tuple[str, ...] = ()  # --unit: check only these units
    baseline: str | None = None  # config `baseline:` (issue 13): findings recorded there are not reported
    calls: CallsConfig = field(default_factory=CallsConfig)  # issue 12: Service references
    # -- issue 15: the parse cache (loading.cache; docs/cache.md) --
    cache_dir: str | None = None  # None: no cache (the CLI's default is .svclint_cache at the project root)
    cache: bool = True  # False: --no-cache or config `cache: false`


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
