"""SVC208 hostport-conflict."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from svclint.findings import Severity
from svclint.kube.graph import ManifestGraph
from svclint.kube.memo import kept
from svclint.kube.model import K8sObject, PodTemplate
from svclint.kube.podports import INIT, ContainerPort
from svclint.lint.checks.affected import ClaimsFromAPool
from svclint.lint.rule import Related, Rule, RuleContext, Violation
from svclint.loading.source import FieldPath

ANY_IP = "0.0.0.0"  # the scheduler's DefaultBindAllHostIP; "" is sanitized to it


@dataclass(frozen=True)
class HostPortClaim:
    template: PodTemplate
    declared: ContainerPort
    host_port: int
    host_ip: str  # "" normalised to 0.0.0.0
    protocol: str
    at: FieldPath  # hostPort field (or containerPort for a defaulted hostNetwork port)

    def overlaps(self, other: HostPortClaim) -> bool:
        """NodePorts plugin (pkg/scheduler/framework/types.go HostPortInfo.CheckConflict)."""
        return (
            self.protocol == other.protocol
            and self.host_port == other.host_port
            and (self.host_ip == other.host_ip or ANY_IP in (self.host_ip, other.host_ip))
        )

    def describe(self) -> str:
        ip = "" if self.host_ip == ANY_IP else f" on {self.host_ip}"
        return f"hostPort {self.host_port}/{self.protocol}{ip}"


def _claims(template: PodTemplate) -> list[HostPortClaim]:
    """Host ports the running pod holds: containers and sidecars (init containers finish first).

    With hostNetwork, a template's hostPort 0 becomes the containerPort on the Pod
    (SetDefaults_Pod), so that port is held on the node too.
    """
    return kept(template, "host_ports", lambda: _read_claims(template))


def _read_claims(template: PodTemplate) -> list[HostPortClaim]:
    host_network = template.spec.get("hostNetwork") is True
    out = []
    for declared in template.declared_ports():
        if declared.kind == INIT:
            continue
        host_port, at = declared.host_port, declared.path + ("hostPort",)
        if host_port == 0 and host_network and declared.number:
            host_port, at = declared.number, declared.path + ("containerPort",)
        if host_port > 0:
            ip = declared.host_ip if declared.host_ip not in ("", "::") else ANY_IP
            out.append(HostPortClaim(template, declared, host_port, ip, declared.protocol, at))
    return out


def _scalable_replicas(template: PodTemplate) -> int:
    if template.owner.kind in ("Deployment", "ReplicaSet", "StatefulSet", "ReplicationController"):
        return template.replicas if template.replicas is not None else 1
    return 1


class HostPortConflict(ClaimsFromAPool, Rule):
    """## What it does
    Reports pods that want the same host port on a node, with the scheduler's rules (the
    NodePorts plugin): two claims conflict when protocol and hostPort are equal and the
    hostIPs are equal or either is unset / `0.0.0.0` (which binds every address). Host ports
    are node-wide, so namespaces do not separate them. It reports:

    - two pod templates (in any namespaces) that claim the same host port: their pods can
      never share a node; when one is a DaemonSet, the other cannot run on any node the
      DaemonSet covers;
    - a Deployment, ReplicaSet or StatefulSet with `replicas` > 1 and a host port: at most
      one replica fits on each node;
    - the same protocol/hostIP/hostPort twice among the containers of one pod, which the
      API server rejects (`hostPort: Duplicate value: "TCP//8080"`).

    With `hostNetwork: true`, a container port without hostPort holds that port on the node.
    Init containers do not hold ports while the pod runs; sidecars do.

    ## Why is this bad?
    Pods that cannot get their host port stay Pending (`node(s) didn't have free ports for
    the requested pod ports`), which shows up only when the cluster is full or during a
    rollout.
    """

    id = "SVC208"
    name = "hostport-conflict"
    summary = "Two pods want the same host port on a node"
    severity = Severity.WARNING
    tags = ("workloads", "ports")

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        if ctx.focus is not None:
            in_focus = [template for template in ctx.graph.pod_templates if ctx.in_focus(template.owner)]
            if not any(_claims(template) for template in in_focus):
                # every finding but a pod's own duplicates is at a claim of the workload in focus
                for template in in_focus:
                    yield from self._within_pod(ctx, template)
                return
        by_port: dict[tuple[str, int], list[HostPortClaim]] = defaultdict(list)
        for template in ctx.graph.pod_templates:
            focused = ctx.in_focus(template.owner)  # findings are at the workload of the claim
            if focused:
                yield from self._within_pod(ctx, template)
            claims = _claims(template)
            replicas = _scalable_replicas(template) if focused and claims else 0
            for claim in claims:
                by_port[(claim.protocol, claim.host_port)].append(claim)
                if replicas > 1:
                    yield ctx.report(
                        f"{replicas} replicas of {template.owner.ref} each want {claim.describe()}: at most one "
                        f"fits on a node, so with fewer than {replicas} eligible nodes the rest stay Pending; "
                        "use a DaemonSet, or drop hostPort and reach the pods through a Service",
                        template.owner,
                        claim.at,
                    )
        for key in sorted(by_port):
            yield from self._across_templates(ctx, by_port[key])

    def _across_templates(self, ctx: RuleContext, claims: list[HostPortClaim]) -> Iterator[Violation]:
        for i, claim in enumerate(claims):
            owner = claim.template.owner
            if not ctx.in_focus(owner):
                continue
            for earlier in claims[:i]:
                other = earlier.template.owner
                if earlier.template is claim.template or other.ref == owner.ref or not claim.overlaps(earlier):
                    continue
                daemon = next((o for o in (other, owner) if o.kind == "DaemonSet"), None)
                if daemon is not None:
                    other_one = owner if daemon is other else other
                    why = f"{daemon.ref} runs on every node, so {other_one.ref} cannot run on any node it covers"
                else:
                    why = "the scheduler never puts both pods on one node"
                yield ctx.report(
                    f"{claim.describe()} of {owner.ref} is also wanted by {other.ref} "
                    f"({earlier.describe()}): {why}; use another hostPort, or a Service instead of hostPort",
                    owner,
                    claim.at,
                    related=[Related(f"{earlier.describe()} wanted by {other.ref}", other, earlier.at)],
                )
                break

    def _within_pod(self, ctx: RuleContext, template: PodTemplate) -> Iterator[Violation]:
        """AccumulateUniqueHostPorts: regular containers together, each init container alone."""
        seen: dict[tuple[object, str, str, int], ContainerPort] = {}
        for declared in template.declared_ports():
            if declared.host_port == 0:
                continue
            group: object = "containers" if declared.regular else ("init", declared.container_index)
            key = (group, declared.protocol, declared.host_ip, declared.host_port)
            first = seen.setdefault(key, declared)
            if first is declared:
                continue
            api_key = f"{declared.protocol}/{declared.host_ip}/{declared.host_port}"
            yield ctx.report(
                f"hostPort {declared.host_port}/{declared.protocol} is already used by {first.where} in the same pod "
                f'(hostPort: Duplicate value: "{api_key}"); a pod can bind each host port once per protocol '
                "and hostIP: use another hostPort",
                template.owner,
                declared.path + ("hostPort",),
                related=[Related(f"hostPort {declared.host_port}/{declared.protocol} first used here", template.owner, first.path + ("hostPort",))],
            )

    @classmethod
    def pool_claims(cls, graph: ManifestGraph, objects: Sequence[K8sObject]) -> object:
        owners = {id(obj) for obj in objects}  # the host ports their pods claim, in the graph's order
        return [
            (claim.host_port, claim.host_ip, claim.protocol, claim.at)
            for template in graph.pod_templates if id(template.owner) in owners for claim in _claims(template)
        ]
