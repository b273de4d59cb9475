"""Issue 16: what a pull request names cannot inject into a terminal or a CI log.

A file name holding a newline and ``::error::`` must not put a workflow command on a line of
its own; ESC sequences, bidi overrides and zero-width characters must not reach the output
raw, in any format (svclint/escape.py)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from svclint.report import FORMATTERS

from .conftest import run_cli

HOSTILE_NAME = "a\n::error file=x::pwned \x1b[31mred\x1b]0;title\x07 \u202eevil\u202c \u200bzw\u2066.yaml"
RAW = ("\x1b", "\x07", "\u202e", "\u202c", "\u200b", "\u2066")
SERVICE = "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  selector:\n    app: {app}\n  ports:\n    - port: 80\n"


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / HOSTILE_NAME).write_text(SERVICE.format(app="\"x\u202ey\u200b\""))
    return tmp_path


@pytest.mark.parametrize("fmt", sorted(FORMATTERS))
def test_no_format_carries_raw_control_bidi_or_zero_width_characters(tree: Path, fmt: str) -> None:
    run = run_cli("check", ".", "--isolated", "-f", fmt)
    assert run.exit_code == 1
    for char in RAW:
        assert char not in run.stdout, (fmt, repr(char))
        assert char not in run.stderr, (fmt, repr(char))
    # No line of the output is a workflow command the file name smuggled in.
    smuggled = [line for line in run.stdout.splitlines() if line.lstrip().startswith("::error file=x")]
    assert smuggled == []


def test_text_output_escapes_the_file_name_on_its_own_line(tree: Path) -> None:
    run = run_cli("check", ".", "--isolated")
    first = run.stdout.splitlines()[0]
    assert first.startswith(
        "a\\n::error file=x::pwned \\x1b[31mred\\x1b]0;title\\x07 \\u202eevil\\u202c \\u200bzw\\u2066.yaml:6:3: SVC101 "
    )
    assert "app=x\\u202ey\\u200b" in first


def test_github_annotations_keep_one_command_per_line(tree: Path) -> None:
    run = run_cli("check", ".", "--isolated", "-f", "github")
    lines = run.stdout.splitlines()
    # Two findings (SVC101, and SVC216 for the invalid label value), each one whole command line.
    assert [line.split(",", 1)[0].rsplit(".", 1)[-1] for line in lines[:-1]] == ["yaml", "yaml"]
    for line in lines[:-1]:
        assert line.startswith("::error file=a\\n%3A%3Aerror file=x%3A%3Apwned \\x1b[31mred")


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_json_formats_keep_the_exact_name_as_escapes(tree: Path, fmt: str) -> None:
    run = run_cli("check", ".", "--isolated", "-f", fmt)
    assert run.stdout.isascii() or all(c not in run.stdout for c in RAW)
    payload = json.loads(run.stdout)
    if fmt == "json":
        assert payload["findings"][0]["file"] == HOSTILE_NAME
    else:
        uri = payload["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert "%E2%80%AE" in uri  # percent-encoded, as a URI
        assert "\u202e" in payload["runs"][0]["results"][0]["message"]["text"]  # exact value after decoding


def test_junit_is_well_formed_xml_with_visible_escapes(tree: Path) -> None:
    run = run_cli("check", ".", "--isolated", "-f", "junit")
    root = ET.fromstring(run.stdout)
    names = {case.get("classname") for case in root.iter("testcase")}
    assert "a\\n::error file=x::pwned \\x1b[31mred\\x1b]0;title\\x07 \\u202eevil\\u202c \\u200bzw\\u2066.yaml" in names


def test_cli_error_messages_are_escaped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    run = run_cli("check", "missing\n::error::x\x1b[2J.yaml", "--isolated")
    assert run.exit_code == 2
    assert run.stderr == "svclint: error: missing\\n::error::x\\x1b[2J.yaml: no such file or directory\n"


MATRIX_INPUT = (
    'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: "web\\e[31m\\u202e"\nspec:\n  selector:\n'
    "    matchLabels:\n      app: web\n  template:\n    metadata:\n      labels:\n        app: web\n"
    "    spec:\n      containers:\n        - name: web\n          ports:\n            - containerPort: 80\n---\n"
    'apiVersion: v1\nkind: Service\nmetadata:\n  name: "api\\u200b\\e]0;t\\a"\nspec:\n  selector:\n    app: web\n'
    "  ports:\n    - port: 80\n"
)


@pytest.mark.parametrize("fmt", ["table", "csv", "json", "markdown", "dot", "connlist"])
def test_matrix_formats_carry_no_raw_control_or_bidi_characters(tmp_path: Path, fmt: str) -> None:
    (tmp_path / "app.yaml").write_text(MATRIX_INPUT)
    run = run_cli("matrix", str(tmp_path), "--isolated", "-f", fmt)
    assert run.exit_code == 0, run.stderr
    assert "web" in run.stdout or fmt == "connlist"
    for char in RAW:
        assert char not in run.stdout, (fmt, repr(char))
    if fmt == "json":
        json.loads(run.stdout)


def test_explain_carries_no_raw_control_or_bidi_characters(tmp_path: Path) -> None:
    (tmp_path / "app.yaml").write_text(MATRIX_INPUT)
    run = run_cli("explain", "external", "api*", str(tmp_path), "--isolated")
    assert run.exit_code == 0, run.stderr
    assert "\\x1b" in run.stdout or "\\u200b" in run.stdout
    for char in RAW:
        assert char not in run.stdout, repr(char)


NEWLINE_NAMES = (
    'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: "web\\n::error::pwned"\nspec:\n  selector:\n'
    "    matchLabels:\n      app: web\n  template:\n    metadata:\n      labels:\n        app: web\n"
    "    spec:\n      containers:\n        - name: web\n          env:\n            - name: API_URL\n"
    "              value: http://api:80\n          ports:\n            - containerPort: 80\n---\n"
    'apiVersion: v1\nkind: Service\nmetadata:\n  name: api\nspec:\n  selector:\n    app: web\n'
    "  ports:\n    - port: 80\n"
)
COMMANDS = {
    "matrix table": ("matrix", "-f", "table"),
    "matrix markdown": ("matrix", "-f", "markdown"),
    "matrix csv": ("matrix", "-f", "csv"),
    "matrix connlist": ("matrix", "-f", "connlist"),
    "explain": ("explain", "web*", "api"),
    "calls": ("calls",),
    "policy generate": ("policy", "generate"),
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_newline_in_an_object_name_starts_no_line(tmp_path: Path, command: str) -> None:
    """The name is printed as ``ns/web\\n::error::pwned[Deployment]`` on its own line's part:
    no line of the output (a CI log, a generated policy) starts with what the name holds."""
    (tmp_path / "app.yaml").write_text(NEWLINE_NAMES)
    run = run_cli(*COMMANDS[command], str(tmp_path), "--isolated")
    assert run.exit_code == 0, run.stderr
    assert "web\\n::error::pwned" in run.stdout
    assert not [line for line in run.stdout.splitlines() if "::error::" in line and "web\\n::error::" not in line]
