"""`svclint server` on the command line: its help, and a clear error without pygls."""

from __future__ import annotations

import subprocess
import sys

from click.testing import CliRunner

from svclint.cli import cli


def test_help_names_the_extra_and_the_docs() -> None:
    result = CliRunner().invoke(cli, ["server", "--help"])
    assert result.exit_code == 0
    assert "Run the language server on stdin and stdout, for editors." in result.output
    assert "pip install 'svclint[server]'" in result.output
    assert "docs/editors.md" in result.output
    assert "--select" in result.output and "--config" in result.output


def test_listed_in_the_commands() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert "svclint server" in result.output and "server" in result.output


def test_without_pygls_one_line_and_exit_2() -> None:
    code = "import sys; sys.modules['pygls'] = None; from svclint.cli import main; sys.exit(main(['server']))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=60)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == "svclint: error: svclint server needs pygls: pip install 'svclint[server]'\n"
