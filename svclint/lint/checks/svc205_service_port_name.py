"""SVC205 service-port-name."""

from __future__ import annotations

from collections.abc import Iterator

from svclint.findings import Severity
from svclint.kube.services import is_int
from svclint.kube.validation import dns_label_suggestion, go_value, is_dns1123_label
from svclint.lint.rule import Rule, RuleContext, Violation


class ServicePortName(Rule):
    """## What it does
    Reports Service port names the API server rejects (validateServicePort in
    pkg/apis/core/validation/validation.go):

    - a Service with more than one port must name **every** port, the first one included
      (`spec.ports[0].name: Required value`);
    - a name must be a DNS-1123 label: lowercase letters, digits and `-`, starting and ending
      alphanumeric, at most 63 characters. Unlike container port names, an all-digit name such
      as `"443"` is legal here; written unquoted it is a YAML number, which the API rejects.

    Duplicate names are SVC204's.

    ## Why is this bad?
    The Service is rejected. Port names are also how Ingress backends, EndpointSlices and DNS
    SRV records (`_http._tcp.web...`) refer to a Service port.
    """

    id = "SVC205"
    name = "service-port-name"
    summary = "A Service port name that is missing or not a DNS-1123 label"
    severity = Severity.ERROR
    per_object = True  # one object's fields only (lint/perobject.py)
    tags = ("services", "ports")

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        for service in ctx.focused_kind("Service"):
            ports = service.spec.get("ports")
            if not isinstance(ports, list):
                continue
            several = len(ports) > 1
            for i, entry in enumerate(ports):
                if not isinstance(entry, dict):
                    continue
                name = entry.get("name")
                if name is None or name == "":
                    if several:
                        number = entry.get("port")
                        what = f"port {number}" if is_int(number) else "this port"
                        yield ctx.report(
                            f"{what} needs a name because the Service has {len(ports)} ports "
                            f"(spec.ports[{i}].name: Required value); name every port, e.g. name: http",
                            service,
                            ("spec", "ports", i),
                        )
                    continue
                if not isinstance(name, str):
                    if isinstance(name, (bool, int, float)):
                        text = go_value(name)
                        message = f'port name {text} is not a string; quote it (name: "{text}") so YAML keeps it text'
                    else:
                        message = "port name must be a string such as http"
                    yield ctx.report(message, service, ("spec", "ports", i, "name"))
                    continue
                problems = is_dns1123_label(name)
                if problems:
                    suggestion = dns_label_suggestion(name, allow_leading_digit=True)
                    fix = f"; use e.g. {suggestion!r}" if suggestion and suggestion != name else ""
                    yield ctx.report(
                        f"port name {go_value(name)} is invalid: {'; '.join(problems)}{fix}",
                        service,
                        ("spec", "ports", i, "name"),
                    )
