"""Verdicts and explanations come from one NetworkPolicy evaluator, so they never disagree.

Every (source, Service port) cell of every routing fixture: the matrix verdict (bitsets) must
be what the per-endpoint decisions that `explain` prints add up to.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from svclint.kube.graph import ManifestGraph
from svclint.kube.objects import load
from svclint.routing.model import ALLOW, DENY, DNS_BLOCKED, EXTERNAL, RoutingModel
from svclint.routing.services import EXTERNAL_NAME, MANUAL, PODS
from svclint.settings import Settings
from tests.conftest import FIXTURES

INPUTS = sorted(
    [p for p in (FIXTURES / "scenarios").iterdir() if p.is_dir()]
    + sorted((FIXTURES / "routing").glob("*.yaml"))
    + [p for p in (FIXTURES / "rules").iterdir() if p.name.startswith("SVC4")]
)


def _model(path: Path) -> RoutingModel:
    settings = Settings()
    result = load([str(path)], settings, cwd=str(FIXTURES.parent))
    return RoutingModel(ManifestGraph(result.objects), settings)


def _word(k: int, total: int) -> str:
    return ALLOW if k == total else DENY if k == 0 else f"partial {k}/{total}"


@pytest.mark.parametrize("path", INPUTS, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_verdicts_are_what_the_explanations_add_up_to(path: Path) -> None:
    model = _model(path)
    engine = model.engine
    cells = 0
    for source in model.sources:
        if source.cls is None:
            continue
        for column in model.columns:
            verdict = model.verdict(source, column).removesuffix(" " + DNS_BLOCKED)
            if column.kind in (EXTERNAL_NAME, MANUAL):
                port = column.target if isinstance(column.target, int) else column.port
                decision = engine.decide_egress(source.cls, None, column.protocol, port)
                assert verdict == (EXTERNAL if decision.allowed else DENY), (source.name, column.label)
            elif column.kind == PODS and column.resolved:
                k = sum(
                    all(d.allowed for d in model.endpoint_decisions(source, column, endpoint))
                    for endpoint in column.resolved
                )
                assert verdict == _word(k, len(column.resolved)), (source.name, column.label)
            cells += 1
    for column in model.columns:
        for endpoint in column.resolved:
            assert endpoint.port is not None
            outside = engine.decide_ingress(None, endpoint.cls, column.protocol, endpoint.port)
            assert outside.allowed == bool(engine.ingress_allowed(endpoint.cls, column.protocol, endpoint.port)[1])
    assert cells or not model.columns


def test_decisions_name_the_rules_that_decide() -> None:
    model = _model(FIXTURES / "scenarios" / "shop")
    for source in model.workloads:
        assert source.cls is not None
        for column in model.columns:
            for endpoint in column.resolved:
                assert endpoint.port is not None
                for decision in model.endpoint_decisions(source, column, endpoint):
                    assert decision.allowed == bool(decision.allowing) or not decision.isolating
                    for rule in decision.allowing:
                        assert rule.port_matches(column.protocol, endpoint.port, endpoint.cls)
                        peer = endpoint.cls if decision.direction == "egress" else source.cls
                        owner = source.cls if decision.direction == "egress" else endpoint.cls
                        assert rule.peer_bits & peer.bit and rule.selected & owner.bit
                        assert rule.policy in decision.isolating
