"""Pod equivalence classes: pods that no NetworkPolicy can tell apart share one class.

Policies see a pod only through its namespace (and that namespace's labels), its labels and
its named ports, so every pod template with the same triple behaves identically; replicas
and look-alike workloads cost nothing. Classes are numbered, and sets of classes are Python
ints used as bitsets.

The kube-dns and ingress-controller identities (Settings) are matched against the input; when
the input holds no such pod, a synthetic class stands in for it so that policies naming it
(``namespaceSelector: kubernetes.io/metadata.name: kube-system``...) are still evaluated.
"""

from __future__ import annotations

import ipaddress
import itertools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from svclint.kube.graph import ManifestGraph
from svclint.kube.model import PodTemplate
from svclint.kube.podports import ContainerPort
from svclint.kube.selectors import LabelSelector
from svclint.routing.ports import NO_IPS, IPSet
from svclint.settings import WorkloadIdentity

# Ports of the synthetic stand-ins: CoreDNS's and ingress-nginx's published container ports.
KUBE_DNS_PORTS = {("dns", "UDP"): 53, ("dns-tcp", "TCP"): 53, ("metrics", "TCP"): 9153}
_NUMBERS = itertools.count()
INGRESS_CONTROLLER_PORTS = {("http", "TCP"): 80, ("https", "TCP"): 443}
ROUTER_PORTS = {("http", "TCP"): 80, ("https", "TCP"): 443}


@dataclass(eq=False)
class PodClass:
    index: int
    namespace: str
    labels: dict[str, str]
    named_ports: dict[tuple[str, str], int]
    templates: list[PodTemplate] = field(default_factory=list)
    synthetic: str | None = None  # "kube-dns" / "ingress-controller" when no input pod plays it
    ips: IPSet = NO_IPS  # status.podIP(s) of snapshot Pods: what ipBlock peers match

    @property
    def bit(self) -> int:
        return 1 << self.index

    def port_number(self, name: str, protocol: str) -> int | None:
        """A named port on this pod, with protocol match (first container wins: FindPort order)."""
        return self.named_ports.get((name, protocol))

    def describe(self) -> str:
        if self.synthetic:
            return f"{self.synthetic} (assumed: namespace {self.namespace}, labels {_labels_text(self.labels)})"
        return ", ".join(sorted({t.workload.qualified for t in self.templates}))


def _labels_text(labels: dict[str, str]) -> str:
    return ",".join(f"{k}={v}" for k, v in sorted(labels.items())) or "<none>"


def named_ports_of(declared: list[ContainerPort]) -> dict[tuple[str, str], int]:
    ports: dict[tuple[str, str], int] = {}
    for port in declared:
        if port.name and port.number is not None:
            ports.setdefault((port.name, port.protocol), port.number)
    return ports


class PodClasses:
    """Every class, how templates map to them, and selector evaluation over classes."""

    def __init__(
        self,
        graph: ManifestGraph,
        default_namespace: str,
        kube_dns: WorkloadIdentity,
        ingress_controller: WorkloadIdentity,
        router: WorkloadIdentity | None = None,
        previous: PodClasses | None = None,
    ) -> None:
        """``previous``: the classes of an earlier graph of mostly the same objects (the language
        server's last), built with the same settings: what its selectors matched in the
        namespaces whose classes are the same is taken as it is (``_carry``)."""
        self.graph = graph
        self.classes: list[PodClass] = []
        self.of_template: dict[int, PodClass] = {}
        self.by_namespace: dict[str, list[PodClass]] = defaultdict(list)
        self.keys: list[tuple[object, ...]] = []  # per class: what makes it (compared by ``_carry``)
        # id(template) -> (template, its class key, its named ports): read once per template
        self._template_keys: dict[int, tuple[PodTemplate, tuple[object, ...], dict[tuple[str, str], int]]] = {}
        known = previous._template_keys if previous is not None else {}
        keyed: dict[tuple[object, ...], PodClass] = {}
        for template in graph.pod_templates:
            kept = known.get(id(template))
            if kept is not None and kept[0] is template:
                _, key, ports = kept
            else:
                namespace = template.namespace or default_namespace
                ports = named_ports_of(template.ports())
                key = (namespace, frozenset(template.labels.items()), frozenset(ports.items()), template.pod_ips)
            self._template_keys[id(template)] = (template, key, ports)
            cls = keyed.get(key)
            if cls is None:
                cls = self._add(str(key[0]), dict(template.labels), ports, None, key)
                cls.ips = pod_ip_set(template.pod_ips)
                keyed[key] = cls
            cls.templates.append(template)
            self.of_template[id(template)] = cls
        self.kube_dns = self._identity(kube_dns, "kube-dns", KUBE_DNS_PORTS)
        self.ingress_controller = self._identity(ingress_controller, "ingress-controller", INGRESS_CONTROLLER_PORTS)
        # OpenShift's router, only when the input has Routes (it is the source of their traffic)
        self.router = self._identity(router, "openshift-router", ROUTER_PORTS) if router is not None else []
        self._identity_ns_labels = {
            identity.namespace: dict(identity.namespace_labels)
            for identity in (kube_dns, ingress_controller, router)
            if identity is not None and identity.namespace_labels
        }
        self.all_bits = (1 << len(self.classes)) - 1
        self.with_ips = [c for c in self.classes if c.ips]
        self._ns_labels: dict[str, dict[str, str]] = {}
        self._ns_matching: dict[LabelSelector, list[str]] = {}
        self._selected: dict[tuple[str, LabelSelector | None], int] = {}
        self._across: dict[tuple[LabelSelector, LabelSelector | None], int] = {}
        self._namespace_objects = list(graph.of_kind("Namespace"))
        self._identities = (kube_dns, ingress_controller, router)  # the router only with Routes in the input
        # What ``_carry`` took from: the earlier classes' number (not the classes: the language
        # server would keep every graph since it started), and the namespaces whose classes
        # differ (a policy of another namespace whose peers stay out of them compiles the same).
        self.number = next(_NUMBERS)
        self.carried_from: int | None = None
        self.changed_namespaces: frozenset[str] = frozenset()
        if previous is not None:
            self._carry(previous)

    def _add(
        self, namespace: str, labels: dict[str, str], ports: dict[tuple[str, str], int], synthetic: str | None,
        key: tuple[object, ...],
    ) -> PodClass:
        cls = PodClass(len(self.classes), namespace, labels, ports, synthetic=synthetic)
        self.classes.append(cls)
        self.keys.append(key)
        self.by_namespace[namespace].append(cls)
        return cls

    def _carry(self, previous: PodClasses) -> None:
        """Take ``previous``'s selector answers that still hold.

        Only when the classes are numbered alike (as many, each made of the same namespace,
        labels, named ports and addresses, but in the namespaces an edit changed) and the
        Namespace objects are the same ones: then a selector's classes in an unchanged
        namespace are the same bits, and so is a peer's across namespaces that are all unchanged.
        """
        if len(previous.classes) != len(self.classes) or len(previous._namespace_objects) != len(self._namespace_objects):
            return
        if previous._identities != self._identities:  # their namespaces' labels may differ
            return
        if any(a is not b for a, b in zip(previous._namespace_objects, self._namespace_objects)):
            return
        changed: set[str] = set()
        for old, new, old_key, new_key in zip(previous.classes, self.classes, previous.keys, self.keys):
            if old_key != new_key:
                changed.update((old.namespace, new.namespace))
        self._ns_labels = dict(previous._ns_labels)
        if set(previous.by_namespace) == set(self.by_namespace):
            self._ns_matching = dict(previous._ns_matching)
            self._across = {
                key: bits for key, bits in previous._across.items()
                if not changed.intersection(self._ns_matching.get(key[0], changed))
            }
        self._selected = {key: bits for key, bits in previous._selected.items() if key[0] not in changed}
        if bool(previous.with_ips) == bool(self.with_ips) and (not self.with_ips or not changed):
            self.carried_from, self.changed_namespaces = previous.number, frozenset(changed)

    def unchanged_for(self, namespace: str, across: Iterable[LabelSelector]) -> bool:
        """Whether, since ``carried_from``, the classes of ``namespace`` and of every namespace
        the ``across`` namespace selectors match are the same (so are a policy's selections)."""
        if self.carried_from is None or namespace in self.changed_namespaces:
            return False
        if not self.changed_namespaces:  # the same classes: every selection as it was
            return True
        for selector in across:
            matching = self._ns_matching.get(selector)
            if matching is None or self.changed_namespaces.intersection(matching):
                return False
        return True

    def _identity(self, identity: WorkloadIdentity, role: str, ports: dict[tuple[str, str], int]) -> list[PodClass]:
        selector = LabelSelector(tuple(sorted(identity.labels)))
        found = [c for c in self.by_namespace.get(identity.namespace, []) if selector.matches(c.labels)]
        key = (role, identity.namespace, frozenset(identity.labels), frozenset(ports.items()))
        return found or [self._add(identity.namespace, dict(identity.labels), dict(ports), role, key)]

    def class_of(self, template: PodTemplate) -> PodClass:
        return self.of_template[id(template)]

    def namespace_labels(self, namespace: str) -> dict[str, str]:
        labels = self._ns_labels.get(namespace)
        if labels is None:
            labels = self.graph.namespace_labels(namespace)
            if self.graph.get("Namespace", None, namespace) is None:
                labels = {**self._identity_ns_labels.get(namespace, {}), **labels}
            self._ns_labels[namespace] = labels
        return labels

    def select(self, namespace: str, selector: LabelSelector | None) -> int:
        """Bitset of the classes in ``namespace`` a pod selector matches (None: all of them)."""
        key = (namespace, selector)
        bits = self._selected.get(key)
        if bits is None:
            bits = 0
            for cls in self.by_namespace.get(namespace, ()):
                if selector is None or selector.matches(cls.labels):
                    bits |= cls.bit
            self._selected[key] = bits
        return bits

    def select_across(self, namespace_selector: LabelSelector, selector: LabelSelector | None) -> int:
        """``select`` in every namespace ``namespace_selector`` matches (many policies repeat a
        peer such as every namespace's monitoring pods: worked out once)."""
        key = (namespace_selector, selector)
        bits = self._across.get(key)
        if bits is None:
            bits = 0
            for ns in self.namespaces_matching(namespace_selector):
                bits |= self.select(ns, selector)
            self._across[key] = bits
        return bits

    def namespaces_matching(self, selector: LabelSelector) -> list[str]:
        """Namespaces holding classes whose labels (plus kubernetes.io/metadata.name) match."""
        found = self._ns_matching.get(selector)
        if found is None:
            found = self._ns_matching[selector] = [ns for ns in sorted(self.by_namespace) if selector.matches(self.namespace_labels(ns))]
        return found

    def in_ip_block(self, block: IPSet) -> int:
        """Classes of snapshot Pods whose address falls in ``block`` (its ``except`` already removed).

        Pods without an address (every pod of a manifest) are never matched: which address a
        pod gets is not known before it runs.
        """
        bits = 0
        for cls in self.with_ips:
            if cls.ips & block:
                bits |= cls.bit
        return bits

    def members(self, bits: int) -> list[PodClass]:
        out = []
        while bits:
            low = bits & -bits
            out.append(self.classes[low.bit_length() - 1])
            bits ^= low
        return out


def pod_ip_set(addresses: tuple[str, ...]) -> IPSet:
    """The addresses of a Pod as an IPSet (invalid ones are ignored)."""
    out = NO_IPS
    for text in addresses:
        try:
            network = ipaddress.ip_network(text)
        except ValueError:
            continue
        out = out | IPSet.cidr(network)
    return out
