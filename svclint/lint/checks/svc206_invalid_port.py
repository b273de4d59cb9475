"""SVC206 invalid-port."""

from __future__ import annotations

import re
from collections.abc import Iterator

from svclint.findings import Severity
from svclint.kube.model import K8sObject, PodTemplate
from svclint.kube.podports import ContainerPort
from svclint.kube.services import is_int, service_port_entries
from svclint.kube.validation import (
    PORT_RANGE_MESSAGE,
    go_value,
    is_valid_port_name,
    is_valid_port_num,
)
from svclint.lint.checks.strict import misspelled_here
from svclint.lint.rule import Related, Rule, RuleContext, Violation
from svclint.loading.source import FieldPath


def port_name_suggestion(name: str) -> str | None:
    """A valid IANA_SVC_NAME near ``name`` (``HTTP_Alt`` -> ``http-alt``), if there is one."""
    candidate = re.sub(r"-{2,}", "-", re.sub(r"[^a-z0-9-]+", "-", name.lower())).strip("-")
    return candidate if candidate and candidate != name and not is_valid_port_name(candidate) else None


def name_problem(value: str, what: str) -> str:
    """Message for a string port reference or port name that is not an IANA service name."""
    problems = "; ".join(is_valid_port_name(value))
    if value.isdigit():
        if what == "targetPort":
            fix = f"a quoted number is a port *name*: write targetPort: {value} without quotes"
        else:
            fix = "name the port after what it serves, e.g. http or metrics"
    else:
        suggestion = port_name_suggestion(value)
        if suggestion:
            fix = f"use e.g. {suggestion!r}"
        elif len(value) > 15:
            fix = "shorten it to at most 15 characters (e.g. metrics, http, grpc-web)"
        else:
            fix = "use at most 15 characters of a-z, 0-9 and '-', with at least one letter"
    return f"{what} {go_value(value)} is not a valid port name: {problems}; {fix}"


class InvalidPort(Rule):
    """## What it does
    Reports port numbers and port names the API server rejects:

    - a Service `port` or `targetPort`, or a container's `containerPort` or `hostPort`,
      outside 1-65535 (`must be between 1 and 65535, inclusive`); a missing `port` or
      `containerPort` (`Required value`). `targetPort` 0 or `""` and `hostPort` 0 mean
      "not set" and are fine;
    - a string `targetPort` or a container port `name` that is not an IANA service name
      (RFC 6335): at most 15 characters of `a-z`, `0-9` and `-`, at least one letter, no
      `--`, no leading or trailing `-`. Every failed check is listed, as the API does. A
      quoted `targetPort: "8080"` is a *name*, and fails for having no letter.

    Init containers are checked too. A `nodePort` out of range is not reported here: on a
    NodePort or LoadBalancer Service the allocator rejects it first (SVC201), on ClusterIP
    any nodePort is forbidden (SVC203), and ExternalName ignores it.

    ## Why is this bad?
    The object is rejected by the API server, so the workload or Service is never created.
    """

    id = "SVC206"
    name = "invalid-port"
    summary = "A port number outside 1-65535 or an invalid port name"
    severity = Severity.ERROR
    namespaced = True
    tags = ("services", "workloads", "ports")

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        for service in ctx.focused_kind("Service"):
            yield from self._service(ctx, service)
        for template in ctx.graph.pod_templates:
            if ctx.in_focus(template.owner):  # its findings are at the workload
                yield from self._template(ctx, template)

    def _service(self, ctx: RuleContext, service: K8sObject) -> Iterator[Violation]:
        for i, entry in service_port_entries(service):
            path = ("spec", "ports", i)
            port = entry.get("port")
            if port is None and not misspelled_here(ctx, service, path, "port"):
                yield ctx.report(
                    f"port is missing (it decodes to 0: spec.ports[{i}].port: Invalid value: 0: {PORT_RANGE_MESSAGE}); "
                    "set the port number the Service listens on",
                    service,
                    path,
                )
            elif is_int(port) and not is_valid_port_num(port):
                yield ctx.report(f"port {port} {PORT_RANGE_MESSAGE}", service, path + ("port",))
            target = entry.get("targetPort")
            if is_int(target) and target != 0 and not is_valid_port_num(target):
                yield ctx.report(
                    f"targetPort {target} {PORT_RANGE_MESSAGE}; use the container port number or its name",
                    service,
                    path + ("targetPort",),
                )
            elif isinstance(target, str) and target and is_valid_port_name(target):
                yield ctx.report(name_problem(target, "targetPort"), service, path + ("targetPort",))

    def _template(self, ctx: RuleContext, template: PodTemplate) -> Iterator[Violation]:
        # validateContainerPorts (pkg/apis/core/validation/validation.go): names are unique per container.
        names: dict[tuple[FieldPath, str], ContainerPort] = {}
        for declared in template.declared_ports():
            name = declared.raw.get("name")
            if isinstance(name, str) and name:
                first = names.setdefault((declared.path[:-2], name), declared)
                if first is not declared:
                    yield ctx.report(
                        f'port name "{name}" is used twice in container "{declared.container}" '
                        f'(ports[{declared.index}].name: Duplicate value: "{name}"); rename one of the ports',
                        template.owner,
                        declared.path + ("name",),
                        related=[Related(f'port name "{name}" first used here', template.owner, first.path + ("name",))],
                    )
        for declared in template.declared_ports():
            raw = declared.raw
            number = raw.get("containerPort")
            if number is None and misspelled_here(ctx, template.owner, declared.path, "containerPort"):
                pass  # containerport: SVC008
            elif number is None or number == 0:
                at = declared.path + (("containerPort",) if "containerPort" in raw else ())
                yield ctx.report(
                    f'containerPort is required (container "{declared.container}", ports[{declared.index}]); '
                    "set the port number the process listens on",
                    template.owner,
                    at,
                )
            elif is_int(number) and not is_valid_port_num(number):
                yield ctx.report(
                    f'containerPort {number} of container "{declared.container}" {PORT_RANGE_MESSAGE}',
                    template.owner,
                    declared.path + ("containerPort",),
                )
            host = raw.get("hostPort")
            if is_int(host) and host != 0 and not is_valid_port_num(host):
                yield ctx.report(
                    f'hostPort {host} of container "{declared.container}" {PORT_RANGE_MESSAGE}; '
                    "use a port in range, or remove hostPort and reach the pod through a Service",
                    template.owner,
                    declared.path + ("hostPort",),
                )
            name = raw.get("name")
            if isinstance(name, str) and name and is_valid_port_name(name):
                yield ctx.report(name_problem(name, "port name"), template.owner, declared.path + ("name",))
