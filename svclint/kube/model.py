"""The objects svclint reasons about: Kubernetes objects and the pod templates inside them."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from svclint.findings import Location, ObjectRef
from svclint.kube.podports import (
    CONTAINER,
    INIT,
    SIDECAR,
    Container,
    ContainerPort,
    walk_containers,
    walk_ports,
)
from svclint.loading.source import (
    Attribution,
    DocumentSpan,
    FieldPath,
    Source,
    parse_field_path,
)

# Kinds that live outside namespaces (the ones a manifest repository plausibly holds).
CLUSTER_SCOPED_KINDS = frozenset(
    {
        "APIService",
        "CertificateSigningRequest",
        "ClusterIssuer",
        "ClusterRole",
        "ClusterRoleBinding",
        "ComponentStatus",
        "CSIDriver",
        "CSINode",
        "CustomResourceDefinition",
        "FlowSchema",
        "GatewayClass",
        "IngressClass",
        "MutatingWebhookConfiguration",
        "Namespace",
        "Node",
        "PersistentVolume",
        "PodSecurityPolicy",
        "PriorityClass",
        "PriorityLevelConfiguration",
        "RuntimeClass",
        "StorageClass",
        "ValidatingAdmissionPolicy",
        "ValidatingAdmissionPolicyBinding",
        "ValidatingWebhookConfiguration",
        "VolumeAttachment",
    }
)

# Workload kind -> path of its pod template (metadata + spec) inside the object.
POD_TEMPLATE_PATHS: Mapping[str, FieldPath] = {
    "Pod": (),
    "Deployment": ("spec", "template"),
    "ReplicaSet": ("spec", "template"),
    "StatefulSet": ("spec", "template"),
    "DaemonSet": ("spec", "template"),
    "Job": ("spec", "template"),
    "ReplicationController": ("spec", "template"),
    "CronJob": ("spec", "jobTemplate", "spec", "template"),
}


# Built-in kinds and the API groups that serve them. A custom resource that reuses one of
# these names (a Knative ``serving.knative.dev`` Service, a Calico ``projectcalico.org``
# NetworkPolicy) is a different object: its kind is qualified with its group
# (``Service.serving.knative.dev``, as kubectl names resources) so no rule mistakes it for
# the built-in one.
BUILTIN_KIND_GROUPS: Mapping[str, frozenset[str]] = {
    **{kind: frozenset({""}) for kind in (
        "ConfigMap", "Endpoints", "LimitRange", "Namespace", "PersistentVolume", "PersistentVolumeClaim",
        "Pod", "PodTemplate", "ReplicationController", "ResourceQuota", "Secret", "Service", "ServiceAccount",
    )},
    **{kind: frozenset({"apps", "extensions"}) for kind in ("Deployment", "ReplicaSet", "DaemonSet")},
    "StatefulSet": frozenset({"apps"}),
    "Job": frozenset({"batch"}),
    "CronJob": frozenset({"batch"}),
    "NetworkPolicy": frozenset({"networking.k8s.io", "extensions"}),
    "Ingress": frozenset({"networking.k8s.io", "extensions"}),
    "IngressClass": frozenset({"networking.k8s.io"}),
    "EndpointSlice": frozenset({"discovery.k8s.io"}),
    **{kind: frozenset({"gateway.networking.k8s.io"}) for kind in (
        "Gateway", "GatewayClass", "HTTPRoute", "GRPCRoute", "TCPRoute", "TLSRoute", "UDPRoute", "ReferenceGrant",
    )},
}


def qualified_kind(kind: str, api_version: str) -> str:
    """``kind``, or ``kind.group`` when a custom resource reuses a built-in kind's name."""
    groups = BUILTIN_KIND_GROUPS.get(kind)
    group = api_group(api_version)
    if groups is None or group in groups:
        return kind
    return f"{kind}.{group}"


def api_group(api_version: str) -> str:
    """``apps/v1`` -> ``apps``; ``v1`` -> ``""`` (the core group)."""
    return api_version.rsplit("/", 1)[0] if "/" in api_version else ""


def get_path(data: Any, path: FieldPath) -> Any:
    """The value at ``path`` inside nested dicts/lists, or None when any step is missing."""
    for part in path:
        if isinstance(part, int):
            if not isinstance(data, list) or not 0 <= part < len(data):
                return None
        elif not isinstance(data, dict):
            return None
        data = data[part] if isinstance(part, int) else data.get(part)
    return data


def string_map(value: Any) -> dict[str, str]:
    """Labels/annotations/selectors as str -> str, dropping entries Kubernetes would reject."""
    if not isinstance(value, dict):
        return {}
    return {k: v for k, v in value.items() if isinstance(k, str) and isinstance(v, str)}


@dataclass(eq=False)
class K8sObject:
    """One Kubernetes object from one document (or one item of a ``kind: List``)."""

    api_version: str
    kind: str
    name: str
    namespace: str | None
    data: dict[str, Any]
    source: Source
    span: DocumentSpan
    doc_index: int  # index of the document within its file
    base_path: FieldPath = ()  # ("items", 3) for the 4th item of a List
    labels: dict[str, str] = field(default_factory=dict)
    annotations: dict[str, str] = field(default_factory=dict)
    attribution: Attribution | None = None  # rendered by kustomize: report in the user's files

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled (``lint.replay``'s snapshots) as its fields alone, without the facts this
        run's rules cached on it; a tuple loads faster than the instance's dict."""
        return (
            K8sObject,
            (
                self.api_version, self.kind, self.name, self.namespace, self.data, self.source, self.span,
                self.doc_index, self.base_path, self.labels, self.annotations, self.attribution,
            ),
        )

    @property
    def group(self) -> str:
        return api_group(self.api_version)

    @property
    def manifest_kind(self) -> str:
        """``kind`` exactly as the manifest spells it (``kind`` may be group-qualified)."""
        value = self.data.get("kind")
        return value if isinstance(value, str) else self.kind

    @property
    def ref(self) -> ObjectRef:
        return ObjectRef(self.kind, self.namespace, self.name, self.group)

    @property
    def spec(self) -> dict[str, Any]:
        spec = self.data.get("spec")
        return spec if isinstance(spec, dict) else {}

    def get(self, path: str | FieldPath) -> Any:
        parts = parse_field_path(path) if isinstance(path, str) else path
        return get_path(self.data, parts)

    def location(self, path: str | FieldPath = ()) -> Location:
        """Exact 1-based location of ``path`` (or its nearest existing parent)."""
        parts = parse_field_path(path) if isinstance(path, str) else path
        if self.attribution is not None:
            return self.attribution.locate(self.base_path + parts)
        line, column = self.source.locate(self.span, self.base_path + parts)
        return self.source.location(line, column)

    def value_node(self, path: FieldPath) -> Any:
        """The YAML node of the value at ``path`` as written (text, style), or None."""
        return self.source.value_node(self.span, self.base_path + path)

    def value_location(self, path: FieldPath) -> Location:
        """Location of the value (not its key) at ``path``; the key's when rendered elsewhere."""
        if self.attribution is None:
            found = self.source.value_location(self.span, self.base_path + path)
            if found is not None:
                return self.source.location(*found)
        return self.location(path)

    def __repr__(self) -> str:
        return f"<{self.ref} at {self.source.path}#{self.doc_index}>"


@dataclass(eq=False)
class PodTemplate:
    """The pods a workload would create: labels and containers in one namespace."""

    owner: K8sObject
    path: FieldPath  # path of the template (metadata + spec) inside the owner
    labels: dict[str, str]
    spec: dict[str, Any]
    # Where the pods come from when not from a pod template written in ``owner``: the
    # operator (and its source file) that turns a custom resource into pods, or the
    # pod-sources entry that says so. Empty for templates written in the manifest.
    origin: str = ""
    generated: bool = False  # labels and containers computed from a table, not written by the user
    # Replicas when they are not the owner's spec.replicas: generated pods (the operator's
    # default applied), or a Rollout running a Deployment's template (the Rollout's count).
    generated_replicas: int | None = None
    controller: ObjectRef | None = None  # the workload owning these pods (ownerReferences), when not ``owner``
    pod_ips: tuple[str, ...] = ()  # status.podIP / podIPs of a Pod from a cluster snapshot

    @property
    def namespace(self) -> str | None:
        return self.owner.namespace

    @property
    def workload(self) -> ObjectRef:
        """The workload these pods belong to, as reports and the matrix name it.

        A Pod of a cluster snapshot owned by a ReplicaSet of a Deployment is the
        Deployment (netpol-analyzer names it ``ns/name[Deployment]`` too).
        """
        return self.controller if self.controller is not None else self.owner.ref

    @property
    def replicas(self) -> int | None:
        """Declared replicas (None: not a scalable kind, or left to the default of 1)."""
        if self.generated or self.generated_replicas is not None:
            return self.generated_replicas
        value = self.owner.spec.get("replicas") if self.owner.kind != "Pod" else None
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    def all_containers(self) -> tuple[Container, ...]:
        """Every container, init containers first (API order); walked once per template."""
        cached = self.__dict__.get("_containers")
        if cached is None:
            cached = self.__dict__["_containers"] = tuple(walk_containers(self.spec, self.path))
        return cached

    def containers(self, include_sidecars: bool = True) -> Iterator[tuple[FieldPath, dict[str, Any], bool]]:
        """(path, container, is_sidecar): regular containers first, then sidecar init containers.

        This is the order the endpoint controller searches named ports in
        (k8s.io/kubernetes pkg/api/v1/pod/util.go FindPort). Plain init containers never serve.
        Part of the plugin API: rules outside svclint iterate it.
        """
        every = self.all_containers()
        for c in every:
            if c.kind == CONTAINER:
                yield c.path, c.spec, False
        if include_sidecars:
            for c in every:
                if c.kind == SIDECAR:
                    yield c.path, c.spec, True

    def plain_init_containers(self) -> Iterator[tuple[FieldPath, dict[str, Any], bool]]:
        """(path, container, False) for init containers that are not sidecars: they never serve."""
        for c in self.all_containers():
            if c.kind == INIT:
                yield c.path, c.spec, False

    def declared_ports(self) -> tuple[ContainerPort, ...]:
        """Every declared port, API order (init containers first); walked once per template."""
        cached = self.__dict__.get("_declared_ports")
        if cached is None:
            cached = self.__dict__["_declared_ports"] = tuple(walk_ports(self.spec, self.path))
        return cached

    def ports(self, containers: Iterable[tuple[FieldPath, dict[str, Any], bool]] | None = None) -> list[ContainerPort]:
        """Ports of the serving containers in FindPort order (or of ``containers``); protocol defaults to TCP.

        Computed once per template: several rules ask for every (Service port, selected
        template) pair.
        """
        if containers is not None:
            declared = self.declared_ports()
            return [p for path, _, _ in containers for p in declared if p.path[:-2] == path]
        cached = self.__dict__.get("_serving_ports")
        if cached is None:
            declared = self.declared_ports()
            serving = [p for p in declared if p.kind == CONTAINER]
            if len(serving) < len(declared):
                serving += [p for p in declared if p.kind == SIDECAR]
            cached = self.__dict__["_serving_ports"] = tuple(serving)
        return list(cached)

    def mounted_config_maps(self) -> list[str]:
        """Names of the ConfigMaps the pod mounts (``configMap`` and ``projected`` volumes), in
        volume order, each once: where an app's configuration files come from."""
        names: list[str] = []
        for volume in self.spec.get("volumes") or ():
            if not isinstance(volume, dict):
                continue
            sources = [volume.get("configMap")]
            projected = volume.get("projected")
            if isinstance(projected, dict):
                sources += [s.get("configMap") for s in projected.get("sources") or () if isinstance(s, dict)]
            for source in sources:
                name = source.get("name") if isinstance(source, dict) else None
                if isinstance(name, str) and name not in names:
                    names.append(name)
        return names

    def plain_init_ports(self) -> list[ContainerPort]:
        """Ports declared on init containers that are not sidecars (they never receive traffic)."""
        return [p for p in self.declared_ports() if p.kind == INIT]

    def container_of(self, port: ContainerPort) -> Container:
        """The container that declares ``port``."""
        path = port.path[:-2]  # (..., "containers", i, "ports", j) -> (..., "containers", i)
        by_path: dict[FieldPath, Container] | None = self.__dict__.get("_containers_by_path")
        if by_path is None:  # indexed once: linear in containers, not containers * ports
            by_path = self.__dict__["_containers_by_path"] = {}
            for container in self.all_containers():
                by_path.setdefault(container.path, container)
        return by_path[path]

    def find_named_port(self, name: str, protocol: str) -> ContainerPort | None:
        """The container port a named targetPort resolves to (first match wins).

        Indexed once per template: a Service of N named ports on a pod of N ports is N
        lookups, not N*N comparisons (16k ports took 27 s before)."""
        index: dict[tuple[str | None, str], ContainerPort] | None = self.__dict__.get("_named_ports")
        if index is None:
            index = {}
            for port in self.ports():
                index.setdefault((port.name, port.protocol), port)
            self.__dict__["_named_ports"] = index
        return index.get((name, protocol))

    def location(self, path: FieldPath = ()) -> Location:
        return self.owner.location(self.path + path)

    def controller_label_matches(self, key: str, value: str) -> bool | None:
        """Whether pods get label ``key=value`` from their controller (None: not such a label).

        Controllers add labels the template does not show (k8s-semantics §3): a Service
        selecting ``statefulset.kubernetes.io/pod-name: web-0`` is a valid per-pod Service.
        Hash and uid values are unknowable statically, so any value is accepted there.
        """
        kind, name = self.owner.kind, self.owner.name
        replicas = self.replicas if self.replicas is not None else 1
        if key == "pod-template-hash":
            return kind in ("Deployment", "ReplicaSet")
        if key == "controller-revision-hash":
            return kind in ("StatefulSet", "DaemonSet")
        if key == "statefulset.kubernetes.io/pod-name":
            return kind == "StatefulSet" and value in {f"{name}-{i}" for i in range(replicas)}
        if key == "apps.kubernetes.io/pod-index":
            return kind == "StatefulSet" and value in {str(i) for i in range(replicas)}
        if key in ("job-name", "batch.kubernetes.io/job-name"):
            return (kind == "Job" and value == name) or (kind == "CronJob" and value.startswith(name + "-"))
        if key in ("controller-uid", "batch.kubernetes.io/controller-uid"):
            return kind in ("Job", "CronJob")
        if key == "deployment":  # OpenShift: the ReplicationController NAME-VERSION of a DeploymentConfig
            suffix = value[len(name) + 1:] if value.startswith(name + "-") else ""
            return kind == "DeploymentConfig" and suffix.isdigit()
        return None

    def __repr__(self) -> str:
        return f"<PodTemplate of {self.owner.ref}>"


CONTROLLER_LABEL_KEYS = frozenset(
    {
        "pod-template-hash",
        "controller-revision-hash",
        "statefulset.kubernetes.io/pod-name",
        "apps.kubernetes.io/pod-index",
        "job-name",
        "batch.kubernetes.io/job-name",
        "controller-uid",
        "batch.kubernetes.io/controller-uid",
        "deployment",
    }
)
