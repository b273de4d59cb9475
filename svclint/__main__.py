"""The console script (and ``python -m svclint``): a ``check`` goes to a running daemon if
there is one (``svclint.daemon.client``), anything else runs here (``svclint.cli``).

Kept apart from ``svclint.cli`` so that handing a check over imports nothing but the client:
the run in the daemon has everything imported already."""

from __future__ import annotations

import os
import sys
from typing import NoReturn


def entry() -> NoReturn:
    if len(sys.argv) > 1 and sys.argv[1] == "check" and not os.environ.get("SVCLINT_NO_DAEMON"):
        from svclint.daemon.client import through_daemon

        code = through_daemon(sys.argv[1:])
        if code is not None:
            sys.stderr.flush()
            os._exit(code)
    from svclint.cli import entry as run_here

    run_here()


if __name__ == "__main__":
    entry()
