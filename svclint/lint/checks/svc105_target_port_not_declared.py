"""SVC105 target-port-not-declared."""

from __future__ import annotations

from collections.abc import Iterator

from svclint.findings import Severity
from svclint.kube.endpoints import ports_numbered, ports_with_backends
from svclint.kube.listenports import port_named_by
from svclint.kube.model import K8sObject, PodTemplate
from svclint.kube.services import ServicePort, is_int
from svclint.lint.checks.strict import misspelled_here
from svclint.lint.rule import Related, Rule, RuleContext, Violation
from svclint.loading.source import FieldPath


def target_port_field(service: K8sObject, port: ServicePort) -> tuple[FieldPath, str]:
    """Where the (possibly defaulted) targetPort is written, and how to name it in a message."""
    if service.get(port.path + ("targetPort",)) in (None, 0, ""):
        return port.path + ("port",), f"targetPort (defaulted to port {port.port})"
    return port.path + ("targetPort",), f"targetPort {port.target_port}"


def _has_silent_container(template: PodTemplate) -> bool:
    """A regular container that declares no ports may listen on any of them."""
    return any(not container.spec.get("ports") for container in template.all_containers() if container.regular)


class TargetPortNotDeclared(Rule):
    """## What it does
    Reports a Service port whose numeric `targetPort` (or the default, equal to `port`)
    is declared as `containerPort` by no serving container (regular or sidecar) of a pod
    template the Service selects.

    To avoid the false positives of linters that demand a declaration for every port,
    a pod template is only checked when each of its regular containers declares at least
    one port: declaring none is a common, valid style (containerPorts are informational
    for numeric ports), and a container that declares nothing may be the one listening
    (an app next to an injected proxy or exporter that declares its own port).
    `hostNetwork` pods are skipped too: they listen on the node's ports and often declare
    only some of them.

    When the container's command, args or env, or a ConfigMap the pod mounts, names the
    port (`--port 18080`, `--port=18080`, `0.0.0.0:18080`, `port: 18080`), the app is very
    likely told to listen there: the finding is a note asking to declare it.

    ## Why is this bad?
    A numeric targetPort routes to that pod port whatever the containers declare
    (k8s-semantics §5.4), so nothing fails at apply time; but when the pods declare other
    ports the number is usually a typo or a stale value, and traffic goes to a port where
    nothing listens.
    """

    id = "SVC105"
    name = "target-port-not-declared"
    summary = "A numeric targetPort is declared by no container of a selected pod template"
    severity = Severity.WARNING
    namespaced = True
    tags = ("services", "ports")

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        for service, port, templates in ports_with_backends(ctx.graph, ctx.focused_kind("Service")):
            number = port.target_port
            if not is_int(number) or misspelled_here(ctx, service, port.path, "targetPort"):
                continue
            at, what = target_port_field(service, port)
            for template in templates:
                if template.spec.get("hostNetwork") is True or template.generated:
                    continue
                declared = template.ports()
                if not declared or ports_numbered(template, number) or _has_silent_container(template):
                    continue
                if any(misspelled_here(ctx, template.owner, p.path, "containerPort") for p in declared if p.number is None):
                    continue  # containerport: SVC008
                listed = ", ".join(
                    f"{p.number}/{p.protocol}" + (f' "{p.name}"' if p.name else "") for p in declared if p.number
                )
                init = next((p for p in template.plain_init_ports() if p.number == number), None)
                note = (
                    f' (init container "{init.container}" declares it, but init containers that are not '
                    f"sidecars serve no traffic)"
                    if init
                    else ""
                )
                named_by = port_named_by(template, number, ctx.graph.get)
                advice = (
                    f"{named_by} names port {number}, so the app likely listens there: declare containerPort {number}"
                    if named_by
                    else f"traffic goes to pod port {number} anyway: set targetPort to the port the app listens "
                    f"on, or declare containerPort {number}"
                )
                yield ctx.report(
                    f"{what} of Service {service.namespace}/{service.name} port {port.port}/{port.protocol} "
                    f"is declared by no container of {template.owner.ref}, which declares {listed}{note}; {advice}",
                    service,
                    at,
                    [Related(f"ports of {template.owner.ref}", template.owner, declared[0].path)],
                    uncertain=named_by is not None,
                )
