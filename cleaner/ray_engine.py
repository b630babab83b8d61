"""The Ray engine (`cleaner run --engine ray`, extra [ray]): the local engine's batches as Ray tasks.

The main process still reads every input and writes every output, and takes results back
in input order (pool.in_order), so outputs, audit and state are byte for byte those of a
local run, and no filesystem needs to be shared: documents travel through Ray's object
store. A task whose worker or node dies is run again by Ray (up to `MAX_RETRIES` times);
since only the main process writes, a batch run twice is still written once.

Cleaning workers need the counting pass's store, a file on this machine: the part the
stages read is sent once through the object store and written to each node's temp folder.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import pickle
import socket
import tempfile
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Executor, Future
from pathlib import Path
from typing import Any

from .config import Config
from .errors import CleanerError, RunStopped
from .pool import Engine
from .repeated_store import worker_part

MAX_RETRIES = 3  # a batch whose worker dies is run again this many times
CONNECT_SECONDS = 10  # to reach a cluster's address
KEEP_DAYS = 2  # a node's landed store files are removed this long after their last use
# Tests only: when this names an existing folder, each batch's first attempt kills its worker
# (a marker file per batch there), so that every batch is retried; with a file named
# "always" in it, every attempt does, so that the run stops.
KILL_ONCE = "CLEANER_TEST_KILL_ONCE"
_ready: set[str] = set()  # in a worker process: the executors whose initializer ran here


def available() -> bool:
    try:
        import ray  # noqa: F401
    except ImportError:
        return False
    return True


class RayEngine(Engine):
    """Runs batches on a Ray cluster: the one at `address` (or $RAY_ADDRESS; "auto": the one
    started on this machine), else a new local one of `workers` CPUs.

    Ray is started or joined at the first batch, not before: a run that finds another one
    holding its lock, or nothing to do, exits without waiting for a cluster.
    """

    name = "ray"
    # A Ray task costs milliseconds (object store, scheduling): bigger batches, fewer tasks.
    # 200 MB on two local CPUs (bench/ray_speed.py): 51.1 s with the local engine's batches, 36.7 s with these.
    batch_scale = 8

    def __init__(self, address: str | None = None, workers: int = 1):
        if not available():
            raise CleanerError("--engine ray needs the [ray] extra: pip install 'cleaner[ray]'")
        address = address or os.environ.get("RAY_ADDRESS") or None
        if address:
            _check_reachable(address)
        self.address = address
        self.workers = workers
        self.started = False  # this engine started Ray (or joined a cluster): it shuts it down
        self.connected = False

    @property
    def parallel(self) -> bool:
        return True  # even on one CPU the work goes to Ray's workers

    @property
    def slots(self) -> int:
        self._connect()
        return self.workers

    def executor(self, initializer: Callable[..., None] | None = None, initargs: tuple = ()) -> Executor:
        self._connect()
        return RayExecutor(initializer, initargs)

    def _connect(self) -> None:
        import ray

        if self.connected:
            return
        if not ray.is_initialized():
            try:
                ray.init(
                    address=self.address or "local",  # "local": a new instance, even if one runs here
                    num_cpus=None if self.address else self.workers,
                    include_dashboard=False,
                    logging_level=logging.ERROR,
                    log_to_driver=False,
                )
            except (ConnectionError, ValueError, RuntimeError) as exc:
                where = self.address or "a new local instance"
                raise CleanerError(f"cannot start or reach Ray at {where}: {exc}") from None
            self.started = True
        self.connected = True
        self.workers = max(1, int(ray.cluster_resources().get("CPU", 1)))

    def close(self) -> None:
        if self.started:
            import ray

            ray.shutdown()


def _check_reachable(address: str) -> None:
    """Fail at once on an address nobody listens at (Ray itself retries for minutes)."""
    hostport = address.split("://", 1)[-1]
    if hostport == "auto":
        return
    host, _, port = hostport.rpartition(":")
    if not host or not port.isdigit():
        raise CleanerError(f"--address {address}: expected host:port (or auto, or ray://host:port)")
    try:
        socket.create_connection((host, int(port)), timeout=CONNECT_SECONDS).close()
    except OSError as exc:
        raise CleanerError(f"cannot reach the Ray cluster at {address}: {exc}") from None


class RayExecutor(Executor):
    """`submit` runs fn(*args) as a Ray task; each worker process runs `initializer` once first."""

    def __init__(self, initializer: Callable[..., None] | None, initargs: tuple):
        import ray

        self.token = uuid.uuid4().hex
        self.setup = None
        if initializer is not None:
            files: dict[str, bytes] = {}
            for arg in initargs:
                if isinstance(arg, Config):
                    files.update(_state_files(arg))
            # In a list, so that Ray hands the reference over instead of the value: only a
            # worker that has not run the initializer yet fetches it.
            self.setup = [ray.put((initializer, initargs, files))]
        self.task = ray.remote(max_retries=MAX_RETRIES)(_run_task)

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        if kwargs:
            raise TypeError("RayExecutor.submit takes positional arguments only")
        return _RayFuture(self.task.remote(self.token, self.setup, fn, *args))


class _RayFuture(Future):
    """A task's result; a task Ray gave up on stops the run with a message, not a traceback."""

    def __init__(self, ref: Any):
        super().__init__()
        self.ref = ref

    def result(self, timeout: float | None = None) -> Any:
        import ray

        try:
            return ray.get(self.ref, timeout=timeout)
        except ray.exceptions.RayError as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
            raise RunStopped(f"a Ray task failed for good ({type(exc).__name__}: {first})") from None


def _run_task(token: str, setup: list | None, fn: Callable[..., Any], *args: Any) -> Any:
    _maybe_die(args)
    if setup is not None and token not in _ready:
        import ray

        initializer, initargs, files = ray.get(setup[0])
        local = _land(files)
        initializer(*(_relocated(a, local) if isinstance(a, Config) else a for a in initargs))
        _ready.clear()  # one run's executor at a time: its pipeline replaced the last one
        _ready.add(token)
    return fn(*args)


def _maybe_die(args: tuple) -> None:
    folder = os.environ.get(KILL_ONCE)
    if not folder or not os.path.isdir(folder):
        return
    if os.path.exists(os.path.join(folder, "always")):
        os._exit(1)
    marker = Path(folder) / hashlib.sha256(pickle.dumps(args)).hexdigest()
    try:
        marker.touch(exist_ok=False)
    except FileExistsError:
        return  # this batch's retry: let it run
    os._exit(1)


def _state_files(config: Config) -> dict[str, bytes]:
    """The store files the config's stages read, as the stages read them."""
    files = {}
    for spec in config.stages:
        path = getattr(spec.params, "state", "")
        if path and path not in files:
            data = worker_part(Path(path))
            if data:
                files[path] = data
    return files


def _land(files: dict[str, bytes]) -> dict[str, str]:
    """Write each file into this node's temp folder (once: named by its content)."""
    folder = Path(tempfile.gettempdir()) / "cleaner-ray"
    folder.mkdir(parents=True, exist_ok=True)
    old = time.time() - KEEP_DAYS * 86400
    for f in folder.iterdir():  # earlier runs' stores
        with contextlib.suppress(OSError):
            if f.stat().st_mtime < old:
                f.unlink()
    local = {}
    for path, data in files.items():
        target = folder / f"{hashlib.sha256(data).hexdigest()[:24]}.json"
        if target.exists():
            target.touch()
        else:
            tmp = folder / f".{target.name}.{os.getpid()}.tmp"
            tmp.write_bytes(data)
            os.replace(tmp, target)
        local[path] = str(target)
    return local


def _relocated(config: Config, local: dict[str, str]) -> Config:
    for spec in config.stages:
        path = getattr(spec.params, "state", "")
        if path in local:
            config = config.with_params(spec.name, state=local[path])
    return config
