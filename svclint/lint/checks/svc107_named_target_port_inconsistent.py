"""SVC107 named-target-port-inconsistent."""

from __future__ import annotations

from collections.abc import Iterator

from svclint.findings import Severity
from svclint.kube.endpoints import ports_with_backends, resolve_target_port
from svclint.kube.podports import ContainerPort
from svclint.lint.rule import Related, Rule, RuleContext, Violation


class NamedTargetPortInconsistent(Rule):
    """## What it does
    Reports a Service port whose named `targetPort` resolves to different container port
    numbers on different selected pod templates (for example `http` is 8080 in one
    Deployment and 9090 in another).

    ## Why is this bad?
    It works, since a named port resolves per pod, and it is how a port can be moved
    without downtime; but left in place it is surprising: EndpointSlices split by port
    number, NetworkPolicies that allow one number block the other workload, and a reader
    of one Deployment cannot tell where the Service sends traffic.
    """

    id = "SVC107"
    name = "named-target-port-inconsistent"
    summary = "A named targetPort resolves to different numbers on different selected workloads"
    severity = Severity.NOTE
    namespaced = True
    tags = ("services", "ports")

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        for service, port, templates in ports_with_backends(ctx.graph, ctx.focused_kind("Service")):
            if len(templates) < 2 or not isinstance(port.target_port, str):
                continue
            resolved = []
            for template in templates:
                found = resolve_target_port(template, port)
                if isinstance(found, ContainerPort) and found.number is not None:
                    resolved.append((template, found))
            if len({found.number for _, found in resolved}) < 2:
                continue
            resolved.sort(key=lambda item: (item[1].number or 0, str(item[0].owner.ref)))
            listed = ", ".join(f"{found.number} on {t.owner.ref}" for t, found in resolved)
            yield ctx.report(
                f'targetPort "{port.target_port}" of Service {service.namespace}/{service.name} port '
                f"{port.port}/{port.protocol} resolves to different pod ports: {listed}; use one container "
                f"port number for \"{port.target_port}\" in every selected workload",
                service,
                port.path + ("targetPort",),
                [
                    Related(f'"{port.target_port}" is {found.number} in {t.owner.ref}', t.owner, found.path)
                    for t, found in resolved
                ],
            )
