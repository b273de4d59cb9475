"""Speed tricks that change how the process runs, kept in one place.

* The cyclic garbage collector is paused while svclint builds its one large, acyclic graph:
  collection passes would only re-scan it.
* Large inputs are parsed by a pool of forked workers (``map_in_workers``) and the rules are
  run on two cores (``fork_split``). A forked process sees this one's memory as it was, so
  only results travel, and the result never depends on whether a fork happened: anything
  that fails (no fork on this platform, a worker that dies, a result that does not pickle)
  is redone in this process.
* When that pays is decided here too (``jobs_for_parsing``, ``jobs_for_checking``).

This module knows nothing of svclint's data: callers pass functions and encodings.
"""

from __future__ import annotations

import gc
import os
import pickle
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence, Sized
from contextlib import contextmanager
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")
P = TypeVar("P")

PARALLEL_MIN_BYTES = 4 * 1024 * 1024  # below this much YAML, starting workers costs more than parsing
PARALLEL_MIN_OBJECTS = 2000  # below this, forking costs more than the rules
BATCH_ITEMS = 256  # items per worker task: small enough to overlap, large enough to amortise
CAN_FORK = sys.platform != "win32"
_FAILED = object()


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


# -- how many processes ----------------------------------------------------------------------


def _cores(most: int) -> int:
    return min(os.cpu_count() or 1, most)


def jobs_for_parsing(requested: int, paths: Iterable[str]) -> int:
    """Worker processes for parsing ``paths`` (``requested``, or for 0 as many as pay: several
    cores only for some megabytes of YAML)."""
    if requested != 0:
        return requested
    total = 0
    for path in paths:
        try:
            total += os.path.getsize(path)
        except OSError:
            pass
        if total >= PARALLEL_MIN_BYTES:
            return _cores(4)
    return 1


def jobs_for_checking(requested: int, objects: int) -> int:
    """Processes for running the rules over ``objects`` objects (``requested``, or for 0 two
    cores for a large graph)."""
    if requested != 0:
        return requested
    return _cores(2) if objects >= PARALLEL_MIN_OBJECTS else 1


def _splits(jobs: int, tasks: Sized) -> bool:
    return jobs > 1 and len(tasks) >= 2 and CAN_FORK


# -- workers end with their parent ------------------------------------------------------------


PR_SET_PDEATHSIG = 1  # linux/prctl.h


def die_with_parent(parent: int) -> None:
    """Make this forked worker end when ``parent`` does, however it ends (SIGTERM from a CI
    runner's timeout, SIGKILL, a crash): Python runs no cleanup on a fatal signal, and
    orphaned workers would go on parsing. On Linux the kernel sends SIGKILL (prctl
    PR_SET_PDEATHSIG); elsewhere a daemon thread watches the parent id."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes
            import signal

            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        except (OSError, AttributeError):  # pragma: no cover - no libc prctl: the thread below
            _watch_parent(parent)
    else:  # pragma: no cover - not Linux
        _watch_parent(parent)
    if os.getppid() != parent:  # the parent died before the line above took effect
        os._exit(1)


def _watch_parent(parent: int) -> None:
    import threading
    import time

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="svclint-parent-watch", daemon=True).start()


# -- a pool of forked workers ----------------------------------------------------------------


def map_in_workers(
    work: Callable[[list[T]], P],
    items: list[T],
    jobs: int,
    receive: Callable[[P], Iterable[R]],
    here: Callable[[list[T]], Iterable[R]],
) -> Iterator[R]:
    """One result per item, in order: ``receive(work(batch))`` for consecutive batches run by
    ``jobs`` forked workers, or ``here(items)`` in this process.

    ``work`` runs in a worker (a module-level function: the pool pickles it) and returns
    plain data; ``receive`` turns that into results here, while later batches are still
    worked on, so this process's share of the work overlaps theirs. Should the pool fail,
    ``here`` does the items not yet delivered; closing the iterator early stops the workers.
    """
    if not _splits(jobs, items):
        yield from here(items)
        return
    size = max(1, min(BATCH_ITEMS, -(-len(items) // (jobs * 4))))
    batches = [items[i : i + size] for i in range(0, len(items), size)]
    done = 0
    try:
        import multiprocessing

        context = multiprocessing.get_context("fork")
        from concurrent.futures import ProcessPoolExecutor  # 20 ms to import: only when workers start

        pool = ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=die_with_parent, initargs=(os.getpid(),))
        try:
            for returned in pool.map(work, batches):
                for result in receive(returned):
                    done += 1
                    yield result
        finally:  # closed early (an error, Ctrl-C): do not work on batches nobody will read
            pool.shutdown(wait=True, cancel_futures=True)
    except (OSError, RuntimeError):  # no fork, no semaphores, a worker died: the rest here
        yield from here(items[done:])


# -- one forked child ------------------------------------------------------------------------


def fork_split(
    tasks: Sequence[T],
    run: Callable[[T], R],
    jobs: int,
    encode: Callable[[list[R]], Any],
    decode: Callable[[Any], list[R]],
) -> list[R]:
    """``[run(task) for task in tasks]``, the second half run by a forked child meanwhile.

    The child sees this process's data as it was at the fork, so ``run`` needs nothing sent
    to it; its results come back as a pickle of ``encode(results)`` and are rebuilt here with
    ``decode`` (e.g. references into shared data sent as indexes). With one job, or if the
    child cannot start, raises or dies, everything is run here.
    """
    if not _splits(jobs, tasks):
        return [run(task) for task in tasks]
    half = len(tasks) // 2
    theirs = tasks[half:]
    try:
        import multiprocessing

        context = multiprocessing.get_context("fork")
        receive, send = context.Pipe(duplex=False)

        parent = os.getpid()

        def child() -> None:
            die_with_parent(parent)
            try:
                payload = pickle.dumps(encode([run(task) for task in theirs]), protocol=pickle.HIGHEST_PROTOCOL)
            except Exception:  # noqa: BLE001 - e.g. a result that does not pickle: redone in the parent
                payload = b""
            send.send_bytes(payload)
            send.close()

        sys.stdout.flush()
        sys.stderr.flush()
        process = context.Process(target=child, daemon=True)
        process.start()
        send.close()
    except (OSError, RuntimeError):  # no fork: everything here
        return [run(task) for task in tasks]
    mine = [run(task) for task in tasks[:half]]
    returned: Any = _FAILED
    try:
        payload = receive.recv_bytes()
        if payload:
            returned = pickle.loads(payload)  # noqa: S301 - our own child
    except (EOFError, OSError):  # the child died
        pass
    finally:
        receive.close()
        process.join()
    if returned is _FAILED:
        return mine + [run(task) for task in theirs]
    return mine + decode(returned)
