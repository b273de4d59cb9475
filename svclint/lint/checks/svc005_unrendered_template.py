"""SVC005 unrendered-template."""

from __future__ import annotations

from collections.abc import Iterator

from svclint.findings import Severity
from svclint.lint.rule import Rule, RuleContext, Violation
from svclint.loading.loader import TemplateProblem


class UnrenderedTemplate(Rule):
    """## What it does
    Reports Helm/Go template syntax (`{{ ... }}`) left in a manifest, once per document, at
    its first occurrence, with a hint to render the chart first.

    A document that does not parse as YAML and holds `{{` outside comments is reported
    here instead of as SVC001 syntax errors: the template is why it does not parse. In a
    document that does parse (`image: "nginx:{{ .Values.tag }}"`), only Helm's own objects
    and functions count (`.Values`, `.Release`, `.Chart`, `.Capabilities`, `.Files`,
    `.Template`, `include`, `tpl`, `toYaml`, `required`): Go templates are legitimate data
    in Alertmanager and Prometheus configuration (`{{ $labels.instance }}`), and the data of
    a ConfigMap or Secret is another program's text even with Helm's names in it (Istio's
    sidecar injector templates read `.Values`). Any `{{ }}`,
    and any shell-style `${VAR}` or `${VAR:-default}` placeholder (envsubst, CI scripts),
    counts in a name, namespace, label or selector, which can never hold one; elsewhere a
    `${VAR}` is data (a shell command, a config file). The other rules stay quiet in a
    template document.

    ## Why is this bad?
    The file is a template, not something `kubectl apply` accepts: checked as YAML it gives
    a cascade of meaningless syntax errors, and quoted values such as an image tag are
    applied literally. Check what Helm renders instead: `helm template CHART | svclint
    check -` (findings point at the template files), or `svclint check --helm-chart CHART`.
    """

    id = "SVC005"
    name = "unrendered-template"
    summary = "Template syntax (Helm/Go, envsubst) left in a manifest: render it first"
    severity = Severity.ERROR
    namespaced = True
    tags = ("input",)

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        for problem in ctx.load.problems:
            if isinstance(problem, TemplateProblem):
                yield Violation(problem.message, location=problem.location)
