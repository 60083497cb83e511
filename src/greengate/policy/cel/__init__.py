"""The CEL engines behind greengate's policies, and the one place that picks one.

:mod:`~greengate.policy.cel.backend` is the interface the loader and the
engine use; :mod:`~greengate.policy.cel.celpython` implements it on
cel-python (always installed), :mod:`~greengate.policy.cel.celcpp` on
Google's cel-cpp binding ``cel-expr-python`` (``pip install
'greengate[fast]'``). Nothing outside this package imports a CEL library or
an implementation: it asks :func:`default_backend`, after
:func:`select_engine` when the user chose one.
"""

from __future__ import annotations

import functools
import importlib.util

from greengate.errors import UsageError
from greengate.policy.cel.backend import Backend

ENGINES = ("auto", "python", "cpp")
"""What ``--cel-engine`` and ``policies.celEngine`` accept."""

_selected = "auto"


def cpp_installed() -> bool:
    """Whether the cel-cpp binding can be imported here (without importing it)."""
    return importlib.util.find_spec("cel_expr_python") is not None


def available_engines() -> tuple[str, ...]:
    """The engines this installation can run, by their ``--cel-engine`` name."""
    return ("python", "cpp") if cpp_installed() else ("python",)


def select_engine(name: str) -> None:
    """Make ``name`` (``auto``, ``python`` or ``cpp``) the engine :func:`default_backend` gives.

    Raises :class:`~greengate.errors.UsageError` for ``cpp`` when the binding
    is not installed: choosing it explicitly and silently getting the other
    engine would hide the difference.
    """
    global _selected
    if name not in ENGINES:
        raise UsageError(f"unknown CEL engine {name!r}: choose one of {', '.join(ENGINES)}")
    if name == "cpp" and not cpp_installed():
        raise UsageError(
            "the cpp CEL engine needs cel-expr-python: pip install 'greengate[fast]' "
            "(Python 3.11 or newer)"
        )
    _selected = name


def selected_engine() -> str:
    """The engine :func:`default_backend` gives now: ``python`` or ``cpp`` (``auto`` resolved)."""
    if _selected == "auto":
        return "cpp" if cpp_installed() else "python"
    return _selected


def default_backend() -> Backend:
    """The backend policies are compiled and evaluated with: the selected engine's."""
    return backend_named(selected_engine())


@functools.cache
def backend_named(name: str) -> Backend:
    """The backend of engine ``name`` (``python`` or ``cpp``), one per process.

    Imported here, on first use, so that reading the interface costs no CEL
    library import.
    """
    if name == "cpp":
        from greengate.policy.cel.celcpp import CelCppBackend

        return CelCppBackend()
    from greengate.policy.cel.celpython import CelPythonBackend

    return CelPythonBackend()
