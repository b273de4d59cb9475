"""Exit codes and the usage error, in a module that imports only click: ``svclint --version``
and ``--help`` load this and not the engine (see ``svclint.cli``)."""

from __future__ import annotations

from typing import Any

import click

from svclint.escape import visible

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class UsageFailure(click.ClickException):
    """A problem with the invocation or configuration: message on stderr, exit 2."""

    exit_code = EXIT_ERROR

    def show(self, file: Any = None) -> None:
        click.echo(f"svclint: error: {visible(self.format_message())}", err=True)
