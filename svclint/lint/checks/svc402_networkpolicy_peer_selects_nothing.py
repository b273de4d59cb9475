"""SVC402 networkpolicy-peer-selects-nothing."""

from __future__ import annotations

from collections.abc import Iterator

from svclint.findings import Severity
from svclint.kube.selectors import LabelSelector
from svclint.kube.sources import unmodelled_hint
from svclint.lint.checks.affected import AnsweredByChange
from svclint.lint.checks.otherunits import only_in, unit_with_pods
from svclint.lint.rule import Rule, RuleContext, Violation
from svclint.routing.engine import peer_classes
from svclint.routing.lint import nearest_labels
from svclint.routing.model import routing_model


class NetworkPolicyPeerSelectsNothing(AnsweredByChange, Rule):
    """## What it does
    Reports a `from`/`to` peer of a NetworkPolicy whose `namespaceSelector` matches no
    namespace of the input (Namespace labels plus the automatic
    `kubernetes.io/metadata.name`), or whose `podSelector` matches no pod template in the
    namespaces the peer covers (the policy's own namespace when there is no
    namespaceSelector). The message names the nearest miss. Pods count from every pod
    source svclint knows (see SVC101); when a custom resource svclint does not model sits
    in those namespaces, the finding says so and is a note.

    ## Why is this bad?
    A peer that matches nothing allows nothing: the traffic the rule was written for is
    dropped, usually because of a typo in a label or a namespace name.
    """

    id = "SVC402"
    name = "networkpolicy-peer-selects-nothing"
    summary = "A NetworkPolicy from/to peer matches no pod or namespace"
    severity = Severity.WARNING
    tags = ("networkpolicy", "routing")

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        policies = ctx.focused_kind("NetworkPolicy")
        if not policies:
            return  # its findings are at policies: none in the focus, no routing model needed
        model = routing_model(ctx.graph, ctx.settings)
        classes = model.classes
        known = sorted(set(classes.by_namespace) | ctx.graph.namespaces)
        matching: dict[object, list[str]] = {}
        for policy in model.valid_policies(policies):
            for rule in policy.ingress + policy.egress:
                for peer in rule.peers or ():
                    if peer.ip_block is not None:
                        continue
                    if peer.namespace_selector is None:
                        namespaces = [policy.namespace]
                    else:
                        selector = peer.namespace_selector
                        namespaces = matching.get(selector)  # type: ignore[assignment]
                        if namespaces is None:
                            namespaces = matching[selector] = [ns for ns in known if selector.matches(classes.namespace_labels(ns))]
                        if not namespaces:
                            yield ctx.report(
                                f"NetworkPolicy {policy.key} {rule.label}: namespaceSelector {selector} matches no "
                                f"namespace{_nearest_namespace(known, selector, classes)}; this peer allows nothing",
                                policy.obj,
                                peer.path + ("namespaceSelector",),
                            )
                            continue
                    if peer.pod_selector is None or peer.pod_selector.is_empty:
                        continue
                    if peer_classes(peer, policy, classes):
                        continue
                    candidates = [c for ns in namespaces for c in classes.by_namespace.get(ns, [])]
                    where = f"namespace {namespaces[0]!r}" if len(namespaces) == 1 else f"namespaces {', '.join(namespaces)}"
                    unmodelled = [o for ns in namespaces for o in ctx.graph.unmodelled(ns)]
                    other_unit = next(
                        (u for ns in namespaces if (u := unit_with_pods(ctx.load, ns, peer.pod_selector))), None
                    )
                    if unmodelled:
                        hint = unmodelled_hint(unmodelled)
                    elif other_unit is not None:
                        hint = only_in(other_unit, "pods it selects are")
                    else:
                        hint = nearest_labels(candidates, peer.pod_selector) + "; this peer allows nothing"
                    yield ctx.report(
                        f"NetworkPolicy {policy.key} {rule.label}: podSelector {peer.pod_selector} matches no pod "
                        f"template in {where}{hint}",
                        policy.obj,
                        peer.path + ("podSelector",),
                        uncertain=bool(unmodelled) or other_unit is not None,
                    )


def _nearest_namespace(known: list[str], selector: object, classes: object) -> str:
    assert isinstance(selector, LabelSelector)
    best, best_score = None, 0
    for ns in known:
        labels = classes.namespace_labels(ns)  # type: ignore[attr-defined]
        score = sum(1 for k, _ in selector.match_labels if k in labels)
        if score > best_score:
            best, best_score = ns, score
    if best is None:
        return " of the input"
    labels = classes.namespace_labels(best)  # type: ignore[attr-defined]
    diffs = [f"{k}={labels[k]}" for k, v in selector.match_labels if k in labels and labels[k] != v]
    return f" of the input; nearest is namespace {best!r} with {', '.join(diffs)}" if diffs else " of the input"
