"""The README's examples are real output: they fail here when the code moves on."""

from __future__ import annotations

import json
import re

from .conftest import REPO, run_cli

README = (REPO / "README.md").read_text(encoding="utf-8")


def _block(language: str, starting: str) -> str:
    for match in re.finditer(rf"```{language}\n(.*?)```", README, re.S):
        if match.group(1).startswith(starting):
            return match.group(1)
    raise AssertionError(f"no ```{language} block starting with {starting!r}")


def test_first_command_output_is_shown_verbatim() -> None:
    shown = _block("text", "$ svclint check fixtures/examples/shop\n")
    run = run_cli("check", "fixtures/examples/shop", "--isolated")
    assert run.exit_code == 1
    assert shown == "$ svclint check fixtures/examples/shop\n" + run.stdout


def test_explain_example_is_real_output() -> None:
    shown = _block("text", "$ svclint explain external api-debug:80 fixtures/examples/shop\n")
    run = run_cli("explain", "external", "api-debug:80", "fixtures/examples/shop", "--isolated")
    body = shown.split("\n", 1)[1]
    assert run.stdout.startswith(body)


def test_json_example_is_real_output() -> None:
    shown = json.loads(_block("json", '{\n  "version": 1,'))
    real = run_cli("check", "fixtures/examples/shop", "--isolated", "-f", "json").json()
    assert shown["summary"] == real["summary"]
    assert shown["version"] == real["version"] and shown["errors"] == real["errors"]
    (finding,) = shown["findings"]
    assert finding in real["findings"]


def test_readme_starts_with_the_two_commands_ci_runs() -> None:
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8").strip().splitlines()[-1]
    first_block = _block("sh", "# 1.")
    assert "python3 -m pip install . && svclint check fixtures/examples/shop" in first_block
    assert ci in first_block
