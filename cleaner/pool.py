"""Work fanned out to worker processes, results taken back in input order."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future
from typing import Any, TypeVar

T = TypeVar("T")


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
