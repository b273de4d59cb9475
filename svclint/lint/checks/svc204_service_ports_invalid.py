"""SVC204 service-ports-invalid."""

from __future__ import annotations

from collections.abc import Iterator

from svclint.findings import Severity
from svclint.kube.services import ServicePort, is_external_name, is_headless, service_ports, service_type
from svclint.lint.rule import Related, Rule, RuleContext, Violation


def _where(port: ServicePort) -> str:
    return f"spec.ports[{port.index}]"


class ServicePortsInvalid(Rule):
    """## What it does
    Reports what the API server rejects about a Service's list of ports as a whole:

    - no ports on a Service that needs them (`spec.ports: Required value`); headless
      Services (`clusterIP: None`) and ExternalName Services may have none;
    - the same port number and protocol twice (`spec.ports[1]: Duplicate value`); the same
      number with another protocol (`53/TCP` and `53/UDP`) is allowed;
    - the same port name twice (`spec.ports[1].name: Duplicate value: "http"`).

    Duplicates are reported at the later entry and point at the first.

    ## Why is this bad?
    The Service is rejected. A Service without ports gets a cluster IP that accepts nothing;
    two entries for one port would leave kube-proxy two different targets for one address.
    """

    id = "SVC204"
    name = "service-ports-invalid"
    summary = "A Service without ports, or with a duplicate port or port name"
    severity = Severity.ERROR
    per_object = True  # one object's fields only (lint/perobject.py)
    tags = ("services", "ports")

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        for service in ctx.focused_kind("Service"):
            ports = service.spec.get("ports")
            if (ports is None or ports == []) and not is_headless(service) and not is_external_name(service):
                at = ("spec", "ports") if "ports" in service.spec else ("spec",)
                yield ctx.report(
                    f"a {service_type(service)} Service needs at least one port (spec.ports: Required value); add the "
                    "ports it serves, or make it headless (clusterIP: None) if it only exists for DNS",
                    service,
                    at,
                )
                continue
            seen_ports: dict[tuple[int, str], ServicePort] = {}
            seen_names: dict[str, ServicePort] = {}
            for port in service_ports(service):
                if port.port is not None:
                    key = (port.port, port.protocol)
                    first = seen_ports.setdefault(key, port)
                    if first is not port:
                        yield ctx.report(
                            f"port {port.port}/{port.protocol} is already defined by {_where(first)}; "
                            "a Service may define each port number once per protocol: use another "
                            "port number, or merge the two entries",
                            service,
                            port.path + ("port",),
                            related=[Related(f"port {port.port}/{port.protocol} first defined here", service, first.path + ("port",))],
                        )
                if port.name:
                    first = seen_names.setdefault(port.name, port)
                    if first is not port:
                        yield ctx.report(
                            f'port name "{port.name}" is already used by {_where(first)}; '
                            "port names must be unique within a Service: rename one of them",
                            service,
                            port.path + ("name",),
                            related=[Related(f'port name "{port.name}" first used here', service, first.path + ("name",))],
                        )
