"""The containers of a pod spec and the ports they declare, walked once.

The walk follows ``pods.VisitContainersWithPath`` (pkg/apis/core/pods/helpers.go): init
containers first, then containers. Validation and the pod warnings (SVC206-SVC209) read
ports in that order. Ephemeral containers may not declare ports at all.

Where traffic lands is read in another order, FindPort's (pkg/api/v1/pod/util.go): regular
containers, then init containers with ``restartPolicy: Always`` (sidecars). Plain init
containers never serve. ``PodTemplate`` offers both as views over this one walk.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, NamedTuple, TypeGuard

from svclint.loading.source import FieldPath

CONTAINER, SIDECAR, INIT = "container", "sidecar", "init"


class Container(NamedTuple):
    """One container mapping of a pod spec, with where it is declared."""

    path: FieldPath  # relative to the owner object
    spec: dict[str, Any]
    kind: str  # CONTAINER, SIDECAR (init with restartPolicy: Always) or INIT
    list_index: int  # within its list (containers or initContainers)

    @property
    def name(self) -> str:
        value = self.spec.get("name")
        return value if isinstance(value, str) else "?"

    @property
    def regular(self) -> bool:
        return self.kind == CONTAINER


@dataclass(frozen=True, slots=True)
class ContainerPort:
    """One mapping under a container's ``ports``, defaulted the way the API server reads it."""

    container: str  # the container's name ("?" when it has none)
    number: int | None  # containerPort; None when absent or not an integer
    name: str | None
    protocol: str  # defaulted to TCP
    path: FieldPath  # (..., "containers" or "initContainers", i, "ports", j), relative to the owner
    kind: str = CONTAINER  # of the declaring container
    raw: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def container_index(self) -> int:
        """The declaring container's index within its list."""
        return _index(self.path[-3])

    @property
    def index(self) -> int:
        """This port's index within the container's ``ports``."""
        return _index(self.path[-1])

    @property
    def sidecar(self) -> bool:
        return self.kind == SIDECAR

    @property
    def regular(self) -> bool:
        return self.kind == CONTAINER

    @property
    def host_port(self) -> int:
        value = self.raw.get("hostPort")
        return value if _is_int(value) else 0

    @property
    def host_ip(self) -> str:
        value = self.raw.get("hostIP")
        return value if isinstance(value, str) else ""

    @property
    def where(self) -> str:
        """``container "web" ports[1] (8080/TCP)`` for messages."""
        number = self.number if self.number is not None else "?"
        label = "init container" if self.kind == INIT else "sidecar container" if self.kind == SIDECAR else "container"
        return f'{label} "{self.container}" ports[{self.index}] ({number}/{self.protocol})'


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _index(part: str | int) -> int:
    assert isinstance(part, int)
    return part


def _walk(spec: dict[str, Any]) -> Iterator[tuple[str, int, dict[str, Any], str]]:
    """(list name, index, container, kind) for every container mapping, init containers first."""
    for list_name in ("initContainers", "containers"):
        containers = spec.get(list_name)
        if not isinstance(containers, list):
            continue
        for i, container in enumerate(containers):
            if not isinstance(container, dict):
                continue
            if list_name == "containers":
                kind = CONTAINER
            else:
                kind = SIDECAR if container.get("restartPolicy") == "Always" else INIT
            yield list_name, i, container, kind


def walk_containers(spec: dict[str, Any], at: FieldPath) -> Iterator[Container]:
    """Every container mapping of the pod ``spec`` (found at ``at``), init containers first."""
    for list_name, i, container, kind in _walk(spec):
        yield Container(at + ("spec", list_name, i), container, kind, i)


def walk_ports(spec: dict[str, Any], at: FieldPath) -> Iterator[ContainerPort]:
    """Every mapping under ``ports`` of every container of ``spec``, init containers first."""
    for list_name, i, container, kind in _walk(spec):
        ports = container.get("ports")
        if not isinstance(ports, list):
            continue
        cname = container.get("name")
        cname = cname if isinstance(cname, str) else "?"
        for j, port in enumerate(ports):
            if not isinstance(port, dict):
                continue
            number = port.get("containerPort")
            name = port.get("name")
            protocol = port.get("protocol")
            yield ContainerPort(
                cname,
                number if isinstance(number, int) and not isinstance(number, bool) else None,
                name if isinstance(name, str) else None,
                protocol if isinstance(protocol, str) and protocol else "TCP",
                at + ("spec", list_name, i, "ports", j),
                kind,
                port,
            )
