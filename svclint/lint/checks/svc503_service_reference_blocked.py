"""SVC503 service-reference-blocked."""

from __future__ import annotations

from collections.abc import Iterator

from svclint.findings import Location, Severity
from svclint.lint.rule import Related, Rule, RuleContext, Violation
from svclint.routing.calls import checked_references, gets_through, verdict_of
from svclint.routing.explain import cell_reasons
from svclint.routing.model import DNS_BLOCKED, RoutingModel, Source, routing_model
from svclint.routing.services import Column


class ServiceReferenceBlocked(Rule):
    """## What it does
    Reports a Service reference (see SVC501) whose call the routing model says does not get
    through: the Service has no endpoints or no pod port for its targetPort, a
    NetworkPolicy on the caller's egress or the Service pods' ingress denies it, or the
    caller cannot reach kube-dns. The message gives the verdict and the deciding reason of
    `svclint explain`; related locations point at the Service and the deciding policy.
    A call allowed to only some endpoint workloads (`partial`) is a note.

    ## Why is this bad?
    The app is configured to call the Service, and the call fails: connections time out
    (a policy drops them) or are refused (no endpoints), often only after deployment.
    """

    id = "SVC503"
    name = "service-reference-blocked"
    summary = "A call a container is configured to make is blocked"
    severity = Severity.ERROR
    tags = ("services", "calls", "networkpolicy", "routing")

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        model = routing_model(ctx.graph, ctx.settings)
        for item in checked_references(model):
            verdict = verdict_of(model, item)
            if verdict is None or gets_through(verdict) or item.service is None:
                continue
            if len(item.columns) > 1 and any(gets_through(model.verdict(item.source, c)) for c in item.columns):
                continue  # no port written: some port of the Service gets through
            column = item.columns[0]
            reason, related = _deciding(model, item.source, column)
            ref = item.reference
            yield ctx.report(
                f"{ref.origin}: {item.source.name} -> {column.label} is {verdict}: {reason}",
                ref.holder,
                ref.path,
                related=[Related("the Service", item.service, column.service_port.path if column.service_port else "spec"), *related],
                uncertain=verdict.startswith("partial"),
            )


def _deciding(model: RoutingModel, source: Source, column: Column) -> tuple[str, list[Related]]:
    """The first reason that denies (explain's text), and the policy or object it points at."""
    reasons = cell_reasons(model, source, column)
    verdict = model.verdict(source, column)
    if verdict.endswith(DNS_BLOCKED):
        chosen = [r for r in reasons if r.hop == "dns"]
    else:
        chosen = [r for r in reasons if "denied" in r.text or "gets no traffic" in r.text]
        if not chosen:
            chosen = reasons[:1]
    first = [r for r in chosen if r.file is not None] or chosen
    related = [Related(r.text, location=Location(r.file, r.line or 1)) for r in first[:2] if r.file is not None and r.hop != "service"]
    return chosen[0].text if chosen else verdict, related
