"""SVC401 networkpolicy-selects-nothing."""

from __future__ import annotations

from collections.abc import Iterator

from svclint.findings import Severity
from svclint.kube.sources import unmodelled_hint
from svclint.lint.checks.affected import AnsweredByChange
from svclint.lint.checks.otherunits import only_in, unit_with_pods
from svclint.lint.rule import Rule, RuleContext, Violation
from svclint.routing.lint import nearest_labels
from svclint.routing.model import routing_model


class NetworkPolicySelectsNothing(AnsweredByChange, Rule):
    """## What it does
    Reports a NetworkPolicy whose `spec.podSelector` matches no pod template in the
    policy's namespace. The message names the nearest pod template and the label that
    differs. An empty `podSelector: {}` (every pod of the namespace) is not reported.
    Pods count from every pod source svclint knows (see SVC101); when a custom resource
    svclint does not model sits in the namespace, the finding says so and is a note.

    ## Why is this bad?
    A policy applies only to the pods it selects. One that selects nothing isolates nothing
    and allows nothing: the pods it was written for stay open (or stay blocked by another
    policy), usually because of a typo in a label.
    """

    id = "SVC401"
    name = "networkpolicy-selects-nothing"
    summary = "A NetworkPolicy podSelector matches no pod in its namespace"
    severity = Severity.WARNING
    tags = ("networkpolicy", "routing")

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        policies = ctx.focused_kind("NetworkPolicy")
        if not policies:
            return  # no policy to report on: the routing model is not needed
        model = routing_model(ctx.graph, ctx.settings)
        for policy in model.valid_policies(policies):
            # what the engine's ``policy_selects`` holds, without compiling every policy
            if policy.pod_selector.is_empty or model.classes.select(policy.namespace, policy.pod_selector):
                continue
            unmodelled = ctx.graph.unmodelled(policy.namespace)
            other_unit = unit_with_pods(ctx.load, policy.namespace, policy.pod_selector)
            if unmodelled:
                hint = unmodelled_hint(unmodelled)
            elif other_unit is not None:
                hint = only_in(other_unit, "pods it selects are")
            else:
                hint = nearest_labels(model.classes.by_namespace.get(policy.namespace, []), policy.pod_selector)
            yield ctx.report(
                f"NetworkPolicy {policy.key} podSelector {policy.pod_selector} matches no pod template in "
                f"namespace {policy.namespace!r}, so it isolates and allows nothing{hint}",
                policy.obj,
                "spec.podSelector",
                uncertain=bool(unmodelled) or other_unit is not None,
            )
