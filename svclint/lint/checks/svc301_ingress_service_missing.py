"""SVC301 ingress-service-missing."""

from __future__ import annotations

from collections.abc import Iterator

from svclint.findings import Severity
from svclint.kube.ingress import core_service, ingress_backends, is_ingress
from svclint.lint.checks.backends import backend_label, missing_service
from svclint.lint.checks.strict import misspelled_here
from svclint.lint.rule import Rule, RuleContext, Violation


class IngressServiceMissing(Rule):
    """## What it does
    Reports an Ingress backend that names a Service which does not exist in the Ingress's
    namespace: `spec.defaultBackend` and every `spec.rules[].http.paths[].backend.service`
    of `networking.k8s.io/v1`, and the `serviceName` backends (`spec.backend` and paths) of
    the removed `extensions/v1beta1` and `networking.k8s.io/v1beta1` APIs that old charts
    still ship. An Ingress backend has no namespace field: the Service must live in the
    Ingress's own namespace. The message names the nearest Service name in that namespace
    and says when a Service of that name exists in another one.

    `resource` backends (an object of another API group, such as a storage bucket) are not
    Services and are not checked, nor are AWS Load Balancer Controller actions (a backend
    whose port is named `use-annotation` names an `alb.ingress.kubernetes.io/actions.NAME`
    annotation, not a Service). Services are looked up in the whole input, whatever file
    or directory they are in.

    The finding is a note when the Service is likely to exist anyway: another deployment
    unit of the run defines it, a custom resource named like it sits in the namespace (its
    operator may create it), or the input holds no Service of that namespace and none of
    that name (routes kept apart from the apps they route to). SVC304 does the same for
    Gateway API backends.

    ## Why is this bad?
    The ingress controller has nowhere to send the requests of that host and path: clients
    get 503 (ingress-nginx) or 404, and the Ingress itself applies without any error.
    """

    id = "SVC301"
    name = "ingress-service-missing"
    summary = "An Ingress backend names a Service that does not exist in its namespace"
    severity = Severity.ERROR
    namespaced = True
    tags = ("ingress",)

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        for ingress in ctx.focused_kind("Ingress"):
            if not is_ingress(ingress):
                continue
            for ref in ingress_backends(ingress):
                if misspelled_here(ctx, ingress, ref.path, "service"):
                    continue  # v1beta1 serviceName/servicePort in a v1 Ingress: SVC008
                if core_service(ctx.graph, ref.namespace, ref.service) is not None:
                    continue
                text, related, uncertain = missing_service(ctx.graph, ref, ctx.load)
                yield ctx.report(f"{backend_label(ref)}: {text}", ingress, ref.name_path, related, uncertain=uncertain)
