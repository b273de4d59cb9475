"""SVC303 ingress-backend-unroutable."""

from __future__ import annotations

from collections.abc import Iterator

from svclint.findings import Severity
from svclint.kube.endpoints import (
    SERVICE_NAME_LABEL,
    backed_manually,
    declared_port_names,
    endpoint_selector,
    manual_endpoints,
    resolve_target_port,
    selected_templates,
)
from svclint.kube.ingress import (
    ROUTE_KINDS,
    BackendRef,
    backends_of,
    core_service,
    find_service_port,
    is_route,
    reference_granted,
)
from svclint.kube.model import K8sObject, PodTemplate
from svclint.kube.services import is_external_name
from svclint.lint.checks.affected import AnsweredByChange
from svclint.lint.checks.backends import backend_label, port_label
from svclint.lint.checks.otherunits import only_in, unit_with_pods
from svclint.lint.checks.strict import misspelled_here
from svclint.lint.rule import Related, Rule, RuleContext, Violation


class IngressBackendUnroutable(AnsweredByChange, Rule):
    """## What it does
    Follows each Ingress backend (and each Gateway API route backendRef) through its
    Service to the pods, the way the endpoint controller would, and reports the backends
    whose chain ends nowhere:

    - the Service's selector matches no pod template in its namespace, or the Service has
      no selector and no `Endpoints` / `EndpointSlice` (label `kubernetes.io/service-name`)
      backs it;
    - the backend's Service port has a named `targetPort` that no selected pod declares
      with that protocol. Named ports are searched in regular containers, then in sidecars
      (init containers with `restartPolicy: Always`), never in ordinary init containers
      (`FindPort`, k8s.io/endpointslice utils.go). A numeric targetPort always routes.

    The finding is at the Ingress backend, with the Service as the related location; the
    Service itself is reported by the Service rules (SVC101...). Backends whose Service or
    port is missing are SVC301/SVC302/SVC304 findings, not this one. ExternalName Services
    are not followed: the controller proxies to the DNS name (ingress-nginx supports it),
    which no manifest describes.

    ## Why is this bad?
    The Ingress, the Service and the workload all apply cleanly, yet every request for that
    host and path gets 503 Service Unavailable: the controller has no endpoint to send it to.
    """

    id = "SVC303"
    name = "ingress-backend-unroutable"
    summary = "An Ingress or route backend's Service has no endpoint for the backend port"
    severity = Severity.ERROR
    tags = ("ingress", "services")

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        for ref in backends_of(ctx.focused_kind("Ingress", *ROUTE_KINDS)):  # its findings are at the Ingress or route
            service = core_service(ctx.graph, ref.namespace, ref.service)
            if service is None or ref.port is None or is_external_name(service):
                continue
            if misspelled_here(ctx, ref.owner, ref.path, "service"):
                continue  # v1beta1 serviceName/servicePort in a v1 Ingress: SVC008
            if is_route(ref.owner) and not reference_granted(ctx.graph, ref):
                continue  # SVC304
            if find_service_port(service, ref.port) is None:
                continue  # SVC302 / SVC304
            violation = self._dead_end(ctx, ref, service)
            if violation is not None:
                yield violation

    def _dead_end(self, ctx: RuleContext, ref: BackendRef, service: K8sObject) -> Violation | None:
        label = f"{backend_label(ref)} leads nowhere"
        svc = f"Service {service.namespace}/{service.name}"
        if backed_manually(service):
            if manual_endpoints(ctx.graph, service):
                return None
            return ctx.report(
                f"{label}: {svc} has no selector and no Endpoints or EndpointSlice "
                f"(label {SERVICE_NAME_LABEL}={service.name}) in namespace {service.namespace!r}, "
                f"so it has no endpoints; give it a selector matching the backend pods or create its Endpoints",
                ref.owner,
                ref.name_path,
                [Related(f"{svc} has no selector", service, "metadata.name")],
            )
        pods = selected_templates(ctx.graph, service)
        if not pods:
            selector = endpoint_selector(service)
            labels = ",".join(f"{k}={v}" for k, v in sorted(selector.items()))
            other_unit = unit_with_pods(ctx.load, service.namespace, selector)
            hint = only_in(other_unit, "pods with these labels are") if other_unit else ""
            return ctx.report(
                f"{label}: {svc} has no endpoints, because no pod in namespace {service.namespace!r} "
                f"carries its selector labels {labels}; requests get 503 until a workload's pod "
                f"template has them{hint}",
                ref.owner,
                ref.name_path,
                [Related(f"selector of {svc}", service, "spec.selector")],
                uncertain=other_unit is not None,
            )
        return self._unresolved_target(ctx, ref, service, pods)

    def _unresolved_target(
        self, ctx: RuleContext, ref: BackendRef, service: K8sObject, pods: list[PodTemplate]
    ) -> Violation | None:
        assert ref.port is not None
        sp = find_service_port(service, ref.port)
        if sp is None or not isinstance(sp.target_port, str):
            return None  # a numeric targetPort routes whatever the containers declare
        if any(resolve_target_port(t, sp) for t in pods):
            return None  # some endpoints serve it; per-workload gaps are SVC104's
        owners = ", ".join(sorted(str(t.owner.ref) for t in pods))
        declared = declared_port_names(pods)
        they = f"they declare {', '.join(declared)}" if declared else "they declare no named ports"
        init = _plain_init_container_with(pods, sp.target_port)
        if init:
            they += (
                f"; init container {init!r} declares it, but only sidecars (restartPolicy: Always) "
                f"serve, ordinary init containers exit first"
            )
        return ctx.report(
            f"{backend_label(ref)} leads nowhere: Service {service.namespace}/{service.name} port "
            f"{port_label(sp)} forwards to targetPort {sp.target_port!r}/{sp.protocol}, which no "
            f"container of the selected pods ({owners}) declares ({they}); name that container "
            f"port {sp.target_port!r} or set targetPort to its number",
            ref.owner,
            ref.port_path or ref.name_path,
            [Related(f"targetPort of Service {service.namespace}/{service.name} port {port_label(sp)}", service, sp.path + ("targetPort",))],
        )


def _plain_init_container_with(pods: list[PodTemplate], port_name: str) -> str | None:
    """The name of an ordinary init container declaring ``port_name`` (a likely mistake)."""
    for template in pods:
        for port in template.plain_init_ports():
            if port.name == port_name:
                return port.container
    return None
