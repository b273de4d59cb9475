"""SVC405 exposed-service-blocked."""

from __future__ import annotations

from collections.abc import Iterator

from svclint.findings import Severity
from svclint.lint.checks.affected import AnsweredByChange
from svclint.lint.rule import Related, Rule, RuleContext, Violation
from svclint.routing.entry import entry_services
from svclint.routing.lint import blocked_exposures, focused_columns, isolating_policies, pod_ports_text
from svclint.routing.model import routing_model


class ExposedServiceBlocked(AnsweredByChange, Rule):
    """## What it does
    Reports an exposure to the outside world (a NodePort or LoadBalancer Service port, or
    an Ingress backend) whose endpoints admit no outside traffic: for NodePort and
    LoadBalancer, no ingress rule admits outside addresses (within
    `loadBalancerSourceRanges`) on the pod port; for an Ingress, the ingress controller
    cannot reach the pods.

    ## Why is this bad?
    The Service was exposed to be used from outside, but every request is dropped at the
    pods, which looks like an outage of the load balancer or the Ingress.
    """

    id = "SVC405"
    name = "exposed-service-blocked"
    summary = "A NodePort/LoadBalancer/Ingress exposure whose endpoints deny that entry point"
    severity = Severity.WARNING
    tags = ("networkpolicy", "routing", "exposure")

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        columns = None
        if ctx.focus is not None:
            # its findings are at a Service or at an Ingress or Route: the focused Services, and those the focused entries route to
            entries = entry_services(ctx.graph, ctx.focused_kind("Ingress", "Route"))
            columns = list({id(s): s for s in (*ctx.focused_kind("Service"), *entries)}.values())
            if not columns:
                return
        model = routing_model(ctx.graph, ctx.settings)
        chosen = None if columns is None else focused_columns(model, columns)
        for column in blocked_exposures(model, chosen):
            exposure = model.exposure_of(column)
            service = column.service
            related = [Related(what, policy, "spec.podSelector") for what, policy in isolating_policies(model, column)]
            ports = pod_ports_text(column)
            name = f"{service.namespace}/{service.name}"
            if exposure.direct:
                at = column.service_port.path if column.service_port is not None else ("spec",)
                yield ctx.report(
                    f"Service {name} port {column.port}/{column.protocol} is exposed by {' and '.join(exposure.direct)}, "
                    f"but no NetworkPolicy admits outside addresses to its pods on {column.protocol} {ports}; "
                    f"add an ingress rule with an ipBlock for the clients",
                    service,
                    at,
                    related,
                )
            for backend in exposure.ingresses:
                if exposure.direct:
                    break
                what = "the OpenShift router" if backend.kind == "Route" else "the ingress controller"
                yield ctx.report(
                    f"{backend.label} routes to Service {name} port "
                    f"{column.port}, but the pods admit no traffic from {what} on "
                    f"{column.protocol} {ports}; allow the controller's namespace in an ingress rule",
                    backend.ingress,
                    backend.path,
                    related,
                )
