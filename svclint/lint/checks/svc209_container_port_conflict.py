"""SVC209 container-port-conflict."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from svclint.findings import Severity
from svclint.kube.model import PodTemplate
from svclint.kube.podports import ContainerPort
from svclint.lint.rule import Related, Rule, RuleContext, Violation


def _host_group(port: ContainerPort) -> object:
    """Ports SVC208 already checks together for duplicate host ports (an API error)."""
    return "containers" if port.regular else ("init", port.container_index)


def _number_conflict(port: ContainerPort, other: ContainerPort) -> str | None:
    """The pod warning (pkg/api/pod/warnings.go) for two ports with one containerPort/protocol."""
    if port.host_ip == other.host_ip and port.host_port == other.host_port:
        if port.host_port != 0 and _host_group(port) == _host_group(other):
            return None  # the API rejects this duplicate hostPort: SVC208 reports it
        return "duplicate port definition"
    if port.host_port == 0 or other.host_port == 0:
        return "overlapping port definition"
    if port.host_port == other.host_port and (port.host_ip == "") != (other.host_ip == ""):
        return "dangerously ambiguous port definition"
    return None


class ContainerPortConflict(Rule):
    """## What it does
    Reports container ports of one pod that clash, mirroring the API server's pod warnings
    (pkg/api/pod/warnings.go) and the one related validation error:

    - the same `containerPort`/`protocol` declared twice in a pod, across all its containers
      and init containers: `duplicate port definition`, `overlapping port definition` (one
      of them has a hostPort) or `dangerously ambiguous port definition` (same hostPort, only
      one with a hostIP);
    - the same port `name` in two containers (or sidecars) of a pod: accepted, but Services
      and probes that refer to the port by name always get the first one;
    - a `hostIP` without a `hostPort`, which does nothing.

    A duplicate host port within a pod is SVC208's; the same port `name` twice in one
    container, which the API server rejects, is SVC206's.

    ## Why is this bad?
    Two declarations of one port make it unclear which container serves it, and a named
    `targetPort` silently routes to whichever container is listed first.
    """

    id = "SVC209"
    name = "container-port-conflict"
    summary = "A container port or port name declared twice in one pod"
    severity = Severity.WARNING
    namespaced = True
    tags = ("workloads", "ports")

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        for template in ctx.graph.pod_templates:
            if not ctx.in_focus(template.owner):
                continue  # its findings are at the workload
            ports = list(template.declared_ports())
            yield from self._numbers(ctx, template, ports)
            yield from self._names(ctx, template, ports)

    def _numbers(self, ctx: RuleContext, template: PodTemplate, ports: list[ContainerPort]) -> Iterator[Violation]:
        seen: dict[tuple[int, str], list[ContainerPort]] = defaultdict(list)
        for port in ports:
            if port.host_ip and port.host_port == 0:
                yield ctx.report(
                    f"hostIP {port.host_ip} is set without hostPort on {port.where}, so it has no effect; "
                    "add a hostPort or remove hostIP",
                    template.owner,
                    port.path + ("hostIP",),
                )
            if port.number is None:
                continue
            key = (port.number, port.protocol)
            for other in seen[key]:
                kind = _number_conflict(port, other)
                if kind is None:
                    continue
                yield ctx.report(
                    f"{kind}: {port.where} is already declared by {other.where} in the same pod; "
                    "declare each port once, in the container that listens on it",
                    template.owner,
                    port.path + ("containerPort",),
                    related=[Related(f"{other.where} declared here", template.owner, other.path + ("containerPort",))],
                )
                break
            seen[key].append(port)

    def _names(self, ctx: RuleContext, template: PodTemplate, ports: list[ContainerPort]) -> Iterator[Violation]:
        # The same name twice in one container is rejected by the API server: SVC206's (an error).
        # Across containers: FindPort order, regular containers first, then sidecars.
        first_by_name: dict[str, ContainerPort] = {}
        for port in template.ports():
            if not port.name:
                continue
            first = first_by_name.setdefault(port.name, port)
            if first is port or first.container_index == port.container_index and first.kind == port.kind:
                continue
            yield ctx.report(
                f'port name "{port.name}" of {port.where} is already used by {first.where}; Services and probes '
                f'that select the port by name will use {first.where}: give this port another name',
                template.owner,
                port.path + ("name",),
                related=[Related(f'port name "{port.name}" first used here', template.owner, first.path + ("name",))],
            )
