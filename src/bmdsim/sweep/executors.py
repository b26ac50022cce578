"""Where the points run: one interface, three executors.

``imap_unordered(fn, shared, items)`` calls ``fn(shared, item)`` for every item and yields
``(item, result, None)`` or ``(item, None, Failure)`` as each finishes, in any order. `shared`
is sent to each worker once. The caller writes results as they come, so whatever has finished
is kept when the run stops.

* `SerialExecutor`: in this process, in order.
* `ProcessExecutor`: a `concurrent.futures.ProcessPoolExecutor` of `workers` processes
  (``forkserver``: the server imports bmdsim once and forks clean single-threaded workers).
* `DaskExecutor`: `dask.distributed`: a `LocalCluster` of `workers` single-threaded processes
  (no dashboard, on 127.0.0.1), or the existing cluster at `scheduler` (``tcp://HOST:PORT``,
  whose workers need the same bmdsim installed). A worker that dies is replaced and its points
  rescheduled by Dask (up to its `allowed-failures`).

At most a few points per worker are in flight at once (submitted in the caller's order), so
points that share a world, submitted together, tend to meet a worker that has it cached, and
an interrupted run has little work in flight.
"""

from __future__ import annotations

import logging
import os
import signal
import traceback
import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from bmdsim._workers import exit_with

__all__ = ["DaskExecutor", "Executor", "Failure", "ProcessExecutor", "SerialExecutor",
           "make_executor"]  # fmt: skip

IN_FLIGHT_PER_WORKER = 2


@dataclass(frozen=True)
class Failure:
    message: str  # "ErrorType: message"
    traceback: str
    fatal: bool = False  # the executor cannot run more points


Outcome = tuple[Any, Any, Failure | None]


def _failure(exc: BaseException, tb: str | None = None, fatal: bool = False) -> Failure:
    text = tb if tb is not None else "".join(traceback.format_exception(exc))
    return Failure(f"{type(exc).__name__}: {exc}", text, fatal)


@contextmanager
def _sigint_ignored() -> Iterator[None]:
    """Processes started inside ignore SIGINT (the disposition is inherited through fork and
    exec): Ctrl-C in a terminal reaches the whole process group, and it is the sweep
    process's to handle (it stops the workers and keeps what finished)."""
    try:
        old = signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:  # not the main thread: nothing to do
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, old)


class Executor(ABC):
    name = "executor"
    workers = 1

    def __enter__(self) -> Executor:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self) -> None:  # noqa: B027 (optional hook)
        pass

    def close(self) -> None:  # noqa: B027 (optional hook)
        pass

    @property
    def numba_threads(self) -> int | None:
        """numba threads per worker process (None: leave the worker's setting)."""
        return None

    def describe(self) -> str:
        return self.name

    @abstractmethod
    def imap_unordered(self, fn: Callable[[Any, Any], Any], shared: Any,
                       items: Sequence[Any]) -> Iterator[Outcome]: ...  # fmt: skip


class SerialExecutor(Executor):
    name = "serial"

    def imap_unordered(self, fn: Callable[[Any, Any], Any], shared: Any,
                       items: Sequence[Any]) -> Iterator[Outcome]:  # fmt: skip
        for item in items:
            try:
                res = fn(shared, item)
            except Exception as exc:  # a point's failure; KeyboardInterrupt goes up
                yield item, None, _failure(exc)
                continue
            yield item, res, None


# ------------------------------------------------------------------ local processes

_SHARED: list[Any] = []


def _init_worker(fn: Callable[[Any, Any], Any], shared: Any, main_pid: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the sweep process's to handle
    _SHARED[:] = [fn, shared]
    # no orphan keeps computing points that nobody will write (the sweep process killed)
    exit_with(main_pid)


def _call(item: Any) -> Any:
    fn, shared = _SHARED
    try:
        return fn(shared, item)
    except Exception as exc:
        raise _Remote(_failure(exc)) from None


class _Remote(Exception):
    """A point's failure in a worker, with the worker's traceback (picklable)."""

    def __init__(self, failure: Failure) -> None:
        super().__init__(failure.message)
        self.failure = failure

    def __reduce__(self) -> tuple[Any, ...]:
        return (_Remote, (self.failure,))


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


class ProcessExecutor(Executor):
    name = "processes"

    def __init__(self, workers: int | None = None, numba_threads: int | None = None) -> None:
        self.workers = workers or _cpus()
        self._numba_threads = numba_threads
        self._pool: ProcessPoolExecutor | None = None
        self._finished = False

    @property
    def numba_threads(self) -> int | None:
        return self._numba_threads or max(1, _cpus() // self.workers)

    def describe(self) -> str:
        return f"processes ({self.workers} workers)"

    def close(self) -> None:
        pool, self._pool = self._pool, None
        if pool is None:
            return
        if self._finished:  # nothing in flight: let the workers exit
            pool.shutdown(wait=True)
            return
        procs = list(getattr(pool, "_processes", {}).values() or [])
        for p in procs:  # points in flight are abandoned (rerun on --resume)
            if p.is_alive():
                p.terminate()
        for p in procs:
            p.join(timeout=5)
        pool.shutdown(wait=True, cancel_futures=True)

    def imap_unordered(self, fn: Callable[[Any, Any], Any], shared: Any,
                       items: Sequence[Any]) -> Iterator[Outcome]:  # fmt: skip
        import multiprocessing

        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["bmdsim.sweep.run", "bmdsim.study.run"])
        self._finished = False
        self._pool = ProcessPoolExecutor(self.workers, mp_context=ctx, initializer=_init_worker,
                                         initargs=(fn, shared, os.getpid()))  # fmt: skip
        todo = list(items)[::-1]
        pending: dict[Future[Any], Any] = {}
        window = IN_FLIGHT_PER_WORKER * self.workers
        broken: Failure | None = None
        with _sigint_ignored():  # the fork server and workers start on the first submissions
            while todo and len(pending) < window:
                item = todo.pop()
                pending[self._pool.submit(_call, item)] = item
        while todo or pending:
            while todo and len(pending) < window and broken is None:
                item = todo.pop()
                pending[self._pool.submit(_call, item)] = item
            if not pending:
                break
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                item = pending.pop(fut)
                exc = fut.exception()
                if exc is None:
                    yield item, fut.result(), None
                elif isinstance(exc, _Remote):
                    yield item, None, exc.failure
                elif isinstance(exc, BrokenProcessPool):
                    broken = broken or _failure(
                        RuntimeError(f"a worker process died ({exc}); the pool stopped"), "",
                        fatal=True)  # fmt: skip
                    yield item, None, broken
                else:
                    yield item, None, _failure(exc)
            if broken is not None and not pending:
                break
        self._finished = broken is None


# ------------------------------------------------------------------ Dask


class DaskExecutor(Executor):
    name = "dask"

    def __init__(self, workers: int | None = None, scheduler: str | None = None,
                 numba_threads: int | None = None) -> None:  # fmt: skip
        self.scheduler = scheduler
        self.workers = workers or _cpus()
        self._numba_threads = numba_threads
        self.client: Any = None
        self._cluster: Any = None

    @property
    def numba_threads(self) -> int | None:
        if self._numba_threads is not None:
            return self._numba_threads
        return None if self.scheduler else max(1, _cpus() // self.workers)

    def describe(self) -> str:
        if self.scheduler:
            return f"dask (scheduler {self.scheduler}, {self.workers} worker threads)"
        return f"dask (LocalCluster, {self.workers} workers)"

    def start(self) -> None:
        from dask.distributed import Client, LocalCluster

        if self.client is not None:
            return
        if self.scheduler:
            self.client = Client(self.scheduler, timeout="20s")
            info = self.client.scheduler_info()
            threads = sum(int(w.get("nthreads", 1)) for w in info.get("workers", {}).values())
            self.workers = max(1, threads)
        else:
            with _sigint_ignored():
                self._cluster = LocalCluster(n_workers=self.workers, threads_per_worker=1,
                                             processes=True, dashboard_address=None,
                                             host="127.0.0.1",
                                             silence_logs=logging.ERROR)  # fmt: skip
            self.client = Client(self._cluster)

    def close(self) -> None:
        client, cluster = self.client, self._cluster
        self.client = self._cluster = None
        if client is not None:
            client.close()
        if cluster is not None:
            cluster.close()

    def imap_unordered(self, fn: Callable[[Any, Any], Any], shared: Any,
                       items: Sequence[Any]) -> Iterator[Outcome]:  # fmt: skip
        from dask.distributed import as_completed

        if self.client is None:
            self.start()
        client = self.client
        shared_f = client.scatter(shared, broadcast=True)
        run = uuid.uuid4().hex[:8]
        todo = list(items)[::-1]
        window = IN_FLIGHT_PER_WORKER * self.workers
        owner: dict[str, Any] = {}

        def submit() -> Any:
            item = todo.pop()
            key = f"bmdsim-point-{run}-{getattr(item, 'index', len(owner))}"
            fut = client.submit(fn, shared_f, item, key=key)
            owner[fut.key] = item
            return fut

        ac = as_completed([submit() for _ in range(min(window, len(todo)))])
        for fut in ac:
            item = owner.pop(fut.key)
            if fut.status == "finished":
                res = fut.result()
                fut.release()
                yield item, res, None
            else:
                exc = fut.exception()
                tb = "".join(traceback.format_exception(type(exc), exc, fut.traceback()))
                fut.release()
                yield item, None, _failure(exc, tb)
            if todo:
                ac.add(submit())


def make_executor(kind: str, workers: int | None = None,
                  scheduler: str | None = None) -> Executor:  # fmt: skip
    if kind == "serial":
        return SerialExecutor()
    if kind == "processes":
        return ProcessExecutor(workers)
    if kind == "dask":
        return DaskExecutor(workers, scheduler)
    raise ValueError(f"unknown executor {kind!r}; allowed: serial, processes, dask")
