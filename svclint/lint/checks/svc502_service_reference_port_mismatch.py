"""SVC502 service-reference-port-mismatch."""

from __future__ import annotations

from collections.abc import Iterator

from svclint.findings import Severity
from svclint.kube.services import service_ports
from svclint.lint.checks.affected import AnsweredByChange
from svclint.lint.checks.callsfocus import focused_references
from svclint.lint.rule import Related, Rule, RuleContext, Violation
from svclint.routing.calls import PORT_MISMATCH, column_order
from svclint.routing.model import routing_model


class ServiceReferencePortMismatch(AnsweredByChange, Rule):
    """## What it does
    Reports a Service reference (see SVC501) whose port is not a port of the Service it
    names: `cart:8080` when Service `cart` has only port 80. A URL without a port uses its
    scheme's default (`http` 80, `https` 443, `redis` 6379, `postgres` 5432...). The message
    says when the port is a `targetPort` (clients use the Service port) and lists the ports
    the Service has. Not reported for ExternalName Services (the port is the outside
    server's) nor headless ones (clients reach the pods directly).

    ## Why is this bad?
    A Service forwards only its own ports: a connection to any other port of its cluster
    IP is refused or times out.
    """

    id = "SVC502"
    name = "service-reference-port-mismatch"
    summary = "A Service reference uses a port the Service does not have"
    severity = Severity.ERROR
    tags = ("services", "calls", "ports")

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        model = routing_model(ctx.graph, ctx.settings)
        for item in focused_references(ctx, model):
            if item.problem != PORT_MISMATCH or item.service is None:
                continue
            ref = item.reference
            ports = [p for p in service_ports(item.service) if p.port is not None]
            listed = ", ".join(f"{p.port}" + (f" ({p.name})" if p.name else "") for p in ports)
            targets = [p for p in ports if p.target_port == ref.port]
            named = [c for c in sorted(model.columns_of(item.service), key=column_order) if any(e.port == ref.port for e in c.endpoints)]
            if targets:
                hint = f"; {ref.port} is the targetPort of port {targets[0].port}: clients use the Service port"
            elif named:
                hint = f"; {ref.port} is the pod port of port {named[0].port} (targetPort {named[0].target}): clients use the Service port"
            else:
                hint = ""
            yield ctx.report(
                f"{ref.origin} calls {ref.host}:{ref.port}, but Service {item.service.ref.qualified.split('[')[0]} "
                f"has no port {ref.port} (its ports: {listed}){hint}",
                ref.holder,
                ref.path,
                related=[Related(f"ports of Service {item.service.ref.qualified.split('[')[0]}", item.service, "spec.ports")],
            )
