"""SVC408 obsolete-isolation-annotation."""

from __future__ import annotations

from collections.abc import Iterator

from svclint.findings import Severity
from svclint.lint.rule import Rule, RuleContext, Violation
from svclint.routing.policy import OBSOLETE_ISOLATION_ANNOTATION


class ObsoleteIsolationAnnotation(Rule):
    """## What it does
    Reports the `net.beta.kubernetes.io/network-policy` annotation on a Namespace: the
    pre-1.7 beta way to make a namespace default-deny.

    ## Why is this bad?
    Kubernetes ignores the annotation since NetworkPolicy went GA (networking.k8s.io/v1,
    Kubernetes 1.7): the namespace is not isolated, while the manifest says it is. Use a
    NetworkPolicy with an empty podSelector instead.
    """

    id = "SVC408"
    name = "obsolete-isolation-annotation"
    summary = "The ignored net.beta.kubernetes.io/network-policy namespace annotation"
    severity = Severity.WARNING
    namespaced = True
    tags = ("networkpolicy",)

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        for namespace in ctx.graph.of_kind("Namespace"):
            if OBSOLETE_ISOLATION_ANNOTATION in namespace.annotations:
                yield ctx.report(
                    f"Namespace {namespace.name}: annotation {OBSOLETE_ISOLATION_ANNOTATION} has been ignored since "
                    f"Kubernetes 1.7 and isolates nothing; add a NetworkPolicy with podSelector: {{}} and the "
                    f"policyTypes to deny by default",
                    namespace,
                    ("metadata", "annotations", OBSOLETE_ISOLATION_ANNOTATION),
                )
