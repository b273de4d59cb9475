"""NetworkPolicy parsing and validation (networking.k8s.io/v1), exactly as the API server reads it.

Defaulting follows ``pkg/apis/networking/v1/defaults.go`` (SetDefaults_NetworkPolicy):
protocol TCP; policyTypes, when empty, is Ingress plus Egress iff ``len(spec.egress) != 0``.
Validation follows ``pkg/apis/networking/validation/validation.go`` (k8s-semantics §1c). A
policy the API server would reject never exists in a cluster, so it takes no part in the
routing model and is reported instead (SVC409).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from svclint.kube.model import K8sObject
from svclint.kube.selectors import LabelSelector, SelectorError
from svclint.loading.source import FieldPath
from svclint.routing.ports import MAX_PORT, PROTOCOLS, IPSet

IANA_SVC_NAME = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?$")
OBSOLETE_ISOLATION_ANNOTATION = "net.beta.kubernetes.io/network-policy"


@dataclass(frozen=True)
class RulePort:
    """One ``ports[]`` entry: a protocol and a number, a range, a container port name, or every port."""

    protocol: str
    port: int | str | None  # None: every port of the protocol
    end_port: int | None
    path: FieldPath

    def span(self, named_ports: Mapping[tuple[str, str], int] | None) -> tuple[int, int] | None:
        """The pod ports this entry allows for its protocol; None when its name resolves to none.

        A named port resolves on the destination pod, by name and protocol
        (``named_ports`` of the destination; None: the outside world, where names mean nothing).
        """
        if self.port is None:
            return (1, MAX_PORT)
        if isinstance(self.port, str):
            number = named_ports.get((self.port, self.protocol)) if named_ports is not None else None
            return None if number is None else (number, number)
        return (self.port, self.end_port or self.port)

    def covers(self, protocol: str, port: int, named_ports: Mapping[tuple[str, str], int] | None) -> bool:
        """Whether ``span`` holds pod port ``port``/``protocol`` (written out: verdicts ask it often)."""
        if self.protocol != protocol:
            return False
        if self.port is None:
            return True
        if isinstance(self.port, str):
            return named_ports is not None and named_ports.get((self.port, protocol)) == port
        return self.port <= port <= (self.end_port or self.port)

    def text(self) -> str:
        if self.port is None:
            return f"{self.protocol} (all ports)"
        if self.end_port is not None:
            return f"{self.protocol} {self.port}-{self.end_port}"
        return f"{self.protocol} {self.port}"


@dataclass(frozen=True)
class Peer:
    """One ``from``/``to`` entry. Selectors None when absent; ipBlock as the address set it allows."""

    pod_selector: LabelSelector | None
    namespace_selector: LabelSelector | None
    ip_block: IPSet | None
    ip_text: str
    path: FieldPath

    def text(self, policy_namespace: str) -> str:
        if self.ip_block is not None:
            return f"ipBlock {self.ip_text}"
        parts = []
        if self.namespace_selector is None:
            parts.append(f"namespace {policy_namespace}")
        else:
            parts.append(f"namespaces {self.namespace_selector}")
        parts.append(f"pods {self.pod_selector}" if self.pod_selector is not None else "all pods")
        return " and ".join(parts)


@dataclass(frozen=True)
class PolicyRule:
    """One ingress or egress rule: peers None means every peer (field absent or empty)."""

    direction: str  # "ingress" | "egress"
    index: int
    peers: tuple[Peer, ...] | None
    ports: tuple[RulePort, ...]  # empty: every port
    path: FieldPath

    @property
    def label(self) -> str:
        return f"{self.direction} rule {self.index + 1}"


@dataclass(eq=False)
class Policy:
    obj: K8sObject
    namespace: str
    pod_selector: LabelSelector
    ingress_isolating: bool
    egress_isolating: bool
    ingress: tuple[PolicyRule, ...]
    egress: tuple[PolicyRule, ...]

    @property
    def key(self) -> str:
        return f"{self.namespace}/{self.obj.name}"


@dataclass
class PolicyProblem:
    obj: K8sObject
    message: str
    path: FieldPath


@dataclass
class ParsedPolicies:
    valid: list[Policy] = field(default_factory=list)
    problems: list[PolicyProblem] = field(default_factory=list)


def parse_policies(objects: list[K8sObject], default_namespace: str) -> ParsedPolicies:
    out = ParsedPolicies()
    for obj in objects:
        policy, problems = _parsed(obj, obj.namespace or default_namespace)
        out.problems.extend(problems)
        if policy is not None and not problems:
            out.valid.append(policy)
    return out


def _parsed(obj: K8sObject, namespace: str) -> tuple[Policy | None, tuple[PolicyProblem, ...]]:
    """One policy parsed once, kept on its object: the language server builds the routing
    model again after each edit, and the objects of the files not edited are the same."""
    cache: dict[str, tuple[Policy | None, tuple[PolicyProblem, ...]]] = obj.__dict__.setdefault("_parsed_policy", {})
    found = cache.get(namespace)
    if found is None:
        problems: list[PolicyProblem] = []
        policy = _parse(obj, namespace, problems)
        found = cache[namespace] = (policy, tuple(problems))
    return found


def _parse(obj: K8sObject, namespace: str, problems: list[PolicyProblem]) -> Policy | None:
    spec = obj.data.get("spec")
    if not isinstance(spec, dict):
        problems.append(PolicyProblem(obj, "spec is required: a NetworkPolicy needs spec.podSelector", ("spec",)))
        return None

    def problem(message: str, path: FieldPath) -> None:
        problems.append(PolicyProblem(obj, message, path))

    if "podSelector" not in spec:
        problem("spec.podSelector is required (use podSelector: {} to select every pod in the namespace)", ("spec",))
    pod_selector = _selector(spec.get("podSelector"), ("spec", "podSelector"), problem) or LabelSelector()

    types = spec.get("policyTypes")
    inferred = not types
    ingress_isolating, egress_isolating = True, False
    if types:
        if not isinstance(types, list):
            problem("policyTypes must be a list of Ingress and/or Egress", ("spec", "policyTypes"))
        else:
            if len(types) > 2:
                problem(f"policyTypes may not specify more than two policyTypes (got {len(types)})", ("spec", "policyTypes"))
            for i, value in enumerate(types):
                if value not in ("Ingress", "Egress"):
                    problem(f'policyTypes value {value!r} is not supported: supported values: "Egress", "Ingress"', ("spec", "policyTypes", i))
            ingress_isolating = "Ingress" in types
            egress_isolating = "Egress" in types
    rules: dict[str, tuple[PolicyRule, ...]] = {}
    for direction, peers_key in (("ingress", "from"), ("egress", "to")):
        value = spec.get(direction)
        parsed = []
        if value is not None and not isinstance(value, list):
            problem(f"spec.{direction} must be a list of rules", ("spec", direction))
        elif value:
            for i, rule in enumerate(value):
                parsed_rule = _rule(direction, peers_key, i, rule, problem)
                if parsed_rule is not None:
                    parsed.append(parsed_rule)
        rules[direction] = tuple(parsed)
    if inferred:
        # SetDefaults_NetworkPolicy: Egress only when the egress list is non-empty.
        egress_value = spec.get("egress")
        egress_isolating = isinstance(egress_value, list) and len(egress_value) > 0
    return Policy(obj, namespace, pod_selector, ingress_isolating, egress_isolating, rules["ingress"], rules["egress"])


def _selector(data: Any, path: FieldPath, problem: Any) -> LabelSelector | None:
    try:
        return LabelSelector.parse(data)
    except SelectorError as error:
        problem(f"invalid label selector: {error}", path + error.path)
        return None


def _rule(direction: str, peers_key: str, index: int, rule: Any, problem: Any) -> PolicyRule | None:
    path: FieldPath = ("spec", direction, index)
    if rule is None:
        rule = {}
    if not isinstance(rule, dict):
        problem(f"{direction} rule must be a mapping", path)
        return None
    peers_value = rule.get(peers_key)
    peers: tuple[Peer, ...] | None = None
    if peers_value is not None and not isinstance(peers_value, list):
        problem(f"{peers_key} must be a list of peers", path + (peers_key,))
    elif peers_value:
        peers = tuple(p for i, raw in enumerate(peers_value) if (p := _peer(raw, path + (peers_key, i), problem)))
    ports_value = rule.get("ports")
    ports: list[RulePort] = []
    if ports_value is not None and not isinstance(ports_value, list):
        problem("ports must be a list", path + ("ports",))
    elif ports_value:
        for i, raw in enumerate(ports_value):
            port = _port(raw, path + ("ports", i), problem)
            if port is not None:
                ports.append(port)
    return PolicyRule(direction, index, peers, tuple(ports), path)


def _peer(raw: Any, path: FieldPath, problem: Any) -> Peer | None:
    if not isinstance(raw, dict) or not any(raw.get(k) is not None for k in ("podSelector", "namespaceSelector", "ipBlock")):
        problem("must specify a peer: podSelector, namespaceSelector or ipBlock", path)
        return None
    if raw.get("ipBlock") is not None:
        if raw.get("podSelector") is not None or raw.get("namespaceSelector") is not None:
            problem("may not specify both ipBlock and another peer", path)
            return None
        ips, text = _ip_block(raw["ipBlock"], path + ("ipBlock",), problem)
        return Peer(None, None, ips, text, path) if ips is not None else None
    pods = _selector(raw.get("podSelector"), path + ("podSelector",), problem) if raw.get("podSelector") is not None else None
    namespaces = (
        _selector(raw.get("namespaceSelector"), path + ("namespaceSelector",), problem)
        if raw.get("namespaceSelector") is not None
        else None
    )
    return Peer(pods, namespaces, None, "", path)


def _network(text: Any) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    if not isinstance(text, str) or "/" not in text:
        return None
    try:
        return ipaddress.ip_network(text, strict=False)
    except ValueError:
        return None


def _ip_block(raw: Any, path: FieldPath, problem: Any) -> tuple[IPSet | None, str]:
    if not isinstance(raw, dict):
        problem("ipBlock must be a mapping with cidr", path)
        return None, ""
    network = _network(raw.get("cidr"))
    if network is None:
        problem(f"ipBlock.cidr {raw.get('cidr')!r} must be a valid CIDR such as 10.0.0.0/16", path + ("cidr",))
        return None, ""
    allowed = IPSet.cidr(network)
    excepts = raw.get("except") or []
    if not isinstance(excepts, list):
        problem("ipBlock.except must be a list of CIDRs", path + ("except",))
        return None, ""
    texts = []
    for i, item in enumerate(excepts):
        sub = _network(item)
        if sub is None:
            problem(f"ipBlock.except value {item!r} must be a valid CIDR", path + ("except", i))
            return None, ""
        if sub.version != network.version or not sub.subnet_of(network) or sub.prefixlen <= network.prefixlen:  # type: ignore[arg-type]
            problem(f"ipBlock.except value {item!r} must be a strict subset of cidr {raw.get('cidr')!r}", path + ("except", i))
            return None, ""
        allowed = allowed - IPSet.cidr(sub)
        texts.append(str(item))
    text = str(raw.get("cidr")) + (f" except {', '.join(texts)}" if texts else "")
    return allowed, text


def _port(raw: Any, path: FieldPath, problem: Any) -> RulePort | None:
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        problem("a port entry must be a mapping", path)
        return None
    protocol = raw.get("protocol") or "TCP"
    if protocol not in PROTOCOLS:
        problem(f'protocol {protocol!r} is not supported: supported values: "SCTP", "TCP", "UDP"', path + ("protocol",))
        return None
    port = raw.get("port")
    end_port = raw.get("endPort")
    if isinstance(port, bool) or (port is not None and not isinstance(port, (int, str))):
        problem(f"port {port!r} must be a number or a container port name", path + ("port",))
        return None
    if isinstance(port, int) and not 1 <= port <= MAX_PORT:
        problem(f"port {port} must be between 1 and 65535, inclusive", path + ("port",))
        return None
    if isinstance(port, str) and (len(port) > 15 or not IANA_SVC_NAME.match(port) or "--" in port or not re.search("[a-z]", port)):
        problem(f"port name {port!r} is not a valid IANA service name (at most 15 of a-z, 0-9 and '-', with a letter)", path + ("port",))
        return None
    if end_port is not None:
        if isinstance(end_port, bool) or not isinstance(end_port, int):
            problem(f"endPort {end_port!r} must be a number", path + ("endPort",))
            return None
        if port is None:
            problem(f"endPort {end_port} may not be specified when `port` is not specified", path + ("endPort",))
            return None
        if isinstance(port, str):
            problem(f"endPort {end_port} may not be specified when `port` is non-numeric", path + ("endPort",))
            return None
        if not 1 <= end_port <= MAX_PORT:
            problem(f"endPort {end_port} must be between 1 and 65535, inclusive", path + ("endPort",))
            return None
        if end_port < port:
            problem(f"endPort {end_port} must be greater than or equal to `port` ({port})", path + ("endPort",))
            return None
    return RulePort(protocol, port, end_port, path)
