"""The bundled example app (the README's first command): deliberate mistakes, exact output."""

from __future__ import annotations

from typing import Any

from .conftest import FIXTURES, expected_markers, finding_keys, run_cli

SHOP = FIXTURES / "examples" / "shop"


def test_shop_reports_exactly_its_deliberate_mistakes() -> None:
    run = run_cli("check", "fixtures/examples/shop", "--isolated", "-f", "json")
    assert run.exit_code == 1
    assert finding_keys(run.json()) == expected_markers(sorted(SHOP.glob("*.yaml")))


def test_shop_text_output_is_golden(golden: Any) -> None:
    run = run_cli("check", "fixtures/examples/shop", "--isolated")
    golden(FIXTURES / "examples" / "shop.expected.txt", run.stdout)
