"""Command line: the only layer that prints, exits or reads the environment.

Each command lives in its own module and returns its exit code; ``main`` maps errors to
exit codes. A command's module is imported only when that command runs (``_Commands``):
``svclint --version`` and ``--help`` load click and nothing of the engine, and
``benchmarks/bench_startup.py`` holds them to that. Exit codes: 0 nothing at or above --fail-on; 1 findings at or above it; 2
usage, config or internal error (including a rule that crashed, which is named).
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

import click

from svclint import __version__
from svclint.cli.errors import EXIT_CLEAN, EXIT_ERROR, UsageFailure
from svclint.escape import visible

# command -> (module, attribute), in the order `svclint --help` lists them
COMMANDS = {
    "check": ("svclint.cli.check", "check"),
    "rules": ("svclint.cli.rules", "rules"),
    "matrix": ("svclint.cli.routing", "matrix"),
    "explain": ("svclint.cli.routing", "explain"),
    "calls": ("svclint.cli.routing", "calls"),
    "policy": ("svclint.cli.routing", "policy"),
    "diff": ("svclint.cli.diff", "diff"),
    "report": ("svclint.cli.html_report", "report"),
    "server": ("svclint.cli.server", "server"),
    "daemon": ("svclint.cli.daemon", "daemon"),
}


class _Commands(click.Group):
    """A group whose commands are imported when asked for (click's documented lazy group)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module, attribute = COMMANDS[cmd_name]
        command = getattr(importlib.import_module(module), attribute)
        assert isinstance(command, click.Command)
        return command


def __getattr__(name: str) -> Any:
    """``svclint.cli.exit_code`` as before, without importing the check command up front."""
    if name == "exit_code":
        from svclint.cli.check import exit_code

        return exit_code
    raise AttributeError(name)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="svclint")
def cli() -> None:
    """Lint Kubernetes manifests and analyse how traffic is routed between them.

    \b
    svclint check deploy/          find broken wiring (exit 1 on errors)
    svclint rules                  list every rule; `svclint rules SVC101` explains one
    svclint matrix deploy/         who can reach which Service port (-f csv for the contract)
    svclint explain web api:80     why a workload can or cannot reach a Service port
    svclint calls deploy/          the calls the app makes (env, ConfigMaps, args) and their verdicts
    svclint policy generate deploy/  least-privilege NetworkPolicies admitting exactly those calls
    svclint diff main              what this change does to connectivity and findings
    svclint report deploy/ -o r.html   findings and reachability in one offline HTML page
    svclint server                 the language server your editor starts (docs/editors.md)
    svclint daemon start           keep svclint loaded: quicker checks (docs/daemon.md)
    """


@cli.result_callback()
def _exit_with(code: int) -> None:
    """A command returns its exit code; click exits with it (``main`` returns it)."""
    click.get_current_context().exit(code)


def main(argv: Sequence[str] | None = None) -> int:
    """Console-script entry point; returns the exit code."""
    from svclint.parallel import disable_gc_for_process

    disable_gc_for_process()
    try:
        code = cli.main(args=list(argv) if argv is not None else None, prog_name="svclint", standalone_mode=False)
    except SystemExit as exit:
        return int(exit.code or 0)
    except click.exceptions.Exit as exit:
        return exit.exit_code
    except click.ClickException as error:
        error.show()
        return EXIT_ERROR if isinstance(error, (UsageFailure, click.UsageError)) else error.exit_code
    except click.Abort:
        click.echo("Aborted.", err=True)
        return EXIT_ERROR
    except BrokenPipeError:  # `svclint ... | head`: the reader has all it wanted
        from svclint.cli.streams import silence_stdout

        silence_stdout()
        return EXIT_CLEAN
    except Exception as error:  # noqa: BLE001 - never a bare traceback; exit 2 says "not a lint result"
        click.echo(f"svclint: internal error: {type(error).__name__}: {visible(str(error))}", err=True)
        click.echo("svclint: please report this with the input that caused it", err=True)
        return EXIT_ERROR
    return code if isinstance(code, int) else EXIT_CLEAN


def entry() -> NoReturn:
    """The console script and ``python -m svclint``: ``main``, then the process ends at once.

    A large check leaves hundreds of megabytes of objects, and an interpreter that exits
    normally frees them one by one (about 0.7 s of CPU after a check of 10k objects) only to
    give the memory back to the system. So, as mypy does, the streams are flushed and the
    process exits without that; every file svclint writes is closed by then."""
    code = main()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (BrokenPipeError, OSError, ValueError):  # a reader gone, or a closed stream: nothing left to say
            pass
    os._exit(code)


__all__ = ["cli", "entry", "main", "exit_code"]
