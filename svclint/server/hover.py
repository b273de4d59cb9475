"""The hover of a Service: its endpoints and who can reach which port, in Markdown.

Endpoints and verdicts come from the routing model (``routing.model``), the same cells
``svclint matrix`` prints and ``svclint explain`` explains.
"""

from __future__ import annotations

from collections.abc import Sequence

from svclint.kube.graph import ManifestGraph
from svclint.kube.model import K8sObject
from svclint.routing.model import ALLOW, DENY, RoutingModel, routing_model
from svclint.routing.services import Column
from svclint.settings import Settings

MAX_LISTED = 8  # names per verdict; the rest are counted


def object_at(graph: ManifestGraph, path: str, line: int) -> K8sObject | None:
    """The object whose document holds 1-based ``line`` of file ``path``."""
    starts = sorted(
        ((obj.location(()).line, i, obj) for i, obj in enumerate(graph.objects) if obj.source.path == path),
        key=lambda item: item[:2],
    )
    found = None
    for start, _, obj in starts:
        if start <= line:
            found = obj
    return found if found is not None else (starts[0][2] if starts else None)


def _names(names: Sequence[str]) -> str:
    shown = ", ".join(f"`{n}`" for n in names[:MAX_LISTED])
    more = len(names) - MAX_LISTED
    return shown + (f" and {more} more" if more > 0 else "")


def _endpoints(column: Column) -> list[str]:
    lines = []
    for endpoint in column.endpoints:
        workload = endpoint.template.workload
        if endpoint.port is None:
            lines.append(f"  - {workload}: targetPort `{column.target}` does not resolve")
        elif isinstance(column.target, str):
            lines.append(f"  - {workload}: `{column.target}` -> pod port {endpoint.port}")
        else:
            lines.append(f"  - {workload}: pod port {endpoint.port}")
    return lines


def _reach(model: RoutingModel, column: Column) -> list[str]:
    allowed: list[str] = []
    partial: list[str] = []
    denied: list[str] = []
    outside = DENY
    for source in model.sources:
        verdict = model.verdict(source, column)
        if source.cls is None:
            outside = verdict
            continue
        if verdict.startswith(ALLOW):
            allowed.append(source.name)
        elif verdict.startswith("partial"):
            partial.append(f"{source.name} ({verdict})")
        elif verdict.startswith(DENY):
            denied.append(source.name)
        else:
            partial.append(f"{source.name} ({verdict})")
    lines = [f"  - reachable from: {_names(allowed)}" if allowed else "  - reachable from no workload"]
    if partial:
        lines.append(f"  - partly: {_names(partial)}")
    if denied:
        lines.append(f"  - blocked: {_names(denied)}")
    lines.append(f"  - from outside the cluster: {outside}")
    return lines


def service_hover(graph: ManifestGraph, settings: Settings, service: K8sObject) -> str:
    """Markdown: each port of ``service``, the pods behind it, and who reaches it."""
    model = routing_model(graph, settings)
    columns = [column for column in model.columns if column.service is service]
    kind = service.spec.get("type") if isinstance(service.spec.get("type"), str) else "ClusterIP"
    out = [f"**Service {service.namespace}/{service.name}** ({kind})", ""]
    if not columns:
        out.append("No port that svclint can route to (no selector, no ports, or ExternalName).")
    for column in columns:
        target = f", targetPort `{column.target}`" if column.target is not None else ""
        out.append(f"- port **{column.port}/{column.protocol}**{target}")
        endpoints = _endpoints(column)
        out.extend(endpoints or ["  - no endpoints: the selector matches no pod template"])
        if column.resolved:
            out.extend(_reach(model, column))
    out.append("")
    out.append(f"`svclint explain CLIENT {service.name}` shows why, hop by hop.")
    return "\n".join(out)
