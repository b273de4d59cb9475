"""Workload kinds beyond the built-in ones whose pods come from a pod template in the object.

Each entry names the kind, its API groups and where its pod template is; the template is
read exactly like a Deployment's (labels from ``metadata.labels``, containers and ports from
``spec``). Sources, read for each entry:

* Argo Rollouts ``argoproj.io`` Rollout: ``spec.template``, or ``spec.workloadRef`` naming a
  Deployment whose template the Rollout then runs (pkg/apis/rollouts/v1alpha1/types.go,
  RolloutSpec.Template / WorkloadRef; rollout/controller.go resolves the referenced template).
  The pods get labels beyond the template's: ``strategy.canary.canaryMetadata`` /
  ``stableMetadata`` and ``strategy.blueGreen.previewMetadata`` / ``activeMetadata`` are added
  to the canary (preview) and stable (active) pods, and an experiment step's
  ``templates[*].metadata.labels`` to the pods it runs (types.go CanaryStrategy,
  BlueGreenStrategy, RolloutExperimentTemplate.Metadata); each is a template of its own.
  An Experiment (``argoproj.io``) runs ``spec.templates[*].template`` (experiment_types.go).
* OpenShift ``apps.openshift.io`` DeploymentConfig (also the legacy group ``""`` of
  ``apiVersion: v1``): ``spec.template``; ``spec.selector`` is a plain map and ``replicas`` an
  int (openshift/api apps/v1/types.go DeploymentConfigSpec).
* OpenKruise ``apps.kruise.io`` CloneSet, Advanced StatefulSet (``StatefulSet``, also
  ``apps.kruise.io/v1beta1``), Advanced DaemonSet (``DaemonSet``), BroadcastJob:
  ``spec.template`` (apis/apps/v1alpha1/cloneset_types.go, statefulset_types.go,
  daemonset_types.go, broadcastjob_types.go).

A custom resource of any other kind whose ``spec.template`` is a pod template (a mapping
with ``spec.containers`` a list) is assumed to run those pods too, with ``spec.replicas``:
kube-linter reads any such object the same way. Its templates carry an ``origin`` saying
the kind is not known, so messages can say the answer is an assumption.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from svclint.kube.model import POD_TEMPLATE_PATHS, K8sObject, get_path, string_map
from svclint.loading.source import FieldPath

TEMPLATE: FieldPath = ("spec", "template")


@dataclass(frozen=True)
class WorkloadKind:
    kind: str  # as the manifest spells it
    groups: frozenset[str]
    template: FieldPath
    origin: str


WORKLOAD_KINDS: tuple[WorkloadKind, ...] = (
    WorkloadKind("Rollout", frozenset({"argoproj.io"}), TEMPLATE, "Argo Rollouts"),
    WorkloadKind("DeploymentConfig", frozenset({"apps.openshift.io", ""}), TEMPLATE, "OpenShift"),
    WorkloadKind("CloneSet", frozenset({"apps.kruise.io"}), TEMPLATE, "OpenKruise"),
    WorkloadKind("StatefulSet", frozenset({"apps.kruise.io"}), TEMPLATE, "OpenKruise Advanced StatefulSet"),
    WorkloadKind("DaemonSet", frozenset({"apps.kruise.io"}), TEMPLATE, "OpenKruise Advanced DaemonSet"),
    WorkloadKind("BroadcastJob", frozenset({"apps.kruise.io"}), TEMPLATE, "OpenKruise"),
)

_BY_KIND: Mapping[tuple[str, str], WorkloadKind] = {(w.kind, g): w for w in WORKLOAD_KINDS for g in w.groups}


def workload_kind(obj: K8sObject) -> WorkloadKind | None:
    return _BY_KIND.get((obj.manifest_kind, obj.group))


def is_pod_template(value: Any) -> bool:
    """A mapping whose ``spec.containers`` is a list: what a PodTemplateSpec looks like."""
    spec = value.get("spec") if isinstance(value, dict) else None
    return isinstance(spec, dict) and isinstance(spec.get("containers"), list)


def is_custom(obj: K8sObject) -> bool:
    """A custom resource: not a kind svclint models as built-in (a group-qualified name counts as custom)."""
    return obj.kind not in POD_TEMPLATE_PATHS and "." in obj.group


def assumed_template(obj: K8sObject) -> FieldPath | None:
    """``spec.template`` of an unknown custom resource when it is a pod template."""
    if not is_custom(obj) or workload_kind(obj) is not None or obj.manifest_kind == "Experiment":
        return None
    return TEMPLATE if is_pod_template(get_path(obj.data, TEMPLATE)) else None


def rollout_overlays(obj: K8sObject) -> list[tuple[FieldPath, dict[str, str]]]:
    """(where, labels added) for each set of pods a Rollout runs besides its plain template.

    The first entry is the stable/active set (empty labels when no metadata is declared).
    """
    if obj.manifest_kind != "Rollout" or obj.group != "argoproj.io":
        return []
    strategy = obj.spec.get("strategy")
    strategy = strategy if isinstance(strategy, dict) else {}
    stable: dict[str, str] = {}
    out: list[tuple[FieldPath, dict[str, str]]] = []
    for name, stable_key, new_key in (("canary", "stableMetadata", "canaryMetadata"), ("blueGreen", "activeMetadata", "previewMetadata")):
        body = strategy.get(name)
        if not isinstance(body, dict):
            continue
        stable.update(string_map(get_path(body, (stable_key, "labels"))))
        labels = string_map(get_path(body, (new_key, "labels")))
        if labels:
            out.append((("spec", "strategy", name, new_key, "labels"), labels))
        steps = body.get("steps")
        for i, step in enumerate(steps if isinstance(steps, list) else ()):
            templates = get_path(step, ("experiment", "templates"))
            for j, template in enumerate(templates if isinstance(templates, list) else ()):
                labels = string_map(get_path(template, ("metadata", "labels")))
                if labels:
                    out.append((("spec", "strategy", name, "steps", i, "experiment", "templates", j, "metadata", "labels"), labels))
    return [(("spec", "template", "metadata", "labels"), stable), *out] if out or stable else []


def experiment_templates(obj: K8sObject) -> list[FieldPath]:
    """Paths of the pod templates an Argo Experiment runs."""
    if obj.manifest_kind != "Experiment" or obj.group != "argoproj.io":
        return []
    templates = obj.spec.get("templates")
    return [
        ("spec", "templates", i, "template")
        for i, t in enumerate(templates if isinstance(templates, list) else ())
        if is_pod_template(get_path(t, ("template",)))
    ]


def workload_ref(obj: K8sObject) -> tuple[str, str] | None:
    """(kind, name) of a Rollout's ``spec.workloadRef`` when it names a Deployment."""
    ref = obj.spec.get("workloadRef")
    if obj.manifest_kind != "Rollout" or not isinstance(ref, dict):
        return None
    kind, name = ref.get("kind"), ref.get("name")
    if kind == "Deployment" and isinstance(name, str) and name:
        return kind, name
    return None


# Keys of a custom resource's spec that suggest it runs pods (an operator's Cluster, a Helm
# release, a GitOps Application). Only used to admit uncertainty in messages, never to
# match selectors. ``numberOfInstances``: Zalando's postgresql; ``nodes``: Redis Enterprise's
# RedisEnterpriseCluster; ``members``: MongoDB Community; ``replicaCount``: Helm-style specs.
POD_HINT_KEYS = frozenset(
    {
        "replicas", "instances", "image", "containers", "template", "podTemplate", "podMetadata", "nodeSets", "chart",
        "values", "source", "numberOfInstances", "nodes", "members", "replicaCount",
    }
)


# Groups whose resources run pods although their spec's top level shows no hint (Strimzi's
# Kafka keeps replicas under spec.kafka / spec.zookeeper; its pods are not modelled yet).
POD_HINT_GROUPS = frozenset({"kafka.strimzi.io"})


def may_make_pods(obj: K8sObject) -> bool:
    """A custom resource svclint does not model whose spec looks like it runs pods, at its top
    level or one level down (Spotahome's RedisFailover: ``spec.redis.replicas``)."""
    if not is_custom(obj):
        return False
    spec = obj.spec
    return (
        obj.group in POD_HINT_GROUPS
        or any(key in spec for key in POD_HINT_KEYS)
        or any(isinstance(part, dict) and "replicas" in part for part in spec.values())
    )
