"""The CLI's standard streams and -o files: bounded stdin, reports written whole or streamed,
and a quiet exit when the reader of a pipe goes away."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import TextIO

import click

from svclint.cli.options import UsageFailure
from svclint.settings import Settings


def read_stdin(settings: Settings) -> bytes:
    """Standard input, bounded: one byte over the limit is enough for the loader to report it."""
    return sys.stdin.buffer.read(settings.limits.max_document_bytes + 1)


def silence_stdout() -> None:
    """After a broken pipe: point stdout at /dev/null so the flush at exit cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # no real file descriptor (in-process runs)
        pass


def write_text(text: str, output: str | None) -> None:
    """``text`` to the file ``output`` (``-o``), or to stdout."""
    if output:
        try:
            with open(output, "w", encoding="utf-8", newline="\n") as handle:
                handle.write(text)
        except OSError as error:
            raise UsageFailure(f"cannot write {output}: {error.strerror or error}") from None
    else:
        click.echo(text, nl=False)


def write_stream(write: Callable[[TextIO], None], output: str | None) -> None:
    """Let ``write`` stream into the file ``output``, or into stdout (`| head` is no error)."""
    if output:
        try:
            handle = open(output, "w", encoding="utf-8", newline="\n", buffering=1 << 20)
        except OSError as error:
            raise UsageFailure(f"cannot write {output}: {error.strerror or error}") from None
        with handle:
            write(handle)
    else:
        try:
            write(sys.stdout)
            sys.stdout.flush()
        except BrokenPipeError:  # `svclint matrix | head`: the reader has what it wanted
            silence_stdout()
