"""SVC103 workload-selector-mismatch."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from svclint.findings import Severity
from svclint.kube.model import K8sObject, PodTemplate, get_path, string_map
from svclint.kube.selectors import LabelSelector, SelectorError
from svclint.lint.checks.strict import misplaced_here, misspelled_here
from svclint.lint.rule import Related, Rule, RuleContext, Violation
from svclint.loading.source import FieldPath, format_field_path

# apps/v1 kinds whose spec.selector is required and may not be empty. The "empty selector"
# messages are the API server's own, including ReplicaSet's "for deployment"
# (k8s.io/kubernetes pkg/apis/apps/validation/validation.go ValidateDeploymentSpec,
# ValidateReplicaSetSpec, ValidateStatefulSetSpec, ValidateDaemonSetSpec).
APPS_KINDS = {
    "Deployment": "deployment",
    "ReplicaSet": "deployment",
    "StatefulSet": "statefulset",
    "DaemonSet": "daemonset",
}
MISMATCH = "`selector` does not match template `labels`"
JOB_NAME_KEYS = ("job-name", "batch.kubernetes.io/job-name")
JOB_UID_KEYS = ("controller-uid", "batch.kubernetes.io/controller-uid")


def _missing(selector: LabelSelector, labels: dict[str, str]) -> str:
    """Which selector terms the template labels fail, for the message."""
    parts = []
    for key, value in selector.match_labels:
        have = labels.get(key)
        if have is None:
            parts.append(f"the template has no label {key!r} (selector wants {key}={value})")
        elif have != value:
            parts.append(f"the template has {key}={have}, the selector wants {key}={value}")
    for requirement in selector.requirements:
        if not requirement.matches(labels):
            parts.append(f"the template labels fail the expression {requirement}")
    return "; ".join(parts)


class WorkloadSelectorMismatch(Rule):
    """## What it does
    Reports a workload the API server rejects because its selector and its pod template
    disagree, with the server's own message:

    - Deployment, ReplicaSet, StatefulSet, DaemonSet (`apps/v1`): `spec.selector` missing
      or empty (`empty selector is invalid for deployment`), or not matching
      `spec.template.metadata.labels` (`` `selector` does not match template `labels` ``).
      Older API versions defaulted a missing selector from the template labels.
    - ReplicationController: a given `spec.selector` map must match the template labels
      (a missing one is defaulted from them).
    - Job (and a CronJob's `jobTemplate`): with `manualSelector: true` the selector is
      required and must match the template labels; without it, a selector of your own is
      rejected as `` `selector` not auto-generated `` (the Job controller generates it).

    ## Why is this bad?
    `kubectl apply` fails for the whole object, so the workload never runs. When a
    selector is wider than the template, Kubernetes would also adopt or count pods that
    belong to someone else, which is why the API forbids it.
    """

    id = "SVC103"
    name = "workload-selector-mismatch"
    summary = "A workload's selector does not match its own pod template labels"
    severity = Severity.ERROR
    namespaced = True
    tags = ("workloads",)

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        for obj in ctx.focused_kind("Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job", "CronJob", "ReplicationController"):
            template = ctx.graph.template_of(obj)
            if template is None:
                continue
            spec_path = template.path[:-1]
            spec = get_path(obj.data, spec_path)
            if not isinstance(spec, dict):
                continue
            if obj.kind == "ReplicationController":
                yield from self._replication_controller(ctx, obj, template, spec, spec_path)
            elif obj.kind in ("Job", "CronJob"):
                yield from self._job(ctx, obj, template, spec, spec_path)
            elif obj.group == "apps":
                yield from self._apps(ctx, obj, template, spec, spec_path)

    def _apps(self, ctx: RuleContext, obj: K8sObject, template: PodTemplate, spec: dict[str, Any], spec_path: FieldPath) -> Iterator[Violation]:
        at = spec_path + ("selector",)
        raw = spec.get("selector")
        if raw is None:
            if misplaced_here(ctx, obj, at):
                return  # a selector written under template: SVC008
            if obj.api_version != "apps/v1":
                return  # apps/v1beta1, v1beta2: defaulted from the template labels
            # ValidateDaemonSetSpec has no Required check: a nil selector matches nothing.
            what = (
                f"{format_field_path(template.path + ('metadata', 'labels'))}: Invalid value: {MISMATCH}"
                if obj.kind == "DaemonSet"
                else f"{format_field_path(at)}: Required value"
            )
            yield ctx.report(
                f"{what}: {obj.kind} {obj.namespace}/{obj.name} has no spec.selector, which apps/v1 requires; "
                f"add matchLabels with its pod template labels ({_labels_text(template.labels)})",
                obj,
                at,
            )
            return
        selector = _parse(raw)
        if selector is None:
            return
        if selector.is_empty:
            if any(misspelled_here(ctx, obj, at, field) for field in ("matchLabels", "matchExpressions")):
                return  # matchlabel: SVC008
            yield ctx.report(
                f"{format_field_path(at)}: Invalid value: empty selector is invalid for {APPS_KINDS[obj.kind]}; add matchLabels "
                f"with its pod template labels ({_labels_text(template.labels)})",
                obj,
                at,
            )
            return
        yield from self._match(ctx, obj, template, selector, at)

    def _replication_controller(self, ctx: RuleContext, obj: K8sObject, template: PodTemplate, spec: dict[str, Any], spec_path: FieldPath) -> Iterator[Violation]:
        selector = string_map(spec.get("selector"))
        if not selector:
            return  # SetDefaults_ReplicationController copies the template labels
        parsed = LabelSelector(tuple(sorted(selector.items())))
        yield from self._match(ctx, obj, template, parsed, spec_path + ("selector",))

    def _job(self, ctx: RuleContext, obj: K8sObject, template: PodTemplate, spec: dict[str, Any], spec_path: FieldPath) -> Iterator[Violation]:
        at = spec_path + ("selector",)
        raw = spec.get("selector")
        if spec.get("manualSelector") is True:
            if raw is None:
                yield ctx.report(
                    f"{format_field_path(at)}: Required value: {obj.kind} {obj.namespace}/{obj.name} sets manualSelector: true "
                    f"but no selector; add one matching its pod template labels, or drop manualSelector",
                    obj,
                    at,
                )
                return
            selector = _parse(raw)
            if selector is not None and not selector.is_empty:
                yield from self._match(ctx, obj, template, selector, at)
            return
        if raw is None:
            return
        selector = _parse(raw)
        if selector is None:
            return
        # pkg/apis/batch/validation ValidateGeneratedSelector: without manualSelector the
        # selector must select only the labels the Job controller generates (job-name and
        # controller-uid). The uid is unknowable here, so a selector naming it is left alone.
        keys = {k for k, _ in selector.match_labels} | {r.key for r in selector.requirements}
        if keys & set(JOB_UID_KEYS):
            return
        expected = dict.fromkeys(JOB_NAME_KEYS, obj.name) if obj.kind == "Job" else {}
        if obj.kind == "CronJob" and keys & set(JOB_NAME_KEYS):
            return  # job names carry a schedule suffix
        if selector.matches(expected):
            return
        yield ctx.report(
            f"{format_field_path(at)}: Invalid value: `selector` not auto-generated: {obj.kind} {obj.namespace}/{obj.name} "
            f"sets a selector ({selector}) without manualSelector: true; remove the selector and let the Job "
            f"controller generate one, or set manualSelector: true",
            obj,
            at,
        )

    def _match(self, ctx: RuleContext, obj: K8sObject, template: PodTemplate, selector: LabelSelector, selector_at: FieldPath) -> Iterator[Violation]:
        if selector.matches(template.labels):
            return
        yield ctx.report(
            f"{format_field_path(template.path + ('metadata', 'labels'))}: Invalid value: {MISMATCH}: {obj.kind} {obj.namespace}/{obj.name} "
            f"selects {selector} but {_missing(selector, template.labels)}; make the template labels "
            f"include every selector label",
            template,
            ("metadata", "labels"),
            [Related(f"selector of {obj.ref}", obj, selector_at)],
        )


def _parse(raw: Any) -> LabelSelector | None:
    try:
        return LabelSelector.parse(raw)
    except SelectorError:
        return None  # malformed selectors are SVC002's business


def _labels_text(labels: dict[str, str]) -> str:
    return ", ".join(f"{k}={v}" for k, v in sorted(labels.items())) or "none yet"
