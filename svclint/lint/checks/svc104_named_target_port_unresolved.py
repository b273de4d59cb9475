"""SVC104 named-target-port-unresolved."""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from svclint.findings import Severity
from svclint.kube.endpoints import PortNameMiss, explain_named_miss, ports_with_backends, resolve_target_port
from svclint.lint.rule import Related, Replacement, Rule, RuleContext, Violation
from svclint.loading.source import FieldPath


class NamedTargetPortUnresolved(Rule):
    """## What it does
    Reports a Service port whose named `targetPort` is not declared, with the Service
    port's protocol, by any serving container of a pod template the Service selects. Names
    are looked up the way the endpoint controller does (`FindPort`): regular containers in
    order, then sidecars (init containers with `restartPolicy: Always`); plain init
    containers never serve, and the protocol must match (a `UDP` Service port does not
    resolve a container port `dns` declared as `TCP`). Each selected workload is checked
    on its own; the message lists the nearest container port names, and says when the name
    exists with another protocol or only on a plain init container.

    A targetPort without any letter (`"8080"` quoted) is an invalid name reported by
    SVC206, not here.

    ## Why is this bad?
    Pods of that workload stay selected but get no endpoint port for this Service port
    (k8s.io/endpointslice utils.go `getEndpointPorts`): connections to it fail or only
    reach the other workloads, and `kubectl get endpointslices` shows pods with no ports.
    """

    id = "SVC104"
    name = "named-target-port-unresolved"
    summary = "A named targetPort is declared by no container of a selected pod template"
    severity = Severity.ERROR
    namespaced = True
    tags = ("services", "ports")

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        for service, port, templates in ports_with_backends(ctx.graph, ctx.focused_kind("Service")):
            name = port.target_port
            if not isinstance(name, str) or not any(c.isalpha() for c in name):
                continue  # numeric, or an invalid name (SVC206)
            for template in templates:
                if resolve_target_port(template, port) is not None:
                    continue
                miss = explain_named_miss(template, name, port.protocol)
                yield ctx.report(
                    f'targetPort "{name}" of Service {service.namespace}/{service.name} port '
                    f"{port.port}/{port.protocol} matches no {port.protocol} container port of "
                    f"{template.owner.ref}, so its pods get no endpoint for this port; "
                    f"{miss.explain(name, port.protocol)}. Name a container port \"{name}\" "
                    f"({port.protocol}) or set targetPort to one the pods declare",
                    service,
                    port.path + ("targetPort",),
                    [Related(f"pod template of {template.owner.ref}", template.owner, template.path + ("spec", "containers"))],
                    fix=_nearest_name(miss, port.path + ("targetPort",), name),
                )


def _nearest_name(miss: PortNameMiss, at: FieldPath, name: str) -> Replacement | None:
    """The nearest container port name the message suggests, as an edit of the targetPort."""
    if miss.other_protocol is not None or miss.plain_init is not None:
        return None
    close = difflib.get_close_matches(name, sorted(set(miss.declared_names)), n=1, cutoff=0.5)
    return Replacement(at, name, close[0]) if close else None
