"""SVC210 cluster-ip-conflict."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator, Sequence

from svclint.findings import Severity
from svclint.kube.graph import ManifestGraph
from svclint.kube.memo import kept
from svclint.kube.model import K8sObject
from svclint.kube.services import is_external_name
from svclint.lint.checks.affected import ClaimsFromAPool
from svclint.lint.rule import Related, Rule, RuleContext, Violation
from svclint.loading.source import FieldPath


def _canonical(ip: str) -> str:
    """``10.96.0.10`` and IPv6 spellings of one address compare equal; non-IPs compare as text."""
    try:
        return str(ipaddress.ip_address(ip))
    except ValueError:
        return ip


def requested_cluster_ips(service: K8sObject) -> Iterator[tuple[str, str, FieldPath]]:
    """(canonical IP, as written, path) of every explicit cluster IP; "" and "None" request none."""
    seen = set()
    candidates: list[tuple[object, FieldPath]] = [(service.spec.get("clusterIP"), ("spec", "clusterIP"))]
    ips = service.spec.get("clusterIPs")
    if isinstance(ips, list):
        candidates += [(ip, ("spec", "clusterIPs", i)) for i, ip in enumerate(ips)]
    for value, path in candidates:
        if isinstance(value, str) and value not in ("", "None"):
            canonical = _canonical(value)
            if canonical not in seen:
                seen.add(canonical)
                yield canonical, value, path


def _claims(service: K8sObject) -> list[tuple[str, str, FieldPath]]:
    """``requested_cluster_ips`` of a Service that gets a cluster IP (none for ExternalName)."""
    return kept(service, "cluster_ips", lambda: [] if is_external_name(service) else list(requested_cluster_ips(service)))


class ClusterIPConflict(ClaimsFromAPool, Rule):
    """## What it does
    Reports an explicit `clusterIP` (or `clusterIPs` entry) requested by two Services. Cluster
    IPs come from one allocator for the whole cluster, so namespaces do not separate them.
    `""` (allocate one) and `"None"` (headless) request nothing; ExternalName Services get no
    cluster IP. The same Service defined twice is SVC003's, not a conflict.

    The finding is reported at the later Service in file order and points at the first.

    ## Why is this bad?
    The allocator rejects the second Service (`spec.clusterIPs: Invalid value: ...: failed to
    allocate IP ...: provided IP is already allocated`), so whichever is applied second is
    never created.
    """

    id = "SVC210"
    name = "cluster-ip-conflict"
    summary = "The same explicit clusterIP on two Services"
    severity = Severity.ERROR
    tags = ("services",)

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        if ctx.focus is not None and not any(_claims(service) for service in ctx.focused_kind("Service")):
            return  # each finding is at a Service's claim: none in focus, none to find there
        first: dict[str, tuple[K8sObject, str, FieldPath]] = {}
        services = sorted(
            (s for s in ctx.graph.of_kind("Service") if _claims(s)),
            key=lambda s: (s.source.path, s.doc_index, s.base_path),
        )
        for service in services:
            for canonical, written, path in _claims(service):
                owner = first.setdefault(canonical, (service, written, path))
                other, other_written, other_path = owner
                if other is service or other.ref == service.ref:
                    continue
                yield ctx.report(
                    f"clusterIP {written} is already requested by {other.ref}; cluster IPs are unique in the "
                    "whole cluster: choose another address in the service CIDR, or remove clusterIP to let "
                    "the cluster allocate one",
                    service,
                    path,
                    related=[Related(f"clusterIP {other_written} first requested by {other.ref}", other, other_path)],
                )

    @classmethod
    def pool_claims(cls, graph: ManifestGraph, objects: Sequence[K8sObject]) -> object:
        return [claim for obj in objects if obj.kind == "Service" for claim in _claims(obj)]
