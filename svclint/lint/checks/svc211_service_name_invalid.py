"""SVC211 service-name-invalid."""

from __future__ import annotations

from collections.abc import Iterator

from svclint.findings import Severity
from svclint.kube.validation import dns_label_suggestion, go_value, is_dns1035_label
from svclint.lint.rule import Rule, RuleContext, Violation


def _mask_trailing_dash(name: str) -> str:
    """apimachinery maskTrailingDash: a generateName prefix may end in '-'."""
    return name[:-1] + "a" if len(name) > 1 and name.endswith("-") else name


class ServiceNameInvalid(Rule):
    """## What it does
    Reports a Service whose `metadata.name` is not a DNS-1035 label: lowercase letters,
    digits and `-`, starting with a letter, ending with a letter or digit, at most 63
    characters. The message is the API server's:
    `metadata.name: Invalid value: "1web": a DNS-1035 label must consist of lower case
    alphanumeric characters or '-', start with an alphabetic character, ...`.
    A `generateName` prefix is checked the same way, except that it may end in `-`.

    Services are stricter than most objects (a Deployment name may contain dots or start
    with a digit) because the name becomes a DNS label and environment variable names.
    Kubernetes 1.34 adds the alpha feature gate `RelaxedServiceNameValidation` (off by
    default) that would allow a leading digit; svclint follows the default.

    ## Why is this bad?
    The Service is rejected, so nothing can reach the workload by this name.
    """

    id = "SVC211"
    name = "service-name-invalid"
    summary = "A Service name that is not a DNS-1035 label"
    severity = Severity.ERROR
    per_object = True  # one object's fields only (lint/perobject.py)
    tags = ("services",)

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        for service in ctx.focused_kind("Service"):
            metadata = service.data.get("metadata")
            if not isinstance(metadata, dict):
                continue
            name = metadata.get("name")
            field, prefix = "name", False
            if not isinstance(name, str) or not name:
                name, field, prefix = metadata.get("generateName"), "generateName", True
                if not isinstance(name, str) or not name:
                    continue
            problems = is_dns1035_label(_mask_trailing_dash(name) if prefix else name)
            if not problems:
                continue
            suggestion = dns_label_suggestion(name)
            if suggestion and prefix and name.endswith("-"):
                suggestion += "-"
            fix = f"; rename it, e.g. to {suggestion!r}" if suggestion and suggestion != name else ""
            yield ctx.report(
                f"Service {field} {go_value(name)} is invalid: {'; '.join(problems)}{fix}",
                service,
                ("metadata", field),
            )
