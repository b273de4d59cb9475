"""SVC503 service-reference-blocked."""

from __future__ import annotations

from collections.abc import Iterator

from svclint.findings import Location, Severity
from svclint.lint.checks.affected import AnsweredByChange
from svclint.lint.checks.callsfocus import focused_references
from svclint.lint.rule import Related, Rule, RuleContext, Violation
from svclint.routing.calls import gets_through, verdict_of
from svclint.routing.explain import cell_reasons
from svclint.routing.model import BAD_TARGET_PORT, DNS_BLOCKED, RoutingModel, Source, routing_model
from svclint.routing.services import NO_ENDPOINTS, Column


class ServiceReferenceBlocked(AnsweredByChange, Rule):
    """## What it does
    Reports a Service reference (see SVC501) whose call the routing model says does not get
    through: the Service has no endpoints or no pod port for its targetPort, a
    NetworkPolicy on the caller's egress or the Service pods' ingress denies it, or the
    caller cannot reach kube-dns. The message gives the verdict and the deciding reason of
    `svclint explain`; related locations point at the Service and the deciding policy.
    When the reference names no port, the Service's ports are tried and the one closest to
    getting through is reported (none is reported if one gets through). A call allowed to
    only some endpoint workloads (`partial`) is a note, so is a `no-endpoints` verdict when
    some document of the run could not be read, and so is a call
    blocked only by DNS while kube-dns is the assumed identity (config `kube-dns`), not pods
    of the input: SVC403 reports the DNS egress itself, and clusters differ (OpenShift's DNS
    pods listen on 5353).

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
        unreadable = bool(ctx.load.problems)
        for item in focused_references(ctx, model):
            if verdict_of(model, item) is None or item.service is None:
                continue
            verdicts = [(model.verdict(item.source, c), c) for c in item.columns]
            if any(gets_through(v) for v, _ in verdicts):
                continue  # no port written: some port of the Service gets through
            verdict, column = min(verdicts, key=lambda vc: _rank(vc[0]))
            reason, related = _deciding(model, item.source, column)
            ref = item.reference
            yield ctx.report(
                f"{ref.origin}: {item.source.name} -> {column.label} is {verdict}: {reason}",
                ref.holder,
                ref.path,
                related=[Related(f"Service {column.label}", item.service, column.service_port.path if column.service_port else "spec"), *related],
                uncertain=verdict.startswith("partial")
                or _only_assumed_dns(model, verdict)
                or (unreadable and verdict in (NO_ENDPOINTS, BAD_TARGET_PORT)),  # the missing pods may be in a document that could not be read
            )


def _rank(verdict: str) -> int:
    """The verdict closest to getting through first: DNS only, partial, deny, structural."""
    if verdict.endswith(DNS_BLOCKED):
        return 0
    if verdict.startswith("partial"):
        return 1
    return 2 if verdict == "deny" else 3


def _only_assumed_dns(model: RoutingModel, verdict: str) -> bool:
    """Only DNS blocks the call, and kube-dns is the assumed identity, not pods of the input.

    Clusters differ here (OpenShift's DNS pods listen on 5353): SVC403 owns the DNS finding,
    and a call that would otherwise get through is a note.
    """
    return verdict.endswith(DNS_BLOCKED) and gets_through(verdict.split()[0]) and all(c.synthetic for c in model.classes.kube_dns)


def _deciding(model: RoutingModel, source: Source, column: Column) -> tuple[str, list[Related]]:
    """The first reason that denies (explain's text), and the policy or object it points at."""
    reasons = cell_reasons(model, source, column)
    verdict = model.verdict(source, column)
    if verdict.endswith(DNS_BLOCKED):  # the DNS header, then the decisions that block kube-dns
        start = next(i for i, r in enumerate(reasons) if r.hop == "dns")
        chosen = reasons[start:]
    else:
        chosen = [r for r in reasons if "denied" in r.text or "gets no traffic" in r.text]
        if not chosen:
            chosen = reasons[:1]
    first = [r for r in chosen if r.file is not None] or chosen
    related = [Related(r.text, location=Location(r.file, r.line or 1)) for r in first[:2] if r.file is not None and r.hop != "service"]
    return chosen[0].text if chosen else verdict, related
