"""SVC409 networkpolicy-invalid."""

from __future__ import annotations

from collections.abc import Iterator

from svclint.findings import Severity
from svclint.lint.checks.strict import reported_here
from svclint.lint.rule import Rule, RuleContext, Violation
from svclint.routing.policy import parse_policies


class NetworkPolicyInvalid(Rule):
    """## What it does
    Reports a NetworkPolicy the API server would reject (pkg/apis/networking/validation):
    a selector with an unknown operator or misplaced values, a peer with nothing set or an
    ipBlock combined with a selector, an invalid CIDR or an `except` outside its `cidr`, a
    protocol other than TCP, UDP or SCTP, a port outside 1-65535 or an invalid port name,
    an `endPort` without a numeric `port` or below it, unknown policyTypes. Such a policy
    never exists in a cluster, so the routing model leaves it out.

    ## Why is this bad?
    `kubectl apply` fails, or, with a tool that drops invalid objects, the isolation the
    policy promised is silently missing.
    """

    id = "SVC409"
    name = "networkpolicy-invalid"
    summary = "A NetworkPolicy the API server rejects (left out of the routing model)"
    severity = Severity.ERROR
    namespaced = True
    tags = ("networkpolicy",)

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        # the routing model's parse, of the policies in focus alone: a problem is one policy's
        for problem in parse_policies(list(ctx.focused_kind("NetworkPolicy")), ctx.settings.default_namespace).problems:
            obj = problem.obj
            if reported_here(ctx, obj, problem.path):
                continue  # a wrong type or an unknown field: SVC008 reports it at the key
            yield ctx.report(f"NetworkPolicy {obj.namespace}/{obj.name}: {problem.message}", obj, problem.path)
