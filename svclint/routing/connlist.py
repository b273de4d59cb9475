"""Workload-to-workload connectivity in netpol-analyzer's ``list`` shape.

``default/frontend[Deployment] => default/backend[Deployment] : TCP 9090``; ``All Connections``
when unrestricted; outside peers as IPv4 ranges ``0.0.0.0-255.255.255.255[External]``, the
address space cut at every ipBlock boundary and adjacent ranges with the same connections
merged. Workload-to-itself pairs are left out, as netpol-analyzer does. Ingress (and
OpenShift Route) backends reachable from the ingress controller (the router) appear as
``{ingress-controller} => ...`` lines.
"""

from __future__ import annotations

from collections.abc import Iterator

from svclint.routing.model import RoutingModel
from svclint.routing.ports import IPV4_MAX, IPSet, PortSet, range_text_v4
from svclint.routing.services import PODS


def ipv4_segments(model: RoutingModel) -> list[tuple[int, int]]:
    cuts = {0, IPV4_MAX + 1}
    for rule in model.engine.compiled.values():
        for lo, hi in rule.ips.v4:
            cuts.add(lo)
            cuts.add(hi + 1)
    points = sorted(cuts)
    return [(points[i], points[i + 1] - 1) for i in range(len(points) - 1)]


def _external_lines(model: RoutingModel, segments: list[tuple[int, int]]) -> Iterator[str]:
    for source in model.workloads:
        assert source.cls is not None
        for direction in ("egress", "ingress"):
            runs: list[tuple[int, int, PortSet]] = []
            for lo, hi in segments:
                segment = IPSet(v4=((lo, hi),))
                if direction == "egress":
                    ports = model.engine.external_egress_ports(source.cls, segment)
                else:
                    ports = model.engine.external_ingress_ports(source.cls, segment)
                if runs and runs[-1][2] == ports and runs[-1][1] + 1 == lo:
                    runs[-1] = (runs[-1][0], hi, ports)
                else:
                    runs.append((lo, hi, ports))
            for lo, hi, ports in runs:
                if not ports:
                    continue
                peer = f"{range_text_v4(lo, hi)}[External]"
                if direction == "egress":
                    yield f"{source.name} => {peer} : {ports.text()}"
                else:
                    yield f"{peer} => {source.name} : {ports.text()}"


def _ingress_controller_lines(model: RoutingModel) -> Iterator[str]:
    """One line per backend workload, every port the controller reaches on it (as netpol-analyzer)."""
    reached: dict[str, PortSet] = {}
    for column in model.columns:
        backends = model.exposure[id(column)].ingresses
        if column.kind != PODS or not backends:
            continue
        controllers = {model.controller_for(b).bit for b in backends}
        for endpoint in column.resolved:
            assert endpoint.port is not None
            if any(model.engine.allowed_sources(endpoint.cls, column.protocol, endpoint.port) & bit for bit in controllers):
                name = endpoint.template.workload.qualified
                ports = PortSet.single(column.protocol, endpoint.port)
                reached[name] = reached[name] | ports if name in reached else ports
    for name, ports in reached.items():
        yield f"{{ingress-controller}} => {name} : {ports.text()}"


def connlist_lines(model: RoutingModel, external: bool = True) -> list[str]:
    """Every allowed connection, sorted (one line per pair)."""
    lines: set[str] = set()
    workloads = model.workloads
    cache: dict[tuple[int, int], PortSet] = {}
    for src in workloads:
        for dst in workloads:
            if src.name == dst.name:
                continue
            assert src.cls is not None and dst.cls is not None
            key = (src.cls.index, dst.cls.index)
            ports = cache.get(key)
            if ports is None:
                ports = cache[key] = model.engine.pair_ports(src.cls, dst.cls)
            if ports:
                lines.add(f"{src.name} => {dst.name} : {ports.text()}")
    if external:
        lines.update(_external_lines(model, ipv4_segments(model)))
        lines.update(_ingress_controller_lines(model))
    return sorted(lines)
