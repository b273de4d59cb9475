"""ManifestGraph: every loaded object, indexed for the questions rules ask.

Selector resolution goes through a per-namespace label index (namespace -> (key, value) ->
templates), so a selector costs the size of its smallest posting list instead of a scan of
every pod template.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property

from svclint.kube.model import (
    CONTROLLER_LABEL_KEYS,
    K8sObject,
    PodTemplate,
)
from svclint.kube.selectors import service_selector_matches
from svclint.kube.sources import controller_of, owned_in_input, owning_workload, pod_ips, templates_of
from svclint.kube.workloads import may_make_pods
from svclint.settings import PodSource


@dataclass
class LabelIndex:
    """(namespace, key, value) -> pod templates, plus every template per namespace."""

    by_term: dict[str | None, dict[tuple[str, str], list[PodTemplate]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(list))
    )
    by_namespace: dict[str | None, list[PodTemplate]] = field(default_factory=lambda: defaultdict(list))
    # (key, value) -> namespaces holding a template with that label: finds the few
    # namespaces worth searching when a selector is matched across all of them.
    namespaces_of_term: dict[tuple[str, str], set[str | None]] = field(default_factory=lambda: defaultdict(set))

    def add(self, template: PodTemplate) -> None:
        ns = template.namespace
        self.by_namespace[ns].append(template)
        terms = self.by_term[ns]
        for item in template.labels.items():
            terms[item].append(template)
            self.namespaces_of_term[item].add(ns)

    def updated(self, namespaces: Iterable[str | None], templates: list[PodTemplate]) -> LabelIndex:
        """A copy whose entries of ``namespaces`` are built again from ``templates`` (every
        template of the graph, in order); the other namespaces' lists are shared, never changed."""
        out = LabelIndex()
        out.by_term.update(self.by_term)
        out.by_namespace.update(self.by_namespace)
        out.namespaces_of_term.update(self.namespaces_of_term)
        for ns in set(namespaces):
            fresh = LabelIndex()
            for template in templates:
                if template.namespace == ns:
                    fresh.add(template)
            terms = set(self.by_term.get(ns, ())) | set(fresh.by_term.get(ns, ()))
            if ns in fresh.by_namespace:
                out.by_namespace[ns] = fresh.by_namespace[ns]
                out.by_term[ns] = fresh.by_term[ns]
            else:
                out.by_namespace.pop(ns, None)
                out.by_term.pop(ns, None)
            for term in terms:
                holders = set(out.namespaces_of_term.get(term, ()))
                if term in fresh.namespaces_of_term:
                    holders.add(ns)
                else:
                    holders.discard(ns)
                if holders:
                    out.namespaces_of_term[term] = holders
                else:
                    out.namespaces_of_term.pop(term, None)
        return out

    def namespaces_with(self, terms: Iterable[tuple[str, str]]) -> set[str | None]:
        """Namespaces where some template carries every one of ``terms`` (a superset)."""
        found: set[str | None] | None = None
        for term in terms:
            namespaces = self.namespaces_of_term.get(term)
            if not namespaces:
                return set()
            if found is None or len(namespaces) < len(found):
                found = namespaces
        return set(self.by_namespace) if found is None else set(found)

    def candidates(self, namespace: str | None, terms: Iterable[tuple[str, str]]) -> list[PodTemplate]:
        """Templates that carry the rarest of ``terms`` (all templates when there are none)."""
        index = self.by_term.get(namespace)
        if index is None:
            return []
        best: list[PodTemplate] | None = None
        for term in terms:
            posting = index.get(term)
            if not posting:
                return []
            if best is None or len(posting) < len(best):
                best = posting
        return list(self.by_namespace.get(namespace, ())) if best is None else best


# A Pod's template is changed once built (its controller is found in the input): never reused.
CHANGED_TEMPLATE_KINDS = frozenset({"Pod"})
# Objects changed at most for ``ManifestGraph._update`` (more: built whole, about as fast).
MAX_UPDATE = 2000


class _LookedUp(Exception):
    """A new object's templates read another object (``_update`` builds whole then)."""


def _refuse(kind: str, namespace: str | None, name: str) -> K8sObject | None:
    raise _LookedUp


class ManifestGraph:
    """All objects of one run, with indexes by identity, kind and labels."""

    def __init__(
        self, objects: Iterable[K8sObject], pod_sources: Iterable[PodSource] = (), previous: ManifestGraph | None = None
    ) -> None:
        """``previous``: a graph of mostly the same objects (the language server's last one). The
        templates of the objects still here are taken as they are instead of being read again;
        when no object's templates depend on another object, the indexes are ``previous``'s
        with the entries of the objects gone removed and those of the new ones added (``_update``)."""
        self.objects: list[K8sObject] = list(objects)
        self.by_kind: dict[str, list[K8sObject]] = defaultdict(list)
        self.by_key: dict[tuple[str, str | None, str], list[K8sObject]] = defaultdict(list)
        self.pod_templates: list[PodTemplate] = []
        self.templates_of: dict[int, PodTemplate] = {}
        self.labels = LabelIndex()
        self._unmodelled: dict[str | None, list[K8sObject]] | None = None
        self._sources: tuple[PodSource, ...] = tuple(pod_sources)
        # id(object) -> (object, its templates, whether it may make pods unseen): what was read
        # from the object alone, without looking at another object (the next graph's to reuse)
        self._own: dict[int, tuple[K8sObject, list[PodTemplate], bool]] = {}
        # Some object's templates, or whether they count, depend on other objects (a Pod and its
        # owners, a ReplicaSet owned by a Deployment, a kind that names its Deployment): the
        # next graph is built whole.
        self._dependent = True
        if previous is not None and previous._sources == self._sources and not previous._dependent and self._update(previous):
            return
        self._build(previous._own if previous is not None and previous._sources == self._sources else {})

    def _build(self, reusable: dict[int, tuple[K8sObject, list[PodTemplate], bool]]) -> None:
        for obj in self.objects:
            self.by_kind[obj.kind].append(obj)
            self.by_key[(obj.kind, obj.namespace, obj.name)].append(obj)
        found: list[PodTemplate] = []
        stood_for: set[int] = set()  # workloads whose Pods are in the input: the Pods stand for them
        dependent = False
        for obj in self.objects:
            kept = reusable.get(id(obj))
            if kept is not None and kept[0] is obj:
                templates = kept[1]
                self._own[id(obj)] = kept
            else:
                templates = self._read_templates(obj, self._sources)
                dependent = dependent or id(obj) not in self._own
            if templates:
                self.templates_of[id(obj)] = templates[0]
                dependent = dependent or controller_of(obj) is not None
            if obj.kind == "Pod" and templates:
                ref, chain = owning_workload(obj, self.get)
                templates[0].controller = ref
                templates[0].pod_ips = pod_ips(obj)
                stood_for.update(id(o) for o in chain)
            elif templates and owned_in_input(obj, self.get):
                stood_for.add(id(obj))  # a ReplicaSet of a Deployment of the input: the Deployment's pods
            found.extend(templates)
        for template in found:
            if id(template.owner) in stood_for and template.controller is None:
                continue
            self.pod_templates.append(template)
            self.labels.add(template)
        self._dependent = dependent

    def _update(self, previous: ManifestGraph) -> bool:
        """``previous``'s indexes, less the objects gone and plus the new ones. The objects
        between the first and the last that differ count as changed (one edited file is one
        run: its objects are together in the load). False, and nothing changed, when more than
        ``MAX_UPDATE`` objects changed or a new object's templates depend on another object."""
        old, new = previous.objects, self.objects
        first, shortest = 0, min(len(old), len(new))
        while first < shortest and old[first] is new[first]:
            first += 1
        last = 0
        while last < shortest - first and old[-1 - last] is new[-1 - last]:
            last += 1
        removed, added = old[first : len(old) - last], new[first : len(new) - last]
        if len(removed) + len(added) > MAX_UPDATE:
            return False
        own = dict(previous._own)
        for obj in removed:
            own.pop(id(obj), None)
        for obj in added:
            try:
                templates = templates_of(obj, self._sources, _refuse)
            except _LookedUp:
                return False
            if obj.kind in CHANGED_TEMPLATE_KINDS or (templates and controller_of(obj) is not None):
                return False
            own[id(obj)] = (obj, templates, not templates and may_make_pods(obj))
        self._own = own
        self._dependent = False
        self.by_kind = defaultdict(list, previous.by_kind)
        for kind in {obj.kind for obj in (*removed, *added)}:
            self.by_kind[kind] = [obj for obj in new if obj.kind == kind]
            if not self.by_kind[kind]:
                del self.by_kind[kind]
        self.by_key = defaultdict(list, previous.by_key)
        for key in {(obj.kind, obj.namespace, obj.name) for obj in (*removed, *added)}:
            entries = [obj for obj in self._sorted(previous.by_key.get(key, ()), removed, added) if (obj.kind, obj.namespace, obj.name) == key]
            if entries:
                self.by_key[key] = entries
            else:
                self.by_key.pop(key, None)
        self.templates_of = dict(previous.templates_of)
        for obj in removed:
            self.templates_of.pop(id(obj), None)
        for obj in added:
            templates = own[id(obj)][1]
            if templates:
                self.templates_of[id(obj)] = templates[0]
        self.pod_templates = [template for obj in new if id(obj) in self.templates_of for template in own[id(obj)][1]]
        namespaces = {t.namespace for obj in removed for t in previous._own[id(obj)][1]}
        namespaces.update(t.namespace for obj in added for t in own[id(obj)][1])
        self.labels = previous.labels.updated(namespaces, self.pod_templates)
        return True

    def _sorted(self, kept: Iterable[K8sObject], removed: list[K8sObject], added: list[K8sObject]) -> list[K8sObject]:
        """``kept`` less ``removed``, with ``added`` put where they are in the objects."""
        gone = {id(obj) for obj in removed}
        survivors = [obj for obj in kept if id(obj) not in gone]
        if not survivors:
            return list(added)
        position = {id(obj): i for i, obj in enumerate(self.objects)}
        return sorted([*survivors, *added], key=lambda obj: position[id(obj)])

    def _read_templates(self, obj: K8sObject, sources: tuple[PodSource, ...]) -> list[PodTemplate]:
        """``obj``'s templates, kept for the next graph when they were read from ``obj`` alone."""
        try:
            templates = templates_of(obj, sources, _refuse)
        except _LookedUp:  # read with another object: not kept
            return templates_of(obj, sources, self.get)
        if obj.kind not in CHANGED_TEMPLATE_KINDS:
            self._own[id(obj)] = (obj, templates, not templates and may_make_pods(obj))
        return templates

    # -- lookups ------------------------------------------------------------------------

    def of_kind(self, *kinds: str) -> Iterator[K8sObject]:
        for kind in kinds:
            yield from self.by_kind.get(kind, ())

    def get(self, kind: str, namespace: str | None, name: str) -> K8sObject | None:
        found = self.by_key.get((kind, namespace, name))
        return found[0] if found else None

    def template_of(self, obj: K8sObject) -> PodTemplate | None:
        return self.templates_of.get(id(obj))

    def unmodelled(self, namespace: str | None) -> list[K8sObject]:
        """Custom resources in ``namespace`` that may run pods svclint cannot see.

        An operator svclint has no entry for (and no ``pod-sources:`` entry) may create pods
        from them: a selector that matches nothing there is uncertain, not wrong.
        """
        if self._unmodelled is None:  # one pass over the input, on first use
            self._unmodelled = defaultdict(list)
            own = self._own
            for obj in self.objects:
                kept = own.get(id(obj))
                makes = kept[2] if kept is not None else id(obj) not in self.templates_of and may_make_pods(obj)
                if makes:
                    self._unmodelled[obj.namespace].append(obj)
        return self._unmodelled.get(namespace, [])

    @cached_property
    def namespaces(self) -> frozenset[str]:
        """Every namespace an object lives in or a Namespace object declares (read once: the
        graph does not change once built, and reference resolution asks per rule)."""
        names = {o.namespace for o in self.objects if o.namespace}
        names.update(o.name for o in self.by_kind.get("Namespace", ()))
        return frozenset(names)

    def namespace_labels(self, namespace: str) -> dict[str, str]:
        """Labels of a namespace, including the automatic kubernetes.io/metadata.name."""
        ns_obj = self.get("Namespace", None, namespace)
        labels = dict(ns_obj.labels) if ns_obj is not None else {}
        labels["kubernetes.io/metadata.name"] = namespace
        return labels

    # -- selectors ----------------------------------------------------------------------

    def select_pods(self, namespace: str | None, selector: Mapping[str, str]) -> list[PodTemplate]:
        """Pod templates a Service selector matches in ``namespace``.

        Labels that controllers add to pods (``statefulset.kubernetes.io/pod-name``...) match
        when the template's owner would add them, unless the template sets them itself.
        """
        plain = {k: v for k, v in selector.items() if k not in CONTROLLER_LABEL_KEYS}
        added = {k: v for k, v in selector.items() if k in CONTROLLER_LABEL_KEYS}
        candidates = self.labels.candidates(namespace, plain.items())
        out = []
        for template in candidates:
            if not service_selector_matches(plain, template.labels):
                continue
            if all(
                template.labels.get(k) == v if k in template.labels else bool(template.controller_label_matches(k, v))
                for k, v in added.items()
            ):
                out.append(template)
        return out

    def select_pods_any_namespace(self, selector: Mapping[str, str]) -> list[PodTemplate]:
        """``select_pods`` in every namespace, in namespace order.

        Only namespaces holding the selector's rarest label are searched, so this stays cheap
        when a large input has thousands of namespaces.
        """
        plain = [(k, v) for k, v in selector.items() if k not in CONTROLLER_LABEL_KEYS]
        out = []
        for namespace in sorted(self.labels.namespaces_with(plain), key=lambda n: n or ""):
            out.extend(self.select_pods(namespace, selector))
        return out

