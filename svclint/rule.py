"""The rule plugin API, at the import path third-party rules use: ``from svclint.rule import Rule``.

The definitions live in ``svclint.lint.rule`` (and ``Severity`` in ``svclint.findings``);
this module only keeps the public path stable while the packages behind it move.
"""

from svclint.findings import Finding, Location, Severity
from svclint.lint.rule import Option, Related, Rule, RuleContext, Violation

__all__ = ["Finding", "Location", "Option", "Related", "Rule", "RuleContext", "Severity", "Violation"]
