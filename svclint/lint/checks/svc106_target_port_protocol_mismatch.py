"""SVC106 target-port-protocol-mismatch."""

from __future__ import annotations

from collections.abc import Iterator

from svclint.findings import Severity
from svclint.kube.endpoints import ports_numbered, ports_with_backends
from svclint.kube.services import is_int
from svclint.lint.checks.strict import misspelled_here
from svclint.lint.checks.svc105_target_port_not_declared import target_port_field
from svclint.lint.rule import Related, Rule, RuleContext, Violation


class TargetPortProtocolMismatch(Rule):
    """## What it does
    Reports a Service port whose numeric `targetPort` (or the default, equal to `port`)
    is declared by a serving container of a selected pod template, but only with another
    protocol: a `53/UDP` Service port sent to a container that declares `53/TCP`.
    Named targetPorts are not checked here: a protocol mismatch makes them unresolved,
    which SVC104 reports.

    ## Why is this bad?
    A numeric targetPort ignores protocols, so the packets are delivered to the pod
    port with the Service's protocol, where the container, by its own declaration,
    does not listen: DNS over UDP times out, a TCP health check is refused.
    """

    id = "SVC106"
    name = "target-port-protocol-mismatch"
    summary = "The container port a numeric targetPort reaches is declared with another protocol"
    severity = Severity.WARNING
    namespaced = True
    tags = ("services", "ports")

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        for service, port, templates in ports_with_backends(ctx.graph, ctx.focused_kind("Service")):
            number = port.target_port
            if not is_int(number) or any(
                misspelled_here(ctx, service, port.path, field) for field in ("targetPort", "protocol")
            ):
                continue
            at, what = target_port_field(service, port)
            for template in templates:
                found = ports_numbered(template, number)
                if not found or any(p.protocol == port.protocol for p in found):
                    continue
                first = found[0]
                protocols = "/".join(sorted({p.protocol for p in found}))
                yield ctx.report(
                    f"{what} of Service {service.namespace}/{service.name} port {port.port}/{port.protocol} "
                    f'reaches container "{first.container}" of {template.owner.ref}, which declares port '
                    f"{number} as {protocols} only; set the Service port's protocol to {first.protocol}, or "
                    f"declare containerPort {number} with protocol: {port.protocol}",
                    service,
                    at,
                    [Related(f"containerPort {number}/{first.protocol} of {template.owner.ref}", template.owner, first.path)],
                )
