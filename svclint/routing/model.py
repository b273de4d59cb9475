"""RoutingModel: policies, classes, Service columns and entry points of one graph, with verdicts.

Built lazily and cached per graph (``routing_model``): ``check`` pays for it only when an
SVC4xx rule runs, ``matrix`` and ``explain`` always. Cells are computed column by column
from bitsets over pod classes, so a verdict is a couple of integer operations.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from svclint.kube.graph import ManifestGraph
from svclint.kube.memo import kept
from svclint.kube.model import K8sObject, PodTemplate
from svclint.kube.routes import is_openshift_route
from svclint.routing.classes import PodClass, PodClasses
from svclint.routing.engine import Decision, PolicyEngine
from svclint.routing.entry import Backends, Exposure, IngressBackend, entry_backends, exposures
from svclint.routing.policy import ParsedPolicies, Policy, parse_policies
from svclint.routing.ports import NO_IPS
from svclint.routing.services import (
    EXTERNAL_NAME,
    MANUAL,
    NO_ENDPOINTS,
    Column,
    Endpoint,
    columns_of,
    service_columns,
)
from svclint.settings import Settings

ALLOW, DENY, EXTERNAL, BAD_TARGET_PORT = "allow", "deny", "external", "bad-target-port"
DNS_BLOCKED = "dns-blocked"
EXTERNAL_SOURCE, INGRESS_CONTROLLER_SOURCE = "external", "ingress-controller"

ASSUMPTIONS = (
    "ipBlock rules match only addresses outside the cluster, never pod addresses",
    "external clients keep their source address up to the pod (no SNAT by externalTrafficPolicy: Cluster)",
    "a LoadBalancer is reached through its load balancer only, filtered by loadBalancerSourceRanges",
    "Ingress traffic reaches backends from the ingress-controller pods; the controller is reachable from outside on 80/443",
    "pods are selected by their pod template labels; labels added by controllers are not seen by policies",
)
# With snapshot Pods that carry status.podIP, the first assumption reads instead:
ROUTER_ASSUMPTION = "OpenShift Route traffic reaches backends from the router pods (openshift-router:), reachable from outside on 80/443"
POD_IP_ASSUMPTION = "ipBlock rules match addresses outside the cluster, and snapshot Pods by their status.podIP(s)"


@dataclass(frozen=True)
class Source:
    """A matrix row: a workload, the outside world, or the ingress controller."""

    name: str
    namespace: str | None
    cls: PodClass | None
    template: PodTemplate | None = None


@dataclass
class Plan:
    """Everything needed to answer any source for one column quickly."""

    structural: str | None = None  # verdict independent of the source
    groups: list[tuple[int, int]] = field(default_factory=list)  # (allowed source bits, endpoint count)
    total: int = 0
    external_bits: int = 0  # ExternalName / manual endpoints: sources allowed out on the port


class RoutingModel:
    def __init__(self, graph: ManifestGraph, settings: Settings, previous: RoutingModel | None = None) -> None:
        """``previous``: the model of an earlier graph of mostly the same objects, with the same
        settings (the language server's last): its pod classes' answers are reused where they hold."""
        self.graph = graph
        self.settings = settings
        policies = graph.by_kind.get("NetworkPolicy")
        self._policy_objects = policies  # the graph's list: an updated graph shares it while no policy changed
        self._parsed: ParsedPolicies | None = None
        if previous is not None and policies is not None and previous._policy_objects is policies:
            self._parsed = previous._parsed
        has_routes = any(is_openshift_route(r) for r in graph.of_kind("Route"))
        self.classes: PodClasses = PodClasses(
            graph, settings.default_namespace, settings.kube_dns, settings.ingress_controller,
            settings.openshift_router if has_routes else None,
            previous.classes if previous is not None else None,
        )
        self._engine: PolicyEngine | None = None
        self._previous_engine: PolicyEngine | None = previous._engine if previous is not None else None
        self._columns: list[Column] | None = None
        self._columns_of: dict[int, list[Column]] = {}  # id(Service) -> its columns
        self._exposure: dict[int, Exposure] | None = None
        self._exposure_of: dict[int, Exposure] = {}
        self._entries: tuple[Backends, Backends] | None = None  # the Ingress and Route backends
        self._plans: dict[int, Plan] = {}
        self._external_egress: dict[tuple[str, int], int] = {}
        self._dns_ok: int | None = None
        self._sources_list: list[Source] | None = None
        self._first: dict[str, PodTemplate] | None = None  # workload name -> its first template
        self._rows: dict[str, Source] = {}
        self.load_problems = 0  # set by api.analyze: files/documents the loader could not read

    @property
    def parsed(self) -> ParsedPolicies:
        """Every policy of the graph, parsed on first use (the engine's input; a replay's rules
        that read only names and ports, or a few policies, parse no others)."""
        if self._parsed is None:
            self._parsed = parse_policies(list(self.graph.of_kind("NetworkPolicy")), self.settings.default_namespace)
        return self._parsed

    def valid_policies(self, objects: Iterable[K8sObject]) -> list[Policy]:
        """The valid policies among ``objects`` (a focused rule's), the very ones ``parsed``
        holds, without parsing the others."""
        return parse_policies(list(objects), self.settings.default_namespace).valid

    @property
    def engine(self) -> PolicyEngine:
        """The policies compiled against the pod classes (built on first use: SVC501 and
        SVC502 of a focused run resolve names and ports without it)."""
        if self._engine is None:
            self._engine = PolicyEngine(self.classes, self.parsed.valid, self._previous_engine)
            self._previous_engine = None
        return self._engine

    def compile_all(self) -> None:
        """Parse every policy, make the pod classes and compile every rule with its peers now:
        what a later graph's model takes from this one (``follow``), ahead of the run that
        needs it (``svclint daemon``, between checks)."""
        self.engine.settle()

    # -- columns and exposures, built on first use (a focused run asks for a few) -------------

    @property
    def columns(self) -> list[Column]:
        """Every Service port of the input, sorted by (destination, port, protocol)."""
        if self._columns is None:
            self._columns = service_columns(self.graph.of_kind("Service"), self.columns_of)
        return self._columns

    def columns_of(self, service: K8sObject) -> list[Column]:
        """One Service's columns (the same objects ``columns`` holds)."""
        found = self._columns_of.get(id(service))
        if found is None:
            found = self._columns_of[id(service)] = columns_of(self.graph, self.classes, service)
        return found

    @property
    def exposure(self) -> dict[int, Exposure]:
        """id(column) -> how the outside reaches it, for every column."""
        if self._exposure is None:
            self._exposure = exposures(self.graph, self.columns, self._entries)
        return self._exposure

    def exposure_of(self, column: Column) -> Exposure:
        """One column's exposure, without working out every column's."""
        if self._exposure is not None:
            return self._exposure[id(column)]
        found = self._exposure_of.get(id(column))
        if found is None:
            if self._entries is None:
                self._entries = entry_backends(self.graph)
            found = self._exposure_of[id(column)] = exposures(self.graph, [column], self._entries)[id(column)]
        return found

    # -- rows ---------------------------------------------------------------------------------

    @property
    def sources(self) -> list[Source]:
        """The matrix rows: every workload, then the outside and the ingress controller, by name."""
        if self._sources_list is None:
            self._sources_list = self._sources()
        return self._sources_list

    def source_named(self, name: str) -> Source | None:
        """The row of workload ``name`` (the object ``sources`` holds), without making every row."""
        template = self._first_templates().get(name)
        return None if template is None else self._row(name, template)

    def _first_templates(self) -> dict[str, PodTemplate]:
        if self._first is None:
            self._first = {}
            for template in self.graph.pod_templates:
                self._first.setdefault(_workload_name(template), template)
        return self._first

    def _row(self, name: str, template: PodTemplate) -> Source:
        row = self._rows.get(name)
        if row is None:
            row = self._rows[name] = Source(name, template.namespace, self.classes.class_of(template), template)
        return row

    def _sources(self) -> list[Source]:
        seen = {name: self._row(name, template) for name, template in self._first_templates().items()}
        seen[EXTERNAL_SOURCE] = Source(EXTERNAL_SOURCE, None, None)
        seen[INGRESS_CONTROLLER_SOURCE] = Source(INGRESS_CONTROLLER_SOURCE, None, self.ingress_controller)
        return [seen[k] for k in sorted(seen)]

    @property
    def assumptions(self) -> tuple[str, ...]:
        """What the verdicts assume (the ipBlock one depends on whether pods have addresses)."""
        found: tuple[str, ...] = (POD_IP_ASSUMPTION, *ASSUMPTIONS[1:]) if self.classes.with_ips else ASSUMPTIONS
        if self.classes.router:
            found = (*found, ROUTER_ASSUMPTION)
        return found

    @property
    def ingress_controller(self) -> PodClass:
        return self.classes.ingress_controller[0]

    @property
    def workloads(self) -> list[Source]:
        return [s for s in self.sources if s.template is not None]

    def workloads_in(self, namespaces: frozenset[str]) -> list[Source]:
        """``workloads`` whose class is in one of ``namespaces``, without making every row."""
        if self._sources_list is not None:
            return [s for s in self.workloads if s.cls is not None and s.cls.namespace in namespaces]
        default = self.settings.default_namespace
        first: dict[str, PodTemplate] = {}
        for template in self.graph.pod_templates:
            if (template.namespace or default) in namespaces:  # the class's namespace (PodClasses)
                first.setdefault(_workload_name(template), template)
        return [self._row(name, template) for name, template in sorted(first.items())]

    # -- DNS ----------------------------------------------------------------------------------

    def dns_ok_bits(self, protocol: str = "UDP") -> int:
        """Classes that can reach some kube-dns pod on ``protocol`` 53 (egress and ingress)."""
        if protocol == "UDP" and self._dns_ok is not None:
            return self._dns_ok
        bits = 0
        for dns in self.classes.kube_dns:
            bits |= self.engine.allowed_sources(dns, protocol, 53)
        if protocol == "UDP":
            self._dns_ok = bits
        return bits

    def dns_blocked(self, cls: PodClass) -> bool:
        return not self.dns_ok_bits() & cls.bit

    # -- columns ------------------------------------------------------------------------------

    def plan(self, column: Column) -> Plan:
        plan = self._plans.get(id(column))
        if plan is None:
            plan = self._plans[id(column)] = self._make_plan(column)
        return plan

    def _make_plan(self, column: Column) -> Plan:
        if column.kind == NO_ENDPOINTS:
            return Plan(structural=NO_ENDPOINTS)
        if column.kind in (EXTERNAL_NAME, MANUAL):
            port = column.target if isinstance(column.target, int) else column.port
            return Plan(external_bits=self.external_egress_bits(column.protocol, port))
        resolved = column.resolved
        if not resolved:
            return Plan(structural=BAD_TARGET_PORT)
        counts: dict[int, int] = {}
        for endpoint in resolved:
            bits = self.engine.allowed_sources(endpoint.cls, column.protocol, endpoint.port)  # type: ignore[arg-type]
            counts[bits] = counts.get(bits, 0) + 1
        return Plan(groups=list(counts.items()), total=len(resolved))

    def external_egress_bits(self, protocol: str, port: int) -> int:
        """Classes allowed to send to some outside address on (protocol, port)."""
        key = (protocol, port)
        bits = self._external_egress.get(key)
        if bits is None:
            bits = self.classes.all_bits & ~self.engine.isolated_out
            for cls in self.classes.members(self.engine.isolated_out):
                if self.engine.egress_external(cls, protocol, port):
                    bits |= cls.bit
            self._external_egress[key] = bits
        return bits

    # -- verdicts -----------------------------------------------------------------------------

    def verdict(self, source: Source, column: Column) -> str:
        if source.cls is None:
            return self.external_verdict(column)
        plan = self.plan(column)
        if plan.structural is not None:
            return plan.structural
        index = source.cls.index
        if not plan.groups:
            word = EXTERNAL if (plan.external_bits >> index) & 1 else DENY
        else:
            k = 0
            for bits, count in plan.groups:
                if (bits >> index) & 1:
                    k += count
            word = ALLOW if k == plan.total else DENY if k == 0 else f"partial {k}/{plan.total}"
        if word != DENY and source.template is not None and self.dns_blocked(source.cls):
            word += " " + DNS_BLOCKED
        return word

    def external_verdict(self, column: Column) -> str:
        plan = self.plan(column)
        if plan.structural is not None:
            return plan.structural
        exposure = self.exposure_of(column)
        if not exposure.exposed or not plan.groups:
            return EXTERNAL if plan.external_bits and exposure.exposed else DENY
        k = sum(1 for e in column.resolved if self.endpoint_reachable_from_outside(column, e, exposure))
        total = len(column.resolved)
        return ALLOW if k == total else DENY if k == 0 else f"partial {k}/{total}"

    def controller_for(self, backend: IngressBackend) -> PodClass:
        """The pods an entry's traffic comes from: the ingress controller, or OpenShift's router for a Route."""
        if backend.kind == "Route" and self.classes.router:
            return self.classes.router[0]
        return self.ingress_controller

    def controller_reachable_from_outside(self, controller: PodClass | None = None) -> bool:
        ic = controller if controller is not None else self.ingress_controller
        return any(bool(self.engine.ingress_allowed(ic, "TCP", p)[1]) for p in (80, 443))

    def endpoint_reachable_from_outside(self, column: Column, endpoint: Endpoint, exposure: Exposure) -> bool:
        assert endpoint.port is not None
        if exposure.direct and self.engine.ingress_allowed(endpoint.cls, column.protocol, endpoint.port)[1] & exposure.direct_ips:
            return True
        for controller in {id(c): c for c in map(self.controller_for, exposure.ingresses)}.values():
            if self.controller_reachable_from_outside(controller):
                if self.engine.allowed_sources(endpoint.cls, column.protocol, endpoint.port) & controller.bit:
                    return True
        return False

    # -- explanations -------------------------------------------------------------------------

    def endpoint_decisions(self, source: Source, column: Column, endpoint: Endpoint) -> list[Decision]:
        """Egress then ingress decisions for one hop to one endpoint (external: ingress only)."""
        assert endpoint.port is not None
        if source.cls is None:
            decision = self.engine.decide_ingress(None, endpoint.cls, column.protocol, endpoint.port)
            return [decision]
        return [
            self.engine.decide_egress(source.cls, endpoint.cls, column.protocol, endpoint.port),
            self.engine.decide_ingress(source.cls, endpoint.cls, column.protocol, endpoint.port),
        ]

    def external_ips_allowed(self, column: Column, endpoint: Endpoint) -> str:
        assert endpoint.port is not None
        ips = self.engine.ingress_allowed(endpoint.cls, column.protocol, endpoint.port)[1] & self.exposure_of(column).direct_ips
        return ips.text() if ips else NO_IPS.text()


def _workload_name(template: PodTemplate) -> str:
    """A matrix row's name, kept on the template (the language server's graphs share them)."""
    return kept(template, "workload_name", lambda: template.workload.qualified)


def _model_key(settings: Settings) -> tuple[object, ...]:
    return (settings.default_namespace, settings.kube_dns, settings.ingress_controller, settings.openshift_router)


def routing_model(graph: ManifestGraph, settings: Settings) -> RoutingModel:
    """The routing model of ``graph``, built once per graph and settings identity.

    Kept on the graph itself: a WeakKeyDictionary keyed by the graph never let go of it,
    because the model refers to its graph (every run leaked its whole input). A graph given
    an earlier one's model (``follow``) builds its own from it, then lets it go."""
    key = _model_key(settings)
    cached: tuple[tuple[object, ...], RoutingModel] | None = getattr(graph, "_routing_model", None)
    if cached is not None and cached[0] == key:
        return cached[1]
    seed: tuple[tuple[object, ...], RoutingModel] | None = getattr(graph, "_routing_seed", None)
    model = RoutingModel(graph, settings, seed[1] if seed is not None and seed[0] == key else None)
    graph._routing_model = (key, model)  # type: ignore[attr-defined]
    graph._routing_seed = None  # type: ignore[attr-defined]
    return model


def built_model(graph: ManifestGraph, settings: Settings) -> RoutingModel | None:
    """The routing model an earlier run built for ``graph`` and these settings, or None (never builds one)."""
    cached: tuple[tuple[object, ...], RoutingModel] | None = getattr(graph, "_routing_model", None)
    return cached[1] if cached is not None and cached[0] == _model_key(settings) else None


def follow(graph: ManifestGraph, previous: ManifestGraph) -> None:
    """Let ``graph`` build its routing model from ``previous``'s (or from the one ``previous``
    was given, when it built none): the language server's graph after an edit.

    Only the model is kept, never a chain of graphs: a model built from a seed drops it."""
    seed = getattr(previous, "_routing_model", None) or getattr(previous, "_routing_seed", None)
    graph._routing_seed = seed  # type: ignore[attr-defined]
