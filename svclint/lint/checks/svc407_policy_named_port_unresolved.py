"""SVC407 policy-named-port-unresolved."""

from __future__ import annotations

from collections.abc import Iterator

from svclint.findings import Severity
from svclint.lint.checks.affected import AnsweredByChange
from svclint.lint.rule import Rule, RuleContext, Violation
from svclint.routing.classes import PodClass
from svclint.routing.model import routing_model


class PolicyNamedPortUnresolved(AnsweredByChange, Rule):
    """## What it does
    Reports a named port in a NetworkPolicy rule that no destination pod declares with that
    name and protocol: for ingress rules the pods the policy selects, for egress rules the
    pods the rule's peers select. Named ports resolve on the destination pod, by name and
    protocol (default TCP).

    ## Why is this bad?
    A port name that resolves nowhere matches no traffic, so the rule allows nothing. A
    typo in the name, or a protocol that differs from the container port's, silently turns
    an allow rule into a deny.
    """

    id = "SVC407"
    name = "policy-named-port-unresolved"
    summary = "A NetworkPolicy named port exists on no destination pod with that protocol"
    severity = Severity.WARNING
    tags = ("networkpolicy", "routing")

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        policies = ctx.focused_kind("NetworkPolicy")
        if not policies:
            return  # its findings are at policies: none in the focus, no routing model needed
        model = routing_model(ctx.graph, ctx.settings)
        engine, classes = model.engine, model.classes
        for policy in model.valid_policies(policies):
            selected = classes.members(engine.policy_selects(policy))
            for rule in policy.ingress + policy.egress:
                named = [rp for rp in rule.ports if isinstance(rp.port, str)]
                if not named:
                    continue
                if rule.direction == "ingress":
                    destinations = selected
                else:
                    compiled = engine.compiled.get(id(rule))
                    destinations = classes.members(compiled.peer_bits) if compiled is not None else []
                destinations = [c for c in destinations if c.synthetic is None]
                if not destinations:
                    continue  # nothing to resolve on: SVC401/SVC402 say why
                for rp in named:
                    assert isinstance(rp.port, str)
                    if any(c.port_number(rp.port, rp.protocol) is not None for c in destinations):
                        continue
                    yield ctx.report(
                        f"NetworkPolicy {policy.key} {rule.label}: port {rp.port!r}/{rp.protocol} is declared by no "
                        f"destination pod ({_names(destinations)}){_other_protocol(destinations, rp.port, rp.protocol)}; "
                        f"the rule matches no traffic on it",
                        policy.obj,
                        rp.path + ("port",),
                    )


def _names(destinations: list[PodClass]) -> str:
    names = sorted({t.owner.ref.qualified for c in destinations for t in c.templates})
    return ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")


def _other_protocol(destinations: list[PodClass], name: str, protocol: str) -> str:
    for cls in destinations:
        for (port_name, proto), number in sorted(cls.named_ports.items()):
            if port_name == name and proto != protocol:
                return f"; {cls.describe()} declares {name!r} as {proto} {number}, set protocol: {proto}"
    known = sorted({n for c in destinations for n, _ in c.named_ports})
    return f"; declared names: {', '.join(known)}" if known else "; they declare no named ports"
