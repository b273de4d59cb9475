"""Speed tricks that change how the process runs, kept in one place.

The cyclic garbage collector is paused while svclint builds its one large, acyclic graph:
collection passes would only re-scan it.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector, restoring its state afterwards.

    Loading allocates millions of small objects and frees none of them, and the rules only
    add to that graph: each collection pass would re-scan all of it (a full pass on the
    50k-object benchmark tree costs about a second, and allocation triggers several), to find
    no garbage. Reference counting still frees everything that is dropped.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def disable_gc_for_process() -> None:
    """For the CLI: a run is one short process whose objects all live until it exits.

    Cyclic GC passes would only re-scan them (the first pass after a 50k-object load costs
    a second, and interpreter shutdown runs another). Reference counting still frees what
    is dropped.
    """
    gc.disable()
