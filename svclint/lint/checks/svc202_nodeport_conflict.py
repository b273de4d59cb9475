"""SVC202 nodeport-conflict."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence

from svclint.findings import Severity
from svclint.kube.graph import ManifestGraph
from svclint.kube.model import K8sObject
from svclint.kube.nodeports import NodePortClaim, free_node_port, node_port_claims, requested_node_ports
from svclint.lint.checks.affected import ClaimsFromAPool
from svclint.lint.rule import Related, Rule, RuleContext, Violation


def _describe(claim: NodePortClaim) -> str:
    what = "healthCheckNodePort" if claim.service_port is None else f"port {claim.service_port}/{claim.protocol}"
    return f"{claim.service.ref} ({what})"


class NodePortConflict(ClaimsFromAPool, Rule):
    """## What it does
    Reports a nodePort requested twice across the whole input. Node ports are one pool for
    the whole cluster and every protocol, so two Services (in any namespaces) cannot ask for
    the same number, and neither can two different port numbers of one Service. The same
    Service port number on TCP and UDP (`53/TCP` + `53/UDP`) may share a nodePort: the
    allocator keys it by port number. `healthCheckNodePort` draws from the same pool.

    The finding is reported at the later claim in file order and points at the first.

    ## Why is this bad?
    Whichever Service is applied second is rejected with `provided port is already
    allocated`, so a deploy fails halfway, depending on apply order.
    """

    id = "SVC202"
    name = "nodeport-conflict"
    summary = "The same nodePort is requested twice across the input"
    severity = Severity.ERROR
    tags = ("services", "ports")

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        low, high = ctx.settings.node_port_range
        if ctx.focus is not None and not any(
            low <= claim.node_port <= high for service in ctx.focused_kind("Service") for claim in node_port_claims(service)
        ):
            return  # each finding is at a Service's claim: none in focus, none to find there
        claims: dict[int, list[NodePortClaim]] = defaultdict(list)
        for claim in requested_node_ports(ctx.graph):
            if low <= claim.node_port <= high:  # out of range: SVC201, never allocated
                claims[claim.node_port].append(claim)
        used = set(claims)
        for node_port in sorted(claims):
            ordered = sorted(
                claims[node_port],
                key=lambda c: (c.service.source.path, c.service.doc_index, c.service.base_path, c.path),
            )
            first = ordered[0]
            for claim in ordered[1:]:
                if (
                    claim.service is first.service
                    and claim.service_port is not None
                    and claim.service_port == first.service_port
                ):
                    continue  # 53/TCP and 53/UDP of one Service share their nodePort
                suggestion = free_node_port(used, low, high)
                if suggestion is None:
                    fix = "; the range is full"
                else:
                    used.add(suggestion)
                    fix = f"; use a free port such as {suggestion}"
                yield ctx.report(
                    f"nodePort {node_port} of {_describe(claim)} is already requested by "
                    f"{_describe(first)}{fix}",
                    claim.service,
                    claim.path,
                    related=[Related(f"nodePort {node_port} first requested by {_describe(first)}", first.service, first.path)],
                )

    @classmethod
    def pool_claims(cls, graph: ManifestGraph, objects: Sequence[K8sObject]) -> object:
        return [
            (claim.node_port, claim.service_port, claim.protocol, claim.path)
            for obj in objects if obj.kind == "Service" for claim in node_port_claims(obj)
        ]
