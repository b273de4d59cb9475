"""SVC001 yaml-syntax-error."""

from __future__ import annotations

from collections.abc import Iterator

from svclint.findings import Severity
from svclint.lint.rule import Rule, RuleContext, Violation
from svclint.loading.loader import SyntaxProblem


class YamlSyntaxError(Rule):
    """## What it does
    Reports a file or document that does not parse as YAML (or JSON), or that cannot be
    read at all (binary, not UTF-8, unreadable), at the line and column of the error.

    ## Why is this bad?
    `kubectl apply` rejects the whole file, so nothing in it is deployed. svclint parses the
    other documents of the file separately, so one broken document does not hide the
    findings of its neighbours.
    """

    id = "SVC001"
    name = "yaml-syntax-error"
    summary = "File or document does not parse as YAML"
    severity = Severity.ERROR
    namespaced = True
    tags = ("input",)

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        for problem in ctx.load.problems:
            if isinstance(problem, SyntaxProblem):
                yield Violation(problem.message, location=problem.location)
