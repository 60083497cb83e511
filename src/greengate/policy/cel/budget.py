"""Stop an evaluation that runs longer than its budget, and leave nothing behind.

A CEL expression can be very expensive without being wrong (three nested
``all()`` over a 1,000-item list are a billion steps), and cel-python runs it
as Python code, so a timer is the one bound that holds for every expression.
Static estimates cannot: greengate's inputs have no declared sizes, so an
estimate would either refuse ordinary policies or let costly ones through.

The budget is **CPU time** of the process (``ITIMER_PROF``: user and system
time), not wall-clock time: an evaluation is pure computation, and on a busy
CI runner (or with ``--jobs`` workers sharing the cores) a wall-clock budget
would stop ordinary expressions and turn the same manifests' verdict into
errors depending on the machine's load. The thread fallback below can only
measure wall-clock time.

:func:`run_within` runs a function and raises :class:`BudgetExceeded` when it
takes longer than the budget:

* On the main thread of a POSIX system, with no profiling timer of the
  caller's already running, a ``SIGPROF`` from ``signal.setitimer(ITIMER_PROF)``
  raises inside the evaluation; the previous handler is restored afterwards.
* Otherwise (Windows, a worker thread, a caller's own timer), a wall-clock timer thread
  raises the same exception in the evaluating thread through CPython's
  ``PyThreadState_SetAsyncExc``. Both interrupt Python code between
  bytecodes; neither can interrupt one long call into C (a regular
  expression that backtracks, say).
* Where neither is available, the function runs without a time bound.

The exception raised inside the evaluation derives from :class:`BaseException`
so that no ``except Exception`` in the CEL library catches it on the way out.
"""

from __future__ import annotations

import contextlib
import ctypes
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from greengate.policy.cel.backend import BudgetExceeded

T = TypeVar("T")

_TIMER = getattr(signal, "ITIMER_PROF", None)
"""The process's CPU time (user + system); None where the system has no such timer."""
_SIGNAL = getattr(signal, "SIGPROF", None)


class _OutOfTime(BaseException):
    """Raised inside the evaluation; becomes :class:`BudgetExceeded` at the boundary."""


_armed_in: int | None = None
"""The thread whose evaluations :func:`armed` has installed the handler for (the main thread)."""


def run_within(budget: float | None, function: Callable[[], T]) -> T:
    """``function()``, stopped with :class:`BudgetExceeded` after ``budget`` seconds."""
    if budget is None:
        return function()
    if _armed_in is not None and _armed_in == threading.get_ident():
        return _timed(budget, function)  # inside armed(): only the timer to set and clear
    if _can_use_alarm():
        return _with_alarm(budget, function)
    if _SET_ASYNC_EXC is not None:
        return _with_thread(budget, function)
    return function()


def _can_use_alarm() -> bool:
    if (
        not hasattr(signal, "setitimer")
        or _TIMER is None
        or threading.current_thread() is not threading.main_thread()
    ):
        return False
    delay, _ = signal.getitimer(_TIMER)
    return delay == 0.0  # a timer of the caller's own is running: do not touch it


def _expire(signum: int, frame: Any) -> None:
    raise _OutOfTime


@contextlib.contextmanager
def armed() -> Iterator[None]:
    """Keep the alarm handler installed across many evaluations (one engine run).

    Installing and restoring a signal handler costs more than the timer
    itself; inside this block each evaluation only sets and clears the timer.
    The previous handler is restored when the block ends. Off the main
    thread, or without ``setitimer``, it does nothing.
    """
    global _armed_in
    if not _can_use_alarm():
        yield
        return
    assert _SIGNAL is not None
    previous = signal.signal(_SIGNAL, _expire)
    outer, _armed_in = _armed_in, threading.get_ident()
    try:
        yield
    finally:
        _armed_in = outer
        signal.signal(_SIGNAL, previous)


def _timed(budget: float, function: Callable[[], T]) -> T:
    """``function()`` under the timer, with :func:`armed`'s handler already installed."""
    assert _TIMER is not None
    try:
        signal.setitimer(_TIMER, budget)
        try:
            return function()
        finally:
            signal.setitimer(_TIMER, 0)
    except _OutOfTime:
        raise BudgetExceeded(budget) from None


def _with_alarm(budget: float, function: Callable[[], T]) -> T:
    assert _SIGNAL is not None and _TIMER is not None
    previous = signal.signal(_SIGNAL, _expire)
    try:
        return _timed(budget, function)
    finally:
        signal.signal(_SIGNAL, previous)


def _async_exc() -> Callable[[Any, Any], int] | None:
    if sys.implementation.name != "cpython":
        return None
    try:
        function = ctypes.pythonapi.PyThreadState_SetAsyncExc
    except AttributeError:
        return None
    function.argtypes = (ctypes.c_ulong, ctypes.py_object)
    function.restype = ctypes.c_int
    return function


_SET_ASYNC_EXC = _async_exc()


def _with_thread(budget: float, function: Callable[[], T]) -> T:
    assert _SET_ASYNC_EXC is not None
    target = threading.get_ident()
    lock = threading.Lock()
    state = {"running": True, "fired": False}

    def expire() -> None:
        with lock:
            if state["running"]:
                state["fired"] = True
                _SET_ASYNC_EXC(target, _OutOfTime)

    timer = threading.Timer(budget, expire)
    timer.daemon = True
    try:
        timer.start()
        try:
            result = function()
        finally:
            with lock:
                state["running"] = False
            timer.cancel()
            if state["fired"]:
                # Clear the exception if it has not been raised yet.
                _SET_ASYNC_EXC(target, ctypes.py_object())
        if state["fired"]:
            raise _OutOfTime
        return result
    except _OutOfTime:
        raise BudgetExceeded(budget) from None
