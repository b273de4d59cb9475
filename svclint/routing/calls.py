"""The calls an app makes: each Service reference resolved to its Service port, with the matrix's verdict.

kube/references.py says which names a container gets; this module says what they reach:
the Service (or none: SVC501), the Service port the reference's port names (or none:
SVC502), and the routing model's verdict for the (workload, Service port) cell (SVC503
when it is not ``allow``). ``svclint calls`` lists one row per (workload, Service port).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from svclint.kube.dnsnames import resolve_name
from svclint.kube.hosttext import hosts_in
from svclint.kube.model import K8sObject, PodTemplate
from svclint.kube.references import Reference, template_references
from svclint.kube.services import is_headless
from svclint.routing.model import ALLOW, EXTERNAL, RoutingModel, Source
from svclint.routing.services import EXTERNAL_NAME, Column

UNRESOLVED, PORT_MISMATCH, LINKS_DISABLED = "unresolved", "port-mismatch", "links-disabled"
VARIES = "varies"


@dataclass(frozen=True)
class CheckedReference:
    """A reference and what it reaches: the Service, its matching ports, or the problem."""

    reference: Reference
    source: Source
    service: K8sObject | None
    columns: tuple[Column, ...]
    problem: str | None = None

    @property
    def port_text(self) -> str:
        if len(self.columns) == 1:
            return str(self.columns[0].port)
        return str(self.reference.port) if self.reference.port is not None else ""


@dataclass(frozen=True)
class Call:
    """One row of ``svclint calls``: a workload, a Service port it names, the verdict, where."""

    source: Source
    service: K8sObject
    destination: str  # ns/name[Service]
    port: str  # "" when the reference names no port and the Service has several
    protocol: str
    verdict: str
    checked: CheckedReference
    columns: tuple[Column, ...]

    @property
    def reference_text(self) -> str:
        ref = self.checked.reference
        loc = ref.holder.location(ref.path)
        return f"{loc.path}:{loc.line} {ref.origin}"


def checked_references(model: RoutingModel, templates: list[PodTemplate] | None = None) -> list[CheckedReference]:
    """Every reference of the input (or of ``templates``: a focused run's), resolved against
    the model; all of them are computed once per model."""
    cached: list[CheckedReference] | None = getattr(model, "_checked_references", None)
    if cached is not None:
        if templates is None:
            return cached
        wanted = {id(t) for t in templates}
        return [c for c in cached if id(c.reference.template) in wanted]
    services: dict[tuple[str, str], K8sObject] = {}
    for service in model.graph.of_kind("Service"):
        services.setdefault((service.namespace or "", service.name), service)
    out = []
    for ref in template_references(model.graph, model.settings.calls, templates):
        source = model.source_named(ref.template.workload.qualified)
        if source is None:
            continue
        found = services.get((ref.target.namespace, ref.target.service))
        if ref.links_disabled:
            out.append(CheckedReference(ref, source, found, (), LINKS_DISABLED))
        elif found is None:
            out.append(CheckedReference(ref, source, None, (), UNRESOLVED))
        else:
            columns = sorted(model.columns_of(found), key=column_order)
            chosen, problem = _ports(ref, found, columns)
            out.append(CheckedReference(ref, source, found, tuple(chosen), problem))
    if templates is None:
        model._checked_references = out  # type: ignore[attr-defined]
    return out


def column_order(column: Column) -> tuple[str, int, str]:
    """The order of ``model.columns`` (a Service's columns in it: by port, then protocol)."""
    return (column.destination, column.port, column.protocol)


def _ports(ref: Reference, service: K8sObject, columns: list[Column]) -> tuple[list[Column], str | None]:
    """The Service ports a reference uses, or PORT_MISMATCH (never for ExternalName or headless Services)."""
    if ref.port_name is not None:
        return [c for c in columns if c.service_port is not None and c.service_port.name == ref.port_name], None
    if ref.port is None:
        return list(columns), None
    same = [c for c in columns if c.port == ref.port]
    if same:
        tcp = [c for c in same if c.protocol == "TCP"]
        return tcp or same, None
    if not columns or columns[0].kind == EXTERNAL_NAME:
        return [], None  # ExternalName: the port is the outside server's
    if is_headless(service):  # clients reach the pods directly, on any port they listen on
        return [c for c in columns if any(e.port == ref.port for e in c.endpoints)], None
    return [], PORT_MISMATCH


def verdict_of(model: RoutingModel, checked: CheckedReference) -> str | None:
    """The matrix verdict of the reference's cell(s); VARIES when its ports disagree."""
    if not checked.columns:
        return None
    verdicts = {model.verdict(checked.source, c) for c in checked.columns}
    return verdicts.pop() if len(verdicts) == 1 else VARIES


def gets_through(verdict: str) -> bool:
    return verdict in (ALLOW, EXTERNAL)


def calls(model: RoutingModel) -> Iterator[Call]:
    """One Call per (workload, Service port), from its first reference in file order; sorted."""
    rows: dict[tuple[str, str, str, str], Call] = {}
    checked = [c for c in checked_references(model) if c.service is not None and c.columns and c.problem is None]
    checked.sort(key=_order)
    for item in checked:
        assert item.service is not None
        verdict = verdict_of(model, item)
        assert verdict is not None
        protocols = {c.protocol for c in item.columns}
        protocol = protocols.pop() if len(protocols) == 1 else ""
        destination = item.columns[0].destination
        key = (item.source.name, destination, item.port_text, protocol)
        if key not in rows:
            rows[key] = Call(item.source, item.service, destination, item.port_text, protocol, verdict, item, item.columns)
    for key in sorted(rows, key=lambda k: (k[0], k[1], _port_key(k[2]), k[3])):
        yield rows[key]


def _order(item: CheckedReference) -> tuple[str, int, str]:
    loc = item.reference.holder.location(item.reference.path)
    return (loc.path, loc.line, item.reference.host)


def _port_key(port: str) -> tuple[int, str]:
    return (int(port), "") if port.isdigit() else (-1, port)


def references_to(model: RoutingModel, source: Source, column: Column) -> list[CheckedReference]:
    """The references by which ``source`` calls ``column`` (for ``explain``)."""
    return [c for c in checked_references(model) if c.source is source and any(col is column for col in c.columns)]


def address_columns(model: RoutingModel, source: Source, address: str) -> list[Column]:
    """The Service ports an address as a container writes it names from ``source``'s pods.

    ``cart:7070``, ``http://api.shop/v1``, ``db.data.svc.cluster.local:5432``: resolved by
    cluster DNS from the source's namespace (kube/dnsnames.py); no port: every port.
    """
    if source.namespace is None:
        return []
    services = {(s.namespace or "", s.name) for s in model.graph.of_kind("Service")}

    def headless(namespace: str, name: str) -> bool:
        return any(c.namespace == namespace and c.service.name == name and is_headless(c.service) for c in model.columns)

    for hp in hosts_in(address):
        target = resolve_name(hp.host, source.namespace, model.settings.calls.cluster_domain, model.graph.namespaces, headless)
        if target is None or (target.namespace, target.service) not in services:
            continue
        return [
            c for c in model.columns
            if c.namespace == target.namespace and c.service.name == target.service and (hp.port is None or c.port == hp.port)
        ]
    return []
