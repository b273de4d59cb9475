"""SVC406 policy-uses-service-port."""

from __future__ import annotations

from collections.abc import Iterator

from svclint.findings import Severity
from svclint.lint.checks.affected import AnsweredByChange
from svclint.lint.rule import Related, Rule, RuleContext, Violation
from svclint.routing.lint import guarded_columns
from svclint.routing.model import routing_model
from svclint.routing.services import PODS


class PolicyUsesServicePort(AnsweredByChange, Rule):
    """## What it does
    Reports a numeric NetworkPolicy port that equals the `port` of a Service whose pods it
    guards (ingress rules of policies selecting the endpoints, egress rules whose peers
    include them) when the pods listen on a different `targetPort` that the same rule does
    not cover.

    ## Why is this bad?
    NetworkPolicies see traffic after the Service has translated it: the destination port
    is the pod's `targetPort`, never the Service `port`. A rule on the Service port matches
    nothing and the traffic it was meant to allow is dropped.
    """

    id = "SVC406"
    name = "policy-uses-service-port"
    summary = "A NetworkPolicy allows a Service's port where the pods listen on another targetPort"
    severity = Severity.WARNING
    tags = ("networkpolicy", "routing", "services")

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        if not ctx.focused_kind("NetworkPolicy"):
            return  # its findings are at policies: none in the focus, no routing model needed
        model = routing_model(ctx.graph, ctx.settings)
        engine = model.engine
        seen: set[tuple[int, tuple[object, ...]]] = set()
        for column in model.columns if ctx.focus is None else guarded_columns(model, ctx.in_focus):
            if column.kind != PODS or column.service_port is None:
                continue
            for endpoint in column.resolved:
                if endpoint.port == column.port:
                    continue
                cls = endpoint.cls
                rules = engine.ingress_rules[cls.index] + engine.rules_to(cls)
                for rule in rules:
                    ports = rule.rule.ports
                    if any(rp.covers(column.protocol, endpoint.port, cls.named_ports) for rp in ports):  # type: ignore[arg-type]
                        continue
                    for rp in ports:
                        if isinstance(rp.port, int) and rp.end_port is None and rp.port == column.port and rp.protocol == column.protocol:
                            key = (id(rule.policy.obj), rp.path)
                            if key in seen:
                                continue
                            seen.add(key)
                            service = column.service
                            yield ctx.report(
                                f"NetworkPolicy {rule.policy.key} {rule.rule.label} allows {rp.protocol} {rp.port}, the port of "
                                f"Service {service.namespace}/{service.name}, but {endpoint.template.owner.ref.qualified} listens "
                                f"on targetPort {endpoint.port}: policies see the pod port; allow {endpoint.port} instead",
                                rule.policy.obj,
                                rp.path + ("port",),
                                [Related(f"Service {service.namespace}/{service.name} port {column.port} -> targetPort {column.target}", service, column.service_port.path)],
                            )
