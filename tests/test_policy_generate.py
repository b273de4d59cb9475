"""`svclint policy generate`: proved with the routing engine on the example app, the store and the scenarios.

The input's own NetworkPolicies are taken out (policies are additive: the generated ones
replace them), the generated ones put in, and every (workload, Service port) cell is
evaluated: each call is `allow`, every other cell is not (deny, or a structural verdict
such as no-endpoints), except the platform's own traffic the generator admits on purpose
(DNS to kube-dns pods, the ingress controller to Ingress backends).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from svclint.api import analyze
from svclint.routing.calls import calls
from svclint.routing.model import ALLOW, RoutingModel
from svclint.settings import Settings
from tests.conftest import REPO, run_cli

INPUTS = ["fixtures/examples/shop", "fixtures/calls/store", "fixtures/calls/declared", *sorted(f"fixtures/scenarios/{p.name}" for p in (REPO / "fixtures/scenarios").iterdir() if p.is_dir() and not p.name.startswith("."))]
GETS_THROUGH = ("allow", "partial", "external")


def _without_policies(source: str, target: Path) -> Path:
    """The input's YAML files with every NetworkPolicy document left out."""
    target.mkdir()
    for path in sorted((REPO / source).rglob("*.yaml")):
        docs = [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if isinstance(d, dict) and d.get("kind") != "NetworkPolicy"]
        name = "-".join(path.relative_to(REPO / source).parts)
        (target / name).write_text(yaml.safe_dump_all(docs, sort_keys=False), encoding="utf-8")
    return target


def _model(*paths: Path) -> RoutingModel:
    return analyze([str(p) for p in paths], Settings())


def _platform_cell(model: RoutingModel, source_name: str, column_label: str) -> bool:
    column = next(c for c in model.columns if c.label == column_label)
    dns = {id(cls) for cls in model.classes.kube_dns}
    if column.resolved and all(id(e.cls) in dns for e in column.resolved):
        return True  # every pod may ask kube-dns
    controllers = {t.workload.qualified for cls in model.classes.ingress_controller for t in cls.templates}
    return source_name in controllers and bool(model.exposure[id(column)].ingresses)


@pytest.mark.parametrize("source", INPUTS)
def test_generated_policies_admit_exactly_the_calls(source: str, tmp_path: Path) -> None:
    wanted = {(c.source.name, col.label) for c in calls(_model(REPO / source)) for col in c.columns}
    stripped = _without_policies(source, tmp_path / "input")
    generated = stripped / "generated.yaml"
    run = run_cli("policy", "generate", str(REPO / source), "-o", str(generated))
    assert (run.exit_code, run.stderr) == (0, "")
    model = _model(stripped)
    assert len(model.parsed.valid) == len(model.workloads)  # one valid policy per workload
    checked = 0
    for src in model.workloads:
        for column in model.columns:
            verdict = model.verdict(src, column)
            if (src.name, column.label) in wanted:
                assert verdict == ALLOW, (src.name, column.label, verdict)
            elif not _platform_cell(model, src.name, column.label):
                assert not verdict.startswith(GETS_THROUGH), (src.name, column.label, verdict)
            checked += 1
    assert checked > 0


def test_store_policy_for_the_basket_names_its_callers_references() -> None:
    run = run_cli("policy", "generate", "fixtures/calls/store")
    text = run.stdout
    start = text.index("# default/basket[Deployment]: admits")
    basket = text[start : text.index("---", start)]
    assert "    # default/checkout[Deployment] -> default/basket[Service]:7070: env BASKET_ADDR (fixtures/calls/store/app.yaml:436)\n" in basket
    assert "    # default/web[Deployment] -> default/basket[Service]:7070: env BASKET_ADDR (fixtures/calls/store/app.yaml:30)\n" in basket
    assert "    # default/basket[Deployment] -> default/basket-redis[Service]:6379: env REDIS_ADDR (fixtures/calls/store/app.yaml:156)\n" in basket


def test_generated_policies_are_clean_under_the_networkpolicy_rules(tmp_path: Path) -> None:
    generated = tmp_path / "generated.yaml"
    run_cli("policy", "generate", "fixtures/calls/store", "-o", str(generated))
    run = run_cli("check", "fixtures/calls/store", str(generated), "--select", "SVC409,SVC401,SVC402", "--isolated")
    assert run.exit_code == 0, run.stdout
