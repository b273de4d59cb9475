"""The cluster-wide nodePort pool, shared by SVC201 and SVC202.

One bitmap for all Services and protocols (pkg/registry/core/service/portallocator):
a number requested by two Services conflicts even across protocols. Within one Service,
allocation is keyed by the Service port number (storage/alloc.go initNodePorts), so
``53/TCP`` and ``53/UDP`` may share a nodePort.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from svclint.kube.graph import ManifestGraph
from svclint.kube.memo import kept
from svclint.kube.model import K8sObject
from svclint.kube.services import NODE_PORT_TYPES, is_int, service_ports, service_type
from svclint.loading.source import FieldPath

HEALTH_CHECK_PATH: FieldPath = ("spec", "healthCheckNodePort")


@dataclass(frozen=True)
class NodePortClaim:
    service: K8sObject
    node_port: int
    service_port: int | None  # None for healthCheckNodePort (or a port entry without a number)
    protocol: str
    path: FieldPath

    @property
    def health_check(self) -> bool:
        return self.path == HEALTH_CHECK_PATH


def requested_node_ports(graph: ManifestGraph) -> Iterator[NodePortClaim]:
    """Every explicitly requested nodePort (and healthCheckNodePort) that would be allocated."""
    for service in graph.of_kind("Service"):
        yield from node_port_claims(service)


def node_port_claims(service: K8sObject) -> list[NodePortClaim]:
    """The nodePorts one Service requests (none unless it is of a NodePort type)."""
    return kept(service, "node_ports", lambda: list(_requested(service)))


def _requested(service: K8sObject) -> Iterator[NodePortClaim]:
    if service_type(service) not in NODE_PORT_TYPES:
        return
    for port in service_ports(service):
        if port.node_port is not None:
            yield NodePortClaim(service, port.node_port, port.port, port.protocol, port.path + ("nodePort",))
    health = service.spec.get("healthCheckNodePort")
    if is_int(health) and health:
        yield NodePortClaim(service, health, None, "TCP", HEALTH_CHECK_PATH)


def free_node_port(used: set[int], low: int, high: int) -> int | None:
    """The lowest port in range nobody requested."""
    for candidate in range(low, high + 1):
        if candidate not in used:
            return candidate
    return None
