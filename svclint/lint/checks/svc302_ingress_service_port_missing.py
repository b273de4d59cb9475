"""SVC302 ingress-service-port-missing."""

from __future__ import annotations

from collections.abc import Iterator

from svclint.findings import Severity
from svclint.kube.ingress import (
    core_service,
    find_service_port,
    ingress_backends,
    is_ingress,
)
from svclint.kube.services import is_external_name
from svclint.lint.checks.backends import backend_label, missing_port
from svclint.lint.checks.strict import misspelled_here
from svclint.lint.rule import Rule, RuleContext, Violation


class IngressServicePortMissing(Rule):
    """## What it does
    Reports an Ingress backend whose port is not a port of its Service. A backend names the
    *Service* port: `port.number` must equal some `spec.ports[].port` and `port.name` some
    `spec.ports[].name` (for the `v1beta1` APIs, an integer `servicePort` is a number and a
    string one a name). A backend that names the targetPort or the container port is the
    usual mistake, and the message says so; it lists the Service's ports.

    ExternalName Services: ingress-nginx sends traffic to the backend's port *number* even
    when the Service does not list it (`externalNamePorts` in its controller), so only a
    port *name* the Service does not list is reported there.

    ## Why is this bad?
    The controller cannot map the backend to an endpoint port, so that host and path answer
    503 although the Service and its pods are healthy.
    """

    id = "SVC302"
    name = "ingress-service-port-missing"
    summary = "An Ingress backend names a port its Service does not have"
    severity = Severity.ERROR
    namespaced = True
    tags = ("ingress", "ports")

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        for ingress in ctx.focused_kind("Ingress"):
            if not is_ingress(ingress):
                continue
            for ref in ingress_backends(ingress):
                if misspelled_here(ctx, ingress, ref.path, "service"):
                    continue  # v1beta1 serviceName/servicePort in a v1 Ingress: SVC008
                service = core_service(ctx.graph, ref.namespace, ref.service)
                if service is None or ref.port is None or ref.port_path is None:
                    continue  # SVC301, or a port the API server requires anyway
                if find_service_port(service, ref.port) is not None:
                    continue
                if is_external_name(service) and isinstance(ref.port, int):
                    continue  # used as-is by ingress-nginx
                text, related = missing_port(ctx.graph, service, ref)
                yield ctx.report(f"{backend_label(ref)}: {text}", ingress, ref.port_path, related)
