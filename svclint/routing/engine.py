"""The L4 NetworkPolicy engine over pod classes, one direction at a time.

Semantics (https://kubernetes.io/docs/concepts/services-networking/network-policies/ and
``pkg/apis/networking/types.go``):

* a pod is isolated for a direction only if some policy selecting it (its podSelector, in
  the policy's namespace) has that policy type; otherwise that direction allows everything;
* an isolated pod allows what the union of the rules of those policies allows;
* ``from``/``to`` absent or empty: every peer; peers OR; inside one peer namespaceSelector
  AND podSelector; a peer with only podSelector means the policy's namespace;
* ports absent or empty: every port; named ports resolve on the *destination* pod with a
  protocol match; ``endPort`` makes a range;
* a connection needs egress allowed at the source AND ingress allowed at the destination;
* ipBlock matches addresses outside the cluster, and a pod only by the ``status.podIP(s)``
  a cluster snapshot gives it (the address the peer sees without SNAT); pods of manifests
  have no address yet and are never matched (the reading of NCA, netpol-analyzer and
  Cilium; Calico differs).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property

from svclint.kube.selectors import LabelSelector
from svclint.routing.classes import PodClass, PodClasses
from svclint.routing.policy import Peer, Policy, PolicyRule
from svclint.routing.ports import ALL_IPS, ALL_PORTS, NO_IPS, NO_PORTS, IPSet, PortSet


@dataclass(eq=False)
class CompiledRule:
    policy: Policy
    rule: PolicyRule
    ips: IPSet  # outside addresses any peer matches
    selected: int  # classes the owning policy selects
    _classes: PodClasses | None = field(default=None, repr=False)  # what ``peer_bits`` reads, until it has

    @cached_property
    def peer_bits(self) -> int:
        """Classes any peer matches, worked out on first use: a focused run evaluates the
        ingress rules of a few destinations only (the egress rules are all read at once)."""
        classes, self._classes = self._classes, None
        assert classes is not None
        if self.rule.peers is None:
            return classes.all_bits
        bits = 0
        for peer in self.rule.peers:
            bits |= peer_classes(peer, self.policy, classes)
        return bits

    def port_matches(self, protocol: str, port: int, dst: PodClass | None) -> bool:
        """Whether the rule admits pod port ``port``/``protocol`` on ``dst`` (None: outside)."""
        if not self.rule.ports:
            return True
        named = dst.named_ports if dst is not None else None
        for rp in self.rule.ports:
            if rp.covers(protocol, port, named):
                return True
        return False

    def portset(self, dst: PodClass | None) -> PortSet:
        """Every pod port the rule admits on ``dst`` (None: outside)."""
        if not self.rule.ports:
            return ALL_PORTS
        named = dst.named_ports if dst is not None else None
        out: dict[str, list[tuple[int, int]]] = {}
        for rp in self.rule.ports:
            span = rp.span(named)
            if span is not None:
                out.setdefault(rp.protocol, []).append(span)
        return PortSet.of(out)

    def matching_peer(self, cls: PodClass | None, classes: PodClasses) -> Peer | None:
        """The first peer that matches ``cls`` (None: the outside world) for explanations."""
        if self.rule.peers is None:
            return None
        for peer in self.rule.peers:
            if cls is None:
                if peer.ip_block:
                    return peer
            elif peer_classes(peer, self.policy, classes) & cls.bit:
                return peer
        return None


def peer_classes(peer: Peer, policy: Policy, classes: PodClasses) -> int:
    """Classes a peer of ``policy`` matches (an ipBlock: only snapshot Pods with an address in it)."""
    if peer.ip_block is not None:
        return classes.in_ip_block(peer.ip_block)
    if peer.namespace_selector is None:
        return classes.select(policy.namespace, peer.pod_selector)
    return classes.select_across(peer.namespace_selector, peer.pod_selector)


def _settle(*rules: Iterable[CompiledRule]) -> None:
    """Work out the peer bits of rules a later engine takes over, with the classes they were
    compiled against (their selections are the same in the new classes): the new engine
    then holds no earlier classes, nor their graph."""
    for group in rules:
        for rule in group:
            rule.peer_bits  # noqa: B018 - the cached property, worked out now


class _Across:
    """The namespace selectors of ``policy``'s peers (an ipBlock peer, a pod address: none),
    read only when ``PodClasses.unchanged_for`` must look at them."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy

    def __iter__(self) -> Iterator[LabelSelector]:
        for rule in (*self.policy.ingress, *self.policy.egress):
            for peer in rule.peers or ():
                if peer.namespace_selector is not None and peer.ip_block is None:
                    yield peer.namespace_selector


@dataclass
class Decision:
    """One direction of one connection, with what decided it (for explain and JSON)."""

    direction: str
    allowed: bool
    isolating: list[Policy] = field(default_factory=list)  # policies that isolate the pod
    allowing: list[CompiledRule] = field(default_factory=list)  # rules that allow the connection


class PolicyEngine:
    def __init__(self, classes: PodClasses, policies: list[Policy], previous: PolicyEngine | None = None) -> None:
        """``previous``: the engine of the classes ``classes`` carried their answers from (the
        language server's last). A policy it compiled whose selections cannot have changed
        (``PodClasses.unchanged_for``) keeps its compiled rules, and a class of a namespace
        whose classes and policies are all as they were keeps its lists of policies and rules."""
        self.classes = classes
        self.policies = policies
        n = len(classes.classes)
        self.selected: dict[int, int] = {}
        self.ingress_policies: list[list[Policy]] = [[] for _ in range(n)]
        self.egress_policies: list[list[Policy]] = [[] for _ in range(n)]
        self.ingress_rules: list[list[CompiledRule]] = [[] for _ in range(n)]
        self.egress_rules_of: list[list[CompiledRule]] = [[] for _ in range(n)]
        self.egress_rules: list[CompiledRule] = []
        self.compiled: dict[int, CompiledRule] = {}  # id(PolicyRule) -> compiled
        self.isolated_in = 0
        self.isolated_out = 0
        if previous is None or classes.carried_from != previous.classes.number:
            previous = None
        elif not classes.changed_namespaces and policies is previous.policies:
            self._take(previous)  # the same classes and the same policies (the edit touched neither)
            return
        reusable = previous._of_policy if previous is not None else {}
        # id(policy) -> (policy, the classes it selects, its compiled ingress and egress rules)
        self._of_policy: dict[int, tuple[Policy, int, list[CompiledRule], list[CompiledRule]]] = {}
        # namespace -> its policies in order, and whether one of them was compiled again
        self._namespaces: dict[str, list[int]] = {}
        changed = set(classes.changed_namespaces)
        for policy in policies:
            kept = reusable.get(id(policy))
            if kept is not None and kept[0] is policy and classes.unchanged_for(policy.namespace, _Across(policy)):
                _, selected, compiled_in, compiled_out = kept
                _settle(compiled_in, compiled_out)
            else:
                selected = classes.select(policy.namespace, policy.pod_selector)
                compiled_in = [self._compile(policy, rule, selected) for rule in policy.ingress] if policy.ingress_isolating else []
                compiled_out = [self._compile(policy, rule, selected) for rule in policy.egress] if policy.egress_isolating else []
                changed.add(policy.namespace)
            self._of_policy[id(policy)] = (policy, selected, compiled_in, compiled_out)
            self._namespaces.setdefault(policy.namespace, []).append(id(policy))
            self.selected[id(policy)] = selected
            for rule in compiled_in:
                self.compiled[id(rule.rule)] = rule
            for rule in compiled_out:
                self.compiled[id(rule.rule)] = rule
            if policy.ingress_isolating:
                self.isolated_in |= selected
            if policy.egress_isolating:
                self.isolated_out |= selected
                self.egress_rules.extend(compiled_out)
        if previous is not None:  # a namespace whose policies are not the same ones, in the same order
            every = set(self._namespaces) | set(previous._namespaces)
            changed.update(ns for ns in every if self._namespaces.get(ns) != previous._namespaces.get(ns))
        for policy in policies:
            if previous is not None and policy.namespace not in changed:
                continue  # its classes' lists are taken whole below
            _, selected, compiled_in, compiled_out = self._of_policy[id(policy)]
            for cls in classes.members(selected):
                if policy.ingress_isolating:  # rules of a direction not in policyTypes are ignored
                    self.ingress_policies[cls.index].append(policy)
                    self.ingress_rules[cls.index].extend(compiled_in)
                if policy.egress_isolating:
                    self.egress_policies[cls.index].append(policy)
                    self.egress_rules_of[cls.index].extend(compiled_out)
        if previous is not None:
            for cls in classes.classes:
                if cls.namespace not in changed:
                    i = cls.index
                    self.ingress_policies[i] = previous.ingress_policies[i]
                    self.ingress_rules[i] = previous.ingress_rules[i]
                    self.egress_policies[i] = previous.egress_policies[i]
                    self.egress_rules_of[i] = previous.egress_rules_of[i]
        self._init_caches()

    def _init_caches(self) -> None:
        self._ingress_cache: dict[tuple[int, str, int], tuple[int, IPSet]] = {}
        self._egress_cache: dict[tuple[int, str, int], int] = {}
        self._egress_to: dict[int, list[CompiledRule]] = {}

    def settle(self) -> None:
        """Work out every compiled rule's peers now (see ``_settle``)."""
        _settle(self.compiled.values())

    def _take(self, previous: PolicyEngine) -> None:
        """Everything ``previous`` compiled, shared (none of it changes once built), with empty caches."""
        _settle(previous.compiled.values())
        self.selected, self.compiled, self.egress_rules = previous.selected, previous.compiled, previous.egress_rules
        self.isolated_in, self.isolated_out = previous.isolated_in, previous.isolated_out
        self.ingress_policies, self.ingress_rules = previous.ingress_policies, previous.ingress_rules
        self.egress_policies, self.egress_rules_of = previous.egress_policies, previous.egress_rules_of
        self._of_policy, self._namespaces = previous._of_policy, previous._namespaces
        self._init_caches()

    def _compile(self, policy: Policy, rule: PolicyRule, selected: int) -> CompiledRule:
        if rule.peers is None:
            ips = ALL_IPS
        else:
            ips = NO_IPS
            for peer in rule.peers:
                if peer.ip_block is not None:
                    ips = ips | peer.ip_block
        compiled = CompiledRule(policy, rule, ips, selected, self.classes)
        self.compiled[id(rule)] = compiled
        return compiled

    def policy_selects(self, policy: Policy) -> int:
        return self.selected.get(id(policy), 0)

    # -- the evaluator: which rules admit a connection -----------------------------------------
    #
    # Verdicts (the matrix, the SVC4xx rules) fold these lists into bitsets; explanations
    # filter the same lists down to the rules naming one peer. Both read one answer.

    def rules_at(self, direction: str, cls: PodClass) -> list[CompiledRule] | None:
        """The ingress or egress rules of the policies selecting ``cls``, in policy order.

        None when no policy isolates ``cls`` for that direction: it allows everything.
        """
        if direction == "ingress":
            return self.ingress_rules[cls.index] if self.isolated_in & cls.bit else None
        return self.egress_rules_of[cls.index] if self.isolated_out & cls.bit else None

    def ingress_admitting(self, dst: PodClass, protocol: str, port: int) -> list[CompiledRule] | None:
        """Ingress rules at ``dst`` admitting (protocol, port), policy order; None: not isolated."""
        if not self.isolated_in & dst.bit:  # rules_at("ingress", dst) is None, without the call
            return None
        return [r for r in self.ingress_rules[dst.index] if r.port_matches(protocol, port, dst)]

    def egress_admitting_to(self, dst: PodClass, protocol: str, port: int) -> list[CompiledRule]:
        """Egress rules whose peers include ``dst`` admitting (protocol, port), policy order.

        Only sources a rule's policy selects (``rule.selected``) are isolated for egress and
        let out by it; every other source is let out anyway.
        """
        return [r for r in self.rules_to(dst) if r.port_matches(protocol, port, dst)]

    def egress_admitting_out(self, src: PodClass, protocol: str, port: int) -> list[CompiledRule] | None:
        """Egress rules at ``src`` admitting (protocol, port) to outside addresses; None: not isolated."""
        rules = self.rules_at("egress", src)
        return None if rules is None else [r for r in rules if r.port_matches(protocol, port, None)]

    # -- verdicts (the matrix) ----------------------------------------------------------------

    def ingress_allowed(self, dst: PodClass, protocol: str, port: int) -> tuple[int, IPSet]:
        """Source classes and outside addresses ``dst`` admits on (protocol, port)."""
        key = (dst.index, protocol, port)
        found = self._ingress_cache.get(key)
        if found is None:
            rules = self.ingress_admitting(dst, protocol, port)
            if rules is None:
                found = (self.classes.all_bits, ALL_IPS)
            else:
                bits, ips = 0, NO_IPS
                for rule in rules:
                    bits |= rule.peer_bits
                    ips = ips | rule.ips
                found = (bits, ips)
            self._ingress_cache[key] = found
        return found

    def egress_allowed_to(self, dst: PodClass, protocol: str, port: int) -> int:
        """Source classes whose egress lets them reach ``dst`` on (protocol, port)."""
        key = (dst.index, protocol, port)
        found = self._egress_cache.get(key)
        if found is None:
            found = self.classes.all_bits & ~self.isolated_out
            for rule in self.egress_admitting_to(dst, protocol, port):
                found |= rule.selected
            self._egress_cache[key] = found
        return found

    def rules_to(self, dst: PodClass) -> list[CompiledRule]:
        """Egress rules whose peers include ``dst`` (inverted index, built on first use)."""
        if not self._egress_to and self.egress_rules:
            to_all = [r for r in self.egress_rules if r.peer_bits == self.classes.all_bits]
            index: dict[int, list[CompiledRule]] = {}
            for rule in self.egress_rules:
                if rule.peer_bits != self.classes.all_bits:
                    for cls in self.classes.members(rule.peer_bits):
                        index.setdefault(cls.index, []).append(rule)
            # keep the rules in policy order: explanations and findings list them that way
            order = {id(r): i for i, r in enumerate(self.egress_rules)}
            for i in range(len(self.classes.classes)):
                self._egress_to[i] = sorted(index.get(i, []) + to_all, key=lambda r: order[id(r)])
        return self._egress_to.get(dst.index, [])

    def allowed_sources(self, dst: PodClass, protocol: str, port: int) -> int:
        """Classes that can open (protocol, port) on ``dst``: egress AND ingress."""
        return self.ingress_allowed(dst, protocol, port)[0] & self.egress_allowed_to(dst, protocol, port)

    def egress_external(self, src: PodClass, protocol: str, port: int) -> IPSet:
        """Outside addresses ``src`` may send to on (protocol, port)."""
        rules = self.egress_admitting_out(src, protocol, port)
        if rules is None:
            return ALL_IPS
        ips = NO_IPS
        for rule in rules:
            ips = ips | rule.ips
        return ips

    # -- pair queries (connlist) ------------------------------------------------------------

    @staticmethod
    def _ports(rules: list[CompiledRule] | None, peer: Callable[[CompiledRule], object], dst: PodClass | None) -> PortSet:
        """Pod ports on ``dst`` that the ``rules`` naming ``peer`` admit (None: not isolated, all)."""
        if rules is None:
            return ALL_PORTS
        out = NO_PORTS
        for rule in rules:
            if peer(rule):
                out = out | rule.portset(dst)
        return out

    def pair_ports(self, src: PodClass, dst: PodClass) -> PortSet:
        """Every (protocol, port) ``src`` may open on ``dst``: egress AND ingress.

        ``_ports`` written out: connlist asks this of every pair of pod classes.
        """
        egress = ALL_PORTS
        if self.isolated_out & src.bit:
            egress = NO_PORTS
            dst_bit = dst.bit
            for rule in self.egress_rules_of[src.index]:
                if rule.peer_bits & dst_bit:
                    egress = egress | rule.portset(dst)
        if not egress:
            return egress
        ingress = ALL_PORTS
        if self.isolated_in & dst.bit:
            ingress = NO_PORTS
            src_bit = src.bit
            for rule in self.ingress_rules[dst.index]:
                if rule.peer_bits & src_bit:
                    ingress = ingress | rule.portset(dst)
        return egress & ingress

    def external_ingress_ports(self, dst: PodClass, address: IPSet) -> PortSet:
        """Ports ``dst`` admits from the addresses in ``address`` (a segment: all or nothing)."""
        return self._ports(self.rules_at("ingress", dst), lambda r: r.ips & address, dst)

    def external_egress_ports(self, src: PodClass, address: IPSet) -> PortSet:
        """Ports ``src`` may open on the addresses in ``address`` (a segment: all or nothing)."""
        return self._ports(self.rules_at("egress", src), lambda r: r.ips & address, None)

    # -- explanations: the rules above, narrowed to one peer -------------------------------------

    def decide_ingress(self, src: PodClass | None, dst: PodClass, protocol: str, port: int) -> Decision:
        """Ingress at ``dst`` from ``src`` (None: the outside world, any address)."""
        rules = self.ingress_admitting(dst, protocol, port)
        if rules is None:
            return Decision("ingress", True)
        allowing = [r for r in rules if (r.ips if src is None else r.peer_bits & src.bit)]
        return Decision("ingress", bool(allowing), list(self.ingress_policies[dst.index]), allowing)

    def decide_egress(self, src: PodClass, dst: PodClass | None, protocol: str, port: int) -> Decision:
        """Egress at ``src`` towards ``dst`` (None: the outside world, any address)."""
        if self.rules_at("egress", src) is None:
            return Decision("egress", True)
        if dst is None:
            allowing = [r for r in self.egress_admitting_out(src, protocol, port) or () if r.ips]
        else:
            allowing = [r for r in self.egress_admitting_to(dst, protocol, port) if r.selected & src.bit]
        return Decision("egress", bool(allowing), list(self.egress_policies[src.index]), allowing)
