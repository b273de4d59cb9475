"""SVC108 statefulset-service-invalid."""

from __future__ import annotations

from collections.abc import Iterator

from svclint.findings import Severity
from svclint.kube.endpoints import endpoint_selector, selected_templates
from svclint.kube.services import is_external_name, is_headless
from svclint.lint.checks.otherunits import only_in, unit_with_service
from svclint.lint.rule import Related, Rule, RuleContext, Violation


class StatefulSetServiceInvalid(Rule):
    """## What it does
    Reports a StatefulSet whose `spec.serviceName` names no Service in its namespace, a
    Service that is not headless (`clusterIP: None`), or a headless Service whose
    selector does not select the StatefulSet's pods. A StatefulSet without `serviceName`
    is not reported: the API server does not require it (k8s.io/kubernetes
    pkg/apis/apps/validation/validation.go `ValidateStatefulSetSpec` has no check), it
    only means the pods get no stable DNS names.

    ## Why is this bad?
    Each pod gets `hostname = <pod>` and `subdomain = serviceName`
    (pkg/controller/statefulset/stateful_set_utils.go `initIdentity`), but
    `<pod>.<serviceName>.<namespace>.svc` only resolves through a headless Service of that
    name that selects the pods (k8s-semantics §4). Peers that find each other by those
    names (databases, Kafka, ZooKeeper) fail to form a cluster.
    """

    id = "SVC108"
    name = "statefulset-service-invalid"
    summary = "A StatefulSet's serviceName names no Service, a non-headless one, or one not selecting its pods"
    severity = Severity.WARNING
    namespaced = True
    tags = ("workloads", "services", "dns")

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        for sts in ctx.focused_kind("StatefulSet"):
            name = sts.spec.get("serviceName")
            if not isinstance(name, str) or not name:
                continue
            where = f"StatefulSet {sts.namespace}/{sts.name}"
            dns = f"{sts.name}-0.{name}.{sts.namespace}.svc"
            service = ctx.graph.get("Service", sts.namespace, name)
            if service is None:
                elsewhere = sorted(
                    str(s.namespace) for s in ctx.graph.of_kind("Service") if s.name == name and s.namespace != sts.namespace
                )
                hint = f" (a Service {name!r} exists in namespace {elsewhere[0]!r})" if elsewhere else ""
                other_unit = unit_with_service(ctx.load, sts.namespace, name)
                yield ctx.report(
                    f"serviceName {name!r} of {where} names no Service in namespace {sts.namespace!r}{hint}, so "
                    f"pod names like {dns} do not resolve; add a headless Service {name!r} (clusterIP: None) "
                    f"selecting its pods{only_in(other_unit, 'it is') if other_unit else ''}",
                    sts,
                    "spec.serviceName",
                    uncertain=other_unit is not None,
                )
                continue
            related = [Related(f"Service {service.namespace}/{service.name}", service, "metadata.name")]
            if is_external_name(service) or not is_headless(service):
                kind = "an ExternalName Service" if is_external_name(service) else "not headless"
                yield ctx.report(
                    f"serviceName {name!r} of {where} names Service {service.namespace}/{service.name}, which is "
                    f"{kind}, so pod names like {dns} do not resolve; give the StatefulSet its own headless "
                    f"Service (clusterIP: None)",
                    sts,
                    "spec.serviceName",
                    related,
                )
                continue
            template = ctx.graph.template_of(sts)
            if endpoint_selector(service) and template is not None and template not in selected_templates(ctx.graph, service):
                yield ctx.report(
                    f"serviceName {name!r} of {where} names headless Service {service.namespace}/{service.name}, "
                    f"whose selector does not select the StatefulSet's pods, so pod names like {dns} do not "
                    f"resolve; make the Service selector match the pod template labels",
                    sts,
                    "spec.serviceName",
                    [Related(f"selector of Service {service.namespace}/{service.name}", service, "spec.selector")],
                )
