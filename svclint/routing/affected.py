"""Which files' findings of a routing rule can differ after a change of a few objects.

A warm run replays the previous run's findings and runs a rule again, focused, only on the
files this module names (``affected_files``). The answer must be sound (a file whose
findings change is always named: a stale finding is the worst defect) and cheap (a few
milliseconds at 10k objects): it reads the graphs' indexes and the changed objects, never
builds a routing model.

The argument, for every rule here: the routing model is a function of the namespaces. Pod
classes, the policies that select them and the Services that front them all live in one
namespace; the few ways one namespace reaches into another are NetworkPolicy peers (a
``namespaceSelector``, or an ``ipBlock`` matching snapshot Pods' addresses), Service
references by DNS name (``name.ns``), the kube-dns / ingress-controller / router identities,
the set of namespaces itself and the Namespace objects' labels. So, with N the namespaces
of the changed objects:

- the findings of an object outside N can change only through those channels, and each
  rule below names the objects outside N one of them reaches;
- the files of the changed objects are always named (their other findings move with the
  edit's lines);
- a change this cannot localise (a cluster-scoped object, a Namespace, an identity's
  namespace, snapshot Pods with addresses, a namespace appearing or disappearing, OpenShift
  Routes) answers None: the caller runs the rule over everything.

Two inputs are the load's, not the graphs', and are the caller's to compare: the other
deployment units of the run (``LoadResult.elsewhere``, ``otherunits.py``: SVC101, SVC401,
SVC402 and SVC501 name a unit that has the pods or the Service), and whether some document
could not be read (``LoadResult.problems``: SVC503 makes its no-endpoints findings notes).
When either differs between the two runs, run those rules over everything.

SVC501-503 read the references the earlier full run resolved, when its routing model is
still on ``before`` (``routing.model.built_model``); without them, the namespaces whose pod
specs or ConfigMaps hold a namespace of N (or a changed Service's name) as a word.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TypeVar, cast

from svclint.kube.endpoints import selected_templates
from svclint.kube.graph import ManifestGraph
from svclint.kube.memo import kept
from svclint.kube.model import K8sObject, PodTemplate
from svclint.kube.selectors import LabelSelector
from svclint.kube.services import is_headless
from svclint.kube.workloads import is_custom, may_make_pods
from svclint.routing.calls import CheckedReference
from svclint.routing.model import built_model
from svclint.routing.policy import Policy, parse_policies
from svclint.settings import Settings

AffectedFiles = frozenset[str] | None
T = TypeVar("T")

# Kinds whose objects the routing rules locate findings at, per family.
POLICY = ("NetworkPolicy",)
SERVICE = ("Service",)
EXPOSURE = ("Service", "Ingress", "Route")
# Rules whose findings depend on one object alone: its own file is all that can change.
OWN_OBJECT_RULES = frozenset({"SVC408", "SVC409"})


@dataclass
class Change:
    """What changed between two graphs, read once for every rule's question."""

    before: ManifestGraph
    after: ManifestGraph
    changed_before: list[K8sObject]
    changed_after: list[K8sObject]
    settings: Settings
    files: frozenset[str]  # the changed objects' files: always affected
    namespaces: frozenset[str]  # N
    _templates: list[PodTemplate] | None = field(default=None, repr=False)

    @property
    def objects(self) -> Iterator[K8sObject]:
        yield from self.changed_before
        yield from self.changed_after

    def local_files(self, kinds: Iterable[str]) -> set[str]:
        """The files of the objects of ``kinds`` in N, before and after."""
        found = set(self.files)
        for graph in (self.before, self.after):
            for kind in kinds:
                index = by_namespace(graph, kind)
                for ns in self.namespaces:
                    found.update(o.source.path for o in index.get(ns, ()))
        return found

    def templates(self) -> list[PodTemplate]:
        """Every pod template of N, before and after: a superset of those that changed (a Pod
        owned by a changed workload keeps its object but may change its standing)."""
        if self._templates is None:
            self._templates = [
                t for g in (self.before, self.after) for ns in sorted(self.namespaces) for t in g.labels.by_namespace.get(ns, ())
            ]
        return self._templates

    def peers(self) -> PeerIndex:
        return peer_index(self.after, self.settings)

    def reaching(self, directions: tuple[str, ...], pods: bool) -> list[Policy]:
        """The policies outside N with a rule of ``directions`` whose peers may cover a pod
        class of N in either graph: a pod template of N their pod selector matches (``pods``),
        or only a namespace of N (not ``pods``; only the peers SVC402 judges, whose
        podSelector is not empty). A peer without a namespaceSelector stays in its policy's
        namespace, and an ipBlock matches no pod of N (``summarize`` refuses pod addresses)."""
        index, templates = self.peers(), self.templates()
        found: dict[int, Policy] = {}
        matched: dict[tuple[object, tuple[str, ...]], bool] = {}
        for selector, entries in index.by_selector.items():
            namespaces = tuple(ns for ns in sorted(self.namespaces) if selector.matches(self.after.namespace_labels(ns)))
            if not namespaces:
                continue
            for policy, direction, pod_selector in entries:
                if direction not in directions or policy.namespace in self.namespaces or id(policy) in found:
                    continue
                if not pods:
                    if pod_selector is not None and not pod_selector.is_empty:
                        found[id(policy)] = policy
                    continue
                key = (pod_selector, namespaces)
                hit = matched.get(key)
                if hit is None:
                    hit = matched[key] = any(
                        t.namespace in namespaces and (pod_selector is None or pod_selector.matches(t.labels)) for t in templates
                    )
                if hit:
                    found[id(policy)] = policy
        if pods and templates:
            for policy, direction in index.everyone:  # a rule without peers: every pod of every namespace
                if direction in directions and policy.namespace not in self.namespaces:
                    found.setdefault(id(policy), policy)
        return list(found.values())


Reach = tuple[Policy, str, LabelSelector | None]  # a policy, a rule's direction, a peer's podSelector


@dataclass
class PeerIndex:
    """The valid policies' peers that can reach another namespace, by namespaceSelector."""

    by_selector: dict[LabelSelector, list[Reach]]
    everyone: list[tuple[Policy, str]]  # rules whose peers are every peer
    egress_namespaces: set[str]  # namespaces with a policy of policyType Egress


def kept_for(objects: list[K8sObject], name: str, build: Callable[[], T]) -> T:
    """``build()``, kept while ``objects`` (a graph's ``by_kind`` list) holds the same objects:
    the next graph of an edit holds the same objects of every kind the edit did not touch,
    so the index outlives the graph. The objects are held, so their identities are never
    reused. Two lists per ``name``: before's and after's."""
    key = tuple(map(id, objects))
    kept = _KEPT.setdefault(name, [])
    for i, entry in enumerate(kept):
        if entry[0] is objects or entry[1] == key:
            kept.insert(0, kept.pop(i))  # the most recently used first: before's stays
            return cast(T, entry[2])
    made = build()
    kept.insert(0, (list(objects), key, made))
    del kept[2:]  # the lists of the graphs before and after an edit
    return made


_KEPT: dict[str, list[tuple[list[K8sObject], tuple[int, ...], object]]] = {}


def peer_index(graph: ManifestGraph, settings: Settings) -> PeerIndex:
    """``graph``'s PeerIndex (kept while its NetworkPolicy list is the same)."""
    objects = graph.by_kind.get("NetworkPolicy", _NONE)
    return kept_for(objects, f"peers {settings.default_namespace}", lambda: _peer_index(objects, settings.default_namespace))


_NONE: list[K8sObject] = []


def _peer_index(objects: list[K8sObject], default_namespace: str) -> PeerIndex:
    index = PeerIndex({}, [], set())
    for policy in parse_policies(list(objects), default_namespace).valid:
        if policy.egress_isolating:
            index.egress_namespaces.add(policy.namespace)
        for direction, rules in (("ingress", policy.ingress), ("egress", policy.egress)):
            for rule in rules:
                if rule.peers is None:
                    index.everyone.append((policy, direction))
                    continue
                for peer in rule.peers:
                    if peer.namespace_selector is not None and peer.ip_block is None:
                        index.by_selector.setdefault(peer.namespace_selector, []).append((policy, direction, peer.pod_selector))
    return index


def summarize(
    before: ManifestGraph,
    after: ManifestGraph,
    changed_before: list[K8sObject],
    changed_after: list[K8sObject],
    settings: Settings,
) -> Change | None:
    """The change, or None when it cannot be localised to namespaces (see the module doc)."""
    changed = [*changed_before, *changed_after]
    if any(obj.namespace is None for obj in changed):
        return None  # cluster-scoped: a Namespace's labels, a cluster-wide pod source...
    namespaces = frozenset(str(obj.namespace) for obj in changed)
    identities = {settings.kube_dns.namespace, settings.ingress_controller.namespace, settings.openshift_router.namespace}
    if namespaces & identities:
        return None  # kube-dns, the ingress controller, the router: every namespace's verdicts
    if any(obj.kind == "Route" for obj in changed):
        return None  # whether the input has Routes decides the router's class
    old = frozenset(str(obj.namespace) for obj in changed_before)
    new = frozenset(str(obj.namespace) for obj in changed_after)
    if old != new:
        before_all, after_all = before.namespaces, after.namespaces
        if any((ns in before_all) != (ns in after_all) for ns in namespaces):
            return None  # the set of namespaces: DNS names `name.ns`, SVC402's namespaceSelectors
    for graph in (before, after):
        for ns in namespaces:
            if any(t.pod_ips for t in graph.labels.by_namespace.get(ns, ())):
                return None  # ipBlock peers of any namespace match these Pods' addresses
    files = frozenset(obj.source.path for obj in changed)
    return Change(before, after, changed_before, changed_after, settings, files, namespaces)


# -- per rule ----------------------------------------------------------------------------------


def _policy_files(change: Change, pods: bool, directions: tuple[str, ...]) -> set[str]:
    """Files of the policies outside N with a rule of ``directions`` whose peers may cover N."""
    return {policy.obj.source.path for policy in change.reaching(directions, pods)}


def _svc401(change: Change) -> AffectedFiles:
    # a policy's podSelector and its nearest-miss hint read its own namespace's classes
    # (svc401: model.engine.policy_selects, nearest_labels(by_namespace[policy.namespace]))
    return frozenset(change.local_files(POLICY))


def _svc402(change: Change) -> AffectedFiles:
    # a peer reads the classes of every namespace it covers, all of them for the hint
    # (nearest_labels over candidates): any peer whose namespaces may include N
    return frozenset(change.local_files(POLICY) | _policy_files(change, False, ("ingress", "egress")))


def _svc403(change: Change) -> AffectedFiles:
    # egress isolation and the egress policies of a class are its own namespace's; kube-dns's
    # ingress admits a class by its own labels (the identity namespaces answer None)
    return frozenset(change.local_files(POLICY))


def _svc404(change: Change) -> AffectedFiles:
    # The hint names every unmodelled custom resource of the input.
    if any(may_make_pods(obj) and g.template_of(obj) is None for g in (change.before, change.after) for obj in change.objects):
        return None  # an unmodelled custom resource (``ManifestGraph.unmodelled``), in one graph or both
    # A Service port outside N flips only when its set of clients gains or loses a class of N
    # while no client outside N reaches it. A class W outside N with no egress isolation
    # reaches every endpoint without ingress isolation (in both graphs): with such a witness
    # only endpoints under ingress isolation can flip, and only through an ingress rule of
    # their namespace's policies whose peers may select a pod of N.
    if not _has_witness(change):
        return None
    after = change.after
    guarded: dict[str, set[int]] = {}  # namespace -> id of the templates such a policy selects
    for policy in change.reaching(("ingress",), True):
        selected = guarded.setdefault(policy.namespace, set())
        selected.update(id(t) for t in after.labels.by_namespace.get(policy.namespace, ()) if policy.pod_selector.matches(t.labels))
    found = change.local_files(SERVICE)
    services = by_namespace(after, "Service")
    for namespace, admitting in guarded.items():
        for service in services.get(namespace, ()):
            if admitting and any(id(t) in admitting for t in selected_templates(after, service)):
                found.add(service.source.path)  # its endpoints' policies may admit a client of N
    return frozenset(found)


def by_namespace(graph: ManifestGraph, kind: str) -> dict[str | None, list[K8sObject]]:
    """``graph``'s objects of ``kind`` by namespace (kept while its list of them is the same)."""
    objects = graph.by_kind.get(kind, _NONE)

    def build() -> dict[str | None, list[K8sObject]]:
        found: dict[str | None, list[K8sObject]] = {}
        for obj in objects:
            found.setdefault(obj.namespace, []).append(obj)
        return found

    return kept_for(objects, f"by namespace {kind}", build)


def _has_witness(change: Change) -> bool:
    """A pod template outside N whose namespace has no policy with egress rules at all."""
    egress = change.peers().egress_namespaces
    for ns, templates in change.after.labels.by_namespace.items():
        if templates and ns not in change.namespaces and (ns or change.settings.default_namespace) not in egress:
            return True
    return False


def _svc405(change: Change) -> AffectedFiles:
    # outside traffic reaches a Service's pods through its own namespace's policies (ipBlock
    # peers, the ingress controller's class: an identity); Ingress and Route backends are
    # Services of their own namespace (routing/entry.py)
    return frozenset(change.local_files(EXPOSURE))


def _svc406(change: Change) -> AffectedFiles:
    # a finding pairs a policy's rule with a Service port whose pods it guards: an ingress rule
    # of the pods' namespace, or an egress rule whose peers include them (guarded_columns)
    return frozenset(change.local_files(POLICY) | _policy_files(change, True, ("egress",)))


def _svc407(change: Change) -> AffectedFiles:
    # destinations: the pods an ingress rule's policy selects (its namespace), or the classes
    # an egress rule's peers select (compiled.peer_bits)
    return frozenset(change.local_files(POLICY) | _policy_files(change, True, ("egress",)))


def _references(change: Change, service_changed: bool, pods_or_policies: bool) -> AffectedFiles:
    """SVC501-503: references are resolved from the pod's namespace; those of a pod outside N
    reach N only by naming a namespace of N as a DNS label (``name.ns...``), and SVC501's
    hint reads the Services of every namespace by name."""
    found = change.local_files(_holder_kinds(change))
    if not service_changed and not pods_or_policies:
        return frozenset(found)
    if _headless_differs(change):
        return None  # `pod.svc.ns` names resolve (or not) through a headless Service of N
    names = {o.name for o in change.objects if o.kind == "Service"} if service_changed else set()
    checked = _previous_references(change.before, change.settings)
    if checked is None:  # no earlier resolution kept: the namespaces whose text names N
        return frozenset(found | _mentioning(change, change.namespaces | names))
    for item in checked:
        ref = item.reference
        labels = set(ref.host.lower().rstrip(".").split("."))
        if ref.target.namespace in change.namespaces or labels & change.namespaces or ref.target.service in names:
            found.add(ref.holder.source.path)
    return frozenset(found)


_NOT_LABEL = re.compile(r"[^a-z0-9-]+")


def _words(holder: K8sObject | PodTemplate) -> tuple[frozenset[str], bool]:
    """The DNS-label words of the text a reference may be read from (a pod spec, a
    ConfigMap's data), and whether some of it is a `$(VAR)` expansion (words may be joined)."""
    def read() -> tuple[frozenset[str], bool]:
        texts: list[str] = []
        _strings(holder.spec if isinstance(holder, PodTemplate) else holder.data.get("data"), texts)
        words = {w for text in texts for w in _NOT_LABEL.split(text.lower()) if w}
        return frozenset(words), any("$(" in text for text in texts)

    return kept(holder, "reference_words", read)


def _strings(value: object, out: list[str]) -> None:
    if isinstance(value, str):
        out.append(value)
    elif isinstance(value, dict):
        for item in value.values():
            _strings(item, out)
    elif isinstance(value, list):
        for item in value:
            _strings(item, out)


def _mentioning(change: Change, wanted: Iterable[str]) -> set[str]:
    """The files of every reference holder (workload, ConfigMap) of the namespaces outside N
    where some pod spec or ConfigMap holds one of ``wanted`` as a word (or a `$(VAR)`).

    A reference is read from the pod's spec and its namespace's ConfigMaps, lower-cased, and
    names another namespace only by a label of its host: a word of that text."""
    wanted = set(wanted)
    after = change.after
    hit = {
        ns for ns, (words, joined) in namespace_words(after).items()
        if ns not in change.namespaces and (joined or not words.isdisjoint(wanted))
    }
    if not hit:
        return set()
    found = {t.owner.source.path for t in after.pod_templates if str(t.namespace) in hit}
    found.update(c.source.path for c in after.of_kind("ConfigMap") if str(c.namespace) in hit)
    return found


NamespaceWords = dict[str, tuple[frozenset[str], bool]]  # namespace -> its words, and whether some are joined


def namespace_words(graph: ManifestGraph) -> NamespaceWords:
    """Per namespace, the words of its pod specs and ConfigMaps (``_words``), and whether one
    of them holds a `$(VAR)`: worked out once per graph, or carried from an earlier graph
    (``carry_namespace_words``)."""
    found = known_namespace_words(graph)
    if found is None:
        found = _namespace_words(graph, None)
        graph._namespace_words = found  # type: ignore[attr-defined]
    return found


def known_namespace_words(graph: ManifestGraph) -> NamespaceWords | None:
    """``graph``'s ``namespace_words`` if some rule's answer (or a carry) worked them out."""
    found: NamespaceWords | None = getattr(graph, "_namespace_words", None)
    return found


def carry_namespace_words(graph: ManifestGraph, earlier: NamespaceWords, changed: Iterable[K8sObject]) -> None:
    """Give ``graph`` the words of ``earlier`` (an earlier graph's ``namespace_words``, kept by
    a replay) for every namespace no ``changed`` object is in: the holders there are the same
    objects in both graphs (a pod template is in its owner's namespace, and an object that
    lends a template its spec, a Rollout's Deployment, is in the same one). The namespaces
    they are in are read again."""
    touched = {str(obj.namespace) for obj in changed}
    carried = {ns: entry for ns, entry in earlier.items() if ns not in touched}
    carried.update(_namespace_words(graph, touched))
    graph._namespace_words = carried  # type: ignore[attr-defined]


def _namespace_words(graph: ManifestGraph, only: set[str] | None) -> NamespaceWords:
    words: dict[str, set[str]] = {}
    joined: set[str] = set()
    holders: list[K8sObject | PodTemplate] = [*graph.pod_templates, *graph.of_kind("ConfigMap")]
    for holder in holders:
        ns = str(holder.namespace)
        if only is not None and ns not in only:
            continue
        some, join = _words(holder)
        words.setdefault(ns, set()).update(some)
        if join:
            joined.add(ns)
    return {ns: (frozenset(found), ns in joined) for ns, found in sorted(words.items())}


def _holder_kinds(change: Change) -> set[str]:
    """The kinds that hold a reference's text in N: ConfigMaps and every workload kind there."""
    kinds = {"ConfigMap"}
    for template in change.templates():
        kinds.add(template.owner.kind)
    for graph in (change.before, change.after):
        for obj in change.objects:
            if graph.template_of(obj) is not None:
                kinds.add(obj.kind)
    return kinds


def _headless_differs(change: Change) -> bool:
    """Whether the name of some changed Service is headless in one graph only."""
    keys = {(o.namespace, o.name) for o in change.objects if o.kind == "Service"}

    def headless(graph: ManifestGraph) -> set[tuple[str | None, str]]:
        return {k for k in keys if any(is_headless(s) for s in graph.by_key.get(("Service", *k), ()))}

    return headless(change.before) != headless(change.after)


def _previous_references(graph: ManifestGraph, settings: Settings) -> list[CheckedReference] | None:
    """The resolved references the earlier full run kept on ``graph``'s routing model, or None."""
    model = built_model(graph, settings)
    return None if model is None else getattr(model, "_checked_references", None)


def _kinds_changed(change: Change) -> tuple[bool, bool]:
    """(a Service or a custom resource changed, a pod template or a policy changed)."""
    service = any(o.kind == "Service" or is_custom(o) for o in change.objects)
    other = any(o.kind != "Service" for o in change.objects)
    return service, other


def _svc501(change: Change) -> AffectedFiles:
    # whether a Service of that name exists, the same name in other namespaces (and whether
    # its manifest names a namespace), the operator that may make it (service_maker): only
    # the names of N's Services and its custom resources, never a Service's spec
    def names(objects: list[K8sObject]) -> set[tuple[str | None, str, bool]]:
        return {(o.namespace, o.name, _namespace_written(o)) for o in objects if o.kind == "Service"}

    renamed = names(change.changed_before) != names(change.changed_after)
    return _references(change, renamed or any(is_custom(o) for o in change.objects), False)


def _namespace_written(obj: K8sObject) -> bool:
    metadata = obj.data.get("metadata")
    return isinstance(metadata, dict) and bool(metadata.get("namespace"))


def _svc502(change: Change) -> AffectedFiles:
    # the Service's ports, and its endpoints' pod ports for the hint (model.columns_of)
    service, other = _kinds_changed(change)
    return _references(change, service, other)


def _svc503(change: Change) -> AffectedFiles:
    # the verdict of a call into N reads N's pods, policies and Services
    service, other = _kinds_changed(change)
    return _references(change, service, other)


def category(obj: K8sObject) -> str:
    """What a changed object is to these rules; any kind not named may make pods (a workload,
    a pod source, an unmodelled custom resource), so it counts as pods."""
    return {"NetworkPolicy": POLICIES, "Service": SERVICES, "ConfigMap": CONFIG, "Ingress": ENTRIES}.get(obj.kind, PODS)


PODS, POLICIES, SERVICES, CONFIG, ENTRIES = "pods", "policies", "services", "config", "entries"
# What each rule reads (the rest cannot change its findings outside the edited files):
# ConfigMaps only hold references' text; policies decide no name or port; Services no class.
READS = {
    "SVC401": {PODS, POLICIES},
    "SVC402": {PODS, POLICIES},
    "SVC403": {PODS, POLICIES},
    "SVC404": {PODS, POLICIES, SERVICES, ENTRIES},
    "SVC405": {PODS, POLICIES, SERVICES, ENTRIES},
    "SVC406": {PODS, POLICIES, SERVICES},
    "SVC407": {PODS, POLICIES},
    "SVC501": {PODS, SERVICES, CONFIG},
    "SVC502": {PODS, SERVICES, CONFIG},
    "SVC503": {PODS, POLICIES, SERVICES, CONFIG},
}

RULES: dict[str, Callable[[Change], AffectedFiles]] = {
    "SVC401": _svc401,
    "SVC402": _svc402,
    "SVC403": _svc403,
    "SVC404": _svc404,
    "SVC405": _svc405,
    "SVC406": _svc406,
    "SVC407": _svc407,
    "SVC501": _svc501,
    "SVC502": _svc502,
    "SVC503": _svc503,
}


def affected_files(
    rule_id: str,
    before: ManifestGraph,
    after: ManifestGraph,
    changed_before: list[K8sObject],
    changed_after: list[K8sObject],
    settings: Settings,
) -> AffectedFiles:
    """The display paths where ``rule_id``'s findings may differ between a full check of
    ``before`` and one of ``after``, whose objects differ by ``changed_before`` (gone) and
    ``changed_after`` (new); None when that cannot be told cheaply (run the rule everywhere)."""
    own = frozenset(obj.source.path for obj in (*changed_before, *changed_after))
    if rule_id in OWN_OBJECT_RULES:
        return own
    answer = RULES.get(rule_id)
    if answer is None:
        return None
    if not {category(obj) for obj in (*changed_before, *changed_after)} & READS[rule_id]:
        return own  # nothing it reads changed: only the edited files' lines may move
    change = change_of(before, after, changed_before, changed_after, settings)
    return None if change is None else answer(change)


def change_of(
    before: ManifestGraph,
    after: ManifestGraph,
    changed_before: list[K8sObject],
    changed_after: list[K8sObject],
    settings: Settings,
) -> Change | None:
    """``summarize``, once for the rules a replay asks in a row about the same change (kept
    on ``after``, like its routing model)."""
    key = (id(before), tuple(map(id, changed_before)), tuple(map(id, changed_after)), id(settings))
    cached: tuple[tuple[object, ...], Change | None] | None = getattr(after, "_affected_change", None)
    if cached is not None and cached[0] == key:
        return cached[1]
    change = summarize(before, after, changed_before, changed_after, settings)
    after._affected_change = (key, change)  # type: ignore[attr-defined]
    return change
