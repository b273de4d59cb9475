"""Container port declarations as the API server validates them (SVC206-SVC209).

``PodTemplate.ports()`` answers "where does a named targetPort land" (regular containers,
then sidecars). Validation and the pod warnings look at every declared port instead, in the
order ``pods.VisitContainersWithPath`` visits them (pkg/apis/core/pods/helpers.go): init
containers first, then containers. Ephemeral containers may not declare ports at all.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from svclint.kube.model import PodTemplate
from svclint.kube.services import is_int
from svclint.loading.source import FieldPath


@dataclass(frozen=True)
class DeclaredPort:
    template: PodTemplate
    container: str
    kind: str  # "container", "sidecar" (init with restartPolicy: Always) or "init"
    container_index: int  # index within its list (containers or initContainers)
    index: int  # index within the container's ports
    raw: dict[str, Any]
    path: FieldPath  # relative to the template's owner object

    @property
    def container_port(self) -> int | None:
        value = self.raw.get("containerPort")
        return value if is_int(value) else None

    @property
    def host_port(self) -> int:
        value = self.raw.get("hostPort")
        return value if is_int(value) else 0

    @property
    def host_ip(self) -> str:
        value = self.raw.get("hostIP")
        return value if isinstance(value, str) else ""

    @property
    def protocol(self) -> str:
        value = self.raw.get("protocol")
        return value if isinstance(value, str) and value else "TCP"

    @property
    def name(self) -> str:
        value = self.raw.get("name")
        return value if isinstance(value, str) else ""

    @property
    def regular(self) -> bool:
        return self.kind == "container"

    @property
    def where(self) -> str:
        """``container "web" ports[1] (8080/TCP)`` for messages."""
        number = self.container_port if self.container_port is not None else "?"
        label = "init container" if self.kind == "init" else "sidecar container" if self.kind == "sidecar" else "container"
        return f'{label} "{self.container}" ports[{self.index}] ({number}/{self.protocol})'


def declared_ports(template: PodTemplate) -> Iterator[DeclaredPort]:
    """Every mapping under ``ports`` of every init container and container, in API order."""
    for field in ("initContainers", "containers"):
        containers = template.spec.get(field)
        if not isinstance(containers, list):
            continue
        for ci, container in enumerate(containers):
            if not isinstance(container, dict):
                continue
            ports = container.get("ports")
            if not isinstance(ports, list):
                continue
            if field == "containers":
                kind = "container"
            else:
                kind = "sidecar" if container.get("restartPolicy") == "Always" else "init"
            name = container.get("name")
            cname = name if isinstance(name, str) else "?"
            for pi, port in enumerate(ports):
                if isinstance(port, dict):
                    path = template.path + ("spec", field, ci, "ports", pi)
                    yield DeclaredPort(template, cname, kind, ci, pi, port, path)
