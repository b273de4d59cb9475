"""Kubernetes semantics shared by rules and the routing model: Service defaults and ports.

Defaults are applied the way ``pkg/apis/core/v1/defaults.go`` (SetDefaults_Service) does
before validation: type ClusterIP, protocol TCP, targetPort = port.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, TypeGuard

from svclint.kube.model import K8sObject, string_map
from svclint.loading.source import FieldPath

NODE_PORT_TYPES = ("NodePort", "LoadBalancer")


def is_int(value: object) -> TypeGuard[int]:
    """An integer that is not a YAML boolean."""
    return isinstance(value, int) and not isinstance(value, bool)


def service_type(service: K8sObject) -> str:
    value = service.spec.get("type")
    return value if isinstance(value, str) and value else "ClusterIP"


def is_external_name(service: K8sObject) -> bool:
    """A DNS CNAME to ``spec.externalName``: no cluster IP, no endpoints, no ports in use."""
    return service_type(service) == "ExternalName"


def is_headless(service: K8sObject) -> bool:
    """Headless means clusterIP "None" (k8s-semantics §5.15)."""
    return service.spec.get("clusterIP") == "None"


def service_selector(service: K8sObject) -> dict[str, str]:
    """The selector; ``{}`` and absent both mean "no selector" (manual endpoints)."""
    return string_map(service.spec.get("selector"))


@dataclass(frozen=True)
class ServicePort:
    """One entry of ``spec.ports`` after defaulting."""

    index: int
    name: str | None
    port: int | None
    protocol: str
    target_port: int | str | None  # defaulted to ``port`` when omitted, 0 or ""
    node_port: int | None  # None when omitted or 0
    path: FieldPath


def service_port_entries(service: K8sObject) -> Iterator[tuple[int, dict[str, Any]]]:
    """(index, mapping) of every ``spec.ports`` entry as written, for validation."""
    ports = service.spec.get("ports")
    if not isinstance(ports, list):
        return
    for i, entry in enumerate(ports):
        if isinstance(entry, dict):
            yield i, entry


def service_ports(service: K8sObject) -> Iterator[ServicePort]:
    """Every ``spec.ports`` entry after defaulting."""
    for i, entry in service_port_entries(service):
        port = entry.get("port")
        port = port if is_int(port) else None
        protocol = entry.get("protocol") or "TCP"
        target = entry.get("targetPort")
        if target in (None, 0, ""):
            target = port
        elif not (is_int(target) or isinstance(target, str)):
            target = None
        node_port = entry.get("nodePort")
        name = entry.get("name")
        yield ServicePort(
            index=i,
            name=name if isinstance(name, str) else None,
            port=port,
            protocol=protocol if isinstance(protocol, str) else "TCP",
            target_port=target,
            node_port=node_port if is_int(node_port) and node_port != 0 else None,
            path=("spec", "ports", i),
        )
