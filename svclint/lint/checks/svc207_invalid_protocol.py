"""SVC207 invalid-protocol."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from svclint.findings import Severity
from svclint.kube.services import service_port_entries
from svclint.kube.validation import (
    PROTOCOLS,
    SUPPORTED_PROTOCOLS,
    go_value,
    protocol_hint,
)
from svclint.lint.rule import Rule, RuleContext, Violation


def _invalid(value: Any) -> bool:
    """Empty and absent are defaulted to TCP (``+default="TCP"``); anything else must match exactly."""
    return value is not None and value != "" and value not in PROTOCOLS


class InvalidProtocol(Rule):
    """## What it does
    Reports a `protocol` on a Service port or a container port that is not exactly `TCP`,
    `UDP` or `SCTP`. The check is case-sensitive, as in the API server:
    `spec.ports[0].protocol: Unsupported value: "tcp": supported values: "SCTP", "TCP", "UDP"`.
    An empty or absent protocol is defaulted to TCP and is fine. Application protocols
    (HTTP, gRPC) go in a Service port's `appProtocol`, not here.

    ## Why is this bad?
    The Service or workload is rejected, so it is never created.
    """

    id = "SVC207"
    name = "invalid-protocol"
    summary = "A port protocol that is not exactly TCP, UDP or SCTP"
    severity = Severity.ERROR
    namespaced = True
    tags = ("services", "workloads", "ports")

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        for service in ctx.focused_kind("Service"):
            for i, entry in service_port_entries(service):
                if _invalid(entry.get("protocol")):
                    value = entry["protocol"]
                    yield ctx.report(
                        f"protocol {go_value(value)} is not supported ({SUPPORTED_PROTOCOLS}); {protocol_hint(value)}",
                        service,
                        ("spec", "ports", i, "protocol"),
                    )
        for template in ctx.graph.pod_templates:
            if not ctx.in_focus(template.owner):
                continue  # its findings are at the workload
            for declared in template.declared_ports():
                value = declared.raw.get("protocol")
                if _invalid(value):
                    hint = protocol_hint(value).split(" (")[0]
                    yield ctx.report(
                        f'protocol {go_value(value)} of container "{declared.container}" is not supported '
                        f"({SUPPORTED_PROTOCOLS}); {hint}",
                        template.owner,
                        declared.path + ("protocol",),
                    )
