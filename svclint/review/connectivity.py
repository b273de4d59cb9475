"""Which (source, Service port) cells of the matrix a change moved, and the objects that moved them.

A unit whose objects are the same on both sides (same data, whatever the order, comments
or files) has the same matrix, so it costs nothing. In a changed unit only the cells the
changed objects can reach are compared: the rows of a changed workload and of the pods a
changed NetworkPolicy selects (their egress), and every row of the columns whose Service,
backing workloads or selected pods changed (their ingress and endpoints), the rows of the
outside world and the ingress controller when an Ingress or Route, or what selects the
controller's pods, changed. A change with
cluster-wide reach (a Namespace's labels, the kube-dns pods) compares every cell.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from svclint.kube.graph import ManifestGraph
from svclint.kube.model import K8sObject
from svclint.loading.source import split_lines
from svclint.routing.calls import references_to
from svclint.routing.model import EXTERNAL_SOURCE, RoutingModel, Source, routing_model
from svclint.routing.services import Column
from svclint.settings import Settings

ABSENT = "absent"  # the source or the Service port does not exist on that side
Identity = tuple[str, str, str | None, str]  # group, kind, namespace, name
_ENTRY_KINDS = {"Ingress", "Route", "HTTPRoute", "GRPCRoute", "TLSRoute", "TCPRoute", "UDPRoute", "Gateway", "IngressClass"}
_ENDPOINT_KINDS = {"Endpoints", "EndpointSlice"}


@dataclass(frozen=True, order=True)
class Cause:
    """A changed object that decides a changed cell, where to look at it."""

    path: str
    line: int
    what: str  # "NetworkPolicy default/deny-cart added"


@dataclass(frozen=True, order=True)
class CallSite:
    """A reference by which the source's containers call the Service port (``svclint calls``)."""

    path: str
    line: int
    origin: str  # env API_URL, envFrom ConfigMap c key k, args[1]...
    text: str  # the value as the container sees it


@dataclass(frozen=True)
class CellChange:
    unit: str
    source: str  # ns/name[Kind], external, ingress-controller
    destination: str  # ns/name[Service]:port/protocol
    before: str  # the matrix verdict, or ABSENT
    after: str
    causes: tuple[Cause, ...]
    calls: tuple[CallSite, ...] = ()  # the app's calls over this cell (new side, else old)

    @property
    def opens_exposure(self) -> bool:
        """The outside world reaches more of this Service port than before."""
        return self.source == EXTERNAL_SOURCE and reach(self.after) > reach(self.before)

    @property
    def closes_call(self) -> bool:
        """A source inside the cluster that reached this Service port reaches less of it now
        (a Service or workload that went away is reported, not counted)."""
        if self.source == EXTERNAL_SOURCE or ABSENT in (self.before, self.after):
            return False
        return reach(self.after) < reach(self.before)

    @property
    def breaks_call(self) -> bool:
        """A closed cell the app's own containers call: the change breaks a call it makes."""
        return self.closes_call and bool(self.calls)


def reach(verdict: str) -> float:
    """How much of a Service port a verdict lets the source reach: 1 all, k/n partial, 0 none.
    A source whose DNS lookups are blocked reaches the port by address only: counted as none."""
    words = verdict.split()
    if not words or "dns-blocked" in words:
        return 0.0
    if words[0] in ("allow", "external"):
        return 1.0
    if words[0] == "partial" and len(words) > 1 and "/" in words[1]:
        k, n = words[1].split("/", 1)
        return int(k) / int(n)
    return 0.0


def identity(obj: K8sObject) -> Identity:
    """Group (the part of apiVersion before ``/``: cheap, unlike ``obj.group``), kind, namespace, name."""
    return (obj.api_version.rpartition("/")[0], obj.kind, obj.namespace, obj.name)


def _data(graph: ManifestGraph) -> dict[Identity, Any]:
    return {identity(o): o.data for o in graph.objects}


@dataclass
class _Side:
    graph: ManifestGraph
    model: RoutingModel | None = None
    objects: dict[Identity, K8sObject] | None = None

    def routing(self, settings: Settings) -> RoutingModel:
        if self.model is None:
            self.model = routing_model(self.graph, settings)
        return self.model

    def object(self, key: Identity) -> K8sObject | None:
        if self.objects is None:
            self.objects = {identity(o): o for o in self.graph.objects}
        return self.objects.get(key)


def _workload_name(key: Identity) -> str:
    return f"{key[2]}/{key[3]}[{key[1]}]" if key[2] else f"{key[3]}[{key[1]}]"


def _touched(model: RoutingModel, changed: set[Identity]) -> tuple[int, bool]:
    """Class bits of the pods changed objects select or make; True when the change reaches
    every cell (a Namespace, or the kube-dns pods every source's DNS depends on)."""
    bits = 0
    for policy in model.engine.policies:
        if identity(policy.obj) in changed:
            bits |= model.engine.selected[id(policy)]
    for cls in model.classes.classes:
        if any(identity(t.owner) in changed for t in cls.templates):
            bits |= cls.bit
    everywhere = any(key[1] == "Namespace" for key in changed) or any(bits & c.bit for c in model.classes.kube_dns)
    return bits, everywhere


def _services(changed: set[Identity], sides: Iterable[_Side | None]) -> set[str]:
    """Columns' destinations (``ns/name[Service]``) a changed Service, Endpoints or EndpointSlice
    speaks for; an EndpointSlice names its Service in the ``kubernetes.io/service-name`` label
    (kubernetes/pkg/controller/endpointslice, discovery.LabelServiceName)."""
    out = {f"{k[2]}/{k[3]}[Service]" for k in changed if k[1] in ("Service", "Endpoints")}
    for side in sides:
        for key in changed:
            obj = side.object(key) if side is not None and key[1] == "EndpointSlice" else None
            if obj is not None:
                service = obj.labels.get("kubernetes.io/service-name")
                if isinstance(service, str):
                    out.add(f"{key[2]}/{service}[Service]")
    return out


def _affected(side: RoutingModel, changed: set[Identity], bits: int, services: set[str]) -> tuple[set[str], set[str]]:
    """(source names, column labels) of one side the changed objects can move."""
    workloads = {_workload_name(k) for k in changed}
    rows = {s.name for s in side.sources if s.name in workloads or (s.cls is not None and bits & s.cls.bit)}
    entry_pods = any(bits & c.bit for c in (*side.classes.ingress_controller, *side.classes.router))
    if entry_pods or any(k[1] in _ENTRY_KINDS for k in changed):  # what the outside reaches through them
        rows |= {s.name for s in side.sources if s.template is None}
    columns = {
        c.label
        for c in side.columns
        if c.destination in services
        or any(bits & e.cls.bit or identity(e.template.owner) in changed for e in c.endpoints)
    }
    return rows, columns


def _pods_view(graph: ManifestGraph, keys: set[Identity]) -> dict[Identity, str]:
    """What routing reads of the workloads ``keys`` names: their pod templates' labels, ports, host network."""
    views: dict[Identity, list[Any]] = {}
    for template in graph.pod_templates:
        if identity(template.owner) not in keys:
            continue
        spec = template.spec
        containers = [c for key in ("initContainers", "containers") for c in spec.get(key) or [] if isinstance(c, dict)]
        views.setdefault(identity(template.owner), []).append(
            [template.labels, [c.get("ports") for c in containers], spec.get("hostNetwork"), template.owner.namespace]
        )
    return {key: json.dumps(view, sort_keys=True, default=str) for key, view in views.items()}


def _causes(
    source: str, old: tuple[Source, Column] | None, new: tuple[Source, Column] | None,
    models: tuple[RoutingModel | None, RoutingModel | None], changed: dict[Identity, str], where: dict[Identity, Cause],
    incidental: set[Identity],
) -> tuple[Cause, ...]:
    """The changed objects involved in a cell on either side: its Service, the source workload,
    the backing workloads, the NetworkPolicies selecting the source or the backends, and an
    Ingress or Route when the source is outside. A workload whose pods routing sees the same
    (a probe or an image changed) is left out, unless nothing else is involved."""
    involved: set[Identity] = set()
    for cell, model in zip((old, new), models):
        if cell is None or model is None:
            continue
        src, column = cell
        involved.add(identity(column.service))
        if src.template is not None:
            involved.add(identity(src.template.owner))
        classes = (src.cls.bit if src.cls is not None else 0)
        for endpoint in column.endpoints:
            involved.add(identity(endpoint.template.owner))
            classes |= endpoint.cls.bit
        for policy in model.engine.policies:
            if model.engine.selected[id(policy)] & classes:
                involved.add(identity(policy.obj))
    if source in (EXTERNAL_SOURCE, "ingress-controller", "openshift-router"):
        involved |= {k for k in changed if k[1] in _ENTRY_KINDS}
    found = {k for k in involved if k in changed}
    return tuple(sorted(where[k] for k in (found - incidental or found)))


def _first_changed_line(old: K8sObject, new: K8sObject) -> int:
    """The first line of ``new``'s document that differs from ``old``'s (its start if none does)."""
    old_start, new_start = old.location().line, new.location().line
    old_lines = split_lines(old.source.text)[old_start - 1 :]
    new_lines = split_lines(new.source.text)[new_start - 1 :]
    for offset, (a, b) in enumerate(zip(old_lines, new_lines)):
        if a.strip() != b.strip():
            return new_start + offset
    return new_start


def _where(key: Identity, change: str, old: _Side | None, new: _Side | None) -> Cause:
    """Where a reviewer should look: the first changed line, the start of an added object,
    the old place of a removed one."""
    before = old.object(key) if old else None
    after = new.object(key) if new else None
    label = f"{key[1]} {key[2]}/{key[3]}" if key[2] else f"{key[1]} {key[3]}"
    if after is not None and before is not None:
        return Cause(after.source.path, _first_changed_line(before, after), f"{label} {change}")
    obj = after or before
    assert obj is not None
    loc = obj.location()
    return Cause(loc.path, loc.line, f"{label} {change}")


def unit_changes(
    unit: str, old_graph: ManifestGraph | None, new_graph: ManifestGraph | None, settings: Settings,
    every_cell: bool = False,
) -> list[CellChange]:
    """The changed cells of one deployment unit (a unit on one side only: every cell is new or gone).

    ``every_cell`` compares the whole matrix of a changed unit: the reference the tests hold
    the narrowed comparison to."""
    old_data = _data(old_graph) if old_graph else {}
    new_data = _data(new_graph) if new_graph else {}
    changed: dict[Identity, str] = {}
    for key in old_data.keys() | new_data.keys():
        if key not in new_data:
            changed[key] = "removed"
        elif key not in old_data:
            changed[key] = "added"
        elif old_data[key] != new_data[key]:  # plain data: == compares dicts whatever their key order
            changed[key] = "changed"
    if not changed:
        return []
    old = _Side(old_graph) if old_graph else None
    new = _Side(new_graph) if new_graph else None
    models = (old.routing(settings) if old else None, new.routing(settings) if new else None)
    keys = set(changed)
    rows: set[str] = set()
    columns: set[str] = set()
    everywhere = every_cell or old is None or new is None
    services = _services(keys, (old, new))
    for model in models:
        if model is None:
            continue
        bits, wide = _touched(model, keys)
        everywhere = everywhere or wide
        more_rows, more_columns = _affected(model, keys, bits, services)
        rows |= more_rows
        columns |= more_columns
    where = {k: _where(k, change, old, new) for k, change in changed.items()}
    incidental: set[Identity] = set()
    if old_graph is not None and new_graph is not None:
        before_pods, after_pods = _pods_view(old_graph, keys), _pods_view(new_graph, keys)
        incidental = {k for k in changed if k in before_pods and before_pods.get(k) == after_pods.get(k)}
    before = _cells(models[0], rows, columns, everywhere)
    after = _cells(models[1], rows, columns, everywhere)
    out = []
    for cell in sorted(before.keys() | after.keys()):
        was = before.get(cell)
        now = after.get(cell)
        verdict_before = was[2] if was else ABSENT
        verdict_after = now[2] if now else ABSENT
        if verdict_before == verdict_after:
            continue
        causes = _causes(cell[0], was[:2] if was else None, now[:2] if now else None, models, changed, where, incidental)
        calls = _calls(models[1], now) if now else _calls(models[0], was)
        out.append(CellChange(unit, cell[0], cell[1], verdict_before, verdict_after, causes, calls))
    return out


def _calls(model: RoutingModel | None, cell: tuple[Source, Column, str] | None) -> tuple[CallSite, ...]:
    """The references by which the cell's source calls its Service port on that side."""
    if model is None or cell is None:
        return ()
    sites = set()
    for checked in references_to(model, cell[0], cell[1]):
        ref = checked.reference
        loc = ref.holder.location(ref.path)
        sites.add(CallSite(loc.path, loc.line, ref.origin, ref.text))
    return tuple(sorted(sites))


def _cells(
    model: RoutingModel | None, rows: set[str], columns: set[str], everywhere: bool
) -> dict[tuple[str, str], tuple[Source, Column, str]]:
    """Verdicts of the cells in ``rows`` x every column and every source x ``columns``."""
    if model is None:
        return {}
    out: dict[tuple[str, str], tuple[Source, Column, str]] = {}
    verdict = model.verdict
    picked = [c for c in model.columns if c.label in columns]
    for source in model.sources:
        in_row = everywhere or source.name in rows
        for column in model.columns if in_row else picked:
            out[(source.name, column.label)] = (source, column, verdict(source, column))
    return out


def connectivity_changes(
    old_units: Iterable[tuple[str, ManifestGraph]], new_units: Iterable[tuple[str, ManifestGraph]], settings: Settings
) -> list[CellChange]:
    """Changed cells of every unit, by unit name (a unit only on one side counts too)."""
    old = dict(old_units)
    new = dict(new_units)
    out: list[CellChange] = []
    for name in sorted(old.keys() | new.keys()):
        out.extend(unit_changes(name, old.get(name), new.get(name), settings))
    return out

