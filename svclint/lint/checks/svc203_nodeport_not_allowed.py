"""SVC203 nodeport-not-allowed."""

from __future__ import annotations

from collections.abc import Iterator

from svclint.findings import Severity
from svclint.kube.services import is_headless, service_ports, service_type
from svclint.lint.rule import Rule, RuleContext, Violation


class NodePortNotAllowed(Rule):
    """## What it does
    Reports a `nodePort` on a Service of type ClusterIP (the default type), headless ones
    included. The API server rejects it with
    ``spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'``
    (pkg/apis/core/validation/validation.go, ValidateService).

    Only ClusterIP is checked, as in the API server: a nodePort on an ExternalName Service
    is accepted and silently ignored, and on NodePort/LoadBalancer Services it is allocated
    (SVC201 and SVC202 check it there).

    ## Why is this bad?
    The Service is never created. This typically happens when a Service is changed from
    NodePort to ClusterIP and the old `nodePort` stays behind: `kubectl apply` on an existing
    Service clears it, but a fresh install in a new cluster fails.
    """

    id = "SVC203"
    name = "nodeport-not-allowed"
    summary = "A nodePort on a ClusterIP or headless Service"
    severity = Severity.ERROR
    per_object = True  # one object's fields only (lint/perobject.py)
    tags = ("services", "ports")

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        for service in ctx.focused_kind("Service"):
            if service_type(service) != "ClusterIP":
                continue
            what = " (a headless Service is type ClusterIP too)" if is_headless(service) else ""
            for port in service_ports(service):
                if port.node_port is None:
                    continue
                yield ctx.report(
                    f"nodePort {port.node_port} may not be used when type is 'ClusterIP'{what}; "
                    "remove nodePort, or set type: NodePort to expose the port on every node",
                    service,
                    port.path + ("nodePort",),
                )
