"""SVC501 service-reference-unresolved."""

from __future__ import annotations

from collections.abc import Iterator

from svclint.findings import Severity
from svclint.kube.model import K8sObject
from svclint.kube.objects import LoadResult
from svclint.kube.sources import service_maker, service_maker_hint
from svclint.lint.checks.affected import AnsweredByChange
from svclint.lint.checks.callsfocus import focused_references
from svclint.lint.rule import Rule, RuleContext, Violation
from svclint.routing.calls import LINKS_DISABLED, UNRESOLVED
from svclint.routing.model import routing_model
from svclint.suggest import is_close, nearest


class ServiceReferenceUnresolved(AnsweredByChange, Rule):
    """## What it does
    Reports a Service name a container gets (an `env` value, a ConfigMap key it reads
    through `valueFrom` or `envFrom`, an argument, a `.svc` name in a mounted ConfigMap)
    that resolves to no Service of the input, the way cluster DNS resolves it: a short
    name in the pod's own namespace, `name.ns` and longer forms in the namespace they
    name. Also a `$(NAME_SERVICE_HOST)` variable of a pod with `enableServiceLinks: false`,
    which the kubelet never sets. The finding is at the value that holds the name, and
    says when the same name exists in another namespace or a near name exists.

    Only address forms count (a URL, `host:port`, a broker list, a `.svc` name, a kubelet
    variable): localhost, IP addresses, external host names and plain words are never
    references (docs/routing.md, "Calls"). A warning, not an error: an app often names an
    optional service that this deployment leaves out; a note when the pod's namespace
    has no Service at all in the input (the app's Services are deployed elsewhere), when a
    same-named Service's manifest names no namespace (`kubectl apply -n` may put it there),
    when the pod's own manifest names no namespace and a same-named Service exists in
    another namespace (`kubectl apply -n` may put the pod there), when another deployment
    unit of the run defines the Service (the hint names it), and when a custom resource
    named like the Service sits in the namespace (its operator may create the Service).

    ## Why is this bad?
    The name does not resolve: every call fails with a DNS error, usually because of a
    typo, a renamed Service, or a short name used across namespaces.
    """

    id = "SVC501"
    name = "service-reference-unresolved"
    summary = "A Service name a container is given resolves to no Service"
    severity = Severity.WARNING
    tags = ("services", "calls")

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        model = routing_model(ctx.graph, ctx.settings)
        services = list(ctx.graph.of_kind("Service"))
        namespaces_with_services = {s.namespace for s in services}
        for item in focused_references(ctx, model):
            ref = item.reference
            if item.problem == LINKS_DISABLED:
                yield ctx.report(
                    f"{ref.origin} uses $({ref.variable}), but the pod sets enableServiceLinks: false: the kubelet "
                    f"does not set it (write the Service's DNS name, {ref.target.service}, instead)",
                    ref.holder,
                    ref.path,
                )
                continue
            if item.problem != UNRESOLVED:
                continue
            target = ref.target
            same_name = [s for s in services if s.name == target.service and s.namespace != target.namespace]
            unplaced = [s for s in same_name if not _namespace_written(s)]
            other_unit = ctx.load.elsewhere.get((target.namespace, target.service))
            maker = service_maker(ctx.graph.objects, target.namespace, target.service)
            moved = None if target.qualified else _movable_to(ref.template.owner, target.service, same_name, ctx.load)
            if other_unit is not None:  # an alternative deployment of the run defines it
                hint = f"; it exists only in another deployment unit of this run, {other_unit}"
            elif moved is not None:
                hint = (
                    f"; the manifest of {ref.template.workload} names no namespace, and Service {target.service} "
                    f"exists in namespace {moved}: applied with -n {moved}, the name resolves"
                )
            elif maker is not None:  # an operator makes it (KAITO Workspace, CNPG Cluster...)
                hint = service_maker_hint(maker)
            elif unplaced:  # kubectl apply -n may put it anywhere, target.namespace included
                hint = f"; Service {target.service}'s manifest names no namespace: applied with -n {target.namespace}, the name resolves"
            elif same_name:
                other = sorted(s.namespace or "" for s in same_name)[0]
                hint = f"; Service {target.service} exists in namespace {other}: write {target.service}.{other}"
            else:
                near = nearest(target.service, [s.name for s in services if s.namespace == target.namespace])
                hint = f"; did you mean {near}?" if near and _similar(target.service, near) else ""
            how = "" if target.qualified else f" (a short name resolves in the pod's namespace {target.namespace})"
            yield ctx.report(
                f"{ref.origin} names {ref.host}, but there is no Service "
                f"{target.key}{how}{hint}",
                ref.holder,
                ref.path,
                uncertain=(
                    target.namespace not in namespaces_with_services
                    or bool(unplaced)
                    or any(reason is not None for reason in (other_unit, maker, moved))
                ),
            )


def _similar(name: str, candidate: str) -> bool:
    """A likely typo or a renamed Service (``suggest`` -> ``suggestions``)."""
    return is_close(name, candidate) or (min(len(name), len(candidate)) >= 4 and (candidate.startswith(name) or name.startswith(candidate)))


def _movable_to(pod_owner: K8sObject, service: str, same_name: list[K8sObject], load: LoadResult) -> str | None:
    """The namespace of a same-named Service (in this unit, else in another) when the pod's
    manifest names no namespace: `kubectl apply -n NS` may put the pod beside it."""
    if _namespace_written(pod_owner):
        return None
    here = sorted(s.namespace or "" for s in same_name)
    return here[0] if here else next((ns for ns, name in sorted(load.elsewhere) if name == service), None)


def _namespace_written(obj: K8sObject) -> bool:
    metadata = obj.data.get("metadata")
    return isinstance(metadata, dict) and bool(metadata.get("namespace"))
