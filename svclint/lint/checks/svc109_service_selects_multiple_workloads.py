"""SVC109 service-selects-multiple-workloads."""

from __future__ import annotations

from collections.abc import Iterator

from svclint.findings import Severity
from svclint.kube.endpoints import selected_templates
from svclint.lint.rule import Related, Rule, RuleContext, Violation


class ServiceSelectsMultipleWorkloads(Rule):
    """## What it does
    Reports a Service whose selector matches the pod templates of more than one workload.
    Off by default: canaries, blue/green pairs and a StatefulSet per zone do this on
    purpose. Turn it on where one Service per workload is the convention.

    ## Why is this bad?
    Traffic is spread over every selected workload. A selector that is too broad (`app:
    shop` on both the API and its worker) silently sends requests to pods that do not
    serve them.
    """

    id = "SVC109"
    name = "service-selects-multiple-workloads"
    summary = "A Service selects the pods of more than one workload"
    severity = Severity.NOTE
    namespaced = True
    enabled_by_default = False
    tags = ("services",)

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        for service in ctx.graph.of_kind("Service"):
            templates = selected_templates(ctx.graph, service)
            owners = sorted({id(t.owner): t for t in templates}.values(), key=lambda t: str(t.owner.ref))
            if len(owners) < 2:
                continue
            listed = ", ".join(str(t.owner.ref) for t in owners)
            yield ctx.report(
                f"Service {service.namespace}/{service.name} selects the pods of {len(owners)} workloads "
                f"({listed}); traffic is spread over all of them. Add a label that tells them apart to the "
                f"selector if that is not intended",
                service,
                "spec.selector",
                [Related(f"selected: {t.owner.ref}", t.owner, t.path + ("metadata", "labels")) for t in owners],
            )
