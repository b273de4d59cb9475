"""Every pod source of the input: which objects make pods, with which labels and ports.

One place decides it, in this order for each object:

1. built-in workloads (Pod, Deployment, ... ``model.POD_TEMPLATE_PATHS``): their template;
2. workload-like custom kinds with a template (``kube.workloads``: Argo Rollout, OpenShift
   DeploymentConfig, OpenKruise kinds); a Rollout's ``workloadRef`` runs the named
   Deployment's template;
3. custom resources the config declares (``pod-sources:``, ``settings.PodSource``);
4. custom resources operators turn into pods (``kube.operators``);
5. any other custom resource whose ``spec.template`` is a pod template (assumed).

Cluster snapshots: a Pod's ``ownerReferences`` (the controller one) name the workload it
belongs to, followed through objects of the input (Pod -> ReplicaSet -> Deployment). When
the input holds the Pods of a workload, they stand for it (their labels and IPs are the
real ones) and the workload's own template is not counted again.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from svclint.findings import ObjectRef
from svclint.kube.model import POD_TEMPLATE_PATHS, K8sObject, PodTemplate, get_path, string_map
from svclint.kube.operators import Lookup, operator_kind
from svclint.kube.workloads import (
    assumed_template,
    experiment_templates,
    is_custom,
    rollout_overlays,
    workload_kind,
    workload_ref,
)
from svclint.loading.source import FieldPath, parse_field_path
from svclint.settings import PodSource


def _template_at(obj: K8sObject, path: FieldPath, origin: str = "", holder: K8sObject | None = None) -> PodTemplate | None:
    source = holder if holder is not None else obj
    template = get_path(source.data, path) if path else source.data
    if not isinstance(template, dict):
        return None
    metadata = template.get("metadata")
    spec = template.get("spec")
    labels = string_map(metadata.get("labels")) if isinstance(metadata, dict) else {}
    found = PodTemplate(source, path, labels, spec if isinstance(spec, dict) else {}, origin=origin)
    if holder is not None:  # a Rollout running a Deployment's template: the pods are the Rollout's
        found.controller = obj.ref
        replicas = obj.spec.get("replicas")
        found.generated_replicas = replicas if isinstance(replicas, int) and not isinstance(replicas, bool) else 1
    return found


def _with_overlays(obj: K8sObject, base: PodTemplate) -> list[PodTemplate]:
    """A Rollout's pod sets: the template plus the labels its strategy adds (``rollout_overlays``)."""
    overlays = rollout_overlays(obj)
    if not overlays:
        return [base]
    out = []
    for _, labels in overlays:
        variant = PodTemplate(base.owner, base.path, {**base.labels, **labels}, base.spec, origin=base.origin)
        variant.controller, variant.generated_replicas = base.controller, base.generated_replicas
        out.append(variant)
    return out


def _declared(obj: K8sObject, source: PodSource) -> PodTemplate:
    """A template for a custom resource described by a ``pod-sources:`` entry."""
    labels = string_map(obj.get(source.labels)) if source.labels else {}
    for key, value in source.fixed_labels:
        labels[key] = value.replace("{name}", obj.name)
    containers: list[dict[str, Any]] = []
    found = obj.get(source.containers) if source.containers else None
    if isinstance(found, list):
        containers = [c for c in found if isinstance(c, dict)]
    if source.ports:
        ports = [{"name": n, "containerPort": p, "protocol": proto} for n, p, proto in source.ports]
        containers = [*containers, {"name": "declared-ports", "ports": ports}]
    replicas = obj.get(source.replicas) if source.replicas else None
    count = replicas if isinstance(replicas, int) and not isinstance(replicas, bool) else source.default_replicas
    path = parse_field_path(source.labels)[:-2] if source.labels and source.labels.endswith("metadata.labels") else ()
    return PodTemplate(
        obj, path, labels, {"containers": containers},
        origin=f"pods declared in the configuration (pod-sources: {source.kind}.{source.group})",
        generated=True, generated_replicas=count,
    )


def _operator_templates(obj: K8sObject, lookup: Lookup) -> list[PodTemplate]:
    entry = operator_kind(obj)
    if entry is None:
        return []
    out = []
    for pods in entry.pods(obj, lookup):
        out.append(PodTemplate(
            obj, pods.labels_at, pods.labels, {"containers": pods.containers},
            origin=f"created by {entry.operator} as {pods.workload}, {entry.source}",
            generated=True, generated_replicas=pods.replicas,
        ))
    return out


def templates_of(obj: K8sObject, pod_sources: Iterable[PodSource], lookup: Lookup) -> list[PodTemplate]:
    """The pod templates ``obj`` stands for (none when it makes no pods)."""
    path = POD_TEMPLATE_PATHS.get(obj.kind)
    if path is not None:
        found = _template_at(obj, path)
        return [found] if found is not None else []
    kind = workload_kind(obj)
    if kind is not None:
        ref = workload_ref(obj)
        if ref is not None and obj.spec.get("template") is None:
            deployment = lookup(ref[0], obj.namespace, ref[1])
            if deployment is None:
                return []
            found = _template_at(obj, POD_TEMPLATE_PATHS["Deployment"], kind.origin, holder=deployment)
        else:
            found = _template_at(obj, kind.template)
            if found is not None and kind.kind == "DeploymentConfig":
                # podLabels[DeploymentConfigLabel] = config.Name (openshift/library-go
                # pkg/apps/appsutil/util.go MakeDeployment); "deployment" is NAME-VERSION,
                # matched as a controller label (model.PodTemplate.controller_label_matches).
                found.labels = {**found.labels, "deploymentconfig": obj.name}
        return _with_overlays(obj, found) if found is not None else []
    experiments = experiment_templates(obj)
    if experiments:
        return [t for t in (_template_at(obj, path, "Argo Rollouts Experiment") for path in experiments) if t is not None]
    for source in pod_sources:
        if obj.manifest_kind == source.kind and obj.group == source.group:
            return [_declared(obj, source)]
    generated = _operator_templates(obj, lookup)
    if generated:
        return generated
    assumed = assumed_template(obj)
    if assumed is not None:
        found = _template_at(obj, assumed, f"assumed: a {obj.manifest_kind} ({obj.group}) with a pod template at spec.template")
        return [found] if found is not None else []
    return []


# -- cluster snapshots: ownerReferences ------------------------------------------------------------


def controller_of(obj: K8sObject) -> tuple[str, str] | None:
    """(kind, name) of the controller ownerReference (``controller: true``), Nodes aside.

    A mirror Pod's owner is its Node; netpol-analyzer ignores that owner too
    (pkg/netpol/eval/internal/k8s/pod.go addPodOwner).
    """
    refs = get_path(obj.data, ("metadata", "ownerReferences"))
    for ref in refs if isinstance(refs, list) else ():
        if isinstance(ref, dict) and ref.get("controller") is True:
            kind, name = ref.get("kind"), ref.get("name")
            if not isinstance(kind, str) or not kind:
                kind = "Pod"  # no kind: netpol-analyzer names the workload ``ns/owner[Pod]`` (WorkloadPeer.Kind)
            if isinstance(name, str) and name and kind != "Node":
                return kind, name
    return None


def owning_workload(obj: K8sObject, lookup: Lookup) -> tuple[ObjectRef | None, list[K8sObject]]:
    """The workload a Pod belongs to, and the objects of the input on the way.

    Followed through the input (a ReplicaSet of the input owned by a Deployment makes its
    Pods the Deployment's); an owner not in the input is named as the reference says.
    """
    chain: list[K8sObject] = []
    owner = controller_of(obj)
    ref: ObjectRef | None = None
    for _ in range(4):  # Pod -> ReplicaSet -> Deployment (-> a custom controller)
        if owner is None:
            break
        kind, name = owner
        ref = ObjectRef(kind, obj.namespace, name, "")
        found = lookup(kind, obj.namespace, name)
        if found is None:
            break
        chain.append(found)
        owner = controller_of(found)
    return ref, chain


def owned_in_input(obj: K8sObject, lookup: Lookup) -> bool:
    """A workload whose controller (ownerReference) is an object of the input: its pods are the owner's."""
    owner = controller_of(obj)
    return owner is not None and lookup(owner[0], obj.namespace, owner[1]) is not None


def pod_ips(obj: K8sObject) -> tuple[str, ...]:
    """``status.podIPs[*].ip`` (or ``status.podIP``) of a Pod from a snapshot; hostNetwork pods have none of their own."""
    status = obj.data.get("status")
    if not isinstance(status, dict) or get_path(obj.data, ("spec", "hostNetwork")) is True:
        return ()
    ips: list[str] = []
    many = status.get("podIPs")
    for item in many if isinstance(many, list) else ():
        ip = item.get("ip") if isinstance(item, dict) else None
        if isinstance(ip, str) and ip not in ips:
            ips.append(ip)
    one = status.get("podIP")
    if isinstance(one, str) and one and one not in ips:
        ips.insert(0, one)
    return tuple(ips)



def unmodelled_hint(resources: list[K8sObject], what: str = "these pods") -> str:
    """``; Redis shop/cache (cache.example.com) is a custom resource ...``: why a miss may not be one."""
    if not resources:
        return ""
    first = resources[0]
    more = f" (and {len(resources) - 1} more)" if len(resources) > 1 else ""
    return (
        f"; but {first.manifest_kind} {first.namespace}/{first.name} ({first.group}){more} is a custom resource "
        f"svclint does not model and may run {what}: if its operator creates them, declare the kind under "
        f"`pod-sources:` in .svclint.yaml"
    )


def service_maker(objects: Iterable[K8sObject], namespace: str | None, service: str) -> K8sObject | None:
    """A custom resource in ``namespace`` whose operator may create the Service ``service``.

    Operators name the Services they create after their resource: KAITO's Workspace ``x``
    makes Service ``x``, CloudNativePG's Cluster ``pg`` makes ``pg-rw``, Strimzi's Kafka ``k``
    makes ``k-kafka-bootstrap``, ECK's Elasticsearch ``es`` makes ``es-es-http``. svclint does
    not model those Services, so a reference to a missing Service named so is uncertain.
    """
    for obj in objects:
        if (
            obj.namespace == namespace
            and is_custom(obj)
            and not obj.group.endswith("k8s.io")
            and (service == obj.name or service.startswith(f"{obj.name}-"))
        ):
            return obj
    return None


def service_maker_hint(maker: K8sObject) -> str:
    return (
        f"; {maker.manifest_kind} {maker.namespace}/{maker.name} ({maker.group}) is a custom resource whose "
        f"operator may create it: svclint does not model the Services operators create"
    )
