"""SVC110 service-backend-scaled-to-zero."""

from __future__ import annotations

from collections.abc import Iterator

from svclint.findings import Severity
from svclint.kube.endpoints import selected_templates
from svclint.kube.model import PodTemplate
from svclint.lint.rule import Related, Rule, RuleContext, Violation


def _autoscaled(ctx: RuleContext) -> set[tuple[str | None, str, str]]:
    """(namespace, kind, name) of workloads a KEDA ScaledObject may scale up from zero."""
    out: set[tuple[str | None, str, str]] = set()
    for scaled in ctx.graph.of_kind("ScaledObject"):
        ref = scaled.spec.get("scaleTargetRef")
        if isinstance(ref, dict) and isinstance(ref.get("name"), str):
            kind = ref.get("kind")
            out.add((scaled.namespace, kind if isinstance(kind, str) else "Deployment", ref["name"]))
    return out


class ServiceBackendScaledToZero(Rule):
    """## What it does
    Reports a Service whose selected workloads all declare `replicas: 0`. Workloads a
    KEDA `ScaledObject` targets are not counted as scaled to zero (KEDA scales them up on
    demand); a HorizontalPodAutoscaler does not scale a workload up from zero.

    ## Why is this bad?
    The Service resolves but has no endpoints: clients get connection refused or time
    out. Usually a workload was parked with `replicas: 0` and its Service (or an Ingress
    in front of it) was forgotten.
    """

    id = "SVC110"
    name = "service-backend-scaled-to-zero"
    summary = "Every workload a Service selects has replicas: 0"
    severity = Severity.WARNING
    namespaced = True
    tags = ("services", "workloads")

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        autoscaled = _autoscaled(ctx)

        def parked(t: PodTemplate) -> bool:
            return t.replicas == 0 and (t.namespace, t.owner.kind, t.owner.name) not in autoscaled

        for service in ctx.focused_kind("Service"):
            templates = selected_templates(ctx.graph, service)
            if not templates or not all(parked(t) for t in templates):
                continue
            listed = ", ".join(sorted(str(t.owner.ref) for t in templates))
            yield ctx.report(
                f"Service {service.namespace}/{service.name} has no endpoints: every workload it selects "
                f"({listed}) has replicas: 0; scale one up, or remove the Service if it is retired",
                service,
                "spec.selector",
                [Related(f"replicas: 0 in {t.owner.ref}", t.owner, "spec.replicas") for t in templates],
            )
