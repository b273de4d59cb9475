"""The CLI's standard streams and -o files: bounded stdin, reports written whole (a regular
-o file atomically: temporary file, then rename) or streamed, a one-line error when the
output cannot be written, and a quiet exit when the reader of a pipe goes away."""

from __future__ import annotations

import os
import stat
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, TextIO, cast

import click

from svclint.cli.errors import UsageFailure
from svclint.escape import json_text, visible
from svclint.settings import Settings

if TYPE_CHECKING:
    from svclint.findings import RuleCrash


def read_stdin(settings: Settings) -> bytes:
    """Standard input, bounded: one byte over the limit is enough for the loader to report it.
    On a terminal a hint says so first: ``svclint check -`` would otherwise wait silently."""
    if sys.stdin.isatty():
        click.echo("svclint: reading manifests from standard input; end with Ctrl-D (Ctrl-Z Enter on Windows), or pass PATHS", err=True)
    return sys.stdin.buffer.read(settings.limits.max_document_bytes + 1)


def colour_wanted(flag: bool | None, output: str | None) -> bool:
    """``--color``/``--no-color`` decide; else colour only for a terminal on stdout that is not
    ``TERM=dumb``, and never with ``NO_COLOR`` set to anything but "" (no-color.org)."""
    if flag is not None:
        return flag
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    return output is None and sys.stdout.isatty()


def silence_stdout() -> None:
    """After a broken pipe: point stdout at /dev/null so the flush at exit cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # no real file descriptor (in-process runs)
        pass


def _is_regular_target(output: str) -> bool:
    """A path to write through a temporary file and a rename: a regular file or a new one.
    A device or FIFO (``-o /dev/stdout``, ``-o /dev/full``) is written in place: renaming
    over it would replace the device."""
    try:
        return stat.S_ISREG(os.stat(output).st_mode)
    except FileNotFoundError:
        return True
    except OSError:
        return False


def _failed(output: str, error: OSError) -> UsageFailure:
    return UsageFailure(f"cannot write {output}: {error.strerror or error}")


@contextmanager
def _output_file(output: str) -> Iterator[TextIO]:
    """``output`` opened for the report. A regular file is written to a temporary file
    beside it and renamed over it at the end, so a full disk or a crash leaves the previous
    report whole, never a truncated one. Errors are one-line usage failures (exit 2)."""
    if not _is_regular_target(output):
        try:
            with open(output, "w", encoding="utf-8", newline="\n", buffering=1 << 20) as handle:
                yield handle
        except OSError as error:
            raise _failed(output, error) from None
        return
    directory = os.path.dirname(os.path.abspath(output))
    try:
        fd, temporary = tempfile.mkstemp(prefix=f".{os.path.basename(output)}.", suffix=".tmp", dir=directory)
    except OSError as error:
        raise _failed(output, error) from None
    try:
        with open(fd, "w", encoding="utf-8", newline="\n", buffering=1 << 20) as handle:
            yield handle
        os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, output)
    except OSError as error:
        _remove(temporary)
        raise _failed(output, error) from None
    except BaseException:
        _remove(temporary)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def write_text(text: str, output: str | None, colour: bool = False) -> None:
    """``text`` to the file ``output`` (``-o``, see ``_output_file``), or to stdout.

    A stdout that cannot be written (``> /dev/full``, a closed descriptor) is a one-line
    usage failure; a reader that went away (BrokenPipeError) is left to the caller."""
    if output:
        with _output_file(output) as handle:
            handle.write(text)
        return
    try:
        click.echo(text, nl=False, color=colour or None)  # click strips ANSI off a terminal unless told
    except BrokenPipeError:
        raise
    except OSError as error:
        raise UsageFailure(f"cannot write the report to standard output: {error.strerror or error}") from None


class _EscapedLines:
    """A text stream that passes each line through ``svclint.escape`` (``visible``, or
    ``json_text`` for JSON): the matrix writers live in ``routing/`` and print object names
    as they were written. The writers' own line breaks are kept; so a newline inside a name
    still breaks its line (the names of real objects cannot hold one)."""

    def __init__(self, out: TextIO, json_output: bool) -> None:
        self._out = out
        self._json = json_output

    def write(self, text: str) -> int:
        if self._json:
            return self._out.write(json_text(text))
        return self._out.write("\n".join(visible(line) for line in text.split("\n")))

    def flush(self) -> None:
        self._out.flush()


def write_stream(write: Callable[[TextIO], None], output: str | None, json_output: bool = False) -> None:
    """Let ``write`` stream into the file ``output``, or into stdout (`| head` is no error),
    escaped line by line for a terminal or a CI log (``_EscapedLines``)."""
    if output:
        with _output_file(output) as handle:
            write(cast(TextIO, _EscapedLines(handle, json_output)))
    else:
        try:
            write(cast(TextIO, _EscapedLines(sys.stdout, json_output)))
            sys.stdout.flush()
        except BrokenPipeError:  # `svclint matrix | head`: the reader has what it wanted
            silence_stdout()
        except OSError as error:
            raise UsageFailure(f"cannot write to standard output: {error.strerror or error}") from None


def echo_crashes(crashes: Iterable[RuleCrash], show_traceback: bool = False) -> None:
    """Name each rule that crashed on stderr (the run's exit code is then 2)."""
    for crash in crashes:
        click.echo(f"svclint: error: rule {crash.rule_id} ({crash.rule_name}) crashed: {visible(crash.error)}", err=True)
        if show_traceback:
            click.echo(crash.traceback, err=True)
