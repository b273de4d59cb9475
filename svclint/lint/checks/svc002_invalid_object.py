"""SVC002 invalid-object."""

from __future__ import annotations

from collections.abc import Iterator

from svclint.findings import Severity
from svclint.kube.objects import ObjectProblem
from svclint.lint.rule import Rule, RuleContext, Violation


class InvalidObject(Rule):
    """## What it does
    Reports a document that claims to be a Kubernetes object (it has `apiVersion` or
    `kind`) but is not a complete one: no `kind`, no `apiVersion`, no `metadata.name` or
    `generateName`; or a field svclint reads has the wrong shape (`ports: "80"`,
    `selector: [a]`, a port that is a mapping).

    Documents with neither `apiVersion` nor `kind` (CI configs, Helm values) are not
    Kubernetes objects: they are skipped and counted in the summary, not reported.

    ## Why is this bad?
    The API server rejects such an object, and every check that depends on it would
    silently see nothing.
    """

    id = "SVC002"
    name = "invalid-object"
    summary = "A document that is not a complete Kubernetes object, or a field of the wrong type"
    severity = Severity.ERROR
    namespaced = True
    tags = ("input",)

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        for problem in ctx.load.problems:
            if isinstance(problem, ObjectProblem):
                yield Violation(problem.message, location=problem.location, at=problem.field_path)
