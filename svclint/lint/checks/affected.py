"""Which files' findings of a cross-object rule can differ after a change of a few objects.

The warm run's replay asks ``affected_files`` per rule and runs the rule again, focused, on
those files only; None means it cannot be told cheaply and the rule runs over everything.
The routing family (SVC401-409, SVC501-503) is answered by ``routing/affected.py``; SVC101
reads only the graph's label index and is answered here, as are SVC303 (Ingress and route
backends) and the rules about one of the cluster's pools (SVC201, SVC202, SVC208, SVC210:
``ClaimsFromAPool``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import partial
from typing import ClassVar

from svclint.kube.endpoints import endpoint_selector
from svclint.kube.graph import ManifestGraph
from svclint.kube.ingress import ROUTE_KINDS, backends_of
from svclint.kube.memo import kept
from svclint.kube.model import CONTROLLER_LABEL_KEYS, K8sObject
from svclint.routing import affected as routing_affected
from svclint.routing.affected import AffectedFiles
from svclint.settings import Settings

__all__ = ["AffectedFiles", "AnsweredByChange", "ClaimsFromAPool", "affected_files", "svc101_affected", "svc303_affected"]


class AnsweredByChange:
    """Mixin of the rules answered here: their ``Rule.affected_files`` is ``affected_files``."""

    id: ClassVar[str]

    @classmethod
    def affected_files(
        cls,
        before: ManifestGraph,
        after: ManifestGraph,
        changed_before: Sequence[K8sObject],
        changed_after: Sequence[K8sObject],
        settings: Settings,
    ) -> AffectedFiles:
        return affected_files(cls.id, before, after, list(changed_before), list(changed_after), settings)


class ClaimsFromAPool:
    """Mixin of the rules about one of the cluster's pools (nodePorts, host ports, cluster
    IPs: namespaces do not separate them). A finding reads the whole pool, so any file's may
    change when a claim does; while the changed objects claim what they claimed, only their
    own files can (and those of findings pointing into them: ``lint.replay``)."""

    @classmethod
    def pool_claims(cls, graph: ManifestGraph, objects: Sequence[K8sObject]) -> object:
        """What ``objects`` claim from the pool in ``graph``, comparable between two graphs."""
        raise NotImplementedError

    @classmethod
    def affected_files(
        cls,
        before: ManifestGraph,
        after: ManifestGraph,
        changed_before: Sequence[K8sObject],
        changed_after: Sequence[K8sObject],
        settings: Settings,
    ) -> AffectedFiles:
        if cls.pool_claims(before, changed_before) != cls.pool_claims(after, changed_after):
            return None
        return frozenset(obj.source.path for obj in (*changed_before, *changed_after))


def affected_files(
    rule_id: str,
    before: ManifestGraph,
    after: ManifestGraph,
    changed_before: list[K8sObject],
    changed_after: list[K8sObject],
    settings: Settings,
) -> AffectedFiles:
    """The display paths where ``rule_id``'s findings may differ between a full check of
    ``before`` and one of ``after`` (objects ``changed_before`` gone, ``changed_after`` new);
    None: run the rule over everything."""
    if rule_id == "SVC101":
        return svc101_affected(before, after, changed_before, changed_after, settings)
    if rule_id == "SVC303":
        return svc303_affected(before, after, changed_before, changed_after)
    return routing_affected.affected_files(rule_id, before, after, changed_before, changed_after, settings)


def svc101_affected(
    before: ManifestGraph,
    after: ManifestGraph,
    changed_before: list[K8sObject],
    changed_after: list[K8sObject],
    settings: Settings,
) -> AffectedFiles:
    """SVC101's answer. A Service's finding reads the pod templates of its own namespace (the
    match, the nearest miss, the unmodelled custom resources there) and, when it selects
    nothing, the templates of every namespace its selector matches (``_nearest_miss``:
    ``select_pods_any_namespace``). So: the Services of the changed namespaces, and a Service
    elsewhere that selects nothing and whose selector some template of those namespaces, before
    or after, may match."""
    changed = [*changed_before, *changed_after]
    found = {obj.source.path for obj in changed}
    if not {routing_affected.category(obj) for obj in changed} & {routing_affected.PODS, routing_affected.SERVICES}:
        return frozenset(found)  # a policy, a ConfigMap, an Ingress: no selector nor pod changed
    if any(obj.namespace is None for obj in changed):
        return None  # a cluster-scoped pod source: templates without a namespace
    namespaces = {obj.namespace for obj in changed}
    for graph in (before, after):
        services = routing_affected.by_namespace(graph, "Service")
        for namespace in namespaces:
            found.update(service.source.path for service in services.get(namespace, ()))
    terms = frozenset(_terms(t.labels.items() for g in (before, after) for ns in namespaces for t in g.labels.by_namespace.get(ns, ())))
    if not terms:
        return frozenset(found)
    ignored = set(_ignored_labels(settings))
    for service, plain in _selectors(after):
        if service.namespace in namespaces:
            continue
        if ignored:
            plain = frozenset(item for item in plain if item[0] not in ignored)
        if not plain <= terms:
            continue  # no template of the changed namespaces carries every label it asks
        selector = endpoint_selector(service, ignored)
        if selector and not after.select_pods(service.namespace, selector):  # its namespace is unchanged: so is this
            found.add(service.source.path)
    return frozenset(found)


def svc303_affected(
    before: ManifestGraph, after: ManifestGraph, changed_before: list[K8sObject], changed_after: list[K8sObject]
) -> AffectedFiles:
    """SVC303's answer. A backend's finding reads its Ingress or route and, in the backend's
    namespace, the Service, its Endpoints and EndpointSlices, the ReferenceGrants and the pod
    templates (each in its owner's namespace). So: the Ingresses of the changed namespaces
    (an Ingress routes only to its own namespace: "The service must exist in the same
    namespace as the Ingress object", IngressServiceBackend in k8s.io/api networking/v1
    types.go), and the routes with a backend there (a ReferenceGrant lives in the backend's
    namespace: gateway-api apis/v1beta1/referencegrant_types.go)."""
    changed = [*changed_before, *changed_after]
    if any(obj.namespace is None for obj in changed):
        return None  # a cluster-scoped pod source: templates without a namespace
    namespaces = {obj.namespace for obj in changed}
    found = {obj.source.path for obj in changed}
    for graph in (before, after):
        ingresses = routing_affected.by_namespace(graph, "Ingress")
        for namespace in namespaces:
            found.update(ingress.source.path for ingress in ingresses.get(namespace, ()))
        for ref in backends_of(graph.of_kind(*ROUTE_KINDS)):
            if ref.namespace in namespaces:
                found.add(ref.owner.source.path)
    return frozenset(found)


def _selectors(graph: ManifestGraph) -> list[tuple[K8sObject, frozenset[tuple[str, str]]]]:
    """Each Service with a selector, and its labels other than those controllers add (kept
    while the graph's Service list is the same: ``routing.affected.kept_for``)."""
    services = graph.by_kind.get("Service", [])

    def build() -> list[tuple[K8sObject, frozenset[tuple[str, str]]]]:
        found = []
        for service in services:
            terms = kept(service, "selector_terms", partial(_plain_terms, service))
            if terms is not None:
                found.append((service, terms))
        return found

    return routing_affected.kept_for(services, "service selectors", build)


def _plain_terms(service: K8sObject) -> frozenset[tuple[str, str]] | None:
    """The labels of a Service's selector other than those controllers add (None: no selector)."""
    selector = endpoint_selector(service)
    return frozenset(item for item in selector.items() if item[0] not in CONTROLLER_LABEL_KEYS) if selector else None


def _terms(label_items: Iterable[Iterable[tuple[str, str]]]) -> set[tuple[str, str]]:
    return {item for items in label_items for item in items}


def _ignored_labels(settings: Settings) -> list[str]:
    """SVC101's ``ignored-labels`` option, as ``selection.decide`` reads it."""
    entry = settings.rule_config.get("SVC101") or settings.rule_config.get("service-selects-nothing") or {}
    value = entry.get("ignored-labels", [])
    return [str(v) for v in value] if isinstance(value, list) else []
