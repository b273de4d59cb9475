"""The pod templates whose Service references a focused run of SVC501-503 must resolve.

A reference's finding is at its holder: the workload, or a ConfigMap of the pod's namespace
that the workload reads. So the templates of the workloads in focus, and every template of
a namespace holding a ConfigMap in focus (which ConfigMaps a template reads is known only
once its references are resolved).
"""

from __future__ import annotations

from svclint.kube.model import PodTemplate
from svclint.lint.rule import RuleContext
from svclint.routing.calls import CheckedReference, checked_references
from svclint.routing.model import RoutingModel


def focused_references(ctx: RuleContext, model: RoutingModel) -> list[CheckedReference]:
    """``checked_references(model)``, less the references whose findings cannot land in the focus."""
    if ctx.focus is None:
        return checked_references(model)
    cached: tuple[frozenset[str], list[CheckedReference]] | None = getattr(model, "_focused_references", None)
    if cached is not None and cached[0] == ctx.focus:
        return cached[1]
    config_namespaces = {o.namespace or "" for o in ctx.focused_kind("ConfigMap")}
    templates: list[PodTemplate] = [
        t for t in ctx.graph.pod_templates if ctx.in_focus(t.owner) or (t.namespace or "") in config_namespaces
    ]
    found = checked_references(model, templates)
    model._focused_references = (ctx.focus, found)  # type: ignore[attr-defined]
    return found
