"""SVC102 service-without-endpoints."""

from __future__ import annotations

from collections.abc import Iterator

from svclint.findings import Severity
from svclint.kube.endpoints import SERVICE_NAME_LABEL, backed_manually, manual_endpoints
from svclint.lint.rule import Rule, RuleContext, Violation


class ServiceWithoutEndpoints(Rule):
    """## What it does
    Reports a Service that has no selector (absent, or `{}`, which Kubernetes stores the
    same way) and no `Endpoints` object with its name nor `EndpointSlice` labelled
    `kubernetes.io/service-name: <service>` in its namespace. Headless Services without a
    selector are checked too; ExternalName Services are skipped (they are a DNS CNAME and
    never have endpoints).

    ## Why is this bad?
    Without a selector the endpoint controller does nothing for the Service (k8s.io/kubernetes
    pkg/controller/endpointslice/endpointslice_controller.go `syncService`): it only routes
    to endpoints someone creates by hand. With none in the input the Service is a dead
    name. A common cause is `selector: {}` written in the belief that it selects every pod.
    """

    id = "SVC102"
    name = "service-without-endpoints"
    summary = "A Service without a selector has no Endpoints or EndpointSlice"
    severity = Severity.WARNING
    namespaced = True
    tags = ("services", "endpoints")

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        for service in ctx.focused_kind("Service"):
            raw = service.spec.get("selector")
            if not backed_manually(service):
                continue
            if isinstance(raw, dict) and raw:
                continue  # only non-string values: the API rejects the Service (SVC002/SVC006)
            if manual_endpoints(ctx.graph, service):
                continue
            why = (
                "its selector {} is the same as no selector (it does not select every pod)"
                if isinstance(raw, dict) and not raw
                else "it has no selector"
            )
            yield ctx.report(
                f"Service {service.namespace}/{service.name} gets no endpoints: {why}, and no Endpoints "
                f"{service.name!r} nor EndpointSlice labelled {SERVICE_NAME_LABEL}: {service.name} exists in "
                f"namespace {service.namespace!r}; add a selector matching its pods, or the "
                f"Endpoints/EndpointSlice that back it",
                service,
                "spec.selector",
            )
