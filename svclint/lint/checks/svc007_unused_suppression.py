"""SVC007 unused-suppression."""

from __future__ import annotations

from collections.abc import Iterator

from svclint.findings import Severity
from svclint.lint.rule import Rule, RuleContext, Violation
from svclint.lint.selection import named_rules, names_all
from svclint.lint.suppress import SuppressionContext


class UnusedSuppression(Rule):
    """## What it does
    Reports an `svclint.io/ignore` annotation or a `# svclint: ignore[...]` (or
    `# svclint: ignore-next-line[...]`) comment that silenced nothing in this run, or that
    names no rule. Suppressions naming only rules that
    did not run are left alone.

    It runs after every other rule, because only then is it known which suppressions were
    used, and not when a rule crashed (the crashed rule's suppressions would look unused).

    ## Why is this bad?
    A stale suppression hides the next real problem on that line or object, and a misspelt
    rule id suppresses nothing while looking like it does.
    """

    id = "SVC007"
    name = "unused-suppression"
    summary = "A suppression annotation or comment that suppresses nothing"
    severity = Severity.NOTE
    tags = ("input",)
    after_suppression = True

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        if not isinstance(ctx, SuppressionContext) or not ctx.all_rules_ran:
            return
        for suppression in ctx.suppressions.unused(ctx.rules, ctx.enabled_ids):
            names = ", ".join(suppression.names)
            kind = "annotation" if suppression.obj is not None else "comment"
            unknown = [n for n in suppression.names if not names_all(n) and not named_rules(n, ctx.rules)]
            detail = f"names no rule ({', '.join(unknown)})" if unknown else "suppresses nothing here"
            yield Violation(
                f"svclint ignore {kind} [{names}] {detail}; remove it",
                suppression.obj,
                location=suppression.location,
            )
