"""SVC111 service-backend-without-readiness-probe."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from svclint.findings import Severity
from svclint.kube.endpoints import (
    ports_numbered,
    resolve_target_port,
    selected_templates,
)
from svclint.kube.model import K8sObject, PodTemplate
from svclint.kube.podports import Container, ContainerPort
from svclint.kube.services import ServicePort, service_ports
from svclint.lint.checks.strict import misspelled_here
from svclint.lint.rule import Rule, RuleContext, Violation
from svclint.loading.source import FieldPath


def serving_containers(template: PodTemplate, port: ServicePort) -> list[Container]:
    """The containers that receive a Service port's traffic in pods of ``template``.

    Named targetPort: the container FindPort picks. Numeric: the containers declaring that
    containerPort; when none does, the only regular container if there is exactly one.
    """
    found = resolve_target_port(template, port)
    if isinstance(found, ContainerPort):
        return [template.container_of(found)]
    if isinstance(found, int):
        declared = ports_numbered(template, found)
        if declared:
            return list({p.path[:-2]: template.container_of(p) for p in declared}.values())
        regular = [c for c in template.all_containers() if c.regular]
        if len(regular) == 1:
            return regular
    return []


class ServiceBackendWithoutReadinessProbe(Rule):
    """## What it does
    Reports a container that receives a Service's traffic but has no `readinessProbe`.
    Only the serving container is checked: the one a named targetPort resolves to, the
    ones declaring a numeric targetPort (or, when none declares it, the pod's only
    container). Helper and sidecar containers that serve no Service port are left alone,
    and so are Services with `publishNotReadyAddresses: true`, which ignore readiness.
    A container serving several Services is reported once.

    ## Why is this bad?
    Without a readiness probe a pod counts as ready as soon as its containers start, so
    the endpoint controller sends traffic before the application listens and during its
    shutdown, and keeps sending it to a pod that hangs: errors at every rollout.
    """

    id = "SVC111"
    name = "service-backend-without-readiness-probe"
    summary = "A container that serves a Service has no readinessProbe"
    severity = Severity.NOTE
    namespaced = True
    tags = ("services", "workloads", "reliability")

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        serves: dict[tuple[int, FieldPath], dict[str, None]] = defaultdict(dict)  # ordered sets: linear in ports
        owners: dict[tuple[int, FieldPath], tuple[K8sObject, Container]] = {}
        # Focused: a finding is at the workload, and a Service selects pods of its own namespace only.
        namespaces = None if ctx.focus is None else {t.namespace for t in ctx.graph.pod_templates if ctx.in_focus(t.owner)}
        for service in ctx.graph.of_kind("Service"):
            if service.spec.get("publishNotReadyAddresses") is True:
                continue
            if namespaces is not None and service.namespace not in namespaces:
                continue
            for template in selected_templates(ctx.graph, service):
                if template.generated:
                    continue  # an operator's containers: their probes are not the user's to write
                if not ctx.in_focus(template.owner):
                    continue
                for port in service_ports(service):
                    for container in serving_containers(template, port):
                        if "readinessProbe" in container.spec:
                            continue
                        if misspelled_here(ctx, template.owner, container.path, "readinessProbe"):
                            continue  # readinessprobe: SVC008
                        key = (id(template.owner), container.path)
                        owners[key] = (template.owner, container)
                        what = f"Service {service.namespace}/{service.name} port {port.port}/{port.protocol}"
                        serves[key].setdefault(what)
        for key, services in serves.items():
            owner, container = owners[key]
            name = container.spec.get("name")
            yield ctx.report(
                f'container "{name}" of {owner.ref} serves {", ".join(services)} but has no readinessProbe, '
                f"so it gets traffic before it is ready and while it hangs; add a readinessProbe "
                f"(httpGet, tcpSocket, grpc or exec) that checks the served port",
                owner,
                key[1] + ("name",),
            )
