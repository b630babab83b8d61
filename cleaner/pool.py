"""Where a run's work goes: worker processes on this machine, or a Ray cluster (ray_engine.py).

The main process reads the inputs, hands batches of documents out and takes the results
back in input order, then writes them; an engine only decides where the batches run. So
outputs, audit and state are the same for any engine and any number of workers.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


class Engine:
    """The local engine: `workers` processes of this machine (1: all in this process)."""

    name = "local"
    batch_scale = 1  # batches this many times the callers' size: more for engines whose tasks cost more

    def __init__(self, workers: int = 1):
        self.workers = workers

    @property
    def parallel(self) -> bool:
        """Does work go to other processes? Else the caller does it in this one."""
        return self.workers > 1

    @property
    def slots(self) -> int:
        """How many batches run at once."""
        return self.workers

    def executor(self, initializer: Callable[..., None] | None = None, initargs: tuple = ()) -> Executor:
        return ProcessPoolExecutor(self.workers, initializer=initializer, initargs=initargs)

    def close(self) -> None:
        pass


def in_order(
    pool: Executor, fn: Callable[..., Any], tasks: Iterable[tuple[T, tuple]], window: int
) -> Iterator[tuple[T, Any]]:
    """(tag, fn(*args)) for each (tag, args) of `tasks`, in the order given.

    At most `window` tasks are in flight, so a long input never piles up in memory while the
    workers catch up; results come back in order, so outputs are the same for any worker count.
    """
    pending: deque[tuple[T, Future]] = deque()
    for tag, args in tasks:
        pending.append((tag, pool.submit(fn, *args)))
        if len(pending) >= window:
            tag, future = pending.popleft()
            yield tag, future.result()
    while pending:
        tag, future = pending.popleft()
        yield tag, future.result()
