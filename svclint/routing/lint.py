"""What the SVC4xx rules ask of the routing model, kept out of the rule modules.

Every question here reuses the model's bitsets; none enumerates the workload x Service-port
cells, so `svclint check` stays linear in the input.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Iterable, Iterator

from svclint.kube.model import K8sObject
from svclint.kube.selectors import LabelSelector, label_differences
from svclint.routing.classes import PodClass, PodClasses
from svclint.routing.model import DENY, RoutingModel
from svclint.routing.policy import Peer, Policy
from svclint.routing.services import PODS, Column


def real_bits(classes: PodClasses) -> int:
    """Classes that stand for pods of the input (not the synthetic kube-dns/controller)."""
    bits = 0
    for cls in classes.classes:
        if cls.synthetic is None:
            bits |= cls.bit
    return bits


def nearest_labels(candidates: list[PodClass], selector: LabelSelector) -> str:
    """The class closest to ``selector``: how its labels differ (for "did you mean")."""
    if not candidates or not selector.match_labels:
        return ""

    def score(cls: PodClass) -> tuple[int, int, str]:
        equal = sum(1 for k, v in selector.match_labels if cls.labels.get(k) == v)
        keys = sum(1 for k, _ in selector.match_labels if k in cls.labels)
        return (-equal, -keys, cls.describe())

    best = min(candidates, key=score)
    if score(best)[:2] == (0, 0):
        return ""
    diffs = label_differences(selector.match_labels, best.labels)
    return f"; nearest is {best.describe()}, which " + " and ".join(diffs) if diffs else ""


def peers(policy: Policy) -> Iterator[Peer]:
    for rule in policy.ingress + policy.egress:
        yield from rule.peers or ()


def unreachable_columns(model: RoutingModel, columns: Iterable[Column] | None = None) -> Iterator[Column]:
    """Service ports with endpoints that no workload of the input and no entry point reaches
    (of ``columns``, when given: a focused run's)."""
    workloads = real_bits(model.classes)
    for column in model.columns if columns is None else columns:
        if column.kind != PODS:
            continue
        plan = model.plan(column)
        if plan.structural is not None or not plan.groups:
            continue
        if any(bits & workloads for bits, _ in plan.groups):
            continue
        if model.exposure_of(column).exposed:
            continue  # reachable from outside, or blocked exposure: SVC405's finding
        yield column


def isolating_policies(model: RoutingModel, column: Column) -> list[tuple[str, K8sObject]]:
    """(what, policy object): the first policy isolating each of the first three endpoints."""
    out = []
    for endpoint in column.resolved[:3]:
        for policy in model.engine.ingress_policies[endpoint.cls.index][:1]:
            out.append((f"NetworkPolicy {policy.key} isolates {endpoint.template.workload.qualified}", policy.obj))
    return out


def pod_ports_text(column: Column) -> str:
    """``8080, 9090``: the pod ports a Service port's endpoints listen on."""
    return ", ".join(sorted({str(e.port) for e in column.resolved}))


def focused_columns(model: RoutingModel, services: Iterable[K8sObject]) -> list[Column]:
    """The columns of ``services`` (a focused run's), in the order of ``model.columns``."""
    columns = [column for service in services for column in model.columns_of(service)]
    columns.sort(key=lambda c: (c.destination, c.port, c.protocol))
    return columns


def guarded_columns(model: RoutingModel, in_focus: Callable[[K8sObject], bool]) -> list[Column]:
    """The columns whose endpoints the rules of the policies in focus may guard (ingress rules
    of a policy selecting them, egress rules whose peers include them), in the order of
    ``model.columns``: the Services of those endpoints' namespaces (a Service selects pods
    of its own namespace), without working out every Service's columns."""
    bits = 0
    engine = model.engine
    for policy in engine.policies:
        if not in_focus(policy.obj):
            continue
        if policy.ingress_isolating:
            bits |= engine.policy_selects(policy)
        if policy.egress_isolating:
            bits |= functools.reduce(operator.or_, (engine.compiled[id(rule)].peer_bits for rule in policy.egress), 0)
    namespaces = {cls.namespace for cls in model.classes.members(bits)}
    default = model.settings.default_namespace
    services = [s for s in model.graph.of_kind("Service") if (s.namespace or default) in namespaces]
    return focused_columns(model, services)


def blocked_exposures(model: RoutingModel, columns: Iterable[Column] | None = None) -> Iterator[Column]:
    """Exposed Service ports whose endpoints deny the outside (of ``columns``, when given)."""
    for column in model.columns if columns is None else columns:
        if column.kind != PODS or not model.exposure_of(column).exposed:
            continue
        if model.plan(column).structural is None and model.external_verdict(column) == DENY:
            yield column

