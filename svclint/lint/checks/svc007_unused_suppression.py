"""SVC007 unused-suppression."""

from __future__ import annotations

from collections.abc import Iterator

from svclint.findings import Severity
from svclint.lint.rule import Rule, RuleContext, Violation


class UnusedSuppression(Rule):
    """## What it does
    Reports an `svclint.io/ignore` annotation or a `# svclint: ignore[...]` comment that
    silenced nothing in this run, or that names no rule. Suppressions naming only rules that
    did not run are left alone.

    The engine computes this rule after every other rule has run, because only then is it
    known which suppressions were used; `check` itself therefore yields nothing.

    ## Why is this bad?
    A stale suppression hides the next real problem on that line or object, and a misspelt
    rule id suppresses nothing while looking like it does.
    """

    id = "SVC007"
    name = "unused-suppression"
    summary = "A suppression annotation or comment that suppresses nothing"
    severity = Severity.NOTE
    tags = ("input",)

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        return iter(())
