"""SVC404 service-unreachable."""

from __future__ import annotations

from collections.abc import Iterator

from svclint.findings import Severity
from svclint.kube.sources import unmodelled_hint
from svclint.lint.checks.affected import AnsweredByChange
from svclint.lint.rule import Related, Rule, RuleContext, Violation
from svclint.routing.lint import focused_columns, isolating_policies, pod_ports_text, unreachable_columns
from svclint.routing.model import routing_model


class ServiceUnreachable(AnsweredByChange, Rule):
    """## What it does
    Reports a Service port whose endpoints no workload of the input can reach (egress at the
    client and ingress at the endpoint, on the endpoint's resolved targetPort) and that no
    entry point (NodePort, LoadBalancer, Ingress, OpenShift Route) reaches either. Services
    without endpoints are left to the Service rules. Workloads are every pod source
    svclint knows (see SVC101); when the input holds a custom resource svclint does not
    model, its pods may be the clients: the finding says so and is a note.

    ## Why is this bad?
    Nothing can use the port: the NetworkPolicies in front of its pods admit no client that
    exists, typically because a rule allows the wrong port or the wrong labels.
    """

    id = "SVC404"
    name = "service-unreachable"
    summary = "No workload and no entry point can reach any endpoint of a Service port"
    severity = Severity.WARNING
    tags = ("networkpolicy", "routing", "services")

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        services = ctx.focused_kind("Service")
        if not services:
            return  # no Service to report on: the routing model is not needed
        model = routing_model(ctx.graph, ctx.settings)
        unmodelled = [o for ns in sorted(ctx.graph.namespaces) for o in ctx.graph.unmodelled(ns)]
        columns = model.columns if ctx.focus is None else focused_columns(model, services)
        for column in unreachable_columns(model, columns):
            related = [Related(what, policy, "spec.podSelector") for what, policy in isolating_policies(model, column)]
            ports = pod_ports_text(column)
            at = column.service_port.path if column.service_port is not None else ("spec",)
            yield ctx.report(
                f"Service {column.service.namespace}/{column.service.name} port {column.port}/{column.protocol} "
                f"is reachable from no workload and no entry point: the policies on its endpoints admit nobody "
                f"on pod port {ports}; allow the clients on that port (`svclint explain CLIENT {column.service.name}` shows why)"
                f"{unmodelled_hint(unmodelled, 'its clients')}",
                column.service,
                at,
                related,
                uncertain=bool(unmodelled),
            )
