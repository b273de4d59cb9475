"""SVC201 nodeport-out-of-range."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from svclint.findings import Severity
from svclint.kube.graph import ManifestGraph
from svclint.kube.model import K8sObject
from svclint.kube.nodeports import free_node_port, node_port_claims, requested_node_ports
from svclint.lint.checks.affected import ClaimsFromAPool
from svclint.lint.rule import Rule, RuleContext, Violation


class NodePortOutOfRange(ClaimsFromAPool, Rule):
    """## What it does
    Reports a `nodePort` outside the cluster's node port range (`--node-port-range`,
    default 30000-32767, as kube-apiserver's `--service-node-port-range`) on a NodePort or
    LoadBalancer Service, and suggests a free port in range.

    A nodePort on an ExternalName Service is accepted and ignored by the API server, and
    one on a ClusterIP Service is SVC203's business, so neither is reported here.

    ## Why is this bad?
    The API server's allocator rejects the Service before any other validation runs
    (`provided port is not in the valid range`), so the Service is never created.
    """

    id = "SVC201"
    name = "nodeport-out-of-range"
    summary = "A nodePort outside the node port range"
    severity = Severity.ERROR
    tags = ("services", "ports")

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        low, high = ctx.settings.node_port_range
        used: set[int] | None = None  # every requested nodePort, read for the first suggestion
        for service in ctx.focused_kind("Service"):
            for claim in node_port_claims(service):
                if claim.health_check or low <= claim.node_port <= high:
                    continue
                if used is None:
                    used = {claim.node_port for claim in requested_node_ports(ctx.graph)}
                suggestion = free_node_port(used, low, high)
                fix = f"use a free port in range such as {suggestion}" if suggestion else "the range is full"
                yield ctx.report(
                    f"nodePort {claim.node_port} is outside the node port range {low}-{high}; "
                    f"{fix}, or omit nodePort to let the cluster allocate one",
                    claim.service,
                    claim.path,
                )

    @classmethod
    def pool_claims(cls, graph: ManifestGraph, objects: Sequence[K8sObject]) -> object:
        # a finding reads its own claim and, for its suggestion, the set of requested numbers
        return {claim.node_port for obj in objects if obj.kind == "Service" for claim in node_port_claims(obj)}
