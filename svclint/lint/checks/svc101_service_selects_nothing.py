"""SVC101 service-selects-nothing."""

from __future__ import annotations

from collections.abc import Iterator

from svclint.findings import Severity
from svclint.kube.endpoints import endpoint_selector, selected_templates
from svclint.kube.graph import ManifestGraph
from svclint.kube.model import K8sObject, PodTemplate, string_map
from svclint.kube.selectors import label_differences
from svclint.kube.sources import unmodelled_hint
from svclint.lint.checks.affected import AnsweredByChange
from svclint.lint.checks.otherunits import only_in, unit_with_pods
from svclint.lint.rule import Option, Related, Replacement, Rule, RuleContext, Violation
from svclint.suggest import edit_distance


def _selector_text(selector: dict[str, str]) -> str:
    return ",".join(f"{k}={v}" for k, v in sorted(selector.items()))


def _nearest_miss(graph: ManifestGraph, service: K8sObject, selector: dict[str, str]) -> tuple[str, PodTemplate | None]:
    """Explain the closest pod template: which labels differ, or where the match lives."""
    elsewhere = [t for t in graph.select_pods_any_namespace(selector) if t.namespace != service.namespace]
    if elsewhere:
        t = elsewhere[0]
        return (
            f"; {t.owner.ref} in namespace {t.namespace!r} matches, but a Service only selects "
            f"pods in its own namespace ({service.namespace!r})",
            t,
        )
    templates = graph.labels.by_namespace.get(service.namespace, [])
    if not templates:
        return f"; there are no pod templates in namespace {service.namespace!r}", None

    def rank(t: PodTemplate) -> tuple[int, int, int, str]:
        """Most equal labels, then most shared keys, then the most similar values (typos)."""
        equal = sum(1 for k, v in selector.items() if t.labels.get(k) == v)
        keys = sum(1 for k in selector if k in t.labels)
        distance = sum(edit_distance(v, t.labels[k]) for k, v in selector.items() if k in t.labels)
        return (-equal, -keys, distance, str(t.owner.ref))

    best = min(templates, key=rank)
    if rank(best)[:2] == (0, 0):
        return "; no pod template has any of these labels", None
    differences = label_differences(sorted(selector.items()), best.labels)
    whose = f"whose generated pod template ({best.origin})" if best.generated else "whose pod template"
    text = f"; nearest is {best.owner.ref}, {whose} " + " and ".join(differences)
    owner_labels = string_map((best.owner.data.get("metadata") or {}).get("labels"))
    if best.owner.kind != "Pod" and all(owner_labels.get(k) == v for k, v in selector.items()):
        text += f" (the labels are on the {best.owner.kind}'s metadata, not on its pod template)"
    return text, best


class ServiceSelectsNothing(AnsweredByChange, Rule):
    """## What it does
    Reports a Service whose `spec.selector` matches no pod template in the Service's
    namespace, the way the endpoint controller matches: every selector label must be on the
    pod template with exactly that value, and only pods in the Service's own namespace
    count. The message names the nearest miss: which label differs on the closest pod
    template, or that matching pods live in another namespace.

    Pods count from every pod source svclint knows: the built-in workloads, Argo Rollouts,
    OpenShift DeploymentConfigs, OpenKruise workloads, the custom resources operators turn
    into pods (prometheus-operator's Prometheus, Alertmanager and ThanosRuler, CloudNativePG
    Cluster, RabbitmqCluster, ECK Elasticsearch and Kibana, Strimzi KafkaNodePool, KubeRay
    RayCluster), Pods of
    a cluster snapshot, and the kinds declared under `pod-sources:` in the configuration.
    When nothing matches but a custom resource svclint does not model sits in the
    namespace (its spec has `replicas`, `image`, `template`...), the finding says so,
    suggests `pod-sources:`, and is a note: the pods may exist. It is a note too when the
    Service's deployment unit has no pod template in the namespace at all and another unit
    of the run has pods with these labels (Services applied beside another unit's
    workloads); the message names that unit.

    Services without a selector (manual Endpoints) and ExternalName Services are not
    checked here. Labels that controllers add to pods (`statefulset.kubernetes.io/pod-name`,
    `pod-template-hash`, `job-name`...) match the workloads that would add them.

    ## Why is this bad?
    The Service gets no endpoints: every connection to it is refused or times out, and
    nothing says why until someone reads the labels side by side.
    """

    id = "SVC101"
    name = "service-selects-nothing"
    summary = "A Service selector matches no pod template in its namespace"
    severity = Severity.ERROR
    tags = ("services",)
    options = (
        Option(
            "ignored-labels",
            list,
            [],
            "Selector keys to leave out of the match (labels your platform adds to pods).",
        ),
    )

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        ignored = set(ctx.options.get("ignored-labels", []))
        for service in ctx.focused_kind("Service"):
            selector = endpoint_selector(service, ignored)
            if not selector or selected_templates(ctx.graph, service, ignored):
                continue
            unmodelled = ctx.graph.unmodelled(service.namespace)
            other_unit = unit_with_pods(ctx.load, service.namespace, selector)
            if unmodelled:
                hint, nearest = unmodelled_hint(unmodelled), None
            elif other_unit is not None:
                hint, nearest = only_in(other_unit, "pods with these labels are"), None
            else:
                hint, nearest = _nearest_miss(ctx.graph, service, selector)
            related = [Related(f"not modelled: {o.manifest_kind} {o.namespace}/{o.name}", o) for o in unmodelled[:3]]
            if nearest is not None:
                related.append(Related(f"nearest pod template: {nearest.owner.ref}", nearest.owner, nearest.path + ("metadata", "labels")))
            yield ctx.report(
                f"Service {service.namespace}/{service.name} selector {_selector_text(selector)} "
                f"matches no pod template in namespace {service.namespace!r}{hint}",
                service,
                "spec.selector",
                related,
                uncertain=bool(unmodelled) or other_unit is not None,
                fix=_label_fix(service, selector, nearest),
            )


def _label_fix(service: K8sObject, selector: dict[str, str], nearest: PodTemplate | None) -> Replacement | None:
    """When one selector value differs from the nearest pod template's label: that label's value."""
    if nearest is None or nearest.namespace != service.namespace:
        return None
    differing = [key for key, value in selector.items() if nearest.labels.get(key) != value]
    if len(differing) != 1 or differing[0] not in nearest.labels:
        return None
    key = differing[0]
    return Replacement(("spec", "selector", key), selector[key], nearest.labels[key])
