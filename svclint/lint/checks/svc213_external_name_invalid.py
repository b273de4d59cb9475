"""SVC213 external-name-invalid."""

from __future__ import annotations

import re
from collections.abc import Iterator

from svclint.findings import Severity
from svclint.kube.services import is_external_name
from svclint.kube.validation import go_value, is_dns1123_subdomain
from svclint.lint.rule import Rule, RuleContext, Violation

_URL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")


def _fix(value: str) -> str:
    """What the user most likely meant."""
    without_scheme = _URL.sub("", value)
    host = without_scheme.split("/", 1)[0]
    hints = []
    if without_scheme != value:
        hints.append("drop the scheme")
    if host != without_scheme:
        hints.append("drop the path")
    if re.search(r":\d+$", host):
        host = host.rsplit(":", 1)[0]
        hints.append("put the port in spec.ports, not in the name")
    if host != host.lower():
        host = host.lower()
        hints.append("use lowercase")
    if hints and is_dns1123_subdomain(host.rstrip(".")):
        return "use a DNS name such as db.example.com"
    return f"{', '.join(hints)}: externalName: {host}" if hints else "use a DNS name such as db.example.com"


class ExternalNameInvalid(Rule):
    """## What it does
    Reports an ExternalName Service whose `externalName` is missing or is not a lowercase
    DNS-1123 subdomain (letters, digits, `-` and `.`, each label starting and ending
    alphanumeric, at most 253 characters). One trailing dot is allowed (a fully-qualified
    name). The messages are the API server's (`spec.externalName: Required value`,
    `spec.externalName: Invalid value: ...: a lowercase RFC 1123 subdomain must consist of ...`),
    with the likely fix: no `https://`, no `:5432`, lowercase.

    The check is syntactic, as in the API server: an IPv4 literal such as `10.0.0.5` passes
    (although a CNAME to an IP does not resolve as intended).

    ## Why is this bad?
    The Service is rejected, so the in-cluster name that should alias the external host does
    not exist.
    """

    id = "SVC213"
    name = "external-name-invalid"
    summary = "An ExternalName Service without a valid lowercase DNS name"
    severity = Severity.ERROR
    per_object = True  # one object's fields only (lint/perobject.py)
    tags = ("services", "dns")

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        for service in ctx.focused_kind("Service"):
            if not is_external_name(service):
                continue
            value = service.spec.get("externalName")
            at = ("spec", "externalName") if "externalName" in service.spec else ("spec",)
            if not isinstance(value, str):
                if value is None:
                    message = "an ExternalName Service needs spec.externalName (Required value): set the DNS name it aliases"
                else:
                    message = f"externalName must be a DNS name string, not {go_value(value)}"
                yield ctx.report(message, service, at)
                continue
            name = value[:-1] if value.endswith(".") else value  # one trailing dot is allowed
            if not name:
                yield ctx.report(
                    "externalName is empty (spec.externalName: Required value); set the DNS name it aliases",
                    service,
                    at,
                )
                continue
            problems = is_dns1123_subdomain(name)
            if problems:
                yield ctx.report(
                    f"externalName {go_value(value)} is invalid: {'; '.join(problems)}; {_fix(value)}",
                    service,
                    at,
                )
