"""A CLI that talks back: did-you-mean, colour on request and never for dumb terminals,
progress on a terminal only, --statistics, and the hint when `-` reads a terminal.

Terminals are real: a pseudo-terminal from ``os.openpty`` stands for stdout, stderr or stdin
of a real ``python -m svclint`` process."""

from __future__ import annotations

import os
import re
import select
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import REPO, run_cli

SHOP = "fixtures/examples/shop"
_ANSI = "\x1b["


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "TERM", "FORCE_COLOR")}
    env.update(extra)
    return env


def _read_all(fd: int) -> bytes:
    out = b""
    while select.select([fd], [], [], 0.2)[0]:
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # the pty closed
            break
        if not chunk:
            break
        out += chunk
    return out


def _on_tty(stream: str, *args: str, env: dict[str, str] | None = None, stdin_text: bytes = b"") -> tuple[str, str]:
    """Run svclint with ``stream`` ("stdout", "stderr" or "stdin") on a pseudo-terminal;
    return (what the terminal got, what the other output stream got)."""
    master, slave = os.openpty()
    kwargs: dict[str, object] = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, "stdin": subprocess.DEVNULL}
    kwargs[stream] = slave
    process = subprocess.Popen([sys.executable, "-m", "svclint", *args], cwd=REPO, env=env or _env(), **kwargs)  # type: ignore[call-overload]
    os.close(slave)
    if stream == "stdin":
        os.write(master, stdin_text + b"\n\x04")
    terminal = b""
    while process.poll() is None:
        terminal += _read_all(master)
    terminal += _read_all(master)
    os.close(master)
    other = process.stderr.read() if stream != "stderr" else process.stdout.read()
    return terminal.decode(errors="replace"), other.decode(errors="replace")


# -- did you mean ------------------------------------------------------------------------


def test_a_misspelt_rule_name_gets_the_nearest() -> None:
    run = run_cli("check", SHOP, "--isolated", "--select", "nodeport-conflit")
    assert run.exit_code == 2
    assert run.stderr == (
        "svclint: error: 'nodeport-conflit' names no rule (expected an id, prefix or name); did you mean 'nodeport-conflict'?\n"
    )


def test_a_misspelt_config_key_gets_the_nearest(tmp_path: Path) -> None:
    config = tmp_path / "svclint.yaml"
    config.write_text("fail_on: error\n")
    run = run_cli("check", SHOP, "--config", str(config))
    assert run.exit_code == 2
    assert run.stderr == f"svclint: error: {config}:1: fail_on: unknown key 'fail_on'; did you mean 'fail-on'?\n"


def test_a_misspelt_rule_in_the_config_gets_the_nearest(tmp_path: Path) -> None:
    config = tmp_path / "svclint.yaml"
    config.write_text("rules:\n  SVC2O1: off\n")
    run = run_cli("check", SHOP, "--config", str(config))
    assert run.exit_code == 2
    assert run.stderr.endswith("'SVC2O1' names no rule; did you mean 'SVC201'?\n")


def test_explain_names_the_nearest_source_and_lists_them() -> None:
    run = run_cli("explain", "fronted", "shop/api", SHOP, "--isolated")
    assert run.exit_code == 2
    assert run.stderr == (
        "svclint: error: source 'fronted' matches no workload (nor external / ingress-controller); did you mean 'frontend'?; "
        "known: external, ingress-controller, shop/api, shop/frontend, shop/postgres\n"
    )


def test_explain_lists_the_ports_a_service_has() -> None:
    run = run_cli("explain", "shop/frontend", "api:htp", SHOP, "--isolated")
    assert run.exit_code == 2
    assert run.stderr == (
        "svclint: error: destination 'api:htp': the Service has no port 'htp'; did you mean 'http'?; its ports: 80, 9100, http, metrics\n"
    )
    run = run_cli("explain", "shop/frontend", "shop/api:9999", SHOP, "--isolated")
    assert run.stderr == "svclint: error: destination 'shop/api:9999': the Service has no port '9999'; its ports: 80, 9100, http, metrics\n"


def test_explain_names_the_nearest_service() -> None:
    run = run_cli("explain", "shop/frontend", "shop/apj:80", SHOP, "--isolated")
    assert run.exit_code == 2
    assert run.stderr == (
        "svclint: error: destination 'shop/apj:80' matches no Service port; did you mean 'shop/api'?; Services known: "
        "shop/api, shop/api-debug, shop/frontend, shop/frontend-nodeport, shop/postgres, shop/postgres-read\n"
    )


# -- colour ------------------------------------------------------------------------------


def _stdout(*args: str, env: dict[str, str]) -> str:
    done = subprocess.run([sys.executable, "-m", "svclint", *args], cwd=REPO, env=env, capture_output=True, text=True)
    return done.stdout


def test_color_forces_colour_into_a_pipe() -> None:
    assert _ANSI in _stdout("check", SHOP, "--isolated", "--color", env=_env())
    assert _ANSI not in _stdout("check", SHOP, "--isolated", env=_env())


def test_a_terminal_gets_colour_unless_no_color_or_term_dumb() -> None:
    terminal, _ = _on_tty("stdout", "check", SHOP, "--isolated", env=_env(TERM="xterm"))
    assert _ANSI in terminal
    for env in (_env(TERM="dumb"), _env(TERM="xterm", NO_COLOR="1")):
        terminal, _ = _on_tty("stdout", "check", SHOP, "--isolated", env=env)
        assert "SVC101 service-selects-nothing" in terminal and _ANSI not in terminal


# -- progress ----------------------------------------------------------------------------


def test_progress_on_a_terminal_is_erased_at_the_end() -> None:
    terminal, stdout = _on_tty("stderr", "check", SHOP, "--isolated")
    assert "\r\x1b[Ksvclint: reading 7 files" in terminal
    assert re.search("\r\x1b\\[Ksvclint: checking 15 objects with [0-9]+ rules\r", terminal)
    assert terminal.endswith("\r\x1b[K")
    assert "Found 9 problems" in stdout


def test_no_progress_with_quiet_or_off_a_terminal() -> None:
    terminal, stdout = _on_tty("stderr", "check", SHOP, "--isolated", "--quiet")
    assert terminal == "" and "Found 9 problems" in stdout
    done = subprocess.run([sys.executable, "-m", "svclint", "check", SHOP, "--isolated"], cwd=REPO, capture_output=True, text=True)
    assert done.stderr == ""


# -- stdin -------------------------------------------------------------------------------


def test_dash_on_a_terminal_says_it_reads_stdin() -> None:
    manifest = (REPO / "fixtures/rules/SVC101/bad.yaml").read_bytes().replace(b"\n", b"\n")
    _, stderr = _on_tty("stdin", "check", "-", "--isolated", "--quiet", stdin_text=manifest.rstrip(b"\n"))
    assert stderr.startswith("svclint: reading manifests from standard input; end with Ctrl-D")


def test_dash_from_a_pipe_reads_silently() -> None:
    manifest = (REPO / "fixtures/rules/SVC101/bad.yaml").read_text()
    run = run_cli("check", "-", "--isolated", input=manifest)
    assert run.exit_code == 1 and run.stderr == ""


# -- statistics --------------------------------------------------------------------------


def test_statistics_count_findings_per_rule() -> None:
    run = run_cli("check", SHOP, "--isolated", "--statistics")
    assert run.exit_code == 1
    assert run.stdout == (
        "2\tSVC405\texposed-service-blocked\twarning\n"
        "1\tSVC101\tservice-selects-nothing\terror\n"
        "1\tSVC104\tnamed-target-port-unresolved\terror\n"
        "1\tSVC201\tnodeport-out-of-range\terror\n"
        "1\tSVC202\tnodeport-conflict\terror\n"
        "1\tSVC302\tingress-service-port-missing\terror\n"
        "1\tSVC404\tservice-unreachable\twarning\n"
        "1\tSVC502\tservice-reference-port-mismatch\terror\n"
    )
    rows = run_cli("check", SHOP, "--isolated", "--statistics", "-f", "json").json()
    assert rows[0] == {"rule": "SVC405", "name": "exposed-service-blocked", "count": 2, "severity": "warning"}
    assert sum(row["count"] for row in rows) == 9


@pytest.mark.parametrize("fmt", ["sarif", "junit", "github"])
def test_statistics_only_in_text_or_json(fmt: str) -> None:
    run = run_cli("check", SHOP, "--isolated", "--statistics", "-f", fmt)
    assert run.exit_code == 2
    assert run.stderr == f"svclint: error: --statistics writes text or json, not --format {fmt}\n"
