"""SVC403 egress-blocks-dns."""

from __future__ import annotations

from collections.abc import Iterator

from svclint.findings import Severity
from svclint.lint.checks.affected import AnsweredByChange
from svclint.lint.rule import Rule, RuleContext, Violation
from svclint.routing.model import routing_model
from svclint.routing.policy import Policy


class EgressBlocksDns(AnsweredByChange, Rule):
    """## What it does
    Reports workloads under egress isolation that cannot reach kube-dns (by default pods
    labelled `k8s-app: kube-dns` in `kube-system`; configurable as `kube-dns` in the config)
    on UDP 53 or on TCP 53: both the source's egress and kube-dns's ingress are checked.
    The finding points at the first policy (by name) that puts the workload under egress
    isolation.

    ## Why is this bad?
    Without UDP 53 no Service name resolves: every call by name fails although the
    connection itself would be allowed. Without TCP 53, answers too large for UDP fail
    intermittently.
    """

    id = "SVC403"
    name = "egress-blocks-dns"
    summary = "Egress isolation without an allowance to kube-dns on UDP and TCP 53"
    severity = Severity.WARNING
    tags = ("networkpolicy", "routing", "dns")

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        policies = ctx.focused_kind("NetworkPolicy")
        if not policies:
            return  # its findings are at policies: none in the focus, no routing model needed
        model = routing_model(ctx.graph, ctx.settings)
        engine = model.engine
        udp, tcp = model.dns_ok_bits("UDP"), model.dns_ok_bits("TCP")
        by_policy: dict[int, tuple[Policy, list[str], set[str]]] = {}
        # a finding is at a policy selecting the workload, so in the workload's namespace
        workloads = model.workloads if ctx.focus is None else model.workloads_in(frozenset(p.namespace for p in model.valid_policies(policies)))
        for source in workloads:
            cls = source.cls
            assert cls is not None
            if not engine.isolated_out & cls.bit:
                continue
            missing = [p for p, bits in (("UDP", udp), ("TCP", tcp)) if not bits & cls.bit]
            if not missing:
                continue
            policy = min(engine.egress_policies[cls.index], key=lambda p: p.key)
            entry = by_policy.setdefault(id(policy), (policy, [], set()))
            entry[1].append(source.name)
            entry[2].update(missing)
        for policy, names, missing_protocols in sorted(by_policy.values(), key=lambda e: e[0].key):
            ports = " and ".join(f"{p} 53" for p in ("UDP", "TCP") if p in missing_protocols)
            at = "spec.egress" if policy.obj.spec.get("egress") else "spec.policyTypes"
            dns = ctx.settings.kube_dns
            labels = ",".join(f"{k}={v}" for k, v in dns.labels)
            yield ctx.report(
                f"NetworkPolicy {policy.key} puts {', '.join(names)} under egress isolation without an allowance "
                f"to kube-dns ({dns.namespace}, {labels}) on {ports}: Service names will not resolve; add an egress "
                f"rule to kube-dns on UDP and TCP port 53",
                policy.obj,
                at,
            )
